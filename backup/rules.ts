/**
 * The backup plan's rules as plain values: when each runs, how long its recovery points and their
 * DR copies are kept, and the longest gap between two backups (the RPO's main term). Pure.
 */
import type { BackupConfig, WorkingHours } from "../config";
import { WEEKDAYS } from "../config/governance";

/** A job that has not started within an hour is cancelled (the API's minimum start window). */
export const START_WINDOW_MINUTES = 60;
/**
 * A started job must finish within 3 hours: a 20-200 GB RDS snapshot and an uploads bucket of a
 * few GB finish well inside it (AWS Backup Developer Guide, "Backup plan options": the completion
 * window; the default is 7 days, which would hide a stuck job for a week).
 */
export const COMPLETION_WINDOW_MINUTES = 180;
/**
 * The hour (UTC) of the daily backup of a stack that runs all day: after RDS's own backup window
 * (02:00-02:30 by default) and the Sunday maintenance window (03:00-04:00); AWS Backup's default
 * hour (its CreateBackupPlan ScheduleExpression default, cron(0 5 ? * * *)).
 */
export const DAILY_HOUR_UTC = 5;

export interface RuleSpec {
    /** BackupRuleName: 1-50 of [a-zA-Z0-9-_.]. */
    readonly name: "daily" | "monthly";
    /** AWS Backup cron expression (six fields). */
    readonly schedule: string;
    /** IANA time zone of the schedule. */
    readonly timeZone: string;
    readonly retentionDays: number;
}

/**
 * The plan's rules. A stack that sleeps (working hours) is backed up an hour after it wakes, on
 * its working days: RDS snapshots only an available instance (RDS User Guide, "Creating a DB
 * snapshot": "Your DB instance must be in the available state"), and a stopped one is not.
 */
export function backupRules(
    backup: Pick<BackupConfig, "dailyRetentionDays" | "monthlyRetentionDays">,
    hours?: WorkingHours,
): RuleSpec[] {
    // Weekdays are MON..SUN, as AWS Backup's cron day-of-week field spells them.
    const days = hours?.days;
    const hour = hours ? (hours.start.hour + 1) % 24 : DAILY_HOUR_UTC;
    const minute = hours ? hours.start.minute : 0;
    const timeZone = hours?.timeZone ?? "UTC";
    const rules: RuleSpec[] = [
        {
            name: "daily",
            schedule: days
                ? `cron(${minute} ${hour} ? * ${days.join(",")} *)`
                : `cron(0 ${hour} ? * * *)`,
            timeZone,
            retentionDays: backup.dailyRetentionDays,
        },
    ];
    if (backup.monthlyRetentionDays > 0) {
        rules.push({
            name: "monthly",
            // The first working day of the month when the stack sleeps, else the 1st.
            schedule: days
                ? `cron(${minute} ${hour} ? * ${days[0]}#1 *)`
                : `cron(0 ${hour} 1 * ? *)`,
            timeZone,
            retentionDays: backup.monthlyRetentionDays,
        });
    }
    return rules;
}

/** The longest time between two daily backups, in hours: 24, or more across days off. Pure. */
export function longestBackupGapHours(hours?: WorkingHours): number {
    if (!hours || hours.days.length === 0) {
        return 24;
    }
    const indices = [...new Set(hours.days.map((d) => WEEKDAYS.indexOf(d)))].sort((a, b) => a - b);
    let longest = 0;
    indices.forEach((day, i) => {
        const next = i + 1 < indices.length ? indices[i + 1] : indices[0] + 7;
        longest = Math.max(longest, next - day);
    });
    return longest * 24;
}
