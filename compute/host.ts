import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The public SSM parameter AWS keeps pointed at the newest Amazon Linux 2023 x86_64 AMI. */
export const AL2023_AMI_PARAMETER =
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

/**
 * What Session Manager needs of an instance, and nothing else. AWS's AmazonSSMManagedInstanceCore
 * also grants ssm:GetParameter(s) on every parameter of the account (an internet-facing host could
 * read all of Parameter Store) and the Run Command, inventory and patching APIs; the hosts use none.
 */
export function sessionManagerStatements(
    partition: pulumi.Input<string>,
    region: pulumi.Input<string>,
    accountId: pulumi.Input<string>,
): PolicyStatement[] {
    return [
        {
            Sid: "RegisterWithSessionManager",
            Effect: "Allow",
            Action: ["ssm:UpdateInstanceInformation"],
            Resource: [pulumi.interpolate`arn:${partition}:ec2:${region}:${accountId}:instance/*`],
        },
        {
            // The session channels take no resource-level scoping.
            Sid: "OpenSessionChannels",
            Effect: "Allow",
            Action: [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            Resource: "*",
        },
    ];
}

/** An IAM policy statement; `Action` is always an explicit list. */
export interface PolicyStatement {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Action: string[];
    readonly Resource: pulumi.Input<string> | pulumi.Input<string>[];
    readonly Condition?: Record<string, Record<string, string>>;
}

/** The stack's data key as the hosts use it (config `encryptionKey: customer-managed`). */
export interface HostEncryption {
    /** The key for the hosts' log groups and root volumes. */
    readonly keyArn: pulumi.Input<string>;
    /** The stack's Auto Scaling service-linked role, which the key's policy names (fleets only). */
    readonly autoScalingRoleArn?: pulumi.Input<string>;
}

/** What every portal host has, one or a fleet of them: a role, its policy and profile, a log group. */
export interface HostIdentityArgs {
    /** Prefix for names and `Name` tags, e.g. "ai-portal-dev". */
    readonly namePrefix: string;
    /** Short role name used in names: "web" or "gateway". */
    readonly role: string;
    /** Retention of the host's log group, in days. Required. */
    readonly logRetentionDays: number;
    /** What this host may do beyond Session Manager and writing its own logs. */
    readonly statements: PolicyStatement[];
    /**
     * The stack's data key (security/dataKey.ts) for the log group and the root volumes.
     * Defaults to the AWS-managed keys (CloudWatch Logs' own encryption, `aws/ebs`).
     */
    readonly encryptionKeyArn?: pulumi.Input<string>;
}

export interface HostIdentity {
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly role: aws.iam.Role;
    readonly policy: aws.iam.RolePolicy;
    readonly profile: aws.iam.InstanceProfile;
}

/**
 * Declares a host's log group (`/<prefix>/<role>`), its role (Session Manager without Parameter
 * Store, its own logs, and exactly `statements`) and instance profile, as children of `parent`,
 * named `<name>-logs`, `-role`, `-policy` and `-profile`.
 */
export function declareHostIdentity(
    name: string,
    args: HostIdentityArgs,
    parent: pulumi.Resource,
): HostIdentity {
    const opts = { parent };
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        {
            name: `/${args.namePrefix}/${args.role}`,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: args.encryptionKeyArn,
            tags: { Name: `${args.namePrefix}-${args.role}` },
        },
        opts,
    );
    const partition = aws.getPartitionOutput({}, opts);
    const region = aws.getRegionOutput({}, opts);
    const identity = aws.getCallerIdentityOutput({}, opts);
    const role = new aws.iam.Role(
        `${name}-role`,
        {
            description: `Instance role of the ${args.role} host (${args.namePrefix})`,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "ec2.amazonaws.com" },
                        Action: "sts:AssumeRole",
                    },
                ],
            }),
            tags: { Name: `${args.namePrefix}-${args.role}` },
        },
        opts,
    );
    const statements: PolicyStatement[] = [
        ...sessionManagerStatements(partition.partition, region.region, identity.accountId),
        {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [pulumi.interpolate`${logGroup.arn}:*`],
        },
        ...args.statements,
    ];
    const policy = new aws.iam.RolePolicy(
        `${name}-policy`,
        {
            role: role.id,
            policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }),
        },
        opts,
    );
    const profile = new aws.iam.InstanceProfile(
        `${name}-profile`,
        { role: role.name, tags: { Name: `${args.namePrefix}-${args.role}` } },
        opts,
    );
    return { logGroup, role, policy, profile };
}

