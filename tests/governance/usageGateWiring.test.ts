/**
 * The usage gate as each stack deploys it, seen from outside the hosts: the dashboard's usage
 * widgets (the "top 10 people by spend this month" Logs Insights table among them), the alarm on
 * calls let through unmetered, and their prices in the plan.
 */
import * as assert from "assert";
import { USAGE_GATE_NAMESPACE, usageTopSpendQuery } from "../../governance/dashboard";
import { METRIC_NAMESPACE } from "../../gate/metrics";
import { buildPlan } from "../../plan/model";
import { named } from "../harness/query";
import { forEachStack } from "../harness/stacks";

forEachStack("usage gate: dashboard, alarm and plan", (ctx) => {
    it("the dashboard reads the gate's metrics and shows the top 10 people by spend this month from the gateway hosts' log group", () => {
        const body = JSON.parse(
            named(ctx.run, "aws:cloudwatch/dashboard:Dashboard", "dashboard-dashboard").inputs
                .dashboardBody,
        );
        const logGroup = `/ai-portal-${ctx.stack}/gateway`;
        const table = body.widgets.filter((w: any) => w.type === "log");
        assert.deepStrictEqual(
            table.map((w: any) => [w.width, w.properties]),
            [
                [
                    24,
                    {
                        title: "Usage gate: top 10 people by spend this month (USD, month to date at their last call)",
                        region: "eu-west-2",
                        view: "table",
                        query:
                            `SOURCE '${logGroup}'` +
                            ' | filter event = "usage-gate-call" and person != "unattributed" and ispresent(monthSpentUsd)' +
                            " | fields monthSpentUsd + costUsd as monthToDateUsd" +
                            " | stats latest(monthToDateUsd) as usd, latest(limitUsd) as limit, latest(@timestamp) as lastCall by person, email" +
                            " | sort usd desc | limit 10",
                    },
                ],
            ],
        );
        assert.strictEqual(table[0].properties.query, usageTopSpendQuery(logGroup));
        // The graphs read the namespace the gate writes (gate/metrics.ts), in total (no dimensions).
        assert.strictEqual(USAGE_GATE_NAMESPACE, METRIC_NAMESPACE);
        const gateMetrics = body.widgets
            .filter((w: any) => w.type === "metric")
            .flatMap((w: any) => w.properties.metrics)
            .filter((m: any[]) => m[0] === "AIPortal/UsageGate")
            .map((m: any[]) => [m[1], m[2], m[3], m[4].stat]);
        // This stack's totals only (GATE_STACK on its gateway hosts).
        assert.deepStrictEqual(gateMetrics, [
            ["CostUsd", "Stack", ctx.stack, "Sum"],
            ["Calls", "Stack", ctx.stack, "Sum"],
            ["Rejected", "Stack", ctx.stack, "Sum"],
            ["FailOpen", "Stack", ctx.stack, "Sum"],
        ]);
    });

    it("alarms on any call let through unmetered (FailOpen Sum > 0 in five minutes), to the alarm topic", () => {
        const topic = named(ctx.run, "aws:sns/topic:Topic", "ops-alarms");
        const alarm = named(
            ctx.run,
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "usage-gate-alarm-fail-open",
        );
        const { alarmDescription, ...inputs } = alarm.inputs;
        assert.match(alarmDescription, /limits are not enforced/);
        assert.deepStrictEqual(inputs, {
            name: `ai-portal-${ctx.stack}-usage-gate-fail-open`,
            namespace: "AIPortal/UsageGate",
            metricName: "FailOpen",
            dimensions: { Stack: ctx.stack },
            statistic: "Sum",
            period: 300,
            evaluationPeriods: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topic.state.arn],
            okActions: [topic.state.arn],
            tags: { Name: `ai-portal-${ctx.stack}-usage-gate-fail-open` },
        });
    });

    it("the plan prices the alarm, the gate's secret and its image repository", () => {
        const plan = buildPlan(ctx.run);
        const lines = plan.cost.lines
            .filter((l: any) => /usage-gate|gate-image/.test(l.resource))
            .map((l: any) => [l.resource, l.item, l.quantity]);
        assert.deepStrictEqual(lines, [
            ["compute-gate-image-repo", "ECR storage (assumed)", 1],
            ["data-usage-gate-credentials", "Secrets Manager secret", 1],
            ["usage-gate-alarm-fail-open", "CloudWatch alarm", 1],
        ]);
    });
});
