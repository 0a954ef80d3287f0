/**
 * The CI roles' IAM documents, as pure functions: the trust of each GitHub environment's role and
 * the permissions of the preview role (read configuration, never data) and of the two deploy roles.
 * Tested without the Pulumi runtime by a small IAM evaluator (tests/ci-access/).
 *
 * Facts these documents rest on:
 * - GitHub's OIDC token for a job that runs in an environment has `sub` =
 *   `repo:<owner>/<repo>:environment:<name>` and, with aws-actions/configure-aws-credentials,
 *   `aud` = `sts.amazonaws.com` (GitHub, "OpenID Connect reference" and "Configuring OpenID
 *   Connect in Amazon Web Services": https://docs.github.com/en/actions/reference/security/oidc,
 *   https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws).
 * - AWS's trust shape for GitHub: Federated principal = the IAM OIDC provider, action
 *   `sts:AssumeRoleWithWebIdentity`, conditions on `token.actions.githubusercontent.com:aud` and
 *   `:sub` (IAM User Guide, "Configuring a role for GitHub OIDC identity provider":
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub).
 * - An explicit Deny overrides every Allow, including one from a policy attached later (IAM
 *   policy evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * - A condition on a key the request does not carry (an action that does not support
 *   `aws:ResourceTag`) does not match, so a tag-conditioned Deny never over-denies and a
 *   tag-conditioned Allow never over-allows; where tags cannot scope, names do.
 * Action names and the resources they accept: the Service Authorization Reference, "Actions,
 * resources, and condition keys for <service>" (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 */
import { backupRolePolicyArns } from "../backup/managedPolicies";
import { PROJECT } from "../config/common";
import { isProductionStack } from "../lib/stacks";

/** The GitHub environments the workflows use (.github/workflows/*.yml). */
export const ENVIRONMENTS = ["preview", "dev", "production"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The portal stack each environment's jobs reach: pull requests preview dev only. */
export const STACK_OF: Readonly<Record<Environment, string>> = Object.freeze({
    preview: "dev",
    dev: "dev",
    production: "prod",
});

/** Every portal stack the roles know of: each role is denied the others'. */
export const PORTAL_STACKS: readonly string[] = Object.freeze([
    ...new Set(Object.values(STACK_OF)),
]);

/** The tag the portal's provider puts on every taggable resource (config/index.ts `tags`). */
export const STACK_TAG = "Stack";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
/** The audience aws-actions/configure-aws-credentials requests. */
export const GITHUB_AUDIENCE = "sts.amazonaws.com";

/**
 * The services the portal program passes its roles to (each role's trust principal): the deploy
 * roles may pass a stack's role to these and nothing else. A test checks the program's roles.
 */
export const PASSED_TO_SERVICES: readonly string[] = Object.freeze([
    // The stack's own Auto Scaling service-linked role (security/dataKey.ts), named by its groups:
    // a group that names a role other than the default needs iam:PassRole on it.
    "autoscaling.amazonaws.com",
    // The backup selection names AWS Backup's role (backup/index.ts).
    "backup.amazonaws.com",
    "bedrock.amazonaws.com",
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    // The uploads bucket's replication configuration names its role (PutBucketReplication).
    "s3.amazonaws.com",
    "scheduler.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
]);

/** AWS's managed policy the deploy roles start from (everything but IAM, Organizations, Account). */
export const POWER_USER_POLICY = "PowerUserAccess";

export interface Account {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
}

type OneOrMany = string | readonly string[];

export interface Statement {
    readonly Sid: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: Readonly<Record<string, OneOrMany>>;
    readonly Action?: OneOrMany;
    readonly NotAction?: OneOrMany;
    readonly Resource?: OneOrMany;
    readonly NotResource?: OneOrMany;
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, OneOrMany>>>>;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly Statement[];
}

const doc = (...statements: Statement[]): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: statements,
});

/** The CI role's name: one per environment, no stack tag (so no deploy role may change it). */
export function ciRoleName(environment: Environment): string {
    return `${PROJECT}-ci-${environment}`;
}

