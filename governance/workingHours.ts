import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { WorkingHours as Hours } from "../config/governance";
import { scheduleGroupArn, serviceTrustPolicy } from "../lib/trust";

/** Minutes the database starts before the hosts, so Open WebUI finds it available. */
export const DATABASE_LEAD_MINUTES = 15;

/**
 * Minutes after the hosts start before the alarms that a sleeping stack sets off (the portal's
 * health, which treats silence as failure) act again: a web host boots in well under that.
 */
export const ALARMS_WAKE_MINUTES = 20;

export interface WorkingHoursArgs {
    /** Prefix for names, e.g. "ai-portal-dev". Required. */
    readonly namePrefix: string;
    /** When the stack runs (config `schedule`). Required. */
    readonly hours: Hours;
    readonly region: string;
    /** The RDS instance to stop and start. Required. */
    readonly dbInstanceIdentifier: pulumi.Input<string>;
    /** single: the hosts' instances, stopped and started. */
    readonly instanceIds?: pulumi.Input<string>[];
    /**
     * Alarms a sleeping stack would set off every night: their actions are disabled when it stops
     * and enabled once it is up again. Names and ARNs, in the same order.
     */
    readonly quietAlarms?: {
        readonly names: pulumi.Input<string>[];
        readonly arns: pulumi.Input<string>[];
    };
    /** loadBalanced: the Auto Scaling groups, scaled to zero and back to their sizes. */
    readonly autoScalingGroups?: {
        readonly name: pulumi.Input<string>;
        readonly arn: pulumi.Input<string>;
        readonly minSize: number;
        readonly maxSize: number;
    }[];
}

/** One scheduled call: EventBridge Scheduler's universal target for an AWS SDK action. */
export interface ScheduledCall {
    /** e.g. "start-hosts". */
    readonly name: string;
    /** The SDK action, service:Action as in the universal target's ARN, e.g. "ec2:startInstances". */
    readonly action: string;
    /** When, as a cron expression in the schedule's time zone. */
    readonly cron: string;
    /** The action's input. */
    readonly input: pulumi.Input<Record<string, unknown>>;
}

/** The IAM action a universal target calls (ec2:startInstances -> ec2:StartInstances). */
export function iamAction(sdkAction: string): string {
    const [service, action] = sdkAction.split(":");
    return `${service}:${action[0].toUpperCase()}${action.slice(1)}`;
}

function cron(minuteOfDay: number, days: readonly string[]): string {
    const hour = Math.floor(minuteOfDay / 60);
    const minute = minuteOfDay % 60;
    return `cron(${minute} ${hour} ? * ${days.join(",")} *)`;
}

/**
 * The calls that put a stack to sleep outside its working hours and wake it up: the database
 * starts first and stops with the hosts (or their Auto Scaling groups); the alarms that silence
 * would set off are quiet from the stop until the stack has been up a while. Pure, for tests.
 */
export function scheduledCalls(args: WorkingHoursArgs): ScheduledCall[] {
    const start = args.hours.start.hour * 60 + args.hours.start.minute;
    const stop = args.hours.stop.hour * 60 + args.hours.stop.minute;
    const days = args.hours.days;
    const calls: ScheduledCall[] = [
        {
            name: "start-database",
            action: "rds:startDBInstance",
            cron: cron(Math.max(0, start - DATABASE_LEAD_MINUTES), days),
            input: { DbInstanceIdentifier: args.dbInstanceIdentifier },
        },
        {
            name: "stop-database",
            action: "rds:stopDBInstance",
            cron: cron(stop, days),
            input: { DbInstanceIdentifier: args.dbInstanceIdentifier },
        },
    ];
    if (args.instanceIds) {
        calls.push(
            {
                name: "start-hosts",
                action: "ec2:startInstances",
                cron: cron(start, days),
                input: { InstanceIds: args.instanceIds },
            },
            {
                name: "stop-hosts",
                action: "ec2:stopInstances",
                cron: cron(stop, days),
                input: { InstanceIds: args.instanceIds },
            },
        );
    }
    for (const [index, group] of (args.autoScalingGroups ?? []).entries()) {
        const role = index === 0 ? "web" : "gateway";
        calls.push(
            {
                name: `wake-${role}-hosts`,
                action: "autoscaling:updateAutoScalingGroup",
                cron: cron(start, days),
                input: {
                    AutoScalingGroupName: group.name,
                    MinSize: group.minSize,
                    MaxSize: group.maxSize,
                    DesiredCapacity: group.minSize,
                },
            },
            {
                name: `sleep-${role}-hosts`,
                action: "autoscaling:updateAutoScalingGroup",
                cron: cron(stop, days),
                input: {
                    AutoScalingGroupName: group.name,
                    MinSize: 0,
                    MaxSize: 0,
                    DesiredCapacity: 0,
                },
            },
        );
    }
    if (args.quietAlarms) {
        calls.push(
            {
                name: "silence-alarms",
                action: "cloudwatch:disableAlarmActions",
                cron: cron(stop, days),
                input: { AlarmNames: args.quietAlarms.names },
            },
            {
                name: "wake-alarms",
                action: "cloudwatch:enableAlarmActions",
                cron: cron(Math.min(start + ALARMS_WAKE_MINUTES, 23 * 60 + 59), days),
                input: { AlarmNames: args.quietAlarms.names },
            },
        );
    }
    return calls;
}

