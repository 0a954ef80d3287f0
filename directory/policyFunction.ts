/**
 * The directory's LDAP functions: Lambda functions in the private subnets running
 * `directory/policy/handler.js` with ldapts (pure JavaScript, no dependencies at run time) as their
 * only packaged dependency. Pure helpers for the code archive and the VPC rights, shared by the
 * PasswordPolicies and BindCheck components.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_TRUST_POLICY, vpcFunctionStatements } from "../lib/lambdaRole";

/** The handler and ldapts's CommonJS build (its package.json's `require` export). */
export function policyFunctionCode(): pulumi.asset.AssetArchive {
    // The package's exports hide package.json; its CommonJS entry is <package>/dist/index.cjs.
    const ldaptsDir = path.resolve(path.dirname(require.resolve("ldapts")), "..");
    return new pulumi.asset.AssetArchive({
        "index.js": new pulumi.asset.FileAsset(path.join(__dirname, "policy", "handler.js")),
        "node_modules/ldapts/package.json": new pulumi.asset.FileAsset(
            path.join(ldaptsDir, "package.json"),
        ),
        "node_modules/ldapts/dist/index.cjs": new pulumi.asset.FileAsset(
            path.join(ldaptsDir, "dist", "index.cjs"),
        ),
    });
}

/**
 * A digest of what the archive runs (the handler and ldapts's version), known before anything is
 * deployed: an invocation that names it runs again when the code changes.
 */
export function policyCodeVersion(): string {
    const ldapts = JSON.parse(
        fs.readFileSync(
            path.resolve(path.dirname(require.resolve("ldapts")), "..", "package.json"),
            "utf8",
        ),
    ).version;
    return crypto
        .createHash("sha256")
        .update(fs.readFileSync(path.join(__dirname, "policy", "handler.js")))
        .update(`ldapts@${ldapts}`)
        .digest("hex");
}

export interface LdapFunctionArgs {
    /** The function's name, e.g. "ai-portal-dev-directory-policy". Required. */
    readonly functionName: string;
    /** `index.apply` or `index.checkBind`. */
    readonly handler: "index.apply" | "index.checkBind";
    readonly description: string;
    /** The one secret the function reads. */
    readonly secretArn: pulumi.Input<string>;
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The traffic matrix's `directoryPolicy` group: LDAP to the directory, 443 to Secrets Manager. */
    readonly securityGroupId: pulumi.Input<string>;
    readonly logRetentionDays: number;
    readonly timeoutSeconds: number;
    /** The stack's data key for the log group (security/dataKey.ts); defaults to Logs' own. */
    readonly encryptionKeyArn?: pulumi.Input<string>;
}

export interface LdapFunction {
    readonly fn: aws.lambda.Function;
    /** The policy that lets it read its secret: what a run needs beyond existing. */
    readonly secretPolicy: aws.iam.RolePolicy;
    /** Its role, which reads the secret (the data key's policy names it). */
    readonly role: aws.iam.Role;
}

/**
 * A VPC function with its log group and role: logs to its own group, attaches to the VPC (the
 * writes scoped to this account and region, as the role bootstrap's), reads exactly one secret.
 */
export function ldapFunction(
    name: string,
    args: LdapFunctionArgs,
    parent: pulumi.Resource,
): LdapFunction {
    const opts = { parent };
    const partition = aws.getPartitionOutput({}, opts);
    const region = aws.getRegionOutput({}, opts);
    const identity = aws.getCallerIdentityOutput({}, opts);
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        {
            name: `/aws/lambda/${args.functionName}`,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: args.encryptionKeyArn,
            tags: { Name: args.functionName },
        },
        opts,
    );
    const role = new aws.iam.Role(
        `${name}-role`,
        {
            description: `Runs ${args.functionName}`,
            tags: { Name: args.functionName },
            assumeRolePolicy: LAMBDA_TRUST_POLICY,
        },
        opts,
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-policy`,
        {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: vpcFunctionStatements({
                    logGroupArn: logGroup.arn,
                    partition: partition.partition,
                    region: region.region,
                    accountId: identity.accountId,
                }),
            }),
        },
        opts,
    );
    const secretPolicy = new aws.iam.RolePolicy(
        `${name}-secret-policy`,
        {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "ReadItsSecret",
                        Effect: "Allow",
                        Action: ["secretsmanager:GetSecretValue"],
                        Resource: [args.secretArn],
                    },
                ],
            }),
        },
        opts,
    );
    const fn = new aws.lambda.Function(
        `${name}-function`,
        {
            name: args.functionName,
            description: args.description,
            runtime: aws.lambda.Runtime.NodeJS22dX,
            architectures: ["arm64"],
            handler: args.handler,
            code: policyFunctionCode(),
            role: role.arn,
            timeout: args.timeoutSeconds,
            memorySize: 256,
            vpcConfig: {
                subnetIds: args.privateSubnetIds,
                securityGroupIds: [args.securityGroupId],
            },
            tags: { Name: args.functionName },
        },
        { parent, dependsOn: [logGroup, policy] },
    );
    return { fn, secretPolicy, role };
}
