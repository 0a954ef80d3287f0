/** IAM: named actions, scoped resources, no broad managed policies, trust that cannot be borrowed. */
import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { list, sid, Statement, statementsOf } from "./common";

/** Inline policy documents, whichever resource carries them. */
const documentValidations = (check: (statements: Statement[], report: ReportViolation) => void) => [
    validateResourceOfType(aws.iam.RolePolicy, (p, _, report) =>
        check(statementsOf(p.policy) ?? [], report),
    ),
    validateResourceOfType(aws.iam.Policy, (p, _, report) =>
        check(statementsOf(p.policy) ?? [], report),
    ),
    validateResourceOfType(aws.iam.UserPolicy, (p, _, report) =>
        check(statementsOf(p.policy) ?? [], report),
    ),
    validateResourceOfType(aws.iam.GroupPolicy, (p, _, report) =>
        check(statementsOf(p.policy) ?? [], report),
    ),
    validateResourceOfType(aws.iam.Role, (role, _, report) => {
        // Stryker disable next-line ArrayDeclaration: a stray entry has no document to check
        for (const inline of role.inlinePolicies ?? []) {
            check(statementsOf(inline.policy) ?? [], report);
        }
    }),
];

export const iamNoWildcardActions: ResourceValidationPolicy = {
    name: "iam-no-wildcard-actions",
    description: 'IAM policy documents name their actions: no "*" in an action, no NotAction.',
    enforcementLevel: "mandatory",
    validateResource: documentValidations((statements, report) => {
        for (const statement of statements.filter((s) => s.Effect !== "Deny")) {
            if (statement.NotAction !== undefined) {
                report(`${sid(statement)} uses NotAction`);
            }
            for (const action of list(statement.Action).filter((a) => a.includes("*"))) {
                report(`${sid(statement)} allows the wildcard action "${action}"`);
            }
        }
    }),
};

/**
 * Actions that AWS does not let a policy scope to a resource, and that neither change anything
 * beyond the caller's own session nor read secrets: the only ones allowed on `Resource: "*"`.
 */
export const UNSCOPABLE_ACTIONS = new Set([
    "bedrock:ListFoundationModels",
    "bedrock:ListInferenceProfiles",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ecr:GetAuthorizationToken",
    // Session Manager's channels: the agent's side of a session the caller starts.
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "sts:GetCallerIdentity",
]);

/** Unscopable writes allowed on "*" only under a condition that narrows them. */
const CONDITIONED_ACTIONS: Record<string, string> = {
    "cloudwatch:PutMetricData": "cloudwatch:namespace",
};

const SECRET_READS = [
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "kms:Decrypt",
];

export const iamResourceStarReadOnly: ResourceValidationPolicy = {
    name: "iam-resource-star-only-where-unscopable",
    description:
        'Resource "*" (or NotResource) only for actions AWS cannot scope and that write nothing nor read secrets; secrets are read by ARN.',
    enforcementLevel: "mandatory",
    validateResource: documentValidations((statements, report) => {
        for (const statement of statements.filter((s) => s.Effect !== "Deny")) {
            if (statement.NotResource !== undefined) {
                report(`${sid(statement)} uses NotResource`);
            }
            const actions = list(statement.Action);
            const resources = list(statement.Resource);
            if (resources.includes("*")) {
                for (const action of actions) {
                    const condition = CONDITIONED_ACTIONS[action];
                    if (condition) {
                        const narrowed = Object.values(statement.Condition ?? {}).some(
                            (c) => c[condition] !== undefined,
                        );
                        if (!narrowed) {
                            report(
                                `${sid(statement)} allows ${action} on "*" without a ${condition} condition`,
                            );
                        }
                    } else if (!UNSCOPABLE_ACTIONS.has(action)) {
                        report(`${sid(statement)} allows ${action} on "*"; name the resources`);
                    }
                }
            }
            // A wildcard in the name part of a secret's ARN reads every secret there.
            if (
                actions.some((a) => SECRET_READS.includes(a)) &&
                resources.some((r) => /:(secret|parameter|key)[:/]\*$/.test(r))
            ) {
                report(
                    `${sid(statement)} reads every secret of its kind (${resources.join(", ")})`,
                );
            }
        }
    }),
};

