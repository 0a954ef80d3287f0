/**
 * A stack whose database is created from a backup (config restoreFromSnapshot, restoreToTime with
 * restoreSourceDb): the keys' rules, the instance a restore declares, the check that keeps a
 * config change from swapping an existing database, and the drill stack's plan.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseConfig, RawConfig } from "../../config";
import { loadStackConfig } from "../../offline/stackConfig";
import { runProgram } from "../../offline/run";
import { buildPlan } from "../../plan/model";
import { renderCost } from "../../plan/render";
import { creationMinutes } from "../../plan/deploy";
import { named, parseJson } from "../harness/query";

const INSTANCE = "aws:rds/instance:Instance";
/** Last night's AWS Backup recovery point of prod's database (its DB snapshot ARN). */
const RECOVERY_POINT =
    "arn:aws:rds:eu-west-2:123456789012:snapshot:awsbackup:job-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";
/** The placeholder Pulumi.drill.yaml commits (each drill sets the night's own). */
const DRILL_PLACEHOLDER =
    "arn:aws:rds:eu-west-2:123456789012:snapshot:awsbackup:job-00000000-0000-0000-0000-000000000000";
const KEY_INPUTS = ["kmsKeyId", "masterUserSecretKmsKeyId", "performanceInsightsKmsKeyId"];
/** What the instance ignores once it exists: its keys and the restore inputs. */
const IGNORED = [...KEY_INPUTS, "restoreToPointInTime", "snapshotIdentifier"].sort();

function problemsOf(stack: string, overrides: Record<string, string>): string[] {
    const raw: RawConfig = {
        ...loadStackConfig({ stack: "dev" }).raw,
        ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => [`ai-portal:${k}`, v])),
    };
    const result = parseConfig({ stack, raw });
    return result.ok ? [] : result.problems.map((p) => `${p.key} ${p.value}: ${p.reason}`);
}

