/**
 * An everyday change never destroys data: each change below, applied to prod (load-balanced) and,
 * where it touches the single host, to dev (single), leaves every replace-forcing property
 * (tests/replacement/replace-forcing.json) of the stateful and slow resources as it was, or
 * covered by `ignoreChanges`, and every such resource keeps its URN.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DeclaredResource, ProgramRun, runProgram, RunOptions, runStack } from "../../offline/run";
import { StackConfigSource } from "../../offline/stackConfig";
import { hostDeclaration, hostUserData, Role } from "../harness/hosts";

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
            const ignored =
                now.ignoreChanges.includes(property.split(".")[0]) ||
                now.ignoreChanges.includes(property);
            if (changed && !ignored) {
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
    ["a break-glass admin range", { overrides: { adminCidrs: ["198.51.100.0/24"] } }],
];

/** What changes only in the load-balanced tier (prod). */
const LOAD_BALANCED_CHANGES: [string, Partial<StackConfigSource>, RunOptions?][] = [
    ["more web hosts", { overrides: { webMinHosts: 3, webMaxHosts: 6 } }],
    ["more gateway hosts", { overrides: { gatewayMinHosts: 3 } }],
    ["a larger Redis node", { overrides: { redisNodeType: "cache.t4g.medium" } }],
    ["a shorter access-log retention", { overrides: { albAccessLogsRetentionDays: 30 } }],
];

/** The single-host tier (dev) takes the changes that touch its host and its Elastic IP. */
const SINGLE_CHANGES = EVERYDAY_CHANGES.filter(([what]) =>
    [
        "an Open WebUI image bump (a new pinned digest)",
        "a new Amazon Linux AMI published",
        "an upstream tag moved",
        "a larger web host",
        "a break-glass admin range",
    ].includes(what),
);

/** The stateful or slow resource types each web tier declares: the table must cover each. */
const STATEFUL_OR_SLOW = {
    both: [
        "aws:rds/instance:Instance",
        "aws:directoryservice/directory:Directory",
        "aws:s3/bucket:Bucket",
        "aws:secretsmanager/secret:Secret",
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/eip:Eip",
        "aws:backup/vault:Vault",
    ],
    dev: ["aws:ec2/instance:Instance"],
    prod: [
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:lb/targetGroup:TargetGroup",
        "aws:acm/certificate:Certificate",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:autoscaling/group:Group",
        "aws:wafv2/webAcl:WebAcl",
    ],
};

describe("the replace-forcing table", () => {
    it("names only properties the provider's types have", () => {
        for (const [type, { properties }] of Object.entries(table.types)) {
            const file = path.join(
                path.dirname(require.resolve("@pulumi/aws/package.json")),
                `${type.split(":")[1]}.d.ts`,
            );
            const args = /export interface \w+Args \{[\s\S]*?\n\}/.exec(
                fs.readFileSync(file, "utf8"),
            )![0];
            for (const property of properties) {
                assert.match(
                    args,
                    new RegExp(`\\n {4}${property.split(".")[0]}\\??:`),
                    `${type}: ${property}`,
                );
            }
        }
    });
});

for (const stack of ["dev", "prod"] as const) {
    describe(`replacement safety (${stack}, ${stack === "prod" ? "loadBalanced" : "single"})`, () => {
        let base: ProgramRun;
        before(async () => {
            base = await runStack(stack);
        });

        it("the table covers every stateful or slow resource type the stack declares", () => {
            for (const type of [...STATEFUL_OR_SLOW.both, ...STATEFUL_OR_SLOW[stack]]) {
                assert.ok(type in table.types, type);
                assert.ok(
                    base.resources.some((r) => r.type === type),
                    `${stack} declares ${type}`,
                );
            }
        });

        const changes =
            stack === "prod" ? [...EVERYDAY_CHANGES, ...LOAD_BALANCED_CHANGES] : SINGLE_CHANGES;
        for (const [what, source, options] of changes) {
            it(`${what}: nothing stateful is replaced`, async () => {
                const changed = await runProgram({ stack, ...source }, options ?? {});
                assert.ifError(changed.error);
                assert.deepStrictEqual(replacements(base, changed), []);
            });
        }
    });
}

