/**
 * The edge of the load-balanced web tier: what stands between the internet and Open WebUI when
 * the hosts are private. It replaces Caddy's job in the single-host tier: TLS (an ACM certificate
 * instead of ACME), the redirect from port 80, HSTS, and the break-glass rule for the local
 * password sign-in; and adds what one host cannot: health-checked routing over several hosts in
 * two AZs, access logs, and WAF.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../lib/ports";
import { AccessLogBucket } from "./accessLogs";
import { dnsValidatedCertificate } from "../lib/certificate";
import { WebFirewall } from "./firewall";

/**
 * TLS 1.3 and 1.2 with forward secrecy only, and hybrid post-quantum key exchange: AWS's
 * recommended policy for new ALBs since 2025 (stricter than ELBSecurityPolicy-TLS13-1-2-2021-06).
 */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

/** Sent on every HTTPS response by the ALB itself, as Caddy does in the single-host tier. */
export const HSTS = "max-age=31536000";

/**
 * Seconds a request may stay idle. Chats stream tokens and socket.io pings every 25 s, but a long
 * generation through the OpenAI-compatible API can sit silent for minutes.
 */
export const IDLE_TIMEOUT_SECONDS = 300;

export interface EdgeArgs {
    /** Prefix for names and `Name` tags, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The region (the log-delivery account). Required. */
    readonly region: string;
    /** The portal's public name (config `domainName`). Required. */
    readonly domainName: string;
    /** Its Route 53 public zone (config `hostedZoneId`): certificate validation and the alias. Required. */
    readonly hostedZoneId: string;
    readonly vpcId: pulumi.Input<string>;
    /** The public subnets, one per AZ. Required. */
    readonly publicSubnetIds: pulumi.Input<string[]>;
    /** The ALB's security group (the traffic matrix's `alb` group). Required. */
    readonly securityGroupId: pulumi.Input<string>;
    /** Open WebUI's password sign-in for local accounts, refused except from `adminCidrs`. Required. */
    readonly localSignInPath: string;
    /** Where the break-glass administrator may sign in from; empty: nowhere. */
    readonly adminCidrs: readonly string[];
    /**
     * Open WebUI's SCIM endpoint (config `scim`): its path prefix and the only ranges that reach it
     * (config `scimAllowedCidrs`, the identity provider's). Undefined: SCIM is off, and the path
     * is refused from everywhere like any other.
     */
    readonly scim?: { readonly pathPrefix: string; readonly allowedCidrs: readonly string[] };
    /** A WAF web ACL on the ALB (config `wafEnabled`). */
    readonly wafEnabled: boolean;
    /** With WAF: requests one address may make in five minutes (config `wafRateLimitPer5Min`). */
    readonly wafRateLimitPer5Min: number;
    /**
     * With WAF: requests one address may send to the sign-in routes in five minutes (config
     * `wafSignInRateLimitPer5Min`).
     */
    readonly wafSignInRateLimitPer5Min: number;
    /** Days the access logs are kept (config `albAccessLogsRetentionDays`). Required. */
    readonly accessLogsRetentionDays: number;
    /** Deletion protection on the ALB, and the logs kept on `pulumi destroy` (prod). */
    readonly protect: boolean;
}

/**
 * An internet-facing ALB in the public subnets for the portal's domain: HTTPS on 443 with an ACM
 * certificate validated in the domain's Route 53 zone, port 80 only redirecting, invalid headers
 * dropped, access logs in S3, an alias record for the domain, and optionally WAF. The web hosts
 * register with `targetGroupArn` (their Auto Scaling group does).
 */