describe("restore keys (pure config)", () => {
    it("reads a snapshot ARN, a point in time, the latest restorable time, or nothing", () => {
        const read = (overrides: Record<string, string>) => {
            const raw: RawConfig = {
                ...loadStackConfig({ stack: "dev" }).raw,
                ...Object.fromEntries(
                    Object.entries(overrides).map(([k, v]) => [`ai-portal:${k}`, v]),
                ),
            };
            const result = parseConfig({ stack: "dev", raw });
            assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
            return result.config.restore;
        };
        assert.deepStrictEqual(read({}), {});
        assert.deepStrictEqual(read({ restoreFromSnapshot: RECOVERY_POINT }), {
            database: { kind: "snapshot", snapshotArn: RECOVERY_POINT },
        });
        assert.deepStrictEqual(
            read({
                restoreFromSnapshot:
                    "arn:aws:rds:eu-west-2:123456789012:snapshot:rds:ai-portal-prod-postgres-2026-12-06-02-10",
            }).database,
            {
                kind: "snapshot",
                snapshotArn:
                    "arn:aws:rds:eu-west-2:123456789012:snapshot:rds:ai-portal-prod-postgres-2026-12-06-02-10",
            },
        );
        assert.deepStrictEqual(
            read({
                restoreToTime: "2026-12-06T02:00:00Z",
                restoreSourceDb: "ai-portal-prod-postgres",
            }),
            {
                database: {
                    kind: "pointInTime",
                    sourceDbIdentifier: "ai-portal-prod-postgres",
                    restoreTime: "2026-12-06T02:00:00Z",
                },
            },
        );
        assert.deepStrictEqual(
            read({ restoreToTime: "latest", restoreSourceDb: "ai-portal-prod-postgres" }),
            {
                database: {
                    kind: "pointInTime",
                    sourceDbIdentifier: "ai-portal-prod-postgres",
                    restoreTime: undefined,
                },
            },
        );
    });

    const cases: [string, Record<string, string>, string[]][] = [
        [
            "an S3 recovery point where a database one belongs",
            {
                restoreFromSnapshot:
                    "arn:aws:backup:eu-west-2:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45",
            },
            [
                "ai-portal:restoreFromSnapshot arn:aws:backup:eu-west-2:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45: is a recovery point of a kind AWS Backup stores itself (S3, EFS, ...), not of a database: a database's recovery point ARN is its DB snapshot's, arn:aws:rds:<region>:<account>:snapshot:awsbackup:job-<id>",
            ],
        ],
        [
            "a cluster snapshot (Aurora), a snapshot without account, a name that starts with a digit",
            { restoreFromSnapshot: "arn:aws:rds:eu-west-2:123456789012:cluster-snapshot:x" },
            [
                "ai-portal:restoreFromSnapshot arn:aws:rds:eu-west-2:123456789012:cluster-snapshot:x: is not a DB snapshot ARN",
            ],
        ],
        [
            "a copy in the DR region",
            {
                restoreFromSnapshot:
                    "arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:copyjob-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
            },
            [
                `ai-portal:restoreFromSnapshot arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:copyjob-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9: is in eu-west-1, but RDS restores only a snapshot in the stack's own region (eu-west-2): copy the recovery point back to a vault in eu-west-2 first (aws backup start-copy-job, README "Restore and drill")`,
            ],
        ],
        [
            "a time with an offset (RDS takes UTC), and no source",
            { restoreToTime: "2026-12-06T02:00:00+01:00" },
            [
                "ai-portal:restoreToTime 2026-12-06T02:00:00+01:00: is not a UTC time of the form yyyy-mm-ddThh:mm:ssZ",
                "ai-portal:restoreSourceDb : is not set, but restoreToTime is: a point in time is of one instance's automated backups",
            ],
        ],
        [
            "a time without a source",
            { restoreToTime: "2026-12-06T02:00:00Z" },
            [
                "ai-portal:restoreSourceDb : is not set, but restoreToTime is: a point in time is of one instance's automated backups",
            ],
        ],
        [
            "a source without a time",
            { restoreSourceDb: "ai-portal-prod-postgres" },
            [
                "ai-portal:restoreToTime : is not set, but restoreSourceDb is: say which point of its backups to restore",
            ],
        ],
        [
            "a snapshot and a source",
            { restoreFromSnapshot: RECOVERY_POINT, restoreSourceDb: "ai-portal-prod-postgres" },
            [
                "ai-portal:restoreSourceDb ai-portal-prod-postgres: is set together with restoreFromSnapshot: a database is created from one backup",
            ],
        ],
        [
            "the stack's own database as the source",
            { restoreToTime: "latest", restoreSourceDb: "ai-portal-dev-postgres" },
            [
                "ai-portal:restoreSourceDb ai-portal-dev-postgres: is this stack's own database: a point-in-time restore creates a new instance beside its source, under another stack",
            ],
        ],
        [
            "February the 30th",
            { restoreToTime: "2026-02-30T02:00:00Z", restoreSourceDb: "ai-portal-prod-postgres" },
            ["ai-portal:restoreToTime 2026-02-30T02:00:00Z: is not a real date and time"],
        ],
    ];
    for (const [what, overrides, expected] of cases) {
        it(`refuses ${what}, naming key, value and why`, () => {
            assert.deepStrictEqual(problemsOf("dev", overrides), expected);
        });
    }
});

