import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface PrivateBucketArgs {
    /** Bucket name prefix (S3 adds a unique suffix), e.g. "ai-portal-dev-uploads-". Required. */
    readonly bucketPrefix: string;
    /** `Name` tag. Required. */
    readonly nameTag: string;
    /** Pulumi `protect`, and no `forceDestroy`: the bucket and its objects survive `pulumi destroy`. */
    readonly protect: boolean;
    /** Lifecycle rules (each needs versioning on; it is). Required. */
    readonly lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[];
    /** Statements added to the TLS-only policy, given the bucket's ARN (e.g. log delivery). */
    readonly extraStatements?: (bucketArn: pulumi.Output<string>) => object[];
    /**
     * Default encryption with this KMS key (SSE-KMS with an S3 Bucket Key, which keeps KMS
     * requests to a few per object batch). Defaults to SSE-S3, which is what ALB access-log
     * delivery requires. A change applies to objects written afterwards, in place.
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /**
     * Live replication to another bucket, set on the bucket itself (`replicationConfiguration`)
     * rather than as an `aws.s3.BucketReplicationConfig`, which the provider prefers: Pulumi's
     * compliance policy `aws-s3-bucket-enable-replication-configuration` reads only the bucket's
     * own input (README, "Pulumi's compliance-ready policies on prod"). Defaults to none.
     */
    readonly replication?: pulumi.Input<aws.types.input.s3.BucketReplicationConfiguration>;
}

export interface PrivateBucket {
    readonly bucket: aws.s3.Bucket;
    /** The bucket policy: whoever writes through it waits for it. */
    readonly policy: aws.s3.BucketPolicy;
    /** Versioning: a replication that writes to the bucket waits for it (S3 requires it on). */
    readonly versioning: aws.s3.BucketVersioning;
}

/**
 * A private S3 bucket as every bucket of the portal is kept: public access blocked, objects owned
 * by the bucket owner, SSE-S3 (or SSE-KMS with `kmsKeyArn`) by default, versioned, TLS only; children of `parent` named
 * `<name>-bucket`, `-public-access`, `-ownership`, `-encryption`, `-versioning`, `-lifecycle`
 * and `-tls-only`.
 */
export function declarePrivateBucket(
    name: string,
    args: PrivateBucketArgs,
    parent: pulumi.Resource,
    /** Another region's provider (the DR replica); defaults to the parent's. */
    provider?: aws.Provider,
): PrivateBucket {
    const opts = { parent, provider };
    const bucket = new aws.s3.Bucket(
        `${name}-bucket`,
        {
            bucketPrefix: args.bucketPrefix,
            forceDestroy: !args.protect,
            replicationConfiguration: args.replication,
            // S3 refuses a replication configuration on an unversioned bucket, and the provider
            // applies it while creating the bucket, before `-versioning` exists: said here too,
            // with the same value, so the two never disagree.
            versioning: args.replication ? { enabled: true } : undefined,
            tags: { Name: args.nameTag },
        },
        { parent, protect: args.protect, provider },
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
        `${name}-public-access`,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        opts,
    );
    new aws.s3.BucketOwnershipControls(
        `${name}-ownership`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        opts,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-encryption`,
        {
            bucket: bucket.id,
            rules: [
                {
                    applyServerSideEncryptionByDefault: args.kmsKeyArn
                        ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }
                        : { sseAlgorithm: "AES256" },
                    bucketKeyEnabled: true,
                },
            ],
        },
        opts,
    );
    const versioning = new aws.s3.BucketVersioning(
        `${name}-versioning`,
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        opts,
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-lifecycle`,
        { bucket: bucket.id, rules: args.lifecycleRules },
        // Lifecycle rules on versions need versioning switched on first.
        { parent, dependsOn: [versioning], provider },
    );
    const policy = new aws.s3.BucketPolicy(
        `${name}-tls-only`,
        {
            bucket: bucket.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                    ...(args.extraStatements?.(bucket.arn) ?? []),
                ],
            }),
        },
        // S3 rejects policies while the public access block is being applied.
        { parent, dependsOn: [publicAccess], provider },
    );
    return { bucket, policy, versioning };
}
