/**
 * Config keys declared once: each tier has a spec, a map from key to a reader that knows the key's
 * Pulumi.yaml type and default, what values are allowed, and how to parse one. One generic function
 * reads a whole spec and collects every problem; the key tables are derived from the specs, and a
 * test keeps Pulumi.yaml's `config:` schema in agreement with them (names, types, defaults).
 * Cross-field rules stay plain functions in each tier's config module.
 */
import { ConfigReader, ConfigValueType } from "./reader";

/** A key's type as Pulumi.yaml declares it. */
export type KeyType = ConfigValueType;

/** One problem a reader found: why, and optionally where (an item of a list) and what. */
export interface ReadProblem {
    readonly reason: string;
    /** Suffix of the key the problem is about, e.g. "[1]" for a list item. */
    readonly at?: string;
    /** The offending value, when it is not the whole raw value. */
    readonly value?: string;
    /** What is allowed there, when it differs from the key's own `allowed`. */
    readonly allowed?: string;
}

export type Parsed<T> =
    | { readonly ok: true; readonly value: T }
    | { readonly ok: false; readonly problems: readonly ReadProblem[] };

/** How one key is read. */
export interface KeyReader<T> {
    readonly type: KeyType;
    /** The default Pulumi.yaml declares (its YAML value); undefined when the key has none. */
    readonly default?: unknown;
    /** What the key accepts, for error messages. */
    readonly allowed: string;
    /** Parses the string Pulumi hands the program (lists as JSON text). */
    parse(raw: string): Parsed<T>;
}

export type Spec = Readonly<Record<string, KeyReader<unknown>>>;

/** The typed values a spec reads. */
export type SpecValues<S extends Spec> = {
    readonly [K in keyof S]: S[K] extends KeyReader<infer T> ? T : never;
};

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const problem = <T>(reason: string, extra: Omit<ReadProblem, "reason"> = {}): Parsed<T> => ({
    ok: false,
    problems: [{ reason, ...extra }],
});

/** What a spec read: every key that read cleanly (a key with a problem is absent). */
export type ReadValues<S extends Spec> = Partial<SpecValues<S>>;

/**
 * Reads every key of `spec`, reporting each problem to `reader` (key, value, what is allowed).
 * Returns the keys that read cleanly, so cross-field rules can still check those.
 */
export function readSpec<S extends Spec>(reader: ConfigReader, spec: S): ReadValues<S> {
    const values: Record<string, unknown> = {};
    for (const [key, keyReader] of Object.entries(spec)) {
        const qualified = reader.qualified(key);
        const raw = reader.raw(key);
        if (raw === undefined) {
            reader.report(
                qualified,
                undefined,
                "is required: set it in the stack's Pulumi.<stack>.yaml or with `pulumi config set`",
                `a ${keyReader.type}`,
            );
            continue;
        }
        const parsed = keyReader.parse(raw);
        if (parsed.ok) {
            values[key] = parsed.value;
            continue;
        }
        for (const p of parsed.problems) {
            reader.report(
                `${qualified}${p.at ?? ""}`,
                p.value ?? raw,
                p.reason,
                p.allowed ?? keyReader.allowed,
            );
        }
    }
    return values as ReadValues<S>;
}

/** True when every key of the spec read cleanly. */
export function allRead<S extends Spec>(spec: S, values: ReadValues<S>): values is SpecValues<S> {
    return Object.keys(spec).every((key) => key in values);
}

/** The key table a spec implies: key name to Pulumi.yaml type. */
export function keyTypes(...specs: Spec[]): Readonly<Record<string, KeyType>> {
    return Object.freeze(
        Object.fromEntries(
            specs.flatMap((spec) => Object.entries(spec).map(([key, r]) => [key, r.type])),
        ),
    );
}

// --- readers ------------------------------------------------------------------------------

type Check<T> = (value: T) => string | undefined;

/** A string, with an optional check returning why a value is wrong. */
export function text(options: {
    readonly allowed: string;
    readonly default?: string;
    readonly check?: Check<string>;
}): KeyReader<string> {
    return {
        type: "string",
        default: options.default,
        allowed: options.allowed,
        parse: (raw) => {
            const reason = options.check?.(raw);
            return reason ? problem(reason) : ok(raw);
        },
    };
}

