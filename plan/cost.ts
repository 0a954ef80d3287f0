/**
 * Monthly on-demand cost of what a stack declares, from the committed, dated price table
 * (plan/prices.json). Pure. A resource type with a charge but no price is reported as unpriced,
 * never counted as zero; types AWS does not charge for are listed in FREE_TYPES.
 *
 * A stack with working hours (config `schedule`) is priced twice: always on, and on its schedule,
 * where the hosts and the database that its declared schedules stop are billed only for the hours
 * they run. Everything else (storage, NAT gateways, the directory, ...) runs around the clock.
 */
import type { WorkingHours } from "../config/governance";
import { DATABASE_LEAD_MINUTES } from "../governance/workingHours";
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
    /** On the stack's schedule, when the schedule stops what this line bills for. */
    readonly scheduled?: { readonly quantity: number; readonly monthlyUsd: number };
}

/** The stack on its working hours: the hosts and the database asleep outside them. */
export interface ScheduledCost {
    /** e.g. "Mon-Fri 07:00-19:00 Europe/London". */
    readonly schedule: string;
    readonly hostHoursPerMonth: number;
    /** The database starts DATABASE_LEAD_MINUTES before the hosts. */
    readonly databaseHoursPerMonth: number;
    /** The whole stack's monthly cost on its schedule. */
    readonly monthlyUsd: number;
    /** Always on minus on the schedule. */
    readonly savingUsd: number;
    /** The resources the stack's schedules stop and start. */
    readonly asleep: readonly string[];
    /** What runs (and is billed) around the clock all the same. */
    readonly alwaysOn: string;
}

export interface CostEstimate {
    /** Always on: every resource around the clock. */
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
    /** The stack on its working hours; null when it has none (it runs always). */
    readonly scheduled: ScheduledCost | null;
}

