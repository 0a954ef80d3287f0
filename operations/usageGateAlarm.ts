import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { USAGE_GATE_NAMESPACE } from "../governance/dashboard";

/** One five-minute sum: a call let through unmetered is worth a look within minutes. */
export const FAIL_OPEN_PERIOD_SECONDS = 300;

export interface UsageGateAlarmArgs {
    /** Prefix for the alarm's name, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The stack's name: the gate's metrics' Stack dimension (GATE_STACK). Required. */
    readonly stack: string;
    /** The stack's alarm topic (operations). Required. */
    readonly topicArn: pulumi.Input<string>;
}

/**
 * An alarm on the usage gate letting calls through without reading usage (`FailOpen`, summed over
 * every model and group: the gate's metric by Stack alone, gate/metrics.ts): its database is
 * unreachable, so limits are not being enforced (usageGateFailMode open; the account's budgets
 * still bound spend). Any such call in five minutes alarms; no calls (missing data) is not breaching.
 */
export class UsageGateAlarm extends pulumi.ComponentResource {
    public readonly alarmName: pulumi.Output<string>;

    constructor(name: string, args: UsageGateAlarmArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:operations:UsageGateAlarm", name, {}, opts);
        const alarm = new aws.cloudwatch.MetricAlarm(
            `${name}-fail-open`,
            {
                name: `${args.namePrefix}-usage-gate-fail-open`,
                alarmDescription:
                    "The usage gate let calls through without reading usage (its database is unreachable): per-person limits are not enforced until it recovers",
                namespace: USAGE_GATE_NAMESPACE,
                metricName: "FailOpen",
                // This stack's gates only: stacks that share an account share the namespace.
                dimensions: { Stack: args.stack },
                statistic: "Sum",
                period: FAIL_OPEN_PERIOD_SECONDS,
                evaluationPeriods: 1,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [args.topicArn],
                okActions: [args.topicArn],
                tags: { Name: `${args.namePrefix}-usage-gate-fail-open` },
            },
            { parent: this },
        );
        this.alarmName = alarm.name;
        this.registerOutputs({ alarmName: this.alarmName });
    }
}
