/**
 * What a restore drill costs (README "Restore and drill"): a stack whose database is created from
 * a backup lives for hours, not a month, so the plan also prices it for the hours a drill takes.
 * Pure.
 */
import prices from "./prices.json";

/** The listed checks (/health, sign-in, a known chat, an uploaded file), with the S3 restore job. */
export const DRILL_CHECK_MINUTES = 60;
/** `pulumi destroy`: an allowance, the directory's deletion being the longest part. */
export const DRILL_DESTROY_MINUTES = 30;

export interface DrillEstimate {
    /** The backup the database is created from, as the stack output dbRestoredFrom names it. */
    readonly restoredFrom: string;
    /** Whole hours, deploy to destroy: Managed AD and NAT gateways bill each started hour. */
    readonly hours: number;
    readonly usd: number;
}

/** The backup a declared database is restored from, or undefined when none is. */
export function restoredFrom(
    resources: readonly { readonly type: string; readonly inputs: Record<string, any> }[],
): string | undefined {
    for (const r of resources) {
        if (r.type !== "aws:rds/instance:Instance") {
            continue;
        }
        if (r.inputs.snapshotIdentifier) {
            return r.inputs.snapshotIdentifier as string;
        }
        const pit = r.inputs.restoreToPointInTime;
        if (pit?.sourceDbInstanceIdentifier) {
            return `${pit.sourceDbInstanceIdentifier}@${pit.restoreTime ?? "latest"}`;
        }
    }
    return undefined;
}

/**
 * A drill of a restored stack: deployed (the critical path), checked, destroyed, at the stack's
 * always-on rate. Undefined for a stack that restores nothing.
 */
export function drillEstimate(
    resources: readonly { readonly type: string; readonly inputs: Record<string, any> }[],
    monthlyUsd: number,
    criticalPathMinutes: number,
): DrillEstimate | undefined {
    const from = restoredFrom(resources);
    if (from === undefined) {
        return undefined;
    }
    const hours = Math.ceil(
        (criticalPathMinutes + DRILL_CHECK_MINUTES + DRILL_DESTROY_MINUTES) / 60,
    );
    return {
        restoredFrom: from,
        hours,
        usd: Math.round((monthlyUsd / prices.hoursPerMonth) * hours * 100) / 100,
    };
}
