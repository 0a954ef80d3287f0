/**
 * The directory's password policies and bind check: the PSO values (pure), the handler's pure
 * parts, the two functions' wiring under the mocks (VPC, IAM, the invocation's input, what it
 * waits for, the schedule), the bind alarm, and the whole program's wiring. Their behaviour
 * against a real directory is in tests/integration/directoryPolicy.test.ts (Samba).
 */
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import {
    BindCheck,
    PasswordPolicies,
    PasswordPoliciesArgs,
} from "../../directory/passwordPolicies";
import {
    bindAccountPsoAttributes,
    DEFAULT_PORTAL_PASSWORD_POLICY,
    minutesToInterval,
    NEVER,
    portalPsoAttributes,
    psoDn,
} from "../../directory/passwordPolicy";
import { policyCodeVersion } from "../../directory/policyFunction";
import { Operations } from "../../operations";
import { DIRECTORY_BIND_METRIC, HEALTH_NAMESPACE } from "../../operations/alarms";
import { childNames, runComponent } from "../harness/component";
import { named, parseJson, transitiveDependencies } from "../harness/query";
import { forEachStack } from "../harness/stacks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const handler = require("../../directory/policy/handler.js");

const ADMIN_SECRET = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:admin-AbCdEf";
const BIND_SECRET = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:bind-AbCdEf";
const GROUP_DN = "CN=AI Portal Users,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal";

describe("password policies: the PSO values", () => {
    it("AD intervals are negative 100-ns counts; never is the most negative 64-bit integer", () => {
        assert.strictEqual(minutesToInterval(15), "-9000000000");
        assert.strictEqual(minutesToInterval(42 * 24 * 60), "-36288000000000");
        assert.strictEqual(minutesToInterval(0), "0");
        assert.strictEqual(NEVER, "-9223372036854775808");
        assert.strictEqual(
            psoDn("DC=corp,DC=aiportal,DC=internal", "CustomerPSO-01"),
            "CN=CustomerPSO-01,CN=Password Settings Container,CN=System,DC=corp,DC=aiportal,DC=internal",
        );
    });

    it("the portal group: the configured length and lockout, and the domain policy's other settings", () => {
        assert.deepStrictEqual(portalPsoAttributes(DEFAULT_PORTAL_PASSWORD_POLICY), {
            "msDS-PasswordComplexityEnabled": "TRUE",
            "msDS-PasswordReversibleEncryptionEnabled": "FALSE",
            "msDS-PasswordHistoryLength": "24",
            "msDS-MinimumPasswordLength": "14",
            "msDS-MinimumPasswordAge": "-864000000000",
            "msDS-MaximumPasswordAge": "-36288000000000",
            "msDS-LockoutThreshold": "5",
            "msDS-LockoutObservationWindow": "-9000000000",
            "msDS-LockoutDuration": "-9000000000",
        });
    });

    it("the bind account: never expires, never locks out, 32 characters at least", () => {
        const a = bindAccountPsoAttributes();
        assert.deepStrictEqual(
            [
                a["msDS-MaximumPasswordAge"],
                a["msDS-LockoutThreshold"],
                a["msDS-MinimumPasswordLength"],
                a["msDS-MinimumPasswordAge"],
            ],
            [NEVER, "0", "32", "0"],
        );
    });
});

