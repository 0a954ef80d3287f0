/** Database keys: the RDS PostgreSQL instance's size, engine major, availability and protection. */
import { POSTGRES_MAJORS } from "../data/engine";
import { ConfigReader } from "./reader";
import { allRead, bool, int, readSpec, text } from "./spec";

/** gp3 on RDS for PostgreSQL: 20 GiB to 64 TiB. */
export const GP3_STORAGE_GB = { min: 20, max: 65536 };

/** The portal keeps at least a week of automated backups; RDS itself allows up to 35 days. */
export const BACKUP_RETENTION_DAYS = { min: 7, max: 35 };

/** db.<family>.<size>, e.g. db.t3.medium, db.m7g.2xlarge, db.r6i.large. */
const DB_INSTANCE_CLASS =
    /^db\.(t3|t4g|m5|m5d|m6g|m6gd|m6i|m6id|m7g|m7i|m8g|r5|r5b|r5d|r6g|r6gd|r6i|r6id|r7g|r7i|r8g|x2g)\.(micro|small|medium|large|xlarge|[1-9][0-9]?xlarge)$/;

export interface DatabaseConfig {
    readonly instanceClass: string;
    readonly allocatedStorageGb: number;
    readonly maxAllocatedStorageGb: number;
    /** PostgreSQL major version, e.g. "15"; RDS picks and upgrades the minor. */
    readonly engineMajorVersion: string;
    readonly multiAz: boolean;
    readonly backupRetentionDays: number;
    /** Deletion protection, a final snapshot on delete and Pulumi `protect`, together. */
    readonly deletionProtection: boolean;
    /** Daily, UTC, "hh:mm-hh:mm". */
    readonly backupWindow: string;
    /** Weekly, UTC, "ddd:hh:mm-ddd:hh:mm". */
    readonly maintenanceWindow: string;
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

function clock(text: string): number | undefined {
    const match = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(text);
    return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** A daily window as [start, end) minutes of the day; end may pass midnight (end > 1440). */
export function parseDailyWindow(text: string): { start: number; end: number } | undefined {
    const [from, to, extra] = text.split("-");
    const start = from === undefined ? undefined : clock(from);
    const endOfDay = to === undefined ? undefined : clock(to);
    if (extra !== undefined || start === undefined || endOfDay === undefined) {
        return undefined;
    }
    return { start, end: endOfDay > start ? endOfDay : endOfDay + MINUTES_PER_DAY };
}

/** A weekly window as [start, end) minutes of the week; end may pass the week's end. */
export function parseWeeklyWindow(text: string): { start: number; end: number } | undefined {
    const match = /^([a-z]{3}):([0-9]{2}:[0-9]{2})-([a-z]{3}):([0-9]{2}:[0-9]{2})$/.exec(text);
    if (!match) {
        return undefined;
    }
    const [startDay, endDay] = [DAYS.indexOf(match[1]), DAYS.indexOf(match[3])];
    const [startClock, endClock] = [clock(match[2]), clock(match[4])];
    if (startDay < 0 || endDay < 0 || startClock === undefined || endClock === undefined) {
        return undefined;
    }
    const start = startDay * MINUTES_PER_DAY + startClock;
    const endInWeek = endDay * MINUTES_PER_DAY + endClock;
    return { start, end: endInWeek > start ? endInWeek : endInWeek + MINUTES_PER_WEEK };
}

/** True when the daily window, on any day, shares a minute with the weekly window. */
export function windowsOverlap(
    daily: { start: number; end: number },
    weekly: { start: number; end: number },
): boolean {
    // Compare over two weeks so that windows wrapping past Sunday midnight are covered.
    for (let day = 0; day < 14; day++) {
        const start = day * MINUTES_PER_DAY + daily.start;
        const end = day * MINUTES_PER_DAY + daily.end;
        for (const shift of [0, MINUTES_PER_WEEK]) {
            if (start < weekly.end + shift && weekly.start + shift < end) {
                return true;
            }
        }
    }
    return false;
}

const STORAGE_ALLOWED = `whole GiB from ${GP3_STORAGE_GB.min} (the gp3 minimum) to ${GP3_STORAGE_GB.max}`;

export const DATABASE_SPEC = {
    dbInstanceClass: text({
        allowed: "an RDS class db.<family>.<size>, e.g. db.t3.medium or db.m7g.large",
        default: "db.t3.medium",
        check: (v) => (DB_INSTANCE_CLASS.test(v) ? undefined : "is not an RDS instance class"),
    }),
    dbAllocatedStorageGb: int({
        ...GP3_STORAGE_GB,
        allowed: STORAGE_ALLOWED,
        outside: "is outside what gp3 storage on RDS accepts",
        default: 20,
    }),
    dbMaxAllocatedStorageGb: int({
        ...GP3_STORAGE_GB,
        allowed: `${STORAGE_ALLOWED}, at least dbAllocatedStorageGb`,
        outside: "is outside what gp3 storage on RDS accepts",
        default: 200,
    }),
    dbEngineVersion: text({
        allowed: `a PostgreSQL major version: ${POSTGRES_MAJORS.join(", ")}`,
        default: "15",
        check: (v) => {
            if (/^[0-9]+\.[0-9]+/.test(v)) {
                return `pins a minor version; RDS retires minors (15.4 already is) and a retired pin breaks the next \`pulumi up\`. Give the major only (e.g. "${v.split(".")[0]}") and RDS applies minors in the maintenance window`;
            }
            return POSTGRES_MAJORS.includes(v)
                ? undefined
                : "is not a PostgreSQL major version RDS supports";
        },
    }),
    dbMultiAz: bool(true),
    dbBackupRetentionDays: int({
        ...BACKUP_RETENTION_DAYS,
        allowed: `${BACKUP_RETENTION_DAYS.min} to ${BACKUP_RETENTION_DAYS.max} days`,
        outside: "is outside the retention the portal allows (RDS: 1-35, the portal: at least 7)",
        default: 30,
    }),
    dbDeletionProtection: bool(true),
    dbBackupWindow: text({
        allowed: 'a daily UTC window "hh:mm-hh:mm" of at least 30 minutes, e.g. "02:00-02:30"',
        default: "02:00-02:30",
        check: (v) => {
            const w = parseDailyWindow(v);
            return !w
                ? "is not a window of the form hh:mm-hh:mm"
                : w.end - w.start < 30
                  ? "is shorter than the 30 minutes RDS requires"
                  : undefined;
        },
    }),
    dbMaintenanceWindow: text({
        allowed:
            'a weekly UTC window "ddd:hh:mm-ddd:hh:mm" (mon..sun) of at least 30 minutes, e.g. "sun:03:00-sun:04:00"',
        default: "sun:03:00-sun:04:00",
        check: (v) => {
            const w = parseWeeklyWindow(v);
            return !w
                ? "is not a window of the form ddd:hh:mm-ddd:hh:mm"
                : w.end - w.start < 30
                  ? "is shorter than the 30 minutes RDS requires"
                  : undefined;
        },
    }),
};

export function readDatabase(reader: ConfigReader): DatabaseConfig | undefined {
    const v = readSpec(reader, DATABASE_SPEC);
    const before = reader.problems.length;
    if (
        v.dbAllocatedStorageGb !== undefined &&
        v.dbMaxAllocatedStorageGb !== undefined &&
        v.dbMaxAllocatedStorageGb < v.dbAllocatedStorageGb
    ) {
        reader.report(
            reader.qualified("dbMaxAllocatedStorageGb"),
            String(v.dbMaxAllocatedStorageGb),
            `is below dbAllocatedStorageGb (${v.dbAllocatedStorageGb}); storage autoscaling can only grow`,
            `at least ${v.dbAllocatedStorageGb}`,
        );
    }
    if (
        v.dbBackupWindow !== undefined &&
        v.dbMaintenanceWindow !== undefined &&
        windowsOverlap(
            parseDailyWindow(v.dbBackupWindow)!,
            parseWeeklyWindow(v.dbMaintenanceWindow)!,
        )
    ) {
        reader.report(
            reader.qualified("dbMaintenanceWindow"),
            v.dbMaintenanceWindow,
            `overlaps the daily backup window ${v.dbBackupWindow}`,
            "a weekly window that shares no minute with dbBackupWindow",
        );
    }
    if (!allRead(DATABASE_SPEC, v) || reader.problems.length !== before) {
        return undefined;
    }
    return {
        instanceClass: v.dbInstanceClass,
        allocatedStorageGb: v.dbAllocatedStorageGb,
        maxAllocatedStorageGb: v.dbMaxAllocatedStorageGb,
        engineMajorVersion: v.dbEngineVersion,
        multiAz: v.dbMultiAz,
        backupRetentionDays: v.dbBackupRetentionDays,
        deletionProtection: v.dbDeletionProtection,
        backupWindow: v.dbBackupWindow,
        maintenanceWindow: v.dbMaintenanceWindow,
    };
}
