/**
 * An everyday change never destroys data: each change below, applied to prod, leaves every
 * replace-forcing property (tests/replacement/replace-forcing.json) of the stateful and slow
 * resources as it was, or covered by `ignoreChanges`, and every such resource keeps its URN.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DeclaredResource, ProgramRun, runProgram, RunOptions, runStack } from "../../offline/run";
import { StackConfigSource } from "../../offline/stackConfig";

const table = JSON.parse(
    fs.readFileSync(path.join(__dirname, "..", "replacement", "replace-forcing.json"), "utf8"),
) as {
    types: Record<string, { source: string; properties: string[] }>;
};

function valueAt(inputs: Record<string, unknown>, dotted: string): unknown {
    return dotted
        .split(".")
        .reduce<unknown>(
            (value, key) =>
                value && typeof value === "object"
                    ? (value as Record<string, unknown>)[key]
                    : undefined,
            inputs,
        );
}

/** Replace-forcing properties that differ and are not covered by the resource's ignoreChanges. */
function replacements(before: ProgramRun, after: ProgramRun): string[] {
    const found: string[] = [];
    for (const old of before.resources.filter((r) => r.type in table.types)) {
        const now = after.resources.find((r) => r.urn === old.urn);
        if (!now) {
            found.push(`${old.name}: gone (its URN changed or it was removed)`);
            continue;
        }
        for (const property of table.types[old.type].properties) {
            const changed =
                JSON.stringify(valueAt(old.inputs, property)) !==
                JSON.stringify(valueAt(now.inputs, property));
            if (changed && !now.ignoreChanges.includes(property.split(".")[0])) {
                found.push(
                    `${old.name}: ${property} ${JSON.stringify(valueAt(old.inputs, property))} -> ${JSON.stringify(valueAt(now.inputs, property))}`,
                );
            }
        }
    }
    return found;
}

