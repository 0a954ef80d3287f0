import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { InvocationLogging as Level } from "../config/governance";
import { serviceTrustPolicy } from "../lib/trust";

export interface InvocationLoggingArgs {
    /** Prefix for names, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** metadata (who, which model, when, tokens) or full (prompts and completions too). Required. */
    readonly level: Exclude<Level, "off">;
    /** Days the log is kept (the stack's log retention). Required. */
    readonly retentionDays: number;
    /** The region whose setting this is (eu-west-2). Required. */
    readonly region: string;
}

/**
 * Bedrock model invocation logging, for audit. It is ONE setting per account and region: it
 * records every Bedrock call there, not only the portal's (config makes one stack own it). Logs
 * go to a dedicated log group encrypted with a key of its own, kept for the stack's retention,
 * written by a role only Bedrock of this account may assume and only into that group. With
 * `metadata` the request and response bodies (prompts and completions) are not delivered.
 */
export class InvocationLogging extends pulumi.ComponentResource {
    public readonly logGroupName: string;

    constructor(name: string, args: InvocationLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:governance:InvocationLogging", name, {}, opts);
        const parent = { parent: this };
        this.logGroupName = `/${args.namePrefix}/bedrock-invocations`;
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const logGroupArn = pulumi.interpolate`arn:${partition.partition}:logs:${args.region}:${identity.accountId}:log-group:${this.logGroupName}`;

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Encrypts ${this.logGroupName} (Bedrock invocation logs)`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "AccountAdministersTheKey",
                            Effect: "Allow",
                            Principal: {
                                AWS: pulumi.interpolate`arn:${partition.partition}:iam::${identity.accountId}:root`,
                            },
                            Action: "kms:*",
                            Resource: "*",
                        },
                        {
                            Sid: "LogsEncryptThisGroupOnly",
                            Effect: "Allow",
                            Principal: { Service: `logs.${args.region}.amazonaws.com` },
                            Action: [
                                "kms:Encrypt",
                                "kms:Decrypt",
                                "kms:ReEncrypt*",
                                "kms:GenerateDataKey*",
                                "kms:Describe*",
                            ],
                            Resource: "*",
                            Condition: {
                                ArnEquals: { "kms:EncryptionContext:aws:logs:arn": logGroupArn },
                            },
                        },
                    ],
                }),
                tags: { Name: `${args.namePrefix}-bedrock-invocations` },
            },
            parent,
        );
        const group = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            {
                name: this.logGroupName,
                retentionInDays: args.retentionDays,
                kmsKeyId: key.arn,
                tags: { Name: `${args.namePrefix}-bedrock-invocations` },
            },
            parent,
        );
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "Bedrock writes model invocation logs to its log group",
                // The shape Bedrock's invocation-logging page gives for a CloudWatch Logs
                // destination's role (arn:<p>:bedrock:<region>:<account>:*; see lib/trust.ts).
                assumeRolePolicy: serviceTrustPolicy(
                    "bedrock.amazonaws.com",
                    identity.accountId,
                    pulumi.interpolate`arn:${partition.partition}:bedrock:${args.region}:${identity.accountId}:*`,
                ),
                tags: { Name: `${args.namePrefix}-bedrock-invocations` },
            },
            parent,
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "WriteInvocationLogs",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Resource: [pulumi.interpolate`${group.arn}:log-stream:*`],
                        },
                    ],
                }),
            },
            parent,
        );
        const full = args.level === "full";
        // Bedrock checks the role can write to the group when the setting is put; a role and policy
        // created seconds earlier may not have propagated yet. The provider retries exactly that
        // error ("ValidationException: Failed to validate permissions for log group") for two
        // minutes on create and update (terraform-provider-aws internal/service/bedrock/
        // model_invocation_logging_configuration.go, propagationTimeout in consts.go), so no
        // fixed wait (time.Sleep) is declared; dependsOn starts that retry only once the policy
        // exists, so it covers propagation alone.
        new aws.bedrockmodel.InvocationLoggingConfiguration(
            `${name}-configuration`,
            {
                loggingConfig: {
                    cloudwatchConfig: { logGroupName: group.name, roleArn: role.arn },
                    // metadata: no bodies (prompts, completions, images, embeddings) are delivered.
                    textDataDeliveryEnabled: full,
                    imageDataDeliveryEnabled: full,
                    embeddingDataDeliveryEnabled: full,
                    videoDataDeliveryEnabled: full,
                },
            },
            { parent: this, dependsOn: [policy] },
        );
        this.registerOutputs({ logGroupName: this.logGroupName });
    }
}
