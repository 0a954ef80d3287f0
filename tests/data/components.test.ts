/**
 * The data tier's components constructed alone under the mocks: the Database (protection, final
 * snapshot, Performance Insights by class, the app secret) and the RoleBootstrap (packaging,
 * environment, what its invocation waits for and what re-runs it).
 */
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { Database, DatabaseArgs } from "../../data";
import { performanceInsightsFor } from "../../data/engine";
import { RoleBootstrap } from "../../data/roleBootstrap";
import { childNames, runComponent } from "../harness/component";
import { named, ofType, parseJson, transitiveDependencies } from "../harness/query";

const BASE: DatabaseArgs = {
    namePrefix: "ai-portal-test",
    vpcId: "vpc-1",
    privateSubnetIds: ["subnet-a", "subnet-b"],
    logRetentionDays: 30,
    instanceClass: "db.t3.medium",
    allocatedStorageGb: 20,
    maxAllocatedStorageGb: 100,
    engineMajorVersion: "16",
    multiAz: false,
    backupRetentionDays: 7,
    deletionProtection: false,
    backupWindow: "02:00-02:30",
    maintenanceWindow: "sun:03:00-sun:04:00",
};

function database(args: Partial<DatabaseArgs> = {}) {
    return runComponent((opts) => {
        const db = new Database("db", { ...BASE, ...args }, opts);
        return {
            address: db.address,
            appSecretArn: db.appSecretArn,
            finalSnapshot: db.finalSnapshotIdentifier,
        };
    });
}

describe("Database (component)", () => {
    it("unprotected: deletable at once, no final snapshot, no suffix resource", async () => {
        const run = await database({ deletionProtection: false });
        assert.ifError(run.error);
        const db = named(run, "aws:rds/instance:Instance", "db-postgres");
        assert.deepStrictEqual(
            [
                db.protect,
                db.inputs.deletionProtection,
                db.inputs.skipFinalSnapshot,
                db.inputs.finalSnapshotIdentifier,
                db.inputs.applyImmediately,
            ],
            [false, false, true, undefined, true],
        );
        assert.strictEqual(ofType(run, "random:index/randomId:RandomId").length, 0);
        assert.strictEqual(
            named(run, "aws:secretsmanager/secret:Secret", "db-openwebui-credentials").inputs
                .recoveryWindowInDays,
            0,
        );
    });

    it("protected: Pulumi protect, deletion protection, changes in the maintenance window, a final snapshot named per instance lifetime", async () => {
        const run = await database({ deletionProtection: true });
        const db = named(run, "aws:rds/instance:Instance", "db-postgres");
        assert.deepStrictEqual(
            [
                db.protect,
                db.inputs.deletionProtection,
                db.inputs.skipFinalSnapshot,
                db.inputs.applyImmediately,
                db.inputs.deleteAutomatedBackups,
            ],
            [true, true, false, false, false],
        );
        const suffix = named(run, "random:index/randomId:RandomId", "db-final-snapshot-suffix");
        assert.deepStrictEqual(suffix.inputs.keepers, { identifier: "ai-portal-test-postgres" });
        assert.strictEqual(
            db.inputs.finalSnapshotIdentifier,
            `ai-portal-test-postgres-final-${suffix.state.hex}`,
        );
        assert.strictEqual(run.outputs.finalSnapshot, db.inputs.finalSnapshotIdentifier);
        assert.strictEqual(
            named(run, "aws:secretsmanager/secret:Secret", "db-openwebui-credentials").inputs
                .recoveryWindowInDays,
            30,
        );
    });

    it("turns Performance Insights on unless the class is too small for it", async () => {
        for (const [instanceClass, expected] of [
            ["db.t3.small", false],
            ["db.t4g.micro", false],
            ["db.t3.medium", true],
            ["db.r6g.large", true],
        ] as const) {
            assert.strictEqual(performanceInsightsFor(instanceClass), expected, instanceClass);
        }
        const small = named(
            await database({ instanceClass: "db.t3.small" }),
            "aws:rds/instance:Instance",
            "db-postgres",
        ).inputs;
        assert.deepStrictEqual(
            [
                small.performanceInsightsEnabled,
                small.performanceInsightsRetentionPeriod,
                small.performanceInsightsKmsKeyId,
            ],
            [false, undefined, undefined],
        );
    });

    it("encrypts Performance Insights with a KMS key named in code: the AWS-managed aws/rds key, by key ARN", async () => {
        const run = await database({ instanceClass: "db.t3.medium" });
        const instance = named(run, "aws:rds/instance:Instance", "db-postgres").inputs;
        // RDS takes a key ARN here, not the alias's own ARN: the key aws/rds points to, looked up.
        assert.match(
            instance.performanceInsightsKmsKeyId,
            /^arn:aws:kms:eu-west-2:123456789012:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
        );
    });

    it("takes the engine major as given and the parameter group family from it, TLS forced", async () => {
        const run = await database({ engineMajorVersion: "16" });
        assert.strictEqual(
            named(run, "aws:rds/instance:Instance", "db-postgres").inputs.engineVersion,
            "16",
        );
        const params = named(run, "aws:rds/parameterGroup:ParameterGroup", "db-params").inputs;
        assert.strictEqual(params.family, "postgres16");
        assert.ok(
            params.parameters.some((p: any) => p.name === "rds.force_ssl" && p.value === "1"),
        );
    });

    it("stores Open WebUI's credentials, without the instance's address, as a secret", async () => {
        const run = await database();
        const version = ofType(run, "aws:secretsmanager/secretVersion:SecretVersion")[0];
        assert.deepStrictEqual(version.secretInputPaths, ["secretString"]);
        const value = parseJson(version.inputs.secretString);
        assert.deepStrictEqual(
            { ...value, password: "-" },
            {
                engine: "postgres",
                username: "openwebui",
                password: "-",
                port: 5432,
                dbname: "aiportal",
            },
        );
        assert.ok(!JSON.stringify(value).includes(String(run.outputs.address)));
    });
});

