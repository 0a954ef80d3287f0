/**
 * The key policy of a stack's data key (security/dataKey.ts), as a pure function of plain values:
 * who administers the key, and which AWS services and roles of this stack may use it, each only
 * through the service that needs it. Every statement follows the page of the service it serves:
 *
 * - Administration: the account root with `kms:*`, the first statement of the default key policy,
 *   which lets IAM policies (the deploy roles') govern the key; without it nobody could manage the
 *   key but by an AWS support case. KMS Developer Guide, "Default key policy":
 *   https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 * - CloudWatch Logs: the regional logs service principal, for log groups of this stack only
 *   (`kms:EncryptionContext:aws:logs:arn`). CloudWatch Logs User Guide, "Encrypt log data in
 *   CloudWatch Logs using AWS KMS", step 2:
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 * - Secrets Manager: GetSecretValue decrypts with the caller's permission on the key, through
 *   Secrets Manager (`kms:ViaService`). Secrets Manager User Guide, "Secret encryption and
 *   decryption" (key policy statements, `kms:ViaService`):
 *   https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 * - S3 (the uploads bucket, SSE-KMS with an S3 Bucket Key): GetObject needs kms:Decrypt and
 *   PutObject kms:GenerateDataKey, through S3; with a Bucket Key the encryption context is the
 *   bucket's ARN. S3 User Guide, "Using server-side encryption with AWS KMS keys" and "Reducing
 *   the cost of SSE-KMS with Amazon S3 Bucket Keys" (encryption context):
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html,
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
 * - The alarm topic (SNS SSE): a publishing AWS service needs kms:GenerateDataKey* and
 *   kms:Decrypt. SNS Developer Guide, "Key management", "Enable compatibility between event
 *   sources from AWS services and encrypted topics":
 *   https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html ; CloudWatch alarms
 *   (`cloudwatch.amazonaws.com`, CloudWatch User Guide, "Using Amazon CloudWatch alarms",
 *   encrypted topics) and AWS Budgets (`budgets.amazonaws.com`, Cost Management User Guide,
 *   "Creating an Amazon SNS topic for budget notifications"), each for this account's alarms or
 *   budgets only (`aws:SourceAccount`, `aws:SourceArn`, as the topic policy in operations/).
 * - EC2 Auto Scaling launching hosts with volumes under the key: its service-linked role needs
 *   the key's use and `kms:CreateGrant` for AWS resources. EC2 Auto Scaling User Guide,
 *   "Required AWS KMS key policy for use with encrypted volumes" (example 1):
 *   https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
 *
 * RDS, ElastiCache and EBS for a single instance use the key through grants the deploying
 * principal creates: the administration statement (IAM) covers them, as those services' pages
 * describe for same-account keys.
 */

/** One key policy statement. */
export interface KeyStatement {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Principal: { readonly AWS: string | string[] } | { readonly Service: string };
    readonly Action: string | string[];
    readonly Resource: "*";
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface KeyPolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly KeyStatement[];
}

/** What the key policy is built from: plain values, known once the roles exist. */
export interface DataKeyPolicyFacts {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    /** The stack's name prefix ("ai-portal-prod"): its log groups' names start with it. */
    readonly namePrefix: string;
    /** Roles that read the stack's secrets (the hosts, the database role bootstrap). */
    readonly secretReaderRoleArns: readonly string[];
    /** Roles that read and write the uploads bucket (the web hosts). */
    readonly uploadsRoleArns: readonly string[];
    /** The uploads bucket's ARN. */
    readonly uploadsBucketArn: string;
    /** The Auto Scaling service-linked role that launches the fleets; undefined without fleets. */
    readonly autoScalingRoleArn?: string;
}

/**
 * The log groups of a stack, as CloudWatch Logs names them in the encryption context: its own
 * (`/<prefix>/...`: hosts, flow log), the database's exports and the role bootstrap's function.
 */