describe("replacement safety: the single host's key pair (dev)", () => {
    it("another SSH range (key pair already set): nothing stateful is replaced", async () => {
        const withKey = await runProgram({
            stack: "dev",
            overrides: { sshKeyName: "ops", sshCidrs: ["198.51.100.0/24"] },
        });
        const more = await runProgram({
            stack: "dev",
            overrides: { sshKeyName: "ops", sshCidrs: ["198.51.100.0/24", "192.0.2.0/24"] },
        });
        assert.ifError(more.error);
        assert.deepStrictEqual(replacements(withKey, more), []);
    });

    it("adding a key pair to a running host is not everyday: AWS sets key pairs at launch only (documented)", async () => {
        const withKey = await runProgram({
            stack: "dev",
            overrides: { sshKeyName: "ops", sshCidrs: ["198.51.100.0/24"] },
        });
        assert.deepStrictEqual(replacements(await runStack("dev"), withKey), [
            'compute-web-instance: keyName undefined -> "ops"',
        ]);
    });
});

describe("replacement safety: moving a running stack to its own KMS key", () => {
    // A stack created before config `encryptionKey` existed has AWS-managed keys everywhere, as
    // `aws-managed` declares it; switching it to `customer-managed` must not replace (or, for a
    // protected database, fail to replace) anything stateful: those keep the key they have.
    for (const [stack, overrides] of [
        ["prod", {}],
        ["prod", { webTier: "single" }],
        ["dev", {}],
    ] as const) {
        it(`${stack}${"webTier" in overrides ? " (single)" : ""}: aws-managed -> customer-managed replaces nothing stateful`, async () => {
            const before = await runProgram({
                stack,
                overrides: { ...overrides, encryptionKey: "aws-managed" },
            });
            const after = await runProgram({
                stack,
                overrides: { ...overrides, encryptionKey: "customer-managed" },
            });
            assert.ifError(before.error);
            assert.ifError(after.error);
            assert.ok(after.resources.some((r) => r.type === "aws:kms/key:Key"));
            assert.deepStrictEqual(replacements(before, after), []);
        });
    }

    it("the database, its Performance Insights, the Redis and the gateway's image repository keep their keys; secrets, logs, the topic, the bucket and the templates move", async () => {
        const before = await runProgram({
            stack: "prod",
            overrides: { encryptionKey: "aws-managed" },
        });
        const after = await runStack("prod");
        const keyArn = after.resources.find((r) => r.name === "data-key-key")!.state.arn;
        const moved = after.resources
            .filter((r) => {
                const old = before.resources.find((b) => b.urn === r.urn);
                return old && JSON.stringify(old.inputs) !== JSON.stringify(r.inputs);
            })
            .filter((r) => JSON.stringify(r.inputs).includes(keyArn));
        const kept = moved.filter((r) =>
            r.ignoreChanges.some((p) => /kms|Kms|encryptionConfigurations/.test(p)),
        );
        assert.deepStrictEqual(kept.map((r) => `${r.name}: ${r.ignoreChanges.join(", ")}`).sort(), [
            "compute-gate-image-repo: encryptionConfigurations",
            "compute-gateway-image-repo: encryptionConfigurations",
            // With the restore inputs (data/restore.ts): a restore happens only at creation.
            "data-postgres: kmsKeyId, performanceInsightsKmsKeyId, masterUserSecretKmsKeyId, snapshotIdentifier, restoreToPointInTime",
            "session-store-redis: kmsKeyId",
        ]);
        assert.deepStrictEqual(
            moved
                .filter((r) => !kept.includes(r))
                .map((r) => `${r.type.split(":").pop()} ${r.name}`)
                .sort(),
            [
                "BucketServerSideEncryptionConfiguration compute-uploads-encryption",
                "LaunchTemplate compute-gateway-template",
                "LaunchTemplate compute-web-template",
                "LogGroup audit-logs",
                "LogGroup compute-gateway-logs",
                "LogGroup compute-web-logs",
                "LogGroup data-postgresql-logs",
                "LogGroup data-upgrade-logs",
                "LogGroup db-role-logs",
                "LogGroup directory-bind-check-logs",
                "LogGroup directory-policy-logs",
                "LogGroup network-flow-logs",
                // The uploads' replication role decrypts them with the stack's key (in place).
                "RolePolicy backup-uploads-replica-role-policy",
                "Secret compute-gateway-api-key",
                "Secret compute-web-secrets",
                "Secret data-openwebui-credentials",
                "Secret data-usage-gate-credentials",
                "Secret directory-admin-credentials",
                "Secret ldap-bind-credentials",
                "Secret session-store-auth",
                "Topic ops-alarms",
            ],
        );
    });
});

