import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { autoScalingRoleSuffix, dataKeyAlias, dataKeyPolicy } from "./keyPolicy";

/** The roles that use the key, known once the compute and data tiers have declared them. */
export interface DataKeyUsers {
    /** Roles that read the stack's secrets through Secrets Manager (hosts, role bootstrap). */
    readonly secretReaderRoleArns: pulumi.Input<string>[];
    /** Roles that read and write the uploads bucket through S3 (the web hosts). */
    readonly uploadsRoleArns: pulumi.Input<string>[];
    /** The uploads bucket's ARN (the S3 encryption context with a Bucket Key). */
    readonly uploadsBucketArn: pulumi.Input<string>;
}

export interface DataKeyArgs {
    /** Prefix for the alias, the service-linked role's suffix and `Name` tags, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The region of the key and of the services it names (eu-west-2). Required. */
    readonly region: string;
    /**
     * Pulumi `protect` and a 30-day deletion window (data under the key is unreadable without
     * it); otherwise 7 days, KMS's shortest. Required.
     */
    readonly protect: boolean;
    /**
     * The stack launches hosts through Auto Scaling (the load-balanced tier): a service-linked
     * role of the stack's own is created for its groups, and the key policy names it. Required.
     */
    readonly autoScaling: boolean;
    /**
     * The roles that use the key. Usually a deferred output (`pulumi.deferredOutput`) resolved
     * once the roles are declared: the secrets and volumes those tiers declare need the key's ARN
     * first, while KMS refuses a policy naming a role that does not exist yet. Required.
     */
    readonly users: pulumi.Input<DataKeyUsers>;
}

/**
 * The stack's customer-managed KMS key for data at rest (config `encryptionKey:
 * customer-managed`): symmetric, rotated yearly by KMS, named `alias/<prefix>-data`, with a key
 * policy that lets the account administer it through IAM and lets each service and role use it
 * only for this stack's data (security/keyPolicy.ts). In the load-balanced tier it also creates
 * the stack's own Auto Scaling service-linked role (`AWSServiceRoleForAutoScaling_<prefix>`), so
 * the key policy can name a role that exists before the key (a new account has no default one
 * until its first group) and that launches this stack's groups only.
 */
export class DataKey extends pulumi.ComponentResource {
    public readonly keyArn: pulumi.Output<string>;
    public readonly aliasName: string;
    /** The service-linked role the stack's Auto Scaling groups launch with (autoScaling only). */
    public readonly autoScalingRoleArn?: pulumi.Output<string>;

    constructor(name: string, args: DataKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:security:DataKey", name, {}, opts);
        const parent = { parent: this };
        this.aliasName = dataKeyAlias(args.namePrefix);
        const partition = aws.getPartitionOutput({}, parent).partition;
        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;

        const autoScalingRole = args.autoScaling
            ? new aws.iam.ServiceLinkedRole(
                  `${name}-autoscaling-role`,
                  {
                      awsServiceName: "autoscaling.amazonaws.com",
                      customSuffix: autoScalingRoleSuffix(args.namePrefix),
                      description: `Launches ${args.namePrefix}'s Auto Scaling groups (volumes under its data key)`,
                      tags: { Name: `${args.namePrefix}-autoscaling` },
                  },
                  parent,
              )
            : undefined;

        const users = pulumi.output(args.users);
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Encrypts ${args.namePrefix}'s data at rest (database, secrets, volumes, uploads, logs, Redis, alarm topic)`,
                // Symmetric (the default spec): the only kind EBS, RDS, S3, SNS and Logs accept.
                keyUsage: "ENCRYPT_DECRYPT",
                enableKeyRotation: true,
                deletionWindowInDays: args.protect ? 30 : 7,
                policy: pulumi
                    .all([
                        partition,
                        accountId,
                        users.secretReaderRoleArns,
                        users.uploadsRoleArns,
                        users.uploadsBucketArn,
                        autoScalingRole?.arn,
                    ])
                    .apply(
                        ([
                            p,
                            account,
                            secretReaders,
                            uploadsRoles,
                            bucketArn,
                            autoScalingRoleArn,
                        ]) =>
                            JSON.stringify(
                                dataKeyPolicy({
                                    partition: p,
                                    region: args.region,
                                    accountId: account,
                                    namePrefix: args.namePrefix,
                                    secretReaderRoleArns: [...new Set(secretReaders)].sort(),
                                    uploadsRoleArns: [...new Set(uploadsRoles)].sort(),
                                    uploadsBucketArn: bucketArn,
                                    autoScalingRoleArn,
                                }),
                            ),
                    ),
                tags: { Name: `${args.namePrefix}-data` },
            },
            { parent: this, protect: args.protect },
        );
        new aws.kms.Alias(
            `${name}-alias`,
            { name: this.aliasName, targetKeyId: key.keyId },
            parent,
        );

        this.keyArn = key.arn;
        this.autoScalingRoleArn = autoScalingRole?.arn;
        this.registerOutputs({
            keyArn: this.keyArn,
            aliasName: this.aliasName,
            autoScalingRoleArn: this.autoScalingRoleArn,
        });
    }
}