export class Edge extends pulumi.ComponentResource {
    public readonly portalUrl: pulumi.Output<string>;
    public readonly loadBalancerArn: pulumi.Output<string>;
    /** The last part of the ARN: the `LoadBalancer` dimension of its CloudWatch metrics. */
    public readonly loadBalancerArnSuffix: pulumi.Output<string>;
    public readonly dnsName: pulumi.Output<string>;
    /** The ALB's own Route 53 zone (for alias records elsewhere). */
    public readonly zoneId: pulumi.Output<string>;
    public readonly targetGroupArn: pulumi.Output<string>;
    /**
     * The HTTPS listener that forwards to the target group: the web hosts' Auto Scaling group waits
     * for it, since the target group health-checks its hosts only once a listener uses it.
     */
    public readonly httpsListener: aws.lb.Listener;
    /** The `TargetGroup` dimension of the target group's metrics. */
    public readonly targetGroupArnSuffix: pulumi.Output<string>;
    public readonly certificateArn: pulumi.Output<string>;
    public readonly accessLogsBucketName: pulumi.Output<string>;
    /** The WAF web ACL, when `wafEnabled`. */
    public readonly webAclArn?: pulumi.Output<string>;
    public readonly webAclName?: string;

    constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:edge:Edge", name, {}, opts);
        const parent = { parent: this };

        const validation = dnsValidatedCertificate(
            name,
            {
                domainName: args.domainName,
                hostedZoneId: args.hostedZoneId,
                tagName: `${args.namePrefix}-portal`,
            },
            this,
        );

