/**
 * The portal's guardrails as Pulumi CrossGuard policies, kept apart from the `PolicyPack` (whose
 * constructor starts a policy server) so tests can run each one over the program's resources.
 * Every policy is mandatory. They read only what a `pulumi preview` knows: inputs, the provider's
 * settings and the dependency graph (new resources' ids are unknown until they exist).
 */
import {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { isProductionStack } from "../lib/stacks";

const WORLD = new Set(["0.0.0.0/0", "::/0"]);
const REQUIRED_TAGS = ["Project", "Stack", "ManagedBy"];

const T = {
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    instance: "aws:ec2/instance:Instance",
    rds: "aws:rds/instance:Instance",
    parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    bucket: "aws:s3/bucket:Bucket",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    encryption:
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
};

/** The provider's default tags, as the provider resource carries them. */
function defaultTags(args: Pick<ResourceValidationArgs, "provider">): Record<string, string> {
    let value = args.provider?.props?.defaultTags;
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return {};
        }
    }
    return (value as { tags?: Record<string, string> } | undefined)?.tags ?? {};
}

/** The stack a resource belongs to, from the provider's default tags (or its own). */
function onProductionStack(args: Pick<ResourceValidationArgs, "provider" | "props">): boolean {
    return isProductionStack(defaultTags(args).Stack ?? args.props.tags?.Stack ?? "");
}

/** Ingress entries of a rule resource or of a group's inline rules, as {from, to, cidrs}. */
function ingressOf(
    args: ResourceValidationArgs,
): { from: number; to: number; protocol: string; cidrs: string[] }[] {
    if (args.type === T.ingress) {
        const p = args.props;
        return [
            {
                from: p.fromPort ?? 0,
                to: p.toPort ?? 65535,
                protocol: String(p.ipProtocol),
                cidrs: [p.cidrIpv4, p.cidrIpv6].filter(Boolean),
            },
        ];
    }
    if (args.type === T.sg) {
        return (args.props.ingress ?? []).map((r: any) => ({
            from: r.fromPort,
            to: r.toPort,
            protocol: String(r.protocol),
            cidrs: [...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])],
        }));
    }
    return [];
}

const coversPort = (r: { from: number; to: number; protocol: string }, port: number) =>
    r.protocol === "-1" || (r.from <= port && port <= r.to);

function statementsOf(document: unknown): any[] | undefined {
    if (typeof document !== "string") {
        return undefined; // unknown during a preview: checked at the next one
    }
    const parsed = JSON.parse(document);
    return [].concat(parsed.Statement ?? []);
}

/** Resources that `resource`'s property `key` was computed from. */
function fromProperty(resource: PolicyResource, key: string): PolicyResource[] {
    return resource.propertyDependencies?.[key] ?? [];
}

export const noWorldIngressExceptWebHttps: StackValidationPolicy = {
    name: "no-world-ingress-except-web-https",
    description:
        "Ingress from 0.0.0.0/0 or ::/0 is allowed only on 80 and 443, and only to the web host's security group.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        // The web host's groups: those of the one instance that has a public address.
        const webGroups = new Set(
            args.resources
                .filter((r) => r.type === T.instance && r.props.associatePublicIpAddress === true)
                .flatMap((r) => fromProperty(r, "vpcSecurityGroupIds").map((g) => g.urn)),
        );
        for (const r of args.resources.filter((x) => x.type === T.ingress)) {
            if (![r.props.cidrIpv4, r.props.cidrIpv6].some((c) => WORLD.has(c))) {
                continue;
            }
            const port = r.props.fromPort;
            const groups = fromProperty(r, "securityGroupId").map((g) => g.urn);
            if (
                port !== r.props.toPort ||
                ![80, 443].includes(port) ||
                groups.length === 0 ||
                !groups.every((g) => webGroups.has(g))
            ) {
                report(
                    `${r.name}: ports ${r.props.fromPort}-${r.props.toPort} are open to the world on a group that is not the web host's (only 80/443 to the web host may be)`,
                    r.urn,
                );
            }
        }
    },
};

