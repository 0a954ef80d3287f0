/** S3: public access, encryption, TLS and versioning. */
import * as aws from "@pulumi/aws";
import {
    PolicyResource,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { fromProperty, statementsOf } from "./common";

const T = {
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    versioning: [
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketVersioningV2:BucketVersioningV2",
    ],
};

const isBucket = (r: PolicyResource) => r.type === T.bucket || r.type === T.bucketV2;

/** The resources of `types` whose `bucket` input came from `bucket`. */
function attached(resources: PolicyResource[], types: string[], bucket: PolicyResource) {
    return resources.filter(
        (r) =>
            types.includes(r.type) && fromProperty(r, "bucket").some((b) => b.urn === bucket.urn),
    );
}

export const s3PublicAccessBlocked: ResourceValidationPolicy = {
    name: "s3-public-access-block-complete",
    description: "S3 public access blocks turn on all four settings.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.s3.BucketPublicAccessBlock, (block, _, report) => {
        for (const key of [
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        ] as const) {
            if (block[key] !== true) {
                report(`${key} is not true`);
            }
        }
    }),
};

export const s3BucketsGuarded: StackValidationPolicy = {
    name: "s3-private-encrypted-tls-only",
    description:
        "Every S3 bucket has a public access block, default encryption and a policy that denies requests without TLS.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const bucket of args.resources.filter(isBucket)) {
            if (attached(args.resources, [T.publicAccess], bucket).length === 0) {
                report(`${bucket.name}: no public access block`, bucket.urn);
            }
            if (attached(args.resources, T.encryption, bucket).length === 0) {
                report(`${bucket.name}: no default encryption`, bucket.urn);
            }
            const tlsOnly = attached(args.resources, [T.bucketPolicy], bucket).some((policy) => {
                const statements = statementsOf(policy.props.policy);
                return (
                    statements === undefined || // not known yet: checked at the next preview
                    statements.some(
                        (s) =>
                            s.Effect === "Deny" &&
                            String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false",
                    )
                );
            });
            if (!tlsOnly) {
                report(`${bucket.name}: no bucket policy denies requests without TLS`, bucket.urn);
            }
        }
    },
};

export const s3Versioning: StackValidationPolicy = {
    name: "s3-versioning",
    description: "Every S3 bucket keeps versions, so an overwrite or a delete can be undone.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const bucket of args.resources.filter(isBucket)) {
            const enabled =
                bucket.props.versioning?.enabled === true ||
                attached(args.resources, T.versioning, bucket).some(
                    (v) => v.props.versioningConfiguration?.status === "Enabled",
                );
            if (!enabled) {
                report(`${bucket.name}: versioning is not enabled`, bucket.urn);
            }
        }
    },
};
