import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface UploadsBucketArgs {
    /** Prefix for the bucket's name and `Name` tags, e.g. "ai-portal-dev". Required. */
    readonly namePrefix: string;
    /** Pulumi `protect`, and no `forceDestroy`: the bucket and its files survive `pulumi destroy`. */
    readonly protect: boolean;
    /** Days a replaced or deleted file's previous version is kept. */
    readonly noncurrentVersionDays: number;
}

/**
 * Where Open WebUI keeps uploaded files (STORAGE_PROVIDER=s3), so replacing the web host loses
 * nothing: private (public access blocked, bucket-owner objects only), encrypted, versioned,
 * reachable over TLS only, through the web host's instance role.
 */
export class UploadsBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;

    constructor(name: string, args: UploadsBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:compute:UploadsBucket", name, {}, opts);
        const parent = { parent: this };

        const bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            {
                bucketPrefix: `${args.namePrefix}-uploads-`,
                forceDestroy: !args.protect,
                tags: { Name: `${args.namePrefix}-uploads` },
            },
            { parent: this, protect: args.protect },
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
            parent,
        );
        new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            parent,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            parent,
        );
        const versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            parent,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-old-versions-and-failed-uploads",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            // Lifecycle rules on versions need versioning switched on first.
            { parent: this, dependsOn: [versioning] },
        );
        new aws.s3.BucketPolicy(
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
                    ],
                }),
            },
            // S3 rejects policies while the public access block is being applied.
            { parent: this, dependsOn: [publicAccess] },
        );

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
