/**
 * One GitHub environment's AWS role: trusted only for jobs of this repository that run in that
 * environment, with the permissions of policies.ts (the preview role reads configuration; the
 * deploy roles deploy their own stack).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    Account,
    ciRoleName,
    deployPolicy,
    Environment,
    githubTrustPolicy,
    POWER_USER_POLICY,
    previewPolicies,
    STACK_OF,
} from "./policies";

export interface GitHubRoleArgs {
    /** The GitHub environment whose jobs may assume the role. */
    readonly environment: Environment;
    /** `<owner>/<repo>` whose workflows run in that environment. */
    readonly repository: string;
    /** ARN of the account's IAM OIDC provider for GitHub Actions. */
    readonly providerArn: pulumi.Input<string>;
    /** The account and partition the role lives in (from the provider's caller identity). */
    readonly account: pulumi.Input<Account>;
}

export class GitHubRole extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;
    public readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: GitHubRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:ci:GitHubRole", name, {}, opts);
        const parent = { parent: this };
        const stack = STACK_OF[args.environment];
        const account = pulumi.output(args.account);
        const json = (build: (a: Account) => unknown) =>
            account.apply((a) => JSON.stringify(build(a)));
        const deploys = args.environment !== "preview";

        const role = new aws.iam.Role(
            name,
            {
                name: ciRoleName(args.environment),
                description: deploys
                    ? `GitHub Actions environment ${args.environment}: pulumi up of ${stack}`
                    : `GitHub Actions environment ${args.environment}: pulumi preview of ${stack}, configuration reads only`,
                assumeRolePolicy: pulumi
                    .output(args.providerArn)
                    .apply((arn) =>
                        JSON.stringify(githubTrustPolicy(arn, args.repository, args.environment)),
                    ),
                // The job's credentials last an hour (configure-aws-credentials' default).
                maxSessionDuration: 3600,
            },
            parent,
        );

        if (deploys) {
            new aws.iam.RolePolicyAttachment(
                `${name}-power-user`,
                {
                    role: role.name,
                    policyArn: account.apply(
                        (a) => `arn:${a.partition}:iam::aws:policy/${POWER_USER_POLICY}`,
                    ),
                },
                parent,
            );
            new aws.iam.RolePolicy(
                `${name}-stack`,
                {
                    role: role.name,
                    name: "stack-iam-and-denials",
                    policy: json((a) => deployPolicy(a, stack)),
                },
                parent,
            );
        } else {
            new aws.iam.RolePolicy(
                `${name}-read`,
                {
                    role: role.name,
                    name: "read-configuration",
                    policy: json((a) => previewPolicies(a, stack).read),
                },
                parent,
            );
            new aws.iam.RolePolicy(
                `${name}-deny`,
                {
                    role: role.name,
                    name: "deny-data-and-other-stacks",
                    policy: json((a) => previewPolicies(a, stack).deny),
                },
                parent,
            );
        }

        this.roleArn = role.arn;
        this.roleName = role.name;
        this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
    }
}
