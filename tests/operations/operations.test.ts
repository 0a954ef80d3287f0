/**
 * Someone hears about it when the portal is unhealthy: the alarm topic and the alarms each stack
 * declares, with prod's stricter thresholds.
 */
import * as assert from "assert";
import { scriptOf } from "../../compute/userData";
import { THRESHOLDS } from "../../operations/alarms";
import { hostUserData } from "../harness/hosts";
import { named, ofType, parseJson } from "../harness/query";
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

/** What each stack alarms on besides the database and the portal's health. */
const TIER_ALARMS = {
    // dev (single): each host's status checks.
    dev: [
        "gateway-instance-check",
        "gateway-system-check",
        // Both stacks: a sudden rise in the guardrail's interventions (operations/guardrailAlarm.ts).
        "guardrail-interventions",
        // Both stacks: calls the usage gate let through unmetered (operations/usageGateAlarm.ts).
        "usage-gate-fail-open",
        "web-instance-check",
        "web-system-check",
    ],
    // prod (loadBalanced): the ALB, both target groups, WAF and each Redis node; no instance of
    // its own to check (Auto Scaling replaces hosts that fail the load balancers' checks).
    prod: [
        "alb-5xx-rate",
        "alb-response-time",
        "gateway-unhealthy-hosts",
        "guardrail-interventions",
        "redis-001-cpu",
        "redis-001-evictions",
        "redis-001-memory",
        "redis-002-cpu",
        "redis-002-evictions",
        "redis-002-memory",
        "usage-gate-fail-open",
        "waf-blocked-spike",
        "web-unhealthy-hosts",
    ],
};

