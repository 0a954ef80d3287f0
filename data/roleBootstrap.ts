import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_TRUST_POLICY, vpcFunctionStatements } from "../lib/lambdaRole";

export interface RoleBootstrapArgs {
    /** Prefix for the function's name and `Name` tags, e.g. "ai-portal-dev". */
    readonly namePrefix: string;
    /** Private subnets the function runs in (it needs the NAT to reach Secrets Manager). Required. */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The traffic matrix's group for this function (5432 to the database, 443 out). */
    readonly securityGroupId: pulumi.Input<string>;
    /**
     * The database: where the function connects (the instance's address and port) and with what
     * (the RDS-managed master secret, one per instance). Only the invocation uses these, so the
     * function (whose VPC attachment takes a minute or two) is created while the database is.
     */
    readonly database: {
        readonly address: pulumi.Input<string>;
        readonly port: pulumi.Input<number>;
        readonly masterSecretArn: pulumi.Input<string>;
    };
    /** Open WebUI's credentials secret: the role the function creates. */
    readonly appSecretArn: pulumi.Input<string>;
    /** Changes whenever the app credentials change, so the role is updated with them. */
    readonly appSecretVersionId: pulumi.Input<string>;
    /**
     * The usage gate's credentials secret ({"username", "password", "schema", ...}): its role and
     * schema, created and converged with Open WebUI's (handler.js gateStatements). Required.
     */
    readonly gateSecretArn: pulumi.Input<string>;
    /** Changes whenever the gate's credentials change, so its role is updated with them. */
    readonly gateSecretVersionId: pulumi.Input<string>;
    /** Retention of the function's log group. Required. */
    readonly logRetentionDays: number;
    /**
     * Resources that must exist before the function can reach the database and Secrets Manager:
     * its traffic-matrix rules and the private subnets' routes to the NAT gateways.
     */
    readonly networkReady: pulumi.Input<pulumi.Resource>[];
    /**
     * The stack's data key (security/dataKey.ts): the function's log group's; defaults to CloudWatch Logs' own encryption.
     */
    readonly encryptionKeyArn?: pulumi.Input<string>;
}

/** Amazon's CA certificates as the Lambda Node.js runtime ships them (see the function's environment). */
export const LAMBDA_AMAZON_CA_BUNDLE = "/var/runtime/ca-cert.pem";

/** Only the handler and its one dependency: postgres.js, pure JavaScript with no dependencies of its own. */
function functionCode(): pulumi.asset.AssetArchive {
    // The package's exports hide package.json; its CommonJS entry is <package>/cjs/src/index.js.
    const postgresDir = path.resolve(path.dirname(require.resolve("postgres")), "..", "..");
    return new pulumi.asset.AssetArchive({
        "index.js": new pulumi.asset.FileAsset(path.join(__dirname, "bootstrap", "handler.js")),
        "node_modules/postgres/package.json": new pulumi.asset.FileAsset(
            path.join(postgresDir, "package.json"),
        ),
        "node_modules/postgres/cjs": new pulumi.asset.FileArchive(path.join(postgresDir, "cjs")),
    });
}

/**
 * Creates Open WebUI's PostgreSQL role with its own password, at deploy time and from inside the
 * VPC, so that neither the internet-facing host nor the person deploying ever holds the master
 * credentials. A Lambda function reads both secrets and runs idempotent SQL; Pulumi invokes it
 * whenever the role's credentials change.
 */
export class RoleBootstrap extends pulumi.ComponentResource {
    public readonly functionName: string;
    /** The function's role: it reads the database's secrets (the data key's policy names it). */
    public readonly roleArn: pulumi.Output<string>;
    /** What the last invocation reported (role, database, created or updated). */
    public readonly result: pulumi.Output<string>;

    constructor(name: string, args: RoleBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:data:RoleBootstrap", name, {}, opts);
        const parent = { parent: this };
        this.functionName = `${args.namePrefix}-db-role-bootstrap`;

        const partition = aws.getPartitionOutput({}, parent);
        const region = aws.getRegionOutput({}, parent);
        const identity = aws.getCallerIdentityOutput({}, parent);
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            {
                name: `/aws/lambda/${this.functionName}`,
                retentionInDays: args.logRetentionDays,
                kmsKeyId: args.encryptionKeyArn,
                tags: { Name: `${args.namePrefix}-db-role-bootstrap` },
            },
            parent,
        );
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Runs ${this.functionName}`,
                tags: { Name: this.functionName },
                assumeRolePolicy: LAMBDA_TRUST_POLICY,
            },
            parent,
        );
        // Two policies: what the function needs to exist (Lambda checks the VPC rights when it is
        // created) and what only a run needs (the master secret, which exists with the instance).
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
            parent,
        );
        const secretsPolicy = new aws.iam.RolePolicy(
            `${name}-secrets-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ReadTheDatabaseSecrets",
                            Effect: "Allow",
                            Action: ["secretsmanager:GetSecretValue"],
                            Resource: [
                                args.database.masterSecretArn,
                                args.appSecretArn,
                                args.gateSecretArn,
                            ],
                        },
                    ],
                }),
            },
            parent,
        );

        const fn = new aws.lambda.Function(
            `${name}-function`,
            {
                name: this.functionName,
                description:
                    "Creates or updates Open WebUI's and the usage gate's PostgreSQL roles (idempotent)",
                runtime: aws.lambda.Runtime.NodeJS22dX,
                architectures: ["arm64"],
                handler: "index.handler",
                code: functionCode(),
                role: role.arn,
                timeout: 60,
                memorySize: 256,
                vpcConfig: {
                    subnetIds: args.privateSubnetIds,
                    securityGroupIds: [args.securityGroupId],
                },
                // Node.js 20+ runtimes no longer trust Amazon's own CAs by default; this file of the
                // runtime holds them (the RDS CAs among them), so the handler can verify the database.
                environment: { variables: { NODE_EXTRA_CA_CERTS: LAMBDA_AMAZON_CA_BUNDLE } },
                tags: { Name: `${args.namePrefix}-db-role-bootstrap` },
            },
            { parent: this, dependsOn: [logGroup, policy] },
        );

        const invocation = new aws.lambda.Invocation(
            `${name}-run`,
            {
                functionName: fn.name,
                // A new instance (same identifier, so the same address) has a new master secret:
                // the input changes and the role is created in it again.
                input: pulumi.jsonStringify({
                    host: args.database.address,
                    port: args.database.port,
                    masterSecretArn: args.database.masterSecretArn,
                    appSecretArn: args.appSecretArn,
                    gateSecretArn: args.gateSecretArn,
                }),
                triggers: {
                    appCredentialsVersion: args.appSecretVersionId,
                    gateCredentialsVersion: args.gateSecretVersionId,
                },
            },
            { parent: this, dependsOn: [secretsPolicy, ...args.networkReady] },
        );

        this.result = invocation.result;
        this.roleArn = role.arn;
        this.registerOutputs({
            functionName: this.functionName,
            result: this.result,
            roleArn: this.roleArn,
        });
    }
}
