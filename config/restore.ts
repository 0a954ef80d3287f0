/**
 * Restore keys: a stack whose database is created from a backup instead of empty (README "Restore
 * and drill"). Either a snapshot (an RDS snapshot or an AWS Backup recovery point of the database,
 * both DB snapshots to RDS) or a point in time of another instance's automated backups; never both.
 *
 * A restore happens only when the database is created: RDS restores into a new instance, and the
 * provider replaces an existing one for a new `snapshotIdentifier` or `restoreToPointInTime`. The
 * database ignores both inputs once it exists (data/index.ts), and refuses to deploy when they name
 * a backup it was not created from (`restoredFrom`), so a config change never swaps a database
 * that holds data for another.
 */
import { REGION } from "./common";
import { ConfigReader } from "./reader";
import { allRead, optionalText, readSpec } from "./spec";

/** RDS DB instance identifiers (RDS API, CreateDBInstance `DBInstanceIdentifier`). */
const DB_INSTANCE_IDENTIFIER = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$/;

/**
 * A DB snapshot's ARN (RDS user guide, "Amazon Resource Names in Amazon RDS": `snapshot:<name>`):
 * a manual snapshot (a letter, then letters, digits and single hyphens), an automated one
 * (`rds:<instance>-<yyyy-mm-dd-hh-mm>`), or one AWS Backup made or copied (`awsbackup:job-<uuid>`,
 * `awsbackup:copyjob-<uuid>`), which is the ARN AWS Backup lists as the recovery point's.
 */
export const DB_SNAPSHOT_ARN =
    /^arn:aws:rds:([a-z]{2}(?:-[a-z]+)+-[0-9]):([0-9]{12}):snapshot:((?:rds:|awsbackup:)?[A-Za-z][A-Za-z0-9-]{0,254})$/;

/** `2026-12-06T02:00:00Z`: RFC 3339 in UTC, to the second, as RDS takes `RestoreTime`. */
const RESTORE_TIME = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/;

/** The point-in-time value meaning "the latest restorable time" (RDS `UseLatestRestorableTime`). */
export const LATEST = "latest";

export type DatabaseRestore =
    | { readonly kind: "snapshot"; readonly snapshotArn: string }
    | {
          readonly kind: "pointInTime";
          /** The instance whose automated backups are restored. */
          readonly sourceDbIdentifier: string;
          /** UTC RFC 3339, or undefined for the latest restorable time. */
          readonly restoreTime?: string;
      };

export interface RestoreConfig {
    /** Where the database comes from; undefined: it is created empty. */
    readonly database?: DatabaseRestore;
}

/** Why a snapshot ARN is wrong, or undefined. Pure. */
export function snapshotArnProblem(value: string): string | undefined {
    const match = DB_SNAPSHOT_ARN.exec(value);
    if (!match) {
        return value.startsWith("arn:aws:backup:")
            ? "is a recovery point of a kind AWS Backup stores itself (S3, EFS, ...), not of a database: a database's recovery point ARN is its DB snapshot's, arn:aws:rds:<region>:<account>:snapshot:awsbackup:job-<id>"
            : "is not a DB snapshot ARN";
    }
    if (match[1] !== REGION) {
        return `is in ${match[1]}, but RDS restores only a snapshot in the stack's own region (${REGION}): copy the recovery point back to a vault in ${REGION} first (aws backup start-copy-job, README "Restore and drill")`;
    }
    return undefined;
}

/** Why a restore time is wrong, or undefined. Pure. */
export function restoreTimeProblem(value: string): string | undefined {
    if (value === LATEST) {
        return undefined;
    }
    const match = RESTORE_TIME.exec(value);
    if (!match) {
        return "is not a UTC time of the form yyyy-mm-ddThh:mm:ssZ";
    }
    const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
    // Calendar arithmetic, not the Date API: the program never reads or builds clock values.
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    const real =
        daysInMonth !== undefined &&
        day >= 1 &&
        day <= daysInMonth &&
        hour <= 23 &&
        minute <= 59 &&
        second <= 59;
    return real ? undefined : "is not a real date and time";
}

