import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { declarePrivateBucket } from "../lib/privateBucket";

/**
 * The Elastic Load Balancing account that delivers access logs in each region opened before
 * August 2022 (AWS: "Enable access logs for your Application Load Balancer", step 2). eu-west-2
 * is one; newer regions use the logdelivery.elasticloadbalancing.amazonaws.com principal instead.
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
    "eu-west-2": "652711504416",
};

export interface AccessLogBucketArgs {
    /** Prefix for the bucket's name and `Name` tag, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The load balancer's region: whose ELB account may write. Required. */
    readonly region: string;
    /** Days a log object is kept. Required. */
    readonly retentionDays: number;
    /** Keep the bucket and its logs on `pulumi destroy`. */
    readonly protect: boolean;
}

/**
 * Where the ALB writes its access logs: private, SSE-S3 (ALB log delivery supports no other
 * default encryption), versioned and TLS-only like every bucket of the portal, writable by the
 * region's ELB log-delivery account under AWSLogs/<this account>/ only, and expiring logs after
 * the configured days.
 */
export class AccessLogBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    /** The bucket policy: the load balancer waits for it (ALB checks its rights when created). */
    public readonly policy: aws.s3.BucketPolicy;

    constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:edge:AccessLogBucket", name, {}, opts);
        const deliveryAccount = ELB_LOG_DELIVERY_ACCOUNTS[args.region];
        if (!deliveryAccount) {
            throw new Error(`no ELB log-delivery account known for ${args.region}`);
        }
        const partition = aws.getPartitionOutput({}, { parent: this });
        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const { bucket, policy } = declarePrivateBucket(
            name,
            {
                bucketPrefix: `${args.namePrefix}-alb-logs-`,
                nameTag: `${args.namePrefix}-alb-logs`,
                protect: args.protect,
                lifecycleRules: [
                    {
                        id: "expire-logs",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.retentionDays },
                        // Logs are written once; an old version is only ever an expired log.
                        noncurrentVersionExpiration: { noncurrentDays: 1 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
                extraStatements: (bucketArn) => [
                    {
                        Sid: "ElbLogDelivery",
                        Effect: "Allow",
                        Principal: {
                            AWS: pulumi.interpolate`arn:${partition.partition}:iam::${deliveryAccount}:root`,
                        },
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`${bucketArn}/AWSLogs/${identity.accountId}/*`,
                    },
                ],
            },
            this,
        );
        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.policy = policy;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
