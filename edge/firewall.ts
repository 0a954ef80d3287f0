import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PASTED_TEXT_PATH_PREFIXES, SIGN_IN_PATHS } from "../lib/openWebUiRoutes";

type Statement = aws.types.input.wafv2.WebAclRuleStatement;
type TextTransformation =
    aws.types.input.wafv2.WebAclRuleStatementByteMatchStatementTextTransformation;

const COMMON = "AWSManagedRulesCommonRuleSet";
const KNOWN_BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet";

/**
 * AWS managed body rules that match what people paste into a chat about code or logs. Inside their
 * group they only count (the group still labels the request); the rule `body-rules-outside-chat`
 * blocks a request carrying one of the labels unless its path is one of Open WebUI's chat, upload
 * and note routes (PASTED_TEXT_PATH_PREFIXES). That is AWS's documented pattern for a managed rule
 * that is wrong for some paths: count it, then block on its label where it is right (labels are
 * added by counted rules too and seen by every later rule: developer guide, "Web request labeling",
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-labels.html; AWS Security Blog, "How to
 * customize behavior of AWS Managed Rules for AWS WAF"). Rule names and labels verbatim from the
 * AWS Managed Rules list, https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
 */
export const CHAT_SCOPED_BODY_RULES: readonly {
    readonly group: string;
    readonly rule: string;
    readonly label: string;
}[] = [
    // `../../` (path traversal): relative paths in code and stack traces.
    {
        group: COMMON,
        rule: "GenericLFI_BODY",
        label: "awswaf:managed:aws:core-rule-set:GenericLFI_Body",
    },
    // URLs with IPv4 hosts: `http://10.0.0.12:8080/` in any log or config.
    {
        group: COMMON,
        rule: "GenericRFI_BODY",
        label: "awswaf:managed:aws:core-rule-set:GenericRFI_Body",
    },
    // `169.254.169.254`: a question about the instance metadata service.
    {
        group: COMMON,
        rule: "EC2MetaDataSSRF_BODY",
        label: "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body",
    },
    // `${jndi:ldap://...}`: a Log4j log line or advisory.
    {
        group: KNOWN_BAD_INPUTS,
        rule: "Log4JRCE_BODY",
        label: "awswaf:managed:aws:known-bad-inputs:Log4JRCE_Body",
    },
    // `java.lang.Runtime.getRuntime().exec(...)`: ordinary Java.
    {
        group: KNOWN_BAD_INPUTS,
        rule: "JavaDeserializationRCE_BODY",
        label: "awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_Body",
    },
];

/**
 * AWS managed rule groups on the ALB, in priority order. `countEverywhere`: rules that only count,
 * on every path: Open WebUI's chats, uploads and workspace items routinely carry bodies over 8 KB
 * (SizeRestrictions_BODY) and pasted code with HTML (CrossSiteScripting_BODY). Their counts stay
 * visible in CloudWatch. CHAT_SCOPED_BODY_RULES are counted in the group too, and blocked by a
 * rule of their own outside the chat paths.
 */
export const MANAGED_RULE_GROUPS: readonly { name: string; countEverywhere: string[] }[] = [
    { name: "AWSManagedRulesAmazonIpReputationList", countEverywhere: [] },
    { name: COMMON, countEverywhere: ["SizeRestrictions_BODY", "CrossSiteScripting_BODY"] },
    { name: KNOWN_BAD_INPUTS, countEverywhere: [] },
];

/** Rule priorities: WAF evaluates lower numbers first and stops at the first block. */
export const PRIORITY = {
    /**
     * First, so every sign-in attempt is counted: a request that an earlier rule ended (the
     * break-glass block, a managed group) would never reach a later rate-based rule's count.
     */
    signInRateLimit: 0,
    breakGlass: 1,
    /** SCIM only from the identity provider's ranges (with SCIM on). */
    scimRanges: 2,
    /** The managed groups take this and the next numbers, in MANAGED_RULE_GROUPS' order. */
    managedGroups: 10,
    /** After the groups: a rule sees only the labels of rules evaluated before it. */
    bodyRulesOutsideChat: 20,
    rateLimit: 30,
} as const;

