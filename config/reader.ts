/**
 * Raw Pulumi config values and the problems found in them, collected instead of stopping at the
 * first. Pure: the raw values are the strings the Pulumi CLI hands a program (arrays and objects
 * as JSON text), so tests can feed anything without running Pulumi.
 */

/** Raw config as Pulumi passes it to a program: fully qualified keys ("ai-portal:vpcCidr") to strings. */
export type RawConfig = Readonly<Record<string, string>>;

export type ConfigValueType = "string" | "integer" | "boolean" | "array";

/** One thing wrong with the configuration: which key, what it held, why that is wrong, what is allowed. */
export interface ConfigProblem {
    readonly key: string;
    /** The raw value the key held, or undefined when it was not set. */
    readonly value: string | undefined;
    readonly reason: string;
    readonly allowed: string;
}

export function formatProblem(p: ConfigProblem): string {
    const got = p.value === undefined ? "is not set" : `= ${JSON.stringify(p.value)}`;
    return `${p.key} ${got}: ${p.reason}. Allowed: ${p.allowed}.`;
}

/** Levenshtein distance; small inputs only (config key names). */
export function editDistance(a: string, b: string): number {
    const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = previous[0];
        previous[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = previous[j];
            const cost = a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1;
            previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + cost);
            diagonal = above;
        }
    }
    return previous[b.length];
}

/** The known key closest to `key`, if it is close enough to be a plausible typo. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
    let best: { key: string; distance: number } | undefined;
    for (const candidate of known) {
        const distance = editDistance(key, candidate);
        if (!best || distance < best.distance) {
            best = { key: candidate, distance };
        }
    }
    return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

/**
 * The raw config of one namespace and the problems found in it, so a caller can read everything
 * and report all problems at once. Keys are read through specs (spec.ts).
 */
export class ConfigReader {
    private readonly found: ConfigProblem[] = [];

    constructor(
        private readonly values: RawConfig,
        private readonly namespace: string,
        private readonly declared: Readonly<Record<string, ConfigValueType>>,
    ) {}

    get problems(): readonly ConfigProblem[] {
        return this.found;
    }

    qualified(key: string): string {
        return `${this.namespace}:${key}`;
    }

    /** The raw string of a declared key of this namespace, or undefined when it is not set. */
    raw(key: string): string | undefined {
        if (!(key in this.declared)) {
            // A programming error, not a user error: a spec reads a key no spec declares.
            throw new Error(`config key ${this.qualified(key)} is read but not declared`);
        }
        return this.values[this.qualified(key)];
    }

    report(key: string, value: string | undefined, reason: string, allowed: string): void {
        this.found.push({ key, value, reason, allowed });
    }

    /** Reports every key of this namespace that is not declared, suggesting the nearest declared one. */
    rejectUnknownKeys(): void {
        const prefix = `${this.namespace}:`;
        const known = Object.keys(this.declared);
        for (const fullKey of Object.keys(this.values).sort()) {
            if (!fullKey.startsWith(prefix)) {
                continue;
            }
            const key = fullKey.slice(prefix.length);
            if (Object.prototype.hasOwnProperty.call(this.declared, key)) {
                continue;
            }
            const suggestion = nearestKey(key, known);
            this.report(
                fullKey,
                this.values[fullKey],
                suggestion
                    ? `is not a known key; did you mean ${this.qualified(suggestion)}?`
                    : "is not a known key",
                "the keys declared under config: in Pulumi.yaml",
            );
        }
    }
}