export function stackLogGroupArnPatterns(
    facts: Pick<DataKeyPolicyFacts, "partition" | "region" | "accountId" | "namePrefix">,
): string[] {
    const groups = `arn:${facts.partition}:logs:${facts.region}:${facts.accountId}:log-group:`;
    return [
        `${groups}/${facts.namePrefix}/*`,
        `${groups}/aws/rds/instance/${facts.namePrefix}-postgres/*`,
        `${groups}/aws/lambda/${facts.namePrefix}-*`,
    ];
}

/** What an AWS service publishing to an encrypted topic needs (SNS key management page). */
const PUBLISH_TO_ENCRYPTED_TOPIC = ["kms:GenerateDataKey*", "kms:Decrypt"];

/** The data key's policy. Pure. */
export function dataKeyPolicy(facts: DataKeyPolicyFacts): KeyPolicyDocument {
    const { partition: p, region, accountId } = facts;
    const sourceAccount = { "aws:SourceAccount": accountId };
    const statements: KeyStatement[] = [
        {
            Sid: "AccountAdministersTheKey",
            Effect: "Allow",
            Principal: { AWS: `arn:${p}:iam::${accountId}:root` },
            Action: "kms:*",
            Resource: "*",
        },
        {
            Sid: "LogsEncryptThisStacksGroups",
            Effect: "Allow",
            Principal: { Service: `logs.${region}.amazonaws.com` },
            Action: [
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            Resource: "*",
            Condition: {
                ArnLike: { "kms:EncryptionContext:aws:logs:arn": stackLogGroupArnPatterns(facts) },
            },
        },
        {
            Sid: "RolesReadSecretsThroughSecretsManager",
            Effect: "Allow",
            Principal: { AWS: [...facts.secretReaderRoleArns] },
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: {
                StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` },
            },
        },
        {
            Sid: "WebHostsUseUploadsThroughS3",
            Effect: "Allow",
            Principal: { AWS: [...facts.uploadsRoleArns] },
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: "*",
            Condition: {
                StringEquals: {
                    "kms:ViaService": `s3.${region}.amazonaws.com`,
                    "kms:EncryptionContext:aws:s3:arn": facts.uploadsBucketArn,
                },
            },
        },
        {
            Sid: "CloudWatchAlarmsPublishToTheEncryptedTopic",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: PUBLISH_TO_ENCRYPTED_TOPIC,
            Resource: "*",
            Condition: {
                StringEquals: sourceAccount,
                ArnLike: { "aws:SourceArn": `arn:${p}:cloudwatch:${region}:${accountId}:alarm:*` },
            },
        },
        {
            Sid: "BudgetsPublishToTheEncryptedTopic",
            Effect: "Allow",
            Principal: { Service: "budgets.amazonaws.com" },
            Action: PUBLISH_TO_ENCRYPTED_TOPIC,
            Resource: "*",
            Condition: {
                StringEquals: sourceAccount,
                ArnLike: { "aws:SourceArn": `arn:${p}:budgets::${accountId}:*` },
            },
        },
    ];
    if (facts.autoScalingRoleArn) {
        statements.push(
            {
                Sid: "AutoScalingUsesTheKeyForVolumes",
                Effect: "Allow",
                Principal: { AWS: facts.autoScalingRoleArn },
                Action: [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:DescribeKey",
                ],
                Resource: "*",
            },
            {
                Sid: "AutoScalingAttachesVolumes",
                Effect: "Allow",
                Principal: { AWS: facts.autoScalingRoleArn },
                Action: "kms:CreateGrant",
                Resource: "*",
                Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
            },
        );
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** The alias of a stack's data key (KMS CreateAlias: `alias/` then `[a-zA-Z0-9:/_-]`, not `alias/aws/`). */
export function dataKeyAlias(namePrefix: string): string {
    return `alias/${namePrefix}-data`;
}

/**
 * The suffix of the stack's own Auto Scaling service-linked role
 * (`AWSServiceRoleForAutoScaling_<suffix>`; IAM CreateServiceLinkedRole: 1-64 of `[\w+=,.@-]`).
 */
export function autoScalingRoleSuffix(namePrefix: string): string {
    return namePrefix;
}
