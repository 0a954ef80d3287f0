/**
 * The database tier each committed stack declares.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { databaseUrl, RDS_CA_BUNDLE, RDS_CA_CERT_IDENTIFIER } from "../../data";
import { byId, byUrn, named, ofType, parseJson, transitiveDependencies } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import { runStack } from "../../offline/run";

const T = {
    instance: "aws:rds/instance:Instance",
    subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    subnet: "aws:ec2/subnet:Subnet",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    directory: "aws:directoryservice/directory:Directory",
    fn: "aws:lambda/function:Function",
    invocation: "aws:lambda/invocation:Invocation",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};

/** The settings each stack file implies for the instance. */
const expected = {
    dev: {
        multiAz: false,
        backupRetentionPeriod: 7,
        maxAllocatedStorage: 50,
        deletionProtection: false,
        skipFinalSnapshot: true,
        finalSnapshotIdentifier: undefined,
        deleteAutomatedBackups: true,
        applyImmediately: true,
        protect: false,
        logRetention: 30,
        secretRecoveryWindow: 0,
    },
    prod: {
        multiAz: true,
        backupRetentionPeriod: 30,
        maxAllocatedStorage: 200,
        deletionProtection: true,
        skipFinalSnapshot: false,
        // The suffix is the mock's RandomId for "data-final-snapshot-suffix" (4 bytes).
        finalSnapshotIdentifier: /^ai-portal-prod-postgres-final-[0-9a-f]{8}$/,
        deleteAutomatedBackups: false,
        applyImmediately: false,
        protect: true,
        logRetention: 90,
        secretRecoveryWindow: 30,
    },
};

