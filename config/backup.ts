/**
 * Backup keys: AWS Backup's plan for the database and the uploads bucket, the copy to a second EU
 * region, and Vault Lock (README "Backups off-site").
 */
import { isProductionStack, REGION } from "./common";
import { ConfigReader } from "./reader";
import { allRead, bool, int, oneOf, optionalText, readSpec, text } from "./spec";

/**
 * EU commercial regions AWS Backup runs in, other than the portal's own: where the DR vault may be.
 * AWS Backup's endpoints page lists them (https://docs.aws.amazon.com/general/latest/gr/bk.html).
 */
export const DR_REGIONS = [
    "eu-west-1",
    "eu-west-3",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
] as const;

/**
 * Vault Lock (AWS Backup Developer Guide, "AWS Backup Vault Lock"):
 * - `off`: no lock; whoever may call backup:DeleteRecoveryPoint can delete recovery points.
 * - `governance`: no one can delete a recovery point before its retention ends, nor shorten it,
 *   unless they hold backup:DeleteBackupVaultLockConfiguration to lift the lock first.
 * - `compliance`: the same, and after a 3-day grace time the lock is immutable: no user, not the
 *   root user, not AWS, can lift it or delete the vault while it holds recovery points.
 */
export const VAULT_LOCK_MODES = ["off", "governance", "compliance"] as const;
export type VaultLockMode = (typeof VAULT_LOCK_MODES)[number];

/** The grace time of a compliance lock (the API's minimum ChangeableForDays, its cooling-off). */
export const COMPLIANCE_GRACE_DAYS = 3;

/** Daily recovery points: at least a week (as RDS's own backups), at most a year. */
export const DAILY_RETENTION_DAYS = { min: 7, max: 365 };
/** Monthly recovery points: 0 (none) or up to ten years (AWS Backup allows 100). */
export const MONTHLY_RETENTION_DAYS = { min: 0, max: 3650 };

export interface BackupConfig {
    /** Days each daily recovery point (and its DR copy) is kept. */
    readonly dailyRetentionDays: number;
    /** Days each monthly recovery point (and its DR copy) is kept; 0 for no monthly rule. */
    readonly monthlyRetentionDays: number;
    /** The second EU region of the DR vault. */
    readonly drRegion: string;
    /** Whether every recovery point is copied to the DR vault. */
    readonly crossRegionCopy: boolean;
    readonly vaultLock: VaultLockMode;
}

/** The retention bounds a vault lock enforces: the shortest and longest rule. Pure. */
export function lockBounds(
    backup: Pick<BackupConfig, "dailyRetentionDays" | "monthlyRetentionDays">,
): {
    readonly minRetentionDays: number;
    readonly maxRetentionDays: number;
} {
    return {
        minRetentionDays: backup.dailyRetentionDays,
        maxRetentionDays: Math.max(backup.dailyRetentionDays, backup.monthlyRetentionDays),
    };
}

/** What `backupComplianceLockConfirmed` must say to turn on a compliance lock. Pure. */
export function complianceConfirmation(
    stack: string,
    backup: Pick<BackupConfig, "dailyRetentionDays" | "monthlyRetentionDays">,
): string {
    const { minRetentionDays, maxRetentionDays } = lockBounds(backup);
    return `${stack} ${minRetentionDays}-${maxRetentionDays}`;
}

