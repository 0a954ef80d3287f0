/**
 * Loads a stack's config the way the Pulumi CLI hands it to a program: Pulumi.yaml's project
 * values and declared defaults first, then Pulumi.<stack>.yaml on top, keys fully qualified and
 * every value a string (lists and objects as JSON text). Secure values become placeholders.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export const SECRET_PLACEHOLDER = "[secure value placeholder]";

export interface KeyDeclaration {
    readonly type: string;
    readonly description?: string;
    readonly default?: unknown;
    readonly secret?: boolean;
}

export interface ProjectFile {
    readonly name: string;
    /** Un-namespaced keys declared with a type (the project's own schema). */
    readonly declarations: Readonly<Record<string, KeyDeclaration>>;
    /** Plain project-level values, fully qualified (e.g. "aws:region"). */
    readonly values: Readonly<Record<string, unknown>>;
}

export interface LoadedStackConfig {
    readonly project: string;
    readonly stack: string;
    /** Fully qualified key to string value, as `pulumi.runtime.allConfig()` returns it. */
    readonly raw: Readonly<Record<string, string>>;
    readonly secretKeys: readonly string[];
}

export interface StackConfigSource {
    readonly stack: string;
    /** A stack file's `config:` map to use instead of the committed Pulumi.<stack>.yaml. */
    readonly stackConfig?: Readonly<Record<string, unknown>>;
    /** Values applied after the stack file; un-namespaced keys get the project namespace. Use `undefined` to unset a key. */
    readonly overrides?: Readonly<Record<string, unknown>>;
}

function isDeclaration(value: unknown): value is KeyDeclaration {
    return typeof value === "object" && value !== null && !Array.isArray(value) && "type" in value;
}

let projectFileCache: ProjectFile | undefined;

export function readProjectFile(dir: string = PROJECT_DIR): ProjectFile {
    if (dir === PROJECT_DIR && projectFileCache) {
        return projectFileCache;
    }
    const doc = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config?: Record<string, unknown>;
    };
    const declarations: Record<string, KeyDeclaration> = {};
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (!key.includes(":") && isDeclaration(value)) {
            declarations[key] = value;
        } else {
            const qualified = key.includes(":") ? key : `${doc.name}:${key}`;
            values[qualified] =
                typeof value === "object" && value !== null && "value" in value
                    ? (value as { value: unknown }).value
                    : value;
        }
    }
    const result = { name: doc.name, declarations, values };
    if (dir === PROJECT_DIR) {
        projectFileCache = result;
    }
    return result;
}

export function readStackFile(stack: string, dir: string = PROJECT_DIR): Record<string, unknown> {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as {
        config?: Record<string, unknown>;
    };
    return doc.config ?? {};
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && "secure" in value;
}

/** The string the CLI passes for a YAML value. */
export function toConfigString(value: unknown): string {
    if (typeof value === "string") {
        return value;
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    return JSON.stringify(value);
}

export function loadStackConfig(
    source: StackConfigSource,
    dir: string = PROJECT_DIR,
): LoadedStackConfig {
    const project = readProjectFile(dir);
    const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const merged = new Map<string, unknown>();
    for (const [key, decl] of Object.entries(project.declarations)) {
        if (decl.default !== undefined) {
            merged.set(qualify(key), decl.default);
        }
    }
    for (const [key, value] of Object.entries(project.values)) {
        merged.set(key, value);
    }
    const stackConfig = source.stackConfig ?? readStackFile(source.stack, dir);
    for (const [key, value] of Object.entries(stackConfig)) {
        merged.set(qualify(key), value);
    }
    for (const [key, value] of Object.entries(source.overrides ?? {})) {
        if (value === undefined) {
            merged.delete(qualify(key));
        } else {
            merged.set(qualify(key), value);
        }
    }
    const raw: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const key of [...merged.keys()].sort()) {
        const value = merged.get(key);
        if (isSecure(value)) {
            raw[key] = SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else {
            raw[key] = toConfigString(value);
        }
    }
    return { project: project.name, stack: source.stack, raw, secretKeys };
}