/** Policies that make a principal an administrator, or nearly. */
const BROAD_MANAGED_POLICIES =
    /^arn:aws[a-z-]*:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

function checkManagedPolicy(arn: unknown, report: ReportViolation): void {
    // An ARN not known yet (undefined) reads "undefined": no match.
    if (BROAD_MANAGED_POLICIES.test(String(arn))) {
        report(
            `attaches ${String(arn).split("/").pop()}: administrator rights, where a scoped policy will do`,
        );
    }
}

export const iamNoBroadManagedPolicies: ResourceValidationPolicy = {
    name: "iam-no-admin-managed-policies",
    description: "Nothing is given AdministratorAccess, PowerUserAccess or IAMFullAccess.",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(aws.iam.RolePolicyAttachment, (a, _, report) =>
            checkManagedPolicy(a.policyArn, report),
        ),
        validateResourceOfType(aws.iam.UserPolicyAttachment, (a, _, report) =>
            checkManagedPolicy(a.policyArn, report),
        ),
        validateResourceOfType(aws.iam.GroupPolicyAttachment, (a, _, report) =>
            checkManagedPolicy(a.policyArn, report),
        ),
        validateResourceOfType(aws.iam.PolicyAttachment, (a, _, report) =>
            checkManagedPolicy(a.policyArn, report),
        ),
        validateResourceOfType(aws.iam.Role, (role, _, report) => {
            // Stryker disable next-line ArrayDeclaration: a stray entry is no AWS policy's ARN
            for (const arn of role.managedPolicyArns ?? []) {
                checkManagedPolicy(arn, report);
            }
        }),
    ],
};

/**
 * Service principals that assume a role only when someone in this account passes it to them
 * (iam:PassRole at launch, function creation, or an AWS Backup selection or job naming the role),
 * so there is no other account's request to confuse them with; AWS documents no source condition
 * for them (see prowler#2810; AWS Backup's default service role trusts backup.amazonaws.com
 * without one, AWS Backup Developer Guide, "IAM service roles").
 */
const PASS_ROLE_ONLY_SERVICES = new Set([
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "backup.amazonaws.com",
]);

const SOURCE_KEYS = ["aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths"];

export const iamTrustNoConfusedDeputy: ResourceValidationPolicy = {
    name: "iam-trust-no-confused-deputy",
    description:
        'Role trust policies name who may assume them: no Principal "*", and a service principal only with an aws:SourceAccount or aws:SourceArn condition (EC2, Lambda and AWS Backup, which act only on PassRole, excepted).',
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.iam.Role, (role, _, report) => {
        for (const statement of (statementsOf(role.assumeRolePolicy) ?? []).filter(
            (s) => s.Effect === "Allow",
        )) {
            const principal = statement.Principal;
            if (
                principal === "*" ||
                (typeof principal === "object" && list(principal.AWS).includes("*"))
            ) {
                report(`${sid(statement)} lets anyone assume the role (Principal "*")`);
                continue;
            }
            const services = typeof principal === "object" ? list(principal.Service) : [];
            const conditioned = Object.values(statement.Condition ?? {}).some((c) =>
                SOURCE_KEYS.some((k) => c[k] !== undefined),
            );
            for (const service of services.filter((s) => !PASS_ROLE_ONLY_SERVICES.has(s))) {
                if (!conditioned) {
                    report(
                        `${sid(statement)} trusts ${service} without aws:SourceAccount or aws:SourceArn, so another account's resource could make it act with this role`,
                    );
                }
            }
        }
    }),
};