forEachStack("operations", (ctx) => {
    const { stack } = ctx;
    const profile = stack === "prod" ? "strict" : "relaxed";
    const loadBalanced = stack === "prod";

    it("declares one alarm topic, exported, with no e-mail subscription unless configured", () => {
        const topic = named(ctx.run, "aws:sns/topic:Topic", "ops-alarms");
        assert.strictEqual(ctx.run.outputs.alarmTopicArn, topic.state.arn);
        assert.strictEqual(
            ofType(ctx.run, "aws:sns/topicSubscription:TopicSubscription").length,
            0,
        );
    });

    it("the topic's policy: this account, CloudWatch alarms and this account's budgets may publish; nobody else", () => {
        const topic = named(ctx.run, "aws:sns/topic:Topic", "ops-alarms");
        const policies = ofType(ctx.run, "aws:sns/topicPolicy:TopicPolicy");
        assert.deepStrictEqual(
            policies.map((p) => p.inputs.arn),
            [topic.state.arn],
        );
        const account = String(topic.state.arn).split(":")[4];
        assert.match(account, /^[0-9]{12}$/);
        const statements = parseJson(policies[0].inputs.policy).Statement as Record<string, any>[];
        for (const s of statements) {
            assert.strictEqual(s.Effect, "Allow");
            assert.strictEqual(s.Resource, topic.state.arn, `${s.Sid}: this topic only`);
            assert.notStrictEqual(s.Principal, "*", `${s.Sid}: no wildcard principal`);
            assert.ok(
                !Object.values(s.Principal).flat().includes("*"),
                `${s.Sid}: no wildcard principal`,
            );
        }
        const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
        assert.deepStrictEqual(Object.keys(bySid).sort(), [
            "BudgetsPublish",
            "CloudWatchAlarmsPublish",
            "ThisAccountPublishes",
        ]);
        assert.deepStrictEqual(bySid.ThisAccountPublishes.Principal, {
            AWS: `arn:aws:iam::${account}:root`,
        });
        // The services publish for this account only (no confused deputy acting for another).
        assert.deepStrictEqual(
            [bySid.CloudWatchAlarmsPublish.Principal, bySid.CloudWatchAlarmsPublish.Action],
            [{ Service: "cloudwatch.amazonaws.com" }, "SNS:Publish"],
        );
        assert.deepStrictEqual(bySid.CloudWatchAlarmsPublish.Condition, {
            StringEquals: { "aws:SourceAccount": account },
        });
        assert.deepStrictEqual(
            [bySid.BudgetsPublish.Principal, bySid.BudgetsPublish.Action],
            [{ Service: "budgets.amazonaws.com" }, "SNS:Publish"],
        );
        assert.deepStrictEqual(bySid.BudgetsPublish.Condition, {
            StringEquals: { "aws:SourceAccount": account },
            ArnLike: { "aws:SourceArn": `arn:aws:budgets::${account}:*` },
        });
    });

    it(`alarms on the database, the portal's HTTPS health and ${loadBalanced ? "the load balancers, WAF and Redis" : "each host's status checks"}, each notifying the topic`, () => {
        assert.deepStrictEqual(
            Object.keys(alarms(ctx.run)).sort(),
            [
                "db-connections",
                "db-cpu",
                "db-free-storage",
                "directory-bind",
                "web-https-health",
                ...TIER_ALARMS[stack],
            ].sort(),
        );
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
        if (loadBalanced) {
            assert.strictEqual(a["alb-5xx-rate"].threshold, t.alb5xxPercent);
            assert.strictEqual(a["alb-response-time"].threshold, t.albResponseSecondsP95);
            assert.strictEqual(a["waf-blocked-spike"].threshold, t.wafBlockedPer5Min);
            assert.strictEqual(a["redis-001-cpu"].threshold, t.redisCpuPercent);
            assert.strictEqual(a["redis-002-memory"].threshold, t.redisMemoryPercent);
        }
    });

    it("treats a silent health reporter as unhealthy, on the metric the web hosts publish", () => {
        const health = alarms(ctx.run)["web-https-health"];
        assert.strictEqual(health.treatMissingData, "breaching");
        assert.deepStrictEqual(health.dimensions, { Stack: stack });
        const script = scriptOf(hostUserData(ctx.run, "web"));
        assert.match(script, new RegExp(`HEALTH_NAMESPACE='${health.namespace}'`));
        assert.match(script, new RegExp(`HEALTH_METRIC='${health.metricName}'`));
        assert.match(script, new RegExp(`PORTAL_STACK='${stack}'`));
        assert.match(script, /OnUnitActiveSec=1min/);
        // Through Caddy on the one host, or through the ALB by the portal's name from every host.
        assert.match(script, new RegExp(`HEALTH_ROUTE='${loadBalanced ? "alb" : "caddy"}'`));
    });

    it(
        loadBalanced
            ? "counts the portal down only when no host got an answer through the ALB (Maximum of the hosts' reports)"
            : "counts the portal down when the one host's probe fails (Minimum)",
        () => {
            assert.strictEqual(
                alarms(ctx.run)["web-https-health"].statistic,
                loadBalanced ? "Maximum" : "Minimum",
            );
        },
    );

    if (!loadBalanced) {
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
        return;
    }

    const LB = "aws:lb/loadBalancer:LoadBalancer";
    const TG = "aws:lb/targetGroup:TargetGroup";

    it("alb-5xx-rate: the ALB's and the hosts' 5xx as a share of the ALB's requests", () => {
        const alarm = alarms(ctx.run)["alb-5xx-rate"];
        const alb = { LoadBalancer: named(ctx.run, LB, "edge-alb").state.arnSuffix };
        assert.deepStrictEqual(
            alarm.metricQueries.map((q: any) => [q.id, q.metric?.metricName, q.metric?.dimensions]),
            [
                ["elb", "HTTPCode_ELB_5XX_Count", alb],
                ["hosts", "HTTPCode_Target_5XX_Count", alb],
                ["requests", "RequestCount", alb],
                ["rate", undefined, undefined],
            ],
        );
        for (const q of alarm.metricQueries.slice(0, 3)) {
            assert.deepStrictEqual(
                [q.metric.namespace, q.metric.stat, q.returnData],
                ["AWS/ApplicationELB", "Sum", undefined],
            );
        }
        const rate = alarm.metricQueries[3];
        assert.strictEqual(rate.expression, "100 * (FILL(elb, 0) + FILL(hosts, 0)) / requests");
        assert.strictEqual(rate.returnData, true);
        // A metric-math alarm names no metric of its own.
        assert.deepStrictEqual([alarm.metricName, alarm.namespace], [undefined, undefined]);
        assert.strictEqual(alarm.treatMissingData, "notBreaching");
    });

    it("alb-response-time: p95 of the ALB's TargetResponseTime", () => {
        const alarm = alarms(ctx.run)["alb-response-time"];
        assert.deepStrictEqual(
            [alarm.namespace, alarm.metricName, alarm.extendedStatistic, alarm.dimensions],
            [
                "AWS/ApplicationELB",
                "TargetResponseTime",
                "p95",
                { LoadBalancer: named(ctx.run, LB, "edge-alb").state.arnSuffix },
            ],
        );
    });

    it("unhealthy hosts: each target group, on its own load balancer", () => {
        const a = alarms(ctx.run);
        const dimensions = (lb: string, tg: string) => ({
            LoadBalancer: named(ctx.run, LB, lb).state.arnSuffix,
            TargetGroup: named(ctx.run, TG, tg).state.arnSuffix,
        });
        assert.deepStrictEqual(
            a["web-unhealthy-hosts"].dimensions,
            dimensions("edge-alb", "edge-web-targets"),
        );
        assert.deepStrictEqual(
            a["gateway-unhealthy-hosts"].dimensions,
            dimensions("compute-gateway-lb-lb", "compute-gateway-lb-targets"),
        );
        for (const role of ["web", "gateway"]) {
            const alarm = a[`${role}-unhealthy-hosts`];
            assert.deepStrictEqual(
                [alarm.namespace, alarm.metricName, alarm.threshold, alarm.comparisonOperator],
                ["AWS/ApplicationELB", "UnHealthyHostCount", 1, "GreaterThanOrEqualToThreshold"],
            );
        }
    });

    it("waf-blocked-spike: every rule's blocks (Rule ALL) of the web ACL on the ALB, in its region", () => {
        const alarm = alarms(ctx.run)["waf-blocked-spike"];
        assert.deepStrictEqual(
            [alarm.namespace, alarm.metricName, alarm.statistic, alarm.dimensions],
            [
                "AWS/WAFV2",
                "BlockedRequests",
                "Sum",
                {
                    WebACL: named(ctx.run, "aws:wafv2/webAcl:WebAcl", "edge-waf-acl").inputs.name,
                    Region: "eu-west-2",
                    Rule: "ALL",
                },
            ],
        );
    });

    it("Redis: CPU, memory and evictions on each node the replication group has", () => {
        const members = named(
            ctx.run,
            "aws:elasticache/replicationGroup:ReplicationGroup",
            "session-store-redis",
        ).state.memberClusters as string[];
        assert.strictEqual(members.length, 2);
        const a = alarms(ctx.run);
        for (const metric of ["cpu", "memory", "evictions"]) {
            const nodes = Object.keys(a)
                .filter((name) => name.startsWith("redis-") && name.endsWith(`-${metric}`))
                .map((name) => a[name].dimensions.CacheClusterId)
                .sort();
            assert.deepStrictEqual(nodes, [...members].sort(), metric);
        }
        assert.deepStrictEqual(
            ["cpu", "memory", "evictions"].map((m) => [
                a[`redis-001-${m}`].namespace,
                a[`redis-001-${m}`].metricName,
            ]),
            [
                ["AWS/ElastiCache", "EngineCPUUtilization"],
                ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage"],
                ["AWS/ElastiCache", "Evictions"],
            ],
        );
        assert.strictEqual(a["redis-001-evictions"].threshold, 0);
    });
});