export const noSshFromWorld: ResourceValidationPolicy = {
    name: "no-ssh-from-world",
    description: "Port 22 is never open to 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        for (const rule of ingressOf(args)) {
            if (coversPort(rule, 22) && rule.cidrs.some((c) => WORLD.has(c))) {
                report(`SSH (22) is open to ${rule.cidrs.join(", ")}`);
            }
        }
    },
};

export const inlineGroupRulesClosed: ResourceValidationPolicy = {
    name: "security-group-inline-world-ingress",
    description:
        "Security groups declare no inline ingress from the world (the traffic matrix adds rules one by one).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== T.sg) {
            return;
        }
        for (const rule of ingressOf(args)) {
            if (rule.cidrs.some((c) => WORLD.has(c))) {
                report(`inline ingress ${rule.from}-${rule.to} from ${rule.cidrs.join(", ")}`);
            }
        }
    },
};

export const rdsEncryptedPrivateBackedUp: ResourceValidationPolicy = {
    name: "rds-encrypted-private-backed-up",
    description:
        "RDS instances are encrypted, not publicly accessible, and keep automated backups for 7 days or more.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== T.rds) {
            return;
        }
        if (args.props.storageEncrypted !== true) {
            report("storage is not encrypted (storageEncrypted must be true)");
        }
        if (args.props.publiclyAccessible === true) {
            report("the instance is publicly accessible");
        }
        if (!(args.props.backupRetentionPeriod >= 7)) {
            report(
                `backups are kept ${args.props.backupRetentionPeriod ?? 0} days; at least 7 are required`,
            );
        }
    },
};

export const rdsTlsForced: StackValidationPolicy = {
    name: "rds-tls-forced",
    description: "RDS for PostgreSQL instances use a parameter group with rds.force_ssl = 1.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const db of args.resources.filter(
            (r) => r.type === T.rds && String(r.props.engine).startsWith("postgres"),
        )) {
            const groups = fromProperty(db, "parameterGroupName").filter(
                (g) => g.type === T.parameterGroup,
            );
            const forced = groups.some((g) =>
                (g.props.parameters ?? []).some(
                    (p: any) => p.name === "rds.force_ssl" && String(p.value) === "1",
                ),
            );
            if (!forced) {
                report(
                    `${db.name}: no parameter group of this stack forces TLS (rds.force_ssl = 1)`,
                    db.urn,
                );
            }
        }
    },
};

export const prodRdsMultiAzProtected: ResourceValidationPolicy = {
    name: "prod-rds-multi-az-deletion-protection",
    description: "On production stacks RDS instances are Multi-AZ with deletion protection.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== T.rds || !onProductionStack(args)) {
            return;
        }
        if (args.props.multiAz !== true) {
            report("a production database must be Multi-AZ");
        }
        if (args.props.deletionProtection !== true) {
            report("a production database must have deletion protection");
        }
    },
};

export const ec2Hardened: ResourceValidationPolicy = {
    name: "ec2-imdsv2-encrypted-no-public-ip",
    description:
        "EC2 instances require IMDSv2, encrypt their volumes, and have no public address unless tagged Exposure=public.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== T.instance) {
            return;
        }
        const p = args.props;
        if (p.metadataOptions?.httpTokens !== "required") {
            report('IMDSv2 is not required (metadataOptions.httpTokens must be "required")');
        }
        if (p.rootBlockDevice?.encrypted !== true) {
            report("the root volume is not encrypted");
        }
        for (const volume of p.ebsBlockDevices ?? []) {
            if (volume.encrypted !== true) {
                report(`volume ${volume.deviceName} is not encrypted`);
            }
        }
        if (p.associatePublicIpAddress === true && p.tags?.Exposure !== "public") {
            report(
                "a public IP address on an instance not tagged Exposure=public (only the web host may have one)",
            );
        }
    },
};

export const onePublicInstance: StackValidationPolicy = {
    name: "single-public-instance",
    description: "At most one instance (the web host) is exposed to the internet.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const exposed = args.resources.filter(
            (r) =>
                r.type === T.instance &&
                (r.props.associatePublicIpAddress === true || r.props.tags?.Exposure === "public"),
        );
        if (exposed.length > 1) {
            report(
                `${exposed.length} instances are exposed: ${exposed.map((r) => r.name).join(", ")}`,
            );
        }
    },
};

