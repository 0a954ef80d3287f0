import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TLS_POLICY } from "../edge";
import { dnsValidatedCertificate } from "../lib/certificate";
import { PORTS } from "../lib/ports";

/**
 * The gateway's name: under the portal's domain, so ACM can validate its certificate in the
 * domain's public zone (the VPC's private zone cannot validate one). Known from config alone, so
 * the web hosts are told the URL without waiting for the load balancer.
 */
export function gatewayHostName(domainName: string): string {
    return `gateway.${domainName}`;
}

/** Open WebUI's OpenAI-compatible base URL of the load-balanced gateway: HTTPS on 443. */
export function gatewayBaseUrl(domainName: string): string {
    return `https://${gatewayHostName(domainName)}/api/v1`;
}

export interface GatewayLoadBalancerArgs {
    /** Prefix for names and `Name` tags, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    readonly vpcId: pulumi.Input<string>;
    /** The private subnets, one per AZ. Required. */
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** Its security group (the traffic matrix's `gatewayLb`: from the web hosts only). Required. */
    readonly securityGroupId: pulumi.Input<string>;
    /** The gateway's API port on the hosts (the target group's). Required. */
    readonly port: number;
    /** The portal's public name (config `domainName`); the gateway is `gateway.<domainName>`. Required. */
    readonly domainName: string;
    /** The Route 53 public zone of `domainName` (config `hostedZoneId`). Required. */
    readonly hostedZoneId: string;
}

/**
 * The gateway hosts' internal ALB in the private subnets: Open WebUI calls its name, not an
 * instance's address, and only healthy gateways (upstream's unauthenticated GET /health) get
 * requests. HTTPS on 443 with an ACM certificate for `gateway.<domainName>`, DNS-validated in the
 * domain's public zone, where an alias record points the name at the load balancer (a public
 * record that resolves to private addresses): the API key and every prompt and answer cross the
 * VPC encrypted, and Open WebUI verifies the certificate against its image's system CAs. The hop
 * from the load balancer to a gateway host stays HTTP on the gateway port (the ALB does not check
 * a target's certificate; only this load balancer's group reaches the hosts).
 */
export class GatewayLoadBalancer extends pulumi.ComponentResource {
    public readonly dnsName: pulumi.Output<string>;
    public readonly loadBalancerArn: pulumi.Output<string>;
    public readonly loadBalancerArnSuffix: pulumi.Output<string>;
    public readonly targetGroupArn: pulumi.Output<string>;
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    /**
     * The listener that forwards to the target group: the gateway hosts' group waits for it, as
     * the web hosts' group waits for the ALB's HTTPS listener (a target group health-checks only
     * once a listener uses it, and the group's deploy waits for healthy hosts).
     */
    public readonly listener: aws.lb.Listener;
    /** Open WebUI's base URL of the gateway, `https://gateway.<domainName>/api/v1`. */
    public readonly url: pulumi.Output<string>;

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
        const hostName = gatewayHostName(args.domainName);
        const validation = dnsValidatedCertificate(
            name,
            {
                domainName: hostName,
                hostedZoneId: args.hostedZoneId,
                tagName: `${args.namePrefix}-gateway`,
            },
            this,
        );
        // The same TLS policy as the public ALB: TLS 1.3/1.2, forward secrecy only.
        this.listener = new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: lb.arn,
                port: PORTS.https,
                protocol: "HTTPS",
                sslPolicy: TLS_POLICY,
                certificateArn: validation.certificateArn,
                defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
                tags: { Name: `${args.namePrefix}-gateway` },
            },
            parent,
        );
        // In the public zone (ACM validates there; the private zone <namePrefix>.internal could
        // not), resolving to the internal load balancer's private addresses.
        new aws.route53.Record(
            `${name}-alias`,
            {
                zoneId: args.hostedZoneId,
                name: hostName,
                type: "A",
                aliases: [{ name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth: true }],
            },
            parent,
        );

        this.url = pulumi.output(gatewayBaseUrl(args.domainName));
        this.dnsName = lb.dnsName;
        this.loadBalancerArn = lb.arn;
        this.loadBalancerArnSuffix = lb.arnSuffix;
        this.targetGroupArn = targets.arn;
        this.targetGroupArnSuffix = targets.arnSuffix;
        this.registerOutputs({
            url: this.url,
            dnsName: this.dnsName,
            loadBalancerArn: this.loadBalancerArn,
            loadBalancerArnSuffix: this.loadBalancerArnSuffix,
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
        });
    }
}