describe("RoleBootstrap (component)", () => {
    function bootstrap() {
        return runComponent((opts, provider) => {
            const ready = new aws.ec2.Route(
                "route",
                { routeTableId: "rtb-1", destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-1" },
                { provider },
            );
            const b = new RoleBootstrap(
                "boot",
                {
                    namePrefix: "ai-portal-test",
                    privateSubnetIds: ["subnet-a"],
                    securityGroupId: "sg-boot",
                    database: {
                        address: "ai-portal-test-postgres.c1.eu-west-2.rds.amazonaws.com",
                        port: 5432,
                        masterSecretArn:
                            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:rds!db-1-AbCdEf",
                    },
                    appSecretArn: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:app-AbCdEf",
                    appSecretVersionId: "v-1",
                    gateSecretArn:
                        "arn:aws:secretsmanager:eu-west-2:123456789012:secret:gate-AbCdEf",
                    gateSecretVersionId: "g-1",
                    logRetentionDays: 30,
                    networkReady: [ready],
                },
                opts,
            );
            return { functionName: b.functionName };
        });
    }

    it("packages the handler with postgres.js only, and trusts the runtime's Amazon CAs", async () => {
        const run = await bootstrap();
        assert.ifError(run.error);
        const fn = named(run, "aws:lambda/function:Function", "boot-function");
        assert.deepStrictEqual(Object.keys(fn.inputs.code.archive), [
            "index.js",
            "node_modules/postgres/cjs",
            "node_modules/postgres/package.json",
        ]);
        assert.deepStrictEqual(fn.inputs.environment, {
            variables: { NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem" },
        });
        assert.strictEqual(fn.inputs.handler, "index.handler");
    });

    it("is invoked with the instance's address and secret ARNs only, again whenever the credentials' version changes, after the network is ready", async () => {
        const run = await bootstrap();
        const invocation = named(run, "aws:lambda/invocation:Invocation", "boot-run");
        assert.deepStrictEqual(parseJson(invocation.inputs.input), {
            host: "ai-portal-test-postgres.c1.eu-west-2.rds.amazonaws.com",
            port: 5432,
            masterSecretArn: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:rds!db-1-AbCdEf",
            appSecretArn: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:app-AbCdEf",
            gateSecretArn: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:gate-AbCdEf",
        });
        assert.deepStrictEqual(invocation.inputs.triggers, {
            appCredentialsVersion: "v-1",
            gateCredentialsVersion: "g-1",
        });
        assert.ok(
            transitiveDependencies(run, invocation).has(
                named(run, "aws:ec2/route:Route", "route").urn,
            ),
        );
    });

    it("may read exactly the three database secrets and write only its own logs", async () => {
        const run = await bootstrap();
        const statements = [
            ...parseJson(named(run, "aws:iam/rolePolicy:RolePolicy", "boot-policy").inputs.policy)
                .Statement,
            ...parseJson(
                named(run, "aws:iam/rolePolicy:RolePolicy", "boot-secrets-policy").inputs.policy,
            ).Statement,
        ];
        assert.deepStrictEqual(
            statements.find((s: any) => s.Sid === "ReadTheDatabaseSecrets").Resource,
            [
                "arn:aws:secretsmanager:eu-west-2:123456789012:secret:rds!db-1-AbCdEf",
                "arn:aws:secretsmanager:eu-west-2:123456789012:secret:app-AbCdEf",
                "arn:aws:secretsmanager:eu-west-2:123456789012:secret:gate-AbCdEf",
            ],
        );
        // Attaching to the VPC: network interfaces, subnets and security groups of this account
        // and region only; the Describe calls cannot be scoped.
        const attach = statements.find((s: any) => s.Sid === "AttachToTheVpc");
        assert.deepStrictEqual(
            attach.Resource,
            ["network-interface/*", "subnet/*", "security-group/*"].map(
                (kind) => `arn:aws:ec2:eu-west-2:123456789012:${kind}`,
            ),
        );
        assert.deepStrictEqual(statements.find((s: any) => s.Resource === "*").Action, [
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets",
        ]);
        // No managed policy attached (AWSLambdaVPCAccessExecutionRole writes on every resource):
        // the children below hold no RolePolicyAttachment.
        assert.deepStrictEqual(childNames(run), [
            "boot",
            "boot-function",
            "boot-logs",
            "boot-policy",
            "boot-role",
            "boot-run",
            "boot-secrets-policy",
            "route",
        ]);
    });

    it("creates the function without the database: only the invocation waits for the master secret's policy", async () => {
        const run = await bootstrap();
        const secretsPolicy = named(run, "aws:iam/rolePolicy:RolePolicy", "boot-secrets-policy");
        const fn = named(run, "aws:lambda/function:Function", "boot-function");
        const invocation = named(run, "aws:lambda/invocation:Invocation", "boot-run");
        assert.ok(!transitiveDependencies(run, fn).has(secretsPolicy.urn));
        assert.ok(
            transitiveDependencies(run, fn).has(
                named(run, "aws:iam/rolePolicy:RolePolicy", "boot-policy").urn,
            ),
            "Lambda checks the VPC rights when the function is created",
        );
        assert.ok(transitiveDependencies(run, invocation).has(secretsPolicy.urn));
        assert.deepStrictEqual(fn.inputs.environment, {
            variables: { NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem" },
        });
    });
});
