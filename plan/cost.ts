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
]);

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
            case "aws:s3/bucket:Bucket":
                line(
                    r.name,
                    "S3 Standard storage (assumed)",
                    prices.s3.assumedGb,
                    "GB-month",
                    prices.s3.perGbMonth,
                    prices.s3.source,
                );
                break;
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
            case "aws:cloudwatch/metricAlarm:MetricAlarm":
                line(
                    r.name,
                    "CloudWatch alarm",
                    1,
                    "alarm-month",
                    prices.cloudwatchAlarms.perAlarmMonth,
                    prices.cloudwatchAlarms.source,
                );
                break;
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
            `${hours} hours a month`,
            prices.verification,
        ],
        outOfScope: prices.outOfScope,
    };
}
