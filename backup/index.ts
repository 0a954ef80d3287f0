/**
 * AWS Backup for the portal's data (README "Backups off-site"): the database and the uploads bucket
 * backed up daily (and monthly) into a vault in eu-west-2, each recovery point copied to a vault
 * in the DR region, both vaults under Vault Lock on production stacks.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BackupConfig, WorkingHours } from "../config";
import { lockBounds, COMPLIANCE_GRACE_DAYS } from "../config/backup";
import { uploadsBucketPrefix } from "../compute/uploadsBucket";
import { declarePrivateBucket } from "../lib/privateBucket";
import { serviceTrustPolicy } from "../lib/trust";
import { BACKUP_ROLE_POLICIES } from "./managedPolicies";
import { backupRules, COMPLETION_WINDOW_MINUTES, START_WINDOW_MINUTES } from "./rules";

export { BACKUP_ROLE_POLICIES } from "./managedPolicies";

export interface BackupsArgs {
    /** Prefix for vault, plan, key and role names, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The stack's region (the RDS instance's, for its ARN). Required. */
    readonly region: string;
    /** Retention, DR region and copy, Vault Lock (config/backup.ts). Required. */
    readonly backup: BackupConfig;
    /** When the stack sleeps (dev): backups run in its working hours. Defaults to daily at 05:00 UTC. */
    readonly workingHours?: WorkingHours;
    /** The RDS instance's identifier. Required. */
    readonly dbInstanceIdentifier: pulumi.Input<string>;
    /**
     * The uploads bucket's ARN (versioned, as AWS Backup for S3 requires). Usually a deferred
     * output: the bucket needs this component's `uploadsReplication` first. Required.
     */
    readonly uploadsBucketArn: pulumi.Input<string>;
    /** The key of the uploads (the stack's data key); defaults to SSE-S3. */
    readonly uploadsKeyArn?: pulumi.Input<string>;
    /**
     * Vaults under keys of their own (one per region), as `encryptionKey: customer-managed`
     * stacks have; otherwise AWS Backup's AWS-managed key. Required.
     */
    readonly customerManagedKeys: boolean;
    /** Pulumi `protect` on the vaults, their locks and keys, and no forceDestroy. Required. */
    readonly protect: boolean;
    /** An AWS provider for `backup.drRegion`, with the stack's default tags; required with crossRegionCopy. */
    readonly drProvider?: aws.Provider;
}

/**
 * The backup vaults, plan, selection and role. Why keys of their own rather than the stack's
 * data key: the DR vault needs a key in the DR region anyway (KMS keys are regional); the data
 * key's policy is rebuilt from the roles of the running stack, while a backup key must outlive
 * them; and a restore needs only the backup key, not the source's.
 */
export class Backups extends pulumi.ComponentResource {
    public readonly vaultArn: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;
    /** The DR region's vault; undefined without crossRegionCopy. */
    public readonly drVaultArn?: pulumi.Output<string>;
    public readonly planId: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;
    /** The uploads replica's bucket in the DR region; undefined without crossRegionCopy. */
    public readonly uploadsReplicaBucketArn?: pulumi.Output<string>;
    /** What the uploads bucket replicates with (its `replicationConfiguration`); undefined without crossRegionCopy. */
    public readonly uploadsReplication?: pulumi.Output<aws.types.input.s3.BucketReplicationConfiguration>;

    constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:backup:Backups", name, {}, opts);
        const parent = { parent: this };
        const { backup, protect } = args;
        if (backup.crossRegionCopy && !args.drProvider) {
            throw new Error(`${name}: crossRegionCopy needs a provider for ${backup.drRegion}`);
        }
        const partition = aws.getPartitionOutput({}, parent).partition;
        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
        const stateful = (provider?: aws.Provider) => ({ parent: this, protect, provider });