export interface WebFirewallArgs {
    /** Prefix for names and metrics, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The ALB the web ACL protects. Required. */
    readonly loadBalancerArn: pulumi.Input<string>;
    /** Open WebUI's local password sign-in path, refused except from `adminCidrs`. Required. */
    readonly localSignInPath: string;
    /** Where the break-glass administrator may sign in from; empty: nowhere. */
    readonly adminCidrs: readonly string[];
    /** SCIM's path prefix and the only ranges allowed to it (config `scim`); undefined: no rule. */
    readonly scim?: { readonly pathPrefix: string; readonly allowedCidrs: readonly string[] };
    /** Requests one address may make in five minutes (config `wafRateLimitPer5Min`). Required. */
    readonly rateLimitPer5Min: number;
    /**
     * Requests one address may send to the sign-in routes (SIGN_IN_PATHS) in five minutes (config
     * `wafSignInRateLimitPer5Min`). Required.
     */
    readonly signInRateLimitPer5Min: number;
}

const visibility = (metricName: string) => ({
    cloudwatchMetricsEnabled: true,
    metricName,
    sampledRequestsEnabled: true,
});

/**
 * The ALB and WAF match the path as the client sent it (case-sensitive, percent-encoded), while
 * uvicorn decodes it before Open WebUI routes it. URL_DECODE makes WAF see what the router sees.
 */
const DECODED: TextTransformation[] = [{ priority: 0, type: "URL_DECODE" }];
/**
 * For a rule that blocks or limits: also LOWERCASE, so no spelling of the path slips past. It
 * over-matches only paths FastAPI would not route (its matching is case-sensitive): harmless here.
 */
const DECODED_LOWERCASE: TextTransformation[] = [...DECODED, { priority: 1, type: "LOWERCASE" }];

const pathStartsWith = (prefix: string, textTransformations: TextTransformation[]): Statement => ({
    byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: "STARTS_WITH",
        searchString: prefix,
        textTransformations,
    },
});

/** One statement, or WAF's OR of several (an OrStatement needs at least two). */
const anyOf = (statements: Statement[]): Statement =>
    statements.length === 1 ? statements[0] : { orStatement: { statements } };

/**
 * A WAFv2 web ACL on the ALB: a per-address limit on the sign-in routes, the break-glass rule
 * (the local password sign-in only from `adminCidrs`), AWS's IP reputation list, common rule set
 * and known bad inputs (their body rules for pasted text scoped away from the chat routes), and a
 * per-address rate limit. Paths are matched URL-decoded, so encodings do not slip past. Every
 * rule publishes CloudWatch metrics (namespace AWS/WAFV2).
 */
export class WebFirewall extends pulumi.ComponentResource {
    public readonly webAclArn: pulumi.Output<string>;
    public readonly webAclName: string;

