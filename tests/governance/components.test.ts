/**
 * The governance components (and the compute tier's DefaultModelProfile, which exists for cost
 * attribution) constructed alone under the mocks from plain inputs, in the shape of awsx's
 * vpc.test.ts: what each declares, and that the ARNs it builds follow the account's partition.
 */
import * as assert from "assert";
import { DefaultModelProfile } from "../../compute/modelProfile";
import { parseWorkingHours } from "../../config/governance";
import { CostAllocationTags } from "../../governance/costTags";
import { dashboardBody, DashboardInput, PortalDashboard } from "../../governance/dashboard";
import { InvocationLogging } from "../../governance/invocationLogging";
import { WorkingHoursSchedule } from "../../governance/workingHours";
import { childNames, runComponent } from "../harness/component";
import { named, ofType, parseJson } from "../harness/query";

const ACCOUNT = "123456789012";

describe("DefaultModelProfile (component)", () => {
    const ARGS = {
        namePrefix: "ai-portal-test",
        partition: "aws-test",
        region: "eu-west-2",
        accountId: ACCOUNT,
    };
    const PROFILE = "aws:bedrock/inferenceProfile:InferenceProfile";

    it("copies an eu. system profile by its ARN in this account, region and partition, under the stack's name", async () => {
        const run = await runComponent((opts) => {
            const p = new DefaultModelProfile(
                "model",
                { ...ARGS, model: "eu.anthropic.claude-sonnet-4-20250514-v1:0" },
                opts,
            );
            return { arn: p.arn, profileName: p.profileName };
        });
        assert.ifError(run.error);
        assert.deepStrictEqual(childNames(run), ["model", "model-profile"]);
        const profile = named(run, PROFILE, "model-profile");
        assert.deepStrictEqual(
            [profile.inputs.name, profile.inputs.modelSource, profile.inputs.tags],
            [
                "ai-portal-test-default-model",
                {
                    copyFrom: `arn:aws-test:bedrock:eu-west-2:${ACCOUNT}:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0`,
                },
                { Name: "ai-portal-test-default-model" },
            ],
        );
        assert.strictEqual(run.outputs.profileName, "ai-portal-test-default-model");
    });

    it("copies a foundation model by its account-less ARN", async () => {
        const run = await runComponent((opts) => ({
            arn: new DefaultModelProfile("model", { ...ARGS, model: "amazon.nova-pro-v1:0" }, opts)
                .arn,
        }));
        assert.ifError(run.error);
        assert.strictEqual(
            named(run, PROFILE, "model-profile").inputs.modelSource.copyFrom,
            "arn:aws-test:bedrock:eu-west-2::foundation-model/amazon.nova-pro-v1:0",
        );
    });
});

describe("CostAllocationTags (component)", () => {
    it("activates Project and Stack, each kept active when the component goes (retainOnDelete)", async () => {
        const run = await runComponent((opts) => {
            new CostAllocationTags("tags", opts);
            return {};
        });
        assert.ifError(run.error);
        const tags = ofType(run, "aws:costexplorer/costAllocationTag:CostAllocationTag");
        assert.deepStrictEqual(
            tags.map((t) => [t.name, t.inputs.tagKey, t.inputs.status, t.retainOnDelete]),
            [
                ["tags-project", "Project", "Active", true],
                ["tags-stack", "Stack", "Active", true],
            ],
        );
    });
});

