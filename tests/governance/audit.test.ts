/**
 * Open WebUI's audit trail: the settings the web hosts give it (METADATA by default), the log
 * group of its own it is shipped to (retention, key, protection), the shipper the hosts run, what
 * they may write, and the config rules (NONE refused in production, bodies warned about).
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../../config";
import { auditWarnings } from "../../config/guardrail";
import { openWebUiAuditSettings } from "../../compute/settings";
import { AUDIT_FILE_ON_HOST, AUDIT_SHIPPER_FILE } from "../../compute/web";
import { DeclaredResource, ProgramRun, runProgram } from "../../offline/run";
import { loadStackConfig } from "../../offline/stackConfig";
import { named, ofType, parseJson } from "../harness/query";
import { forEachStack } from "../harness/stacks";

const T = {
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    instance: "aws:ec2/instance:Instance",
    template: "aws:ec2/launchTemplate:LaunchTemplate",
    parameter: "aws:ssm/parameter:Parameter",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    key: "aws:kms/key:Key",
};

/** The web hosts' boot script, as cloud-init reads it (a launch template's is base64). */
function webScript(run: ProgramRun): string {
    const instance = ofType(run, T.instance).find((r) => r.name === "compute-web-instance");
    if (instance) {
        return instance.inputs.userData as string;
    }
    const template = named(run, T.template, "compute-web-template");
    return Buffer.from(template.inputs.userData as string, "base64").toString("utf8");
}