describe("password policies: the handler's pure parts", () => {
    const desired = portalPsoAttributes(DEFAULT_PORTAL_PASSWORD_POLICY);

    it("writes every setting and the subject on a fresh PSO", () => {
        const changes = handler.psoChanges({ dn: "x" }, desired, GROUP_DN);
        assert.deepStrictEqual(
            changes.map((c: any) => c.attribute),
            [...handler.PSO_SETTINGS, "msDS-PSOAppliesTo"],
        );
    });

    it("writes nothing when the directory already holds the policy (booleans and DNs in any case)", () => {
        const current = {
            ...desired,
            "msDS-PasswordComplexityEnabled": "true",
            "msDS-PSOAppliesTo": GROUP_DN.toLowerCase(),
        };
        assert.deepStrictEqual(handler.psoChanges(current, desired, GROUP_DN), []);
    });

    it("replaces only what differs, and any other subject someone added", () => {
        const current = {
            ...desired,
            "msDS-LockoutThreshold": "0",
            "msDS-PSOAppliesTo": [GROUP_DN, "CN=Someone,OU=Users,OU=CORP,DC=corp"],
        };
        assert.deepStrictEqual(handler.psoChanges(current, desired, GROUP_DN), [
            { attribute: "msDS-LockoutThreshold", values: ["5"] },
            { attribute: "msDS-PSOAppliesTo", values: [GROUP_DN] },
        ]);
    });

    it("refuses a policy that leaves a setting out", () => {
        const partial: Record<string, string> = { ...desired };
        delete partial["msDS-LockoutDuration"];
        assert.throws(() => handler.psoChanges({}, partial, GROUP_DN), /msDS-LockoutDuration/);
    });

    it("reports the bind check as an embedded-metric-format line", () => {
        assert.deepStrictEqual(
            JSON.parse(
                handler.metricLine("AIPortal", "DirectoryBindHealthy", "dev", 0, 1700000000000),
            ),
            {
                _aws: {
                    Timestamp: 1700000000000,
                    CloudWatchMetrics: [
                        {
                            Namespace: "AIPortal",
                            Dimensions: [["Stack"]],
                            Metrics: [{ Name: "DirectoryBindHealthy", Unit: "Count" }],
                        },
                    ],
                },
                Stack: "dev",
                DirectoryBindHealthy: 0,
            },
        );
    });
});

