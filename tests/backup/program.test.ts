/**
 * The backups as the program wires them, per committed stack: prod's locked vaults in two regions
 * through a second provider with the stack's tags, the uploads replicated there (what clears the
 * compliance policy's replication finding), the contract outputs; dev's smaller plan.
 */
import * as assert from "assert";
import { forEachStack } from "../harness/stacks";
import { named, ofType, parseJson } from "../harness/query";

forEachStack("backups in the program", (ctx) => {
    const prod = () => ctx.stack === "prod";

    it("declares the vaults, locks and keys of its configuration, protected on prod", () => {
        const vaults = ofType(ctx.run, "aws:backup/vault:Vault").map((v) => [
            v.inputs.name,
            v.protect,
        ]);
        assert.deepStrictEqual(
            vaults.sort(),
            prod()
                ? [
                      ["ai-portal-prod-backup", true],
                      ["ai-portal-prod-backup-dr", true],
                  ]
                : [["ai-portal-dev-backup", false]],
        );
        assert.strictEqual(
            ofType(ctx.run, "aws:backup/vaultLockConfiguration:VaultLockConfiguration").length,
            prod() ? 2 : 0,
        );
    });

    it("backs up the stack's own database and uploads bucket", () => {
        const selection = named(ctx.run, "aws:backup/selection:Selection", "backup-selection");
        const bucket = named(ctx.run, "aws:s3/bucket:Bucket", "compute-uploads-bucket");
        assert.deepStrictEqual(selection.inputs.resources, [
            `arn:aws:rds:eu-west-2:123456789012:db:ai-portal-${ctx.stack}-postgres`,
            bucket.state.arn,
        ]);
    });

    it("pins the DR provider to drRegion with the stack's default tags (prod only)", () => {
        const providers = ofType(ctx.run, "pulumi:providers:aws");
        const dr = providers.filter((p) => p.name === "aws-dr");
        if (!prod()) {
            assert.strictEqual(dr.length, 0);
            return;
        }
        const main = providers.find((p) => p.name === "aws")!;
        assert.strictEqual(dr[0].inputs.region, "eu-west-1");
        assert.deepStrictEqual(
            parseJson(dr[0].inputs.defaultTags),
            parseJson(main.inputs.defaultTags),
        );
        assert.deepStrictEqual(parseJson(dr[0].inputs.defaultTags).tags, {
            Project: "ai-portal",
            Stack: "prod",
            ManagedBy: "pulumi",
        });
    });

    it("replicates the uploads live to the DR replica on prod, set on the bucket itself", () => {
        const uploads = named(ctx.run, "aws:s3/bucket:Bucket", "compute-uploads-bucket");
        if (!prod()) {
            assert.strictEqual(uploads.inputs.replicationConfiguration, undefined);
            assert.strictEqual(uploads.inputs.versioning, undefined);
            return;
        }
        const replica = named(ctx.run, "aws:s3/bucket:Bucket", "backup-uploads-replica-bucket");
        const role = named(ctx.run, "aws:iam/role:Role", "backup-uploads-replica-role");
        const drKey = named(ctx.run, "aws:kms/key:Key", "backup-dr-key");
        assert.match(replica.provider, /::aws-dr::/);
        assert.strictEqual(replica.protect, true);
        // What Pulumi's aws-s3-bucket-enable-replication-configuration checks: at least one rule.
        assert.deepStrictEqual(uploads.inputs.replicationConfiguration, {
            role: role.state.arn,
            rules: [
                {
                    id: "uploads-to-dr",
                    status: "Enabled",
                    priority: 1,
                    filter: {},
                    deleteMarkerReplicationStatus: "Disabled",
                    destination: { bucket: replica.state.arn, replicaKmsKeyId: drKey.state.arn },
                    sourceSelectionCriteria: { sseKmsEncryptedObjects: { enabled: true } },
                },
            ],
        });
        assert.deepStrictEqual(uploads.inputs.versioning, { enabled: true });
        assert.deepStrictEqual(parseJson(role.inputs.assumeRolePolicy).Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws:s3:::ai-portal-prod-uploads-*" },
        });
    });

    it("grants the replication role the source's versions and key, the replica and its key, nothing else", () => {
        if (!prod()) {
            // No replica without the DR copy, so no role may replicate anything.
            assert.deepStrictEqual(
                ofType(ctx.run, "aws:iam/rolePolicy:RolePolicy").filter((p) =>
                    p.name.startsWith("backup-uploads-replica"),
                ),
                [],
            );
            return;
        }
        const policy = parseJson(
            named(ctx.run, "aws:iam/rolePolicy:RolePolicy", "backup-uploads-replica-role-policy")
                .inputs.policy,
        );
        const source = named(ctx.run, "aws:s3/bucket:Bucket", "compute-uploads-bucket").state.arn;
        const replica = named(ctx.run, "aws:s3/bucket:Bucket", "backup-uploads-replica-bucket")
            .state.arn;
        const dataKey = named(ctx.run, "aws:kms/key:Key", "data-key-key").state.arn;
        const drKey = named(ctx.run, "aws:kms/key:Key", "backup-dr-key").state.arn;
        assert.deepStrictEqual(
            policy.Statement.map((s: any) => [s.Sid, s.Action, s.Resource]),
            [
                [
                    "ReadTheSourceConfiguration",
                    ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                    source,
                ],
                [
                    "ReadTheSourceVersions",
                    [
                        "s3:GetObjectVersionForReplication",
                        "s3:GetObjectVersionAcl",
                        "s3:GetObjectVersionTagging",
                    ],
                    `${source}/*`,
                ],
                ["WriteReplicas", ["s3:ReplicateObject", "s3:ReplicateTags"], `${replica}/*`],
                ["DecryptTheSourceThroughS3", "kms:Decrypt", dataKey],
                ["EncryptReplicasThroughS3", ["kms:Encrypt", "kms:GenerateDataKey"], drKey],
            ],
        );
        assert.deepStrictEqual(policy.Statement[3].Condition, {
            StringEquals: { "kms:ViaService": "s3.eu-west-2.amazonaws.com" },
            StringLike: { "kms:EncryptionContext:aws:s3:arn": [source, `${source}/*`] },
        });
        assert.deepStrictEqual(policy.Statement[4].Condition.StringEquals, {
            "kms:ViaService": "s3.eu-west-1.amazonaws.com",
        });
    });

    it("exports the vault ARNs and the recovery objectives", () => {
        const outputs = ctx.run.outputs;
        assert.strictEqual(
            outputs.backupVaultArn,
            `arn:aws:backup:eu-west-2:123456789012:backup-vault:ai-portal-${ctx.stack}-backup`,
        );
        assert.strictEqual(
            outputs.backupDrVaultArn,
            prod()
                ? "arn:aws:backup:eu-west-1:123456789012:backup-vault:ai-portal-prod-backup-dr"
                : undefined,
        );
        assert.deepStrictEqual(
            (outputs.recoveryObjectives as string[]).slice(0, 2),
            prod()
                ? ["database/in-region rpo=5 rto=40", "database/region-loss rpo=1740 rto=none"]
                : ["database/in-region rpo=5 rto=30", "database/region-loss rpo=none rto=none"],
        );
    });
});

forEachStack(
    "backups in the program: ordering",
    (ctx) => {
        it("creates the uploads bucket (and its replication) only once the replica is versioned", () => {
            const uploads = named(ctx.run, "aws:s3/bucket:Bucket", "compute-uploads-bucket");
            const versioning = named(
                ctx.run,
                "aws:s3/bucketVersioning:BucketVersioning",
                "backup-uploads-replica-versioning",
            );
            assert.ok(
                uploads.propertyDependencies.replicationConfiguration?.includes(versioning.urn),
                JSON.stringify(uploads.propertyDependencies.replicationConfiguration),
            );
        });
    },
    ["prod"],
);
