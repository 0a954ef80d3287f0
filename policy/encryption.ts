/**
 * Data at rest on production stacks is under a customer-managed KMS key the stack declares
 * (config `encryptionKey`, security/dataKey.ts), not an AWS-managed one: its policy says who may
 * use it, it can be disabled or audited on its own, and Pulumi's AWS compliance policies report
 * each AWS-managed key as a finding.
 *
 * A preview does not know a new key's ARN, so the check is what the input was computed from
 * (stack policies see each input's property dependencies): an `aws:kms/key:Key` of the stack. An
 * ARN pasted in, or the AWS-managed `alias/aws/rds` key's ARN looked up, has no such dependency.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { fromProperty, onProductionStack, statementsOf } from "./common";

const KEY = "aws:kms/key:Key";

/**
 * Where each data-holding type names its key: the top-level input (whose dependencies are
 * checked) and a reader of the value (unset means the service's AWS-managed key). `when` limits a
 * rule to resources that use that kind of data at all.
 */
interface KeyInput {
    readonly input: string;
    readonly what: string;
    readonly value: (props: Record<string, any>) => unknown[];
    readonly when?: (props: Record<string, any>) => boolean;
}

const top =
    (input: string) =>
    (props: Record<string, any>): unknown[] => [props[input]];

const DATA_KEYS: Readonly<Record<string, readonly KeyInput[]>> = {
    "aws:rds/instance:Instance": [
        { input: "kmsKeyId", what: "its storage", value: top("kmsKeyId") },
        {
            input: "performanceInsightsKmsKeyId",
            what: "Performance Insights",
            value: top("performanceInsightsKmsKeyId"),
            when: (p) => p.performanceInsightsEnabled === true,
        },
        {
            input: "masterUserSecretKmsKeyId",
            what: "its managed master secret",
            value: top("masterUserSecretKmsKeyId"),
            when: (p) => p.manageMasterUserPassword === true,
        },
    ],
    "aws:backup/vault:Vault": [
        { input: "kmsKeyArn", what: "its recovery points", value: top("kmsKeyArn") },
    ],
    "aws:secretsmanager/secret:Secret": [
        { input: "kmsKeyId", what: "the secret", value: top("kmsKeyId") },
    ],
    "aws:cloudwatch/logGroup:LogGroup": [
        { input: "kmsKeyId", what: "the log group", value: top("kmsKeyId") },
    ],
    "aws:elasticache/replicationGroup:ReplicationGroup": [
        { input: "kmsKeyId", what: "its data at rest", value: top("kmsKeyId") },
    ],
    "aws:sns/topic:Topic": [
        { input: "kmsMasterKeyId", what: "the topic's messages", value: top("kmsMasterKeyId") },
    ],
    "aws:ecr/repository:Repository": [
        {
            input: "encryptionConfigurations",
            what: "the repository's images",
            value: (props) =>
                // Stryker disable next-line ArrayDeclaration: no value and [undefined] both read as "the AWS-managed key"
                (props.encryptionConfigurations ?? [{}]).map((c: Record<string, unknown>) =>
                    c.encryptionType === "KMS" ? c.kmsKey : undefined,
                ),
        },
    ],
    "aws:ec2/launchTemplate:LaunchTemplate": [
        {
            input: "blockDeviceMappings",
            what: "the volumes it launches",
            value: (p) =>
                (p.blockDeviceMappings ?? [])
                    .filter((m: any) => m.ebs)
                    .map((m: any) => m.ebs.kmsKeyId),
        },
    ],
    "aws:ec2/instance:Instance": [
        {
            input: "rootBlockDevice",
            what: "its root volume",
            value: (p) => [p.rootBlockDevice?.kmsKeyId],
        },
    ],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        {
            input: "rules",
            what: "the bucket's default encryption",
            value: (p) =>
                (p.rules ?? []).map((r: any) =>
                    r.applyServerSideEncryptionByDefault?.sseAlgorithm === "aws:kms"
                        ? r.applyServerSideEncryptionByDefault.kmsMasterKeyId
                        : undefined,
                ),
        },
    ],
};

/**
 * A bucket an Elastic Load Balancing account delivers access logs to: its policy lets another
 * principal put objects under `AWSLogs/`. ALB access logs support SSE-S3 only (ELB User Guide,
 * "Access logs for your Application Load Balancer", bucket requirements), so SSE-S3 is right there.
 */
function isLoadBalancerLogBucket(resources: PolicyResource[], sse: PolicyResource): boolean {
    const buckets = new Set(fromProperty(sse, "bucket").map((b) => b.urn));
    return resources.some(
        (r) =>
            r.type === "aws:s3/bucketPolicy:BucketPolicy" &&
            fromProperty(r, "bucket").some((b) => buckets.has(b.urn)) &&
            (statementsOf(r.props.policy) ?? []).some(
                (s) =>
                    ([] as string[]).concat(s.Action ?? []).includes("s3:PutObject") &&
                    JSON.stringify(s.Resource ?? "").includes("/AWSLogs/"),
            ),
    );
}

export const prodDataCustomerManagedKey: StackValidationPolicy = {
    name: "prod-data-customer-managed-key",
    description:
        "On production stacks, data at rest (RDS storage, Performance Insights and master secret, secrets, log groups, Redis, the alarm topic, EBS volumes, S3 default encryption, the gateway's image repository) is under a customer-managed KMS key the stack declares.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const resource of args.resources) {
            const inputs = DATA_KEYS[resource.type];
            if (!inputs || !onProductionStack(resource)) {
                continue;
            }
            for (const key of inputs) {
                if (key.when && !key.when(resource.props)) {
                    continue;
                }
                const values = key.value(resource.props);
                // Every volume, rule or configuration names a key (none left to the AWS one).
                const allKeyed = values.length > 0 && values.every((v) => v);
                const fromStackKey = fromProperty(resource, key.input).some((r) => r.type === KEY);
                if (allKeyed && fromStackKey) {
                    continue;
                }
                if (
                    key.input === "rules" &&
                    values.every((v) => v === undefined) &&
                    isLoadBalancerLogBucket(args.resources, resource)
                ) {
                    continue;
                }
                report(
                    `${resource.name}: ${key.what} is not under a customer-managed KMS key of this stack (${key.input}: ${allKeyed ? "a key the stack does not declare" : "the AWS-managed key"}); set encryptionKey: customer-managed`,
                    resource.urn,
                );
            }
        }
    },
};
