/**
 * The CI roles as code: GitHub's OIDC provider (or the account's existing one) and one role per
 * GitHub environment. Deployed once per account by an administrator (`pulumi up` in this folder),
 * never by CI: no CI role may change these (policies.ts, DenyChangingCiAccess).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CI_PROJECT, configError, parseCiConfig } from "./config";
import { GitHubRole } from "./githubRole";
import { GITHUB_AUDIENCE, GITHUB_OIDC_URL } from "./policies";

const parsed = parseCiConfig(pulumi.runtime.allConfig());
if (!parsed.ok) {
    throw new pulumi.RunError(configError(parsed.problems).message);
}
const config = parsed.config;

// No `Stack` tag: the deploy roles may change only resources tagged with their stack.
const provider = new aws.Provider("aws", {
    region: "eu-west-2",
    defaultTags: { tags: { Project: CI_PROJECT, ManagedBy: "pulumi" } },
});
const opts = { provider };

const identity = aws.getCallerIdentityOutput({}, opts);
const partition = aws.getPartitionOutput({}, opts);
const account = pulumi
    .all([identity.accountId, partition.partition])
    .apply(([accountId, p]) => ({ accountId, partition: p, region: "eu-west-2" }));

// GitHub's certificate is verified against AWS's own trusted CAs, so no thumbprint is given (the
// provider's `thumbprintLists` documentation; IAM User Guide, "Create an OpenID Connect (OIDC)
// identity provider in IAM").
const providerArn =
    config.oidcProviderArn ??
    new aws.iam.OpenIdConnectProvider(
        "github",
        { url: GITHUB_OIDC_URL, clientIdLists: [GITHUB_AUDIENCE] },
        opts,
    ).arn;

const roles = Object.fromEntries(
    config.environments.map((environment) => [
        environment,
        new GitHubRole(
            `github-${environment}`,
            { environment, repository: config.githubRepository, providerArn, account },
            { providers: [provider] },
        ),
    ]),
);

/** Each environment's role ARN: set it as that GitHub environment's variable AWS_ROLE_ARN. */
export const roleArns = Object.fromEntries(
    Object.entries(roles).map(([environment, role]) => [environment, role.roleArn]),
);
export const oidcProviderArn = providerArn;
