/** Lambda: a function that can read the database's credentials runs inside the VPC. */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { fromProperty, list, statementsOf } from "./common";

const T = {
    function: "aws:lambda/function:Function",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    policy: "aws:iam/policy:Policy",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    databases: ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"],
};

/** AWS managed policies that read every secret in the account. */
const MANAGED_SECRET_READERS =
    /:iam::aws:policy\/(SecretsManagerReadWrite|AdministratorAccess|PowerUserAccess)$/;

/**
 * The database's secrets: an RDS-managed master secret (its ARN comes from the database) and any
 * secret whose value was computed from a database (its endpoint, in a URL or credentials).
 */
function databaseSecrets(resources: PolicyResource[]): Set<string> {
    const secrets = new Set(
        resources.filter((r) => T.databases.includes(r.type)).map((r) => r.urn),
    );
    for (const version of resources.filter((r) => r.type === T.secretVersion)) {
        if (fromProperty(version, "secretString").some((d) => T.databases.includes(d.type))) {
            for (const secret of fromProperty(version, "secretId")) {
                secrets.add(secret.urn);
            }
        }
    }
    return secrets;
}

/** Whether a policy document (and what it was computed from) lets its holder read a DB secret. */
function readsDatabaseSecrets(
    document: unknown,
    from: PolicyResource[],
    secrets: Set<string>,
): boolean {
    return (statementsOf(document) ?? []).some((s) => {
        if (
            s.Effect !== "Allow" ||
            !list(s.Action).some((a) => /^secretsmanager:(GetSecretValue|\*)$/.test(a) || a === "*")
        ) {
            return false;
        }
        const resources = list(s.Resource);
        return (
            resources.some((r) => r === "*" || /:secret:\*$/.test(r)) ||
            from.some((d) => secrets.has(d.urn))
        );
    });
}

export const lambdaWithDatabaseSecretsInVpc: StackValidationPolicy = {
    name: "lambda-reading-database-secrets-in-vpc",
    description:
        "A Lambda function whose role can read the database's secrets runs in the VPC's private subnets, not on the public internet.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const secrets = databaseSecrets(args.resources);
        const policiesOf = (role: PolicyResource) =>
            args.resources.filter(
                (r) =>
                    (r.type === T.rolePolicy || r.type === T.attachment) &&
                    fromProperty(r, "role").some((x) => x.urn === role.urn),
            );
        for (const fn of args.resources.filter((r) => r.type === T.function)) {
            const inVpc = (fn.props.vpcConfig?.subnetIds ?? []).length > 0;
            const roles = fromProperty(fn, "role").filter((r) => r.type === T.role);
            const reads = roles.some(
                (role) =>
                    (role.props.inlinePolicies ?? []).some((p: { policy?: unknown }) =>
                        readsDatabaseSecrets(
                            p.policy,
                            fromProperty(role, "inlinePolicies"),
                            secrets,
                        ),
                    ) ||
                    policiesOf(role).some((p) => {
                        if (p.type === T.rolePolicy) {
                            return readsDatabaseSecrets(
                                p.props.policy,
                                fromProperty(p, "policy"),
                                secrets,
                            );
                        }
                        if (MANAGED_SECRET_READERS.test(String(p.props.policyArn))) {
                            return true;
                        }
                        return fromProperty(p, "policyArn")
                            .filter((x) => x.type === T.policy)
                            .some((x) =>
                                readsDatabaseSecrets(
                                    x.props.policy,
                                    fromProperty(x, "policy"),
                                    secrets,
                                ),
                            );
                    }),
            );
            if (reads && !inVpc) {
                report(
                    `${fn.name}: can read the database's secrets but runs outside the VPC (no vpcConfig subnets)`,
                    fn.urn,
                );
            }
        }
    },
};
