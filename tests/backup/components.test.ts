/**
 * The Backups component constructed alone under the mocks: prod's locked vaults in two regions and
 * the copy between them, dev's single unlocked vault, the role's policies, and protection.
 */
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { Backups, BackupsArgs } from "../../backup";
import { BackupConfig } from "../../config";
import { parseWorkingHours, WorkingHours } from "../../config/governance";
import { ACCOUNT_ID } from "../../offline/mocks";
import { ProgramRun } from "../../offline/run";
import { childNames, runComponent } from "../harness/component";
import { named, ofType, parseJson } from "../harness/query";

const PROD: BackupConfig = {
    dailyRetentionDays: 35,
    monthlyRetentionDays: 365,
    drRegion: "eu-west-1",
    crossRegionCopy: true,
    vaultLock: "governance",
};
const DEV: BackupConfig = {
    dailyRetentionDays: 7,
    monthlyRetentionDays: 0,
    drRegion: "eu-west-1",
    crossRegionCopy: false,
    vaultLock: "off",
};
const BUCKET_ARN = "arn:aws:s3:::ai-portal-test-uploads-abc";

function backups(
    backup: BackupConfig,
    args: Partial<BackupsArgs> = {},
    drRegion = backup.drRegion,
): Promise<ProgramRun> {
    return runComponent((opts) => {
        const drProvider = backup.crossRegionCopy
            ? new aws.Provider("aws-dr", { region: drRegion as aws.Region })
            : undefined;
        const b = new Backups(
            "backup",
            {
                namePrefix: "ai-portal-test",
                region: "eu-west-2",
                backup,
                dbInstanceIdentifier: "ai-portal-test-postgres",
                uploadsBucketArn: BUCKET_ARN,
                customerManagedKeys: backup.crossRegionCopy,
                protect: backup.vaultLock !== "off",
                drProvider,
                ...args,
            },
            opts,
        );
        return { vaultArn: b.vaultArn, drVaultArn: b.drVaultArn, roleArn: b.roleArn };
    });
}