        // One vault (and key) per region; `where` is "" for eu-west-2, "-dr" for the DR region.
        const declareVault = (where: "" | "-dr", region: string, provider?: aws.Provider) => {
            const key = args.customerManagedKeys
                ? new aws.kms.Key(
                      `${name}${where}-key`,
                      {
                          description: `Encrypts ${args.namePrefix}'s backups in ${region} (AWS Backup vault)`,
                          keyUsage: "ENCRYPT_DECRYPT",
                          enableKeyRotation: true,
                          deletionWindowInDays: protect ? 30 : 7,
                          tags: { Name: `${args.namePrefix}-backup${where}` },
                      },
                      stateful(provider),
                  )
                : undefined;
            if (key) {
                new aws.kms.Alias(
                    `${name}${where}-key-alias`,
                    { name: `alias/${args.namePrefix}-backup${where}`, targetKeyId: key.keyId },
                    { parent: this, provider },
                );
            }
            const vault = new aws.backup.Vault(
                `${name}${where}-vault`,
                {
                    name: `${args.namePrefix}-backup${where}`,
                    kmsKeyArn: key?.arn,
                    // A disposable stack's vault goes with its recovery points; a protected one
                    // cannot be deleted while it holds any (nor, under a lock, can they).
                    forceDestroy: !protect,
                    tags: { Name: `${args.namePrefix}-backup${where}` },
                },
                // A vault's key is fixed at creation (a new one replaces the vault, which fails
                // while it holds recovery points): a vault keeps its key when the stack's
                // encryptionKey changes; new vaults get the new one.
                { ...stateful(provider), ignoreChanges: ["kmsKeyArn"] },
            );
            if (backup.vaultLock !== "off") {
                new aws.backup.VaultLockConfiguration(
                    `${name}${where}-vault-lock`,
                    {
                        backupVaultName: vault.name,
                        ...lockBounds(backup),
                        // Governance: no grace time, the lock can be lifted by whoever holds
                        // backup:DeleteBackupVaultLockConfiguration. Compliance: immutable after it.
                        changeableForDays:
                            backup.vaultLock === "compliance" ? COMPLIANCE_GRACE_DAYS : undefined,
                    },
                    stateful(provider),
                );
            }
            return { vault, key };
        };

        const { vault } = declareVault("", args.region);
        const dr = backup.crossRegionCopy
            ? declareVault("-dr", backup.drRegion, args.drProvider)
            : undefined;
        const drVault = dr?.vault;
        const replica = dr && this.declareReplica(name, args, dr.key, partition, accountId);

