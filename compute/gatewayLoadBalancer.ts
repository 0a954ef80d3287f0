import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface GatewayLoadBalancerArgs {
    /** Prefix for names and `Name` tags, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    readonly vpcId: pulumi.Input<string>;
    /** The private subnets, one per AZ. Required. */
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** Its security group (the traffic matrix's `gatewayLb`: from the web hosts only). Required. */
    readonly securityGroupId: pulumi.Input<string>;
    /** The gateway's API port, on the load balancer and on the hosts. Required. */
    readonly port: number;
}

/**
 * The gateway hosts' internal ALB in the private subnets: Open WebUI calls its name, not an
 * instance's address, and only healthy gateways (upstream's unauthenticated GET /health) get
 * requests. Plain HTTP inside the VPC, as between the single hosts; the API key still travels in
 * every request's Authorization header, and only the web hosts' group may connect.
 */
export class GatewayLoadBalancer extends pulumi.ComponentResource {
    public readonly dnsName: pulumi.Output<string>;
    public readonly loadBalancerArn: pulumi.Output<string>;
    public readonly loadBalancerArnSuffix: pulumi.Output<string>;
    public readonly targetGroupArn: pulumi.Output<string>;
    public readonly targetGroupArnSuffix: pulumi.Output<string>;

    constructor(
        name: string,
        args: GatewayLoadBalancerArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("aiportal:compute:GatewayLoadBalancer", name, {}, opts);
        const parent = { parent: this };
        const lb = new aws.lb.LoadBalancer(
            `${name}-lb`,
            {
                name: `${args.namePrefix}-gateway`,
                loadBalancerType: "application",
                internal: true,
                subnets: args.privateSubnetIds,
                securityGroups: [args.securityGroupId],
                dropInvalidHeaderFields: true,
                // Long, non-streamed completions can take minutes.
                idleTimeout: 300,
                tags: { Name: `${args.namePrefix}-gateway` },
            },
            parent,
        );
        const targets = new aws.lb.TargetGroup(
            `${name}-targets`,
            {
                name: `${args.namePrefix}-gateway`,
                vpcId: args.vpcId,
                targetType: "instance",
                protocol: "HTTP",
                port: args.port,
                healthCheck: {
                    path: "/health",
                    matcher: "200",
                    interval: 15,
                    timeout: 5,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                },
                deregistrationDelay: 120,
                tags: { Name: `${args.namePrefix}-gateway` },
            },
            parent,
        );
        new aws.lb.Listener(
            `${name}-listener`,
            {
                loadBalancerArn: lb.arn,
                port: args.port,
                protocol: "HTTP",
                defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
                tags: { Name: `${args.namePrefix}-gateway` },
            },
            parent,
        );

        this.dnsName = lb.dnsName;
        this.loadBalancerArn = lb.arn;
        this.loadBalancerArnSuffix = lb.arnSuffix;
        this.targetGroupArn = targets.arn;
        this.targetGroupArnSuffix = targets.arnSuffix;
        this.registerOutputs({
            dnsName: this.dnsName,
            loadBalancerArn: this.loadBalancerArn,
            loadBalancerArnSuffix: this.loadBalancerArnSuffix,
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
        });
    }
}
