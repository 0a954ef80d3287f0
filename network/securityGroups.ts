import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    GroupName,
    MatrixInput,
    ownGroups,
    ruleKey,
    TrafficRule,
    trafficMatrix,
} from "./trafficMatrix";

export interface SecurityGroupsArgs extends MatrixInput {
    /** Prefix for `Name` tags, e.g. "ai-portal-dev". */
    readonly namePrefix: string;
    /** The VPC the groups belong to. Required. */
    readonly vpcId: pulumi.Input<string>;
    /** The data tier's group (it receives the PostgreSQL ingress rules). */
    readonly databaseSecurityGroupId: pulumi.Input<string>;
    /**
     * The group AWS created for the domain controllers (only pointed at); undefined when the stack
     * has no directory (then `directory` must be false).
     */
    readonly directorySecurityGroupId?: pulumi.Input<string>;
    /** The NAT gateways' public addresses, in order (rows that name a NAT address). */
    readonly natPublicIps?: pulumi.Input<string[]>;
}

/**
 * A group's description is fixed at creation (changing it replaces the group), so the web and
 * gateway groups keep theirs in both web tiers. EC2 accepts only a-zA-Z0-9, spaces and
 * ._-:/()#,@[]+=&;{}!$* here and in rule descriptions (no apostrophe), which its API model does
 * not state; tests/aws/apiConstraints.test.ts checks it.
 */
const DESCRIPTIONS: Partial<Record<GroupName, string>> = {
    web: "Open WebUI host: HTTPS from allowed clients",
    gateway: "Bedrock gateway host: its API from the web host only",
    dbBootstrap: "Function that creates the Open WebUI role in PostgreSQL",
    directoryPolicy: "Functions that set the directory password policies and check the bind",
    alb: "Internet-facing ALB: HTTPS from allowed clients",
    gatewayLb: "Internal load balancer of the gateway: from the web hosts only",
    redis: "Redis of the web tier: from the web hosts only",
};

/**
 * The security groups of the hosts and the bootstrap function, and every rule of the traffic
 * matrix as its own resource (groups reference groups between tiers, never CIDRs). The groups
 * start empty: AWS's default allow-all egress is removed, so only the matrix opens anything.
 */
export class SecurityGroups extends pulumi.ComponentResource {
    public readonly webSecurityGroupId: pulumi.Output<string>;
    public readonly gatewaySecurityGroupId: pulumi.Output<string>;
    public readonly dbBootstrapSecurityGroupId: pulumi.Output<string>;
    /**
     * The directory's password-policy and bind-check functions (LDAP to the directory); undefined
     * without a directory.
     */
    public readonly directoryPolicySecurityGroupId?: pulumi.Output<string>;
    /** The load-balanced tier's groups (undefined in the single-host tier). */
    public readonly albSecurityGroupId?: pulumi.Output<string>;
    public readonly gatewayLbSecurityGroupId?: pulumi.Output<string>;
    public readonly redisSecurityGroupId?: pulumi.Output<string>;
    /** The rules as declared, keyed by `ruleKey`. */
    public readonly rules: ReadonlyMap<string, pulumi.CustomResource>;
    public readonly matrix: readonly TrafficRule[];

    constructor(name: string, args: SecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:network:SecurityGroups", name, {}, opts);
        if ((args.directory ?? true) !== (args.directorySecurityGroupId !== undefined)) {
            throw new Error(
                "the directory's security group is given exactly when there is a directory",
            );
        }
        const parent = { parent: this };

        const own = new Map<GroupName, pulumi.Output<string>>(
            ownGroups(args.webTier, args.directory).map((group) => [
                group,
                new aws.ec2.SecurityGroup(
                    `${name}-${group}`,
                    {
                        vpcId: args.vpcId,
                        description: DESCRIPTIONS[group]!,
                        revokeRulesOnDelete: true,
                        tags: { Name: `${args.namePrefix}-${group}` },
                    },
                    parent,
                ).id,
            ]),
        );
        const peerOf = (rule: TrafficRule) => {
            const peer = rule.peer;
            if ("natAddress" in peer) {
                if (!args.natPublicIps) {
                    throw new Error(`${ruleKey(rule)} names a NAT address, and none were given`);
                }
                return {
                    cidrIpv4: pulumi
                        .output(args.natPublicIps)
                        .apply((ips) => `${ips[peer.natAddress]}/32`),
                };
            }
            return "cidr" in peer
                ? { cidrIpv4: peer.cidr }
                : { referencedSecurityGroupId: groupId(peer.group) };
        };
        const groupId = (group: GroupName): pulumi.Input<string> =>
            group === "database"
                ? args.databaseSecurityGroupId
                : group === "directory"
                  ? args.directorySecurityGroupId!
                  : own.get(group)!;

        this.matrix = trafficMatrix(args);
        const rules = new Map<string, pulumi.CustomResource>();
        for (const rule of this.matrix) {
            // Stryker disable all: a guard against a future matrix row; trafficMatrix adds none to
            // the directory's group (tests/network/trafficMatrix.test.ts), so nothing reaches it.
            if (rule.group === "directory") {
                throw new Error(
                    "the directory's security group is managed by AWS; no rule may be added to it",
                );
            }
            // Stryker restore all
            const key = ruleKey(rule);
            const common = {
                securityGroupId: groupId(rule.group),
                ipProtocol: rule.protocol,
                fromPort: rule.port,
                toPort: rule.port,
                description: rule.description,
                ...peerOf(rule),
                tags: { Name: `${args.namePrefix}-${key}` },
            };
            rules.set(
                key,
                rule.direction === "ingress"
                    ? new aws.vpc.SecurityGroupIngressRule(`${name}-${key}`, common, parent)
                    : new aws.vpc.SecurityGroupEgressRule(`${name}-${key}`, common, parent),
            );
        }
        this.rules = rules;

        this.webSecurityGroupId = own.get("web")!;
        this.gatewaySecurityGroupId = own.get("gateway")!;
        this.dbBootstrapSecurityGroupId = own.get("dbBootstrap")!;
        this.directoryPolicySecurityGroupId = own.get("directoryPolicy");
        this.albSecurityGroupId = own.get("alb");
        this.gatewayLbSecurityGroupId = own.get("gatewayLb");
        this.redisSecurityGroupId = own.get("redis");
        // Stryker disable next-line ObjectLiteral: the outputs go to the state file; the mock monitor records none
        this.registerOutputs({
            webSecurityGroupId: this.webSecurityGroupId,
            gatewaySecurityGroupId: this.gatewaySecurityGroupId,
            dbBootstrapSecurityGroupId: this.dbBootstrapSecurityGroupId,
            directoryPolicySecurityGroupId: this.directoryPolicySecurityGroupId,
            albSecurityGroupId: this.albSecurityGroupId,
            gatewayLbSecurityGroupId: this.gatewayLbSecurityGroupId,
            redisSecurityGroupId: this.redisSecurityGroupId,
            matrix: this.matrix,
        });
    }

    /**
     * Every rule a member of `group` needs before its traffic flows: the group's own rules and
     * the other groups' rules that name it (e.g. the database's ingress from the bootstrap).
     */
    rulesFor(group: GroupName): pulumi.CustomResource[] {
        return this.matrix
            .filter((r) => r.group === group || ("group" in r.peer && r.peer.group === group))
            .map((r) => this.rules.get(ruleKey(r))!);
    }
}