describe("a stack restored from a snapshot (the drill stack)", () => {
    it("creates its database from the snapshot, with no storage key of its own (RDS keeps the backup's), and ignores the restore once created", async () => {
        const run = await runProgram(
            { stack: "drill", overrides: { restoreFromSnapshot: RECOVERY_POINT } },
            {},
        );
        assert.ifError(run.error);
        const db = named(run, INSTANCE, "data-postgres");
        assert.deepStrictEqual(
            {
                snapshotIdentifier: db.inputs.snapshotIdentifier,
                restoreToPointInTime: db.inputs.restoreToPointInTime,
                dbName: db.inputs.dbName,
                username: db.inputs.username,
                kmsKeyId: db.inputs.kmsKeyId,
                manageMasterUserPassword: db.inputs.manageMasterUserPassword,
                storageEncrypted: db.inputs.storageEncrypted,
                allocatedStorage: db.inputs.allocatedStorage,
                identifier: db.inputs.identifier,
                multiAz: db.inputs.multiAz,
                deletionProtection: db.inputs.deletionProtection,
                skipFinalSnapshot: db.inputs.skipFinalSnapshot,
                protect: db.protect,
                ignoreChanges: [...db.ignoreChanges].sort(),
            },
            {
                snapshotIdentifier: RECOVERY_POINT,
                restoreToPointInTime: undefined,
                dbName: "aiportal",
                username: "portal_admin",
                kmsKeyId: undefined,
                manageMasterUserPassword: true,
                storageEncrypted: true,
                allocatedStorage: 20,
                identifier: "ai-portal-drill-postgres",
                multiAz: false,
                deletionProtection: false,
                skipFinalSnapshot: true,
                protect: false,
                ignoreChanges: IGNORED,
            },
        );
        assert.strictEqual(run.outputs.dbRestoredFrom, RECOVERY_POINT);
    });

    it("keeps the secrets wiring: the role bootstrap runs against the restored instance with its new RDS-managed master secret", async () => {
        const run = await runProgram(
            { stack: "drill", overrides: { restoreFromSnapshot: RECOVERY_POINT } },
            {},
        );
        assert.ifError(run.error);
        const db = named(run, INSTANCE, "data-postgres");
        const event = parseJson(
            named(run, "aws:lambda/invocation:Invocation", "db-role-run").inputs.input,
        );
        assert.deepStrictEqual(event, {
            host: db.state.address,
            port: 5432,
            masterSecretArn: db.state.masterUserSecrets[0].secretArn,
            appSecretArn: run.outputs.dbAppSecretArn,
            gateSecretArn: run.outputs.dbGateSecretArn,
        });
        assert.strictEqual(run.outputs.dbSecretArn, db.state.masterUserSecrets[0].secretArn);
        // The role's credentials are the drill's own: a new password the bootstrap sets.
        const appSecret = parseJson(
            named(
                run,
                "aws:secretsmanager/secretVersion:SecretVersion",
                "data-openwebui-credentials",
            ).inputs.secretString,
        );
        assert.deepStrictEqual(
            { username: appSecret.username, dbname: appSecret.dbname },
            { username: "openwebui", dbname: "aiportal" },
        );
    });

    it("a prod-like restore (a new prod-* stack) is protected as prod is", async () => {
        const run = await runProgram(
            { stack: "prod", overrides: { restoreFromSnapshot: RECOVERY_POINT } },
            {},
        );
        assert.ifError(run.error);
        const db = named(run, INSTANCE, "data-postgres");
        assert.deepStrictEqual(
            {
                snapshotIdentifier: db.inputs.snapshotIdentifier,
                deletionProtection: db.inputs.deletionProtection,
                skipFinalSnapshot: db.inputs.skipFinalSnapshot,
                multiAz: db.inputs.multiAz,
                protect: db.protect,
            },
            {
                snapshotIdentifier: RECOVERY_POINT,
                deletionProtection: true,
                skipFinalSnapshot: false,
                multiAz: true,
                protect: true,
            },
        );
    });

    it("restores a point in time of another instance's automated backups, at a time or the latest", async () => {
        for (const [time, block, named_] of [
            [
                "2026-12-06T02:00:00Z",
                {
                    sourceDbInstanceIdentifier: "ai-portal-prod-postgres",
                    restoreTime: "2026-12-06T02:00:00Z",
                },
                "ai-portal-prod-postgres@2026-12-06T02:00:00Z",
            ],
            [
                "latest",
                {
                    sourceDbInstanceIdentifier: "ai-portal-prod-postgres",
                    useLatestRestorableTime: true,
                },
                "ai-portal-prod-postgres@latest",
            ],
        ] as const) {
            const run = await runProgram(
                {
                    stack: "drill",
                    overrides: {
                        restoreFromSnapshot: "",
                        restoreToTime: time,
                        restoreSourceDb: "ai-portal-prod-postgres",
                    },
                },
                {},
            );
            assert.ifError(run.error);
            const db = named(run, INSTANCE, "data-postgres");
            assert.deepStrictEqual(
                {
                    snapshotIdentifier: db.inputs.snapshotIdentifier,
                    restoreToPointInTime: db.inputs.restoreToPointInTime,
                    dbName: db.inputs.dbName,
                    username: db.inputs.username,
                },
                {
                    snapshotIdentifier: undefined,
                    restoreToPointInTime: block,
                    dbName: "aiportal",
                    username: "portal_admin",
                },
            );
            assert.strictEqual(run.outputs.dbRestoredFrom, named_);
        }
    });

    it("an empty database (dev) names its own database and master user and says it was restored from nothing", async () => {
        const run = await runProgram({ stack: "dev" }, {});
        assert.ifError(run.error);
        const db = named(run, INSTANCE, "data-postgres");
        assert.deepStrictEqual(
            {
                snapshotIdentifier: db.inputs.snapshotIdentifier,
                dbName: db.inputs.dbName,
                username: db.inputs.username,
                ignoreChanges: [...db.ignoreChanges].sort(),
            },
            {
                snapshotIdentifier: undefined,
                dbName: "aiportal",
                username: "portal_admin",
                ignoreChanges: IGNORED,
            },
        );
        assert.strictEqual(run.outputs.dbRestoredFrom, "");
    });
});

