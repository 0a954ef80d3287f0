/**
 * The AWS API models (botocore's `service-2.json.gz`) and a validator of declared inputs against
 * them: each string's `pattern`, `min`/`max` length and `enum`, each list's and map's `min`/`max`
 * size, each number's `min`/`max`. The provider checks few of these (Bedrock's inference-profile
 * description: only its length), so a value AWS refuses would otherwise fail the first
 * `pulumi up`, after every test passed.
 *
 * Loading reads the image's own botocore once per process (located through `python3`); the
 * validator itself (`checkResource`, `checkValue`) is pure: a model and a value in, findings out.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

// ---------------------------------------------------------------------------------------------
// The models

export interface MemberRef {
    readonly shape: string;
}

export interface Shape {
    readonly type: string;
    readonly members?: Readonly<Record<string, MemberRef>>;
    readonly member?: MemberRef;
    readonly key?: MemberRef;
    readonly value?: MemberRef;
    readonly pattern?: string;
    readonly min?: number;
    readonly max?: number;
    readonly enum?: readonly string[];
}

export interface ServiceModel {
    /** The botocore folder name ("bedrock", "elbv2") and the API version read. */
    readonly service: string;
    readonly version: string;
    readonly operations: Readonly<Record<string, { readonly input?: MemberRef }>>;
    readonly shapes: Readonly<Record<string, Shape>>;
}

/**
 * A floor (Debian's 1.29 predates Bedrock's inference profiles); that each operation the table
 * names is in the models is checked by the test itself.
 */
export const MIN_BOTOCORE = [1, 35];

let dataDir: string | undefined;

/**
 * botocore's `data` folder of the image's python3, asked once per process. Throws (never skips)
 * when there is none or it is too old: a check that silently checks nothing proves nothing.
 */
export function botocoreDataDir(): string {
    if (dataDir) {
        return dataDir;
    }
    let answer: string;
    try {
        answer = execFileSync(
            "python3",
            [
                "-c",
                "import botocore,os;print(botocore.__version__);print(os.path.dirname(botocore.__file__))",
            ],
            { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        );
    } catch (e) {
        throw new Error(
            "the AWS API constraint check needs botocore's models: `python3 -c 'import botocore'` " +
                `failed (${(e as Error).message.split("\n")[0]}); use the image's python3 ` +
                `(botocore ${MIN_BOTOCORE.join(".")} or newer), not Debian's python3-botocore`,
        );
    }
    const [version, dir] = answer.trim().split("\n");
    const [major, minor] = version.split(".").map(Number);
    if (major < MIN_BOTOCORE[0] || (major === MIN_BOTOCORE[0] && minor < MIN_BOTOCORE[1])) {
        throw new Error(
            `botocore ${version} (${dir}) is too old for the AWS API constraint check: it needs ` +
                `${MIN_BOTOCORE.join(".")} or newer (Bedrock's inference profiles); Debian's ` +
                "python3-botocore is 1.29, the image's python3 has 1.43",
        );
    }
    dataDir = path.join(dir, "data");
    return dataDir;
}

const models = new Map<string, ServiceModel>();

/** A service's newest API version, gunzipped and parsed once per process. */
export function loadServiceModel(service: string, dir: string = botocoreDataDir()): ServiceModel {
    const cached = models.get(`${dir}\0${service}`);
    if (cached) {
        return cached;
    }
    const serviceDir = path.join(dir, service);
    const versions = fs.existsSync(serviceDir)
        ? fs
              .readdirSync(serviceDir)
              .filter((v) => fs.existsSync(path.join(serviceDir, v, "service-2.json.gz")))
              .sort()
        : [];
    if (versions.length === 0) {
        throw new Error(`botocore at ${dir} has no model for the service "${service}"`);
    }
    const version = versions[versions.length - 1];
    const raw = zlib.gunzipSync(
        fs.readFileSync(path.join(serviceDir, version, "service-2.json.gz")),
    );
    const parsed = JSON.parse(raw.toString("utf8")) as Omit<ServiceModel, "service" | "version">;
    const model = { service, version, operations: parsed.operations, shapes: parsed.shapes };
    models.set(`${dir}\0${service}`, model);
    return model;
}

// ---------------------------------------------------------------------------------------------
// Patterns

/** Java's POSIX classes, which some older models use, as ECMAScript class contents. */
const POSIX_CLASSES: Readonly<Record<string, string>> = {
    Alnum: "a-zA-Z0-9",
    Alpha: "a-zA-Z",
    Digit: "0-9",
    Upper: "A-Z",
    Lower: "a-z",
    XDigit: "0-9a-fA-F",
    Space: " \\t\\n\\x0B\\f\\r",
    Punct: "!-\\/:-@\\[-`{-~",
    Graph: "!-~",
    Print: " -~",
    ASCII: "\\x00-\\x7F",
    LD: "\\p{L}\\p{Nd}",
};

/** Rewrites `\p{Punct}` and friends into what ECMAScript understands (inside a class or not). */
function toEcmaScript(pattern: string): string {
    let out = "";
    let inClass = false;
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "\\") {
            const posix = /^\\p\{([A-Za-z]+)\}/.exec(pattern.slice(i));
            if (posix && POSIX_CLASSES[posix[1]] !== undefined) {
                const body = POSIX_CLASSES[posix[1]];
                out += inClass ? body : `[${body}]`;
                i += posix[0].length - 1;
                continue;
            }
            out += c + (pattern[i + 1] ?? "");
            i++;
            continue;
        }
        if (c === "[" && !inClass) {
            inClass = true;
        } else if (c === "]" && inClass) {
            inClass = false;
        }
        out += c;
    }
    return out;
}