describe("replacement safety: the check itself", () => {
    /** prod's run with one resource's inputs changed. */
    async function prodWith(
        type: string,
        change: Record<string, unknown>,
    ): Promise<[ProgramRun, ProgramRun]> {
        const base = await runStack("prod");
        return [
            base,
            {
                ...base,
                resources: base.resources.map((r): DeclaredResource =>
                    r.type === type ? { ...r, inputs: { ...r.inputs, ...change } } : r,
                ),
            },
        ];
    }

    it("notices a replacing change (a new database name would replace the instance)", async () => {
        const [base, renamed] = await prodWith("aws:rds/instance:Instance", { dbName: "other" });
        assert.deepStrictEqual(replacements(base, renamed), [
            'data-postgres: dbName "aiportal" -> "other"',
        ]);
    });

    it("notices a replacing change in the load-balanced tier (Redis on another port)", async () => {
        const [base, moved] = await prodWith("aws:elasticache/replicationGroup:ReplicationGroup", {
            port: 6380,
        });
        assert.deepStrictEqual(replacements(base, moved), [
            "session-store-redis: port 6379 -> 6380",
        ]);
    });

    it("a resource that keeps its inputs but not its URN is reported as gone", async () => {
        const base = await runStack("prod");
        const renamed: ProgramRun = {
            ...base,
            resources: base.resources.map((r): DeclaredResource =>
                r.name === "edge-alb" ? { ...r, urn: r.urn.replace(/edge-alb$/, "edge-lb") } : r,
            ),
        };
        assert.deepStrictEqual(replacements(base, renamed), [
            "edge-alb: gone (its URN changed or it was removed)",
        ]);
    });
});

describe("replacement safety: protection", () => {
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
            // The audit trail is evidence: deleting its group deletes the records.
            "audit-logs",
            // The backups, their keys and locks, in both regions, and the uploads' replica.
            "backup-dr-key",
            "backup-dr-vault",
            "backup-dr-vault-lock",
            "backup-key",
            "backup-uploads-replica-bucket",
            "backup-vault",
            "backup-vault-lock",
            "compute-uploads-bucket",
            // Data under the stack's key is unreadable without it.
            "data-key-key",
            "data-postgres",
            "directory-ad",
            "edge-access-logs-bucket",
        ]);
    });

    it("a production stack on the single-host tier protects its Elastic IP too", async () => {
        const single = await runProgram({ stack: "prod", overrides: { webTier: "single" } });
        assert.ifError(single.error);
        assert.deepStrictEqual(
            single.resources
                .filter((r) => r.protect)
                .map((r) => r.name)
                .sort(),
            [
                "audit-logs",
                "backup-dr-key",
                "backup-dr-vault",
                "backup-dr-vault-lock",
                "backup-key",
                "backup-uploads-replica-bucket",
                "backup-vault",
                "backup-vault-lock",
                "compute-uploads-bucket",
                "compute-web-eip",
                "data-key-key",
                "data-postgres",
                "directory-ad",
            ],
        );
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

/** The lines of one role's user data (the host's, or its fleet's template's) that differ between two runs. */
function userDataChanges(before: ProgramRun, after: ProgramRun, role: Role): string[] {
    const lines = (run: ProgramRun) => hostUserData(run, role).split("\n");
    const [a, b] = [lines(before), lines(after)];
    assert.strictEqual(a.length, b.length);
    return b
        .filter((line, i) => line !== a[i])
        .map((line) => line.replace(/:v-[0-9a-f]{32}/g, ":<version>"));
}

type CredentialCase = [
    what: string,
    password: string,
    changed: string[],
    lines: Record<Role, string[]>,
];

/** What a rotated credential changes, per stack (dev: the single hosts; prod: the fleets' templates). */
const CREDENTIAL_CASES: Record<"dev" | "prod", CredentialCase[]> = {
    dev: [
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
                gateway: ["SECRET_VERSIONS='gateway-key:<version> usage-gate-db:<version>'"],
            },
        ],
    ],
    prod: [
        [
            "Open WebUI's database password",
            "data-openwebui-password",
            [
                "Invocation db-role-run",
                "LaunchTemplate compute-web-template",
                "SecretVersion data-openwebui-credentials",
            ],
            {
                web: [
                    "SECRET_VERSIONS='bind:<version> database:<version> gateway-key:<version> redis:<version> web:<version>'",
                ],
                gateway: [],
            },
        ],
        [
            "the LDAP bind password",
            "ldap-bind-password",
            [
                "Command ldap-bind-account",
                "LaunchTemplate compute-web-template",
                "SecretVersion ldap-bind-credentials",
            ],
            {
                web: [
                    "SECRET_VERSIONS='bind:<version> database:<version> gateway-key:<version> redis:<version> web:<version>'",
                ],
                gateway: [],
            },
        ],
        [
            "the gateway's API key",
            "compute-gateway-api-key",
            [
                "LaunchTemplate compute-gateway-template",
                "LaunchTemplate compute-web-template",
                "SecretVersion compute-gateway-api-key",
            ],
            {
                web: [
                    "SECRET_VERSIONS='bind:<version> database:<version> gateway-key:<version> redis:<version> web:<version>'",
                ],
                gateway: ["SECRET_VERSIONS='gateway-key:<version> usage-gate-db:<version>'"],
            },
        ],
        [
            "the Redis auth token",
            "session-store-auth-token",
            [
                "LaunchTemplate compute-web-template",
                "ReplicationGroup session-store-redis",
                "SecretVersion session-store-auth",
            ],
            {
                web: [
                    "SECRET_VERSIONS='bind:<version> database:<version> gateway-key:<version> redis:<version> web:<version>'",
                ],
                gateway: [],
            },
        ],
    ],
};