describe("InvocationLogging (component)", () => {
    const ARGS = { namePrefix: "ai-portal-test", retentionDays: 30, region: "eu-west-2" };
    const CONFIGURATION =
        "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration";

    function logging(level: "metadata" | "full") {
        return runComponent(
            (opts) => ({
                logGroupName: new InvocationLogging("audit", { ...ARGS, level }, opts).logGroupName,
            }),
            { partition: "aws-test" },
        );
    }

    it("metadata: no body of any kind is delivered; the group is its own, kept for the retention, under its key", async () => {
        const run = await logging("metadata");
        assert.ifError(run.error);
        assert.deepStrictEqual(childNames(run), [
            "audit",
            "audit-configuration",
            "audit-key",
            "audit-logs",
            "audit-policy",
            "audit-role",
        ]);
        const config = named(run, CONFIGURATION, "audit-configuration");
        const { cloudwatchConfig, ...delivery } = config.inputs.loggingConfig;
        assert.deepStrictEqual(delivery, {
            textDataDeliveryEnabled: false,
            imageDataDeliveryEnabled: false,
            embeddingDataDeliveryEnabled: false,
            videoDataDeliveryEnabled: false,
        });
        const group = named(run, "aws:cloudwatch/logGroup:LogGroup", "audit-logs");
        const key = named(run, "aws:kms/key:Key", "audit-key");
        const role = named(run, "aws:iam/role:Role", "audit-role");
        assert.deepStrictEqual(
            [group.inputs.name, group.inputs.retentionInDays, group.inputs.kmsKeyId],
            ["/ai-portal-test/bedrock-invocations", 30, key.state.arn],
        );
        assert.deepStrictEqual(cloudwatchConfig, {
            logGroupName: "/ai-portal-test/bedrock-invocations",
            roleArn: role.state.arn,
        });
        assert.strictEqual(run.outputs.logGroupName, "/ai-portal-test/bedrock-invocations");
        const policy = named(run, "aws:iam/rolePolicy:RolePolicy", "audit-policy");
        assert.ok(
            config.dependencies.includes(policy.urn),
            "configured only once Bedrock may write",
        );
    });

    it("full: every kind of body is delivered", async () => {
        const run = await logging("full");
        assert.ifError(run.error);
        const { cloudwatchConfig, ...delivery } = named(run, CONFIGURATION, "audit-configuration")
            .inputs.loggingConfig;
        assert.ok(cloudwatchConfig);
        assert.deepStrictEqual(Object.values(delivery), [true, true, true, true]);
    });

    it("its ARNs follow the account's partition: the key's encryption context and the role's source", async () => {
        const run = await logging("metadata");
        const keyPolicy = parseJson(named(run, "aws:kms/key:Key", "audit-key").inputs.policy);
        assert.deepStrictEqual(
            keyPolicy.Statement.map((s: { Principal: unknown }) => s.Principal),
            [
                { AWS: `arn:aws-test:iam::${ACCOUNT}:root` },
                { Service: "logs.eu-west-2.amazonaws.com" },
            ],
        );
        assert.strictEqual(
            keyPolicy.Statement[1].Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"],
            `arn:aws-test:logs:eu-west-2:${ACCOUNT}:log-group:/ai-portal-test/bedrock-invocations`,
        );
        const trust = parseJson(
            named(run, "aws:iam/role:Role", "audit-role").inputs.assumeRolePolicy,
        );
        assert.deepStrictEqual(trust.Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            ArnLike: { "aws:SourceArn": `arn:aws-test:bedrock:eu-west-2:${ACCOUNT}:*` },
        });
    });
});