/** Open WebUI's settings as the boot script writes them. */
function webSettings(run: ProgramRun): Record<string, string> {
    const match = /<<'SETTINGS'\n([\s\S]*?)\nSETTINGS\n/.exec(webScript(run));
    assert.ok(match, "no SETTINGS heredoc");
    return Object.fromEntries(
        match[1].split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
}

function webPolicy(run: ProgramRun): { Sid: string; Action: string[]; Resource: unknown }[] {
    const policy = named(run, T.rolePolicy, "compute-web-policy");
    return parseJson(policy.inputs.policy).Statement;
}

function auditGroup(run: ProgramRun): DeclaredResource {
    return named(run, T.logGroup, "audit-logs");
}

forEachStack("audit trail in the committed stacks", (ctx) => {
    it("Open WebUI records METADATA (who, what, when, from where; no bodies), model calls and chats included", () => {
        const settings = webSettings(ctx.run);
        assert.strictEqual(settings.AUDIT_LOG_LEVEL, "METADATA");
        // Upstream's default also leaves out /chats and /chat (the model calls).
        assert.strictEqual(settings.AUDIT_EXCLUDED_PATHS, "/folders");
        // The file stays where upstream writes it (the data volume the shipper reads).
        assert.strictEqual(settings.AUDIT_LOGS_FILE_PATH, undefined);
    });

    it("to a log group of its own, apart from the hosts' application log, kept auditLogRetentionDays (prod 400, dev 30)", () => {
        const group = auditGroup(ctx.run);
        assert.strictEqual(group.inputs.name, `/ai-portal-${ctx.stack}/audit`);
        assert.strictEqual(group.inputs.retentionInDays, ctx.stack === "prod" ? 400 : 30);
        const web = named(ctx.run, T.logGroup, "compute-web-logs");
        assert.notStrictEqual(web.inputs.name, group.inputs.name);
        assert.strictEqual(web.inputs.retentionInDays, ctx.stack === "prod" ? 90 : 30);
    });

    it("under the stack's data key in prod (CloudWatch Logs' own encryption in dev), protected in prod", () => {
        const group = auditGroup(ctx.run);
        if (ctx.stack === "prod") {
            assert.strictEqual(
                group.inputs.kmsKeyId,
                named(ctx.run, T.key, "data-key-key").state.arn,
            );
            assert.strictEqual(group.protect, true);
        } else {
            assert.strictEqual(group.inputs.kmsKeyId, undefined);
            assert.strictEqual(group.protect, false);
        }
    });

    it("the hosts run the shipper, a boot file that sends upstream's audit file to that group", () => {
        const script = webScript(ctx.run);
        const start = script.indexOf("run_container open-webui");
        const ship = script.indexOf(`\n${AUDIT_SHIPPER_FILE}\n`);
        assert.ok(start > 0 && ship > start, "the shipper runs once Open WebUI is started");
        const parameter = named(ctx.run, T.parameter, "compute-web-boot-audit-sh");
        assert.strictEqual(parameter.inputs.name, `/ai-portal-${ctx.stack}/boot/audit.sh`);
        const value = parameter.inputs.insecureValue as string;
        assert.match(value, new RegExp(`^AUDIT_LOG_GROUP='/ai-portal-${ctx.stack}/audit'$`, "m"));
        assert.match(value, new RegExp(`^AUDIT_FILE='${AUDIT_FILE_ON_HOST}'$`, "m"));
        assert.strictEqual(
            AUDIT_FILE_ON_HOST,
            "/var/lib/docker/volumes/open-webui-data/_data/audit.log",
        );
        // The agent's own configuration, naming the file and the group, and its service restarted.
        assert.match(
            value,
            /"file_path":"\$AUDIT_FILE","log_group_name":"\$AUDIT_LOG_GROUP","log_stream_name":"\{instance_id\}"/,
        );
        assert.match(value, /^systemctl restart amazon-cloudwatch-agent$/m);
        assert.doesNotMatch(value, /^\s*#(?!!)/m, "comments stay in the repository");
    });

    it("the web hosts may write their streams of the audit group and nothing else of it", () => {
        const ship = webPolicy(ctx.run).filter((s) => s.Sid === "ShipAuditLog");
        assert.deepStrictEqual(ship, [
            {
                Sid: "ShipAuditLog",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [`${auditGroup(ctx.run).state.arn}:*`],
            },
        ]);
        // The gateway hosts do not touch it.
        const gateway = ofType(ctx.run, T.rolePolicy).find(
            (p) => p.name === "compute-gateway-policy",
        )!;
        assert.doesNotMatch(String(gateway.inputs.policy), /\/audit/);
    });
});

describe("audit settings (pure)", () => {
    it("NONE writes nothing; every other level excludes only folders", () => {
        assert.deepStrictEqual(openWebUiAuditSettings("NONE"), [["AUDIT_LOG_LEVEL", "NONE"]]);
        for (const level of ["METADATA", "REQUEST", "REQUEST_RESPONSE"] as const) {
            assert.deepStrictEqual(openWebUiAuditSettings(level), [
                ["AUDIT_LOG_LEVEL", level],
                ["AUDIT_EXCLUDED_PATHS", "/folders"],
            ]);
        }
    });

    it("a warning for bodies in the log (REQUEST, REQUEST_RESPONSE), none for METADATA or NONE", () => {
        assert.deepStrictEqual(auditWarnings({ level: "METADATA", retentionDays: 400 }), []);
        assert.deepStrictEqual(auditWarnings({ level: "NONE", retentionDays: 30 }), []);
        assert.deepStrictEqual(auditWarnings({ level: "REQUEST_RESPONSE", retentionDays: 400 }), [
            'ai-portal:auditLogLevel = "REQUEST_RESPONSE": the audit log keeps what people send and what they get back (prompts and answers) for 400 days; METADATA records who did what without them',
        ]);
        assert.deepStrictEqual(auditWarnings({ level: "REQUEST", retentionDays: 30 }), [
            'ai-portal:auditLogLevel = "REQUEST": the audit log keeps what people send (prompts, uploads\' metadata) for 30 days; METADATA records who did what without them',
        ]);
    });
});

describe("audit config", () => {
    const parse = (stack: "dev" | "prod", overrides: Record<string, unknown>) =>
        parseConfig({ stack, raw: loadStackConfig({ stack, overrides }).raw });

    it("NONE is refused in production, naming the key; allowed in dev", () => {
        const prod = parse("prod", { auditLogLevel: "NONE" });
        assert.ok(!prod.ok);
        assert.deepStrictEqual(prod.problems, [
            {
                key: "ai-portal:auditLogLevel",
                value: "NONE",
                reason: 'is NONE, but stack "prod" is a production stack (prod or prod-*): its audit trail must record who did what',
                allowed: '"METADATA" (or REQUEST / REQUEST_RESPONSE, deliberately)',
            },
        ]);
        const dev = parse("dev", { auditLogLevel: "NONE" });
        assert.ok(dev.ok);
        assert.deepStrictEqual(dev.config.audit, { level: "NONE", retentionDays: 30 });
    });

    it("a level or retention CloudWatch Logs does not know is an error naming key and value", () => {
        const result = parse("dev", { auditLogLevel: "FULL", auditLogRetentionDays: 100 });
        assert.ok(!result.ok);
        assert.deepStrictEqual(
            result.problems.map((p) => [p.key, p.value]),
            [
                ["ai-portal:auditLogLevel", "FULL"],
                ["ai-portal:auditLogRetentionDays", "100"],
            ],
        );
    });

    it("REQUEST_RESPONSE reaches Open WebUI when chosen", async () => {
        const run = await runProgram({
            stack: "dev",
            overrides: { auditLogLevel: "REQUEST_RESPONSE" },
        });
        assert.ifError(run.error);
        assert.strictEqual(webSettings(run).AUDIT_LOG_LEVEL, "REQUEST_RESPONSE");
    });

    it("NONE in prod stops the program before any resource", async () => {
        const run = await runProgram({ stack: "prod", overrides: { auditLogLevel: "NONE" } });
        assert.ok(run.error instanceof pulumi.RunError, String(run.error));
        assert.match(run.error.message, /ai-portal:auditLogLevel = "NONE": is NONE/);
        assert.deepStrictEqual(run.resources, []);
    });
});
