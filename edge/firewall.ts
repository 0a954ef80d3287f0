import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Requests one address may make in five minutes before WAF blocks it for a while. */
export const RATE_LIMIT_PER_5_MIN = 2000;

/**
 * AWS managed rule groups on the ALB, in priority order. In the common rule set, two rules are
 * counted instead of blocking: Open WebUI's chats and file uploads routinely carry bodies over
 * 8 KB (SizeRestrictions_BODY) and pasted code with HTML (CrossSiteScripting_BODY). Their counts
 * stay visible in CloudWatch.
 */
export const MANAGED_RULE_GROUPS: readonly { name: string; countOnly?: string[] }[] = [
    { name: "AWSManagedRulesAmazonIpReputationList" },
    {
        name: "AWSManagedRulesCommonRuleSet",
        countOnly: ["SizeRestrictions_BODY", "CrossSiteScripting_BODY"],
    },
    { name: "AWSManagedRulesKnownBadInputsRuleSet" },
];

export interface WebFirewallArgs {
    /** Prefix for names and metrics, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The ALB the web ACL protects. Required. */
    readonly loadBalancerArn: pulumi.Input<string>;
    /** Open WebUI's local password sign-in path, refused except from `adminCidrs`. Required. */
    readonly localSignInPath: string;
    /** Where the break-glass administrator may sign in from; empty: nowhere. */
    readonly adminCidrs: readonly string[];
}

const visibility = (metricName: string) => ({
    cloudwatchMetricsEnabled: true,
    metricName,
    sampledRequestsEnabled: true,
});

/**
 * A WAFv2 web ACL on the ALB: AWS's IP reputation list, common rule set and known bad inputs, a
 * per-address rate limit, and the break-glass rule (the local password sign-in only from
 * `adminCidrs`, matched on the URL-decoded, lower-cased path, so encodings do not slip past).
 * Every rule publishes CloudWatch metrics (namespace AWS/WAFV2).
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
        const signInPath: aws.types.input.wafv2.WebAclRuleStatement = {
            byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint: "STARTS_WITH",
                searchString: args.localSignInPath,
                textTransformations: [
                    { priority: 0, type: "URL_DECODE" },
                    { priority: 1, type: "LOWERCASE" },
                ],
            },
        };

        const acl = new aws.wafv2.WebAcl(
            `${name}-acl`,
            {
                name: this.webAclName,
                description: `Managed rules, a rate limit and the break-glass rule for ${args.namePrefix}`,
                scope: "REGIONAL",
                defaultAction: { allow: {} },
                rules: [
                    {
                        name: "local-sign-in-from-admin-ranges-only",
                        priority: 0,
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
                    ...MANAGED_RULE_GROUPS.map((group, index) => ({
                        name: group.name,
                        priority: 10 + index,
                        overrideAction: { none: {} },
                        statement: {
                            managedRuleGroupStatement: {
                                vendorName: "AWS",
                                name: group.name,
                                ruleActionOverrides: (group.countOnly ?? []).map((rule) => ({
                                    name: rule,
                                    actionToUse: { count: {} },
                                })),
                            },
                        },
                        visibilityConfig: visibility(`${args.namePrefix}-${group.name}`),
                    })),
                    {
                        name: "rate-limit-per-address",
                        priority: 20,
                        action: { block: {} },
                        statement: {
                            rateBasedStatement: {
                                limit: RATE_LIMIT_PER_5_MIN,
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
