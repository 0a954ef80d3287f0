/**
 * Someone hears about it when the portal is unhealthy: the alarm topic and the alarms each stack
 * declares, with prod's stricter thresholds.
 */
import * as assert from "assert";
import { scriptOf } from "../../compute/userData";
import { THRESHOLDS } from "../../operations/alarms";
import { named, ofType } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import { ProgramRun, runProgram } from "../../offline/run";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

function alarms(run: ProgramRun): Record<string, any> {
    return Object.fromEntries(
        ofType(run, ALARM).map((a) => [
            a.inputs.name.replace(`ai-portal-${run.config.stack}-`, ""),
            a.inputs,
        ]),
    );
}

forEachStack("operations", (ctx) => {
    const { stack } = ctx;
    const profile = stack === "prod" ? "strict" : "relaxed";

    it("declares one alarm topic, exported, with no e-mail subscription unless configured", () => {
        const topic = named(ctx.run, "aws:sns/topic:Topic", "ops-alarms");
        assert.strictEqual(ctx.run.outputs.alarmTopicArn, topic.state.arn);
        assert.strictEqual(
            ofType(ctx.run, "aws:sns/topicSubscription:TopicSubscription").length,
            0,
        );
    });

    it("alarms on the database, each host's status checks and the portal's HTTPS health", () => {
        assert.deepStrictEqual(Object.keys(alarms(ctx.run)).sort(), [
            "db-connections",
            "db-cpu",
            "db-free-storage",
            "gateway-instance-check",
            "gateway-system-check",
            "web-https-health",
            "web-instance-check",
            "web-system-check",
        ]);
        for (const alarm of Object.values(alarms(ctx.run))) {
            assert.ok(
                alarm.alarmActions.includes(ctx.run.outputs.alarmTopicArn),
                `${alarm.name} notifies the topic`,
            );
            assert.deepStrictEqual(alarm.okActions, [ctx.run.outputs.alarmTopicArn]);
        }
    });

    it(`uses the ${profile} thresholds`, () => {
        const t = THRESHOLDS[profile];
        const a = alarms(ctx.run);
        assert.strictEqual(a["db-cpu"].threshold, t.dbCpuPercent);
        assert.strictEqual(a["db-free-storage"].threshold, t.dbFreeStorageGb * 1024 ** 3);
        assert.strictEqual(a["db-connections"].threshold, t.dbConnections);
        assert.strictEqual(a["web-https-health"].evaluationPeriods, t.webUnhealthyMinutes);
        assert.deepStrictEqual(a["db-cpu"].dimensions, {
            DBInstanceIdentifier: `ai-portal-${stack}-postgres`,
        });
    });

    it("recovers a host whose system status check fails", () => {
        const a = alarms(ctx.run);
        for (const role of ["web", "gateway"]) {
            assert.strictEqual(
                a[`${role}-system-check`].alarmActions[0],
                "arn:aws:automate:eu-west-2:ec2:recover",
            );
            assert.deepStrictEqual(a[`${role}-system-check`].dimensions, {
                InstanceId: ctx.run.outputs[`${role}InstanceId`],
            });
        }
    });

    it("treats a silent health reporter as unhealthy, on the metric the web host publishes", () => {
        const health = alarms(ctx.run)["web-https-health"];
        assert.strictEqual(health.treatMissingData, "breaching");
        assert.deepStrictEqual(health.dimensions, { Stack: stack });
        const script = scriptOf(
            named(ctx.run, "aws:ec2/instance:Instance", "compute-web-instance").inputs.userData,
        );
        assert.match(script, new RegExp(`HEALTH_NAMESPACE='${health.namespace}'`));
        assert.match(script, new RegExp(`HEALTH_METRIC='${health.metricName}'`));
        assert.match(script, new RegExp(`PORTAL_STACK='${stack}'`));
        assert.match(script, /OnUnitActiveSec=1min/);
    });
});

describe("operations: configuration", () => {
    it("prod is stricter than dev on every threshold", () => {
        assert.ok(THRESHOLDS.strict.dbCpuPercent < THRESHOLDS.relaxed.dbCpuPercent);
        assert.ok(THRESHOLDS.strict.dbFreeStorageGb > THRESHOLDS.relaxed.dbFreeStorageGb);
        assert.ok(THRESHOLDS.strict.dbConnections < THRESHOLDS.relaxed.dbConnections);
        assert.ok(THRESHOLDS.strict.webUnhealthyMinutes < THRESHOLDS.relaxed.webUnhealthyMinutes);
    });

    it("subscribes alarmEmail to the topic when it is set", async () => {
        const run = await runProgram({
            stack: "dev",
            overrides: { alarmEmail: "oncall@example.com" },
        });
        const subscriptions = ofType(run, "aws:sns/topicSubscription:TopicSubscription");
        assert.deepStrictEqual(
            subscriptions.map((s) => [s.inputs.protocol, s.inputs.endpoint]),
            [["email", "oncall@example.com"]],
        );
    });
});
