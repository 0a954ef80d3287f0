/**
 * A small IAM policy evaluator for the CI roles' tests: enough of AWS's evaluation logic to decide
 * a (action, resource, principal, context) request against identity or trust policies.
 *
 * What it implements (IAM User Guide, "Policy evaluation logic" and "IAM JSON policy elements"):
 * - an explicit Deny wins; otherwise any Allow allows; otherwise the request is implicitly denied;
 * - Action/NotAction matched case-insensitively, Resource/NotResource case-sensitively, both with
 *   `*` (any run of characters, empty too) and `?` (one character) over the whole string (AWS
 *   matches ARNs segment by segment; the patterns used here never depend on the difference);
 * - Principal (trust policies): `Federated`, `Service`, `AWS`, compared exactly;
 * - conditions: every operator block and every key in it must match (AND), any value of a key may
 *   (OR); StringEquals/StringNotEquals/StringLike/StringNotLike, ArnEquals/ArnLike, each with
 *   `IfExists`; a key the request does not carry fails a positive operator and passes a negated
 *   one; condition key names are case-insensitive, values case-sensitive.
 * Any other operator, a policy variable, or a multi-valued request key throws: an evaluator that
 * silently guessed would make the tests prove nothing.
 */
import type { PolicyDocument, Statement } from "../../ci-access/policies";

export interface Request {
    readonly action: string;
    readonly resource?: string;
    /** For trust policies: who asks, e.g. { Federated: "arn:aws:iam::...:oidc-provider/..." }. */
    readonly principal?: Readonly<Record<string, string>>;
    /** Request context keys ("aws:ResourceTag/Stack", "token.actions.githubusercontent.com:sub"). */
    readonly context?: Readonly<Record<string, string>>;
}

export type Decision = "allowed" | "explicitDeny" | "implicitDeny";

const list = (v: string | readonly string[] | undefined): readonly string[] =>
    v === undefined ? [] : typeof v === "string" ? [v] : v;

/** `*` and `?` wildcard match of the whole string. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
    if (pattern.includes("${")) {
        throw new Error(`policy variables are not supported by this evaluator: ${pattern}`);
    }
    const source = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
        .join("");
    return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

function matchesAction(statement: Statement, action: string): boolean {
    if (statement.Action !== undefined) {
        return list(statement.Action).some((p) => wildcardMatch(p, action, true));
    }
    if (statement.NotAction !== undefined) {
        return !list(statement.NotAction).some((p) => wildcardMatch(p, action, true));
    }
    throw new Error(`statement ${statement.Sid} has neither Action nor NotAction`);
}

function matchesResource(statement: Statement, resource: string | undefined): boolean {
    const isTrust = statement.Principal !== undefined;
    if (statement.Resource !== undefined) {
        return (
            resource !== undefined &&
            list(statement.Resource).some((p) => wildcardMatch(p, resource))
        );
    }
    if (statement.NotResource !== undefined) {
        return (
            resource !== undefined &&
            !list(statement.NotResource).some((p) => wildcardMatch(p, resource))
        );
    }
    if (isTrust) {
        return true; // a trust policy's resource is the role itself
    }
    throw new Error(`statement ${statement.Sid} has neither Resource nor NotResource`);
}

function matchesPrincipal(statement: Statement, principal: Request["principal"]): boolean {
    if (statement.Principal === undefined) {
        return true; // identity policy: the principal is whoever holds it
    }
    if (!principal) {
        return false;
    }
    return Object.entries(statement.Principal).some(([kind, values]) =>
        list(values).some((v) => v === "*" || principal[kind] === v),
    );
}

const OPERATORS: Readonly<
    Record<string, { negated: boolean; test: (p: string, v: string) => boolean }>
> = {
    StringEquals: { negated: false, test: (p, v) => p === v },
    StringNotEquals: { negated: true, test: (p, v) => p === v },
    StringLike: { negated: false, test: (p, v) => wildcardMatch(p, v) },
    StringNotLike: { negated: true, test: (p, v) => wildcardMatch(p, v) },
    ArnEquals: { negated: false, test: (p, v) => p === v },
    ArnLike: { negated: false, test: (p, v) => wildcardMatch(p, v) },
};

function contextValue(context: Request["context"], key: string): string | undefined {
    const entry = Object.entries(context ?? {}).find(
        ([k]) => k.toLowerCase() === key.toLowerCase(),
    );
    if (entry && typeof entry[1] !== "string") {
        throw new Error(`multi-valued context key ${key} is not supported by this evaluator`);
    }
    return entry?.[1];
}

function matchesConditions(statement: Statement, context: Request["context"]): boolean {
    for (const [rawOperator, block] of Object.entries(statement.Condition ?? {})) {
        const ifExists = rawOperator.endsWith("IfExists");
        const operatorName = ifExists ? rawOperator.slice(0, -"IfExists".length) : rawOperator;
        const operator = OPERATORS[operatorName];
        if (!operator) {
            throw new Error(`condition operator ${rawOperator} is not supported by this evaluator`);
        }
        for (const [key, expected] of Object.entries(block)) {
            const actual = contextValue(context, key);
            if (actual === undefined) {
                if (ifExists || operator.negated) {
                    continue;
                }
                return false;
            }
            const any = list(expected).some((p) => operator.test(p, actual));
            if (operator.negated ? any : !any) {
                return false;
            }
        }
    }
    return true;
}

function applies(statement: Statement, request: Request): boolean {
    return (
        matchesPrincipal(statement, request.principal) &&
        matchesAction(statement, request.action) &&
        matchesResource(statement, request.resource) &&
        matchesConditions(statement, request.context)
    );
}

/** The decision for one request against every policy that applies to the principal. */
export function evaluate(policies: readonly PolicyDocument[], request: Request): Decision {
    const statements = policies.flatMap((p) => p.Statement);
    if (statements.some((s) => s.Effect === "Deny" && applies(s, request))) {
        return "explicitDeny";
    }
    return statements.some((s) => s.Effect === "Allow" && applies(s, request))
        ? "allowed"
        : "implicitDeny";
}
