/**
 * The directory groups a person is in, for group limits: AD's in-chain membership
 * (LDAP_MATCHING_RULE_IN_CHAIN, 1.2.840.113556.1.4.1941, so nested groups count), looked up with
 * the portal's bind account and cached per person for a while. Only the groups that have a limit
 * are asked about.
 * https://learn.microsoft.com/en-us/windows/win32/adsi/search-filter-syntax
 */
import { Client } from "ldapts";

/** RFC 4515 §3: a value inside a search filter, with `*`, `(`, `)`, `\` and NUL escaped. */
export function escapeFilterValue(value: string): string {
    return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** The filter finding, among `groups` (by name), those `userDn` is in, directly or through others. */
export function groupsFilter(userDn: string, groups: readonly string[]): string {
    const names = groups.map((g) => `(cn=${escapeFilterValue(g)})`).join("");
    return `(&(objectClass=group)(|${names})(member:1.2.840.113556.1.4.1941:=${escapeFilterValue(userDn)}))`;
}

export interface GroupLookup {
    /** The names of the limited groups the person with this sign-in name is in. */
    groupsOf(signInName: string): Promise<readonly string[]>;
}

export interface LdapOptions {
    /** ldap://host:389 or ldaps://host:636. */
    readonly url: string;
    readonly bindDn: string;
    readonly bindPassword: string;
    /** Where people are searched for (Open WebUI's LDAP_SEARCH_BASE). */
    readonly userBase: string;
    /** Where groups are searched for; the domain root finds them anywhere. */
    readonly groupBase: string;
    /** The attribute Open WebUI's e-mail comes from (LDAP_ATTRIBUTE_FOR_MAIL). */
    readonly userAttribute: string;
    /** The groups that have limits (config `usageLimitsByGroup`'s keys). */
    readonly groups: readonly string[];
    readonly timeoutMs: number;
}

/** Looks groups up in AD (or Samba) over LDAP, one short connection per lookup. */
export class LdapGroupLookup implements GroupLookup {
    constructor(private readonly options: LdapOptions) {}

    async groupsOf(signInName: string): Promise<readonly string[]> {
        const o = this.options;
        if (o.groups.length === 0 || signInName === "") {
            return [];
        }
        const client = new Client({
            url: o.url,
            timeout: o.timeoutMs,
            connectTimeout: o.timeoutMs,
        });
        try {
            await client.bind(o.bindDn, o.bindPassword);
            const { searchEntries: people } = await client.search(o.userBase, {
                scope: "sub",
                filter: `(&(objectClass=user)(${o.userAttribute}=${escapeFilterValue(signInName)}))`,
                attributes: ["1.1"],
                sizeLimit: 2,
            });
            // Nobody, or a name two accounts share: no group limit (the default applies).
            if (people.length !== 1) {
                return [];
            }
            const { searchEntries: groups } = await client.search(o.groupBase, {
                scope: "sub",
                filter: groupsFilter(people[0].dn, o.groups),
                attributes: ["cn"],
            });
            const names = new Map(o.groups.map((g) => [g.toLowerCase(), g]));
            return groups
                .map((g) => names.get(String(g.cn).toLowerCase()))
                .filter((g): g is string => g !== undefined);
        } finally {
            await client.unbind().catch(() => undefined);
        }
    }
}

/** How soon a failed lookup is tried again. */
const RETRY_MS = 30_000;

/**
 * The limited groups the directory does not have (by name, anywhere under `groupBase`): a typo in
 * `usageLimitsByGroup` would otherwise leave its people on the default limit without a word.
 */
export async function missingGroups(o: LdapOptions): Promise<readonly string[]> {
    if (o.groups.length === 0) {
        return [];
    }
    const client = new Client({ url: o.url, timeout: o.timeoutMs, connectTimeout: o.timeoutMs });
    try {
        await client.bind(o.bindDn, o.bindPassword);
        const names = o.groups.map((g) => `(cn=${escapeFilterValue(g)})`).join("");
        const { searchEntries } = await client.search(o.groupBase, {
            scope: "sub",
            filter: `(&(objectClass=group)(|${names}))`,
            attributes: ["cn"],
        });
        const found = new Set(searchEntries.map((e) => String(e.cn).toLowerCase()));
        return o.groups.filter((g) => !found.has(g.toLowerCase()));
    } finally {
        await client.unbind().catch(() => undefined);
    }
}

/**
 * A lookup's answers kept for `ttlMs` per person, concurrent asks for one person sharing one
 * lookup. When a lookup fails, the last answer (however old) is used, or none, for RETRY_MS; `onError` hears.
 */
export class CachedGroupLookup implements GroupLookup {
    private readonly entries = new Map<
        string,
        { at: number; value?: readonly string[]; pending?: Promise<readonly string[]> }
    >();

    constructor(
        private readonly inner: GroupLookup,
        private readonly ttlMs: number,
        private readonly onError: (error: unknown) => void,
        private readonly now: () => number = Date.now,
    ) {}

    groupsOf(signInName: string): Promise<readonly string[]> {
        const key = signInName.toLowerCase();
        const entry = this.entries.get(key);
        if (entry?.pending) {
            return entry.pending;
        }
        if (entry?.value && this.now() - entry.at < this.ttlMs) {
            return Promise.resolve(entry.value);
        }
        const stale = entry?.value;
        const pending = this.inner.groupsOf(signInName).then(
            (value) => {
                this.entries.set(key, { at: this.now(), value });
                return value;
            },
            (error) => {
                this.onError(error);
                // Asked again in RETRY_MS, not on every call while the directory is away.
                const value = stale ?? [];
                this.entries.set(key, { at: this.now() - this.ttlMs + RETRY_MS, value });
                return value;
            },
        );
        this.entries.set(key, { at: entry?.at ?? 0, value: stale, pending });
        return pending;
    }
}