export const RESTORE_SPEC = {
    restoreFromSnapshot: optionalText({
        allowed: `"" (an empty database), or the ARN of a DB snapshot or AWS Backup recovery point of the database in ${REGION}, arn:aws:rds:${REGION}:<account>:snapshot:<name>`,
        check: snapshotArnProblem,
    }),
    restoreToTime: optionalText({
        allowed: `"" (no point-in-time restore), a UTC time yyyy-mm-ddThh:mm:ssZ within the source's backup retention, or "${LATEST}"`,
        check: restoreTimeProblem,
    }),
    restoreSourceDb: optionalText({
        allowed:
            '"", or the RDS identifier of the instance whose automated backups restoreToTime restores, e.g. "ai-portal-prod-postgres"',
        check: (v) =>
            DB_INSTANCE_IDENTIFIER.test(v)
                ? undefined
                : "is not an RDS instance identifier (1-63 letters, digits or single hyphens, starting with a letter, not ending with a hyphen)",
    }),
};

/**
 * Reads the restore keys. `databaseIdentifier` is the identifier this stack gives its own instance:
 * a point-in-time restore cannot take it as its source (the target would be the source).
 */
export function readRestore(
    reader: ConfigReader,
    databaseIdentifier: string,
): RestoreConfig | undefined {
    const v = readSpec(reader, RESTORE_SPEC);
    const before = reader.problems.length;
    const snapshot = v.restoreFromSnapshot;
    const time = v.restoreToTime;
    const source = v.restoreSourceDb;
    // Which keys hold a value at all, well-formed or not (a malformed one is reported already).
    const given = (key: keyof typeof RESTORE_SPEC) => (reader.raw(key) ?? "") !== "";
    if (given("restoreFromSnapshot") && (given("restoreToTime") || given("restoreSourceDb"))) {
        const key = given("restoreToTime") ? "restoreToTime" : "restoreSourceDb";
        reader.report(
            reader.qualified(key),
            reader.raw(key),
            "is set together with restoreFromSnapshot: a database is created from one backup",
            `"" while restoreFromSnapshot is set`,
        );
    } else if (given("restoreToTime") && !given("restoreSourceDb")) {
        reader.report(
            reader.qualified("restoreSourceDb"),
            "",
            "is not set, but restoreToTime is: a point in time is of one instance's automated backups",
            'the RDS identifier of the source instance, e.g. "ai-portal-prod-postgres"',
        );
    } else if (given("restoreSourceDb") && !given("restoreToTime")) {
        reader.report(
            reader.qualified("restoreToTime"),
            "",
            "is not set, but restoreSourceDb is: say which point of its backups to restore",
            `a UTC time yyyy-mm-ddThh:mm:ssZ, or "${LATEST}"`,
        );
    }
    if (source !== undefined && source.toLowerCase() === databaseIdentifier) {
        reader.report(
            reader.qualified("restoreSourceDb"),
            source,
            "is this stack's own database: a point-in-time restore creates a new instance beside its source, under another stack",
            "the identifier of another stack's instance",
        );
    }
    if (!allRead(RESTORE_SPEC, v) || reader.problems.length !== before) {
        return undefined;
    }
    if (snapshot !== undefined) {
        return { database: { kind: "snapshot", snapshotArn: snapshot } };
    }
    if (source !== undefined && time !== undefined) {
        return {
            database: {
                kind: "pointInTime",
                sourceDbIdentifier: source,
                restoreTime: time === LATEST ? undefined : time,
            },
        };
    }
    return {};
}

/** How the stack output `dbRestoredFrom` names a restore: the ARN, or `<source>@<time|latest>`. */
export function describeRestore(restore: DatabaseRestore | undefined): string {
    if (!restore) {
        return "";
    }
    return restore.kind === "snapshot"
        ? restore.snapshotArn
        : `${restore.sourceDbIdentifier}@${restore.restoreTime ?? LATEST}`;
}