describe("restore keys on a stack whose database already exists", () => {
    it("change no replace-forcing input of the instance that ignoreChanges does not cover, so a preview shows no replacement and the check below can speak", async () => {
        const table = JSON.parse(
            fs.readFileSync(
                path.join(__dirname, "..", "replacement", "replace-forcing.json"),
                "utf8",
            ),
        ) as { types: Record<string, { properties: string[] }> };
        const forcing = table.types[INSTANCE].properties;
        for (const overrides of [
            { restoreFromSnapshot: RECOVERY_POINT },
            { restoreToTime: "latest", restoreSourceDb: "ai-portal-dev-postgres" },
        ]) {
            const before = named(
                await runProgram({ stack: "prod" }, {}),
                INSTANCE,
                "data-postgres",
            );
            const after = named(
                await runProgram({ stack: "prod", overrides }, {}),
                INSTANCE,
                "data-postgres",
            );
            const changed = forcing.filter(
                (p) => JSON.stringify(before.inputs[p]) !== JSON.stringify(after.inputs[p]),
            );
            assert.deepStrictEqual(
                changed.filter((p) => !after.ignoreChanges.includes(p)),
                [],
                `${JSON.stringify(overrides)} changes ${changed.join(", ")}`,
            );
        }
    });

    it("prod, created empty: setting restoreFromSnapshot stops the deploy with why, instead of replacing its database", async () => {
        const run = await runProgram(
            { stack: "prod", overrides: { restoreFromSnapshot: RECOVERY_POINT } },
            // What the engine answers for the existing instance: the ignored input keeps its value.
            { mocks: { deployedState: { "data-postgres": { snapshotIdentifier: "" } } } },
        );
        assert.ok(run.error, "the deploy must stop");
        assert.ok(
            run.error.message.includes(
                `ai-portal:restoreFromSnapshot asks for the database to be restored from ${RECOVERY_POINT}, but ai-portal-prod-postgres already exists and was created empty. A restore happens only when the database is created, and a config change never replaces a database that holds data, so nothing was restored or replaced. Unset the key (pulumi config rm), or restore into a new stack (README "Restore and drill").`,
            ),
            run.error.message,
        );
        // The input is ignored (no replacement) whatever the config says.
        assert.ok(
            named(run, INSTANCE, "data-postgres").ignoreChanges.includes("snapshotIdentifier"),
        );
    });

    it("a drill restored from one recovery point, pointed at another: refused, naming the one it came from", async () => {
        const run = await runProgram(
            { stack: "drill", overrides: { restoreFromSnapshot: RECOVERY_POINT } },
            {
                mocks: {
                    deployedState: { "data-postgres": { snapshotIdentifier: DRILL_PLACEHOLDER } },
                },
            },
        );
        assert.ok(run.error, "the deploy must stop");
        assert.match(run.error.message, new RegExp(`was created from ${DRILL_PLACEHOLDER}\\.`));
    });

    it("prod, created empty, point in time asked: refused the same way", async () => {
        const run = await runProgram(
            {
                stack: "prod",
                overrides: { restoreToTime: "latest", restoreSourceDb: "ai-portal-dev-postgres" },
            },
            {
                // An instance created without one: the provider's state holds no such block.
                mocks: { deployedState: { "data-postgres": { restoreToPointInTime: null } } },
            },
        );
        assert.ok(run.error, "the deploy must stop");
        assert.match(
            run.error.message,
            /ai-portal:restoreToTime\/restoreSourceDb asks for the database to be restored from ai-portal-dev-postgres@latest, but ai-portal-prod-postgres already exists and was created empty\./,
        );
    });

    it("a restored drill whose key is later unset keeps its database and still says where it came from", async () => {
        const run = await runProgram(
            { stack: "drill", overrides: { restoreFromSnapshot: "" } },
            {
                mocks: {
                    deployedState: { "data-postgres": { snapshotIdentifier: RECOVERY_POINT } },
                },
            },
        );
        assert.ifError(run.error);
        assert.strictEqual(run.outputs.dbRestoredFrom, RECOVERY_POINT);
    });
});

