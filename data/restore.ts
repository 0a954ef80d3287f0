/**
 * A database created from a backup (config `restoreFromSnapshot`, or `restoreToTime` with
 * `restoreSourceDb`): the instance inputs a restore takes, and the check that keeps a config change
 * from swapping the database of a stack that already has one. Pure.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseRestore } from "../config";
import { describeRestore } from "../config/restore";

/**
 * The instance's restore inputs. The provider replaces an instance when either changes (both force
 * a new resource), so the database ignores them once it exists: a restore happens only when it is
 * created, and `restoredFrom` refuses a config that names a backup it was not created from.
 */
export const RESTORE_INPUTS = ["snapshotIdentifier", "restoreToPointInTime"] as const;

/** The restore part of the instance's inputs; nothing for a database created empty. */
export function restoreInputs(restore: DatabaseRestore | undefined): {
    snapshotIdentifier?: string;
    restoreToPointInTime?: {
        sourceDbInstanceIdentifier: string;
        restoreTime?: string;
        useLatestRestorableTime?: boolean;
    };
} {
    if (!restore) {
        return {};
    }
    if (restore.kind === "snapshot") {
        return { snapshotIdentifier: restore.snapshotArn };
    }
    return {
        restoreToPointInTime: {
            sourceDbInstanceIdentifier: restore.sourceDbIdentifier,
            ...(restore.restoreTime
                ? { restoreTime: restore.restoreTime }
                : { useLatestRestorableTime: true }),
        },
    };
}

/** What the provider recorded of how the instance was created (its state's restore inputs). */
export interface RecordedRestore {
    readonly snapshotIdentifier?: string;
    readonly restoreToPointInTime?: {
        readonly sourceDbInstanceIdentifier?: string;
        readonly restoreTime?: string;
        readonly useLatestRestorableTime?: boolean;
    };
}

/** The backup an instance was created from, as the stack output `dbRestoredFrom` names it. */
export function recordedRestore(recorded: RecordedRestore): DatabaseRestore | undefined {
    if (recorded.snapshotIdentifier) {
        return { kind: "snapshot", snapshotArn: recorded.snapshotIdentifier };
    }
    const pit = recorded.restoreToPointInTime;
    if (pit?.sourceDbInstanceIdentifier) {
        return {
            kind: "pointInTime",
            sourceDbIdentifier: pit.sourceDbInstanceIdentifier,
            restoreTime: pit.useLatestRestorableTime ? undefined : pit.restoreTime || undefined,
        };
    }
    return undefined;
}

/**
 * What the instance was created from ("" when empty), or a RunError when the config asks for a
 * restore the instance did not come from: the database already existed (created empty, or from
 * another backup) when the restore keys were set, and the ignored inputs mean nothing was restored.
 * Removing the keys after a restore is fine: the instance keeps its data and says where it came from.
 */
export function checkRestoredFrom(
    identifier: string,
    wanted: DatabaseRestore | undefined,
    recorded: RecordedRestore,
): string {
    const actual = describeRestore(recordedRestore(recorded));
    const asked = describeRestore(wanted);
    if (wanted && asked !== actual) {
        const key =
            wanted.kind === "snapshot" ? "restoreFromSnapshot" : "restoreToTime/restoreSourceDb";
        throw new pulumi.RunError(
            [
                `ai-portal:${key} asks for the database to be restored from ${asked}, but ${identifier} already exists and was created ${actual ? `from ${actual}` : "empty"}.`,
                "A restore happens only when the database is created, and a config change never replaces a database that holds data, so nothing was restored or replaced.",
                `Unset the key (pulumi config rm), or restore into a new stack (README "Restore and drill").`,
            ].join(" "),
        );
    }
    return actual;
}