    constructor(name: string, args: WebFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:edge:WebFirewall", name, {}, opts);
        const parent = { parent: this };
        this.webAclName = `${args.namePrefix}-web`;

        const admins =
            args.adminCidrs.length > 0
                ? new aws.wafv2.IpSet(
                      `${name}-admin-cidrs`,
                      {
                          name: `${args.namePrefix}-admin-cidrs`,
                          scope: "REGIONAL",
                          ipAddressVersion: "IPV4",
                          addresses: [...args.adminCidrs],
                      },
                      parent,
                  )
                : undefined;
        const signInPath = pathStartsWith(args.localSignInPath, DECODED_LOWERCASE);
        const scimProvider = args.scim
            ? new aws.wafv2.IpSet(
                  `${name}-scim-cidrs`,
                  {
                      name: `${args.namePrefix}-scim-cidrs`,
                      scope: "REGIONAL",
                      ipAddressVersion: "IPV4",
                      addresses: [...args.scim.allowedCidrs],
                  },
                  parent,
              )
            : undefined;

        const acl = new aws.wafv2.WebAcl(
            `${name}-acl`,
            {
                name: this.webAclName,
                description: `Managed rules, rate limits and the break-glass rule for ${args.namePrefix}`,
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                rules: [
                    {
                        name: "rate-limit-sign-in",
                        priority: PRIORITY.signInRateLimit,
                        action: { block: {} },
                        statement: {
                            rateBasedStatement: {
                                limit: args.signInRateLimitPer5Min,
                                aggregateKeyType: "IP",
                                evaluationWindowSec: 300,
                                // Only these requests are counted, and only they are blocked.
                                scopeDownStatement: anyOf(
                                    SIGN_IN_PATHS.map((path) =>
                                        pathStartsWith(path, DECODED_LOWERCASE),
                                    ),
                                ),
                            },
                        },
                        visibilityConfig: visibility(`${args.namePrefix}-sign-in-rate-limit`),
                    },
                    {
                        name: "local-sign-in-from-admin-ranges-only",
                        priority: PRIORITY.breakGlass,
                        action: { block: {} },
                        statement: admins
                            ? {
                                  andStatement: {
                                      statements: [
                                          signInPath,
                                          {
                                              notStatement: {
                                                  statement: {
                                                      ipSetReferenceStatement: { arn: admins.arn },
                                                  },
                                              },
                                          },
                                      ],
                                  },
                              }
                            : signInPath,
                        visibilityConfig: visibility(`${args.namePrefix}-local-sign-in`),
                    },
                    ...(args.scim && scimProvider
                        ? [
                              {
                                  name: "scim-from-provider-ranges-only",
                                  priority: PRIORITY.scimRanges,
                                  action: { block: {} },
                                  statement: {
                                      andStatement: {
                                          statements: [
                                              pathStartsWith(
                                                  args.scim.pathPrefix,
                                                  DECODED_LOWERCASE,
                                              ),
                                              {
                                                  notStatement: {
                                                      statement: {
                                                          ipSetReferenceStatement: {
                                                              arn: scimProvider.arn,
                                                          },
                                                      },
                                                  },
                                              },
                                          ],
                                      },
                                  },
                                  visibilityConfig: visibility(`${args.namePrefix}-scim`),
                              },
                          ]
                        : []),
                    ...MANAGED_RULE_GROUPS.map((group, index) => ({
                        name: group.name,
                        priority: PRIORITY.managedGroups + index,
                        overrideAction: { none: {} },
                        statement: {
                            managedRuleGroupStatement: {
                                vendorName: "AWS",
                                name: group.name,
                                ruleActionOverrides: [
                                    ...group.countEverywhere,
                                    ...CHAT_SCOPED_BODY_RULES.filter(
                                        (r) => r.group === group.name,
                                    ).map((r) => r.rule),
                                ].map((rule) => ({ name: rule, actionToUse: { count: {} } })),
                            },
                        },
                        visibilityConfig: visibility(`${args.namePrefix}-${group.name}`),
                    })),
                    {
                        name: "body-rules-outside-chat",
                        priority: PRIORITY.bodyRulesOutsideChat,
                        action: { block: {} },
                        statement: {
                            andStatement: {
                                statements: [
                                    anyOf(
                                        CHAT_SCOPED_BODY_RULES.map((r) => ({
                                            labelMatchStatement: { scope: "LABEL", key: r.label },
                                        })),
                                    ),
                                    {
                                        notStatement: {
                                            // Decoded only, not lower-cased: an exemption must not
                                            // grow to spellings Open WebUI would not route.
                                            statement: anyOf(
                                                PASTED_TEXT_PATH_PREFIXES.map((prefix) =>
                                                    pathStartsWith(prefix, DECODED),
                                                ),
                                            ),
                                        },
                                    },
                                ],
                            },
                        },
                        visibilityConfig: visibility(`${args.namePrefix}-body-rules-outside-chat`),
                    },
                    {
                        name: "rate-limit-per-address",
                        priority: PRIORITY.rateLimit,
                        action: { block: {} },
                        statement: {
                            rateBasedStatement: {
                                limit: args.rateLimitPer5Min,
                                aggregateKeyType: "IP",
                                evaluationWindowSec: 300,
                            },
                        },
                        visibilityConfig: visibility(`${args.namePrefix}-rate-limit`),
                    },
                ],
                visibilityConfig: visibility(this.webAclName),
                tags: { Name: this.webAclName },
            },
            parent,
        );
        new aws.wafv2.WebAclAssociation(
            `${name}-association`,
            { resourceArn: args.loadBalancerArn, webAclArn: acl.arn },
            parent,
        );

        this.webAclArn = acl.arn;
        this.registerOutputs({ webAclArn: this.webAclArn, webAclName: this.webAclName });
    }
}
