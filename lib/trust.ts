import * as pulumi from "@pulumi/pulumi";

/**
 * A role trust policy for one AWS service that may assume the role only on behalf of this
 * account's resources matching `sourceArn`: the confused-deputy guard the policy pack's
 * `iam-trust-no-confused-deputy` requires of every service principal but EC2 and Lambda.
 */
export function serviceTrustPolicy(
    service: string,
    accountId: pulumi.Input<string>,
    sourceArn: pulumi.Input<string>,
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
                    ArnLike: { "aws:SourceArn": sourceArn },
                },
            },
        ],
    });
}
