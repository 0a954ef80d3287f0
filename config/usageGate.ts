/**
 * Usage gate keys (gate/): the monthly limit per person, overrides per directory group, and what
 * the gate does when it cannot read usage.
 *
 * "Unknown group" in `usageLimitsByGroup`: a name that cannot be a directory group the gate can
 * look up (the same rule as directoryPortalGroup: 1-64 letters, digits, spaces, ".", "_" or "-",
 * so it goes into an LDAP filter as is), or a group named twice (AD names ignore case). Whether
 * the group exists in the directory is not known when the program runs (its groups are managed
 * in the directory, not here); the gate logs `usage-gate-unknown-group` at start for each that
 * does not (README, "Usage limits").
 */
import { ConfigReader } from "./reader";
import { DirectoryMode } from "./identity";
import { int, list, oneOf, readSpec, allRead } from "./spec";

export const USAGE_GATE_FAIL_MODES = ["open", "closed"] as const;
export type UsageGateFailMode = (typeof USAGE_GATE_FAIL_MODES)[number];

/** The highest monthly limit the keys accept (a typo guard: $100,000 a person a month). */
export const MAX_MONTHLY_LIMIT_USD = 100_000;

const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}[A-Za-z0-9]$|^[A-Za-z0-9]$/;
const ENTRY = /^(.*)=\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$/;

export interface UsageGateConfig {
    /** Every person's monthly limit in whole USD (config `usageLimitPerPersonMonthlyUsd`). */
    readonly limitPerPersonMonthlyUsd: number;
    /** Monthly limits by directory group name, replacing the default for its members (nested too). */
    readonly limitsByGroup: Readonly<Record<string, number>>;
    /** `open`: calls go ahead while usage cannot be read (counted, alarmed); `closed`: they get 503. */
    readonly failMode: UsageGateFailMode;
}

/** Parses one "Group name=USD" entry; a reason (and what is allowed) when it cannot. */
export function parseGroupLimit(
    entry: string,
): { group: string; usd: number } | { reason: string; allowed?: string } {
    const m = ENTRY.exec(entry);
    if (!m) {
        return { reason: 'is not "<group name>=<whole USD>"' };
    }
    const group = m[1].trim();
    const usd = Number(m[2]);
    if (!GROUP_NAME.test(group)) {
        return {
            reason: `names "${group}", which is not a directory group name the gate can look up`,
            allowed:
                'a group name of 1-64 letters, digits, spaces, ".", "_" or "-", e.g. "Data Science=200"',
        };
    }
    if (!Number.isInteger(usd) || usd <= 0 || usd > MAX_MONTHLY_LIMIT_USD) {
        return {
            reason: `gives ${m[2]}, which is not a limit above 0`,
            allowed: `a whole number of USD from 1 to ${MAX_MONTHLY_LIMIT_USD}`,
        };
    }
    return { group, usd };
}

export const USAGE_GATE_SPEC = {
    usageLimitPerPersonMonthlyUsd: int({
        min: 1,
        max: MAX_MONTHLY_LIMIT_USD,
        allowed: `a whole number of USD from 1 to ${MAX_MONTHLY_LIMIT_USD}`,
        outside: "is not a limit above 0 (or is over the typo guard)",
        default: 50,
    }),
    usageLimitsByGroup: list("usageLimitsByGroup", {
        allowed:
            'a list of "<directory group name>=<whole USD>" entries, e.g. ["Data Science=200", "Interns=10"]',
        default: [],
        item: (entry) => {
            const parsed = parseGroupLimit(entry);
            return "reason" in parsed ? parsed : undefined;
        },
        list: (entries) => {
            const seen = new Set<string>();
            for (const entry of entries) {
                const parsed = parseGroupLimit(entry);
                if ("group" in parsed) {
                    const key = parsed.group.toLowerCase();
                    if (seen.has(key)) {
                        return {
                            reason: `names the group "${parsed.group}" twice (directory group names ignore case)`,
                            allowed: "each group once",
                        };
                    }
                    seen.add(key);
                }
            }
            return undefined;
        },
    }),
    usageGateFailMode: oneOf(USAGE_GATE_FAIL_MODES, "open"),
};

/**
 * Reads the keys. Group limits need the directory's groups, looked up by the e-mail Open WebUI
 * has for a person, which is their user principal name only when they signed in through LDAP:
 * with `directory: none` or `authMode: oidc` limits are per person only.
 */
export function readUsageGate(
    reader: ConfigReader,
    identity: { readonly directory: DirectoryMode; readonly authMode: string } | undefined,
): UsageGateConfig | undefined {
    const v = readSpec(reader, USAGE_GATE_SPEC);
    if (!allRead(USAGE_GATE_SPEC, v)) {
        return undefined;
    }
    const limitsByGroup: Record<string, number> = {};
    for (const entry of v.usageLimitsByGroup) {
        const parsed = parseGroupLimit(entry);
        if ("group" in parsed) {
            limitsByGroup[parsed.group] = parsed.usd;
        }
    }
    if (identity && v.usageLimitsByGroup.length > 0) {
        const why =
            identity.directory === "none"
                ? "directory is none: there are no directory groups to look people up in"
                : identity.authMode === "oidc"
                  ? "authMode is oidc: people's e-mails come from the identity provider, not the directory, so their groups cannot be looked up"
                  : undefined;
        if (why) {
            reader.report(
                reader.qualified("usageLimitsByGroup"),
                JSON.stringify(v.usageLimitsByGroup),
                `is set, but ${why}`,
                "an empty list (every person gets usageLimitPerPersonMonthlyUsd), or directory managed with authMode ldap or both",
            );
            return undefined;
        }
    }
    return {
        limitPerPersonMonthlyUsd: v.usageLimitPerPersonMonthlyUsd,
        limitsByGroup,
        failMode: v.usageGateFailMode,
    };
}