describe("WorkingHoursSchedule (component)", () => {
    const hours = parseWorkingHours("Mon-Fri 08:00-18:00 Europe/Berlin");
    assert.ok(typeof hours !== "string", String(hours));
    const ARGS = {
        namePrefix: "ai-portal-test",
        hours,
        region: "eu-west-2",
        dbInstanceIdentifier: "test-db",
        instanceIds: ["i-0aaa", "i-0bbb"],
        quietAlarms: {
            names: ["test-health"],
            arns: [`arn:aws:cloudwatch:eu-west-2:${ACCOUNT}:alarm:test-health`],
        },
    };
    const SCHEDULE = "aws:scheduler/schedule:Schedule";

    function schedule() {
        return runComponent(
            (opts) => {
                const s = new WorkingHoursSchedule("hours", ARGS, opts);
                return { groupName: s.groupName, roleArn: s.roleArn };
            },
            { partition: "aws-test" },
        );
    }

    it("one schedule per call in its own group, in the given time zone, through its role, each after the policy", async () => {
        const run = await schedule();
        assert.ifError(run.error);
        const group = named(run, "aws:scheduler/scheduleGroup:ScheduleGroup", "hours-group");
        const role = named(run, "aws:iam/role:Role", "hours-role");
        const policy = named(run, "aws:iam/rolePolicy:RolePolicy", "hours-policy");
        const schedules = ofType(run, SCHEDULE);
        assert.deepStrictEqual(schedules.map((s) => s.inputs.name).sort(), [
            "silence-alarms",
            "start-database",
            "start-hosts",
            "stop-database",
            "stop-hosts",
            "wake-alarms",
        ]);
        for (const s of schedules) {
            assert.deepStrictEqual(
                [
                    s.inputs.groupName,
                    s.inputs.scheduleExpressionTimezone,
                    s.inputs.target.roleArn,
                    s.dependencies.includes(policy.urn),
                ],
                ["ai-portal-test-working-hours", "Europe/Berlin", role.state.arn, true],
                s.name,
            );
            assert.match(
                s.inputs.target.arn,
                /^arn:aws-test:scheduler:::aws-sdk:[a-z0-9]+:[A-Za-z]+$/,
            );
        }
        assert.strictEqual(group.inputs.name, "ai-portal-test-working-hours");
        assert.deepStrictEqual(run.outputs, {
            groupName: "ai-portal-test-working-hours",
            roleArn: role.state.arn,
        });
    });

    it("the role may make exactly those calls on exactly the given database, instances and alarms", async () => {
        const run = await schedule();
        const policy = parseJson(
            named(run, "aws:iam/rolePolicy:RolePolicy", "hours-policy").inputs.policy,
        );
        const allowed = Object.fromEntries(
            policy.Statement.map((s: { Action: string[]; Resource: string[] }) => [
                s.Action.join(),
                s.Resource,
            ]),
        );
        const db = `arn:aws-test:rds:eu-west-2:${ACCOUNT}:db:test-db`;
        const instances = ARGS.instanceIds.map(
            (id) => `arn:aws-test:ec2:eu-west-2:${ACCOUNT}:instance/${id}`,
        );
        assert.deepStrictEqual(allowed, {
            "cloudwatch:DisableAlarmActions": ARGS.quietAlarms.arns,
            "cloudwatch:EnableAlarmActions": ARGS.quietAlarms.arns,
            "ec2:StartInstances": instances,
            "ec2:StopInstances": instances,
            "rds:StartDBInstance": [db],
            "rds:StopDBInstance": [db],
        });
        const trust = parseJson(
            named(run, "aws:iam/role:Role", "hours-role").inputs.assumeRolePolicy,
        );
        // The schedule group's ARN, the shape Scheduler presents (lib/trust.ts).
        assert.deepStrictEqual(trust.Statement[0].Condition.ArnEquals, {
            "aws:SourceArn": `arn:aws-test:scheduler:eu-west-2:${ACCOUNT}:schedule-group/ai-portal-test-working-hours`,
        });
    });
});

describe("PortalDashboard (component)", () => {
    const INPUT: DashboardInput = {
        title: "AI Portal (test)",
        region: "eu-west-2",
        stack: "test",
        healthNamespace: "AiPortal/test",
        healthMetric: "PortalHealthy",
        dbInstanceIdentifier: "test-db",
        hosts: { tier: "single", instances: { web: "i-0web", gateway: "i-0gateway" } },
        budgets: { totalUsd: 100 },
        bedrockModels: ["eu.anthropic.claude-sonnet-4-20250514-v1:0"],
    };

    it("a dashboard of the given name whose body is dashboardBody of the input, and its console URL", async () => {
        const run = await runComponent((opts) => ({
            url: new PortalDashboard("board", { name: "ai-portal-test", input: INPUT }, opts).url,
        }));
        assert.ifError(run.error);
        assert.deepStrictEqual(childNames(run), ["board", "board-dashboard"]);
        const dashboard = named(run, "aws:cloudwatch/dashboard:Dashboard", "board-dashboard");
        assert.strictEqual(dashboard.inputs.dashboardName, "ai-portal-test");
        assert.deepStrictEqual(parseJson(dashboard.inputs.dashboardBody), dashboardBody(INPUT));
        assert.strictEqual(
            run.outputs.url,
            "https://eu-west-2.console.aws.amazon.com/cloudwatch/home?region=eu-west-2#dashboards/dashboard/ai-portal-test",
        );
    });
});
