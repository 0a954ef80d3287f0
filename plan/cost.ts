/**
 * Monthly on-demand cost of what a stack declares, from the committed, dated price table
 * (plan/prices.json). Pure. A resource type with a charge but no price is reported as unpriced,
 * never counted as zero; types AWS does not charge for are listed in FREE_TYPES.
 */
import prices from "./prices.json";
import { compareText } from "./order";

export interface CostLine {
    readonly resource: string;
    readonly item: string;
    readonly quantity: number;
    readonly unit: string;
    readonly unitUsd: number;
    readonly monthlyUsd: number;
    readonly source: string;
}

export interface CostEstimate {
    readonly monthlyUsd: number;
    readonly currency: "USD";
    readonly priceDate: string;
    readonly lines: readonly CostLine[];
    /** Resources that cost money but have no price in the table. */
    readonly unpriced: readonly {
        readonly resource: string;
        readonly type: string;
        readonly reason: string;
    }[];
    readonly assumptions: readonly string[];
    readonly outOfScope: string;
}

/** What a cost estimate needs to know of a declared resource. */
export interface CostInput {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly inputs: Record<string, any>;
    /** The id AWS assigned: how an Auto Scaling group names its launch template. */
    readonly id?: string;
    /** What AWS answered: a bucket's name when only its prefix was declared. */
    readonly state?: Record<string, any>;
}

/** Declared resources AWS (or the tool) does not bill for by themselves. */
export const FREE_TYPES = new Set([
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/eipAssociation:EipAssociation",
    // Billed as CloudWatch Logs ingestion on its log group.
    "aws:ec2/flowLog:FlowLog",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    // Runs a handful of times: inside Lambda's free tier.
    "aws:lambda/function:Function",
    "aws:lambda/invocation:Invocation",
    // Run on the deploying machine.
    "docker-build:index:Image",
    "command:local:Command",
    "random:index/randomPassword:RandomPassword",
    "random:index/randomId:RandomId",
    "pulumi:providers:aws",
    // A few alarm notifications a month: inside SNS's free tier.
    "aws:sns/topic:Topic",
    "aws:sns/topicSubscription:TopicSubscription",
    // Billed through their load balancer's hours and LCUs.
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:lb/targetGroup:TargetGroup",
    // Launched hosts are priced on their Auto Scaling group (prices.autoScaling).
    "aws:ec2/launchTemplate:LaunchTemplate",
    // Billed as its nodes, on the replication group.
    "aws:elasticache/subnetGroup:SubnetGroup",
    // Public ACM certificates are free; a validation is a wait (prices.acm).
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    // Records and alias queries to an ALB cost nothing; the zone is not created here (prices.route53).
    "aws:route53/record:Record",
    // Billed as part of the web ACL they belong to (prices.waf).
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafv2/ipSet:IpSet",
]);

/** The names of the buckets load balancers write their access logs to. */
function accessLogBuckets(resources: readonly CostInput[]): string[] {
    return resources
        .filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")
        .map((r) => r.inputs.accessLogs)
        .filter((logs) => logs?.enabled && typeof logs.bucket === "string")
        .map((logs) => logs.bucket as string);
}

function bucketIs(bucket: CostInput, name: string): boolean {
    const declared = bucket.state?.bucket ?? bucket.inputs.bucket;
    return declared !== undefined
        ? declared === name
        : typeof bucket.inputs.bucketPrefix === "string" &&
              name.startsWith(bucket.inputs.bucketPrefix);
}

/** Days until a bucket's lifecycle expires its objects; undefined when nothing expires them. */
function expiryDays(bucket: CostInput, resources: readonly CostInput[]): number | undefined {
    const days = resources
        .filter(
            (r) =>
                r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration" &&
                [bucket.id, bucket.state?.bucket].includes(r.inputs.bucket),
        )
        .flatMap((r) => (r.inputs.rules ?? []) as Record<string, any>[])
        .filter((rule) => rule.status === "Enabled" && rule.expiration?.days !== undefined)
        .map((rule) => Number(rule.expiration.days));
    return days.length > 0 ? Math.min(...days) : undefined;
}