export const BACKUP_SPEC = {
    backupDailyRetentionDays: int({
        ...DAILY_RETENTION_DAYS,
        allowed: `${DAILY_RETENTION_DAYS.min} to ${DAILY_RETENTION_DAYS.max} days`,
        outside: "is outside the retention the portal allows for daily backups",
        default: 35,
    }),
    backupMonthlyRetentionDays: int({
        ...MONTHLY_RETENTION_DAYS,
        allowed: `0 (no monthly backups) or up to ${MONTHLY_RETENTION_DAYS.max} days, longer than backupDailyRetentionDays`,
        outside: "is outside the retention the portal allows for monthly backups",
        default: 365,
    }),
    drRegion: text({
        allowed: `an EU region other than ${REGION}: ${DR_REGIONS.join(", ")}`,
        default: "eu-west-1",
        check: (v) =>
            v === REGION
                ? `is the portal's own region: a copy there does not survive the region's loss`
                : (DR_REGIONS as readonly string[]).includes(v)
                  ? undefined
                  : "is not an EU region AWS Backup runs in (the data stays in the EU)",
    }),
    backupCrossRegionCopy: bool(true),
    backupVaultLock: oneOf(VAULT_LOCK_MODES, "governance"),
    backupComplianceLockConfirmed: optionalText({
        allowed:
            '"<stack> <daily days>-<longest days>", e.g. "prod 35-365", only with backupVaultLock compliance',
    }),
};

export function readBackup(reader: ConfigReader, stack: string): BackupConfig | undefined {
    const v = readSpec(reader, BACKUP_SPEC);
    const before = reader.problems.length;
    const production = `stack "${stack}" is a production stack (prod or prod-*)`;
    if (
        v.backupDailyRetentionDays !== undefined &&
        v.backupMonthlyRetentionDays !== undefined &&
        v.backupMonthlyRetentionDays !== 0 &&
        v.backupMonthlyRetentionDays <= v.backupDailyRetentionDays
    ) {
        reader.report(
            reader.qualified("backupMonthlyRetentionDays"),
            String(v.backupMonthlyRetentionDays),
            `keeps monthly backups no longer than daily ones (backupDailyRetentionDays ${v.backupDailyRetentionDays}), so the monthly rule adds nothing`,
            `0, or more than ${v.backupDailyRetentionDays}`,
        );
    }
    if (isProductionStack(stack) && v.backupVaultLock === "off") {
        reader.report(
            reader.qualified("backupVaultLock"),
            "off",
            `is off, but ${production}: a deploy role that is compromised could delete its recovery points`,
            '"governance" or "compliance"',
        );
    }
    if (isProductionStack(stack) && v.backupCrossRegionCopy === false) {
        reader.report(
            reader.qualified("backupCrossRegionCopy"),
            "false",
            `is off, but ${production}: its backups must survive the loss of ${REGION}`,
            "true",
        );
    }
    if (
        v.backupVaultLock === "compliance" &&
        v.backupDailyRetentionDays !== undefined &&
        v.backupMonthlyRetentionDays !== undefined &&
        reader.problems.length === before
    ) {
        const expected = complianceConfirmation(stack, {
            dailyRetentionDays: v.backupDailyRetentionDays,
            monthlyRetentionDays: v.backupMonthlyRetentionDays,
        });
        if (v.backupComplianceLockConfirmed !== expected) {
            reader.report(
                reader.qualified("backupComplianceLockConfirmed"),
                v.backupComplianceLockConfirmed ?? "",
                `does not confirm backupVaultLock compliance. ${COMPLIANCE_GRACE_DAYS} days after the first \`pulumi up\` the lock can NEVER be lifted, its retention bounds never changed, and the vaults never deleted while they hold recovery points: not by you, the root user or AWS. If that is intended, set backupComplianceLockConfirmed to "${expected}"`,
                `"${expected}"`,
            );
        }
    } else if (
        v.backupVaultLock !== undefined &&
        v.backupVaultLock !== "compliance" &&
        v.backupComplianceLockConfirmed !== undefined
    ) {
        reader.report(
            reader.qualified("backupComplianceLockConfirmed"),
            v.backupComplianceLockConfirmed,
            `is set, but backupVaultLock is "${v.backupVaultLock}"`,
            '"" unless backupVaultLock is compliance',
        );
    }
    if (!allRead(BACKUP_SPEC, v) || reader.problems.length !== before) {
        return undefined;
    }
    return {
        dailyRetentionDays: v.backupDailyRetentionDays,
        monthlyRetentionDays: v.backupMonthlyRetentionDays,
        drRegion: v.drRegion,
        crossRegionCopy: v.backupCrossRegionCopy,
        vaultLock: v.backupVaultLock,
    };
}
