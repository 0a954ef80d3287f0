/**
 * Monthly limits: which limit applies to a person, the calendar month it counts over (UTC), and
 * the OpenAI-style error a call over it gets. Pure.
 */
import { NANO_PER_USD } from "./pricing";

export interface LimitPolicy {
    /** Every person's monthly limit in USD (config `usageLimitPerPersonMonthlyUsd`). */
    readonly defaultUsd: number;
    /** Limits by directory group name (config `usageLimitsByGroup`); they replace the default. */
    readonly byGroup: Readonly<Record<string, number>>;
}

export interface Limit {
    readonly usd: number;
    /** "default", or the group whose override applies. */
    readonly source: string;
}

/**
 * A person's limit: a group override replaces the default (higher or lower); in several groups
 * with overrides, the highest applies. Group names compare case-insensitively, as AD's do.
 */
export function limitFor(policy: LimitPolicy, groups: readonly string[]): Limit {
    const mine = new Set(groups.map((g) => g.toLowerCase()));
    let best: Limit | undefined;
    for (const [group, usd] of Object.entries(policy.byGroup)) {
        if (mine.has(group.toLowerCase()) && (!best || usd > best.usd)) {
            best = { usd, source: group };
        }
    }
    return best ?? { usd: policy.defaultUsd, source: "default" };
}

export interface MonthWindow {
    /** The month's first day, YYYY-MM-01 (UTC): the key usage is summed under. */
    readonly month: string;
    /** When the count starts again: 00:00 UTC on the first of next month. */
    readonly resets: Date;
}

export function monthWindow(now: Date): MonthWindow {
    const y = now.getUTCFullYear();
    const m = now.getUTCMonth();
    return {
        month: `${y}-${String(m + 1).padStart(2, "0")}-01`,
        resets: new Date(Date.UTC(y, m + 1, 1)),
    };
}

/** The day a call counts under, YYYY-MM-DD (UTC). */
export function dayOf(now: Date): string {
    return now.toISOString().slice(0, 10);
}

/** The body of an error reply, as OpenAI's API and the Bedrock Access Gateway's stream errors shape it. */
export interface ErrorBody {
    readonly error: { readonly message: string; readonly type: string; readonly code: string };
}

const dollars = (usd: number) => `$${usd.toFixed(2)}`;

/** The 429 a call over its limit gets: which limit, what was used, and when it resets. */
export function overLimitError(limit: Limit, spentNano: number, window: MonthWindow): ErrorBody {
    const which =
        limit.source === "default"
            ? "the monthly limit per person"
            : `the monthly limit of the group ${limit.source}`;
    const resets = window.resets.toISOString().slice(0, 10);
    return {
        error: {
            message: `Usage limit reached: you have used ${dollars(spentNano / NANO_PER_USD)} of ${dollars(limit.usd)}, ${which}, this month. It resets on ${resets} at 00:00 UTC.`,
            type: "usage_limit_exceeded",
            code: "monthly_usage_limit",
        },
    };
}

/** The 503 a call gets when usage cannot be read and the gate fails closed. */
export function unavailableError(): ErrorBody {
    return {
        error: {
            message:
                "Usage accounting is unavailable, and this portal is set to refuse calls until it is back (usageGateFailMode: closed). Try again in a few minutes.",
            type: "usage_gate_unavailable",
            code: "usage_store_unavailable",
        },
    };
}
