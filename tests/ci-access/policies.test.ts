/**
 * The CI roles' documents (ci-access/policies.ts), decided request by request by a small IAM
 * evaluator (iamEvaluator.ts): what a pull request's preview may and may not read, what each deploy
 * role may touch, and which GitHub jobs may assume each role. Pure: no Pulumi runtime.
 */
import * as assert from "assert";
import {
    Account,
    ciRoleName,
    DATA_PLANE_READS,
    deployPolicy,
    Environment,
    ENVIRONMENTS,
    githubProviderArn,
    githubSubject,
    githubTrustPolicy,
    PolicyDocument,
    policySize,
    PREVIEW_READS_ANYWHERE,
    previewPolicies,
    STACK_OF,
} from "../../ci-access/policies";
import { configError, parseCiConfig } from "../../ci-access/config";
import { loadServiceModel } from "../support/apiModels";
import { Decision, evaluate, Request, wildcardMatch } from "./iamEvaluator";

const ACCOUNT: Account = { partition: "aws", region: "eu-west-2", accountId: "123456789012" };
const A = ACCOUNT.accountId;
const REPO = "acme/ai-portal";

/**
 * AWS's managed PowerUserAccess as its reference page shows it (AWS Managed Policy Reference,
 * "PowerUserAccess": https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html).
 */
const POWER_USER_ACCESS: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "AllButIam",
            Effect: "Allow",
            NotAction: ["iam:*", "organizations:*", "account:*"],
            Resource: "*",
        },
        {
            Sid: "SomeIam",
            Effect: "Allow",
            Action: [
                "account:GetAccountInformation",
                "account:GetPrimaryEmail",
                "account:ListRegions",
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeOrganization",
            ],
            Resource: "*",
        },
    ],
};

/** Each role's identity policies, as ci-access/githubRole.ts attaches them. */
function policiesOf(environment: Environment): PolicyDocument[] {
    const stack = STACK_OF[environment];
    if (environment === "preview") {
        const { read, deny } = previewPolicies(ACCOUNT, stack);
        return [read, deny];
    }
    return [POWER_USER_ACCESS, deployPolicy(ACCOUNT, stack)];
}

const tagged = (stack: string) => ({ "aws:ResourceTag/Stack": stack });
const requestTag = (stack: string) => ({ "aws:RequestTag/Stack": stack });