/**
 * A stack that sleeps outside working hours: EventBridge Scheduler schedules in the stack's time
 * zone (daylight saving followed) calling the AWS SDK directly, through a role allowed exactly
 * those calls on exactly these resources. RDS starts a stopped instance by itself after 7 days;
 * the next scheduled stop puts it back to sleep. The directory cannot be stopped.
 */
export class WorkingHoursSchedule extends pulumi.ComponentResource {
    public readonly groupName: string;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: WorkingHoursArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:governance:WorkingHoursSchedule", name, {}, opts);
        const parent = { parent: this };
        this.groupName = `${args.namePrefix}-working-hours`;
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const arn = (service: string, resource: pulumi.Input<string>) =>
            pulumi.interpolate`arn:${partition.partition}:${service}:${args.region}:${identity.accountId}:${resource}`;

        const group = new aws.scheduler.ScheduleGroup(
            `${name}-group`,
            { name: this.groupName, tags: { Name: this.groupName } },
            parent,
        );
        const calls = scheduledCalls(args);
        // What each call touches, for the role's policy.
        const resources: Record<string, pulumi.Input<string>[]> = {
            "rds:startDBInstance": [
                arn("rds", pulumi.interpolate`db:${args.dbInstanceIdentifier}`),
            ],
            "rds:stopDBInstance": [arn("rds", pulumi.interpolate`db:${args.dbInstanceIdentifier}`)],
            "ec2:startInstances": (args.instanceIds ?? []).map((id) =>
                arn("ec2", pulumi.interpolate`instance/${id}`),
            ),
            "ec2:stopInstances": (args.instanceIds ?? []).map((id) =>
                arn("ec2", pulumi.interpolate`instance/${id}`),
            ),
            // The groups' own ARNs (they carry an id AWS assigns): these two groups, no other.
            "autoscaling:updateAutoScalingGroup": (args.autoScalingGroups ?? []).map((g) => g.arn),
            "cloudwatch:disableAlarmActions": args.quietAlarms?.arns ?? [],
            "cloudwatch:enableAlarmActions": args.quietAlarms?.arns ?? [],
        };
        const actions = [...new Set(calls.map((c) => c.action))].sort();
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `EventBridge Scheduler stops and starts ${args.namePrefix} outside working hours`,
                // Scheduler assumes the role as the schedule GROUP (its confused-deputy page, cited
                // in lib/trust.ts): a condition on schedule ARNs would match no call at all.
                assumeRolePolicy: serviceTrustPolicy(
                    "scheduler.amazonaws.com",
                    identity.accountId,
                    pulumi
                        .all([partition.partition, identity.accountId])
                        .apply(([p, account]) =>
                            scheduleGroupArn(p, args.region, account, this.groupName),
                        ),
                    "ArnEquals",
                ),
                tags: { Name: this.groupName },
            },
            parent,
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: actions.map((action) => ({
                        Sid: iamAction(action).replace(/[^A-Za-z0-9]/g, ""),
                        Effect: "Allow",
                        Action: [iamAction(action)],
                        Resource: resources[action],
                    })),
                }),
            },
            parent,
        );
        for (const call of calls) {
            new aws.scheduler.Schedule(
                `${name}-${call.name}`,
                {
                    name: call.name,
                    groupName: group.name,
                    description: `${call.action} for ${args.namePrefix}`,
                    scheduleExpression: call.cron,
                    scheduleExpressionTimezone: args.hours.timeZone,
                    flexibleTimeWindow: { mode: "OFF" },
                    target: {
                        arn: pulumi.interpolate`arn:${partition.partition}:scheduler:::aws-sdk:${call.action}`,
                        roleArn: role.arn,
                        input: pulumi.jsonStringify(call.input),
                        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
                    },
                },
                { parent: this, dependsOn: [policy] },
            );
        }
        this.roleArn = role.arn;
        this.registerOutputs({ groupName: this.groupName, roleArn: this.roleArn });
    }
}