/** The `sub` claim of a job of `repository` that runs in `environment`. */
export function githubSubject(repository: string, environment: Environment): string {
    return `repo:${repository}:environment:${environment}`;
}

export function githubProviderArn(account: Account): string {
    return `arn:${account.partition}:iam::${account.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
}

/**
 * Trust for one environment's role: GitHub's OIDC provider, this repository's jobs in exactly this
 * environment (StringEquals, no wildcard: a branch, tag or pull-request job has another `sub`).
 */
export function githubTrustPolicy(
    providerArn: string,
    repository: string,
    environment: Environment,
): PolicyDocument {
    return doc({
        Sid: "GitHubEnvironment",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: {
                [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_AUDIENCE,
                [`${GITHUB_OIDC_HOST}:sub`]: githubSubject(repository, environment),
            },
        },
    });
}

// ---------------------------------------------------------------------------------------------
// Names: what the portal program calls a stack's resources (`<project>-<stack>` prefix)

/** ARNs of the resources the portal names after a stack, for services whose names IAM can match. */
export function stackNamedArns(
    account: Account,
    stack: string,
): Readonly<Record<string, string[]>> {
    const { partition: p, region: r, accountId: a } = account;
    const prefix = `${PROJECT}-${stack}`;
    const logGroup = (name: string) => `arn:${p}:logs:${r}:${a}:log-group:${name}`;
    return {
        // Secret names: `<prefix>/<tier>/<name>` (data/, directory/, compute/).
        secrets: [`arn:${p}:secretsmanager:${r}:${a}:secret:${prefix}/*`],
        // Log groups: `/<prefix>/...`, RDS exports and the bootstrap Lambda's (and their streams).
        logGroups: [
            logGroup(`/${prefix}/*`),
            logGroup(`/aws/rds/instance/${prefix}-*`),
            logGroup(`/aws/lambda/${prefix}-*`),
        ],
        functions: [`arn:${p}:lambda:${r}:${a}:function:${prefix}-*`],
        databases: [`arn:${p}:rds:${r}:${a}:db:${prefix}-*`],
        repositories: [`arn:${p}:ecr:${r}:${a}:repository/${prefix}/*`],
        topics: [`arn:${p}:sns:${r}:${a}:${prefix}-*`],
        alarms: [`arn:${p}:cloudwatch:${r}:${a}:alarm:${prefix}-*`],
        dashboards: [`arn:${p}:cloudwatch::${a}:dashboard/${prefix}*`],
        schedules: [
            `arn:${p}:scheduler:${r}:${a}:schedule-group/${prefix}-*`,
            `arn:${p}:scheduler:${r}:${a}:schedule/${prefix}-*/*`,
        ],
        budgets: [`arn:${p}:budgets::${a}:budget/${prefix}-*`],
    };
}

function otherStacks(stack: string): string[] {
    return PORTAL_STACKS.filter((s) => s !== stack);
}

/**
 * What no CI role may do to another portal stack in a shared account: anything on a resource
 * tagged with that stack (where the action supports `aws:ResourceTag`), tag anything as that
 * stack, or anything on the resources named after it (for actions that do not take tags: log
 * contents, secret values).
 */
function otherStacksDenials(account: Account, stack: string): Statement[] {
    const others = otherStacks(stack);
    if (others.length === 0) {
        return [];
    }
    return [
        {
            Sid: "DenyOtherStacksTagged",
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: others } },
        },
        {
            Sid: "DenyTaggingAsOtherStacks",
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: others } },
        },
        {
            Sid: "DenyOtherStacksNamed",
            Effect: "Deny",
            Action: "*",
            Resource: others.flatMap((s) => Object.values(stackNamedArns(account, s)).flat()),
        },
    ];
}

/** No CI role may change the CI roles or GitHub's OIDC provider: only an administrator does. */
function protectCiAccess(account: Account): Statement {
    const { partition: p, accountId: a } = account;
    return {
        Sid: "DenyChangingCiAccess",
        Effect: "Deny",
        Action: "iam:*",
        Resource: [`arn:${p}:iam::${a}:role/${PROJECT}-ci-*`, githubProviderArn(account)],
    };
}

/**
 * No CI role may assume another role (PowerUserAccess allows `sts:*`): a role that trusts the
 * account would otherwise hand a pull request or the dev deploy its permissions. The program
 * assumes no role itself.
 */
const DENY_ROLE_CHAINING: Statement = {
    Sid: "DenyRoleChaining",
    Effect: "Deny",
    Action: "sts:AssumeRole",
    Resource: "*",
};

// ---------------------------------------------------------------------------------------------
// The preview role

/**
 * Data-plane reads the preview role must never make, whatever else is attached to it later: object
 * and log contents, secret values, sessions and commands on hosts, database connections, console
 * output, invocations, directory users, image layers. Resource "*": they are denied everywhere.
 */
export const DATA_PLANE_READS: readonly string[] = Object.freeze([
    // Object contents and object names (upload file names are users' data too).
    "s3:GetObject*",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:ListBucketMultipartUploads",
    "s3:ListMultipartUploadParts",
    // Log contents (CloudWatch Logs API reference; Unmask reveals masked data in results).
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:GetQueryResults",
    "logs:StartLiveTail",
    "logs:GetLogRecord",
    "logs:Unmask",
    "logs:CreateExportTask",
    // Secret values. Preview needs none: the stack's config secrets are decrypted by Pulumi Cloud
    // (the stack files name no `secretsprovider`, so the service's key is used), not by AWS KMS.
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    // Sessions and commands on hosts, and their output.
    "ssm:StartSession",
    "ssm:ResumeSession",
    "ssm:SendCommand",
    "ssm:GetCommandInvocation",
    "ssm:StartAutomationExecution",
    "ec2-instance-connect:*",
    "ec2:GetConsoleOutput",
    "ec2:GetConsoleScreenshot",
    "ec2:GetPasswordData",
    // Databases, Redis and their logs.
    "rds-db:connect",
    "rds-data:*",
    "rds:DownloadDBLogFilePortion",
    "rds:DownloadCompleteDBLogFile",
    "elasticache:Connect",
    // Running things that hold or reach data.
    "lambda:InvokeFunction",
    "lambda:InvokeFunctionUrl",
    "bedrock:InvokeModel*",
    // Directory users and groups (Directory Service Data API).
    "ds-data:*",
    // Image contents.
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
    // Sampled web requests (headers, cookies) the WAF keeps.
    "wafv2:GetSampledRequests",
]);

/**
 * SSM parameter reads: denied but for AWS's public parameters (the AL2023 AMI id the program
 * looks up), which live under `/aws/service/` in no account ("Discovering public parameters in
 * Parameter Store"); no account can create a parameter whose name starts with `aws`.
 */
function denyParameterReads(account: Account): Statement {
    return {
        Sid: "DenyParameterValues",
        Effect: "Deny",
        Action: "ssm:GetParameter*",
        NotResource: `arn:${account.partition}:ssm:*:*:parameter/aws/service/*`,
    };
}

/**
 * Configuration reads that take no resource ARN or that this program's resources cannot be
 * matched in by name (EC2 and its family's Describe calls, auto-named buckets, id-named zones):
 * allowed on "*". Only configuration: no action here returns data (checked against DATA_PLANE_READS
 * by a test). Derived from the resource types the program declares and the lookups it makes
 * (offline/mocks.ts answers: availability zones, caller identity, partition, region, the AL2023
 * public parameter, an ECR token, a KMS alias).
 */
export const PREVIEW_READS_ANYWHERE: readonly string[] = Object.freeze([
    "ec2:Describe*",
    "autoscaling:Describe*",
    "elasticloadbalancing:Describe*",
    "rds:Describe*",
    "rds:ListTagsForResource",
    "elasticache:Describe*",
    "elasticache:ListTagsForResource",
    "ds:Describe*",
    "ds:ListTagsForResource",
    "route53:GetHostedZone",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResource",
    "route53:GetChange",
    "s3:GetBucket*",
    "s3:GetAccelerateConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:GetEncryptionConfiguration",
    "logs:DescribeLogGroups",
    "logs:ListTagsForResource",
    "logs:ListTagsLogGroup",
    "kms:DescribeKey",
    "kms:ListAliases",
    "ecr:GetAuthorizationToken",
    "wafv2:GetWebACL",
    "wafv2:GetIPSet",
    "wafv2:GetWebACLForResource",
    "wafv2:GetLoggingConfiguration",
    "wafv2:ListTagsForResource",
    "acm:DescribeCertificate",
    "acm:ListTagsForCertificate",
    "bedrock:GetModelInvocationLoggingConfiguration",
    "ce:ListCostAllocationTags",
    // AWS Backup's vaults, locks, plans and selections (backup/index.ts): configuration only.
    "backup:DescribeBackupVault",
    "backup:GetBackupPlan",
    "backup:GetBackupSelection",
    "backup:ListTags",
]);

/**
 * What a production stack's deploy role may never do to its backups, whatever else it is given:
 * lift a vault's lock, delete or shorten a recovery point, delete a vault (AWS Backup Developer
 * Guide, "AWS Backup Vault Lock": a governance-mode lock yields to whoever may call
 * DeleteBackupVaultLockConfiguration). A compromised deploy role then cannot destroy the backups.
 */
export const PROTECTED_BACKUP_ACTIONS: readonly string[] = Object.freeze([
    "backup:DeleteBackupVaultLockConfiguration",
    "backup:DeleteRecoveryPoint",
    "backup:UpdateRecoveryPointLifecycle",
    "backup:DisassociateRecoveryPoint",
    "backup:DeleteBackupVault",
]);

/** Configuration reads of the resources named after the stack (ARN name prefix). */
function previewReadsByName(account: Account, stack: string): Statement {
    const named = stackNamedArns(account, stack);
    return {
        Sid: "ReadStackConfigurationByName",
        Effect: "Allow",
        Action: [
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetResourcePolicy",
            "lambda:GetFunction",
            "lambda:GetFunctionConfiguration",
            "lambda:GetFunctionCodeSigningConfig",
            "lambda:ListVersionsByFunction",
            "lambda:ListTags",
            "ecr:DescribeRepositories",
            "ecr:DescribeImages",
            "ecr:GetLifecyclePolicy",
            "ecr:GetRepositoryPolicy",
            "ecr:ListTagsForResource",
            "sns:GetTopicAttributes",
            "sns:ListTagsForResource",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:GetDashboard",
            "cloudwatch:ListTagsForResource",
            "scheduler:GetSchedule",
            "scheduler:GetScheduleGroup",
            "scheduler:ListTagsForResource",
            "budgets:ViewBudget",
            "budgets:ListTagsForResource",
        ],
        Resource: [
            ...named.secrets,
            ...named.functions,
            ...named.repositories,
            ...named.topics,
            ...named.alarms,
            ...named.dashboards,
            ...named.schedules,
            ...named.budgets,
        ],
    };
}

/** Configuration reads of id-named resources, by the stack's tag (IAM, KMS and Bedrock support it). */
function previewReadsByTag(account: Account, stack: string): Statement {
    const { partition: p, region: r, accountId: a } = account;
    return {
        Sid: "ReadStackConfigurationByTag",
        Effect: "Allow",
        Action: [
            "iam:GetRole",
            "iam:GetRolePolicy",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:ListRoleTags",
            "iam:ListInstanceProfilesForRole",
            "iam:GetInstanceProfile",
            "iam:ListInstanceProfileTags",
            "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:ListResourceTags",
            "bedrock:GetInferenceProfile",
            "bedrock:ListTagsForResource",
        ],
        Resource: [
            `arn:${p}:iam::${a}:role/*`,
            `arn:${p}:iam::${a}:instance-profile/*`,
            `arn:${p}:kms:${r}:${a}:key/*`,
            `arn:${p}:bedrock:${r}:${a}:application-inference-profile/*`,
        ],
        Condition: { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: stack } },
    };
}

