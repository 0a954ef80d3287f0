/** The network: what the internet may reach, the default security group, flow logs. */
import * as aws from "@pulumi/aws";
import {
    PolicyResource,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import {
    fromProperty,
    isInternetLoadBalancer,
    webEntryPointIn,
    WEB_PORTS,
    worldOpen,
} from "./common";

const T = {
    sg: "aws:ec2/securityGroup:SecurityGroup",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    vpc: "aws:ec2/vpc:Vpc",
    flowLog: "aws:ec2/flowLog:FlowLog",
    instance: "aws:ec2/instance:Instance",
};

/** One ingress permission, whatever resource declares it. */
interface Ingress {
    readonly protocol: string;
    readonly from: number;
    readonly to: number;
    readonly cidrs: string[];
}

const ALL_PROTOCOLS = ["-1", "all"];

/** Every range a rule (or an inline rule) names, in whichever of its properties. */
function cidrsOf(rule: {
    readonly cidrIpv4?: string;
    readonly cidrIpv6?: string;
    readonly cidrBlocks?: string[];
    readonly ipv6CidrBlocks?: string[];
}): string[] {
    const { cidrIpv4: v4, cidrIpv6: v6, cidrBlocks: blocks, ipv6CidrBlocks: v6Blocks } = rule;
    // A stray entry (a placeholder, an unset value) is never world-open, and world-open ranges
    // are all callers look for (they filter by worldOpen): neither mutant changes a verdict.
    // Stryker disable next-line ArrayDeclaration: see above
    const ranges = [v4, v6, ...(blocks ?? []), ...(v6Blocks ?? [])];
    // Stryker disable next-line MethodExpression,ConditionalExpression: see above
    return ranges.filter((c): c is string => typeof c === "string");
}

function describe(rule: Ingress): string {
    const ports = ALL_PROTOCOLS.includes(rule.protocol)
        ? "every port"
        : rule.from === rule.to
          ? `port ${rule.from}`
          : `ports ${rule.from}-${rule.to}`;
    return `${ports} from ${rule.cidrs.filter(worldOpen).join(", ")}`;
}

/** Whether a world-open rule stays within HTTP and HTTPS (TCP, one of those ports). */
const webOnly = (rule: Ingress) =>
    rule.protocol === "tcp" && rule.from === rule.to && WEB_PORTS.includes(rule.from);

function checkIngress(rules: Ingress[], report: ReportViolation): void {
    for (const rule of rules.filter((r) => r.cidrs.some(worldOpen))) {
        if (!webOnly(rule)) {
            report(
                `${describe(rule)} is open to the internet; only ${WEB_PORTS.join(" and ")} may be`,
            );
        }
    }
}

export const worldIngressWebPortsOnly: ResourceValidationPolicy = {
    name: "world-ingress-web-ports-only",
    description:
        "Ranges open to (nearly) the whole internet (0.0.0.0/0, 0.0.0.0/1, ::/0, anything broader than /8 or /16) reach only TCP 80 and 443, in every kind of rule.",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _, report) =>
            checkIngress(
                [
                    {
                        protocol: String(rule.ipProtocol),
                        from: rule.fromPort ?? 0,
                        to: rule.toPort ?? 65535,
                        cidrs: cidrsOf(rule),
                    },
                ],
                report,
            ),
        ),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _, report) => {
            if (rule.type !== "ingress") {
                return;
            }
            checkIngress(
                [
                    {
                        protocol: String(rule.protocol),
                        from: rule.fromPort,
                        to: rule.toPort,
                        cidrs: cidrsOf(rule),
                    },
                ],
                report,
            );
        }),
        validateResourceOfType(aws.ec2.SecurityGroup, (group, _, report) =>
            checkIngress(
                // Stryker disable next-line ArrayDeclaration: a stray entry names no range
                (group.ingress ?? []).map((r) => ({
                    protocol: String(r.protocol),
                    from: r.fromPort,
                    to: r.toPort,
                    cidrs: cidrsOf(r),
                })),
                report,
            ),
        ),
    ],
};

/** The security groups of the resources allowed to face the internet. */
function entryPointGroups(resources: PolicyResource[]): Set<string> {
    const isWebEntryPoint = webEntryPointIn(resources);
    const groups = [
        ...resources
            .filter((r) => r.type === T.instance && isWebEntryPoint(r))
            .flatMap((r) => fromProperty(r, "vpcSecurityGroupIds")),
        ...resources
            .filter(isInternetLoadBalancer)
            .flatMap((r) => fromProperty(r, "securityGroups")),
    ];
    return new Set(groups.map((g) => g.urn));
}

export const worldIngressOnlyAtEntryPoint: StackValidationPolicy = {
    name: "world-ingress-only-at-the-entry-point",
    description:
        "Rules open to the internet sit only on the security groups of the web entry point (the designated web host, or an internet-facing load balancer).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const allowed = entryPointGroups(args.resources);
        for (const rule of args.resources.filter(
            (r) => r.type === T.ingress || r.type === T.sgRule,
        )) {
            if (
                (rule.type === T.sgRule && rule.props.type !== "ingress") ||
                !cidrsOf(rule.props).some(worldOpen)
            ) {
                continue;
            }
            const groups = fromProperty(rule, "securityGroupId");
            if (groups.length === 0 || !groups.every((g) => allowed.has(g.urn))) {
                report(
                    `${rule.name}: opens ${groups.map((g) => g.name).join(", ") || "a group this stack does not declare"} to the internet, which is not the web entry point's`,
                    rule.urn,
                );
            }
        }
        for (const group of args.resources.filter((r) => r.type === T.sg)) {
            // Stryker disable next-line ArrayDeclaration: a stray entry names no range
            const open = (group.props.ingress ?? []).some((r: Record<string, string[]>) =>
                cidrsOf(r).some(worldOpen),
            );
            if (open && !allowed.has(group.urn)) {
                report(
                    `${group.name}: an inline rule opens it to the internet, and it is not the web entry point's`,
                    group.urn,
                );
            }
        }
    },
};

export const defaultSecurityGroupClosed: StackValidationPolicy = {
    name: "default-security-group-closed",
    description:
        "The VPC's default security group allows nothing: no inline rules, no rule resources on it.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const group of args.resources.filter((r) => r.type === T.defaultSg)) {
            if ((group.props.ingress ?? []).length > 0 || (group.props.egress ?? []).length > 0) {
                report(`${group.name}: the default security group has rules`, group.urn);
            }
        }
        for (const rule of args.resources.filter((r) =>
            [T.ingress, T.egress, T.sgRule].includes(r.type),
        )) {
            // A group id computed from a VPC itself is its defaultSecurityGroupId.
            const onDefault = fromProperty(rule, "securityGroupId").filter(
                (g) => g.type === T.defaultSg || g.type === T.vpc,
            );
            if (onDefault.length > 0) {
                report(
                    `${rule.name}: adds a rule to the default security group of ${onDefault.map((g) => g.name).join(", ")}`,
                    rule.urn,
                );
            }
        }
    },
};

export const vpcFlowLogs: StackValidationPolicy = {
    name: "vpc-flow-logs",
    description: "Every VPC has a flow log.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const logged = new Set(
            args.resources
                .filter((r) => r.type === T.flowLog)
                .flatMap((r) => fromProperty(r, "vpcId"))
                .map((v) => v.urn),
        );
        for (const vpc of args.resources.filter((r) => r.type === T.vpc)) {
            if (!logged.has(vpc.urn)) {
                report(`${vpc.name}: no flow log records its traffic`, vpc.urn);
            }
        }
    },
};