        const logs = new AccessLogBucket(
            `${name}-access-logs`,
            {
                namePrefix: args.namePrefix,
                region: args.region,
                retentionDays: args.accessLogsRetentionDays,
                protect: args.protect,
            },
            parent,
        );
        const alb = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                name: `${args.namePrefix}-web`,
                loadBalancerType: "application",
                internal: false,
                subnets: args.publicSubnetIds,
                securityGroups: [args.securityGroupId],
                dropInvalidHeaderFields: true,
                enableDeletionProtection: args.protect,
                idleTimeout: IDLE_TIMEOUT_SECONDS,
                accessLogs: { bucket: logs.bucketName, enabled: true },
                tags: { Name: `${args.namePrefix}-web` },
            },
            // The ALB checks that it may write its logs when it is created.
            { parent: this, dependsOn: [logs.policy] },
        );
        const targets = new aws.lb.TargetGroup(
            `${name}-web-targets`,
            {
                name: `${args.namePrefix}-web`,
                vpcId: args.vpcId,
                targetType: "instance",
                protocol: "HTTP",
                port: PORTS.openWebUi,
                // /health (the process answers), not /ready: upstream's /ready fails while the
                // database or Redis does, and the Auto Scaling group (ELB health checks) would
                // then replace every host during a Multi-AZ failover.
                healthCheck: {
                    path: "/health",
                    matcher: "200",
                    interval: 15,
                    timeout: 5,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                },
                // A host leaving (scale-in, instance refresh) finishes its streams first.
                deregistrationDelay: 120,
                // No stickiness: with ENABLE_WEBSOCKET_SUPPORT, Open WebUI's frontend opens
                // socket.io with the websocket transport only (no long-polling, whose requests
                // must all reach one host), and a websocket stays on the host it opened on. Every
                // other request is stateless (the JWT is verified with the shared WEBUI_SECRET_KEY).
                stickiness: { type: "lb_cookie", enabled: false },
                tags: { Name: `${args.namePrefix}-web` },
            },
            parent,
        );
        const https = new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: alb.arn,
                port: PORTS.https,
                protocol: "HTTPS",
                sslPolicy: TLS_POLICY,
                certificateArn: validation.certificateArn,
                defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
                routingHttpResponseStrictTransportSecurityHeaderValue: HSTS,
                routingHttpResponseServerEnabled: false,
                tags: { Name: `${args.namePrefix}-https` },
            },
            parent,
        );
        new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: alb.arn,
                port: PORTS.http,
                protocol: "HTTP",
                defaultActions: [
                    {
                        type: "redirect",
                        redirect: {
                            protocol: "HTTPS",
                            port: String(PORTS.https),
                            statusCode: "HTTP_301",
                        },
                    },
                ],
                tags: { Name: `${args.namePrefix}-http` },
            },
            parent,
        );

        // The break-glass rule at the ALB (WAF repeats it on the URL-decoded path): the local
        // password sign-in reaches Open WebUI from an admin range, and is refused from anywhere else.
        const signIn = { pathPattern: { values: [`${args.localSignInPath}*`] } };
        args.adminCidrs.forEach((cidr, index) => {
            new aws.lb.ListenerRule(
                `${name}-local-sign-in-admin-${index + 1}`,
                {
                    listenerArn: https.arn,
                    priority: 10 + index,
                    conditions: [signIn, { sourceIp: { values: [cidr] } }],
                    actions: [{ type: "forward", targetGroupArn: targets.arn }],
                    tags: { Name: `${args.namePrefix}-local-sign-in-admin-${index + 1}` },
                },
                parent,
            );
        });
        new aws.lb.ListenerRule(
            `${name}-local-sign-in-refused`,
            {
                listenerArn: https.arn,
                priority: 100,
                conditions: [signIn],
                actions: [
                    {
                        type: "fixed-response",
                        fixedResponse: {
                            contentType: "text/plain",
                            statusCode: "403",
                            messageBody:
                                "Local accounts sign in only from the administration networks.",
                        },
                    },
                ],
                tags: { Name: `${args.namePrefix}-local-sign-in-refused` },
            },
            parent,
        );

        // SCIM the same way: the identity provider's ranges reach Open WebUI's SCIM endpoint, every
        // other address gets 403 (WAF repeats it on the URL-decoded path).
        const scim = args.scim;
        const scimPath = scim && { pathPattern: { values: [`${scim.pathPrefix}*`] } };
        (scim?.allowedCidrs ?? []).forEach((cidr, index) => {
            new aws.lb.ListenerRule(
                `${name}-scim-provider-${index + 1}`,
                {
                    listenerArn: https.arn,
                    priority: 200 + index,
                    conditions: [scimPath!, { sourceIp: { values: [cidr] } }],
                    actions: [{ type: "forward", targetGroupArn: targets.arn }],
                    tags: { Name: `${args.namePrefix}-scim-provider-${index + 1}` },
                },
                parent,
            );
        });
        if (scimPath) {
            new aws.lb.ListenerRule(
                `${name}-scim-refused`,
                {
                    listenerArn: https.arn,
                    priority: 300,
                    conditions: [scimPath],
                    actions: [
                        {
                            type: "fixed-response",
                            fixedResponse: {
                                contentType: "text/plain",
                                statusCode: "403",
                                messageBody: "SCIM answers only the identity provider.",
                            },
                        },
                    ],
                    tags: { Name: `${args.namePrefix}-scim-refused` },
                },
                parent,
            );
        }

        new aws.route53.Record(
            `${name}-portal-alias`,
            {
                zoneId: args.hostedZoneId,
                name: args.domainName,
                type: "A",
                aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
            },
            parent,
        );

        const firewall = args.wafEnabled
            ? new WebFirewall(
                  `${name}-waf`,
                  {
                      namePrefix: args.namePrefix,
                      loadBalancerArn: alb.arn,
                      localSignInPath: args.localSignInPath,
                      adminCidrs: args.adminCidrs,
                      scim: args.scim,
                      rateLimitPer5Min: args.wafRateLimitPer5Min,
                      signInRateLimitPer5Min: args.wafSignInRateLimitPer5Min,
                  },
                  parent,
              )
            : undefined;

        this.portalUrl = pulumi.output(`https://${args.domainName}`);
        this.loadBalancerArn = alb.arn;
        this.loadBalancerArnSuffix = alb.arnSuffix;
        this.dnsName = alb.dnsName;
        this.zoneId = alb.zoneId;
        this.targetGroupArn = targets.arn;
        this.httpsListener = https;
        this.targetGroupArnSuffix = targets.arnSuffix;
        this.certificateArn = validation.certificateArn;
        this.accessLogsBucketName = logs.bucketName;
        this.webAclArn = firewall?.webAclArn;
        this.webAclName = firewall?.webAclName;
        this.registerOutputs({
            portalUrl: this.portalUrl,
            loadBalancerArn: this.loadBalancerArn,
            loadBalancerArnSuffix: this.loadBalancerArnSuffix,
            dnsName: this.dnsName,
            zoneId: this.zoneId,
            targetGroupArn: this.targetGroupArn,
            targetGroupArnSuffix: this.targetGroupArnSuffix,
            certificateArn: this.certificateArn,
            accessLogsBucketName: this.accessLogsBucketName,
            webAclArn: this.webAclArn,
            webAclName: this.webAclName,
        });
    }
}