/**
 * The preview role's permissions, as two inline policies: what `pulumi preview` of `stack` reads
 * (configuration only, the stack's own resources where names or tags can say so), and the denials
 * that hold whatever is attached later (data-plane reads, the other stacks, the CI roles).
 */
export function previewPolicies(
    account: Account,
    stack: string,
): { readonly read: PolicyDocument; readonly deny: PolicyDocument } {
    return {
        read: doc(
            {
                Sid: "ReadConfiguration",
                Effect: "Allow",
                Action: PREVIEW_READS_ANYWHERE,
                Resource: "*",
            },
            previewReadsByName(account, stack),
            previewReadsByTag(account, stack),
            {
                Sid: "ReadPublicParameters",
                Effect: "Allow",
                Action: "ssm:GetParameter",
                Resource: `arn:${account.partition}:ssm:*:*:parameter/aws/service/*`,
            },
        ),
        deny: doc(
            { Sid: "DenyDataPlaneReads", Effect: "Deny", Action: DATA_PLANE_READS, Resource: "*" },
            denyParameterReads(account),
            ...otherStacksDenials(account, stack),
            protectCiAccess(account),
            DENY_ROLE_CHAINING,
        ),
    };
}

// ---------------------------------------------------------------------------------------------
// The deploy roles

/**
 * IAM actions `pulumi up` makes on the stack's roles and instance profiles. Managed policies are
 * attached only to AWS Backup's role, and only AWS Backup's own (statement AttachBackupPolicies).
 */