forEachStack("data tier", (ctx) => {
    const { stack } = ctx;
    const want = expected[stack];

    it("declares exactly one PostgreSQL instance with the seed's size, encrypted gp3 and the aiportal database", () => {
        const instances = ofType(ctx.run, T.instance);
        assert.strictEqual(instances.length, 1);
        const i = instances[0].inputs;
        assert.deepStrictEqual(
            {
                identifier: i.identifier,
                engine: i.engine,
                engineVersion: i.engineVersion,
                instanceClass: i.instanceClass,
                storageType: i.storageType,
                allocatedStorage: i.allocatedStorage,
                storageEncrypted: i.storageEncrypted,
                dbName: i.dbName,
                port: i.port,
            },
            {
                identifier: `ai-portal-${stack}-postgres`,
                engine: "postgres",
                engineVersion: "15",
                instanceClass: "db.t3.medium",
                storageType: "gp3",
                allocatedStorage: 20,
                storageEncrypted: true,
                dbName: "aiportal",
                port: 5432,
            },
        );
    });

    it("sets the stack's availability, backup and protection settings", () => {
        const db = ofType(ctx.run, T.instance)[0];
        const i = db.inputs;
        assert.deepStrictEqual(
            {
                multiAz: i.multiAz,
                backupRetentionPeriod: i.backupRetentionPeriod,
                maxAllocatedStorage: i.maxAllocatedStorage,
                deletionProtection: i.deletionProtection,
                skipFinalSnapshot: i.skipFinalSnapshot,
                deleteAutomatedBackups: i.deleteAutomatedBackups,
                applyImmediately: i.applyImmediately,
                protect: db.protect,
            },
            {
                multiAz: want.multiAz,
                backupRetentionPeriod: want.backupRetentionPeriod,
                maxAllocatedStorage: want.maxAllocatedStorage,
                deletionProtection: want.deletionProtection,
                skipFinalSnapshot: want.skipFinalSnapshot,
                deleteAutomatedBackups: want.deleteAutomatedBackups,
                applyImmediately: want.applyImmediately,
                protect: want.protect,
            },
        );
    });

    it(
        stack === "prod"
            ? "names the final snapshot uniquely per instance lifetime: the identifier and a suffix made with the instance"
            : "takes no final snapshot",
        () => {
            const db = ofType(ctx.run, T.instance)[0];
            const suffixes = ofType(ctx.run, "random:index/randomId:RandomId").filter((r) =>
                r.name.endsWith("-final-snapshot-suffix"),
            );
            if (want.finalSnapshotIdentifier === undefined) {
                assert.strictEqual(db.inputs.finalSnapshotIdentifier, undefined);
                assert.strictEqual(suffixes.length, 0);
                return;
            }
            assert.match(db.inputs.finalSnapshotIdentifier, want.finalSnapshotIdentifier);
            // A fixed "-final" name would make a second deletion of the same identifier fail.
            assert.notStrictEqual(
                db.inputs.finalSnapshotIdentifier,
                `ai-portal-${stack}-postgres-final`,
            );
            assert.strictEqual(suffixes.length, 1);
            assert.deepStrictEqual(suffixes[0].inputs, {
                byteLength: 4,
                keepers: { identifier: `ai-portal-${stack}-postgres` },
            });
            assert.strictEqual(
                db.inputs.finalSnapshotIdentifier,
                `ai-portal-${stack}-postgres-final-${suffixes[0].state.hex}`,
            );
            assert.deepStrictEqual(db.propertyDependencies.finalSnapshotIdentifier, [
                suffixes[0].urn,
            ]);
        },
    );

    it("pins the CA that signs the server certificate to the one the clients are given", () => {
        assert.strictEqual(
            ofType(ctx.run, T.instance)[0].inputs.caCertIdentifier,
            RDS_CA_CERT_IDENTIFIER,
        );
    });

    it("keeps the everyday settings the issue asks for: windows apart, tags copied, minors automatic, insights on", () => {
        const i = ofType(ctx.run, T.instance)[0].inputs;
        assert.strictEqual(i.backupWindow, "02:00-02:30");
        assert.strictEqual(i.maintenanceWindow, "sun:03:00-sun:04:00");
        assert.strictEqual(i.copyTagsToSnapshot, true);
        assert.strictEqual(i.autoMinorVersionUpgrade, true);
        assert.strictEqual(i.allowMajorVersionUpgrade, false);
        assert.strictEqual(i.performanceInsightsEnabled, true);
        assert.strictEqual(i.performanceInsightsRetentionPeriod, 7);
        assert.deepStrictEqual(i.enabledCloudwatchLogsExports, ["postgresql", "upgrade"]);
    });

    it("pins the engine to a major version only", () => {
        assert.match(ofType(ctx.run, T.instance)[0].inputs.engineVersion, /^[0-9]+$/);
    });

    it("is not public and lives only in the private subnets", () => {
        const db = ofType(ctx.run, T.instance)[0];
        assert.strictEqual(db.inputs.publiclyAccessible, false);
        const group = ofType(ctx.run, T.subnetGroup).find(
            (g) => g.state.name === db.inputs.dbSubnetGroupName,
        )!;
        assert.ok(group, "the instance uses the declared subnet group");
        const cidrs = group.inputs.subnetIds.map(
            (id: string) => byId(ctx.run, T.subnet, id).inputs.cidrBlock,
        );
        assert.deepStrictEqual(cidrs, ["10.0.10.0/24", "10.0.11.0/24"]);
    });

    it("forces TLS and logs no statement text (slow, failing or by class) through a parameter group of the engine's family", () => {
        const db = ofType(ctx.run, T.instance)[0];
        const group = ofType(ctx.run, T.parameterGroup).find(
            (g) => g.state.name === db.inputs.parameterGroupName,
        )!;
        assert.ok(group, "the instance uses the declared parameter group");
        assert.strictEqual(group.inputs.family, "postgres15");
        const params = Object.fromEntries(
            group.inputs.parameters.map((p: any) => [p.name, p.value]),
        );
        assert.strictEqual(params["rds.force_ssl"], "1");
        // Chat messages and document chunks are statements: none reaches the exported log.
        assert.deepStrictEqual(
            group.inputs.parameters
                .filter((p: any) => p.name.startsWith("log_"))
                .map((p: any) => [p.name, p.value, p.applyMethod]),
            [
                ["log_min_duration_statement", "-1", "immediate"],
                ["log_statement", "none", "immediate"],
                ["log_min_error_statement", "panic", "immediate"],
            ],
        );
        // Unchanged since the group was created: a new description would replace it.
        assert.strictEqual(
            group.inputs.description,
            `ai-portal-${ctx.stack}: TLS required, slow statements logged`,
        );
    });

    it("has its own security group with no rules of its own", () => {
        const db = ofType(ctx.run, T.instance)[0];
        assert.strictEqual(db.inputs.vpcSecurityGroupIds.length, 1);
        const sg = byId(ctx.run, T.sg, db.inputs.vpcSecurityGroupIds[0]);
        assert.strictEqual(sg.inputs.ingress, undefined);
        assert.strictEqual(sg.inputs.egress, undefined);
        assert.strictEqual(sg.inputs.vpcId, ctx.run.outputs.vpcId);
        assert.strictEqual(ctx.run.outputs.dbSecurityGroupId, sg.id);
    });

    it("lets RDS manage (and rotate) the master password: no password in the program", () => {
        const i = ofType(ctx.run, T.instance)[0].inputs;
        assert.strictEqual(i.manageMasterUserPassword, true);
        assert.strictEqual(i.password, undefined);
        assert.strictEqual(i.username, "portal_admin");
        assert.match(
            ctx.run.outputs.dbSecretArn as string,
            /^arn:aws:secretsmanager:eu-west-2:123456789012:secret:rds!db-/,
        );
    });

    it("keeps Open WebUI's own credentials in a separate secret, marked secret, that does not wait for the instance", () => {
        const secret = named(ctx.run, T.secret, "data-openwebui-credentials");
        assert.strictEqual(secret.inputs.name, `ai-portal-${stack}/database/openwebui`);
        assert.strictEqual(secret.inputs.recoveryWindowInDays, want.secretRecoveryWindow);
        const version = ofType(ctx.run, T.secretVersion).find(
            (v) => v.inputs.secretId === secret.id,
        )!;
        assert.deepStrictEqual(version.secretInputPaths, ["secretString"]);
        const value = parseJson(version.inputs.secretString);
        // No address: the web hosts look it up at boot, so the version (in their user data)
        // exists minutes into the deploy, not after the instance's creation.
        assert.deepStrictEqual(Object.keys(value).sort(), [
            "dbname",
            "engine",
            "password",
            "port",
            "username",
        ]);
        assert.deepStrictEqual(
            [value.engine, value.username, value.port, value.dbname],
            ["postgres", "openwebui", 5432, "aiportal"],
        );
        assert.match(value.password, /^[A-Za-z0-9]{40}$|^MOCKSECRET/);
        const db = ofType(ctx.run, T.instance)[0];
        assert.ok(!transitiveDependencies(ctx.run, version).has(db.urn));
        assert.strictEqual(ctx.run.outputs.dbAppSecretArn, secret.id);
    });

    it("keeps the usage gate's credentials in a secret of their own (role and schema usage_gate), in the stack's key, not waiting for the instance", () => {
        const secret = named(ctx.run, T.secret, "data-usage-gate-credentials");
        const app = named(ctx.run, T.secret, "data-openwebui-credentials");
        assert.strictEqual(secret.inputs.name, `ai-portal-${stack}/database/usage-gate`);
        assert.strictEqual(secret.inputs.recoveryWindowInDays, want.secretRecoveryWindow);
        assert.strictEqual(secret.inputs.kmsKeyId, app.inputs.kmsKeyId);
        const version = ofType(ctx.run, T.secretVersion).find(
            (v) => v.inputs.secretId === secret.id,
        )!;
        assert.deepStrictEqual(version.secretInputPaths, ["secretString"]);
        const value = parseJson(version.inputs.secretString);
        assert.deepStrictEqual(
            { ...value, password: undefined },
            {
                engine: "postgres",
                username: "usage_gate",
                password: undefined,
                port: 5432,
                dbname: "aiportal",
                schema: "usage_gate",
            },
        );
        assert.match(value.password, /^[A-Za-z0-9]{40}$|^MOCKSECRET/);
        const db = ofType(ctx.run, T.instance)[0];
        assert.ok(!transitiveDependencies(ctx.run, version).has(db.urn));
        assert.strictEqual(ctx.run.outputs.dbGateSecretArn, secret.id);
    });

    it(`creates the PostgreSQL log groups first, kept ${want.logRetention} days`, () => {
        const db = ofType(ctx.run, T.instance)[0];
        for (const log of ["postgresql", "upgrade"]) {
            const group = ofType(ctx.run, T.logGroup).find(
                (g) => g.inputs.name === `/aws/rds/instance/ai-portal-${stack}-postgres/${log}`,
            )!;
            assert.ok(group, `${log} log group`);
            assert.strictEqual(group.inputs.retentionInDays, want.logRetention);
            assert.ok(
                db.dependencies.includes(group.urn),
                `the instance waits for the ${log} log group`,
            );
        }
    });

    it("does not wait for the directory", () => {
        const directory = ofType(ctx.run, T.directory)[0];
        const dataTier = ctx.run.resources.filter((r) => r.urn.includes("aiportal:data:Database"));
        assert.ok(dataTier.length >= 8);
        for (const resource of dataTier) {
            const deps = transitiveDependencies(ctx.run, resource);
            assert.ok(
                !deps.has(directory.urn),
                `${resource.name} must not depend on the directory`,
            );
            assert.ok(
                // Except the roles of the directory tier's functions, which prod's data key names
                // in its policy: IAM creates them in seconds and they wait for nothing.
                ![...deps].some(
                    (urn) =>
                        urn.includes("aiportal:directory") &&
                        !(
                            urn.includes("$aws:iam/role:Role::") &&
                            transitiveDependencies(ctx.run, byUrn(ctx.run, urn)).size === 0
                        ),
                ),
                `${resource.name} must not depend on the directory tier`,
            );
        }
    });

    it("database role bootstrap: a function in the private subnets, given the instance's address and secret ARNs only", () => {
        const fn = named(ctx.run, T.fn, "db-role-function");
        assert.strictEqual(fn.inputs.name, `ai-portal-${stack}-db-role-bootstrap`);
        const subnets = fn.inputs.vpcConfig.subnetIds.map(
            (id: string) => byId(ctx.run, T.subnet, id).name,
        );
        assert.deepStrictEqual(subnets, ["network-private-az1", "network-private-az2"]);
        const invocation = named(ctx.run, T.invocation, "db-role-run");
        assert.deepStrictEqual(parseJson(invocation.inputs.input), {
            host: ctx.run.outputs.dbEndpoint,
            port: 5432,
            masterSecretArn: ctx.run.outputs.dbSecretArn,
            appSecretArn: ctx.run.outputs.dbAppSecretArn,
            gateSecretArn: ctx.run.outputs.dbGateSecretArn,
        });
        const role = ofType(ctx.run, T.role).find((r) => r.name === "db-role-role")!;
        const statements = ofType(ctx.run, T.rolePolicy)
            .filter((p) => p.inputs.role === role.id)
            .flatMap((p) => parseJson(p.inputs.policy).Statement);
        assert.deepStrictEqual(
            statements.find((s: any) => s.Sid === "ReadTheDatabaseSecrets").Resource,
            [
                ctx.run.outputs.dbSecretArn,
                ctx.run.outputs.dbAppSecretArn,
                ctx.run.outputs.dbGateSecretArn,
            ],
        );
    });

    it("database role bootstrap runs only once it can reach the database and Secrets Manager (rules, private routes)", () => {
        const invocation = named(ctx.run, T.invocation, "db-role-run");
        const deps = transitiveDependencies(ctx.run, invocation);
        const needed = [
            "sg-dbBootstrap-out-tcp5432-database",
            "sg-database-in-tcp5432-dbBootstrap",
            "sg-dbBootstrap-out-tcp443-0-0-0-0-0",
            "network-private-az1-default-route",
            "network-private-az2-default-route",
            "network-private-az1-rta",
            "network-private-az2-rta",
        ];
        for (const name of needed) {
            const found = ctx.run.resources.filter((r) => r.name === name);
            assert.strictEqual(found.length, 1, name);
            assert.ok(deps.has(found[0].urn), `the invocation waits for ${name}`);
        }
        for (const nat of ofType(ctx.run, "aws:ec2/natGateway:NatGateway")) {
            assert.ok(deps.has(nat.urn), `and, through the routes, for ${nat.name}`);
        }
    });

    it("database role bootstrap verifies the database's certificate with the runtime's Amazon CAs", () => {
        const fn = named(ctx.run, T.fn, "db-role-function");
        assert.deepStrictEqual(fn.inputs.environment, {
            variables: { NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem" },
        });
    });
});

describe("data tier: the database URL", () => {
    it("URL-encodes the password and carries no sslmode (asyncpg rejects it; clients get PGSSLMODE=verify-full)", () => {
        assert.strictEqual(
            databaseUrl("openwebui", "p@ss/w:rd?#", "db.example", 5432, "aiportal"),
            "postgresql://openwebui:p%40ss%2Fw%3Ard%3F%23@db.example:5432/aiportal",
        );
    });
});

describe("data tier: the RDS CA the clients trust", () => {
    it("is the eu-west-2 RSA2048 G1 root that rds-ca-rsa2048-g1 names: self-signed, a CA, valid for decades", () => {
        assert.strictEqual(RDS_CA_CERT_IDENTIFIER, "rds-ca-rsa2048-g1");
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rds-ca-")), "ca.pem");
        fs.writeFileSync(file, RDS_CA_BUNDLE);
        const text = execFileSync(
            "openssl",
            [
                "x509",
                "-in",
                file,
                "-noout",
                "-subject",
                "-issuer",
                "-enddate",
                "-fingerprint",
                "-sha256",
                "-ext",
                "basicConstraints",
            ],
            { encoding: "utf8" },
        );
        assert.match(text, /subject=.*CN = Amazon RDS eu-west-2 Root CA RSA2048 G1/);
        assert.match(text, /issuer=.*CN = Amazon RDS eu-west-2 Root CA RSA2048 G1/);
        assert.match(text, /notAfter=May 21 23:46:24 2061 GMT/);
        assert.match(
            text,
            /sha256 Fingerprint=34:55:64:0A:F7:79:8B:30:DA:9C:61:79:B5:E2:1E:23:D9:5D:AB:B7:87:3A:12:FE:C7:0B:02:09:27:45:F0:4E/,
        );
        assert.match(text, /CA:TRUE/);
        assert.strictEqual((RDS_CA_BUNDLE.match(/BEGIN CERTIFICATE/g) ?? []).length, 1);
    });
});

describe("data tier: dev and prod differ exactly in what their stack files set", () => {
    it("the instance inputs differ only in availability, retention, storage ceiling and protection", async () => {
        const [dev, prod] = [await runStack("dev"), await runStack("prod")];
        const a = ofType(dev, T.instance)[0].inputs;
        const b = ofType(prod, T.instance)[0].inputs;
        const differing = [...new Set([...Object.keys(a), ...Object.keys(b)])]
            .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
            .sort();
        assert.deepStrictEqual(differing, [
            "applyImmediately",
            "backupRetentionPeriod",
            "deleteAutomatedBackups",
            "deletionProtection",
            "finalSnapshotIdentifier",
            "identifier",
            // dev's file keeps AWS-managed keys (encryptionKey); prod has its own key.
            "kmsKeyId",
            "masterUserSecretKmsKeyId",
            "maxAllocatedStorage",
            "multiAz",
            "performanceInsightsKmsKeyId",
            "skipFinalSnapshot",
            "tags",
        ]);
    });
});