describe("PasswordPolicies and BindCheck (components)", () => {
    function components(policy: Partial<PasswordPoliciesArgs["policy"]> = {}) {
        return runComponent((opts, provider) => {
            const group = new aws.ec2.Route(
                "route",
                { routeTableId: "rtb-1", destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-1" },
                { provider },
            );
            const p = new PasswordPolicies(
                "pso",
                {
                    namePrefix: "ai-portal-test",
                    privateSubnetIds: ["subnet-a", "subnet-b"],
                    securityGroupId: "sg-policy",
                    domainControllerIps: ["10.0.10.5", "10.0.11.5"],
                    directoryId: "d-1234567890",
                    domainDn: "DC=corp,DC=aiportal,DC=internal",
                    adminSecretArn: ADMIN_SECRET,
                    portalGroupDn: GROUP_DN,
                    bindAccountName: "svc-openwebui",
                    policy: { ...DEFAULT_PORTAL_PASSWORD_POLICY, ...policy },
                    logRetentionDays: 30,
                    dependsOn: [group],
                },
                opts,
            );
            const c = new BindCheck(
                "check",
                {
                    namePrefix: "ai-portal-test",
                    stack: "test",
                    region: "eu-west-2",
                    privateSubnetIds: ["subnet-a", "subnet-b"],
                    securityGroupId: "sg-policy",
                    domainControllerIps: ["10.0.10.5", "10.0.11.5"],
                    bindSecretArn: BIND_SECRET,
                    namespace: HEALTH_NAMESPACE,
                    metric: DIRECTORY_BIND_METRIC,
                    logRetentionDays: 30,
                },
                opts,
            );
            return { policies: p.functionName, check: c.functionName };
        });
    }

    it("packages the handler with ldapts only, in the private subnets, in the policy group", async () => {
        const run = await components();
        assert.ifError(run.error);
        for (const [name, handlerName] of [
            ["pso-function", "index.apply"],
            ["check-function", "index.checkBind"],
        ]) {
            const fn = named(run, "aws:lambda/function:Function", name).inputs;
            assert.deepStrictEqual(Object.keys(fn.code.archive).sort(), [
                "index.js",
                "node_modules/ldapts/dist/index.cjs",
                "node_modules/ldapts/package.json",
            ]);
            assert.strictEqual(fn.handler, handlerName);
            assert.deepStrictEqual(fn.vpcConfig, {
                subnetIds: ["subnet-a", "subnet-b"],
                securityGroupIds: ["sg-policy"],
            });
            assert.strictEqual(fn.environment, undefined, "no environment: nothing secret in it");
        }
        assert.deepStrictEqual(
            [run.outputs.policies, run.outputs.check],
            ["ai-portal-test-directory-policy", "ai-portal-test-directory-bind-check"],
        );
    });

    it("is invoked with settings and names only (no secret), after the group, the account and the network, again for a new directory or new code", async () => {
        const run = await components();
        const invocation = named(run, "aws:lambda/invocation:Invocation", "pso-run");
        const input = parseJson(invocation.inputs.input);
        assert.deepStrictEqual(input, {
            servers: ["10.0.10.5", "10.0.11.5"],
            port: 389,
            adminSecretArn: ADMIN_SECRET,
            domainDn: "DC=corp,DC=aiportal,DC=internal",
            policies: [
                {
                    name: "CustomerPSO-01",
                    attributes: portalPsoAttributes(DEFAULT_PORTAL_PASSWORD_POLICY),
                    appliesTo: { dn: GROUP_DN },
                },
                {
                    name: "CustomerPSO-02",
                    attributes: bindAccountPsoAttributes(),
                    appliesTo: { samAccountName: "svc-openwebui" },
                },
            ],
        });
        assert.doesNotMatch(invocation.inputs.input, /password"|Passw0rd/i);
        assert.deepStrictEqual(Object.keys(invocation.inputs.triggers).sort(), [
            "code",
            "directoryId",
        ]);
        assert.strictEqual(invocation.inputs.triggers.directoryId, "d-1234567890");
        assert.strictEqual(invocation.inputs.triggers.code, policyCodeVersion());
        assert.match(policyCodeVersion(), /^[0-9a-f]{64}$/);
        const deps = transitiveDependencies(run, invocation);
        assert.ok(
            deps.has(named(run, "aws:ec2/route:Route", "route").urn),
            "waits for the network",
        );
        assert.ok(
            deps.has(named(run, "aws:iam/rolePolicy:RolePolicy", "pso-secret-policy").urn),
            "waits until it may read the Admin secret",
        );
    });

    it("a changed setting changes the invocation's input, so Pulumi runs it again", async () => {
        const run = await components({ lockoutThreshold: 3, lockoutDurationMinutes: 30 });
        const input = parseJson(
            named(run, "aws:lambda/invocation:Invocation", "pso-run").inputs.input,
        );
        assert.strictEqual(input.policies[0].attributes["msDS-LockoutThreshold"], "3");
        assert.strictEqual(input.policies[0].attributes["msDS-LockoutDuration"], "-18000000000");
    });

    it("refuses a lockout shorter than its observation window before declaring anything", async () => {
        const run = await components({ lockoutObservationMinutes: 30, lockoutDurationMinutes: 10 });
        assert.match(
            String(run.error),
            /directoryLockoutDurationMinutes: 10 is shorter than directoryLockoutObservationMinutes \(30\)/,
        );
    });

    it("each function reads exactly its one secret: the policies Admin's, the check the bind account's", async () => {
        const run = await components();
        const secretStatement = (name: string) =>
            parseJson(named(run, "aws:iam/rolePolicy:RolePolicy", name).inputs.policy).Statement;
        assert.deepStrictEqual(secretStatement("pso-secret-policy"), [
            {
                Sid: "ReadItsSecret",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: [ADMIN_SECRET],
            },
        ]);
        assert.deepStrictEqual(secretStatement("check-secret-policy")[0].Resource, [BIND_SECRET]);
        const base = secretStatement("pso-policy");
        assert.deepStrictEqual(
            base.map((s: any) => s.Sid),
            ["WriteItsLogs", "AttachToTheVpc", "SeeTheVpc"],
        );
        assert.deepStrictEqual(base[0].Action, ["logs:CreateLogStream", "logs:PutLogEvents"]);
        // No managed policy, nothing else.
        assert.deepStrictEqual(
            childNames(run).filter((n) => n.startsWith("pso")),
            [
                "pso",
                "pso-function",
                "pso-logs",
                "pso-policy",
                "pso-role",
                "pso-run",
                "pso-secret-policy",
            ],
        );
    });

    it("the check runs every 5 minutes through EventBridge Scheduler, whose role may invoke only it, guarded by the schedule group", async () => {
        const run = await components();
        const schedule = named(run, "aws:scheduler/schedule:Schedule", "check-schedule").inputs;
        const fn = named(run, "aws:lambda/function:Function", "check-function");
        assert.strictEqual(schedule.scheduleExpression, "rate(5 minutes)");
        assert.strictEqual(schedule.target.arn, fn.state.arn);
        assert.deepStrictEqual(parseJson(schedule.target.input), {
            servers: ["10.0.10.5", "10.0.11.5"],
            port: 389,
            bindSecretArn: BIND_SECRET,
            namespace: "AIPortal",
            metric: "DirectoryBindHealthy",
            stack: "test",
            scheduledTime: "<aws.scheduler.scheduled-time>",
        });
        const role = named(run, "aws:iam/role:Role", "check-scheduler-role").inputs;
        assert.deepStrictEqual(parseJson(role.assumeRolePolicy).Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnEquals: {
                "aws:SourceArn":
                    "arn:aws:scheduler:eu-west-2:123456789012:schedule-group/ai-portal-test-directory-bind-check",
            },
        });
        assert.deepStrictEqual(
            parseJson(
                named(run, "aws:iam/rolePolicy:RolePolicy", "check-scheduler-policy").inputs.policy,
            ).Statement,
            [
                {
                    Sid: "InvokeTheCheck",
                    Effect: "Allow",
                    Action: ["lambda:InvokeFunction"],
                    Resource: [fn.state.arn],
                },
            ],
        );
    });

    it("operations: alarms when the bind check reports a failure or stops reporting", async () => {
        const run = await runComponent((opts) => ({
            topic: new Operations(
                "ops",
                {
                    namePrefix: "ai-portal-test",
                    stack: "test",
                    region: "eu-west-2",
                    profile: "relaxed",
                    dbInstanceIdentifier: "db",
                    instances: {},
                },
                opts,
            ).alarmTopicArn,
        }));
        const alarm = named(
            run,
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "ops-directory-bind",
        ).inputs;
        assert.deepStrictEqual(
            {
                namespace: alarm.namespace,
                metricName: alarm.metricName,
                dimensions: alarm.dimensions,
                statistic: alarm.statistic,
                period: alarm.period,
                evaluationPeriods: alarm.evaluationPeriods,
                threshold: alarm.threshold,
                comparisonOperator: alarm.comparisonOperator,
                treatMissingData: alarm.treatMissingData,
                alarmActions: alarm.alarmActions,
                okActions: alarm.okActions,
            },
            {
                namespace: "AIPortal",
                metricName: "DirectoryBindHealthy",
                dimensions: { Stack: "test" },
                statistic: "Minimum",
                period: 600,
                evaluationPeriods: 1,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "breaching",
                alarmActions: [run.outputs.topic],
                okActions: [run.outputs.topic],
            },
        );
    });
});

forEachStack("password policies and bind check in the program", (ctx) => {
    it("the program: the policies run after the directory's group and account and the policy group's rules; the check reports for this stack", () => {
        const invocation = named(
            ctx.run,
            "aws:lambda/invocation:Invocation",
            "directory-policy-run",
        );
        const deps = transitiveDependencies(ctx.run, invocation);
        for (const name of ["portal-group-group", "ldap-bind-account"]) {
            assert.ok(deps.has(named(ctx.run, "command:local:Command", name).urn), name);
        }
        assert.ok(
            deps.has(
                named(ctx.run, "aws:ec2/securityGroup:SecurityGroup", "sg-directoryPolicy").urn,
            ),
        );
        const input = parseJson(invocation.inputs.input);
        assert.strictEqual(input.domainDn, "DC=corp,DC=aiportal,DC=internal");
        assert.strictEqual(input.adminSecretArn, ctx.run.outputs.directoryAdminSecretArn);
        assert.strictEqual(
            input.policies[0].appliesTo.dn,
            "CN=AI Portal Users,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal",
        );
        assert.deepStrictEqual(input.servers, ctx.run.outputs.directoryDnsIps);
        const schedule = named(
            ctx.run,
            "aws:scheduler/schedule:Schedule",
            "directory-bind-check-schedule",
        );
        assert.strictEqual(parseJson(schedule.inputs.target.input).stack, ctx.stack);
        assert.strictEqual(
            parseJson(schedule.inputs.target.input).bindSecretArn,
            ctx.run.outputs.directoryBindSecretArn,
        );
    });
});
