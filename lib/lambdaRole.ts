import * as pulumi from "@pulumi/pulumi";

/** The trust policy of a Lambda function's execution role (Lambda has no source ARN to pin). */
export const LAMBDA_TRUST_POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
        {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
        },
    ],
});

/**
 * What a VPC-attached function needs to exist and log: writes to its own log group, and Lambda's
 * VPC attachment (what AWSLambdaVPCAccessExecutionRole grants) with the writes scoped to this
 * account and region. Lambda checks the VPC rights when it creates the function.
 */
export function vpcFunctionStatements(args: {
    readonly logGroupArn: pulumi.Input<string>;
    readonly partition: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
}): object[] {
    return [
        {
            Sid: "WriteItsLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [pulumi.interpolate`${args.logGroupArn}:*`],
        },
        {
            Sid: "AttachToTheVpc",
            Effect: "Allow",
            Action: [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            Resource: ["network-interface/*", "subnet/*", "security-group/*"].map(
                (kind) =>
                    pulumi.interpolate`arn:${args.partition}:ec2:${args.region}:${args.accountId}:${kind}`,
            ),
        },
        {
            // Describe calls take no resource-level scoping.
            Sid: "SeeTheVpc",
            Effect: "Allow",
            Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            Resource: "*",
        },
    ];
}