describe("Backups (component)", () => {
    it("prod: keyed vaults in eu-west-2 and eu-west-1, each locked between 35 and 365 days, all protected", async () => {
        const run = await backups(PROD);
        assert.ifError(run.error);
        assert.deepStrictEqual(childNames(run), [
            "backup",
            "backup-dr-key",
            "backup-dr-key-alias",
            "backup-dr-vault",
            "backup-dr-vault-lock",
            "backup-key",
            "backup-key-alias",
            "backup-plan",
            "backup-role",
            "backup-role-backup",
            "backup-role-restores",
            "backup-role-s3backup",
            "backup-role-s3restore",
            "backup-selection",
            "backup-uploads-replica-bucket",
            "backup-uploads-replica-encryption",
            "backup-uploads-replica-lifecycle",
            "backup-uploads-replica-ownership",
            "backup-uploads-replica-public-access",
            "backup-uploads-replica-role",
            "backup-uploads-replica-role-policy",
            "backup-uploads-replica-tls-only",
            "backup-uploads-replica-versioning",
            "backup-vault",
            "backup-vault-lock",
        ]);
        const vault = named(run, "aws:backup/vault:Vault", "backup-vault");
        const drVault = named(run, "aws:backup/vault:Vault", "backup-dr-vault");
        const key = named(run, "aws:kms/key:Key", "backup-key");
        const drKey = named(run, "aws:kms/key:Key", "backup-dr-key");
        assert.strictEqual(vault.inputs.name, "ai-portal-test-backup");
        assert.strictEqual(drVault.inputs.name, "ai-portal-test-backup-dr");
        // Each vault under the key of its own region, declared through that region's provider.
        assert.strictEqual(vault.inputs.kmsKeyArn, key.state.arn);
        assert.strictEqual(drVault.inputs.kmsKeyArn, drKey.state.arn);
        assert.match(key.state.arn, /^arn:aws:kms:eu-west-2:/);
        assert.match(drKey.state.arn, /^arn:aws:kms:eu-west-1:/);
        assert.match(drVault.provider, /::pulumi:providers:aws::aws-dr::/);
        assert.match(drKey.provider, /::pulumi:providers:aws::aws-dr::/);
        assert.match(vault.provider, /::pulumi:providers:aws::aws::/);
        assert.strictEqual(
            run.outputs.drVaultArn,
            `arn:aws:backup:eu-west-1:${ACCOUNT_ID}:backup-vault:ai-portal-test-backup-dr`,
        );
        for (const name of ["backup-vault-lock", "backup-dr-vault-lock"]) {
            const lock = named(
                run,
                "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
                name,
            );
            assert.deepStrictEqual(
                [
                    lock.inputs.minRetentionDays,
                    lock.inputs.maxRetentionDays,
                    lock.inputs.changeableForDays,
                ],
                [35, 365, undefined],
                `${name}: governance mode has no grace time`,
            );
            assert.strictEqual(lock.protect, true);
        }
        assert.strictEqual(
            named(
                run,
                "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
                "backup-dr-vault-lock",
            ).provider.includes("::aws-dr::"),
            true,
        );
        for (const r of [vault, drVault, key, drKey]) {
            assert.strictEqual(r.protect, true, `${r.name} is protected`);
        }
        assert.deepStrictEqual(
            [vault.inputs.forceDestroy, drVault.inputs.forceDestroy],
            [false, false],
        );
        assert.deepStrictEqual(
            [key.inputs.deletionWindowInDays, key.inputs.enableKeyRotation],
            [30, true],
        );
    });

    it("prod: daily kept 35 days and monthly 365, each copied to the DR vault's ARN with the same lifecycle", async () => {
        const run = await backups(PROD);
        const plan = named(run, "aws:backup/plan:Plan", "backup-plan");
        const drArn = `arn:aws:backup:eu-west-1:${ACCOUNT_ID}:backup-vault:ai-portal-test-backup-dr`;
        assert.strictEqual(plan.inputs.name, "ai-portal-test-data");
        assert.deepStrictEqual(plan.inputs.rules, [
            {
                ruleName: "daily",
                targetVaultName: "ai-portal-test-backup",
                schedule: "cron(0 5 ? * * *)",
                scheduleExpressionTimezone: "UTC",
                startWindow: 60,
                completionWindow: 180,
                lifecycle: { deleteAfter: 35 },
                copyActions: [{ destinationVaultArn: drArn, lifecycle: { deleteAfter: 35 } }],
            },
            {
                ruleName: "monthly",
                targetVaultName: "ai-portal-test-backup",
                schedule: "cron(0 5 1 * ? *)",
                scheduleExpressionTimezone: "UTC",
                startWindow: 60,
                completionWindow: 180,
                lifecycle: { deleteAfter: 365 },
                copyActions: [{ destinationVaultArn: drArn, lifecycle: { deleteAfter: 365 } }],
            },
        ]);
    });

    it("selects exactly the database instance and the uploads bucket, with the backup role", async () => {
        const run = await backups(PROD);
        const selection = named(run, "aws:backup/selection:Selection", "backup-selection");
        const role = named(run, "aws:iam/role:Role", "backup-role");
        assert.deepStrictEqual(selection.inputs.resources, [
            `arn:aws:rds:eu-west-2:${ACCOUNT_ID}:db:ai-portal-test-postgres`,
            BUCKET_ARN,
        ]);
        assert.strictEqual(selection.inputs.iamRoleArn, role.state.arn);
        assert.strictEqual(
            selection.inputs.planId,
            named(run, "aws:backup/plan:Plan", "backup-plan").id,
        );
        // AWS Backup checks the role when the selection is created: its policies come first.
        for (const attachment of ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
            assert.ok(selection.dependencies.includes(attachment.urn), attachment.name);
        }
    });

    it("gives the role AWS Backup's four managed policies for RDS and S3, and nothing else", async () => {
        const run = await backups(PROD);
        const role = named(run, "aws:iam/role:Role", "backup-role");
        assert.deepStrictEqual(parseJson(role.inputs.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "backup.amazonaws.com" },
                    Action: "sts:AssumeRole",
                },
            ],
        });
        assert.strictEqual(role.inputs.inlinePolicies, undefined);
        assert.deepStrictEqual(
            ofType(run, "aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.role),
            // The uploads replication role's only; none on AWS Backup's.
            [named(run, "aws:iam/role:Role", "backup-uploads-replica-role").id],
        );
        assert.deepStrictEqual(
            ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .map((a) => [a.inputs.role, a.inputs.policyArn])
                .sort(),
            [
                [
                    "ai-portal-test-backup",
                    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
                ],
                [
                    "ai-portal-test-backup",
                    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
                ],
                [
                    "ai-portal-test-backup",
                    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                ],
                [
                    "ai-portal-test-backup",
                    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
                ],
            ],
        );
    });

    it("compliance: both locks get the 3-day grace time, after which they are immutable", async () => {
        const run = await backups({ ...PROD, vaultLock: "compliance" });
        for (const lock of ofType(
            run,
            "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        )) {
            assert.strictEqual(lock.inputs.changeableForDays, 3, lock.name);
        }
    });

    it("another DR region: the copy goes to that region's vault", async () => {
        const run = await backups({ ...PROD, drRegion: "eu-central-1" });
        assert.strictEqual(
            named(run, "aws:backup/plan:Plan", "backup-plan").inputs.rules[0].copyActions[0]
                .destinationVaultArn,
            `arn:aws:backup:eu-central-1:${ACCOUNT_ID}:backup-vault:ai-portal-test-backup-dr`,
        );
    });

    it("dev: one unlocked vault under AWS Backup's own key, deletable, no copy, daily only on working days", async () => {
        const hours = parseWorkingHours("Mon-Fri 07:00-19:00 Europe/London") as WorkingHours;
        const run = await backups(DEV, {
            workingHours: hours,
            customerManagedKeys: false,
            protect: false,
        });
        assert.ifError(run.error);
        assert.deepStrictEqual(childNames(run), [
            "backup",
            "backup-plan",
            "backup-role",
            "backup-role-backup",
            "backup-role-restores",
            "backup-role-s3backup",
            "backup-role-s3restore",
            "backup-selection",
            "backup-vault",
        ]);
        const vault = named(run, "aws:backup/vault:Vault", "backup-vault");
        assert.deepStrictEqual(
            [vault.inputs.kmsKeyArn, vault.inputs.forceDestroy, vault.protect],
            [undefined, true, false],
        );
        assert.strictEqual(run.outputs.drVaultArn, undefined);
        assert.deepStrictEqual(named(run, "aws:backup/plan:Plan", "backup-plan").inputs.rules, [
            {
                ruleName: "daily",
                targetVaultName: "ai-portal-test-backup",
                schedule: "cron(0 8 ? * MON,TUE,WED,THU,FRI *)",
                scheduleExpressionTimezone: "Europe/London",
                startWindow: 60,
                completionWindow: 180,
                lifecycle: { deleteAfter: 7 },
                copyActions: [],
            },
        ]);
    });

    it("refuses a cross-region copy without a provider for the DR region", async () => {
        const run = await backups(PROD, { drProvider: undefined });
        assert.match(String(run.error), /crossRegionCopy needs a provider for eu-west-1/);
    });
});