for (const stack of ["dev", "prod"] as const) {
    const loadBalanced = stack === "prod";
    describe(`a credential change reaches the hosts that use it (${stack}), replacing nothing`, () => {
        let base: ProgramRun;
        before(async () => {
            base = await runStack(stack);
        });

        for (const [what, password, changed, lines] of CREDENTIAL_CASES[stack]) {
            it(
                loadBalanced
                    ? `${what}: a new secret version, and the fleets' launch templates name it (a new template version, rolled out by instance refresh)`
                    : `${what}: a new secret version, and the hosts' user data names it (EC2 stops and starts them, their boot scripts read it)`,
                async () => {
                    const rotated = await runProgram(
                        { stack },
                        { mocks: { rotatedPasswords: [password] } },
                    );
                    assert.ifError(rotated.error);
                    assert.deepStrictEqual(changedResources(base, rotated), changed);
                    assert.deepStrictEqual(userDataChanges(base, rotated, "web"), lines.web);
                    assert.deepStrictEqual(
                        userDataChanges(base, rotated, "gateway"),
                        lines.gateway,
                    );
                    assert.deepStrictEqual(
                        replacements(base, rotated),
                        [],
                        loadBalanced
                            ? "a launch template change is a new version of the same template"
                            : "user data changes apply by stop/start (userDataReplaceOnChange: false)",
                    );
                },
            );
        }

        if (loadBalanced) {
            it("a new launch template version rolls each fleet by instance refresh, keeping half the hosts in service", () => {
                // AWS numbers the new version, so the mocks cannot show the group's input change:
                // what makes the group follow is that its version is the template's latest.
                for (const role of ["web", "gateway"] as const) {
                    const template = hostDeclaration(base, role);
                    const group = base.resources.find(
                        (r) =>
                            r.type === "aws:autoscaling/group:Group" &&
                            r.name === `compute-${role}-group`,
                    )!;
                    assert.deepStrictEqual(group.inputs.launchTemplate, {
                        id: template.id,
                        version: String(template.state.latestVersion),
                    });
                    assert.deepStrictEqual(group.propertyDependencies.launchTemplate, [
                        template.urn,
                    ]);
                    assert.strictEqual(group.inputs.instanceRefresh.strategy, "Rolling");
                    assert.ok(
                        Number(group.inputs.instanceRefresh.preferences.minHealthyPercentage) >= 50,
                        role,
                    );
                    // A new version becomes the default, so a scale-out launches it too.
                    assert.strictEqual(template.inputs.updateDefaultVersion, true, role);
                }
            });
        }
    });
}