export const s3PublicAccessBlocked: ResourceValidationPolicy = {
    name: "s3-public-access-block-complete",
    description: "S3 public access blocks turn on all four settings.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== T.publicAccess) {
            return;
        }
        for (const key of [
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        ]) {
            if (args.props[key] !== true) {
                report(`${key} is not true`);
            }
        }
    },
};

export const s3BucketsGuarded: StackValidationPolicy = {
    name: "s3-private-encrypted-tls-only",
    description:
        "Every S3 bucket has a public access block, default encryption and a policy that denies requests without TLS.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const attached = (type: string, bucket: PolicyResource) =>
            args.resources.filter(
                (r) =>
                    r.type === type && fromProperty(r, "bucket").some((b) => b.urn === bucket.urn),
            );
        for (const bucket of args.resources.filter((r) => r.type === T.bucket)) {
            if (attached(T.publicAccess, bucket).length === 0) {
                report(`${bucket.name}: no public access block`, bucket.urn);
            }
            if (attached(T.encryption, bucket).length === 0) {
                report(`${bucket.name}: no default encryption`, bucket.urn);
            }
            const tlsOnly = attached(T.bucketPolicy, bucket).some((policy) =>
                (
                    statementsOf(policy.props.policy) ?? [
                        { Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } },
                    ]
                ).some(
                    (s) =>
                        s.Effect === "Deny" &&
                        String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false",
                ),
            );
            if (!tlsOnly) {
                report(`${bucket.name}: no bucket policy denies requests without TLS`, bucket.urn);
            }
        }
    },
};

export const iamNoWildcardActions: ResourceValidationPolicy = {
    name: "iam-no-wildcard-actions",
    description: 'IAM policy documents name their actions: no "*" in an action, no NotAction.',
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (
            ![
                "aws:iam/rolePolicy:RolePolicy",
                "aws:iam/policy:Policy",
                "aws:iam/userPolicy:UserPolicy",
                "aws:iam/groupPolicy:GroupPolicy",
            ].includes(args.type)
        ) {
            return;
        }
        for (const statement of statementsOf(args.props.policy) ?? []) {
            if (statement.NotAction !== undefined) {
                report(`statement ${statement.Sid ?? ""} uses NotAction`);
            }
            for (const action of [].concat(statement.Action ?? []) as string[]) {
                if (action.includes("*")) {
                    report(
                        `statement ${statement.Sid ?? ""} allows the wildcard action "${action}"`,
                    );
                }
            }
        }
    },
};

export const logGroupRetention: ResourceValidationPolicy = {
    name: "log-group-retention",
    description: "Every CloudWatch log group has a retention period.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === T.logGroup && !(args.props.retentionInDays > 0)) {
            report("no retention: the logs would be kept (and billed) forever");
        }
    },
};

export const requiredTags: ResourceValidationPolicy = {
    name: "required-tags",
    description: `Every taggable AWS resource carries ${REQUIRED_TAGS.join(", ")} (set once, through the provider's default tags).`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (
            !args.type.startsWith("aws:") ||
            (args.props.tags === undefined && args.props.tagsAll === undefined)
        ) {
            return;
        }
        const tags = {
            ...defaultTags(args),
            ...(args.props.tagsAll ?? {}),
            ...(args.props.tags ?? {}),
        };
        const missing = REQUIRED_TAGS.filter((t) => !tags[t]);
        if (missing.length > 0) {
            report(`missing tag(s) ${missing.join(", ")}`);
        }
    },
};

export const portalPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    noWorldIngressExceptWebHttps,
    noSshFromWorld,
    inlineGroupRulesClosed,
    rdsEncryptedPrivateBackedUp,
    rdsTlsForced,
    prodRdsMultiAzProtected,
    ec2Hardened,
    onePublicInstance,
    s3PublicAccessBlocked,
    s3BucketsGuarded,
    iamNoWildcardActions,
    logGroupRetention,
    requiredTags,
];
