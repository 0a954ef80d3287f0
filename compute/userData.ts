/**
 * Renders the hosts' boot scripts from the templates in compute/templates. Pure and
 * deterministic: the same values always give the same bytes (no timestamps, fixed MIME boundary),
 * so user data only changes when something it says changes.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** EC2 refuses user data over 16 KB; stay well below it. */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

const TEMPLATES = path.join(__dirname, "templates");
const INCLUDE = /^#@include ([a-z0-9-]+\.sh)$/m;
const PLACEHOLDER = /\{\{([A-Z0-9_]+)\}\}/g;
const BOUNDARY = "==AI-PORTAL-BOOT==";

export function readTemplate(name: string): string {
    return fs.readFileSync(path.join(TEMPLATES, name), "utf8");
}

/** Quotes a value for use inside the template's single quotes. */
function singleQuoted(value: string): string {
    return value.replace(/'/g, `'\\''`);
}

/**
 * The template's own comment lines, which explain it to reviewers (templates/*.sh), are left out
 * of what EC2 receives: user data is limited to 16 KB. Kept: the shebang, shellcheck directives
 * (the rendered scripts are linted too) and anything inserted as a block afterwards.
 */
export function withoutComments(template: string): string {
    return template
        .split("\n")
        .filter((line) => !/^\s*#(?!!)(?!\s*shellcheck )/.test(line))
        .join("\n");
}

/** Renders `{{NAME}}` placeholders: single-line values are shell-quoted, blocks go into quoted heredocs verbatim. */
export function renderTemplate(
    template: string,
    values: Readonly<Record<string, string>>,
    blocks: Readonly<Record<string, string>> = {},
): string {
    const withIncludes = withoutComments(
        template.replace(INCLUDE, (_, file: string) => readTemplate(file).trimEnd()),
    );
    const used = new Set<string>();
    const rendered = withIncludes.replace(PLACEHOLDER, (_, name: string) => {
        used.add(name);
        if (name in blocks) {
            const block = blocks[name];
            if (/^[A-Z]+$/m.test(block)) {
                throw new Error(`block ${name} contains a line that could end its heredoc`);
            }
            return block;
        }
        if (!(name in values)) {
            throw new Error(`template placeholder {{${name}}} has no value`);
        }
        if (/[\r\n]/.test(values[name])) {
            throw new Error(`value ${name} spans several lines; pass it as a block`);
        }
        return singleQuoted(values[name]);
    });
    const unused = [...Object.keys(values), ...Object.keys(blocks)].filter(
        (name) => !used.has(name),
    );
    if (unused.length > 0) {
        throw new Error(`values not used by the template: ${unused.join(", ")}`);
    }
    return rendered;
}

/** KEY=value lines for a Docker env file, in the given (stable) order; values must be single-line. */
export function envFile(entries: readonly (readonly [string, string])[]): string {
    for (const [key, value] of entries) {
        if (!/^[A-Z][A-Z0-9_]*$/.test(key) || /[\r\n]/.test(value)) {
            throw new Error(`invalid env entry ${key}`);
        }
    }
    return entries.map(([key, value]) => `${key}=${value}`).join("\n");
}

/**
 * Wraps a boot script in a MIME multipart whose cloud-config makes cloud-init run it at every
 * boot, not only the first: a user-data change is applied by EC2 with a stop/start, and the new
 * script must then run on the same instance.
 */
export function everyBootUserData(script: string): string {
    const userData = [
        'Content-Type: multipart/mixed; boundary="' + BOUNDARY + '"',
        "MIME-Version: 1.0",
        "",
        `--${BOUNDARY}`,
        'Content-Type: text/cloud-config; charset="us-ascii"',
        "",
        "#cloud-config",
        "cloud_final_modules:",
        "  - [scripts-user, always]",
        "",
        `--${BOUNDARY}`,
        'Content-Type: text/x-shellscript; charset="us-ascii"',
        "",
        script.trimEnd(),
        "",
        `--${BOUNDARY}--`,
        "",
    ].join("\n");
    const size = Buffer.byteLength(userData, "utf8");
    if (size > USER_DATA_LIMIT_BYTES) {
        throw new Error(`user data is ${size} bytes; EC2 accepts at most ${USER_DATA_LIMIT_BYTES}`);
    }
    return userData;
}

/** The shell script part of user data rendered by `everyBootUserData`. */
export function scriptOf(userData: string): string {
    const start = userData.indexOf("#!/bin/bash");
    const end = userData.lastIndexOf(`\n--${BOUNDARY}--`);
    if (start < 0 || end < start) {
        throw new Error("no boot script in this user data");
    }
    return userData.slice(start, end).trimEnd() + "\n";
}

/** `name:versionId` pairs, sorted by name: what the boot scripts log, and what changes with a secret. */
export function secretVersions(versions: Readonly<Record<string, string>>): string {
    return Object.keys(versions)
        .sort()
        .map((name) => `${name}:${versions[name]}`)
        .join(" ");
}

/**
 * Parameter Store's standard tier: values up to 4 KB, no charge (advanced parameters, up to 8 KB,
 * are billed per parameter-month). AWS Systems Manager user guide, "Managing parameter tiers".
 */
export const STANDARD_PARAMETER_MAX_BYTES = 4096;

/**
 * Parameter names: letters, digits and `_.-/`, fully qualified names start with `/`, and no
 * name may begin with `aws` or `ssm` (any case). The API model states only the length (1-2048);
 * AWS Systems Manager user guide, "Parameter name requirements and constraints".
 */
const PARAMETER_NAME = /^\/[a-zA-Z0-9_.\-/]+$/;
const RESERVED_NAME = /^\/?(aws|ssm)/i;

/**
 * A static file a boot script writes, kept out of user data (EC2's 16 KB): its text is the value
 * of a Parameter Store parameter of its own, and user data pins the SHA-256 of that value.
 */
export interface BootFile {
    /** The last part of its parameter's name (`/<namePrefix>/boot/<id>`), e.g. "rds-ca.pem". */
    readonly id: string;
    /** Where the host writes it. */
    readonly path: string;
    /** Its mode on the host, octal, e.g. "644". */
    readonly mode: string;
    /** Its text: exactly the parameter's value, with no trailing newline (the host adds one). */
    readonly value: string;
    /** The parameter's description. */
    readonly description: string;
}

/** A boot file's parameter name: `/<namePrefix>/boot/<id>`. */
export function bootParameterName(namePrefix: string, id: string): string {
    return `/${namePrefix}/boot/${id}`;
}

/** A Parameter Store parameter's ARN by its name (known before it exists). */
export function ssmParameterArn(
    partition: string,
    region: string,
    accountId: string,
    name: string,
): string {
    // A name that starts with "/" follows "parameter" directly (IAM user guide, Systems Manager
    // resource types: parameter/<name>, the name without its leading slash).
    return `arn:${partition}:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, "")}`;
}

/** The SHA-256 of a text's UTF-8 bytes, lower-case hex (what `sha256sum` prints). */
export function sha256Hex(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Every problem with a set of boot files and their parameter names, at once (an empty list: none). */
export function bootFileProblems(
    files: readonly { readonly parameterName: string; readonly file: BootFile }[],
): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const { parameterName, file } of files) {
        if (!PARAMETER_NAME.test(parameterName) || RESERVED_NAME.test(parameterName)) {
            problems.push(
                `boot file ${file.id}: parameter name "${parameterName}" must start with / and hold only letters, digits and _.-/ (not beginning with aws or ssm)`,
            );
        }
        if (parameterName.length > 2048) {
            problems.push(`boot file ${file.id}: parameter name is longer than 2048 characters`);
        }
        const bytes = Buffer.byteLength(file.value, "utf8");
        if (bytes === 0 || bytes > STANDARD_PARAMETER_MAX_BYTES) {
            problems.push(
                `boot file ${file.id}: value is ${bytes} bytes; a standard parameter holds 1 to ${STANDARD_PARAMETER_MAX_BYTES}`,
            );
        }
        if (/\s$/.test(file.value)) {
            problems.push(
                `boot file ${file.id}: value ends with white space, which the host's command substitution would drop`,
            );
        }
        if (!/^\/[A-Za-z0-9_.\-/]+$/.test(file.path)) {
            problems.push(`boot file ${file.id}: path "${file.path}" must be absolute, no spaces`);
        }
        if (!/^[0-7]{3}$/.test(file.mode)) {
            problems.push(`boot file ${file.id}: mode "${file.mode}" must be three octal digits`);
        }
        if (seen.has(parameterName) || seen.has(file.path)) {
            problems.push(`boot file ${file.id}: its parameter or path is used twice`);
        }
        seen.add(parameterName);
        seen.add(file.path);
    }
    return problems;
}

/**
 * The boot script's table of boot files, one line each: `<parameter name> <sha256> <path> <mode>`.
 * Throws with every problem at once.
 */
export function bootFileTable(
    files: readonly { readonly parameterName: string; readonly file: BootFile }[],
): string {
    const problems = bootFileProblems(files);
    if (problems.length > 0) {
        throw new Error(problems.join("; "));
    }
    return files
        .map(
            ({ parameterName, file }) =>
                `${parameterName} ${sha256Hex(file.value)} ${file.path} ${file.mode}`,
        )
        .join("\n");
}