describe("the drill stack's plan", () => {
    it("prices everything it declares, and a drill for the hours it takes", async () => {
        const run = await runProgram({ stack: "drill" }, {});
        assert.ifError(run.error);
        const plan = buildPlan(run);
        assert.deepStrictEqual(plan.cost.unpriced, []);
        const db = plan.cost.lines.filter((l) => l.resource === "data-postgres");
        assert.deepStrictEqual(
            db.map((l) => [l.item, l.quantity]),
            [
                ["RDS PostgreSQL db.t3.medium Single-AZ", 730],
                ["RDS gp3 storage Single-AZ", 20],
                ["Secrets Manager secret (RDS-managed master password)", 1],
            ],
        );
        const hours = Math.ceil((plan.deploy.criticalPathMinutes + 60 + 30) / 60);
        const usd = Math.round((plan.cost.monthlyUsd / 730) * hours * 100) / 100;
        assert.ok(
            renderCost(plan).includes(
                `  Restored from ${DRILL_PLACEHOLDER}: a drill (deploy ${plan.deploy.criticalPathMinutes} min, checks 60 min, destroy 30 min) costs $${usd.toFixed(2)} for ${hours} h at this rate.`,
            ),
            renderCost(plan).join("\n"),
        );
        // Cheaper than prod's month by design: single-AZ, one web host, one NAT gateway.
        const prod = buildPlan(await runProgram({ stack: "prod" }, {}));
        assert.ok(plan.cost.monthlyUsd < prod.cost.monthlyUsd / 2);
    });

    it("takes a restore as longer than an empty database's creation, a point in time longer still", () => {
        const base = { type: INSTANCE, custom: true };
        assert.deepStrictEqual(
            [
                creationMinutes({ ...base, inputs: { multiAz: false } }),
                creationMinutes({
                    ...base,
                    inputs: { multiAz: false, snapshotIdentifier: RECOVERY_POINT },
                }),
                creationMinutes({
                    ...base,
                    inputs: {
                        multiAz: true,
                        restoreToPointInTime: {
                            sourceDbInstanceIdentifier: "ai-portal-prod-postgres",
                            useLatestRestorableTime: true,
                        },
                    },
                }),
            ],
            [15, 25, 40],
        );
    });

    it("says nothing of a drill for a stack that restores nothing", async () => {
        const plan = buildPlan(await runProgram({ stack: "dev" }, {}));
        assert.ok(!renderCost(plan).some((l) => l.includes("Restored from")));
    });
});
