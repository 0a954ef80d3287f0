import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    AlarmProfile,
    DIRECTORY_BIND_METRIC,
    HEALTH_METRIC,
    HEALTH_NAMESPACE,
    THRESHOLDS,
} from "./alarms";

export interface OperationsArgs {
    /** Prefix for the topic's and alarms' names, e.g. "ai-portal-dev". Required. */
    readonly namePrefix: string;
    /** The stack's name: the dimension of the portal's health metric. Required. */
    readonly stack: string;
    /** The region of the alarms and the recover action. Required. */
    readonly region: string;
    /** Someone to e-mail when an alarm fires or clears; undefined for none. */
    readonly alarmEmail?: string;
    /** `strict` or `relaxed` thresholds (see alarms.ts). Required. */
    readonly profile: AlarmProfile;
    /**
     * The stack's data key (security/dataKey.ts) for the alarm topic, whose policy lets CloudWatch
     * alarms and AWS Budgets of this account publish under it. Defaults to an unencrypted topic.
     */
    readonly encryptionKeyArn?: pulumi.Input<string>;
    /** The RDS instance the database alarms watch. Required. */
    readonly dbInstanceIdentifier: pulumi.Input<string>;
    /** The single hosts, by role ("web", "gateway"); none in the load-balanced tier. */
    readonly instances: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Whether the stack has a directory whose bind check to alarm on (config `directory`).
     * Defaults to true.
     */
    readonly directory?: boolean;
    /** The load-balanced tier's metric dimensions; undefined in the single-host tier. */
    readonly loadBalanced?: {
        /** The ALB's and its web target group's ARN suffixes. */
        readonly albArnSuffix: pulumi.Input<string>;
        readonly webTargetGroupArnSuffix: pulumi.Input<string>;
        /** The gateway's internal load balancer and target group. */
        readonly gatewayLbArnSuffix: pulumi.Input<string>;
        readonly gatewayTargetGroupArnSuffix: pulumi.Input<string>;
        /** The WAF web ACL's name, when WAF is on. */
        readonly webAclName?: string;
        /** The Redis replication group and how many nodes it has (001, 002, ...). */
        readonly redisReplicationGroupId: string;
        readonly redisNodeCount: number;
    };
}

/**
 * Someone hears about it when the portal is unhealthy: an SNS topic (optionally e-mailed), alarms
 * on the database (CPU, free storage, connections), on each host's status checks (a failed system
 * check recovers the instance onto healthy hardware), and on the portal's own HTTPS health.
 */
export class Operations extends pulumi.ComponentResource {
    public readonly alarmTopicArn: pulumi.Output<string>;
    /**
     * The alarm that fires when the portal stops answering, which it does on purpose outside a
     * schedule's working hours: the schedule silences its actions then.
     */
    public readonly healthAlarm: {
        readonly name: pulumi.Output<string>;
        readonly arn: pulumi.Output<string>;
    };