/** A WAF rule's kind, for the line that counts them: [one, several]. */
function wafRuleKind(rule: Record<string, any>): [string, string] {
    const statement = rule.statement ?? {};
    if (statement.managedRuleGroupStatement) {
        return ["managed rule group", "managed rule groups"];
    }
    if (statement.ruleGroupReferenceStatement) {
        return ["rule group", "rule groups"];
    }
    return statement.rateBasedStatement ? ["rate-based", "rate-based"] : ["custom", "custom"];
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function estimateCost(resources: readonly CostInput[]): CostEstimate {
    const hours = prices.hoursPerMonth;
    const lines: CostLine[] = [];
    const unpriced: { resource: string; type: string; reason: string }[] = [];
    const line = (
        resource: string,
        item: string,
        quantity: number,
        unit: string,
        unitUsd: number,
        source: string,
    ) =>
        lines.push({
            resource,
            item,
            quantity: round(quantity, 3),
            unit,
            unitUsd,
            monthlyUsd: round(quantity * unitUsd),
            source,
        });
    const hourly = <T extends Record<string, number>>(table: T, key: string) =>
        (table as Record<string, number>)[key] as number | undefined;

    const logBuckets = accessLogBuckets(resources);
    const templates = new Map(
        resources
            .filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate" && r.id)
            .map((r) => [r.id, r]),
    );

    for (const r of resources) {
        const i = r.inputs;
        switch (r.type) {
            case "aws:ec2/instance:Instance": {
                const rate = hourly(prices.ec2.perHour, i.instanceType);
                if (rate === undefined) {
                    unpriced.push({
                        resource: r.name,
                        type: r.type,
                        reason: `no price for ${i.instanceType}`,
                    });
                } else {
                    line(r.name, `EC2 ${i.instanceType}`, hours, "hour", rate, prices.ec2.source);
                }
                line(
                    r.name,
                    "EBS gp3 root volume",
                    i.rootBlockDevice?.volumeSize ?? 8,
                    "GB-month",
                    prices.ebsGp3.perGbMonth,
                    prices.ebsGp3.source,
                );
                break;
            }
            case "aws:ec2/natGateway:NatGateway":
                line(
                    r.name,
                    "NAT gateway",
                    hours,
                    "hour",
                    prices.natGateway.perHour,
                    prices.natGateway.source,
                );
                line(
                    r.name,
                    "NAT data processed (assumed)",
                    prices.natGateway.assumedGbPerMonth,
                    "GB",
                    prices.natGateway.perGbProcessed,
                    prices.natGateway.source,
                );
                break;
            case "aws:ec2/eip:Eip":
                line(
                    r.name,
                    "public IPv4 address",
                    hours,
                    "hour",
                    prices.publicIpv4.perHour,
                    prices.publicIpv4.source,
                );
                break;
            case "aws:rds/instance:Instance": {
                const rate = hourly(prices.rds.perHour, i.instanceClass);
                const factor = i.multiAz ? prices.rds.multiAzFactor : 1;
                const az = i.multiAz ? "Multi-AZ" : "Single-AZ";
                if (rate === undefined) {
                    unpriced.push({
                        resource: r.name,
                        type: r.type,
                        reason: `no price for ${i.instanceClass}`,
                    });
                } else {
                    line(
                        r.name,
                        `RDS PostgreSQL ${i.instanceClass} ${az}`,
                        hours,
                        "hour",
                        round(rate * factor, 4),
                        prices.rds.source,
                    );
                }
                line(
                    r.name,
                    `RDS gp3 storage ${az}`,
                    i.allocatedStorage,
                    "GB-month",
                    round(prices.rds.gp3PerGbMonth * factor, 4),
                    prices.rds.source,
                );
                if (i.manageMasterUserPassword) {
                    line(
                        r.name,
                        "Secrets Manager secret (RDS-managed master password)",
                        1,
                        "secret-month",
                        prices.secretsManager.perSecretMonth,
                        prices.secretsManager.source,
                    );
                }
                break;
            }
            case "aws:directoryservice/directory:Directory": {
                const rate = hourly(prices.managedAd.perDomainControllerHour, i.edition);
                if (rate === undefined) {
                    unpriced.push({
                        resource: r.name,
                        type: r.type,
                        reason: `no price for edition ${i.edition}`,
                    });
                } else {
                    line(
                        r.name,
                        `Managed Microsoft AD ${i.edition} (${prices.managedAd.domainControllers} domain controllers)`,
                        hours * prices.managedAd.domainControllers,
                        "DC-hour",
                        rate,
                        prices.managedAd.source,
                    );
                }
                break;
            }
            case "aws:s3/bucket:Bucket": {
                if (logBuckets.some((name) => bucketIs(r, name))) {
                    // Steady state: a month's logs times the months the lifecycle keeps them.
                    const days = expiryDays(r, resources) ?? 365;
                    line(
                        r.name,
                        `ALB access logs in S3 (assumed, kept ${days} days)`,
                        prices.albAccessLogs.assumedGbPerMonth * (days / 30),
                        "GB-month",
                        prices.s3.perGbMonth,
                        prices.albAccessLogs.source,
                    );
                    break;
                }
                line(
                    r.name,
                    "S3 Standard storage (assumed)",
                    prices.s3.assumedGb,
                    "GB-month",
                    prices.s3.perGbMonth,
                    prices.s3.source,
                );
                break;
            }
            case "aws:autoscaling/group:Group": {
                const template = templates.get(i.launchTemplate?.id);
                if (!template) {
                    unpriced.push({
                        resource: r.name,
                        type: r.type,
                        reason: "no launch template of this program (mixed instances are not priced)",
                    });
                    break;
                }
                // The fewest hosts it keeps: scaling out costs more, by the hour.
                const hosts = Number(i.minSize);
                const t = template.inputs;
                const rate = hourly(prices.ec2.perHour, t.instanceType);
                if (rate === undefined) {
                    unpriced.push({
                        resource: r.name,
                        type: r.type,
                        reason: `no price for ${t.instanceType}`,
                    });
                } else {
                    line(
                        r.name,
                        `EC2 ${t.instanceType}`,
                        hours * hosts,
                        "host-hour",
                        rate,
                        prices.ec2.source,
                    );
                }
                for (const device of (t.blockDeviceMappings ?? []) as Record<string, any>[]) {
                    if (device.ebs?.volumeType !== "gp3") {
                        unpriced.push({
                            resource: r.name,
                            type: r.type,
                            reason: `no price for ${device.ebs?.volumeType ?? "an unspecified"} volume ${device.deviceName}`,
                        });
                        continue;
                    }
                    line(
                        r.name,
                        "EBS gp3 root volume",
                        Number(device.ebs.volumeSize ?? 8) * hosts,
                        "GB-month",
                        prices.ebsGp3.perGbMonth,
                        prices.ebsGp3.source,
                    );
                }
                break;
            }
            case "aws:autoscaling/policy:Policy":
                // Step and simple policies use alarms declared (and priced) on their own.
                if (i.policyType === "TargetTrackingScaling") {
                    line(
                        r.name,
                        "CloudWatch alarms of a target-tracking policy (high and low)",
                        prices.cloudwatchAlarms.alarmsPerTargetTrackingPolicy,
                        "alarm-metric-month",
                        prices.cloudwatchAlarms.perAlarmMonth,
                        prices.cloudwatchAlarms.source,
                    );
                }
                break;
            case "aws:lb/loadBalancer:LoadBalancer": {
                if ((i.loadBalancerType ?? "application") !== "application") {
                    unpriced.push({
                        resource: r.name,
                        type: r.type,
                        reason: `no price for a ${i.loadBalancerType} load balancer`,
                    });
                    break;
                }
                const scheme = i.internal ? "internal" : "internet-facing";
                line(
                    r.name,
                    `Application Load Balancer (${scheme})`,
                    hours,
                    "hour",
                    prices.alb.perHour,
                    prices.alb.source,
                );
                line(
                    r.name,
                    `ALB LCUs (assumed, ${scheme})`,
                    hours *
                        (i.internal
                            ? prices.alb.assumedLcu.internal
                            : prices.alb.assumedLcu.internetFacing),
                    "LCU-hour",
                    prices.alb.perLcuHour,
                    prices.alb.source,
                );
                if (!i.internal) {
                    // A node, with a public address, in each subnet's AZ.
                    const azs = (i.subnets ?? i.subnetMappings ?? []).length;
                    line(
                        r.name,
                        "public IPv4 address (ALB nodes, one per AZ)",
                        hours * azs,
                        "hour",
                        prices.publicIpv4.perHour,
                        prices.publicIpv4.source,
                    );
                }
                break;
            }
            case "aws:wafv2/webAcl:WebAcl": {
                const rules = (i.rules ?? []) as Record<string, any>[];
                const subscription = rules
                    .map((rule) => rule.statement?.managedRuleGroupStatement?.name as string)
                    .filter(
                        (name) => name && new RegExp(prices.waf.subscriptionRuleGroups).test(name),
                    );
                if (subscription.length > 0) {
                    unpriced.push({
                        resource: r.name,
                        type: r.type,
                        reason: `no price for the subscription of ${subscription.join(", ")}`,
                    });
                }
                line(
                    r.name,
                    "WAF web ACL",
                    1,
                    "web-ACL-month",
                    prices.waf.perWebAclMonth,
                    prices.waf.source,
                );
                const kinds = new Map<string, { names: [string, string]; n: number }>();
                for (const rule of rules) {
                    const names = wafRuleKind(rule);
                    const kind = kinds.get(names[0]) ?? { names, n: 0 };
                    kinds.set(names[0], { names, n: kind.n + 1 });
                }
                const breakdown = [...kinds.values()]
                    .map(({ names, n }) => `${n} ${n === 1 ? names[0] : names[1]}`)
                    .join(", ");
                line(
                    r.name,
                    `WAF rules (${breakdown || "none"})`,
                    rules.length,
                    "rule-month",
                    prices.waf.perRuleMonth,
                    prices.waf.source,
                );
                line(
                    r.name,
                    "WAF requests (assumed)",
                    prices.traffic.requestsPerMonth / 1e6,
                    "million requests",
                    prices.waf.perMillionRequests,
                    prices.waf.source,
                );
                break;
            }
            case "aws:elasticache/replicationGroup:ReplicationGroup": {
                const engine = String(i.engine ?? "redis");
                const rate = (prices.elasticache.perHour as Record<string, Record<string, number>>)[
                    engine
                ]?.[i.nodeType];
                const nodes =
                    i.numCacheClusters ??
                    (i.numNodeGroups ?? 1) * (1 + (i.replicasPerNodeGroup ?? 0));
                if (rate === undefined) {
                    unpriced.push({
                        resource: r.name,
                        type: r.type,
                        reason: `no price for ${engine} ${i.nodeType}`,
                    });
                } else {
                    line(
                        r.name,
                        `ElastiCache ${engine === "valkey" ? "Valkey" : "Redis OSS"} ${i.nodeType}${i.multiAzEnabled ? " Multi-AZ" : ""}`,
                        hours * Number(nodes),
                        "node-hour",
                        rate,
                        prices.elasticache.source,
                    );
                }
                break;
            }
            case "aws:cloudwatch/logGroup:LogGroup": {
                const flow = String(i.name ?? "").endsWith("vpc-flow-logs");
                const gb = flow
                    ? prices.cloudwatchLogs.assumedGbPerMonth.flowLogs
                    : prices.cloudwatchLogs.assumedGbPerMonth.other;
                line(
                    r.name,
                    "CloudWatch Logs ingestion (assumed)",
                    gb,
                    "GB",
                    prices.cloudwatchLogs.ingestPerGb,
                    prices.cloudwatchLogs.source,
                );
                // Steady state: a month's logs times the months they are kept.
                line(
                    r.name,
                    "CloudWatch Logs storage (steady state)",
                    gb * ((i.retentionInDays ?? 30) / 30),
                    "GB-month",
                    prices.cloudwatchLogs.storePerGbMonth,
                    prices.cloudwatchLogs.source,
                );
                break;
            }
            case "aws:secretsmanager/secret:Secret":
                line(
                    r.name,
                    "Secrets Manager secret",
                    1,
                    "secret-month",
                    prices.secretsManager.perSecretMonth,
                    prices.secretsManager.source,
                );
                break;
            case "aws:cloudwatch/metricAlarm:MetricAlarm": {
                // Billed per metric it reads: a metric-math alarm per metric in its expression.
                const metrics = ((i.metricQueries ?? []) as Record<string, any>[]).filter(
                    (q) => q.metric,
                ).length;
                line(
                    r.name,
                    metrics > 1
                        ? `CloudWatch alarm (metric math over ${metrics} metrics)`
                        : "CloudWatch alarm",
                    Math.max(metrics, 1),
                    "alarm-metric-month",
                    prices.cloudwatchAlarms.perAlarmMonth,
                    prices.cloudwatchAlarms.source,
                );
                break;
            }
            case "aws:ecr/repository:Repository":
                line(
                    r.name,
                    "ECR storage (assumed)",
                    prices.ecr.assumedGb,
                    "GB-month",
                    prices.ecr.perGbMonth,
                    prices.ecr.source,
                );
                break;
            default:
                if (r.custom && !FREE_TYPES.has(r.type)) {
                    unpriced.push({
                        resource: r.name,
                        type: r.type,
                        reason: "no entry in plan/prices.json",
                    });
                }
        }
    }
    lines.sort((a, b) => compareText(a.resource, b.resource) || compareText(a.item, b.item));
    const has = (item: RegExp) => lines.some((l) => item.test(l.item));
    const declares = (type: string) => resources.some((r) => r.type === type);
    unpriced.sort((a, b) => compareText(a.resource, b.resource));
    return {
        monthlyUsd: round(lines.reduce((sum, l) => sum + l.monthlyUsd, 0)),
        currency: "USD",
        priceDate: prices.priceDate,
        lines,
        unpriced,
        assumptions: [
            prices.natGateway.assumption,
            prices.s3.assumption,
            prices.cloudwatchLogs.assumption,
            prices.ecr.assumption,
            ...(has(/^(WAF requests|ALB LCUs)/) ? [prices.traffic.assumption] : []),
            ...(has(/^ALB LCUs/) ? [prices.alb.assumption] : []),
            ...(has(/^ALB access logs/) ? [prices.albAccessLogs.assumption] : []),
            ...(declares("aws:autoscaling/group:Group")
                ? ["Auto Scaling groups at their minimum size, around the clock"]
                : []),
            ...(declares("aws:elasticache/replicationGroup:ReplicationGroup")
                ? [`ElastiCache: ${prices.elasticache.note}`]
                : []),
            ...(declares("aws:acm/certificate:Certificate") ? [`ACM: ${prices.acm.note}`] : []),
            ...(declares("aws:route53/record:Record") ? [`Route 53: ${prices.route53.note}`] : []),
            `${hours} hours a month`,
            prices.verification,
        ],
        outOfScope: prices.outOfScope,
    };
}
