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
});