const compiled = new Map<string, RegExp>();

/**
 * A model pattern as a whole-value match. The models come from Smithy (ECMAScript regular
 * expressions); AWS validates the whole value, as its API references print the same patterns
 * anchored (Bedrock CreateInferenceProfile: "Pattern: ^([0-9a-zA-Z:.][ _-]?)+$",
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateInferenceProfile.html),
 * where botocore stores `([0-9a-zA-Z:.][ _-]?)+`.
 */
export function patternRegExp(pattern: string): RegExp {
    let re = compiled.get(pattern);
    if (!re) {
        // Java's inline `(?i)` (ECMAScript in Node 20 has no inline flags): the whole pattern case
        // insensitive. Exact for the models' uses, in which the rest has no letters to fold.
        const caseless = pattern.includes("(?i)");
        const source = `^(?:${toEcmaScript(pattern.split("(?i)").join(""))})$`;
        const flags = caseless ? "i" : "";
        try {
            re = new RegExp(source, `u${flags}`);
        } catch {
            try {
                re = new RegExp(source, flags);
            } catch (e) {
                throw new Error(
                    `the model pattern ${pattern} is not an ECMAScript regular expression the ` +
                        `check understands (${(e as Error).message}); teach toEcmaScript it`,
                );
            }
        }
        compiled.set(pattern, re);
    }
    return re;
}

// ---------------------------------------------------------------------------------------------
// The validator

/** What AWS would refuse: the resource, the input's path, its value and the model's rule. */
export interface Violation {
    readonly resource: string;
    readonly type: string;
    /** The input's path as declared: `rules[0].statement.name`. */
    readonly field: string;
    readonly value: unknown;
    /** The rule broken, naming the model's shape: `pattern ^(?:...)$ of bedrock InferenceProfileDescription`. */
    readonly rule: string;
}

/** An input the check could not place in the API's request: the table must map or skip it. */
export interface Unplaced {
    readonly resource: string;
    readonly type: string;
    /** The input's path without list indices: `rules.statement.name` (what the table names). */
    readonly field: string;
    readonly why: string;
}

export interface ResourceCheck {
    readonly violations: Violation[];
    readonly unplaced: Unplaced[];
    /** How many scalar values were checked against a shape (a check that checks nothing fails). */
    checked: number;
}

/** How one Pulumi resource type's inputs reach an AWS API request. */
export interface ApiMapping {
    /** botocore's folder name of the service ("bedrock", "elbv2", "ds-data"). */
    readonly service: string;
    /** The operation whose request the resource's create sends ("CreateInferenceProfile"). */
    readonly operation: string;
    /**
     * Inputs whose API member is not the camelCase -> PascalCase default, by input path (list
     * indices dropped) -> member path from the request's root (`"HealthCheckPath"`,
     * `"IpPermissions.IpRanges.CidrIp"`, `"Budget.CostFilters.<key>"` for a map's keys), or
     * `"<Operation>:<path>"` for another operation of
     * the same service (an update, or a second call the resource makes).
     */
    readonly rename?: Readonly<Record<string, string>>;
    /**
     * Input names that stand for another member name at any depth (`ands` -> `And` in a
     * recursive expression), where a path per nesting level would not end.
     */
    readonly renameKeys?: Readonly<Record<string, string>>;
    /** Inputs (and everything under them) not checked, by input path -> why. */
    readonly skip?: Readonly<Record<string, string>>;
    /**
     * Rules AWS documents and enforces that its model does not state (EC2's model has no
     * patterns at all), by input path; checked on top of the model's.
     */
    readonly documented?: Readonly<Record<string, DocumentedRule>>;
}

