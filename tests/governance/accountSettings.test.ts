/**
 * The account-wide settings, which one stack of the account owns (`accountSettingsStack`, prod
 * by default): Bedrock model invocation logging (off unless asked for; metadata without the
 * prompts and completions, or full with them) and the activation of the cost-allocation tags.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { portalPolicies } from "../../policy/policies";
import { checkPolicies } from "../harness/policy";
import { named, ofType, parseJson } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import { DeclaredResource, ProgramRun, runProgram } from "../../offline/run";

const T = {
    logging: "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
    key: "aws:kms/key:Key",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    tag: "aws:costexplorer/costAllocationTag:CostAllocationTag",
};

const ACCOUNT = "123456789012";
const BODIES = [
    "textDataDeliveryEnabled",
    "imageDataDeliveryEnabled",
    "embeddingDataDeliveryEnabled",
    "videoDataDeliveryEnabled",
];

async function prodWith(overrides: Record<string, unknown>): Promise<ProgramRun> {
    const run = await runProgram({ stack: "prod", overrides });
    assert.ifError(run.error);
    return run;
}

function loggingConfiguration(run: ProgramRun): DeclaredResource {
    const found = ofType(run, T.logging);
    assert.strictEqual(found.length, 1, "one invocation logging configuration");
    return found[0];
}

forEachStack("governance: account settings by default", (ctx) => {
    it("no invocation logging: no configuration, and no key or log group for it", () => {
        assert.deepStrictEqual(ofType(ctx.run, T.logging), []);
        // The stack's data key (security/dataKey.ts) and the backup vaults' keys (backup/) are
        // not invocation logging's.
        assert.deepStrictEqual(
            ofType(ctx.run, T.key)
                .map((k) => k.name)
                .sort(),
            ctx.stack === "prod" ? ["backup-dr-key", "backup-key", "data-key-key"] : [],
        );
        assert.ok(
            !ofType(ctx.run, T.logGroup).some((g) => /bedrock-invocations/.test(g.inputs.name)),
        );
    });

    it("no cost-allocation tag activation (prod owns it, but not before its first deploy is a day old)", () => {
        assert.deepStrictEqual(ofType(ctx.run, T.tag), []);
    });
});

describe("governance: Bedrock invocation logging, turned on in prod", () => {
    it("metadata: who called which model, when, with tokens; no prompt, completion or other body", async () => {
        const run = await prodWith({ bedrockInvocationLogging: "metadata" });
        const config = loggingConfiguration(run).inputs.loggingConfig;
        for (const body of BODIES) {
            assert.strictEqual(config[body], false, body);
        }
    });

    it("full: the bodies too", async () => {
        const run = await prodWith({ bedrockInvocationLogging: "full" });
        const config = loggingConfiguration(run).inputs.loggingConfig;
        for (const body of BODIES) {
            assert.strictEqual(config[body], true, body);
        }
    });

    it("to a log group of its own, kept for the stack's retention, encrypted with a rotating key of its own", async () => {
        const run = await prodWith({ bedrockInvocationLogging: "metadata" });
        const config = loggingConfiguration(run).inputs.loggingConfig;
        const group = named(run, T.logGroup, "bedrock-logging-logs");
        const key = named(run, T.key, "bedrock-logging-key");
        assert.strictEqual(config.cloudwatchConfig.logGroupName, group.state.name);
        assert.strictEqual(group.inputs.name, "/ai-portal-prod/bedrock-invocations");
        assert.strictEqual(group.inputs.retentionInDays, 90, "prod's logRetentionDays");
        assert.strictEqual(group.inputs.kmsKeyId, key.state.arn);
        assert.strictEqual(key.inputs.enableKeyRotation, true);
        // CloudWatch Logs may use the key for this log group only.
        const statements = parseJson(key.inputs.policy).Statement;
        const logs = statements.filter(
            (s: { Principal: { Service?: string } }) =>
                s.Principal.Service === "logs.eu-west-2.amazonaws.com",
        );
        assert.strictEqual(logs.length, 1);
        assert.deepStrictEqual(logs[0].Condition, {
            ArnEquals: {
                "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-west-2:${ACCOUNT}:log-group:/ai-portal-prod/bedrock-invocations`,
            },
        });
        assert.ok(
            !statements.some((s: { Principal: unknown }) =>
                JSON.stringify(s.Principal).includes('"*"'),
            ),
            "no wildcard principal",
        );
    });

    it("written by a role only Bedrock of this account may assume, allowed to write that group's streams and nothing else", async () => {
        const run = await prodWith({ bedrockInvocationLogging: "metadata" });
        const config = loggingConfiguration(run);
        const role = named(run, T.role, "bedrock-logging-role");
        assert.strictEqual(config.inputs.loggingConfig.cloudwatchConfig.roleArn, role.state.arn);
        assert.deepStrictEqual(parseJson(role.inputs.assumeRolePolicy).Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "bedrock.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": ACCOUNT },
                    ArnLike: { "aws:SourceArn": `arn:aws:bedrock:eu-west-2:${ACCOUNT}:*` },
                },
            },
        ]);
        const policies = ofType(run, T.rolePolicy).filter((p) => p.inputs.role === role.id);
        assert.strictEqual(policies.length, 1);
        const group = named(run, T.logGroup, "bedrock-logging-logs");
        assert.deepStrictEqual(parseJson(policies[0].inputs.policy).Statement, [
            {
                Sid: "WriteInvocationLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: [`${group.state.arn}:log-stream:*`],
            },
        ]);
        // Bedrock checks that it can write when the setting is made.
        assert.ok(config.dependencies.includes(policies[0].urn));
    });

    it("refused in dev, which does not own the account's settings: a config error naming accountSettingsStack, nothing declared", async () => {
        const run = await runProgram({
            stack: "dev",
            overrides: { bedrockInvocationLogging: "metadata" },
        });
        assert.ok(run.error instanceof pulumi.RunError, String(run.error));
        assert.match(run.error.message, /ai-portal:bedrockInvocationLogging = "metadata"/);
        assert.match(run.error.message, /accountSettingsStack says stack "prod" owns it/);
        assert.deepStrictEqual(run.resources, []);
    });

    it("allowed in dev when dev is named the owner", async () => {
        const run = await runProgram({
            stack: "dev",
            overrides: { accountSettingsStack: "dev", bedrockInvocationLogging: "full" },
        });
        assert.ifError(run.error);
        assert.strictEqual(
            loggingConfiguration(run).inputs.loggingConfig.textDataDeliveryEnabled,
            true,
        );
    });
});

describe("governance: cost-allocation tags", () => {
    it("the owner with activateCostAllocationTags activates Project and Stack, and keeps them active when the stack goes", async () => {
        const run = await prodWith({ activateCostAllocationTags: true });
        const tags = ofType(run, T.tag);
        assert.deepStrictEqual(
            tags.map((t) => [t.inputs.tagKey, t.inputs.status, t.retainOnDelete]).sort(),
            [
                ["Project", "Active", true],
                ["Stack", "Active", true],
            ],
        );
        // The keys the provider's default tags put on every resource (Stack is what budgets filter).
        const provider = named(run, "pulumi:providers:aws", "aws");
        const defaults = JSON.parse(provider.inputs.defaultTags).tags;
        for (const t of tags) {
            assert.ok(t.inputs.tagKey in defaults, t.inputs.tagKey);
        }
    });

    it("a stack that is not the owner cannot activate them: a config error, nothing declared", async () => {
        const run = await runProgram({
            stack: "dev",
            overrides: { activateCostAllocationTags: true },
        });
        assert.ok(run.error instanceof pulumi.RunError, String(run.error));
        assert.match(run.error.message, /ai-portal:activateCostAllocationTags/);
        assert.deepStrictEqual(run.resources, []);
    });

    it("whichever stack is named the owner activates them, dev included", async () => {
        const run = await runProgram({
            stack: "dev",
            overrides: { accountSettingsStack: "dev", activateCostAllocationTags: true },
        });
        assert.ifError(run.error);
        assert.deepStrictEqual(
            ofType(run, T.tag)
                .map((t) => t.inputs.tagKey)
                .sort(),
            ["Project", "Stack"],
        );
    });
});

describe("governance: the policy pack on the optional resources", () => {
    // tests/policy runs the pack over the committed stacks, where these are off.
    it("finds nothing against invocation logging, tag activation and a schedule, in prod and in dev as owner", async () => {
        for (const run of [
            await prodWith({
                bedrockInvocationLogging: "full",
                activateCostAllocationTags: true,
                schedule: "Mon-Fri 07:00-19:00 Europe/London",
            }),
            await runProgram({
                stack: "dev",
                overrides: {
                    accountSettingsStack: "dev",
                    bedrockInvocationLogging: "metadata",
                    activateCostAllocationTags: true,
                },
            }),
        ]) {
            assert.ifError(run.error);
            assert.strictEqual(ofType(run, T.logging).length, 1);
            assert.deepStrictEqual(await checkPolicies(run.resources, portalPolicies), []);
        }
    });
});
