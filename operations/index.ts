import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmProfile, HEALTH_METRIC, HEALTH_NAMESPACE, THRESHOLDS } from "./alarms";

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
    /** The RDS instance the database alarms watch. Required. */
    readonly dbInstanceIdentifier: pulumi.Input<string>;
    /** The hosts, by role ("web", "gateway"). */
    readonly instances: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * Someone hears about it when the portal is unhealthy: an SNS topic (optionally e-mailed), alarms
 * on the database (CPU, free storage, connections), on each host's status checks (a failed system
 * check recovers the instance onto healthy hardware), and on the portal's own HTTPS health.
 */
export class Operations extends pulumi.ComponentResource {
    public readonly alarmTopicArn: pulumi.Output<string>;

    constructor(name: string, args: OperationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:operations:Operations", name, {}, opts);
        const parent = { parent: this };
        const t = THRESHOLDS[args.profile];
        const partition = aws.getPartitionOutput({}, parent);

        // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key,
        // and alarm notifications carry no data worth a customer-managed key.
        const topic = new aws.sns.Topic(
            `${name}-alarms`,
            { name: `${args.namePrefix}-alarms`, tags: { Name: `${args.namePrefix}-alarms` } },
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

        alarm("web-https-health", {
            alarmDescription: `The portal has not answered over HTTPS for ${t.webUnhealthyMinutes} minutes (or stopped reporting)`,
            namespace: HEALTH_NAMESPACE,
            metricName: HEALTH_METRIC,
            dimensions: { Stack: args.stack },
            statistic: "Minimum",
            period: 60,
            evaluationPeriods: t.webUnhealthyMinutes,
            threshold: 1,
            comparisonOperator: "LessThanThreshold",
            // No data means the host or its reporter is down: that is unhealthy too.
            treatMissingData: "breaching",
            alarmActions: notify,
        });

        this.alarmTopicArn = topic.arn;
        this.registerOutputs({ alarmTopicArn: this.alarmTopicArn });
    }
}