/** A rule from an API reference page, for a string the model leaves unconstrained. */
export interface DocumentedRule {
    readonly pattern: string;
    readonly max?: number;
    /** The page that states it. */
    readonly source: string;
}

/** Marks a value the engine does not know until deployment, as the offline runner records it. */
export const UNKNOWN_MARKER = "[unknown until deployed]";

export interface CheckContext {
    readonly model: ServiceModel;
    /** The resource's name, as failure messages show it. */
    readonly resource: string;
    readonly type: string;
    readonly mapping: ApiMapping;
    /**
     * Inputs of every type skipped where the request has no member for them (`tags`, which
     * most services take as a map or Key/Value list, EC2 as TagSpecifications).
     */
    readonly skipEverywhere?: Readonly<Record<string, string>>;
    /** Input paths (with indices) sent as secrets: their values are not printed. */
    readonly secretPaths?: readonly string[];
    readonly result: ResourceCheck;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(at: string, key: string): string {
    return at ? `${at}.${key}` : key;
}

function shapeOf(ctx: CheckContext, name: string): Shape {
    const shape = ctx.model.shapes[name];
    if (!shape) {
        throw new Error(`${ctx.model.service} has no shape ${name}`);
    }
    return shape;
}

function inputShape(ctx: CheckContext, operation: string): string {
    const op = ctx.model.operations[operation];
    if (!op) {
        throw new Error(
            `${ctx.type}: ${ctx.model.service} ${ctx.model.version} has no operation ${operation}`,
        );
    }
    if (!op.input) {
        throw new Error(`${ctx.type}: ${ctx.model.service} ${operation} takes no input`);
    }
    return op.input.shape;
}

/** A member of a structure by name, ignoring case (Bedrock's members are camelCase). */
function memberOf(shape: Shape, name: string): MemberRef | undefined {
    const members = shape.members ?? {};
    const wanted = name.toLowerCase();
    const key = Object.keys(members).find((m) => m.toLowerCase() === wanted);
    return key === undefined ? undefined : members[key];
}

/**
 * A rename's target, `[Operation:]A.B.C`, walked from the request's root (through lists; `<key>`
 * and `<value>` step into a map's keys and values).
 */
function resolveTarget(ctx: CheckContext, target: string): string {
    const colon = target.indexOf(":");
    const operation = colon >= 0 ? target.slice(0, colon) : ctx.mapping.operation;
    const memberPath = colon >= 0 ? target.slice(colon + 1) : target;
    let name = inputShape(ctx, operation);
    for (const part of memberPath.split(".").filter((p) => p !== "")) {
        let shape = shapeOf(ctx, name);
        while (shape.type === "list" && shape.member) {
            name = shape.member.shape;
            shape = shapeOf(ctx, name);
        }
        if (shape.type === "map" && (part === "<key>" || part === "<value>")) {
            name = (part === "<key>" ? shape.key : shape.value)!.shape;
            continue;
        }
        const member = memberOf(shape, part);
        if (!member) {
            throw new Error(
                `${ctx.type}: the table maps an input to ${target}, but ${ctx.model.service} ` +
                    `${name} has no member ${part}`,
            );
        }
        name = member.shape;
    }
    return name;
}

function skipReason(
    ctx: CheckContext,
    field: string,
    skips: Readonly<Record<string, string>> = ctx.mapping.skip ?? {},
): string | undefined {
    for (const [prefix, reason] of Object.entries(skips)) {
        if (field === prefix || field.startsWith(`${prefix}.`)) {
            return reason;
        }
    }
    return undefined;
}

function isSecret(ctx: CheckContext, at: string): boolean {
    return (ctx.secretPaths ?? []).some(
        (p) => at === p || at.startsWith(`${p}.`) || at.startsWith(`${p}[`),
    );
}

/** A value as a failure message shows it: JSON, shortened, secrets withheld. */
function shown(ctx: CheckContext, at: string, value: unknown): unknown {
    if (isSecret(ctx, at)) {
        return "[secret]";
    }
    if (typeof value === "string" && value.length > 160) {
        return `${value.slice(0, 120)}... (${value.length} characters)`;
    }
    return value;
}

function violation(ctx: CheckContext, at: string, value: unknown, rule: string): void {
    ctx.result.violations.push({
        resource: ctx.resource,
        type: ctx.type,
        field: at,
        value: shown(ctx, at, value),
        rule,
    });
}

function unplaced(ctx: CheckContext, field: string, why: string): void {
    ctx.result.unplaced.push({ resource: ctx.resource, type: ctx.type, field, why });
}

/** `{ Name: value }` as the `[{ Key|Name, Value }]` list a model's tag or dimension list wants. */
function asPairs(ctx: CheckContext, value: Record<string, unknown>, list: Shape): unknown[] | null {
    const entry = list.member ? shapeOf(ctx, list.member.shape) : undefined;
    if (!entry || entry.type !== "structure") {
        return null;
    }
    const keyName = Object.keys(entry.members ?? {}).find((m) => /^(key|name)$/i.test(m));
    const valueName = Object.keys(entry.members ?? {}).find((m) => /^values?$/i.test(m));
    if (!keyName || !valueName) {
        return null;
    }
    return Object.entries(value).map(([k, v]) => ({ [keyName]: k, [valueName]: v }));
}

function checkStructure(
    ctx: CheckContext,
    value: Record<string, unknown>,
    shapeName: string,
    field: string,
    at: string,
): void {
    const shape = shapeOf(ctx, shapeName);
    for (const key of Object.keys(value).sort()) {
        const childField = join(field, key);
        const childAt = join(at, key);
        const child = value[key];
        if (skipReason(ctx, childField) !== undefined) {
            continue;
        }
        const target = ctx.mapping.rename?.[childField];
        if (target !== undefined) {
            checkValue(ctx, child, resolveTarget(ctx, target), childField, childAt);
            continue;
        }
        const member = memberOf(shape, ctx.mapping.renameKeys?.[key] ?? key);
        if (member) {
            checkValue(ctx, child, member.shape, childField, childAt);
        } else if (hasRenamesUnder(ctx, childField)) {
            checkDetached(ctx, child, childField, childAt);
        } else if (skipReason(ctx, childField, ctx.skipEverywhere) === undefined) {
            unplaced(ctx, childField, `${ctx.model.service} ${shapeName} has no member "${key}"`);
        }
    }
}

function hasRenamesUnder(ctx: CheckContext, field: string): boolean {
    return Object.keys(ctx.mapping.rename ?? {}).some((k) => k.startsWith(`${field}.`));
}

/**
 * An input block with no request member of its own whose fields the provider spreads over the
 * request (`healthCheck.path` -> `HealthCheckPath`): each field must be renamed or skipped.
 */
function checkDetached(ctx: CheckContext, value: unknown, field: string, at: string): void {
    if (Array.isArray(value)) {
        value.forEach((item, i) => checkDetached(ctx, item, field, `${at}[${i}]`));
        return;
    }
    if (!isPlainObject(value)) {
        unplaced(ctx, field, "a value in a block the table spreads over the request");
        return;
    }
    for (const key of Object.keys(value).sort()) {
        const childField = join(field, key);
        const childAt = join(at, key);
        const target = ctx.mapping.rename?.[childField];
        if (skipReason(ctx, childField) !== undefined) {
            continue;
        } else if (target !== undefined) {
            checkValue(ctx, value[key], resolveTarget(ctx, target), childField, childAt);
        } else if (hasRenamesUnder(ctx, childField)) {
            checkDetached(ctx, value[key], childField, childAt);
        } else {
            unplaced(ctx, childField, `the table renames fields of ${field} but not this one`);
        }
    }
}

/**
 * Checks `value` (an input at `at`; `field` is the same path without list indices) against the
 * model's shape `shapeName`, recording violations and inputs it could not place in `ctx.result`.
 */
export function checkValue(
    ctx: CheckContext,
    value: unknown,
    shapeName: string,
    field: string,
    at: string,
): void {
    if (value === null || value === undefined || value === UNKNOWN_MARKER) {
        return;
    }
    const shape = shapeOf(ctx, shapeName);
    const where = `${ctx.model.service} ${shapeName}`;
    const sizeRule = (size: number, unit: string): void => {
        if (shape.min !== undefined && size < shape.min) {
            violation(ctx, at, value, `${unit} ${size} < min ${shape.min} of ${where}`);
        }
        if (shape.max !== undefined && size > shape.max) {
            violation(ctx, at, value, `${unit} ${size} > max ${shape.max} of ${where}`);
        }
    };
    switch (shape.type) {
        case "structure":
            if (isPlainObject(value)) {
                checkStructure(ctx, value, shapeName, field, at);
            } else if (Array.isArray(value)) {
                // Pulumi's one-element blocks (a list in the schema, one structure in the API).
                value.forEach((item, i) => checkValue(ctx, item, shapeName, field, `${at}[${i}]`));
            } else {
                unplaced(ctx, field, `a ${typeof value} where ${where} is a structure`);
            }
            return;
        case "list": {
            if (isPlainObject(value) && asPairs(ctx, value, shape)) {
                // A map sent as a Key/Value list: shown by key (`tags.Name.Value`).
                const pairs = asPairs(ctx, value, shape)!;
                sizeRule(pairs.length, "list of");
                Object.keys(value).forEach((k, i) =>
                    checkValue(ctx, pairs[i], shape.member!.shape, field, `${at}.${k}`),
                );
                return;
            }
            let items: unknown[];
            if (Array.isArray(value)) {
                items = value;
            } else {
                // One value where the API takes a list of them (a rename into a list member).
                checkValue(ctx, value, shape.member!.shape, field, at);
                return;
            }
            sizeRule(items.length, "list of");
            items.forEach((item, i) =>
                checkValue(ctx, item, shape.member!.shape, field, `${at}[${i}]`),
            );
            return;
        }
        case "map":
            if (!isPlainObject(value)) {
                unplaced(ctx, field, `a ${typeof value} where ${where} is a map`);
                return;
            }
            sizeRule(Object.keys(value).length, "map of");
            for (const [k, v] of Object.entries(value)) {
                checkValue(ctx, k, shape.key!.shape, field, `${at} (key ${JSON.stringify(k)})`);
                checkValue(ctx, v, shape.value!.shape, field, `${at}.${k}`);
            }
            return;
        case "string": {
            if (Array.isArray(value)) {
                value.forEach((item, i) => checkValue(ctx, item, shapeName, field, `${at}[${i}]`));
                return;
            }
            if (isPlainObject(value)) {
                unplaced(ctx, field, `an object where ${where} is a string`);
                return;
            }
            const text = String(value);
            ctx.result.checked++;
            sizeRule([...text].length, "length");
            if (shape.pattern !== undefined && !patternRegExp(shape.pattern).test(text)) {
                violation(ctx, at, value, `pattern ${shape.pattern} of ${where} (whole value)`);
            }
            if (shape.enum !== undefined && !shape.enum.includes(text)) {
                violation(ctx, at, value, `one of [${shape.enum.join(", ")}] of ${where}`);
            }
            const documented = ctx.mapping.documented?.[field];
            if (documented && !patternRegExp(documented.pattern).test(text)) {
                violation(ctx, at, value, `pattern ${documented.pattern} (${documented.source})`);
            }
            if (documented?.max !== undefined && [...text].length > documented.max) {
                violation(ctx, at, value, `length > max ${documented.max} (${documented.source})`);
            }
            return;
        }
        case "integer":
        case "long":
        case "float":
        case "double": {
            if (Array.isArray(value)) {
                value.forEach((item, i) => checkValue(ctx, item, shapeName, field, `${at}[${i}]`));
                return;
            }
            // Pulumi sends some numbers as strings ("300"): the provider parses them.
            const n = typeof value === "number" ? value : Number(value);
            if (typeof value === "boolean" || isPlainObject(value) || Number.isNaN(n)) {
                unplaced(ctx, field, `${JSON.stringify(value)} where ${where} is a number`);
                return;
            }
            ctx.result.checked++;
            if (shape.min !== undefined && n < shape.min) {
                violation(ctx, at, value, `number < min ${shape.min} of ${where}`);
            }
            if (shape.max !== undefined && n > shape.max) {
                violation(ctx, at, value, `number > max ${shape.max} of ${where}`);
            }
            return;
        }
        default:
            // boolean, timestamp, blob: no constraint the models state that a value here breaks.
            ctx.result.checked++;
    }
}

/** A declared resource as the check needs it (the offline runner's record fits). */
export interface ResourceInputs {
    readonly name: string;
    readonly type: string;
    readonly inputs: Readonly<Record<string, unknown>>;
    readonly secretInputPaths?: readonly string[];
}

/** Checks one resource's inputs against its operation's request shape. Pure given the model. */
export function checkResource(
    resource: ResourceInputs,
    mapping: ApiMapping,
    model: ServiceModel,
    skipEverywhere: Readonly<Record<string, string>> = {},
): ResourceCheck {
    const result: ResourceCheck = { violations: [], unplaced: [], checked: 0 };
    const ctx: CheckContext = {
        model,
        resource: resource.name,
        type: resource.type,
        mapping,
        skipEverywhere,
        secretPaths: resource.secretInputPaths,
        result,
    };
    checkStructure(ctx, { ...resource.inputs }, inputShape(ctx, mapping.operation), "", "");
    return result;
}

/** One line per violation: resource, field, value and the rule. */
export function describeViolation(v: Violation): string {
    return `${v.resource} (${v.type}): ${v.field} = ${JSON.stringify(v.value)} breaks ${v.rule}`;
}
