import * as pulumi from "@pulumi/pulumi";

/**
 * How a trust policy matches `aws:SourceArn`: `ArnEquals` for the one resource a service's page
 * names exactly, `ArnLike` where the page allows a wildcard for a part unknown in advance.
 */
export type SourceArnMatch = "ArnEquals" | "ArnLike";

/**
 * A role trust policy for one AWS service that may assume the role only on behalf of this
 * account's resources matching `sourceArn`: the confused-deputy guard the policy pack's
 * `iam-trust-no-confused-deputy` requires of every service principal but EC2 and Lambda.
 *
 * `sourceArn` must be the ARN the service itself presents when it assumes the role, as its own
 * confused-deputy page says; IAM does not check the shape, and a wrong one fails closed at run
 * time (the service cannot assume the role), which no emulator here evaluates. The pages:
 * - EventBridge Scheduler: the schedule GROUP's ARN, never a schedule or a name prefix
 *   (`scheduleGroupArn`): https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
 * - VPC Flow Logs: the flow log's ARN, `arn:<p>:ec2:<region>:<account>:vpc-flow-log/<id>`, the id
 *   may be a wildcard: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 * - Bedrock model invocation logging (CloudWatch Logs destination): `arn:<p>:bedrock:<region>:<account>:*`:
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html
 */
export function serviceTrustPolicy(
    service: string,
    accountId: pulumi.Input<string>,
    sourceArn: pulumi.Input<string>,
    match: SourceArnMatch = "ArnLike",
): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId },
                    [match]: { "aws:SourceArn": sourceArn },
                },
            },
        ],
    });
}

/**
 * The ARN EventBridge Scheduler presents as `aws:SourceArn` when a schedule of `group` assumes
 * its execution role (the Scheduler page above; also the Service Authorization Reference's
 * `schedule-group` resource type). Pure.
 */
export function scheduleGroupArn(
    partition: string,
    region: string,
    accountId: string,
    group: string,
): string {
    return `arn:${partition}:scheduler:${region}:${accountId}:schedule-group/${group}`;
}
