/**
 * Recovery point and recovery time objectives (RPO, RTO) per store, computed from the stack's
 * configuration and documented durations. Pure: the stack outputs, the plan and the README's table
 * all come from here. Figures are worst cases in minutes; `undefined` means "not recoverable in
 * that scenario" (RPO) or "no figure the program can stand behind" (RTO), and `basis` says why.
 */
import deployTimes from "../plan/deploy-times.json";
import type { BackupConfig, WorkingHours } from "../config";
import { COMPLETION_WINDOW_MINUTES, longestBackupGapHours, START_WINDOW_MINUTES } from "./rules";

export const STORES = ["database", "uploads", "directory"] as const;
export type Store = (typeof STORES)[number];

/**
 * - `in-region`: a mistake or corruption (a bad migration, a deleted chat or file), eu-west-2 up.
 * - `region-loss`: eu-west-2, or everything the stack's account holds there, is gone.
 */
export const SCENARIOS = ["in-region", "region-loss"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface RecoveryFigure {
    readonly store: Store;
    readonly scenario: Scenario;
    /** Most minutes of changes that can be lost; undefined: the store is not recoverable. */
    readonly rpoMinutes?: number;
    /** Minutes from the decision to restore to the store serving again; undefined: not stated. */
    readonly rtoMinutes?: number;
    /** Where the figures come from. */
    readonly basis: string;
}

export interface RecoveryInputs {
    readonly backup: Pick<BackupConfig, "crossRegionCopy" | "drRegion">;
    readonly multiAz: boolean;
    /** The stack's working hours, when it sleeps (dev): backups run on working days only. */
    readonly workingHours?: WorkingHours;
}

/**
 * RDS uploads each instance's transaction logs to S3 every 5 minutes, which bounds a
 * point-in-time restore (RDS User Guide, "Restoring a DB instance to a specified time":
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIT.html).
 */
export const PITR_LOG_UPLOAD_MINUTES = 5;

/**
 * A restore creates a new instance: as long as creating one (plan/deploy-times.json, from the RDS
 * User Guide), then the README's switch (identifiers swapped, `pulumi refresh`, hosts restarted).
 */
const RDS = deployTimes.byType["aws:rds/instance:Instance"];
export const SWITCH_MINUTES = 15;

/**
 * AWS Backup starts a copy job when its backup job completes (AWS Backup Developer Guide,
 * "Creating backup copies across AWS Regions":
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html). How long the
 * copy takes is not documented; an hour for a snapshot of tens of GB is an estimate (unverified).
 */
export const COPY_LAG_MINUTES = 60;

/**
 * S3 live replication copies most objects within 15 minutes; only Replication Time Control (not
 * used: it costs per GB) carries that as an SLA (S3 User Guide, "Meeting compliance requirements
 * with S3 Replication Time Control": https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html).
 */
export const REPLICATION_MINUTES = 15;

/**
 * Restoring previous object versions, or an AWS Backup S3 recovery point of a few GB into the
 * bucket: an estimate (AWS documents no duration; it grows with the number of objects).
 */
export const UPLOADS_RESTORE_MINUTES = 60;

/**
 * Managed AD takes a snapshot of the directory once a day by itself, and a restore completes when
 * the directory's stage is Active again (AWS Directory Service Admin Guide, "Snapshot or restore
 * your directory": https://docs.aws.amazon.com/directoryservice/latest/admin-guide/ms_ad_snapshots.html;
 * API RestoreFromSnapshot). The restore's duration is taken as that of a creation (20-40 minutes,
 * plan/deploy-times.json): an estimate.
 */
const DIRECTORY = deployTimes.byType["aws:directoryservice/directory:Directory"];
export const DIRECTORY_SNAPSHOT_INTERVAL_MINUTES = 24 * 60;

/** The worst age of the newest recovery point in the DR vault, in minutes. Pure. */
export function drCopyAgeMinutes(workingHours?: WorkingHours): number {
    return (
        longestBackupGapHours(workingHours) * 60 +
        START_WINDOW_MINUTES +
        COMPLETION_WINDOW_MINUTES +
        COPY_LAG_MINUTES
    );
}

/** RPO and RTO of each store in each scenario. Pure. */
export function recoveryObjectives(inputs: RecoveryInputs): RecoveryFigure[] {
    const rdsMinutes = inputs.multiAz ? RDS.multiAzMinutes : RDS.minutes;
    const copied = inputs.backup.crossRegionCopy;
    const drAge = drCopyAgeMinutes(inputs.workingHours);
    const gap = longestBackupGapHours(inputs.workingHours);
    const drRto =
        "no figure: the program deploys to eu-west-2 only, so a portal in the DR region is a manual restore of the copies (README, Backups off-site)";
    const drCopy = copied
        ? `the newest copy in ${inputs.backup.drRegion}: ${gap} h between backups + ${START_WINDOW_MINUTES} min start window + ${COMPLETION_WINDOW_MINUTES} min completion window + ${COPY_LAG_MINUTES} min copy (estimate)`
        : "backupCrossRegionCopy is off: no copy outside eu-west-2";
    return [
        {
            store: "database",
            scenario: "in-region",
            rpoMinutes: PITR_LOG_UPLOAD_MINUTES,
            rtoMinutes: rdsMinutes + SWITCH_MINUTES,
            basis: `point-in-time restore (transaction logs every ${PITR_LOG_UPLOAD_MINUTES} min); a new instance in ${rdsMinutes} min + ${SWITCH_MINUTES} min switch`,
        },
        {
            store: "database",
            scenario: "region-loss",
            rpoMinutes: copied ? drAge : undefined,
            basis: `${drCopy}; RTO ${drRto}`,
        },
        {
            store: "uploads",
            scenario: "in-region",
            rpoMinutes: 0,
            rtoMinutes: UPLOADS_RESTORE_MINUTES,
            basis: `versioning keeps every overwritten or deleted file 90 days (daily recovery points beyond); restoring them ${UPLOADS_RESTORE_MINUTES} min (estimate)`,
        },
        {
            store: "uploads",
            scenario: "region-loss",
            rpoMinutes: copied ? REPLICATION_MINUTES : undefined,
            basis: copied
                ? `the live replica in ${inputs.backup.drRegion}: most files within ${REPLICATION_MINUTES} min (no SLA without Replication Time Control), deletions not replicated; daily copies in the DR vault beyond; RTO ${drRto}`
                : `${drCopy}; RTO ${drRto}`,
        },
        {
            store: "directory",
            scenario: "in-region",
            rpoMinutes: DIRECTORY_SNAPSHOT_INTERVAL_MINUTES,
            rtoMinutes: DIRECTORY.minutes,
            basis: `Managed AD's own daily snapshot; a restore in about ${DIRECTORY.minutes} min (as long as a creation, estimate)`,
        },
        {
            store: "directory",
            scenario: "region-loss",
            basis: "not copied: Managed AD Standard has no second-region replica, so users, groups and passwords are re-created (the program re-creates the portal group and the bind account)",
        },
    ];
}

/** "5 min", "1 h 30 min", "4 d 4 h"; "none" for undefined. Pure. */
export function formatMinutes(minutes: number | undefined, none = "none"): string {
    if (minutes === undefined) {
        return none;
    }
    if (minutes < 60) {
        return `${minutes} min`;
    }
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const rest = minutes % 60;
    return [days ? `${days} d` : "", hours ? `${hours} h` : "", rest ? `${rest} min` : ""]
        .filter(Boolean)
        .join(" ");
}

/** The contract's `recoveryObjectives` lines: "<store>/<scenario> rpo=<min|none> rto=<min|none>". Pure. */
export function recoveryOutput(figures: readonly RecoveryFigure[]): string[] {
    return figures.map(
        (f) =>
            `${f.store}/${f.scenario} rpo=${f.rpoMinutes ?? "none"} rto=${f.rtoMinutes ?? "none"}`,
    );
}