const STACK_IAM_ACTIONS = [
    "iam:GetRole",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:UpdateAssumeRolePolicy",
    "iam:DeleteRole",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:ListRoleTags",
    "iam:PutRolePolicy",
    "iam:GetRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:ListRolePolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:GetInstanceProfile",
    "iam:DeleteInstanceProfile",
    "iam:AddRoleToInstanceProfile",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:UntagInstanceProfile",
    "iam:ListInstanceProfileTags",
];

/**
 * The deploy role's own policy, beside AWS's PowerUserAccess (which grants everything but IAM,
 * Organizations and Account): the IAM the program needs, on the stack's roles only (by tag: the
 * roles are auto-named, so names cannot tell dev's from prod's), passing them only to the services
 * the program uses; and the denials of the other stacks and of the CI roles.
 */
export function deployPolicy(account: Account, stack: string): PolicyDocument {
    const { partition: p, accountId: a } = account;
    const roles = `arn:${p}:iam::${a}:role/*`;
    const profiles = `arn:${p}:iam::${a}:instance-profile/*`;
    const ownTag = { [`aws:ResourceTag/${STACK_TAG}`]: stack };
    return doc(
        {
            Sid: "ManageStackRoles",
            Effect: "Allow",
            Action: STACK_IAM_ACTIONS,
            Resource: [roles, profiles],
            Condition: { StringEquals: ownTag },
        },
        {
            // Creating with tags needs the Tag action too; the new role carries the stack's tag.
            Sid: "CreateStackRoles",
            Effect: "Allow",
            Action: [
                "iam:CreateRole",
                "iam:TagRole",
                "iam:CreateInstanceProfile",
                "iam:TagInstanceProfile",
            ],
            Resource: [roles, profiles],
            Condition: { StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: stack } },
        },
        {
            // AWS Backup's role holds AWS Backup's managed policies (backup/managedPolicies.ts).
            Sid: "AttachBackupPolicies",
            Effect: "Allow",
            Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            Resource: roles,
            Condition: {
                StringEquals: ownTag,
                ArnEquals: { "iam:PolicyARN": backupRolePolicyArns(p) },
            },
        },
        {
            Sid: "PassStackRoles",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: roles,
            Condition: {
                StringEquals: { ...ownTag, "iam:PassedToService": PASSED_TO_SERVICES },
            },
        },
        ...(isProductionStack(stack)
            ? [
                  {
                      Sid: "DenyDestroyingBackups",
                      Effect: "Deny" as const,
                      Action: PROTECTED_BACKUP_ACTIONS,
                      Resource: "*",
                  },
              ]
            : []),
        ...otherStacksDenials(account, stack),
        protectCiAccess(account),
        DENY_ROLE_CHAINING,
    );
}

/** Characters IAM counts towards a policy's size quota: the JSON without whitespace. */
export function policySize(document: PolicyDocument): number {
    return JSON.stringify(document).length;
}