        // AWS Backup assumes the role only when a backup selection or job of this account names it
        // (iam:PassRole), as EC2 and Lambda do; its guide documents no source condition for it.
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: `${args.namePrefix}-backup`,
                description: `AWS Backup backs up and restores ${args.namePrefix}'s database and uploads`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "backup.amazonaws.com" },
                            Action: "sts:AssumeRole",
                        },
                    ],
                }),
                tags: { Name: `${args.namePrefix}-backup` },
            },
            parent,
        );
        const attachments = BACKUP_ROLE_POLICIES.map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-role-${policy.split("/").pop()!.replace("AWSBackupServiceRolePolicyFor", "").toLowerCase()}`,
                    {
                        role: role.name,
                        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`,
                    },
                    parent,
                ),
        );

        const plan = new aws.backup.Plan(
            `${name}-plan`,
            {
                name: `${args.namePrefix}-data`,
                rules: backupRules(backup, args.workingHours).map((rule) => ({
                    ruleName: rule.name,
                    targetVaultName: vault.name,
                    schedule: rule.schedule,
                    scheduleExpressionTimezone: rule.timeZone,
                    startWindow: START_WINDOW_MINUTES,
                    completionWindow: COMPLETION_WINDOW_MINUTES,
                    lifecycle: { deleteAfter: rule.retentionDays },
                    copyActions: drVault
                        ? [
                              {
                                  destinationVaultArn: drVault.arn,
                                  lifecycle: { deleteAfter: rule.retentionDays },
                              },
                          ]
                        : [],
                })),
                tags: { Name: `${args.namePrefix}-data` },
            },
            parent,
        );

        new aws.backup.Selection(
            `${name}-selection`,
            {
                name: `${args.namePrefix}-data`,
                planId: plan.id,
                iamRoleArn: role.arn,
                resources: [
                    pulumi.interpolate`arn:${partition}:rds:${args.region}:${accountId}:db:${args.dbInstanceIdentifier}`,
                    args.uploadsBucketArn,
                ],
            },
            // AWS Backup checks at once that it can assume the role with its policies.
            { parent: this, dependsOn: attachments },
        );

        this.vaultArn = vault.arn;
        this.vaultName = vault.name;
        this.drVaultArn = drVault?.arn;
        this.planId = plan.id;
        this.roleArn = role.arn;
        this.uploadsReplicaBucketArn = replica?.bucketArn;
        this.uploadsReplication = replica?.replication;
        this.registerOutputs({
            vaultArn: this.vaultArn,
            vaultName: this.vaultName,
            drVaultArn: this.drVaultArn,
            planId: this.planId,
            roleArn: this.roleArn,
            uploadsReplicaBucketArn: this.uploadsReplicaBucketArn,
        });
    }

    /**
     * Live replication of the uploads to a bucket in the DR region: new and changed files arrive
     * there within minutes (S3 User Guide, "Replicating objects within and across Regions"),
     * which the daily copies cannot offer. Deletions are not replicated (DeleteMarkerReplication
     * Disabled), so a file deleted by mistake or by an attacker stays in the replica. The role
     * follows "Setting up permissions for live replication" and, for SSE-KMS objects,
     * "Replicating encrypted objects": read the source's versions and decrypt them through S3 in
     * eu-west-2, write replicas and encrypt them through S3 in the DR region, nothing else.
     */
    private declareReplica(
        name: string,
        args: BackupsArgs,
        drKey: aws.kms.Key | undefined,
        partition: pulumi.Output<string>,
        accountId: pulumi.Output<string>,
    ): {
        bucketArn: pulumi.Output<string>;
        replication: pulumi.Output<aws.types.input.s3.BucketReplicationConfiguration>;
    } {
        const drRegion = args.backup.drRegion;
        const replicaName = `${name}-uploads-replica`;
        const { bucket, versioning } = declarePrivateBucket(
            replicaName,
            {
                bucketPrefix: `${args.namePrefix}-uploads-dr-`,
                nameTag: `${args.namePrefix}-uploads-dr`,
                protect: args.protect,
                kmsKeyArn: drKey?.arn,
                lifecycleRules: [
                    {
                        id: "expire-old-versions-and-failed-uploads",
                        status: "Enabled",
                        filter: {},
                        // As the source keeps them; replicas of overwritten files go with them.
                        noncurrentVersionExpiration: { noncurrentDays: 90 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            this,
            args.drProvider,
        );
        // The source bucket's name is S3's (a prefix and a suffix), and the bucket names this role:
        // the trust matches the prefix, the permissions below the bucket itself.
        const role = new aws.iam.Role(
            `${replicaName}-role`,
            {
                name: `${args.namePrefix}-uploads-replication`,
                description: `S3 replicates ${args.namePrefix}'s uploads to ${drRegion}`,
                assumeRolePolicy: serviceTrustPolicy(
                    "s3.amazonaws.com",
                    accountId,
                    pulumi.interpolate`arn:${partition}:s3:::${uploadsBucketPrefix(args.namePrefix)}*`,
                ),
                tags: { Name: `${args.namePrefix}-uploads-replication` },
            },
            { parent: this },
        );
        const source = pulumi.output(args.uploadsBucketArn);
        new aws.iam.RolePolicy(
            `${replicaName}-role-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ReadTheSourceConfiguration",
                            Effect: "Allow",
                            Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                            Resource: source,
                        },
                        {
                            Sid: "ReadTheSourceVersions",
                            Effect: "Allow",
                            Action: [
                                "s3:GetObjectVersionForReplication",
                                "s3:GetObjectVersionAcl",
                                "s3:GetObjectVersionTagging",
                            ],
                            Resource: pulumi.interpolate`${source}/*`,
                        },
                        {
                            Sid: "WriteReplicas",
                            Effect: "Allow",
                            Action: ["s3:ReplicateObject", "s3:ReplicateTags"],
                            Resource: pulumi.interpolate`${bucket.arn}/*`,
                        },
                        ...(args.uploadsKeyArn
                            ? [
                                  {
                                      Sid: "DecryptTheSourceThroughS3",
                                      Effect: "Allow",
                                      Action: "kms:Decrypt",
                                      Resource: args.uploadsKeyArn,
                                      Condition: {
                                          StringEquals: {
                                              "kms:ViaService": `s3.${args.region}.amazonaws.com`,
                                          },
                                          StringLike: {
                                              "kms:EncryptionContext:aws:s3:arn": [
                                                  source,
                                                  pulumi.interpolate`${source}/*`,
                                              ],
                                          },
                                      },
                                  },
                              ]
                            : []),
                        ...(drKey
                            ? [
                                  {
                                      Sid: "EncryptReplicasThroughS3",
                                      Effect: "Allow",
                                      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
                                      Resource: drKey.arn,
                                      Condition: {
                                          StringEquals: {
                                              "kms:ViaService": `s3.${drRegion}.amazonaws.com`,
                                          },
                                          StringLike: {
                                              "kms:EncryptionContext:aws:s3:arn": [
                                                  bucket.arn,
                                                  pulumi.interpolate`${bucket.arn}/*`,
                                              ],
                                          },
                                      },
                                  },
                              ]
                            : []),
                    ],
                }),
            },
            { parent: this },
        );
        // S3 refuses a replication to a bucket whose versioning is not on yet: the source's
        // configuration names the replica once its versioning exists.
        const replication = pulumi
            .all([role.arn, bucket.arn, drKey?.arn, versioning.id])
            .apply(([roleArn, bucketArn, drKeyArn]) => ({
                role: roleArn,
                rules: [
                    {
                        id: "uploads-to-dr",
                        status: "Enabled",
                        priority: 1,
                        filter: {},
                        // A deletion in the source leaves the replica's file in place.
                        deleteMarkerReplicationStatus: "Disabled",
                        destination: {
                            bucket: bucketArn,
                            ...(drKeyArn ? { replicaKmsKeyId: drKeyArn } : {}),
                        },
                        ...(args.uploadsKeyArn
                            ? {
                                  sourceSelectionCriteria: {
                                      sseKmsEncryptedObjects: { enabled: true },
                                  },
                              }
                            : {}),
                    },
                ],
            }));
        return { bucketArn: bucket.arn, replication };
    }
}