describe("operations: configuration", () => {
    it("prod is stricter than dev on every threshold", () => {
        assert.ok(THRESHOLDS.strict.dbCpuPercent < THRESHOLDS.relaxed.dbCpuPercent);
        assert.ok(THRESHOLDS.strict.dbFreeStorageGb > THRESHOLDS.relaxed.dbFreeStorageGb);
        assert.ok(THRESHOLDS.strict.dbConnections < THRESHOLDS.relaxed.dbConnections);
        assert.ok(THRESHOLDS.strict.webUnhealthyMinutes < THRESHOLDS.relaxed.webUnhealthyMinutes);
        assert.ok(THRESHOLDS.strict.alb5xxPercent < THRESHOLDS.relaxed.alb5xxPercent);
        assert.ok(
            THRESHOLDS.strict.albResponseSecondsP95 < THRESHOLDS.relaxed.albResponseSecondsP95,
        );
        assert.ok(THRESHOLDS.strict.wafBlockedPer5Min < THRESHOLDS.relaxed.wafBlockedPer5Min);
        assert.ok(THRESHOLDS.strict.redisCpuPercent < THRESHOLDS.relaxed.redisCpuPercent);
        assert.ok(THRESHOLDS.strict.redisMemoryPercent < THRESHOLDS.relaxed.redisMemoryPercent);
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