/** What the stack's config says that pricing depends on. */
export interface CostContext {
    /** The stack's working hours (config `schedule`); undefined: it runs always. */
    readonly schedule?: WorkingHours;
    /** Which stack owns the account's settings, and whether this is it (AWS Budgets' free two). */
    readonly account?: { readonly ownsSettings: boolean; readonly settingsStack: string };
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
    // AWS Backup bills recovery points (priced on the plan), not vaults, locks or selections.
    "aws:backup/vault:Vault",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    "aws:backup/selection:Selection",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:rds/parameterGroup:ParameterGroup",
    // The pre-upgrade snapshot (compute/upgrade.ts) is RDS backup storage, free up to the
    // instance's provisioned storage (Amazon RDS user guide, billing FAQ), and incremental over
    // the automated backups; kept snapshots of earlier upgrades add their changed blocks.
    "aws:rds/snapshot:Snapshot",
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
    "aws:autoscaling/lifecycleHook:LifecycleHook",
    // Billed as its nodes, on the replication group.
    "aws:elasticache/subnetGroup:SubnetGroup",
    // Public ACM certificates are free; a validation is a wait (prices.acm).
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    // Records and alias queries to an ALB cost nothing; zones are priced (prices.route53).
    "aws:route53/record:Record",
    // Billed as part of the web ACL they belong to (prices.waf).
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafv2/ipSet:IpSet",
    // A topic's access policy (prices.sns).
    "aws:sns/topicPolicy:TopicPolicy",
    // A key's name and the stack's Auto Scaling role cost nothing; the key is priced (prices.kms).
    "aws:kms/alias:Alias",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole",
    // A few invocations a month: inside EventBridge Scheduler's free 14 million (prices.scheduler).
    "aws:scheduler/scheduleGroup:ScheduleGroup",
    "aws:scheduler/schedule:Schedule",
    // No charge of its own: its tokens are the usage estimate's (prices.bedrock).
    "aws:bedrock/inferenceProfile:InferenceProfile",
    // Activation is free (prices.costAllocationTags).
    "aws:costexplorer/costAllocationTag:CostAllocationTag",
    // Standard-tier parameters (the hosts' boot files, up to 4 KB each) and their standard
    // throughput cost nothing; only advanced parameters and higher throughput are billed.
    "aws:ssm/parameter:Parameter",
    // Billed as CloudWatch Logs ingestion and storage on its log group (prices.bedrockInvocationLogs).
    "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
    // No standing charge: a guardrail bills the text it evaluates (prices.bedrockGuardrails, in
    // the usage estimate); versions, the enforcement and its provider cost nothing.
    "aws:bedrock/guardrail:Guardrail",
    "aws:bedrock/guardrailVersion:GuardrailVersion",
    "aws-native:bedrock:EnforcedGuardrailConfiguration",
    "pulumi:providers:aws-native",
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

/** What the stack's declared schedules put to sleep: instance ids, database identifiers, group names. */
export interface ScheduleTargets {
    readonly instances: ReadonlySet<string>;
    readonly databases: ReadonlySet<string>;
    readonly groups: ReadonlySet<string>;
}

/**
 * Reads the stops out of the declared EventBridge Scheduler schedules (universal targets calling
 * the AWS SDK): only what a schedule stops is priced at the working hours.
 */
export function scheduleTargets(resources: readonly CostInput[]): ScheduleTargets {
    const instances = new Set<string>();
    const databases = new Set<string>();
    const groups = new Set<string>();
    for (const r of resources.filter((x) => x.type === "aws:scheduler/schedule:Schedule")) {
        const action = String(r.inputs.target?.arn ?? "").split(":aws-sdk:")[1];
        let input: Record<string, any>;
        try {
            input = JSON.parse(String(r.inputs.target?.input ?? "{}"));
        } catch {
            continue;
        }
        if (action === "ec2:stopInstances") {
            for (const id of (input.InstanceIds ?? []) as string[]) {
                instances.add(id);
            }
        } else if (action === "rds:stopDBInstance" && input.DbInstanceIdentifier) {
            databases.add(input.DbInstanceIdentifier);
        } else if (
            action === "autoscaling:updateAutoScalingGroup" &&
            input.DesiredCapacity === 0 &&
            input.MinSize === 0 &&
            input.AutoScalingGroupName
        ) {
            groups.add(input.AutoScalingGroupName);
        }
    }
    return { instances, databases, groups };
}

const DAY_NAMES: Record<string, string> = {
    MON: "Mon",
    TUE: "Tue",
    WED: "Wed",
    THU: "Thu",
    FRI: "Fri",
    SAT: "Sat",
    SUN: "Sun",
};
const WEEK = Object.keys(DAY_NAMES);

/** Working hours as the config writes them: "Mon-Fri 07:00-19:00 Europe/London". */
export function describeSchedule(hours: WorkingHours): string {
    const at = (t: { hour: number; minute: number }) =>
        `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
    const indexes = hours.days.map((d) => WEEK.indexOf(d));
    const contiguous =
        indexes.length >= 2 && indexes.every((d, i) => i === 0 || d === indexes[i - 1] + 1);
    const days = contiguous
        ? `${DAY_NAMES[hours.days[0]]}-${DAY_NAMES[hours.days[hours.days.length - 1]]}`
        : hours.days.map((d) => DAY_NAMES[d]).join(",");
    return `${days} ${at(hours.start)}-${at(hours.stop)} ${hours.timeZone}`;
}

/** What no schedule stops and is billed around the clock all the same, for the text, JSON and README. */
function alwaysOn(resources: readonly CostInput[]): string {
    const declares = (type: string) => resources.some((r) => r.type === type);
    const parts = [
        "storage (EBS volumes of stopped instances, RDS gp3 storage and backups)",
        ...(declares("aws:ec2/natGateway:NatGateway") ? ["NAT gateways"] : []),
        "public IPv4 addresses",
        ...(declares("aws:directoryservice/directory:Directory")
            ? ["the directory (it cannot be stopped)"]
            : []),
        ...(declares("aws:lb/loadBalancer:LoadBalancer") ? ["the load balancers"] : []),
        ...(declares("aws:wafv2/webAcl:WebAcl") ? ["WAF"] : []),
        ...(declares("aws:elasticache/replicationGroup:ReplicationGroup") ? ["Redis"] : []),
        "secrets",
        "logs",
        "alarms",
        "the dashboard",
    ];
    return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/** Weeks in a month, for hours a week: 52 weeks over 12 months. */
export const WEEKS_PER_MONTH = 52 / 12;

/** Hours a month the hosts and the database run on these working hours. */
export function scheduledHours(hours: WorkingHours): {
    hosts: number;
    database: number;
    leadMinutes: number;
} {
    // The database starts DATABASE_LEAD_MINUTES before the hosts (not before midnight) and stops with them.
    const lead = Math.min(DATABASE_LEAD_MINUTES, hours.start.hour * 60 + hours.start.minute);
    return {
        hosts: hours.hoursPerWeek * WEEKS_PER_MONTH,
        database: (hours.hoursPerWeek + (hours.days.length * lead) / 60) * WEEKS_PER_MONTH,
        leadMinutes: lead,
    };
}

/** Log groups Bedrock invocation logging writes to, and at which level. */
function invocationLogGroups(resources: readonly CostInput[]): Map<string, "metadata" | "full"> {
    return new Map(
        resources
            .filter(
                (r) =>
                    r.type ===
                    "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
            )
            .map((r) => r.inputs.loggingConfig ?? {})
            .filter((c) => typeof c.cloudwatchConfig?.logGroupName === "string")
            .map((c) => [
                c.cloudwatchConfig.logGroupName as string,
                c.textDataDeliveryEnabled ? ("full" as const) : ("metadata" as const),
            ]),
    );
}

/** 1234567 -> "1,234,567", the same in every locale. */
export function thousands(n: number): string {
    return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A price table's rate for `key` (an instance type, class or edition); undefined when it has none. */
function hourly<T extends Record<string, number>>(table: T, key: string): number | undefined {
    return (table as Record<string, number>)[key] as number | undefined;
}

/** `scheduledQuantity`: the quantity on the stack's schedule, when it stops what is billed. */
function costLine(
    resource: string,
    item: string,
    quantity: number,
    unit: string,
    unitUsd: number,
    source: string,
    scheduledQuantity?: number,
): CostLine {
    return {
        resource,
        item,
        quantity: round(quantity, 3),
        unit,
        unitUsd,
        monthlyUsd: round(quantity * unitUsd),
        source,
        ...(scheduledQuantity !== undefined
            ? {
                  scheduled: {
                      quantity: round(scheduledQuantity, 3),
                      monthlyUsd: round(scheduledQuantity * unitUsd),
                  },
              }
            : {}),
    };
}

/** What every pricer shares: where it records, what it looks up, and the stack's schedule. */
interface PricingContext {
    readonly resources: readonly CostInput[];
    readonly account: CostContext["account"];
    /** Hours in a month (prices.hoursPerMonth). */
    readonly hours: number;
    /** Adds a cost line (see costLine). */
    readonly line: (...args: Parameters<typeof costLine>) => void;
    /** Reports a resource that costs money but has no price in the table. */
    readonly unpriced: (r: CostInput, reason: string) => void;
    /** The hours on the schedule when `stopped` (a schedule stops this resource), else undefined. */
    readonly onSchedule: (
        name: string,
        stopped: boolean | undefined,
        scheduled: number,
    ) => number | undefined;
    readonly logBuckets: readonly string[];
    /** Launch templates by the id AWS assigned them. */
    readonly templates: ReadonlyMap<string | undefined, CostInput>;
    readonly invocationLogs: ReadonlyMap<string, "metadata" | "full">;
    /** What the declared schedules stop; undefined when the stack has no working hours. */
    readonly asleep: ScheduleTargets | undefined;
    /** Hours a month on the working hours; undefined when the stack has none. */
    readonly awake: ReturnType<typeof scheduledHours> | undefined;
    /** Budgets priced so far: the account's first ones are free. */
    budgetsPriced: number;
}

/** Prices one declared resource into cost lines (or reports it unpriced). */
type Pricer = (r: CostInput, pricing: PricingContext) => void;

function priceEc2Instance(r: CostInput, pricing: PricingContext): void {
    const inputs = r.inputs;
    const rate = hourly(prices.ec2.perHour, inputs.instanceType);
    if (rate === undefined) {
        pricing.unpriced(r, `no price for ${inputs.instanceType}`);
    } else {
        pricing.line(
            r.name,
            `EC2 ${inputs.instanceType}`,
            pricing.hours,
            "hour",
            rate,
            prices.ec2.source,
            // A stopped instance keeps its volume (billed) and its Elastic IP (billed).
            pricing.onSchedule(
                r.name,
                r.id ? pricing.asleep?.instances.has(r.id) : false,
                pricing.awake?.hosts ?? 0,
            ),
        );
    }
    pricing.line(
        r.name,
        "EBS gp3 root volume",
        inputs.rootBlockDevice?.volumeSize ?? 8,
        "GB-month",
        prices.ebsGp3.perGbMonth,
        prices.ebsGp3.source,
    );
}

function priceNatGateway(r: CostInput, pricing: PricingContext): void {
    pricing.line(
        r.name,
        "NAT gateway",
        pricing.hours,
        "hour",
        prices.natGateway.perHour,
        prices.natGateway.source,
    );
    pricing.line(
        r.name,
        "NAT data processed (assumed)",
        prices.natGateway.assumedGbPerMonth,
        "GB",
        prices.natGateway.perGbProcessed,
        prices.natGateway.source,
    );
}

function priceElasticIp(r: CostInput, pricing: PricingContext): void {
    pricing.line(
        r.name,
        "public IPv4 address",
        pricing.hours,
        "hour",
        prices.publicIpv4.perHour,
        prices.publicIpv4.source,
    );
}

function priceDatabase(r: CostInput, pricing: PricingContext): void {
    const inputs = r.inputs;
    const rate = hourly(prices.rds.perHour, inputs.instanceClass);
    const factor = inputs.multiAz ? prices.rds.multiAzFactor : 1;
    const az = inputs.multiAz ? "Multi-AZ" : "Single-AZ";
    if (rate === undefined) {
        pricing.unpriced(r, `no price for ${inputs.instanceClass}`);
    } else {
        pricing.line(
            r.name,
            `RDS PostgreSQL ${inputs.instanceClass} ${az}`,
            pricing.hours,
            "hour",
            round(rate * factor, 4),
            prices.rds.source,
            // Stopped, its storage and backups are still billed.
            pricing.onSchedule(
                r.name,
                pricing.asleep?.databases.has(inputs.identifier ?? r.state?.identifier),
                pricing.awake?.database ?? 0,
            ),
        );
    }
    pricing.line(
        r.name,
        `RDS gp3 storage ${az}`,
        inputs.allocatedStorage,
        "GB-month",
        round(prices.rds.gp3PerGbMonth * factor, 4),
        prices.rds.source,
    );
    if (inputs.manageMasterUserPassword) {
        pricing.line(
            r.name,
            "Secrets Manager secret (RDS-managed master password)",
            1,
            "secret-month",
            prices.secretsManager.perSecretMonth,
            prices.secretsManager.source,
        );
    }
}

function priceDirectory(r: CostInput, pricing: PricingContext): void {
    const edition = r.inputs.edition;
    const rate = hourly(prices.managedAd.perDomainControllerHour, edition);
    if (rate === undefined) {
        pricing.unpriced(r, `no price for edition ${edition}`);
        return;
    }
    pricing.line(
        r.name,
        `Managed Microsoft AD ${edition} (${prices.managedAd.domainControllers} domain controllers)`,
        pricing.hours * prices.managedAd.domainControllers,
        "DC-hour",
        rate,
        prices.managedAd.source,
    );
}

function priceBucket(r: CostInput, pricing: PricingContext): void {
    if (pricing.logBuckets.some((name) => bucketIs(r, name))) {
        // Steady state: a month's logs times the months the lifecycle keeps them.
        const days = expiryDays(r, pricing.resources) ?? 365;
        pricing.line(
            r.name,
            `ALB access logs in S3 (assumed, kept ${days} days)`,
            prices.albAccessLogs.assumedGbPerMonth * (days / 30),
            "GB-month",
            prices.s3.perGbMonth,
            prices.albAccessLogs.source,
        );
        return;
    }
    pricing.line(
        r.name,
        "S3 Standard storage (assumed)",
        prices.s3.assumedGb,
        "GB-month",
        prices.s3.perGbMonth,
        prices.s3.source,
    );
}

function priceAutoScalingGroup(r: CostInput, pricing: PricingContext): void {
    const inputs = r.inputs;
    const template = pricing.templates.get(inputs.launchTemplate?.id);
    if (!template) {
        pricing.unpriced(r, "no launch template of this program (mixed instances are not priced)");
        return;
    }
    // The fewest hosts it keeps: scaling out costs more, by the hour.
    const hosts = Number(inputs.minSize);
    // Scaled to zero outside working hours: its hosts are terminated, not stopped.
    const sleeps = pricing.onSchedule(
        r.name,
        pricing.asleep?.groups.has(inputs.name ?? r.state?.name),
        pricing.awake?.hosts ?? 0,
    );
    const launch = template.inputs;
    const rate = hourly(prices.ec2.perHour, launch.instanceType);
    if (rate === undefined) {
        pricing.unpriced(r, `no price for ${launch.instanceType}`);
    } else {
        pricing.line(
            r.name,
            `EC2 ${launch.instanceType}`,
            pricing.hours * hosts,
            "host-hour",
            rate,
            prices.ec2.source,
            sleeps !== undefined ? sleeps * hosts : undefined,
        );
    }
    for (const device of (launch.blockDeviceMappings ?? []) as Record<string, any>[]) {
        if (device.ebs?.volumeType !== "gp3") {
            pricing.unpriced(
                r,
                `no price for ${device.ebs?.volumeType ?? "an unspecified"} volume ${device.deviceName}`,
            );
            continue;
        }
        // A terminated host's root volume goes with it when the template says so.
        const deleted = sleeps !== undefined && String(device.ebs.deleteOnTermination) === "true";
        pricing.line(
            r.name,
            "EBS gp3 root volume",
            Number(device.ebs.volumeSize ?? 8) * hosts,
            "GB-month",
            prices.ebsGp3.perGbMonth,
            prices.ebsGp3.source,
            deleted
                ? (Number(device.ebs.volumeSize ?? 8) * hosts * sleeps) / pricing.hours
                : undefined,
        );
    }
}

function priceScalingPolicy(r: CostInput, pricing: PricingContext): void {
    // Step and simple policies use alarms declared (and priced) on their own.
    if (r.inputs.policyType === "TargetTrackingScaling") {
        pricing.line(
            r.name,
            "CloudWatch alarms of a target-tracking policy (high and low)",
            prices.cloudwatchAlarms.alarmsPerTargetTrackingPolicy,
            "alarm-metric-month",
            prices.cloudwatchAlarms.perAlarmMonth,
            prices.cloudwatchAlarms.source,
        );
    }
}

function priceLoadBalancer(r: CostInput, pricing: PricingContext): void {
    const inputs = r.inputs;
    if ((inputs.loadBalancerType ?? "application") !== "application") {
        pricing.unpriced(r, `no price for a ${inputs.loadBalancerType} load balancer`);
        return;
    }
    const scheme = inputs.internal ? "internal" : "internet-facing";
    pricing.line(
        r.name,
        `Application Load Balancer (${scheme})`,
        pricing.hours,
        "hour",
        prices.alb.perHour,
        prices.alb.source,
    );
    pricing.line(
        r.name,
        `ALB LCUs (assumed, ${scheme})`,
        pricing.hours *
            (inputs.internal
                ? prices.alb.assumedLcu.internal
                : prices.alb.assumedLcu.internetFacing),
        "LCU-hour",
        prices.alb.perLcuHour,
        prices.alb.source,
    );
    if (!inputs.internal) {
        // A node, with a public address, in each subnet's AZ.
        const azs = (inputs.subnets ?? inputs.subnetMappings ?? []).length;
        pricing.line(
            r.name,
            "public IPv4 address (ALB nodes, one per AZ)",
            pricing.hours * azs,
            "hour",
            prices.publicIpv4.perHour,
            prices.publicIpv4.source,
        );
    }
}

function priceWebAcl(r: CostInput, pricing: PricingContext): void {
    const rules = (r.inputs.rules ?? []) as Record<string, any>[];
    const subscription = rules
        .map((rule) => rule.statement?.managedRuleGroupStatement?.name as string)
        .filter((name) => name && new RegExp(prices.waf.subscriptionRuleGroups).test(name));
    if (subscription.length > 0) {
        pricing.unpriced(r, `no price for the subscription of ${subscription.join(", ")}`);
    }
    pricing.line(
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
    pricing.line(
        r.name,
        `WAF rules (${breakdown || "none"})`,
        rules.length,
        "rule-month",
        prices.waf.perRuleMonth,
        prices.waf.source,
    );
    pricing.line(
        r.name,
        "WAF requests (assumed)",
        prices.traffic.requestsPerMonth / 1e6,
        "million requests",
        prices.waf.perMillionRequests,
        prices.waf.source,
    );
}

function priceReplicationGroup(r: CostInput, pricing: PricingContext): void {
    const inputs = r.inputs;
    const engine = String(inputs.engine ?? "redis");
    const rate = (prices.elasticache.perHour as Record<string, Record<string, number>>)[engine]?.[
        inputs.nodeType
    ];
    const nodes =
        inputs.numCacheClusters ??
        (inputs.numNodeGroups ?? 1) * (1 + (inputs.replicasPerNodeGroup ?? 0));
    if (rate === undefined) {
        pricing.unpriced(r, `no price for ${engine} ${inputs.nodeType}`);
        return;
    }
    pricing.line(
        r.name,
        `ElastiCache ${engine === "valkey" ? "Valkey" : "Redis OSS"} ${inputs.nodeType}${inputs.multiAzEnabled ? " Multi-AZ" : ""}`,
        pricing.hours * Number(nodes),
        "node-hour",
        rate,
        prices.elasticache.source,
    );
}

function priceLogGroup(r: CostInput, pricing: PricingContext): void {
    const inputs = r.inputs;
    const flow = String(inputs.name ?? "").endsWith("vpc-flow-logs");
    const bedrock = pricing.invocationLogs.get(String(inputs.name));
    const gb = bedrock
        ? prices.bedrockInvocationLogs.assumedGbPerMonth[bedrock]
        : flow
          ? prices.cloudwatchLogs.assumedGbPerMonth.flowLogs
          : prices.cloudwatchLogs.assumedGbPerMonth.other;
    pricing.line(
        r.name,
        bedrock
            ? `CloudWatch Logs ingestion (assumed, Bedrock invocation logs: ${bedrock})`
            : "CloudWatch Logs ingestion (assumed)",
        gb,
        "GB",
        prices.cloudwatchLogs.ingestPerGb,
        prices.cloudwatchLogs.source,
    );
    // Steady state: a month's logs times the months they are kept.
    pricing.line(
        r.name,
        "CloudWatch Logs storage (steady state)",
        gb * ((inputs.retentionInDays ?? 30) / 30),
        "GB-month",
        prices.cloudwatchLogs.storePerGbMonth,
        prices.cloudwatchLogs.source,
    );
}

function priceSecret(r: CostInput, pricing: PricingContext): void {
    pricing.line(
        r.name,
        "Secrets Manager secret",
        1,
        "secret-month",
        prices.secretsManager.perSecretMonth,
        prices.secretsManager.source,
    );
}

function priceMetricAlarm(r: CostInput, pricing: PricingContext): void {
    // Billed per metric it reads: a metric-math alarm per metric in its expression.
    const queries = (r.inputs.metricQueries ?? []) as Record<string, any>[];
    const metrics = queries.filter((q) => q.metric).length;
    // An anomaly detection alarm is billed as three metrics: the metric and its band's two bounds.
    const anomaly = queries.some((q) =>
        /ANOMALY_DETECTION_BAND\(/.test(String(q.expression ?? "")),
    );
    pricing.line(
        r.name,
        anomaly
            ? "CloudWatch anomaly detection alarm (the metric and its band's two bounds)"
            : metrics > 1
              ? `CloudWatch alarm (metric math over ${metrics} metrics)`
              : "CloudWatch alarm",
        anomaly
            ? Math.max(metrics, 1) * prices.cloudwatchAlarms.metricsPerAnomalyDetectionAlarm
            : Math.max(metrics, 1),
        "alarm-metric-month",
        prices.cloudwatchAlarms.perAlarmMonth,
        prices.cloudwatchAlarms.source,
    );
}

function priceDashboard(r: CostInput, pricing: PricingContext): void {
    pricing.line(
        r.name,
        "CloudWatch dashboard (assumed beyond the account's free 3)",
        1,
        "dashboard-month",
        prices.cloudwatchDashboards.perDashboardMonth,
        prices.cloudwatchDashboards.source,
    );
}

function priceKmsKey(r: CostInput, pricing: PricingContext): void {
    pricing.line(
        r.name,
        "KMS customer managed key",
        1,
        "key-month",
        prices.kms.perKeyMonth,
        prices.kms.source,
    );
    pricing.line(
        r.name,
        "KMS requests (assumed)",
        prices.kms.assumedRequestsPerKeyMonth / 10_000,
        "10k-requests",
        prices.kms.perTenThousandRequests,
        prices.kms.source,
    );
}

function priceBudget(r: CostInput, pricing: PricingContext): void {
    // The account's first budgets are free: taken as those of the stack that owns the
    // account's settings; every other budget is billed by the day.
    pricing.budgetsPriced += 1;
    const free =
        pricing.account?.ownsSettings === true &&
        pricing.budgetsPriced <= prices.budgets.freeBudgetsPerAccount;
    pricing.line(
        r.name,
        free
            ? `AWS Budgets budget (one of the account's free ${prices.budgets.freeBudgetsPerAccount})`
            : "AWS Budgets budget",
        pricing.hours / 24,
        "budget-day",
        free ? 0 : prices.budgets.perBudgetDay,
        prices.budgets.source,
    );
}

function priceHostedZone(r: CostInput, pricing: PricingContext): void {
    pricing.line(
        r.name,
        "Route 53 hosted zone",
        1,
        "zone-month",
        prices.route53.perHostedZoneMonth,
        prices.route53.source,
    );
}

function priceEcrRepository(r: CostInput, pricing: PricingContext): void {
    pricing.line(
        r.name,
        "ECR storage (assumed)",
        prices.ecr.assumedGb,
        "GB-month",
        prices.ecr.perGbMonth,
        prices.ecr.source,
    );
}

/**
 * GB a store's recovery points hold at steady state: backups are incremental, so the store once,
 * plus its daily changes for each daily point kept and its monthly changes for each monthly point
 * beyond the daily ones (prices.backup's change fractions). Pure.
 */
export function backupStoredGb(sizeGb: number, dailyDays: number, monthlyDays: number): number {
    const monthlyBeyondDaily = Math.max(
        0,
        Math.round(monthlyDays / 30) - Math.round(dailyDays / 30),
    );
    return (
        sizeGb *
        (1 +
            prices.backup.dailyChangeFraction * dailyDays +
            prices.backup.monthlyChangeFraction * monthlyBeyondDaily)
    );
}

type BackupRegion = keyof typeof prices.backup.warmPerGbMonth;

/**
 * The backup plan (backup/index.ts): warm storage of the database's and the uploads' recovery
 * points in the stack's region and, with copy actions, in the DR region, and the daily changes
 * sent there. The stores are the stack's RDS instance (its allocated storage) and its uploads
 * (the S3 assumption).
 */
function priceBackupPlan(r: CostInput, pricing: PricingContext): void {
    const rules: any[] = r.inputs.rules ?? [];
    const days = (name: string) =>
        Number(rules.find((rule) => rule.ruleName === name)?.lifecycle?.deleteAfter ?? 0);
    const [daily, monthly] = [days("daily"), days("monthly")];
    const databaseGb = pricing.resources
        .filter((x) => x.type === "aws:rds/instance:Instance")
        .reduce((sum, x) => sum + Number(x.inputs.allocatedStorage ?? 0), 0);
    const stores = [
        { kind: "rds" as const, what: "database (RDS snapshots)", gb: databaseGb },
        { kind: "s3" as const, what: "uploads (S3 backups)", gb: prices.s3.assumedGb },
    ];
    const retention = monthly > 0 ? `${daily} daily, ${monthly} monthly days` : `${daily} days`;
    const storage = (region: string, where: string) => {
        const warm = prices.backup.warmPerGbMonth[region as BackupRegion];
        if (!warm) {
            pricing.unpriced(r, `no AWS Backup price for ${region}`);
            return;
        }
        for (const store of stores) {
            pricing.line(
                r.name,
                `AWS Backup warm storage, ${store.what}${where}, ${retention} (assumed)`,
                backupStoredGb(store.gb, daily, monthly),
                "GB-month",
                warm[store.kind],
                prices.backup.source,
            );
        }
    };
    storage(prices.region, "");
    const copyRegions = new Set<string>(
        rules.flatMap((rule) =>
            (rule.copyActions ?? []).map(
                (c: any) =>
                    /^arn:[^:]+:backup:([^:]+):/.exec(String(c.destinationVaultArn))?.[1] ?? "",
            ),
        ),
    );
    for (const region of copyRegions) {
        if (!region) {
            pricing.unpriced(r, "a copy action's vault region is unknown");
            continue;
        }
        storage(region, ` copied to ${region}`);
        pricing.line(
            r.name,
            `AWS Backup cross-Region copy transfer to ${region} (assumed daily changes)`,
            stores.reduce((sum, store) => sum + store.gb, 0) *
                prices.backup.dailyChangeFraction *
                30,
            "GB",
            prices.backup.crossRegionTransferPerGb,
            prices.backup.source,
        );
    }
}

/** The priced resource types. Any other is free (FREE_TYPES) or reported as unpriced. */
const PRICERS: Readonly<Record<string, Pricer>> = {
    "aws:ec2/instance:Instance": priceEc2Instance,
    "aws:ec2/natGateway:NatGateway": priceNatGateway,
    "aws:ec2/eip:Eip": priceElasticIp,
    "aws:rds/instance:Instance": priceDatabase,
    "aws:directoryservice/directory:Directory": priceDirectory,
    "aws:s3/bucket:Bucket": priceBucket,
    "aws:autoscaling/group:Group": priceAutoScalingGroup,
    "aws:autoscaling/policy:Policy": priceScalingPolicy,
    "aws:lb/loadBalancer:LoadBalancer": priceLoadBalancer,
    "aws:wafv2/webAcl:WebAcl": priceWebAcl,
    "aws:elasticache/replicationGroup:ReplicationGroup": priceReplicationGroup,
    "aws:cloudwatch/logGroup:LogGroup": priceLogGroup,
    "aws:secretsmanager/secret:Secret": priceSecret,
    "aws:cloudwatch/metricAlarm:MetricAlarm": priceMetricAlarm,
    "aws:cloudwatch/dashboard:Dashboard": priceDashboard,
    "aws:kms/key:Key": priceKmsKey,
    "aws:budgets/budget:Budget": priceBudget,
    "aws:ecr/repository:Repository": priceEcrRepository,
    "aws:route53/zone:Zone": priceHostedZone,
    "aws:backup/plan:Plan": priceBackupPlan,
};

export function estimateCost(
    resources: readonly CostInput[],
    context: CostContext = {},
): CostEstimate {
    const hours = prices.hoursPerMonth;
    const lines: CostLine[] = [];
    const unpriced: { resource: string; type: string; reason: string }[] = [];
    // Working hours apply only to what a declared schedule stops.
    const schedule = context.schedule;
    const awake = schedule ? scheduledHours(schedule) : undefined;
    const sleeping: string[] = [];
    const pricing: PricingContext = {
        resources,
        account: context.account,
        hours,
        line: (...args) => {
            lines.push(costLine(...args));
        },
        unpriced: (r, reason) => {
            unpriced.push({ resource: r.name, type: r.type, reason });
        },
        onSchedule: (name, stopped, scheduled) => {
            if (!stopped) {
                return undefined;
            }
            if (!sleeping.includes(name)) {
                sleeping.push(name);
            }
            return scheduled;
        },
        logBuckets: accessLogBuckets(resources),
        templates: new Map(
            resources
                .filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate" && r.id)
                .map((r) => [r.id, r]),
        ),
        invocationLogs: invocationLogGroups(resources),
        asleep: schedule ? scheduleTargets(resources) : undefined,
        awake,
        budgetsPriced: 0,
    };

    for (const r of resources) {
        // Own keys only: a type token is never looked up on Object.prototype.
        const price = Object.hasOwn(PRICERS, r.type) ? PRICERS[r.type] : undefined;
        if (price) {
            price(r, pricing);
        } else if (r.custom && !FREE_TYPES.has(r.type)) {
            pricing.unpriced(r, "no entry in plan/prices.json");
        }
    }
    lines.sort((a, b) => compareText(a.resource, b.resource) || compareText(a.item, b.item));
    const has = (item: RegExp) => lines.some((l) => item.test(l.item));
    const declared = (type: string) => resources.filter((r) => r.type === type);
    const declares = (type: string) => declared(type).length > 0;
    unpriced.sort((a, b) => compareText(a.resource, b.resource));
    const monthlyUsd = round(lines.reduce((sum, l) => sum + l.monthlyUsd, 0));
    const scheduledUsd = round(
        lines.reduce((sum, l) => sum + (l.scheduled?.monthlyUsd ?? l.monthlyUsd), 0),
    );
    const schedules = declared("aws:scheduler/schedule:Schedule").length;
    const account = context.account;
    return {
        monthlyUsd,
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
                ? [
                      schedule && sleeping.length > 0
                          ? "Auto Scaling groups at their minimum size: around the clock, or during the working hours on the schedule"
                          : "Auto Scaling groups at their minimum size, around the clock",
                  ]
                : []),
            ...(declares("aws:elasticache/replicationGroup:ReplicationGroup")
                ? [`ElastiCache: ${prices.elasticache.note}`]
                : []),
            ...(declares("aws:acm/certificate:Certificate") ? [`ACM: ${prices.acm.note}`] : []),
            ...(declares("aws:route53/record:Record") || declares("aws:route53/zone:Zone")
                ? [`Route 53: ${prices.route53.note} (${prices.route53.verification})`]
                : []),
            ...(declares("aws:cloudwatch/dashboard:Dashboard")
                ? [prices.cloudwatchDashboards.assumption]
                : []),
            ...(declares("aws:budgets/budget:Budget")
                ? [
                      account?.ownsSettings
                          ? `AWS Budgets: this stack owns the account's settings (accountSettingsStack), so its budgets are taken as the account's first ${prices.budgets.freeBudgetsPerAccount}, which are free; any more cost $${prices.budgets.perBudgetDay} a day each`
                          : `AWS Budgets: ${account ? `stack ${account.settingsStack} owns the account's settings (accountSettingsStack) and is taken to hold the account's ${prices.budgets.freeBudgetsPerAccount} free budgets` : "no budget is taken as one of the account's free ones"}; each of this stack's costs $${prices.budgets.perBudgetDay} a day`,
                  ]
                : []),
            ...(declares("aws:kms/key:Key")
                ? [`KMS: ${prices.kms.note}`, `KMS: ${prices.kms.requestsAssumption}`]
                : []),
            ...(declares("aws:backup/plan:Plan")
                ? [`AWS Backup: ${prices.backup.assumption} (${prices.backup.verification})`]
                : []),
            ...(has(/Bedrock invocation logs/) ? [prices.bedrockInvocationLogs.assumption] : []),
            ...(schedules > 0
                ? [
                      `EventBridge Scheduler: ${schedules} schedules, about ${thousands(schedules * (schedule?.days.length ?? 7) * WEEKS_PER_MONTH)} invocations a month, inside the free ${thousands(prices.scheduler.freeInvocationsPerMonth)}`,
                  ]
                : []),
            ...(declares("aws:bedrock/inferenceProfile:InferenceProfile")
                ? [`Bedrock: ${prices.bedrock.inferenceProfileNote}`]
                : []),
            ...(declares("aws:bedrock/guardrail:Guardrail")
                ? [
                      account?.ownsSettings
                          ? "Bedrock guardrail: this stack owns the account's settings (accountSettingsStack), so its guardrail is enforced on every Bedrock call in the account and region; it bills the text it evaluates (the usage estimate)"
                          : `Bedrock guardrail: ${account ? `stack ${account.settingsStack} owns the account's settings (accountSettingsStack), so its guardrail, not this stack's, is the one enforced on this stack's Bedrock calls` : "not enforced by this stack"}; a guardrail bills the text it evaluates (the usage estimate)`,
                  ]
                : []),
            ...(declares("aws:costexplorer/costAllocationTag:CostAllocationTag")
                ? [`Cost-allocation tags: ${prices.costAllocationTags.note}`]
                : []),
            ...(declares("aws:ssm/parameter:Parameter")
                ? [
                      `Parameter Store: ${declared("aws:ssm/parameter:Parameter").length} standard parameters (the hosts' boot files), free`,
                  ]
                : []),
            `${hours} hours a month`,
            ...(schedule
                ? [
                      `on the schedule: ${round(schedule.hoursPerWeek, 2)} hours a week x 52/12 weeks a month for the hosts, ${awake?.leadMinutes} minutes a day more for the database (it starts first)`,
                  ]
                : []),
            prices.verification,
        ],
        outOfScope: prices.outOfScope,
        scheduled:
            schedule && awake
                ? {
                      schedule: describeSchedule(schedule),
                      hostHoursPerMonth: round(awake.hosts),
                      databaseHoursPerMonth: round(awake.database),
                      monthlyUsd: scheduledUsd,
                      savingUsd: round(monthlyUsd - scheduledUsd),
                      asleep: [...sleeping].sort(compareText),
                      alwaysOn: alwaysOn(resources),
                  }
                : null,
    };
}
