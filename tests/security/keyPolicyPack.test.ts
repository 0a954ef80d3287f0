/**
 * The policy pack's `prod-data-customer-managed-key` beyond its bad cases in pack.test.ts: what it
 * lets through, and that it holds production only.
 */
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runProgram, runUnderMocks } from "../../offline/run";
import { prodDataCustomerManagedKey } from "../../policy/encryption";
import { checkPolicies } from "../harness/policy";

async function objections(
    stack: string,
    build: (opts: pulumi.CustomResourceOptions) => void,
): Promise<string[]> {
    const run = await runUnderMocks(() => {
        const provider = new aws.Provider("aws", {
            region: "eu-west-2",
            defaultTags: { tags: { Project: "ai-portal", Stack: stack, ManagedBy: "pulumi" } },
        });
        build({ provider });
        return {};
    });
    assert.ifError(run.error);
    return (await checkPolicies(run.resources, [prodDataCustomerManagedKey])).map((v) => v.message);
}

/** Data under AWS-managed keys, the same on either stack. */
function awsManaged(opts: pulumi.CustomResourceOptions): void {
    new aws.secretsmanager.Secret("secret", {}, opts);
    new aws.cloudwatch.LogGroup("logs", { retentionInDays: 30 }, opts);
}

describe("policy prod-data-customer-managed-key", () => {
    it("development stacks may keep AWS-managed keys", async () => {
        assert.deepStrictEqual(await objections("dev", awsManaged), []);
    });

    it("production data under a key the stack declares passes; so does the ALB access-log bucket's SSE-S3", async () => {
        const found = await objections("prod", (opts) => {
            const key = new aws.kms.Key("key", { enableKeyRotation: true }, opts);
            new aws.secretsmanager.Secret("secret", { kmsKeyId: key.arn }, opts);
            new aws.cloudwatch.LogGroup("logs", { retentionInDays: 30, kmsKeyId: key.arn }, opts);
            new aws.sns.Topic("topic", { kmsMasterKeyId: key.arn }, opts);
            new aws.ec2.LaunchTemplate(
                "template",
                {
                    blockDeviceMappings: [
                        { deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: key.arn } },
                    ],
                },
                opts,
            );
            const logs = new aws.s3.Bucket("alb-logs", {}, opts);
            new aws.s3.BucketServerSideEncryptionConfiguration(
                "alb-logs-encryption",
                {
                    bucket: logs.id,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                },
                opts,
            );
            new aws.s3.BucketPolicy(
                "alb-logs-policy",
                {
                    bucket: logs.id,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: { AWS: "arn:aws:iam::652711504416:root" },
                                Action: "s3:PutObject",
                                Resource: pulumi.interpolate`${logs.arn}/AWSLogs/123456789012/*`,
                            },
                        ],
                    }),
                },
                opts,
            );
        });
        assert.deepStrictEqual(found, []);
    });

    it("a launch template whose volumes take the AWS-managed key is caught", async () => {
        const found = await objections("prod", (opts) => {
            new aws.ec2.LaunchTemplate(
                "plain-template",
                { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] },
                opts,
            );
        });
        assert.deepStrictEqual(found, [
            "plain-template: the volumes it launches is not under a customer-managed KMS key of this stack (blockDeviceMappings: the AWS-managed key); set encryptionKey: customer-managed",
        ]);
    });

    it("prod switched to aws-managed keys is refused: every secret, log group, the database, Redis, the topic, the templates, the uploads bucket and the image repository", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { encryptionKey: "aws-managed" },
        });
        assert.ifError(run.error);
        const names = (await checkPolicies(run.resources, [prodDataCustomerManagedKey])).map(
            (v) => v.message.split(":")[0],
        );
        const count = (type: string) => run.resources.filter((r) => r.type === type).length;
        assert.strictEqual(
            names.length,
            count("aws:secretsmanager/secret:Secret") +
                count("aws:cloudwatch/logGroup:LogGroup") +
                3 + // the database's storage, Performance Insights and master secret
                1 + // Redis
                1 + // the alarm topic
                2 + // the two launch templates
                1 + // the uploads bucket (not the ALB's access-log bucket)
                2 + // the gateway's and the usage gate's image repositories
                2 + // the backup vaults, in eu-west-2 and the DR region
                1, // the uploads' replica in the DR region
        );
        for (const name of [
            "data-postgres",
            "session-store-redis",
            "ops-alarms",
            "compute-web-template",
            "compute-uploads-encryption",
            "compute-gateway-image-repo",
            "backup-vault",
            "backup-dr-vault",
            "backup-uploads-replica-encryption",
        ]) {
            assert.ok(names.includes(name), name);
        }
        assert.ok(!names.includes("edge-access-logs-encryption"));
    });
});
