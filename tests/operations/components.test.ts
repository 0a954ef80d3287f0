/** The Operations component constructed alone: the alarm topic, its subscription and the alarms by profile. */
import * as assert from "assert";
import { Operations, OperationsArgs } from "../../operations";
import { THRESHOLDS } from "../../operations/alarms";
import { runComponent } from "../harness/component";
import { ofType } from "../harness/query";

const BASE: OperationsArgs = {
    namePrefix: "ai-portal-test",
    stack: "test",
    region: "eu-west-2",
    profile: "strict",
    dbInstanceIdentifier: "ai-portal-test-postgres",
    instances: { web: "i-web", gateway: "i-gateway" },
};

function operations(args: Partial<OperationsArgs> = {}) {
    return runComponent((opts) => ({
        topic: new Operations("ops", { ...BASE, ...args }, opts).alarmTopicArn,
    }));
}

describe("Operations (component)", () => {
    it("subscribes an e-mail only when one is given", async () => {
        assert.strictEqual(
            ofType(await operations(), "aws:sns/topicSubscription:TopicSubscription").length,
            0,
        );
        const withEmail = ofType(
            await operations({ alarmEmail: "oncall@example.com" }),
            "aws:sns/topicSubscription:TopicSubscription",
        );
        assert.deepStrictEqual(
            withEmail.map((s) => [s.inputs.protocol, s.inputs.endpoint]),
            [["email", "oncall@example.com"]],
        );
    });

    it("declares status-check alarms for each host it is given, and the database and health alarms", async () => {
        const names = ofType(
            await operations({
                instances: { web: "i-web", gateway: "i-gateway", extra: "i-extra" },
            }),
            "aws:cloudwatch/metricAlarm:MetricAlarm",
        )
            .map((a) => a.inputs.name)
            .sort();
        for (const role of ["web", "gateway", "extra"]) {
            assert.ok(
                names.includes(`ai-portal-test-${role}-system-check`) &&
                    names.includes(`ai-portal-test-${role}-instance-check`),
                role,
            );
        }
        for (const alarm of ["db-cpu", "db-free-storage", "db-connections", "web-https-health"]) {
            assert.ok(names.includes(`ai-portal-test-${alarm}`), alarm);
        }
    });

    it("takes its thresholds from the profile", async () => {
        for (const profile of ["strict", "relaxed"] as const) {
            const cpu = ofType(
                await operations({ profile }),
                "aws:cloudwatch/metricAlarm:MetricAlarm",
            ).find((a) => a.inputs.name.endsWith("-db-cpu"))!;
            assert.strictEqual(cpu.inputs.threshold, THRESHOLDS[profile].dbCpuPercent);
        }
    });
    const LOAD_BALANCED: OperationsArgs["loadBalanced"] = {
        albArnSuffix: "app/ai-portal-test-web/0123456789abcdef",
        webTargetGroupArnSuffix: "targetgroup/ai-portal-test-web/0123456789abcdef",
        gatewayLbArnSuffix: "app/ai-portal-test-gateway/fedcba9876543210",
        gatewayTargetGroupArnSuffix: "targetgroup/ai-portal-test-gateway/fedcba9876543210",
        webAclName: "ai-portal-test-web",
        redisReplicationGroupId: "ai-portal-test-redis",
        redisNodeCount: 1,
    };

    /** The alarms by name (without the prefix). */
    async function alarmsOf(args: Partial<OperationsArgs>): Promise<Record<string, any>> {
        return Object.fromEntries(
            ofType(await operations(args), "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [
                a.inputs.name.replace("ai-portal-test-", ""),
                a.inputs,
            ]),
        );
    }

    it("loadBalanced, one Redis node, no WAF, no single hosts: no status-check, WAF or second-node alarm", async () => {
        const a = await alarmsOf({
            instances: {},
            loadBalanced: { ...LOAD_BALANCED, webAclName: undefined },
        });
        assert.deepStrictEqual(Object.keys(a).sort(), [
            "alb-5xx-rate",
            "alb-response-time",
            "db-connections",
            "db-cpu",
            "db-free-storage",
            "directory-bind",
            "gateway-unhealthy-hosts",
            "redis-001-cpu",
            "redis-001-evictions",
            "redis-001-memory",
            "web-https-health",
            "web-unhealthy-hosts",
        ]);
        assert.deepStrictEqual(a["redis-001-cpu"].dimensions, {
            CacheClusterId: "ai-portal-test-redis-001",
        });
        assert.strictEqual(a["web-https-health"].statistic, "Maximum");
    });

    it("loadBalanced: the dimensions it is given, and the profile's thresholds", async () => {
        for (const profile of ["strict", "relaxed"] as const) {
            const t = THRESHOLDS[profile];
            const a = await alarmsOf({
                profile,
                instances: {},
                loadBalanced: { ...LOAD_BALANCED, redisNodeCount: 2 },
            });
            assert.deepStrictEqual(
                [
                    a["alb-5xx-rate"].threshold,
                    a["alb-response-time"].threshold,
                    a["waf-blocked-spike"].threshold,
                    a["redis-002-cpu"].threshold,
                    a["redis-002-memory"].threshold,
                ],
                [
                    t.alb5xxPercent,
                    t.albResponseSecondsP95,
                    t.wafBlockedPer5Min,
                    t.redisCpuPercent,
                    t.redisMemoryPercent,
                ],
                profile,
            );
            assert.deepStrictEqual(a["gateway-unhealthy-hosts"].dimensions, {
                LoadBalancer: LOAD_BALANCED.gatewayLbArnSuffix,
                TargetGroup: LOAD_BALANCED.gatewayTargetGroupArnSuffix,
            });
            assert.deepStrictEqual(a["web-unhealthy-hosts"].dimensions, {
                LoadBalancer: LOAD_BALANCED.albArnSuffix,
                TargetGroup: LOAD_BALANCED.webTargetGroupArnSuffix,
            });
            assert.deepStrictEqual(a["redis-002-evictions"].dimensions, {
                CacheClusterId: "ai-portal-test-redis-002",
            });
            assert.strictEqual(a["waf-blocked-spike"].dimensions.WebACL, "ai-portal-test-web");
        }
    });

    it("single: the health alarm takes the one host's answer (Minimum), and nothing of the load-balanced tier", async () => {
        const a = await alarmsOf({});
        assert.strictEqual(a["web-https-health"].statistic, "Minimum");
        assert.ok(
            !Object.keys(a).some((n) => /^(alb|redis|waf)-|unhealthy-hosts$/.test(n)),
            Object.keys(a).join(", "),
        );
    });
});
