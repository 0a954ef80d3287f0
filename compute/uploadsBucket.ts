import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { declarePrivateBucket } from "../lib/privateBucket";

export interface UploadsBucketArgs {
    /** Prefix for the bucket's name and `Name` tags, e.g. "ai-portal-dev". Required. */
    readonly namePrefix: string;
    /** Pulumi `protect`, and no `forceDestroy`: the bucket and its files survive `pulumi destroy`. */
    readonly protect: boolean;
    /** Days a replaced or deleted file's previous version is kept. */
    readonly noncurrentVersionDays: number;
    /** The stack's data key for SSE-KMS; defaults to SSE-S3. */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Live replication to the DR region's replica (backup/index.ts); defaults to none. */
    readonly replication?: pulumi.Input<aws.types.input.s3.BucketReplicationConfiguration>;
}

/** The uploads bucket's name prefix (S3 appends a unique suffix). */
export function uploadsBucketPrefix(namePrefix: string): string {
    return `${namePrefix}-uploads-`;
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
        const { bucket } = declarePrivateBucket(
            name,
            {
                bucketPrefix: uploadsBucketPrefix(args.namePrefix),
                nameTag: `${args.namePrefix}-uploads`,
                protect: args.protect,
                kmsKeyArn: args.kmsKeyArn,
                replication: args.replication,
                lifecycleRules: [
                    {
                        id: "expire-old-versions-and-failed-uploads",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            this,
        );

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