    constructor(name: string, args: OperationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:operations:Operations", name, {}, opts);
        const parent = { parent: this };
        const t = THRESHOLDS[args.profile];
        const partition = aws.getPartitionOutput({}, parent);

        // Encrypted only under the stack's own key: CloudWatch and Budgets cannot publish to a
        // topic under the AWS-managed SNS key (its policy cannot name them), while the data key's
        // policy lets them (security/keyPolicy.ts). Set or changed in place.
        const topic = new aws.sns.Topic(
            `${name}-alarms`,
            {
                name: `${args.namePrefix}-alarms`,
                kmsMasterKeyId: args.encryptionKeyArn,
                tags: { Name: `${args.namePrefix}-alarms` },
            },
            parent,
        );
        // Who may publish: this account (CloudWatch alarms act for it) and AWS Budgets for this
        // account's budgets only (the confused-deputy guard Budgets documents).
        const identity = aws.getCallerIdentityOutput({}, parent);
        new aws.sns.TopicPolicy(
            `${name}-alarms-policy`,
            {
                arn: topic.arn,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ThisAccountPublishes",
                            Effect: "Allow",
                            Principal: {
                                AWS: pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:root`,
                            },
                            Action: ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes"],
                            Resource: topic.arn,
                        },
                        {
                            Sid: "CloudWatchAlarmsPublish",
                            Effect: "Allow",
                            Principal: { Service: "cloudwatch.amazonaws.com" },
                            Action: "SNS:Publish",
                            Resource: topic.arn,
                            Condition: {
                                StringEquals: { "aws:SourceAccount": identity.accountId },
                            },
                        },
                        {
                            Sid: "BudgetsPublish",
                            Effect: "Allow",
                            Principal: { Service: "budgets.amazonaws.com" },
                            Action: "SNS:Publish",
                            Resource: topic.arn,
                            Condition: {
                                StringEquals: { "aws:SourceAccount": identity.accountId },
                                ArnLike: {
                                    "aws:SourceArn": pulumi.interpolate`arn:${partition.partition}:budgets::${identity.accountId}:*`,
                                },
                            },
                        },
                    ],
                }),
            },
            parent,
        );
        if (args.alarmEmail) {
            new aws.sns.TopicSubscription(
                `${name}-alarm-email`,
                { topic: topic.arn, protocol: "email", endpoint: args.alarmEmail },
                parent,
            );
        }
        const notify = [topic.arn];
        const alarm = (
            suffix: string,
            settings: Omit<aws.cloudwatch.MetricAlarmArgs, "name" | "tags">,
        ) =>
            new aws.cloudwatch.MetricAlarm(
                `${name}-${suffix}`,
                {
                    name: `${args.namePrefix}-${suffix}`,
                    okActions: notify,
                    ...settings,
                    tags: { Name: `${args.namePrefix}-${suffix}` },
                },
                parent,
            );

        const db = { DBInstanceIdentifier: args.dbInstanceIdentifier };
        alarm("db-cpu", {
            alarmDescription: `PostgreSQL CPU above ${t.dbCpuPercent}% for 15 minutes`,
            namespace: "AWS/RDS",
            metricName: "CPUUtilization",
            dimensions: db,
            statistic: "Average",
            period: 300,
            evaluationPeriods: 3,
            threshold: t.dbCpuPercent,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "missing",
            alarmActions: notify,
        });
        alarm("db-free-storage", {
            alarmDescription: `PostgreSQL free storage below ${t.dbFreeStorageGb} GiB`,
            namespace: "AWS/RDS",
            metricName: "FreeStorageSpace",
            dimensions: db,
            statistic: "Minimum",
            period: 300,
            evaluationPeriods: 2,
            threshold: t.dbFreeStorageGb * 1024 ** 3,
            comparisonOperator: "LessThanThreshold",
            treatMissingData: "missing",
            alarmActions: notify,
        });
        alarm("db-connections", {
            alarmDescription: `PostgreSQL connections above ${t.dbConnections} for 15 minutes`,
            namespace: "AWS/RDS",
            metricName: "DatabaseConnections",
            dimensions: db,
            statistic: "Maximum",
            period: 300,
            evaluationPeriods: 3,
            threshold: t.dbConnections,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "missing",
            alarmActions: notify,
        });

        for (const role of Object.keys(args.instances).sort()) {
            const instance = { InstanceId: args.instances[role] };
            alarm(`${role}-system-check`, {
                alarmDescription: `${role} host: AWS system status check failing; EC2 recovers the instance onto other hardware`,
                namespace: "AWS/EC2",
                metricName: "StatusCheckFailed_System",
                dimensions: instance,
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 2,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "missing",
                alarmActions: [
                    pulumi.interpolate`arn:${partition.partition}:automate:${args.region}:ec2:recover`,
                    topic.arn,
                ],
            });
            alarm(`${role}-instance-check`, {
                alarmDescription: `${role} host: instance status check failing (the OS is not responding)`,
                namespace: "AWS/EC2",
                metricName: "StatusCheckFailed_Instance",
                dimensions: instance,
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 3,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "missing",
                alarmActions: notify,
            });
        }

        const health = alarm("web-https-health", {
            alarmDescription: `The portal has not answered over HTTPS for ${t.webUnhealthyMinutes} minutes (or stopped reporting)`,
            namespace: HEALTH_NAMESPACE,
            metricName: HEALTH_METRIC,
            dimensions: { Stack: args.stack },
            // Several hosts probe through the ALB: the portal is down when none of them got an
            // answer. One host probes itself through Caddy: its answer is the portal's.
            statistic: args.loadBalanced ? "Maximum" : "Minimum",
            period: 60,
            evaluationPeriods: t.webUnhealthyMinutes,
            threshold: 1,
            comparisonOperator: "LessThanThreshold",
            // No data means the host or its reporter is down: that is unhealthy too.
            treatMissingData: "breaching",
            alarmActions: notify,
        });

        // Every sign-in needs the bind account: when it cannot bind (an expired or changed
        // password, a locked or deleted account, the directory unreachable), nobody can sign in.
        // The check runs every 5 minutes, so each 10-minute period holds two reports. A stack
        // without a directory has no bind account to check.
        if (args.directory ?? true) {
            alarm("directory-bind", {
                alarmDescription:
                    "The portal's LDAP bind account could not bind to the directory (or the check stopped reporting): directory sign-ins fail",
                namespace: HEALTH_NAMESPACE,
                metricName: DIRECTORY_BIND_METRIC,
                dimensions: { Stack: args.stack },
                statistic: "Minimum",
                period: 600,
                evaluationPeriods: 1,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "breaching",
                alarmActions: notify,
            });
        }

        const lb = args.loadBalanced;
        if (lb) {
            const alb = { LoadBalancer: lb.albArnSuffix };
            alarm("alb-5xx-rate", {
                alarmDescription: `More than ${t.alb5xxPercent}% of the portal's requests answered 5xx (by the ALB or the web hosts) for 10 minutes`,
                metricQueries: [
                    ...[
                        ["elb", "HTTPCode_ELB_5XX_Count"],
                        ["hosts", "HTTPCode_Target_5XX_Count"],
                        ["requests", "RequestCount"],
                    ].map(([id, metricName]) => ({
                        id,
                        metric: {
                            namespace: "AWS/ApplicationELB",
                            metricName,
                            dimensions: alb,
                            period: 300,
                            stat: "Sum",
                        },
                    })),
                    {
                        id: "rate",
                        label: "5xx % of requests",
                        expression: "100 * (FILL(elb, 0) + FILL(hosts, 0)) / requests",
                        returnData: true,
                    },
                ],
                evaluationPeriods: 2,
                threshold: t.alb5xxPercent,
                comparisonOperator: "GreaterThanThreshold",
                // No requests, no rate: quiet hours are not an outage (the health alarm covers that).
                treatMissingData: "notBreaching",
                alarmActions: notify,
            });
            alarm("alb-response-time", {
                alarmDescription: `p95 time until the web hosts start answering above ${t.albResponseSecondsP95} s for 15 minutes`,
                namespace: "AWS/ApplicationELB",
                metricName: "TargetResponseTime",
                dimensions: alb,
                extendedStatistic: "p95",
                period: 300,
                evaluationPeriods: 3,
                threshold: t.albResponseSecondsP95,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                alarmActions: notify,
            });
            for (const [role, loadBalancer, targetGroup] of [
                ["web", lb.albArnSuffix, lb.webTargetGroupArnSuffix],
                ["gateway", lb.gatewayLbArnSuffix, lb.gatewayTargetGroupArnSuffix],
            ] as const) {
                alarm(`${role}-unhealthy-hosts`, {
                    alarmDescription: `A ${role} host has failed its load balancer's health checks for 5 minutes (Auto Scaling replaces it; this says it keeps happening)`,
                    namespace: "AWS/ApplicationELB",
                    metricName: "UnHealthyHostCount",
                    dimensions: { LoadBalancer: loadBalancer, TargetGroup: targetGroup },
                    statistic: "Maximum",
                    period: 60,
                    evaluationPeriods: 5,
                    threshold: 1,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    treatMissingData: "notBreaching",
                    alarmActions: notify,
                });
            }
            if (lb.webAclName) {
                alarm("waf-blocked-spike", {
                    alarmDescription: `WAF blocked more than ${t.wafBlockedPer5Min} requests in 5 minutes: an attack, or a rule blocking real users`,
                    namespace: "AWS/WAFV2",
                    metricName: "BlockedRequests",
                    dimensions: { WebACL: lb.webAclName, Region: args.region, Rule: "ALL" },
                    statistic: "Sum",
                    period: 300,
                    evaluationPeriods: 1,
                    threshold: t.wafBlockedPer5Min,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "notBreaching",
                    alarmActions: notify,
                });
            }
            for (let n = 1; n <= lb.redisNodeCount; n++) {
                const node = `${lb.redisReplicationGroupId}-${String(n).padStart(3, "0")}`;
                const cache = { CacheClusterId: node };
                const suffix = `redis-${String(n).padStart(3, "0")}`;
                alarm(`${suffix}-cpu`, {
                    alarmDescription: `Redis node ${node}: engine CPU above ${t.redisCpuPercent}% for 15 minutes`,
                    namespace: "AWS/ElastiCache",
                    metricName: "EngineCPUUtilization",
                    dimensions: cache,
                    statistic: "Average",
                    period: 300,
                    evaluationPeriods: 3,
                    threshold: t.redisCpuPercent,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "missing",
                    alarmActions: notify,
                });
                alarm(`${suffix}-memory`, {
                    alarmDescription: `Redis node ${node}: memory above ${t.redisMemoryPercent}% of what it may use for 15 minutes`,
                    namespace: "AWS/ElastiCache",
                    metricName: "DatabaseMemoryUsagePercentage",
                    dimensions: cache,
                    statistic: "Maximum",
                    period: 300,
                    evaluationPeriods: 3,
                    threshold: t.redisMemoryPercent,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "missing",
                    alarmActions: notify,
                });
                alarm(`${suffix}-evictions`, {
                    alarmDescription: `Redis node ${node} evicted keys: it is full, and sessions or socket state are being lost`,
                    namespace: "AWS/ElastiCache",
                    metricName: "Evictions",
                    dimensions: cache,
                    statistic: "Sum",
                    period: 300,
                    evaluationPeriods: 1,
                    threshold: 0,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "notBreaching",
                    alarmActions: notify,
                });
            }
        }

        this.alarmTopicArn = topic.arn;
        this.healthAlarm = { name: health.name, arn: health.arn };
        this.registerOutputs({ alarmTopicArn: this.alarmTopicArn, healthAlarm: this.healthAlarm });
    }
}
