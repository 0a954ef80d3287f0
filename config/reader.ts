/**
 * Typed reading of raw Pulumi config values that collects every problem instead of stopping at
 * the first. Pure: the raw values are the strings the Pulumi CLI hands a program (arrays and
 * objects as JSON text), so tests can feed anything without running Pulumi.
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

const INTEGER = /^-?[0-9]+$/;

/**
 * Reads keys of one namespace. Every accessor returns `undefined` when the value is missing or
 * wrong and records why, so a caller can read everything and report all problems at once.
 */
export class ConfigReader {
    private readonly found: ConfigProblem[] = [];

    constructor(
        private readonly raw: RawConfig,
        private readonly namespace: string,
        private readonly declared: Readonly<Record<string, ConfigValueType>>,
    ) {}

    get problems(): readonly ConfigProblem[] {
        return this.found;
    }

    qualified(key: string): string {
        return `${this.namespace}:${key}`;
    }

    report(key: string, value: string | undefined, reason: string, allowed: string): void {
        this.found.push({ key, value, reason, allowed });
    }

    private rawValue(key: string, type: ConfigValueType): string | undefined {
        if (this.declared[key] !== type) {
            // A programming error, not a user error: the key table and the reader disagree.
            throw new Error(`config key ${this.qualified(key)} is read as ${type} but declared as ${this.declared[key]}`);
        }
        const value = this.raw[this.qualified(key)];
        if (value === undefined) {
            this.report(this.qualified(key), undefined, "is required: set it in the stack's Pulumi.<stack>.yaml or with `pulumi config set`", `a ${type}`);
        }
        return value;
    }

    string(key: string, allowed: string, check?: (value: string) => string | undefined): string | undefined {
        const value = this.rawValue(key, "string");
        if (value === undefined) {
            return undefined;
        }
        const reason = check?.(value);
        if (reason) {
            this.report(this.qualified(key), value, reason, allowed);
            return undefined;
        }
        return value;
    }

    oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
        const allowed = values.map((v) => JSON.stringify(v)).join(" or ");
        const value = this.string(key, allowed, (v) => ((values as readonly string[]).includes(v) ? undefined : "is not a recognised value"));
        return value as T | undefined;
    }

    integer(key: string, allowed: string, check?: (value: number) => string | undefined): number | undefined {
        const value = this.rawValue(key, "integer");
        if (value === undefined) {
            return undefined;
        }
        if (!INTEGER.test(value.trim())) {
            this.report(this.qualified(key), value, "is not a whole number", allowed);
            return undefined;
        }
        const parsed = Number(value.trim());
        const reason = check?.(parsed);
        if (reason) {
            this.report(this.qualified(key), value, reason, allowed);
            return undefined;
        }
        return parsed;
    }

    boolean(key: string): boolean | undefined {
        const value = this.rawValue(key, "boolean");
        if (value === undefined) {
            return undefined;
        }
        if (value !== "true" && value !== "false") {
            this.report(this.qualified(key), value, "is not a boolean", "true or false");
            return undefined;
        }
        return value === "true";
    }

    /** A list of strings; Pulumi passes arrays as JSON text. */
    stringList(key: string, allowed: string): readonly string[] | undefined {
        const value = this.rawValue(key, "array");
        if (value === undefined) {
            return undefined;
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
            this.report(
                this.qualified(key),
                value,
                "is not a list of strings (set list items with `pulumi config set --path '" + key + "[0]' VALUE`)",
                allowed,
            );
            return undefined;
        }
        return parsed as string[];
    }

    /** Reports every key of this namespace that is not declared, suggesting the nearest declared one. */
    rejectUnknownKeys(): void {
        const prefix = `${this.namespace}:`;
        const known = Object.keys(this.declared);
        for (const fullKey of Object.keys(this.raw).sort()) {
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
                this.raw[fullKey],
                suggestion ? `is not a known key; did you mean ${this.qualified(suggestion)}?` : "is not a known key",
                "the keys declared under config: in Pulumi.yaml",
            );
        }
    }
}