/** A string where "" means "not set": the value is undefined then. */
export function optionalText(options: {
    readonly allowed: string;
    readonly check?: Check<string>;
}): KeyReader<string | undefined> {
    return {
        type: "string",
        default: "",
        allowed: options.allowed,
        parse: (raw) => {
            if (raw === "") {
                return ok(undefined);
            }
            const reason = options.check?.(raw);
            return reason ? problem(reason) : ok(raw);
        },
    };
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(values: readonly T[], defaultValue?: T): KeyReader<T> {
    return {
        type: "string",
        default: defaultValue,
        allowed: values.map((v) => JSON.stringify(v)).join(" or "),
        parse: (raw) =>
            (values as readonly string[]).includes(raw)
                ? ok(raw as T)
                : problem("is not a recognised value"),
    };
}

const INTEGER = /^-?[0-9]+$/;

/** A whole number within [min, max]; `outside` says why a value out of range is wrong. */
export function int(options: {
    readonly min: number;
    readonly max: number;
    readonly allowed: string;
    readonly outside: string;
    readonly default?: number;
    readonly check?: Check<number>;
}): KeyReader<number> {
    return {
        type: "integer",
        default: options.default,
        allowed: options.allowed,
        parse: (raw) => {
            if (!INTEGER.test(raw.trim())) {
                return problem("is not a whole number");
            }
            const value = Number(raw.trim());
            if (value < options.min || value > options.max) {
                return problem(options.outside);
            }
            const reason = options.check?.(value);
            return reason ? problem(reason) : ok(value);
        },
    };
}

/** An integer that must be one of a list (e.g. CloudWatch's retention periods). */
export function intIn(
    values: readonly number[],
    options: { readonly reason: string; readonly default?: number },
): KeyReader<number> {
    return {
        type: "integer",
        default: options.default,
        allowed: `one of ${values.join(", ")}`,
        parse: (raw) => {
            if (!INTEGER.test(raw.trim())) {
                return problem("is not a whole number");
            }
            const value = Number(raw.trim());
            return values.includes(value) ? ok(value) : problem(options.reason);
        },
    };
}

export function bool(defaultValue?: boolean): KeyReader<boolean> {
    return {
        type: "boolean",
        default: defaultValue,
        allowed: "true or false",
        parse: (raw) =>
            raw === "true" || raw === "false" ? ok(raw === "true") : problem("is not a boolean"),
    };
}

/**
 * A list of strings (Pulumi passes lists as JSON text). `item` checks each entry; `list` checks
 * the whole list once every entry is fine.
 */
export function list(
    key: string,
    options: {
        readonly allowed: string;
        readonly default?: readonly string[];
        readonly item?: (value: string) => { reason: string; allowed?: string } | undefined;
        readonly list?: (
            values: readonly string[],
        ) => { reason: string; allowed?: string } | undefined;
    },
): KeyReader<readonly string[]> {
    return {
        type: "array",
        default: options.default,
        allowed: options.allowed,
        parse: (raw) => {
            let value: unknown;
            try {
                value = JSON.parse(raw);
            } catch {
                value = undefined;
            }
            if (!Array.isArray(value) || !value.every((entry) => typeof entry === "string")) {
                return problem(
                    `is not a list of strings (set list items with \`pulumi config set --path '${key}[0]' VALUE\`)`,
                );
            }
            const entries = value as string[];
            const whole = options.list?.(entries);
            const problems: ReadProblem[] = whole
                ? [{ reason: whole.reason, allowed: whole.allowed }]
                : [];
            entries.forEach((entry, i) => {
                const found = options.item?.(entry);
                if (found) {
                    problems.push({
                        reason: found.reason,
                        at: `[${i}]`,
                        value: entry,
                        allowed: found.allowed,
                    });
                }
            });
            return problems.length > 0 ? { ok: false, problems } : ok(entries);
        },
    };
}
