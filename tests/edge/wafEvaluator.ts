/**
 * A small model of how AWS WAF evaluates a web ACL's rules (developer guide, "How AWS WAF processes
 * a web ACL"), enough to read the rendered rules as behaviour: rules in priority order, the first
 * block ends evaluation, a managed rule group's rules block unless overridden to count, every rule
 * that matches (counted ones too) adds its label, and later rules see the labels of earlier ones.
 *
 * What a managed rule would find in a body is not modelled: a request names the managed rules it
 * triggers, and DOCUMENTED_BODY_RULES (verbatim from AWS's managed rules list) says which group
 * each belongs to and which label it adds. Rate-based rules match when the request says its
 * address is over that rule's limit and the rule's scope-down statement matches.
 */
import { isIP } from "net";

/** Managed rules, their groups and labels, as AWS documents them (aws-managed-rule-groups-baseline). */
export const DOCUMENTED_BODY_RULES: Readonly<Record<string, { group: string; label: string }>> = {
    GenericLFI_BODY: {
        group: "AWSManagedRulesCommonRuleSet",
        label: "awswaf:managed:aws:core-rule-set:GenericLFI_Body",
    },
    GenericRFI_BODY: {
        group: "AWSManagedRulesCommonRuleSet",
        label: "awswaf:managed:aws:core-rule-set:GenericRFI_Body",
    },
    EC2MetaDataSSRF_BODY: {
        group: "AWSManagedRulesCommonRuleSet",
        label: "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body",
    },
    CrossSiteScripting_BODY: {
        group: "AWSManagedRulesCommonRuleSet",
        label: "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body",
    },
    SizeRestrictions_BODY: {
        group: "AWSManagedRulesCommonRuleSet",
        label: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
    },
    Log4JRCE_BODY: {
        group: "AWSManagedRulesKnownBadInputsRuleSet",
        label: "awswaf:managed:aws:known-bad-inputs:Log4JRCE_Body",
    },
    JavaDeserializationRCE_BODY: {
        group: "AWSManagedRulesKnownBadInputsRuleSet",
        label: "awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_Body",
    },
    // Not a body rule: one the groups keep blocking everywhere.
    NoUserAgent_HEADER: {
        group: "AWSManagedRulesCommonRuleSet",
        label: "awswaf:managed:aws:core-rule-set:NoUserAgent_Header",
    },
};

export interface WafRequest {
    readonly method: string;
    /** The path as the client sent it (percent-encoding and case untouched). */
    readonly path: string;
    /** The client's IPv4 address. Defaults to 203.0.113.10. */
    readonly ip?: string;
    /** Managed rules (keys of DOCUMENTED_BODY_RULES) the request's body triggers. */
    readonly triggers?: readonly string[];
    /** Names of rate-based rules whose limit this address is over. */
    readonly overLimit?: readonly string[];
}

export interface WafResult {
    readonly action: "ALLOW" | "BLOCK";
    /** The rule that blocked, or undefined for the default action. */
    readonly terminatingRule?: string;
    readonly labels: readonly string[];
}

/** The IP sets statements may reference: ARN to CIDRs. */
export type IpSets = Readonly<Record<string, readonly string[]>>;

interface Context {
    readonly request: WafRequest;
    readonly ruleName: string;
    readonly labels: string[];
    readonly ipSets: IpSets;
}

/** WAF's URL_DECODE: %XX sequences to their bytes; anything else stays. */
function urlDecode(value: string): string {
    return Buffer.from(
        value.replace(/%([0-9a-fA-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))),
        "latin1",
    ).toString("utf8");
}

function transform(value: string, transformations: readonly any[]): string {
    return [...transformations]
        .sort((a, b) => a.priority - b.priority)
        .reduce((v, t) => {
            switch (t.type) {
                case "NONE":
                    return v;
                case "URL_DECODE":
                    return urlDecode(v);
                case "LOWERCASE":
                    return v.toLowerCase();
                default:
                    throw new Error(`text transformation ${t.type} is not modelled`);
            }
        }, value);
}

function field(fieldToMatch: any, request: WafRequest): string {
    if (fieldToMatch.uriPath) {
        return request.path;
    }
    if (fieldToMatch.method) {
        return request.method;
    }
    throw new Error(`field ${JSON.stringify(fieldToMatch)} is not modelled`);
}

function ipInCidr(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const toInt = (a: string) => a.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const block = 2 ** (32 - Number(bits ?? 32));
    return Math.floor(toInt(ip) / block) === Math.floor(toInt(base) / block);
}