// Resources as the portal names them (offline plan of dev and prod).
const arn = {
    devSecret: `arn:aws:secretsmanager:eu-west-2:${A}:secret:ai-portal-dev/web/openwebui-AbCdEf`,
    prodSecret: `arn:aws:secretsmanager:eu-west-2:${A}:secret:ai-portal-prod/web/openwebui-AbCdEf`,
    prodUpload: "arn:aws:s3:::compute-uploads-bucket-3f9a1c2/uploads/contract.pdf",
    prodBucket: "arn:aws:s3:::compute-uploads-bucket-3f9a1c2",
    prodWebLogStream: `arn:aws:logs:eu-west-2:${A}:log-group:/ai-portal-prod/web:log-stream:i-0abc`,
    prodDbLog: `arn:aws:logs:eu-west-2:${A}:log-group:/aws/rds/instance/ai-portal-prod-postgres/postgresql`,
    devWebLogGroup: `arn:aws:logs:eu-west-2:${A}:log-group:/ai-portal-dev/web`,
    publicAmiParameter:
        "arn:aws:ssm:eu-west-2::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    accountParameter: `arn:aws:ssm:eu-west-2:${A}:parameter/ai-portal-dev/gateway/api-key`,
    instance: `arn:aws:ec2:eu-west-2:${A}:instance/i-0123456789abcdef0`,
    devFunction: `arn:aws:lambda:eu-west-2:${A}:function:ai-portal-dev-db-role-bootstrap`,
    prodFunction: `arn:aws:lambda:eu-west-2:${A}:function:ai-portal-prod-db-role-bootstrap`,
    prodDb: `arn:aws:rds:eu-west-2:${A}:db:ai-portal-prod-postgres`,
    devRepo: `arn:aws:ecr:eu-west-2:${A}:repository/ai-portal-dev/bedrock-access-gateway`,
    role: `arn:aws:iam::${A}:role/compute-web-role-1a2b3c4`,
    ciRole: `arn:aws:iam::${A}:role/ai-portal-ci-production`,
    provider: githubProviderArn(ACCOUNT),
    key: `arn:aws:kms:eu-west-2:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    profile: `arn:aws:bedrock:eu-west-2:${A}:application-inference-profile/a1b2c3d4e5f6`,
    model: "arn:aws:bedrock:eu-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
    directory: `arn:aws:ds:eu-west-2:${A}:directory/d-1234567890`,
    webAcl: `arn:aws:wafv2:eu-west-2:${A}:regional/webacl/ai-portal-prod-web/abc`,
    cluster: `arn:aws:elasticache:eu-west-2:${A}:replicationgroup:ai-portal-prod-sessions`,
    dbUser: `arn:aws:rds-db:eu-west-2:${A}:dbuser:db-ABCDEFGHIJKL/openwebui`,
};

interface Row {
    readonly role: Environment;
    readonly action: string;
    readonly resource: string;
    readonly context?: Record<string, string>;
    readonly expect: Decision;
    /** Why, when the row is a documented limit rather than a guarantee. */
    readonly note?: string;
}

const D: Decision = "explicitDeny";
const OK: Decision = "allowed";
const NO: Decision = "implicitDeny";

const PREVIEW_ROWS: Row[] = [
    // Data-plane reads: explicitly denied, on dev's and prod's resources alike.
    { role: "preview", action: "s3:GetObject", resource: arn.prodUpload, expect: D },
    { role: "preview", action: "s3:GetObjectVersion", resource: arn.prodUpload, expect: D },
    { role: "preview", action: "s3:GetObjectAttributes", resource: arn.prodUpload, expect: D },
    { role: "preview", action: "s3:ListBucket", resource: arn.prodBucket, expect: D },
    { role: "preview", action: "s3:ListBucketVersions", resource: arn.prodBucket, expect: D },
    { role: "preview", action: "logs:GetLogEvents", resource: arn.prodWebLogStream, expect: D },
    { role: "preview", action: "logs:FilterLogEvents", resource: arn.prodDbLog, expect: D },
    { role: "preview", action: "logs:StartQuery", resource: arn.devWebLogGroup, expect: D },
    { role: "preview", action: "logs:GetQueryResults", resource: "*", expect: D },
    { role: "preview", action: "logs:StartLiveTail", resource: arn.devWebLogGroup, expect: D },
    { role: "preview", action: "logs:GetLogRecord", resource: "*", expect: D },
    { role: "preview", action: "logs:Unmask", resource: arn.devWebLogGroup, expect: D },
    {
        role: "preview",
        action: "secretsmanager:GetSecretValue",
        resource: arn.devSecret,
        expect: D,
    },
    {
        role: "preview",
        action: "secretsmanager:GetSecretValue",
        resource: arn.prodSecret,
        expect: D,
    },
    { role: "preview", action: "secretsmanager:BatchGetSecretValue", resource: "*", expect: D },
    { role: "preview", action: "ssm:GetParameter", resource: arn.accountParameter, expect: D },
    { role: "preview", action: "ssm:GetParameters", resource: arn.accountParameter, expect: D },
    {
        role: "preview",
        action: "ssm:GetParametersByPath",
        resource: arn.accountParameter,
        expect: D,
    },
    {
        role: "preview",
        action: "ssm:GetParameterHistory",
        resource: arn.accountParameter,
        expect: D,
    },
    {
        role: "preview",
        action: "kms:Decrypt",
        resource: arn.key,
        context: tagged("dev"),
        expect: D,
    },
    { role: "preview", action: "kms:ReEncryptFrom", resource: arn.key, expect: D },
    { role: "preview", action: "ssm:StartSession", resource: arn.instance, expect: D },
    { role: "preview", action: "ssm:SendCommand", resource: arn.instance, expect: D },
    {
        role: "preview",
        action: "ec2-instance-connect:SendSSHPublicKey",
        resource: arn.instance,
        expect: D,
    },
    { role: "preview", action: "ec2-instance-connect:OpenTunnel", resource: "*", expect: D },
    { role: "preview", action: "rds-db:connect", resource: arn.dbUser, expect: D },
    { role: "preview", action: "rds-data:ExecuteStatement", resource: arn.prodDb, expect: D },
    { role: "preview", action: "rds:DownloadDBLogFilePortion", resource: arn.prodDb, expect: D },
    { role: "preview", action: "ec2:GetConsoleOutput", resource: arn.instance, expect: D },
    { role: "preview", action: "ec2:GetConsoleScreenshot", resource: arn.instance, expect: D },
    { role: "preview", action: "ec2:GetPasswordData", resource: arn.instance, expect: D },
    { role: "preview", action: "lambda:InvokeFunction", resource: arn.devFunction, expect: D },
    { role: "preview", action: "bedrock:InvokeModel", resource: arn.model, expect: D },
    {
        role: "preview",
        action: "bedrock:InvokeModelWithResponseStream",
        resource: arn.profile,
        expect: D,
    },
    { role: "preview", action: "ds-data:DescribeUser", resource: arn.directory, expect: D },
    { role: "preview", action: "ds-data:ListUsers", resource: arn.directory, expect: D },
    { role: "preview", action: "ecr:GetDownloadUrlForLayer", resource: arn.devRepo, expect: D },
    { role: "preview", action: "ecr:BatchGetImage", resource: arn.devRepo, expect: D },
    { role: "preview", action: "elasticache:Connect", resource: arn.cluster, expect: D },
    { role: "preview", action: "wafv2:GetSampledRequests", resource: arn.webAcl, expect: D },
    // Configuration reads preview needs: the lookups, then the declared resources' settings.
    { role: "preview", action: "ec2:DescribeAvailabilityZones", resource: "*", expect: OK },
    { role: "preview", action: "ec2:DescribeImages", resource: "*", expect: OK },
    { role: "preview", action: "ssm:GetParameter", resource: arn.publicAmiParameter, expect: OK },
    { role: "preview", action: "ecr:GetAuthorizationToken", resource: "*", expect: OK },
    { role: "preview", action: "kms:DescribeKey", resource: arn.key, expect: OK },
    { role: "preview", action: "kms:ListAliases", resource: "*", expect: OK },
    { role: "preview", action: "ec2:DescribeInstances", resource: "*", expect: OK },
    { role: "preview", action: "ec2:DescribeSecurityGroupRules", resource: "*", expect: OK },
    { role: "preview", action: "rds:DescribeDBInstances", resource: arn.prodDb, expect: D },
    {
        role: "preview",
        action: "rds:DescribeDBParameters",
        resource: `arn:aws:rds:eu-west-2:${A}:pg:data-params-5e6f7a8`,
        expect: OK,
        note: "shared-account limit (README): an auto-named prod resource whose request carries no Stack tag shows its configuration",
    },
    { role: "preview", action: "s3:GetBucketPolicy", resource: arn.prodBucket, expect: OK },
    {
        role: "preview",
        action: "s3:GetEncryptionConfiguration",
        resource: arn.prodBucket,
        expect: OK,
    },
    { role: "preview", action: "logs:DescribeLogGroups", resource: "*", expect: OK },
    {
        role: "preview",
        action: "secretsmanager:DescribeSecret",
        resource: arn.devSecret,
        expect: OK,
    },
    {
        role: "preview",
        action: "lambda:GetFunctionConfiguration",
        resource: arn.devFunction,
        expect: OK,
    },
    { role: "preview", action: "ecr:DescribeRepositories", resource: arn.devRepo, expect: OK },
    {
        role: "preview",
        action: "iam:GetRolePolicy",
        resource: arn.role,
        context: tagged("dev"),
        expect: OK,
    },
    {
        role: "preview",
        action: "bedrock:GetInferenceProfile",
        resource: arn.profile,
        context: tagged("dev"),
        expect: OK,
    },
    // Prod's configuration where names or tags can tell: not readable.
    {
        role: "preview",
        action: "secretsmanager:DescribeSecret",
        resource: arn.prodSecret,
        expect: D,
    },
    {
        role: "preview",
        action: "lambda:GetFunctionConfiguration",
        resource: arn.prodFunction,
        expect: D,
    },
    {
        role: "preview",
        action: "iam:GetRolePolicy",
        resource: arn.role,
        context: tagged("prod"),
        expect: D,
    },
    {
        role: "preview",
        action: "bedrock:GetInferenceProfile",
        resource: arn.profile,
        context: tagged("prod"),
        expect: D,
    },
    {
        role: "preview",
        action: "ec2:DescribeInstances",
        resource: "*",
        context: tagged("prod"),
        expect: D,
    },
    { role: "preview", action: "iam:GetRole", resource: arn.ciRole, expect: D },
    // Nothing it could change.
    {
        role: "preview",
        action: "ec2:TerminateInstances",
        resource: arn.instance,
        context: tagged("dev"),
        expect: NO,
    },
    { role: "preview", action: "s3:PutObject", resource: arn.prodUpload, expect: NO },
    {
        role: "preview",
        action: "iam:PutRolePolicy",
        resource: arn.role,
        context: tagged("dev"),
        expect: NO,
    },
    {
        role: "preview",
        action: "iam:PassRole",
        resource: arn.role,
        context: tagged("dev"),
        expect: NO,
    },
    { role: "preview", action: "sts:AssumeRole", resource: arn.ciRole, expect: D },
];

const DEPLOY_ROWS: Row[] = [
    // Its own stack: what `pulumi up` does.
    {
        role: "dev",
        action: "ec2:RunInstances",
        resource: arn.instance,
        context: requestTag("dev"),
        expect: OK,
    },
    {
        role: "dev",
        action: "ec2:TerminateInstances",
        resource: arn.instance,
        context: tagged("dev"),
        expect: OK,
    },
    {
        role: "dev",
        action: "secretsmanager:PutSecretValue",
        resource: arn.devSecret,
        context: tagged("dev"),
        expect: OK,
    },
    {
        role: "dev",
        action: "iam:CreateRole",
        resource: arn.role,
        context: requestTag("dev"),
        expect: OK,
    },
    {
        role: "dev",
        action: "iam:TagRole",
        resource: arn.role,
        context: requestTag("dev"),
        expect: OK,
    },
    {
        role: "dev",
        action: "iam:PutRolePolicy",
        resource: arn.role,
        context: tagged("dev"),
        expect: OK,
    },
    {
        role: "dev",
        action: "iam:PassRole",
        resource: arn.role,
        context: { ...tagged("dev"), "iam:PassedToService": "ec2.amazonaws.com" },
        expect: OK,
    },
    { role: "dev", action: "iam:CreateServiceLinkedRole", resource: "*", expect: OK },
    // Never prod's: by tag, by name, by retagging.
    {
        role: "dev",
        action: "ec2:TerminateInstances",
        resource: arn.instance,
        context: tagged("prod"),
        expect: D,
    },
    {
        role: "dev",
        action: "ec2:RunInstances",
        resource: arn.instance,
        context: requestTag("prod"),
        expect: D,
    },
    {
        role: "dev",
        action: "ec2:CreateTags",
        resource: arn.instance,
        context: { ...tagged("dev"), ...requestTag("prod") },
        expect: D,
    },
    { role: "dev", action: "rds:DeleteDBInstance", resource: arn.prodDb, expect: D },
    {
        role: "dev",
        action: "rds:ModifyDBInstance",
        resource: arn.prodDb,
        context: tagged("prod"),
        expect: D,
    },
    { role: "dev", action: "secretsmanager:GetSecretValue", resource: arn.prodSecret, expect: D },
    { role: "dev", action: "logs:GetLogEvents", resource: arn.prodWebLogStream, expect: D },
    { role: "dev", action: "logs:FilterLogEvents", resource: arn.prodDbLog, expect: D },
    { role: "dev", action: "lambda:InvokeFunction", resource: arn.prodFunction, expect: D },
    {
        role: "dev",
        action: "iam:PutRolePolicy",
        resource: arn.role,
        context: tagged("prod"),
        expect: D,
    },
    {
        role: "dev",
        action: "iam:CreateRole",
        resource: arn.role,
        context: requestTag("prod"),
        expect: D,
    },
    {
        role: "dev",
        action: "iam:PassRole",
        resource: arn.role,
        context: { ...tagged("prod"), "iam:PassedToService": "ec2.amazonaws.com" },
        expect: D,
    },
    // IAM outside the stack's roles: untagged roles, other services, users, managed policies.
    { role: "dev", action: "iam:CreateRole", resource: arn.role, expect: NO },
    {
        role: "dev",
        action: "iam:PutRolePolicy",
        resource: `arn:aws:iam::${A}:role/OrganizationAccountAccessRole`,
        expect: NO,
    },
    {
        role: "dev",
        action: "iam:PassRole",
        resource: arn.role,
        context: { ...tagged("dev"), "iam:PassedToService": "glue.amazonaws.com" },
        expect: NO,
    },
    {
        role: "dev",
        action: "iam:AttachRolePolicy",
        resource: arn.role,
        context: tagged("dev"),
        expect: NO,
    },
    // Managed policies: AWS Backup's own on the stack's backup role, nothing else.
    {
        role: "dev",
        action: "iam:AttachRolePolicy",
        resource: arn.role,
        context: {
            ...tagged("dev"),
            "iam:PolicyARN": "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
        },
        expect: OK,
    },
    {
        role: "dev",
        action: "iam:AttachRolePolicy",
        resource: arn.role,
        context: {
            ...tagged("dev"),
            "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess",
        },
        expect: NO,
    },
    {
        role: "dev",
        action: "iam:AttachRolePolicy",
        resource: arn.role,
        context: {
            ...tagged("prod"),
            "iam:PolicyARN":
                "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        },
        expect: D,
    },
    // Prod's backups outlive a compromised deploy role: no lifting the lock, no deleting.
    {
        role: "production",
        action: "backup:DeleteBackupVaultLockConfiguration",
        resource: `arn:aws:backup:eu-west-2:${A}:backup-vault:ai-portal-prod-backup`,
        expect: D,
    },
    {
        role: "production",
        action: "backup:DeleteRecoveryPoint",
        resource: `arn:aws:backup:eu-west-1:${A}:recovery-point:1a2b3c4d`,
        expect: D,
    },
    {
        role: "production",
        action: "backup:UpdateRecoveryPointLifecycle",
        resource: `arn:aws:backup:eu-west-2:${A}:recovery-point:1a2b3c4d`,
        expect: D,
    },
    // Dev's disposable vault goes with its recovery points on destroy.
    {
        role: "dev",
        action: "backup:DeleteRecoveryPoint",
        resource: `arn:aws:backup:eu-west-2:${A}:recovery-point:1a2b3c4d`,
        expect: OK,
    },
    { role: "dev", action: "iam:CreateUser", resource: `arn:aws:iam::${A}:user/x`, expect: NO },
    {
        role: "dev",
        action: "iam:CreateAccessKey",
        resource: `arn:aws:iam::${A}:user/x`,
        expect: NO,
    },
    // No role chaining: PowerUserAccess allows sts:*, a role trusting the account would lend its rights.
    {
        role: "dev",
        action: "sts:AssumeRole",
        resource: `arn:aws:iam::${A}:role/OrganizationAccountAccessRole`,
        expect: D,
    },
    // The CI roles and GitHub's provider: only an administrator changes them.
    { role: "dev", action: "iam:UpdateAssumeRolePolicy", resource: arn.ciRole, expect: D },
    {
        role: "dev",
        action: "iam:PutRolePolicy",
        resource: arn.ciRole,
        context: tagged("dev"),
        expect: D,
    },
    {
        role: "dev",
        action: "iam:UpdateOpenIDConnectProviderThumbprint",
        resource: arn.provider,
        expect: D,
    },
    // A shared account's limit, documented in the README: the uploads bucket is auto-named and S3
    // objects carry no Stack tag, so neither names nor tags keep dev's deploy out of prod's uploads.
    {
        role: "dev",
        action: "s3:GetObject",
        resource: arn.prodUpload,
        expect: OK,
        note: "shared-account limit (README)",
    },
    // Production: its own stack, never dev's.
    {
        role: "production",
        action: "rds:ModifyDBInstance",
        resource: arn.prodDb,
        context: tagged("prod"),
        expect: OK,
    },
    {
        role: "production",
        action: "secretsmanager:GetSecretValue",
        resource: arn.prodSecret,
        context: tagged("prod"),
        expect: OK,
    },
    {
        role: "production",
        action: "iam:PutRolePolicy",
        resource: arn.role,
        context: tagged("prod"),
        expect: OK,
    },
    {
        role: "production",
        action: "ec2:TerminateInstances",
        resource: arn.instance,
        context: tagged("dev"),
        expect: D,
    },
    {
        role: "production",
        action: "secretsmanager:GetSecretValue",
        resource: arn.devSecret,
        expect: D,
    },
    {
        role: "production",
        action: "iam:PutRolePolicy",
        resource: arn.role,
        context: tagged("dev"),
        expect: D,
    },
    { role: "production", action: "iam:DeleteRole", resource: arn.ciRole, expect: D },
];

function decide(row: Row): Decision {
    const request: Request = { action: row.action, resource: row.resource, context: row.context };
    return evaluate(policiesOf(row.role), request);
}

describe("CI roles: permissions (ci-access/policies.ts, decided by an IAM evaluator)", () => {
    describe("the preview role reads configuration, never data", () => {
        for (const row of PREVIEW_ROWS) {
            const ctx = row.context ? ` ${JSON.stringify(row.context)}` : "";
            it(`${row.action} on ${row.resource}${ctx}: ${row.expect}`, () => {
                assert.strictEqual(decide(row), row.expect, row.note);
            });
        }

        it("allows no configuration read that is also a data-plane read", () => {
            for (const allowed of PREVIEW_READS_ANYWHERE) {
                for (const data of DATA_PLANE_READS) {
                    const overlap =
                        wildcardMatch(allowed, data.replace(/\*/g, "X"), true) ||
                        wildcardMatch(data, allowed.replace(/\*/g, "X"), true);
                    assert.ok(!overlap, `${allowed} overlaps the denied ${data}`);
                }
            }
        });
    });

    describe("the deploy roles deploy their own stack only", () => {
        for (const row of DEPLOY_ROWS) {
            const ctx = row.context ? ` ${JSON.stringify(row.context)}` : "";
            it(`${row.role}: ${row.action} on ${row.resource}${ctx}: ${row.expect}`, () => {
                assert.strictEqual(decide(row), row.expect, row.note);
            });
        }
    });

    describe("trust: each role only for its own environment's jobs", () => {
        const provider = githubProviderArn(ACCOUNT);
        const claims = (sub: string, aud = "sts.amazonaws.com") => ({
            "token.actions.githubusercontent.com:sub": sub,
            "token.actions.githubusercontent.com:aud": aud,
        });
        const assume = (
            environment: Environment,
            context: Record<string, string>,
            who = provider,
        ) =>
            evaluate([githubTrustPolicy(provider, REPO, environment)], {
                action: "sts:AssumeRoleWithWebIdentity",
                principal: { Federated: who },
                context,
            });

        for (const environment of ENVIRONMENTS) {
            it(`${ciRoleName(environment)}: accepts repo:${REPO}:environment:${environment} only`, () => {
                assert.strictEqual(
                    githubSubject(REPO, environment),
                    `repo:${REPO}:environment:${environment}`,
                );
                assert.strictEqual(
                    assume(environment, claims(githubSubject(REPO, environment))),
                    OK,
                );
                const refused = [
                    ...ENVIRONMENTS.filter((e) => e !== environment).map(
                        (e) => `repo:${REPO}:environment:${e}`,
                    ),
                    `repo:${REPO}:pull_request`,
                    `repo:${REPO}:ref:refs/heads/main`,
                    `repo:${REPO}:environment:${environment.toUpperCase()}`,
                    `repo:acme/fork:environment:${environment}`,
                    `repo:${REPO}:environment:${environment}-x`,
                ];
                for (const sub of refused) {
                    assert.strictEqual(assume(environment, claims(sub)), NO, sub);
                }
                const own = githubSubject(REPO, environment);
                assert.strictEqual(
                    assume(environment, claims(own, "https://github.com/acme")),
                    NO,
                    "aud",
                );
                assert.strictEqual(
                    assume(environment, { "token.actions.githubusercontent.com:sub": own }),
                    NO,
                    "no aud",
                );
                assert.strictEqual(
                    assume(environment, claims(own), `arn:aws:iam::${A}:oidc-provider/example.com`),
                    NO,
                    "another identity provider",
                );
                assert.strictEqual(
                    evaluate([githubTrustPolicy(provider, REPO, environment)], {
                        action: "sts:AssumeRole",
                        principal: { Federated: provider },
                        context: claims(own),
                    }),
                    NO,
                    "only web identity",
                );
            });
        }

        it("follows GitHub's and AWS's documented shape exactly", () => {
            assert.deepStrictEqual(githubTrustPolicy(provider, REPO, "production"), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "GitHubEnvironment",
                        Effect: "Allow",
                        Principal: {
                            Federated: `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`,
                        },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: {
                            StringEquals: {
                                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                "token.actions.githubusercontent.com:sub": `repo:${REPO}:environment:production`,
                            },
                        },
                    },
                ],
            });
        });
    });

    describe("the documents as IAM accepts them", () => {
        const documents: [string, PolicyDocument][] = [
            ["preview read", previewPolicies(ACCOUNT, "dev").read],
            ["preview deny", previewPolicies(ACCOUNT, "dev").deny],
            ["dev deploy", deployPolicy(ACCOUNT, "dev")],
            ["production deploy", deployPolicy(ACCOUNT, "prod")],
        ];

        it("fit IAM's quota: a role's inline policies together at most 10,240 characters", () => {
            // IAM and AWS STS quotas: "Role policy size cannot exceed 10,240 characters" (all
            // inline policies of a role together; whitespace not counted).
            const preview = policySize(documents[0][1]) + policySize(documents[1][1]);
            assert.ok(preview <= 10240, `preview: ${preview}`);
            assert.ok(policySize(documents[2][1]) <= 10240);
            assert.ok(policySize(documents[3][1]) <= 10240);
        });

        it("name every statement uniquely within its document", () => {
            for (const [name, document] of documents) {
                const sids = document.Statement.map((s) => s.Sid);
                assert.deepStrictEqual(sids, [...new Set(sids)], name);
                for (const sid of sids) {
                    assert.match(sid, /^[A-Za-z0-9]+$/, `${name}: Sid ${sid}`);
                }
            }
        });

        it("use only real actions: each names an operation in botocore's model of its service, or a documented permission-only action", () => {
            // IAM prefix -> botocore service folders whose operations share the prefix.
            const SERVICES: Record<string, string[]> = {
                acm: ["acm"],
                autoscaling: ["autoscaling"],
                backup: ["backup"],
                bedrock: ["bedrock", "bedrock-runtime"],
                budgets: ["budgets"],
                ce: ["ce"],
                cloudwatch: ["cloudwatch"],
                ds: ["ds"],
                "ds-data": ["ds-data"],
                ec2: ["ec2"],
                "ec2-instance-connect": ["ec2-instance-connect"],
                ecr: ["ecr"],
                elasticache: ["elasticache"],
                elasticloadbalancing: ["elbv2", "elb"],
                iam: ["iam"],
                kms: ["kms"],
                lambda: ["lambda"],
                logs: ["logs"],
                rds: ["rds"],
                "rds-data": ["rds-data"],
                route53: ["route53"],
                s3: ["s3"],
                scheduler: ["scheduler"],
                secretsmanager: ["secretsmanager"],
                sns: ["sns"],
                ssm: ["ssm"],
                sts: ["sts"],
                wafv2: ["wafv2"],
            };
            // Permission names that differ from the API call they authorise, each on its
            // service's "Actions, resources, and condition keys" page of the Service Authorization
            // Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/).
            const PERMISSION_ONLY = new Set([
                "s3:GetAccelerateConfiguration", // GetBucketAccelerateConfiguration
                "s3:GetLifecycleConfiguration", // GetBucketLifecycleConfiguration
                "s3:GetReplicationConfiguration", // GetBucketReplication
                "s3:GetEncryptionConfiguration", // GetBucketEncryption
                "s3:ListBucket", // ListObjects, ListObjectsV2
                "s3:ListBucketVersions", // ListObjectVersions
                "s3:ListBucketMultipartUploads", // ListMultipartUploads
                "s3:ListMultipartUploadParts", // ListParts
                "logs:Unmask", // a flag of GetLogEvents/FilterLogEvents/GetQueryResults
                "rds-db:connect", // IAM database authentication ("rds-db" has no API)
                "rds:DownloadCompleteDBLogFile", // the REST download of a whole log file
                "elasticache:Connect", // IAM authentication to Redis/Valkey
                "lambda:InvokeFunction", // Invoke
                "lambda:InvokeFunctionUrl", // calls to a function URL
                "budgets:ViewBudget", // DescribeBudget(s)
                "iam:PassRole", // no API: checked when a role is handed to a service
            ]);
            const actions = new Set<string>();
            for (const [, document] of documents) {
                for (const s of document.Statement) {
                    for (const a of [s.Action ?? [], s.NotAction ?? []].flat()) {
                        actions.add(a);
                    }
                }
            }
            for (const action of actions) {
                if (action === "*") {
                    continue;
                }
                assert.match(action, /^[a-z0-9-]+:[A-Za-z0-9*?]+$/, action);
                if (PERMISSION_ONLY.has(action)) {
                    continue;
                }
                const [prefix, name] = action.split(":");
                const services = SERVICES[prefix];
                assert.ok(services, `${action}: no botocore service mapped for prefix ${prefix}`);
                const operations = services.flatMap((s) =>
                    Object.keys(loadServiceModel(s).operations),
                );
                assert.ok(
                    operations.some((op) => wildcardMatch(name, op, true)),
                    `${action} matches no operation of ${services.join(", ")}`,
                );
            }
        });
    });
});

describe("CI roles: the IAM evaluator the tests rely on", () => {
    const policy = (...Statement: PolicyDocument["Statement"]): PolicyDocument => ({
        Version: "2012-10-17",
        Statement,
    });

    it("explicit deny beats allow; no statement is an implicit deny", () => {
        const p = policy(
            { Sid: "A", Effect: "Allow", Action: "s3:*", Resource: "*" },
            { Sid: "D", Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
        );
        assert.strictEqual(
            evaluate([p], { action: "s3:GetObject", resource: "arn:aws:s3:::b/k" }),
            D,
        );
        assert.strictEqual(
            evaluate([p], { action: "s3:GetObject", resource: "arn:aws:s3:::c/k" }),
            OK,
        );
        assert.strictEqual(evaluate([p], { action: "ec2:DescribeVpcs", resource: "*" }), NO);
    });

    it("wildcards: * any run, ? one character; actions ignore case, resources do not", () => {
        assert.ok(wildcardMatch("s3:GetObject*", "S3:getobjectversion", true));
        assert.ok(!wildcardMatch("s3:GetObject*", "s3:GetBucketPolicy", true));
        assert.ok(wildcardMatch("arn:aws:s3:::b?", "arn:aws:s3:::b1"));
        assert.ok(!wildcardMatch("arn:aws:s3:::b?", "arn:aws:s3:::b12"));
        assert.ok(!wildcardMatch("arn:aws:s3:::B", "arn:aws:s3:::b"));
        assert.ok(wildcardMatch("a.b", "a.b") && !wildcardMatch("a.b", "axb"));
    });

    it("NotResource, negated operators on a missing key, IfExists", () => {
        const p = policy(
            { Sid: "A", Effect: "Allow", Action: "ssm:GetParameter", NotResource: "arn:x:secret*" },
            {
                Sid: "D",
                Effect: "Deny",
                Action: "ssm:GetParameter",
                Resource: "*",
                Condition: { StringNotEquals: { "aws:ResourceTag/Stack": "dev" } },
            },
        );
        assert.strictEqual(
            evaluate([p], {
                action: "ssm:GetParameter",
                resource: "arn:x:secret1",
                context: { "aws:resourcetag/stack": "dev" },
            }),
            NO,
        );
        assert.strictEqual(
            evaluate([p], {
                action: "ssm:GetParameter",
                resource: "arn:x:p",
                context: { "aws:ResourceTag/Stack": "dev" },
            }),
            OK,
        );
        assert.strictEqual(
            evaluate([p], { action: "ssm:GetParameter", resource: "arn:x:p" }),
            D,
            "missing key: negated matches",
        );
        const q = policy({
            Sid: "A",
            Effect: "Allow",
            Action: "*",
            Resource: "*",
            Condition: { StringEqualsIfExists: { "aws:ResourceTag/Stack": "dev" } },
        });
        assert.strictEqual(evaluate([q], { action: "x:Y", resource: "r" }), OK);
        assert.strictEqual(
            evaluate([q], {
                action: "x:Y",
                resource: "r",
                context: { "aws:ResourceTag/Stack": "prod" },
            }),
            NO,
        );
    });

    it("refuses what it does not implement", () => {
        const p = policy({
            Sid: "A",
            Effect: "Allow",
            Action: "*",
            Resource: "*",
            Condition: { DateGreaterThan: { "aws:CurrentTime": "2020-01-01" } },
        });
        assert.throws(() => evaluate([p], { action: "x:Y", resource: "r" }), /DateGreaterThan/);
        const v = policy({
            Sid: "A",
            Effect: "Allow",
            Action: "*",
            Resource: "arn:${aws:username}",
        });
        assert.throws(() => evaluate([v], { action: "x:Y", resource: "r" }), /policy variables/);
    });
});

describe("CI roles: config (ci-access/config.ts)", () => {
    const key = (k: string) => `ai-portal-ci-access:${k}`;

    it("defaults to all three environments and a new OIDC provider", () => {
        assert.deepStrictEqual(parseCiConfig({ [key("githubRepository")]: REPO }), {
            ok: true,
            config: { githubRepository: REPO, environments: ["preview", "dev", "production"] },
        });
    });

    it("takes a subset of environments (one account per environment) and an existing provider", () => {
        const providerArn = `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`;
        assert.deepStrictEqual(
            parseCiConfig({
                [key("githubRepository")]: REPO,
                [key("environments")]: '["production"]',
                [key("oidcProviderArn")]: providerArn,
            }),
            {
                ok: true,
                config: {
                    githubRepository: REPO,
                    environments: ["production"],
                    oidcProviderArn: providerArn,
                },
            },
        );
    });

    it("lists every problem at once, naming key, value and what is allowed", () => {
        const result = parseCiConfig({
            [key("githubRepository")]: "acme",
            [key("environments")]: '["preview","staging"]',
            [key("oidcProviderArn")]: `arn:aws:iam::${A}:oidc-provider/example.com`,
            [key("enviroments")]: "[]",
        });
        assert.ok(!result.ok);
        const message = configError(result.problems).message;
        assert.strictEqual(result.problems.length, 4, message);
        assert.match(
            message,
            /ai-portal-ci-access:githubRepository = "acme": .* Allowed: <owner>\/<repo>/,
        );
        assert.match(
            message,
            /ai-portal-ci-access:environments = "\[\\"preview\\",\\"staging\\"\]": .* Allowed: a subset of preview, dev, production\./,
        );
        assert.match(
            message,
            /oidcProviderArn = ".*example\.com": must be the ARN of an IAM OIDC provider for GitHub Actions/,
        );
        assert.match(
            message,
            /ai-portal-ci-access:enviroments = "\[\]": is not a key of this program \(did you mean ai-portal-ci-access:environments\?\)/,
        );
    });

    it("requires the repository", () => {
        const result = parseCiConfig({});
        assert.ok(!result.ok);
        assert.deepStrictEqual(
            result.problems.map((p) => [p.key, p.value]),
            [["ai-portal-ci-access:githubRepository", undefined]],
        );
    });
});
