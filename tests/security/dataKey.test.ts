/**
 * The stack's data key: its policy (pure), and what the program encrypts with it in prod
 * (`encryptionKey: customer-managed`, the default) and dev (`aws-managed`, its stack file).
 */
import * as assert from "assert";
import {
    autoScalingRoleSuffix,
    dataKeyAlias,
    dataKeyPolicy,
    DataKeyPolicyFacts,
    stackLogGroupArnPatterns,
} from "../../security/keyPolicy";
import type { DeclaredResource, ProgramRun } from "../../offline/run";
import { forEachStack } from "../harness/stacks";
import { named, ofType, parseJson } from "../harness/query";

const FACTS: DataKeyPolicyFacts = {
    partition: "aws",
    region: "eu-west-2",
    accountId: "123456789012",
    namePrefix: "ai-portal-prod",
    secretReaderRoleArns: [
        "arn:aws:iam::123456789012:role/web",
        "arn:aws:iam::123456789012:role/gateway",
    ],
    uploadsRoleArns: ["arn:aws:iam::123456789012:role/web"],
    uploadsBucketArn: "arn:aws:s3:::ai-portal-prod-uploads-abc",
    autoScalingRoleArn:
        "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_ai-portal-prod",
};

describe("data key policy (pure)", () => {
    it("the account administers the key through IAM; each service and role uses it for this stack only", () => {
        const policy = dataKeyPolicy(FACTS);
        assert.deepStrictEqual(policy.Statement, [
            {
                Sid: "AccountAdministersTheKey",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::123456789012:root" },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "LogsEncryptThisStacksGroups",
                Effect: "Allow",
                Principal: { Service: "logs.eu-west-2.amazonaws.com" },
                Action: [
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                Resource: "*",
                Condition: {
                    ArnLike: {
                        "kms:EncryptionContext:aws:logs:arn": [
                            "arn:aws:logs:eu-west-2:123456789012:log-group:/ai-portal-prod/*",
                            "arn:aws:logs:eu-west-2:123456789012:log-group:/aws/rds/instance/ai-portal-prod-postgres/*",
                            "arn:aws:logs:eu-west-2:123456789012:log-group:/aws/lambda/ai-portal-prod-*",
                        ],
                    },
                },
            },
            {
                Sid: "RolesReadSecretsThroughSecretsManager",
                Effect: "Allow",
                Principal: {
                    AWS: [
                        "arn:aws:iam::123456789012:role/web",
                        "arn:aws:iam::123456789012:role/gateway",
                    ],
                },
                Action: "kms:Decrypt",
                Resource: "*",
                Condition: {
                    StringEquals: { "kms:ViaService": "secretsmanager.eu-west-2.amazonaws.com" },
                },
            },
            {
                Sid: "WebHostsUseUploadsThroughS3",
                Effect: "Allow",
                Principal: { AWS: ["arn:aws:iam::123456789012:role/web"] },
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: "*",
                Condition: {
                    StringEquals: {
                        "kms:ViaService": "s3.eu-west-2.amazonaws.com",
                        "kms:EncryptionContext:aws:s3:arn":
                            "arn:aws:s3:::ai-portal-prod-uploads-abc",
                    },
                },
            },
            {
                Sid: "CloudWatchAlarmsPublishToTheEncryptedTopic",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: "*",
                Condition: {
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                    ArnLike: {
                        "aws:SourceArn": "arn:aws:cloudwatch:eu-west-2:123456789012:alarm:*",
                    },
                },
            },
            {
                Sid: "BudgetsPublishToTheEncryptedTopic",
                Effect: "Allow",
                Principal: { Service: "budgets.amazonaws.com" },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: "*",
                Condition: {
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                    ArnLike: { "aws:SourceArn": "arn:aws:budgets::123456789012:*" },
                },
            },
            {
                Sid: "AutoScalingUsesTheKeyForVolumes",
                Effect: "Allow",
                Principal: { AWS: FACTS.autoScalingRoleArn },
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
                Principal: { AWS: FACTS.autoScalingRoleArn },
                Action: "kms:CreateGrant",
                Resource: "*",
                Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
            },
        ]);
    });

    it("without fleets, no Auto Scaling statement", () => {
        const sids = dataKeyPolicy({ ...FACTS, autoScalingRoleArn: undefined }).Statement.map(
            (s) => s.Sid,
        );
        assert.ok(!sids.some((s) => s.startsWith("AutoScaling")), sids.join(", "));
        assert.strictEqual(sids.length, 6);
    });

    it("the log-group patterns match this stack's groups and not another stack's", () => {
        const patterns = stackLogGroupArnPatterns(FACTS).map(
            (p) => new RegExp(`^${p.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`),
        );
        const arn = (group: string) => `arn:aws:logs:eu-west-2:123456789012:log-group:${group}`;
        for (const group of [
            "/ai-portal-prod/web",
            "/ai-portal-prod/vpc-flow-logs",
            "/aws/rds/instance/ai-portal-prod-postgres/postgresql",
            "/aws/lambda/ai-portal-prod-db-role-bootstrap",
        ]) {
            assert.ok(
                patterns.some((p) => p.test(arn(group))),
                group,
            );
        }
        for (const group of [
            "/ai-portal-dev/web",
            "/aws/rds/instance/ai-portal-dev-postgres/postgresql",
            "/aws/lambda/other-function",
        ]) {
            assert.ok(!patterns.some((p) => p.test(arn(group))), group);
        }
    });

    it("names KMS and IAM accept: the alias (not under alias/aws/) and the service-linked role's suffix", () => {
        // KMS CreateAlias AliasName and IAM CreateServiceLinkedRole CustomSuffix (botocore models).
        assert.strictEqual(dataKeyAlias("ai-portal-prod"), "alias/ai-portal-prod-data");
        assert.match(dataKeyAlias("ai-portal-prod"), /^alias\/(?!aws\/)[a-zA-Z0-9:/_-]{1,250}$/);
        assert.match(autoScalingRoleSuffix("ai-portal-prod"), /^[\w+=,.@-]{1,64}$/);
    });
});

const KEY = "aws:kms/key:Key";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const SECRET = "aws:secretsmanager/secret:Secret";

/** The role ARNs whose inline policies grant `action`. */
function rolesAllowed(run: ProgramRun, action: string): string[] {
    const roles = new Set<string>();
    for (const policy of ofType(run, "aws:iam/rolePolicy:RolePolicy")) {
        const statements = ([] as any[]).concat(parseJson(policy.inputs.policy).Statement);
        if (statements.some((s) => ([] as string[]).concat(s.Action).includes(action))) {
            const [roleUrn] = policy.propertyDependencies.role;
            roles.add(run.resources.find((r) => r.urn === roleUrn)!.state.arn);
        }
    }
    return [...roles].sort();
}

function statement(key: DeclaredResource, sid: string): any {
    const found = parseJson(key.inputs.policy).Statement.find((s: any) => s.Sid === sid);
    assert.ok(found, sid);
    return found;
}

forEachStack(
    "the data key",
    (ctx) => {
        it("one key, rotated, protected with a 30-day deletion window, aliased alias/ai-portal-prod-data", () => {
            const key = named(ctx.run, KEY, "data-key-key");
            assert.strictEqual(key.inputs.enableKeyRotation, true);
            assert.strictEqual(key.inputs.deletionWindowInDays, 30);
            assert.strictEqual(key.inputs.keyUsage, "ENCRYPT_DECRYPT");
            assert.strictEqual(key.protect, true);
            const alias = named(ctx.run, "aws:kms/alias:Alias", "data-key-alias");
            assert.deepStrictEqual(alias.inputs, {
                name: "alias/ai-portal-prod-data",
                targetKeyId: key.state.keyId,
            });
        });

        it("every log group, secret, the database (storage, Performance Insights, master secret), Redis, the alarm topic and the fleets' volumes use it", () => {
            const arn = named(ctx.run, KEY, "data-key-key").state.arn;
            const uses = (r: DeclaredResource, ...paths: string[]) =>
                paths.map(
                    (p) =>
                        `${r.name}.${p}=${p.split(".").reduce((v: any, k) => v?.[k], r.inputs) === arn}`,
                );
            const ownGroups = ofType(ctx.run, LOG_GROUP).filter(
                (g) => !g.name.startsWith("bedrock-logging"),
            );
            assert.ok(ownGroups.length >= 6, "the stack's log groups");
            const found = [
                ...ownGroups.flatMap((g) => uses(g, "kmsKeyId")),
                ...ofType(ctx.run, SECRET).flatMap((s) => uses(s, "kmsKeyId")),
                ...uses(
                    named(ctx.run, "aws:rds/instance:Instance", "data-postgres"),
                    "kmsKeyId",
                    "performanceInsightsKmsKeyId",
                    "masterUserSecretKmsKeyId",
                ),
                ...uses(
                    named(
                        ctx.run,
                        "aws:elasticache/replicationGroup:ReplicationGroup",
                        "session-store-redis",
                    ),
                    "kmsKeyId",
                ),
                ...uses(named(ctx.run, "aws:sns/topic:Topic", "ops-alarms"), "kmsMasterKeyId"),
                ...["compute-web-template", "compute-gateway-template"].flatMap((t) =>
                    uses(
                        named(ctx.run, "aws:ec2/launchTemplate:LaunchTemplate", t),
                        "blockDeviceMappings.0.ebs.kmsKeyId",
                    ),
                ),
            ];
            assert.deepStrictEqual(
                found.filter((f) => f.endsWith("=false")),
                [],
            );
            assert.ok(ofType(ctx.run, SECRET).length >= 6, "the stack's secrets");
        });

        it("the uploads bucket uses it with an S3 Bucket Key; the ALB's access-log bucket keeps SSE-S3 (the only kind ALB log delivery accepts)", () => {
            const arn = named(ctx.run, KEY, "data-key-key").state.arn;
            const encryption = (name: string) =>
                named(
                    ctx.run,
                    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                    name,
                ).inputs.rules;
            assert.deepStrictEqual(encryption("compute-uploads-encryption"), [
                {
                    applyServerSideEncryptionByDefault: {
                        sseAlgorithm: "aws:kms",
                        kmsMasterKeyId: arn,
                    },
                    bucketKeyEnabled: true,
                },
            ]);
            assert.deepStrictEqual(encryption("edge-access-logs-encryption"), [
                {
                    applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
                    bucketKeyEnabled: true,
                },
            ]);
        });

        it("the key policy names exactly the roles that read a secret of the stack, and the web hosts for the uploads", () => {
            const key = named(ctx.run, KEY, "data-key-key");
            assert.deepStrictEqual(
                [...statement(key, "RolesReadSecretsThroughSecretsManager").Principal.AWS].sort(),
                rolesAllowed(ctx.run, "secretsmanager:GetSecretValue"),
            );
            assert.deepStrictEqual(
                statement(key, "WebHostsUseUploadsThroughS3").Principal.AWS,
                rolesAllowed(ctx.run, "s3:PutObject"),
            );
            const bucket = named(ctx.run, "aws:s3/bucket:Bucket", "compute-uploads-bucket");
            assert.strictEqual(
                statement(key, "WebHostsUseUploadsThroughS3").Condition.StringEquals[
                    "kms:EncryptionContext:aws:s3:arn"
                ],
                bucket.state.arn,
            );
        });

        it("the fleets launch with the stack's own Auto Scaling role, which the key policy names", () => {
            const role = named(
                ctx.run,
                "aws:iam/serviceLinkedRole:ServiceLinkedRole",
                "data-key-autoscaling-role",
            );
            assert.deepStrictEqual(
                { service: role.inputs.awsServiceName, suffix: role.inputs.customSuffix },
                { service: "autoscaling.amazonaws.com", suffix: "ai-portal-prod" },
            );
            const key = named(ctx.run, KEY, "data-key-key");
            for (const sid of ["AutoScalingUsesTheKeyForVolumes", "AutoScalingAttachesVolumes"]) {
                assert.strictEqual(statement(key, sid).Principal.AWS, role.state.arn, sid);
            }
            for (const group of ofType(ctx.run, "aws:autoscaling/group:Group")) {
                assert.strictEqual(group.inputs.serviceLinkedRoleArn, role.state.arn, group.name);
            }
        });

        it("keys that cannot change without a replacement are kept by existing resources (ignoreChanges on exactly them)", () => {
            assert.deepStrictEqual(
                named(ctx.run, "aws:rds/instance:Instance", "data-postgres").ignoreChanges,
                [
                    "kmsKeyId",
                    "performanceInsightsKmsKeyId",
                    "masterUserSecretKmsKeyId",
                    // And the restore inputs (data/restore.ts): a restore happens only at creation.
                    "snapshotIdentifier",
                    "restoreToPointInTime",
                ],
            );
            assert.deepStrictEqual(
                named(
                    ctx.run,
                    "aws:elasticache/replicationGroup:ReplicationGroup",
                    "session-store-redis",
                ).ignoreChanges,
                ["kmsKeyId"],
            );
        });
    },
    ["prod"],
);

forEachStack(
    "AWS-managed keys",
    (ctx) => {
        it("dev (encryptionKey: aws-managed) declares no key of its own and names none: each service's AWS-managed key", () => {
            assert.deepStrictEqual(
                ofType(ctx.run, KEY).map((k) => k.name),
                [],
            );
            const named = ctx.run.resources.filter((r) =>
                ["kmsKeyId", "kmsMasterKeyId", "masterUserSecretKmsKeyId"].some(
                    (k) => r.inputs[k] !== undefined,
                ),
            );
            assert.deepStrictEqual(
                named.map((r) => r.name),
                [],
            );
            // Performance Insights names aws/rds explicitly (the policy pack asks for a named key).
        });
    },
    ["dev"],
);
