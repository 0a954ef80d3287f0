import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GUARDRAIL_NAMESPACE } from "../governance/dashboard";

/**
 * How far above its learned band the interventions must climb (standard deviations): wide
 * enough that an ordinary busy hour does not page anyone.
 */
export const INTERVENTION_BAND_WIDTH = 3;
/** Five-minute periods: a rise must last three of them (15 minutes) to alarm. */
export const INTERVENTION_PERIOD_SECONDS = 300;
export const INTERVENTION_EVALUATION_PERIODS = 3;

export interface GuardrailAlarmArgs {
    /** Prefix for the alarm's name, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The guardrail and the version whose interventions are watched. Required. */
    readonly guardrailArn: pulumi.Input<string>;
    readonly guardrailVersion: pulumi.Input<string>;
    /** The stack's alarm topic (operations). Required. */
    readonly topicArn: pulumi.Input<string>;
}

/**
 * An alarm on a sudden rise in the guardrail's interventions: CloudWatch anomaly detection learns
 * the usual pattern of InvocationsIntervened (AWS/Bedrock/Guardrails, by GuardrailArn and
 * GuardrailVersion) and the alarm fires when three five-minute sums in a row sit above the band:
 * someone probing the portal, a prompt-injection campaign in shared documents, or a policy change
 * that blocks ordinary work. Missing data (no calls) is not breaching. The band needs a few days'
 * data before it is tight; until then it is wide.
 */
export class GuardrailAlarm extends pulumi.ComponentResource {
    public readonly alarmName: pulumi.Output<string>;

    constructor(name: string, args: GuardrailAlarmArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:operations:GuardrailAlarm", name, {}, opts);
        const alarm = new aws.cloudwatch.MetricAlarm(
            `${name}-alarm`,
            {
                name: `${args.namePrefix}-guardrail-interventions`,
                alarmDescription:
                    "The Bedrock guardrail intervenes far more often than usual (anomaly band): probing, a prompt-injection campaign, or a policy that blocks ordinary work",
                comparisonOperator: "GreaterThanUpperThreshold",
                evaluationPeriods: INTERVENTION_EVALUATION_PERIODS,
                datapointsToAlarm: INTERVENTION_EVALUATION_PERIODS,
                thresholdMetricId: "band",
                treatMissingData: "notBreaching",
                metricQueries: [
                    {
                        id: "interventions",
                        returnData: true,
                        metric: {
                            namespace: GUARDRAIL_NAMESPACE,
                            metricName: "InvocationsIntervened",
                            dimensions: {
                                GuardrailArn: args.guardrailArn,
                                GuardrailVersion: args.guardrailVersion,
                            },
                            period: INTERVENTION_PERIOD_SECONDS,
                            stat: "Sum",
                        },
                    },
                    {
                        id: "band",
                        expression: `ANOMALY_DETECTION_BAND(interventions, ${INTERVENTION_BAND_WIDTH})`,
                        label: "usual interventions",
                        returnData: true,
                    },
                ],
                alarmActions: [args.topicArn],
                okActions: [args.topicArn],
                tags: { Name: `${args.namePrefix}-guardrail-interventions` },
            },
            { parent: this },
        );
        this.alarmName = alarm.name;
        this.registerOutputs({ alarmName: this.alarmName });
    }
}