/** IMDSv2 only; hop limit 2 so the host's containers reach the instance role, and no further. */
export const METADATA_OPTIONS = {
    httpEndpoint: "enabled",
    httpTokens: "required",
    httpPutResponseHopLimit: 2,
    instanceMetadataTags: "disabled",
} as const;

export interface HostArgs extends HostIdentityArgs {
    /** What runs on the host, for the role's description. Required. */
    readonly description: string;
    /** The subnet the host runs in. Required. */
    readonly subnetId: pulumi.Input<string>;
    /** Its security groups. Required. */
    readonly securityGroupIds: pulumi.Input<string>[];
    /** EC2 instance type. Required. */
    readonly instanceType: string;
    /** Size of the encrypted gp3 root volume in GiB. Required. */
    readonly rootVolumeGb: number;
    /** A pinned AMI; when undefined the current AL2023 AMI is used at creation and then kept. */
    readonly amiId?: string;
    /** Only the web host gets a public address (it is then replaced by its Elastic IP). */
    readonly publicAddress: boolean;
    /** An EC2 key pair for SSH. Defaults to none (Session Manager is the way in). */
    readonly keyName?: string;
    /** The boot script, run at every boot. Required. */
    readonly userData: pulumi.Input<string>;
    /** Resources that must be complete before the instance boots (its boot script uses them). */
    readonly waitFor?: pulumi.Resource[];
}

/**
 * One EC2 host as both portal hosts run: Amazon Linux 2023, IMDSv2 only (hop limit 2 so its
 * containers reach the instance role), an encrypted gp3 root volume, a role of its own with
 * Session Manager (and no more of SSM) and exactly the statements given, and a log group for its
 * containers.
 *
 * The AMI comes from the public SSM parameter when the host is created; later releases do not
 * replace it (`ignoreChanges`). Rolling a host to a new AMI is deliberate: pin `amiId`.
 */
export class Host extends pulumi.ComponentResource {
    public readonly instanceId: pulumi.Output<string>;
    public readonly privateIp: pulumi.Output<string>;
    public readonly roleName: pulumi.Output<string>;
    /** The instance role's ARN (the data key's policy names it). */
    public readonly roleArn: pulumi.Output<string>;
    public readonly logGroupName: string;

    constructor(name: string, args: HostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:compute:Host", name, {}, opts);
        const parent = { parent: this };
        this.logGroupName = `/${args.namePrefix}/${args.role}`;

        const { logGroup, role, policy, profile } = declareHostIdentity(name, args, this);

        const ami =
            args.amiId ?? aws.ssm.getParameterOutput({ name: AL2023_AMI_PARAMETER }, parent).value;
        const instance = new aws.ec2.Instance(
            `${name}-instance`,
            {
                ami,
                instanceType: args.instanceType,
                subnetId: args.subnetId,
                vpcSecurityGroupIds: args.securityGroupIds,
                associatePublicIpAddress: args.publicAddress,
                iamInstanceProfile: profile.name,
                keyName: args.keyName,
                metadataOptions: METADATA_OPTIONS,
                rootBlockDevice: {
                    volumeType: "gp3",
                    volumeSize: args.rootVolumeGb,
                    encrypted: true,
                    kmsKeyId: args.encryptionKeyArn,
                    deleteOnTermination: true,
                },
                userData: args.userData,
                // A changed boot script is applied by a stop/start (the script runs at every boot).
                userDataReplaceOnChange: false,
                // Read by the policy pack: only an instance declared public may have a public address.
                tags: {
                    Name: `${args.namePrefix}-${args.role}`,
                    Exposure: args.publicAddress ? "public" : "private",
                },
            },
            {
                parent: this,
                // The role's permissions must exist before the boot script uses them; so must
                // whatever the caller names (set on the instance itself, not only on this component).
                dependsOn: [policy, logGroup, ...(args.waitFor ?? [])],
                // Unpinned, a new AL2023 release must not replace a running host. A root volume's
                // key is fixed at launch (a new key replaces the host): a host keeps the key it was
                // launched with when the stack moves to its own key (README, "Encryption keys").
                ignoreChanges: [...(args.amiId ? [] : ["ami"]), "rootBlockDevice.kmsKeyId"],
            },
        );

        this.instanceId = instance.id;
        this.privateIp = instance.privateIp;
        this.roleName = role.name;
        this.roleArn = role.arn;
        this.registerOutputs({
            instanceId: this.instanceId,
            privateIp: this.privateIp,
            roleName: this.roleName,
            roleArn: this.roleArn,
            logGroupName: this.logGroupName,
        });
    }
}