const EVERYDAY_CHANGES: [string, Partial<StackConfigSource>, RunOptions?][] = [
    ["a larger database class", { overrides: { dbInstanceClass: "db.t3.large" } }],
    ["more database storage", { overrides: { dbAllocatedStorageGb: 50 } }],
    ["another backup window", { overrides: { dbBackupWindow: "01:00-01:30" } }],
    ["another maintenance window", { overrides: { dbMaintenanceWindow: "sat:04:00-sat:05:00" } }],
    ["a shorter backup retention", { overrides: { dbBackupRetentionDays: 14 } }],
    [
        "narrower client ranges",
        { overrides: { allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"] } },
    ],
    [
        "an Open WebUI image bump (a new pinned digest)",
        {
            overrides: {
                openWebUiImage: `ghcr.io/open-webui/open-webui:v0.11.1@sha256:${"9".repeat(64)}`,
            },
        },
    ],
    ["a new Amazon Linux AMI published", {}, { mocks: { al2023AmiId: "ami-0123456789abcdef0" } }],
    ["an upstream tag moved", {}, { mocks: { registryRevision: "moved" } }],
    ["longer log retention", { overrides: { logRetentionDays: 180, flowLogRetentionDays: 731 } }],
    ["a larger web host", { overrides: { webInstanceType: "t3.xlarge" } }],
    ["an alarm e-mail", { overrides: { alarmEmail: "oncall@example.com" } }],
];

describe("replacement safety (prod)", () => {
    let base: ProgramRun;
    before(async () => {
        base = await runStack("prod");
    });

    it("the table covers every stateful or slow resource type prod declares", () => {
        for (const type of [
            "aws:rds/instance:Instance",
            "aws:directoryservice/directory:Directory",
            "aws:s3/bucket:Bucket",
            "aws:ec2/eip:Eip",
            "aws:ec2/instance:Instance",
        ]) {
            assert.ok(type in table.types, type);
            assert.ok(
                base.resources.some((r) => r.type === type),
                `prod declares ${type}`,
            );
        }
    });

    for (const [what, source, options] of EVERYDAY_CHANGES) {
        it(`${what}: nothing stateful is replaced`, async () => {
            const changed = await runProgram({ stack: "prod", ...source }, options ?? {});
            assert.ifError(changed.error);
            assert.deepStrictEqual(replacements(base, changed), []);
        });
    }

    it("another SSH range (key pair already set): nothing stateful is replaced", async () => {
        const withKey = await runProgram({
            stack: "prod",
            overrides: { sshKeyName: "ops", sshCidrs: ["198.51.100.0/24"] },
        });
        const more = await runProgram({
            stack: "prod",
            overrides: { sshKeyName: "ops", sshCidrs: ["198.51.100.0/24", "192.0.2.0/24"] },
        });
        assert.deepStrictEqual(replacements(withKey, more), []);
    });

    it("adding a key pair to a running host is not everyday: AWS sets key pairs at launch only (documented)", async () => {
        const withKey = await runProgram({
            stack: "prod",
            overrides: { sshKeyName: "ops", sshCidrs: ["198.51.100.0/24"] },
        });
        assert.deepStrictEqual(replacements(base, withKey), [
            'compute-web-instance: keyName undefined -> "ops"',
        ]);
    });

    it("the check itself notices a replacing change (a new database name would replace the instance)", () => {
        const renamed: ProgramRun = {
            ...base,
            resources: base.resources.map((r): DeclaredResource =>
                r.type === "aws:rds/instance:Instance"
                    ? { ...r, inputs: { ...r.inputs, dbName: "other" } }
                    : r,
            ),
        };
        assert.deepStrictEqual(replacements(base, renamed), [
            'data-postgres: dbName "aiportal" -> "other"',
        ]);
    });

    it("stateful resources stay protected in prod whatever the everyday change", async () => {
        const changed = await runProgram({
            stack: "prod",
            overrides: { dbInstanceClass: "db.t3.large" },
        });
        const protectedNames = changed.resources
            .filter((r) => r.protect)
            .map((r) => r.name)
            .sort();
        assert.deepStrictEqual(protectedNames, [
            "compute-uploads-bucket",
            "compute-web-eip",
            "data-postgres",
            "directory-ad",
        ]);
    });
});

/** Names of the resources whose inputs differ between two runs (same URNs on both sides). */
function changedResources(before: ProgramRun, after: ProgramRun): string[] {
    assert.deepStrictEqual(
        after.resources.map((r) => r.urn).sort(),
        before.resources.map((r) => r.urn).sort(),
        "the same resources",
    );
    return before.resources
        .filter(
            (old) =>
                JSON.stringify(old.inputs) !==
                JSON.stringify(after.resources.find((r) => r.urn === old.urn)!.inputs),
        )
        .map((r) => `${r.type.split(":").pop()} ${r.name}`)
        .sort();
}

/** The lines of one host's user data that differ between two runs. */
function userDataChanges(before: ProgramRun, after: ProgramRun, role: "web" | "gateway"): string[] {
    const lines = (run: ProgramRun) =>
        (
            run.resources.find((r) => r.name === `compute-${role}-instance`)!.inputs
                .userData as string
        ).split("\n");
    const [a, b] = [lines(before), lines(after)];
    assert.strictEqual(a.length, b.length);
    return b
        .filter((line, i) => line !== a[i])
        .map((line) => line.replace(/:v-[0-9a-f]{32}/g, ":<version>"));
}

describe("a credential change reaches the hosts that use it (prod), replacing nothing", () => {
    let base: ProgramRun;
    before(async () => {
        base = await runStack("prod");
    });

    const cases: [string, string, string[], Record<"web" | "gateway", string[]>][] = [
        [
            "Open WebUI's database password",
            "data-openwebui-password",
            [
                "Instance compute-web-instance",
                "Invocation db-role-run",
                "SecretVersion data-openwebui-credentials",
            ],
            {
                web: [
                    "SECRET_VERSIONS='bind:<version> database:<version> gateway-key:<version> web:<version>'",
                ],
                gateway: [],
            },
        ],
        [
            "the LDAP bind password",
            "ldap-bind-password",
            [
                "Command ldap-bind-account",
                "Instance compute-web-instance",
                "SecretVersion ldap-bind-credentials",
            ],
            {
                web: [
                    "SECRET_VERSIONS='bind:<version> database:<version> gateway-key:<version> web:<version>'",
                ],
                gateway: [],
            },
        ],
        [
            "the gateway's API key",
            "compute-gateway-api-key",
            [
                "Instance compute-gateway-instance",
                "Instance compute-web-instance",
                "SecretVersion compute-gateway-api-key",
            ],
            {
                web: [
                    "SECRET_VERSIONS='bind:<version> database:<version> gateway-key:<version> web:<version>'",
                ],
                gateway: ["SECRET_VERSIONS='gateway-key:<version>'"],
            },
        ],
    ];
    for (const [what, password, changed, lines] of cases) {
        it(`${what}: a new secret version, and the hosts' user data names it (EC2 stops and starts them, their boot scripts read it)`, async () => {
            const rotated = await runProgram(
                { stack: "prod" },
                { mocks: { rotatedPasswords: [password] } },
            );
            assert.ifError(rotated.error);
            assert.deepStrictEqual(changedResources(base, rotated), changed);
            assert.deepStrictEqual(userDataChanges(base, rotated, "web"), lines.web);
            assert.deepStrictEqual(userDataChanges(base, rotated, "gateway"), lines.gateway);
            assert.deepStrictEqual(
                replacements(base, rotated),
                [],
                "user data changes apply by stop/start (userDataReplaceOnChange: false)",
            );
        });
    }
});