function matches(statement: any, ctx: Context): boolean {
    const kinds = Object.keys(statement).filter((k) => statement[k] !== undefined);
    if (kinds.length !== 1) {
        throw new Error(`a statement has exactly one kind, not ${JSON.stringify(kinds)}`);
    }
    const s = statement[kinds[0]];
    switch (kinds[0]) {
        case "byteMatchStatement": {
            const value = transform(field(s.fieldToMatch, ctx.request), s.textTransformations);
            const search: string = s.searchString;
            switch (s.positionalConstraint) {
                case "EXACTLY":
                    return value === search;
                case "STARTS_WITH":
                    return value.startsWith(search);
                case "ENDS_WITH":
                    return value.endsWith(search);
                case "CONTAINS":
                    return value.includes(search);
                default:
                    throw new Error(
                        `positional constraint ${s.positionalConstraint} is not modelled`,
                    );
            }
        }
        case "labelMatchStatement":
            if (s.scope === "LABEL") {
                // The key is the label's name, optionally with any of its namespaces before it.
                return ctx.labels.some((l) => l === s.key || l.endsWith(`:${s.key}`));
            }
            return ctx.labels.some((l) => l.startsWith(s.key.endsWith(":") ? s.key : `${s.key}:`));
        case "ipSetReferenceStatement": {
            const cidrs = ctx.ipSets[s.arn];
            if (!cidrs) {
                throw new Error(`no IP set ${s.arn}`);
            }
            const ip = ctx.request.ip ?? "203.0.113.10";
            if (isIP(ip) !== 4) {
                throw new Error(`${ip} is not an IPv4 address`);
            }
            return cidrs.some((cidr) => ipInCidr(ip, cidr));
        }
        case "andStatement":
            if (s.statements.length < 2) {
                throw new Error("an AndStatement needs at least two statements");
            }
            return s.statements.every((x: any) => matches(x, ctx));
        case "orStatement":
            if (s.statements.length < 2) {
                throw new Error("an OrStatement needs at least two statements");
            }
            return s.statements.some((x: any) => matches(x, ctx));
        case "notStatement":
            return !matches(s.statement, ctx);
        case "rateBasedStatement":
            return (
                (ctx.request.overLimit ?? []).includes(ctx.ruleName) &&
                (s.scopeDownStatement === undefined || matches(s.scopeDownStatement, ctx))
            );
        default:
            throw new Error(`statement ${kinds[0]} is not modelled`);
    }
}

/** Evaluates the web ACL's `rules` (as rendered) and default action over one request. */
export function evaluate(
    acl: { rules: readonly any[]; defaultAction: any },
    request: WafRequest,
    ipSets: IpSets = {},
): WafResult {
    const labels: string[] = [];
    const rules = [...acl.rules].sort((a, b) => a.priority - b.priority);
    for (const rule of rules) {
        const ctx: Context = { request, ruleName: rule.name, labels, ipSets };
        const group = rule.statement.managedRuleGroupStatement;
        if (group) {
            if (group.scopeDownStatement && !matches(group.scopeDownStatement, ctx)) {
                continue;
            }
            const counted = new Set(
                (group.ruleActionOverrides ?? [])
                    .filter((o: any) => o.actionToUse.count)
                    .map((o: any) => o.name),
            );
            let blocked = false;
            for (const trigger of request.triggers ?? []) {
                const documented = DOCUMENTED_BODY_RULES[trigger];
                if (!documented) {
                    throw new Error(`no documented rule ${trigger}`);
                }
                if (documented.group !== group.name) {
                    continue;
                }
                labels.push(documented.label);
                blocked ||= !counted.has(trigger);
            }
            // overrideAction `count` would turn the group's blocks into counts.
            if (blocked && !rule.overrideAction?.count) {
                return { action: "BLOCK", terminatingRule: rule.name, labels };
            }
            continue;
        }
        if (matches(rule.statement, ctx)) {
            if (rule.action.block) {
                return { action: "BLOCK", terminatingRule: rule.name, labels };
            }
            if (rule.action.allow) {
                return { action: "ALLOW", terminatingRule: rule.name, labels };
            }
        }
    }
    return { action: acl.defaultAction.allow ? "ALLOW" : "BLOCK", labels };
}

/**
 * Web ACL capacity units of the rules, from the developer guide's figures: string match 2 (+10 per
 * text transformation), label match 1, IP set 1, logical statements the sum of what they hold, a
 * rate-based rule 2 plus its scope-down, and the three managed groups' published capacities.
 */
export function capacityUnits(rules: readonly any[]): number {
    const managed: Record<string, number> = {
        AWSManagedRulesAmazonIpReputationList: 25,
        AWSManagedRulesCommonRuleSet: 700,
        AWSManagedRulesKnownBadInputsRuleSet: 200,
    };
    const wcu = (statement: any): number => {
        const [kind, s] = Object.entries(statement).find(([, v]) => v !== undefined) as [
            string,
            any,
        ];
        switch (kind) {
            case "byteMatchStatement":
                return (
                    (["CONTAINS", "CONTAINS_WORD"].includes(s.positionalConstraint) ? 10 : 2) +
                    10 * s.textTransformations.length
                );
            case "labelMatchStatement":
            case "ipSetReferenceStatement":
                return 1;
            case "andStatement":
            case "orStatement":
                return s.statements.reduce((n: number, x: any) => n + wcu(x), 0);
            case "notStatement":
                return wcu(s.statement);
            case "rateBasedStatement":
                return 2 + (s.scopeDownStatement ? wcu(s.scopeDownStatement) : 0);
            case "managedRuleGroupStatement":
                if (!(s.name in managed)) {
                    throw new Error(`no capacity known for ${s.name}`);
                }
                return managed[s.name];
            default:
                throw new Error(`no capacity known for ${kind}`);
        }
    };
    return rules.reduce((n, rule) => n + wcu(rule.statement), 0);
}
