/**
 * The stack outputs other teams read through `StackReference`: a public API. Every output is
 * declared here with its type, meaning and an example; index.ts must export exactly these (a
 * stack publishes those of its tier), the JSON Schema (contract/outputs.schema.json, which also
 * says which outputs each tier has) and the README table are generated from this list, and a test
 * pins names, types and presence to CONTRACT_VERSION.
 *
 * Changing the contract: add an output (minor bump) or rename/remove/retype one, or make one
 * absent where it was present (major bump), bump CONTRACT_VERSION, add a line to the README's
 * contract changelog, run `npm run docs`.
 *
 * Some outputs exist in one web tier only (`tier`): the single host's instance and address, or
 * the load-balanced tier's ALB, WAF, Redis and Auto Scaling groups. Consumers read `webTier` first.
 * Likewise some exist with one identity setup only: the directory's outputs when the stack has one
 * (`directoryMode` managed), the OIDC client's with `authMode` oidc or both, SCIM's when it is on.
 * Consumers read `directoryMode` and `authMode` first.
 */
import * as pulumi from "@pulumi/pulumi";

export const CONTRACT_VERSION = "2.3.0";

export type OutputType = "string" | "number" | "string[]";

export interface OutputDoc {
    readonly type: OutputType;
    readonly description: string;
    readonly example: string | number | readonly string[];
    /** Regular expression every value (or every item) matches. */
    readonly pattern?: string;
    /** Present only in this web tier (absent in the other); always present when unset. */
    readonly tier?: "single" | "loadBalanced";
    /** Present only when WAF is on (`wafEnabled`), within `tier`. */
    readonly onlyWithWaf?: boolean;
    /** Present only when the stack has a guardrail (config `guardrail` on; always in production). */
    readonly onlyWithGuardrail?: boolean;
    /** Present only when backups are copied to the DR region (config `backupCrossRegionCopy`; always in production). */
    readonly onlyWithDrCopy?: boolean;
    /** Present only when the stack has a directory (`directoryMode` managed). */
    readonly onlyWithDirectory?: boolean;
    /** Present only when people sign in through OIDC (`authMode` oidc or both). */
    readonly onlyWithOidc?: boolean;
    /** Present only when SCIM provisioning is on (config `scim`). */
    readonly onlyWithScim?: boolean;
}

const ARN_SECRET = "^arn:aws:secretsmanager:eu-west-2:[0-9]{12}:secret:.+$";
const SG = "^sg-[0-9a-f]+$";
const SUBNET = "^subnet-[0-9a-f]+$";
const IPV4 = "^([0-9]{1,3}\\.){3}[0-9]{1,3}$";

export const OUTPUTS = {
    contractVersion: {
        type: "string",
        description: "Version of this output contract (semver; a major bump breaks consumers).",
        example: CONTRACT_VERSION,
        pattern: "^[0-9]+\\.[0-9]+\\.[0-9]+$",
    },
    webTier: {
        type: "string",
        description:
            "The web tier: single (one host with an Elastic IP) or loadBalanced (ALB, Auto Scaling groups, Redis). Says which tier-only outputs exist.",
        example: "loadBalanced",
        pattern: "^(single|loadBalanced)$",
    },
    portalUrl: {
        type: "string",
        description: "HTTPS URL of the portal (the domain name, or the Elastic IP).",
        example: "https://portal.example.com",
        pattern: "^https://",
    },
    webPublicIp: {
        type: "string",
        description: "Elastic IP of the web host (point the domain's A record here).",
        example: "18.130.10.20",
        pattern: IPV4,
        tier: "single",
    },
    webSecurityGroupId: {
        type: "string",
        description: "Security group of the web host(s).",
        example: "sg-0a1b2c3d4e5f60718",
        pattern: SG,
    },
    webInstanceId: {
        type: "string",
        description: "EC2 instance of the web host (for Session Manager).",
        example: "i-0a1b2c3d4e5f60718",
        pattern: "^i-[0-9a-f]+$",
        tier: "single",
    },
    webAutoScalingGroupName: {
        type: "string",
        description: "Auto Scaling group of the web hosts (their instances, for Session Manager).",
        example: "ai-portal-prod-web",
        tier: "loadBalanced",
    },
    albDnsName: {
        type: "string",
        description: "DNS name of the internet-facing ALB (the portal's alias record points here).",
        example: "ai-portal-prod-web-1234567890.eu-west-2.elb.amazonaws.com",
        pattern: "\\.elb\\.amazonaws\\.com$",
        tier: "loadBalanced",
    },
    albZoneId: {
        type: "string",
        description: "Route 53 zone of the ALB, for alias records of your own.",
        example: "ZHURV8PSTC4K8",
        pattern: "^Z[0-9A-Z]+$",
        tier: "loadBalanced",
    },
    albArn: {
        type: "string",
        description: "ARN of the internet-facing ALB.",
        example:
            "arn:aws:elasticloadbalancing:eu-west-2:123456789012:loadbalancer/app/ai-portal-prod-web/0123456789abcdef",
        pattern: "^arn:aws:elasticloadbalancing:eu-west-2:[0-9]{12}:loadbalancer/app/",
        tier: "loadBalanced",
    },
    wafAclArn: {
        type: "string",
        description: "ARN of the WAF web ACL on the ALB.",
        example:
            "arn:aws:wafv2:eu-west-2:123456789012:regional/webacl/ai-portal-prod-web/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
        pattern: "^arn:aws:wafv2:eu-west-2:[0-9]{12}:regional/webacl/",
        tier: "loadBalanced",
        onlyWithWaf: true,
    },
    redisEndpoint: {
        type: "string",
        description: "Primary endpoint of the web tier's Redis (TLS, auth token; web hosts only).",
        example: "master.ai-portal-prod-redis.abc123.euw2.cache.amazonaws.com",
        pattern: "\\.cache\\.amazonaws\\.com$",
        tier: "loadBalanced",
    },
    openWebUiImage: {
        type: "string",
        description: "Open WebUI image the web host runs, pinned by digest.",
        example: `ghcr.io/open-webui/open-webui@sha256:${"0a1b2c3d".repeat(8)}`,
        pattern: "@sha256:[0-9a-f]{64}$",
    },
    preUpgradeSnapshotIdentifier: {
        type: "string",
        description:
            "Manual RDS snapshot taken before hosts of the current Open WebUI image started (named after its digest); restore it to roll back. Kept after the next upgrade until deleted.",
        example: "ai-portal-prod-postgres-pre-72c0ba641ba7-1a2b3c4d",
        pattern: "^[a-z][a-z0-9-]*-pre-[0-9a-f]{12}-[0-9a-f]{8}$",
    },
    uploadsBucketName: {
        type: "string",
        description: "S3 bucket holding Open WebUI's uploaded files.",
        example: "ai-portal-prod-uploads-20261125",
        pattern: "^[a-z0-9][a-z0-9.-]+$",
    },
    gatewaySecurityGroupId: {
        type: "string",
        description:
            "Security group that admits callers of gatewayUrl (the gateway host's, or its internal load balancer's); add an ingress rule on the gateway port from your own group to call it.",
        example: "sg-0f1e2d3c4b5a69788",
        pattern: SG,
    },
    gatewayUrl: {
        type: "string",
        description:
            "Internal OpenAI-compatible base URL of the gateway (VPC only). loadBalanced: https://gateway.<domainName>/api/v1, its internal load balancer with a publicly trusted certificate (port 443, the scheme's default, so the URL names none). single: http://<the host's private address>:<gatewayPort>/api/v1, plain HTTP. Parse it as a URL; a missing port is the scheme's.",
        example: "https://gateway.portal.example.com/api/v1",
        pattern: "^(https://[A-Za-z0-9.-]+|http://[A-Za-z0-9.-]+:[0-9]+)/api/v1$",
    },
    gatewayApiKeySecretArn: {
        type: "string",
        description: "Secret whose JSON field api_key is the gateway's client key (ARN only).",
        example:
            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-prod/gateway/api-key-AbCdEf",
        pattern: ARN_SECRET,
    },
    gatewayImage: {
        type: "string",
        description: "Gateway image the gateway host runs, pinned by digest.",
        example: `123456789012.dkr.ecr.eu-west-2.amazonaws.com/ai-portal-prod/bedrock-access-gateway@sha256:${"4e5f6a7b".repeat(8)}`,
        pattern: "@sha256:[0-9a-f]{64}$",
    },
    gatewayInstanceId: {
        type: "string",
        description: "EC2 instance of the gateway host (for Session Manager).",
        example: "i-0f1e2d3c4b5a69788",
        pattern: "^i-[0-9a-f]+$",
        tier: "single",
    },
    gatewayAutoScalingGroupName: {
        type: "string",
        description: "Auto Scaling group of the gateway hosts.",
        example: "ai-portal-prod-gateway",
        tier: "loadBalanced",
    },
    vpcId: {
        type: "string",
        description: "The portal's VPC.",
        example: "vpc-0a1b2c3d4e5f60718",
        pattern: "^vpc-[0-9a-f]+$",
    },
    vpcCidr: {
        type: "string",
        description: "IPv4 block of the VPC.",
        example: "10.0.0.0/16",
        pattern: "^[0-9.]+/[0-9]+$",
    },
    availabilityZones: {
        type: "string[]",
        description: "Availability Zones used, in subnet order.",
        example: ["eu-west-2a", "eu-west-2b"],
        pattern: "^eu-west-2[a-z]$",
    },
    publicSubnetIds: {
        type: "string[]",
        description: "Public subnets, in AZ order.",
        example: ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"],
        pattern: SUBNET,
    },
    privateSubnetIds: {
        type: "string[]",
        description: "Private subnets, in AZ order.",
        example: ["subnet-01a2b3c4d5e6f7081", "subnet-0918273645a5b6c7d"],
        pattern: SUBNET,
    },
    natPublicIps: {
        type: "string[]",
        description:
            "Addresses the private subnets' traffic leaves from (for allow-lists elsewhere).",
        example: ["18.130.1.2"],
        pattern: IPV4,
    },
    dbEndpoint: {
        type: "string",
        description: "Host name of the PostgreSQL instance (TLS required).",
        example: "ai-portal-prod-postgres.abcdefghijkl.eu-west-2.rds.amazonaws.com",
        pattern: "\\.rds\\.amazonaws\\.com$",
    },
    dbPort: { type: "number", description: "PostgreSQL port.", example: 5432 },
    dbName: {
        type: "string",
        description: "Database holding Open WebUI's data.",
        example: "aiportal",
        pattern: "^[a-z][a-z0-9_]*$",
    },
    dbSecurityGroupId: {
        type: "string",
        description: "Security group of the database.",
        example: "sg-0123456789abcdef0",
        pattern: SG,
    },
    dbSecretArn: {
        type: "string",
        description: "RDS-managed (rotating) master user secret (ARN only).",
        example: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:rds!db-0a1b2c3d-AbCdEf",
        pattern: ARN_SECRET,
    },
    dbAppSecretArn: {
        type: "string",
        description:
            "Open WebUI's database credentials: engine, username, password, port, dbname; its address is dbEndpoint (ARN only).",
        example:
            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-prod/database/openwebui-AbCdEf",
        pattern: ARN_SECRET,
    },
    dbGateSecretArn: {
        type: "string",
        description:
            "The usage gate's database credentials: engine, username, password, port, dbname, schema (ARN only).",
        example:
            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-prod/database/usage-gate-AbCdEf",
        pattern: ARN_SECRET,
    },
    dbRestoredFrom: {
        type: "string",
        description:
            'The backup the database was created from: a DB snapshot or recovery point ARN, or "<source instance>@<UTC time or latest>" for a point in time; "" when it was created empty.',
        example:
            "arn:aws:rds:eu-west-2:123456789012:snapshot:awsbackup:job-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
        pattern: "^(|arn:aws:rds:eu-west-2:[0-9]{12}:snapshot:.+|[A-Za-z][A-Za-z0-9-]*@.+)$",
    },
    directoryId: {
        type: "string",
        description: "AWS Managed Microsoft AD directory.",
        example: "d-9c67a1b2c3",
        pattern: "^d-[0-9a-f]+$",
        onlyWithDirectory: true,
    },
    directoryDomain: {
        type: "string",
        description: "DNS domain of the directory.",
        example: "corp.aiportal.internal",
        onlyWithDirectory: true,
    },
    directoryShortName: {
        type: "string",
        description: "NetBIOS name of the directory.",
        example: "CORP",
        onlyWithDirectory: true,
    },
    directoryDnsIps: {
        type: "string[]",
        description: "Domain controllers: the directory's DNS and LDAP servers.",
        example: ["10.0.10.42", "10.0.11.187"],
        pattern: IPV4,
        onlyWithDirectory: true,
    },
    directorySecurityGroupId: {
        type: "string",
        description: "Security group AWS created for the domain controllers.",
        example: "sg-0abcdef0123456789",
        pattern: SG,
        onlyWithDirectory: true,
    },
    directoryAdminDn: {
        type: "string",
        description: "DN of the directory's built-in Admin.",
        example: "CN=Admin,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal",
        pattern: "^CN=Admin,OU=Users,",
        onlyWithDirectory: true,
    },
    directorySearchBase: {
        type: "string",
        description: "LDAP search base of the directory's users.",
        example: "OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal",
        pattern: "^OU=Users,",
        onlyWithDirectory: true,
    },
    directoryAdminSecretArn: {
        type: "string",
        description: "Bootstrap Admin credentials (ARN only).",
        example:
            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-prod/directory/admin-AbCdEf",
        pattern: ARN_SECRET,
        onlyWithDirectory: true,
    },
    directoryBindSecretArn: {
        type: "string",
        description: "Open WebUI's LDAP bind account credentials (ARN only).",
        example:
            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-prod/directory/openwebui-bind-AbCdEf",
        pattern: ARN_SECRET,
        onlyWithDirectory: true,
    },
    authMode: {
        type: "string",
        description:
            "How people sign in: ldap (the directory's passwords), oidc (the identity provider) or both. Says whether the OIDC outputs exist.",
        example: "ldap",
        pattern: "^(ldap|oidc|both)$",
    },
    directoryMode: {
        type: "string",
        description:
            "managed (an AWS Managed Microsoft AD) or none (OIDC sign-in only). Says whether the directory outputs exist.",
        example: "managed",
        pattern: "^(managed|none)$",
    },
    oidcRedirectUri: {
        type: "string",
        description:
            "The redirect (callback) URI to register with the identity provider for the portal's client.",
        example: "https://portal.example.com/oauth/oidc/callback",
        pattern: "^https://[^/]+/oauth/oidc/callback$",
        onlyWithOidc: true,
    },
    oidcClientSecretArn: {
        type: "string",
        description: "The OIDC client secret the web hosts read (ARN only).",
        example:
            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-prod/web/oidc-client-AbCdEf",
        pattern: ARN_SECRET,
        onlyWithOidc: true,
    },
    scimEndpoint: {
        type: "string",
        description:
            "Open WebUI's SCIM 2.0 base URL, for the identity provider's provisioning (answered only from scimAllowedCidrs).",
        example: "https://portal.example.com/api/v1/scim/v2",
        pattern: "^https://[^/]+/api/v1/scim/v2$",
        onlyWithScim: true,
    },
    scimTokenSecretArn: {
        type: "string",
        description:
            "The SCIM bearer token to give the identity provider (ARN only; read it with GetSecretValue).",
        example:
            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-prod/web/scim-token-AbCdEf",
        pattern: ARN_SECRET,
        onlyWithScim: true,
    },
    dashboardUrl: {
        type: "string",
        description:
            "The stack's CloudWatch dashboard (health, Bedrock use, hosts, database, spend).",
        example:
            "https://eu-west-2.console.aws.amazon.com/cloudwatch/home?region=eu-west-2#dashboards/dashboard/ai-portal-prod",
        pattern: "^https://eu-west-2\\.console\\.aws\\.amazon\\.com/cloudwatch/",
    },
    guardrailId: {
        type: "string",
        description:
            "The stack's Bedrock guardrail (content, prompt-attack, PII and word filters). The one of accountSettingsStack is enforced on every Bedrock call in the account and region.",
        example: "a1b2c3d4e5f6",
        pattern: "^[a-z0-9]+$",
        onlyWithGuardrail: true,
    },
    guardrailArn: {
        type: "string",
        description: "ARN of the stack's Bedrock guardrail.",
        example: "arn:aws:bedrock:eu-west-2:123456789012:guardrail/a1b2c3d4e5f6",
        pattern: "^arn:aws:bedrock:eu-west-2:[0-9]{12}:guardrail/[a-z0-9]+$",
        onlyWithGuardrail: true,
    },
    guardrailVersion: {
        type: "string",
        description:
            "The guardrail's published version the enforcement uses; pass it with guardrailArn to apply the same guardrail to calls of your own.",
        example: "3",
        pattern: "^[1-9][0-9]{0,7}$",
        onlyWithGuardrail: true,
    },
    auditLogGroupName: {
        type: "string",
        description:
            "CloudWatch log group of Open WebUI's audit trail (who did what, when, from where), kept apart from the application logs with its own retention.",
        example: "/ai-portal-prod/audit",
        pattern: "^/[a-z0-9-]+/audit$",
    },
    defaultModelProfileArn: {
        type: "string",
        description:
            "The application inference profile the portal's default model runs through; calls through it carry the stack's cost-allocation tags.",
        example:
            "arn:aws:bedrock:eu-west-2:123456789012:application-inference-profile/a1b2c3d4e5f6",
        pattern: "^arn:aws:bedrock:eu-west-2:[0-9]{12}:application-inference-profile/",
    },
    backupVaultArn: {
        type: "string",
        description:
            "AWS Backup vault in eu-west-2 holding the daily and monthly recovery points of the database and the uploads bucket.",
        example: "arn:aws:backup:eu-west-2:123456789012:backup-vault:ai-portal-prod-backup",
        pattern: "^arn:aws:backup:eu-west-2:[0-9]{12}:backup-vault:[a-zA-Z0-9_-]{2,50}$",
    },
    backupDrVaultArn: {
        type: "string",
        description:
            "AWS Backup vault in the DR region (config drRegion) holding a copy of every recovery point.",
        example: "arn:aws:backup:eu-west-1:123456789012:backup-vault:ai-portal-prod-backup-dr",
        pattern: "^arn:aws:backup:eu-[a-z]+-[0-9]:[0-9]{12}:backup-vault:[a-zA-Z0-9_-]{2,50}$",
        onlyWithDrCopy: true,
    },
    recoveryObjectives: {
        type: "string[]",
        description:
            "Worst-case RPO and RTO in minutes per store and scenario, computed from the configuration (backup/recovery.ts); none: not recoverable (RPO) or no stated figure (RTO).",
        example: ["database/in-region rpo=5 rto=40", "database/region-loss rpo=1740 rto=none"],
        pattern:
            "^(database|uploads|directory)/(in-region|region-loss) rpo=([0-9]+|none) rto=([0-9]+|none)$",
    },
    alarmTopicArn: {
        type: "string",
        description: "SNS topic the portal's alarms notify; subscribe your on-call tooling here.",
        example: "arn:aws:sns:eu-west-2:123456789012:ai-portal-prod-alarms",
        pattern: "^arn:aws:sns:eu-west-2:[0-9]{12}:.+$",
    },
} as const satisfies Record<string, OutputDoc>;

export type OutputName = keyof typeof OUTPUTS;

type ValueOf<T extends OutputType> = T extends "string"
    ? string
    : T extends "number"
      ? number
      : string[];

type Entry<K extends OutputName> = pulumi.Input<ValueOf<(typeof OUTPUTS)[K]["type"]>>;

/** What index.ts exports: every contract output, typed as declared; tier-only ones may be absent. */
export type PortalOutputs = {
    readonly [K in OutputName]: (typeof OUTPUTS)[K] extends
        | { tier: string }
        | { onlyWithGuardrail: true }
        | { onlyWithDrCopy: true }
        | { onlyWithDirectory: true }
        | { onlyWithOidc: true }
        | { onlyWithScim: true }
        ? Entry<K> | undefined
        : Entry<K>;
};

/** Where an output exists, for the README. */
function presence(doc: OutputDoc): string {
    if (doc.onlyWithGuardrail) {
        return "with a guardrail (always in production)";
    }
    if (doc.onlyWithDrCopy) {
        return "with the DR copy (always in production)";
    }
    if (doc.onlyWithDirectory) {
        return "directoryMode managed";
    }
    if (doc.onlyWithOidc) {
        return "authMode oidc or both";
    }
    if (doc.onlyWithScim) {
        return "with scim";
    }
    if (!doc.tier) {
        return "always";
    }
    return doc.onlyWithWaf ? `${doc.tier}, with WAF` : doc.tier;
}

/** JSON Schema (draft-07) of a stack's outputs under this contract. */
export function outputsSchema(): Record<string, unknown> {
    const properties: Record<string, unknown> = {};
    for (const [name, doc] of Object.entries(OUTPUTS) as [string, OutputDoc][]) {
        const scalar = (type: "string" | "number") => ({
            type,
            ...(doc.pattern ? { pattern: doc.pattern } : {}),
        });
        const base =
            doc.type === "string[]" ? { type: "array", items: scalar("string") } : scalar(doc.type);
        properties[name] = {
            ...base,
            description: doc.description,
            examples: [doc.example],
            ...(name === "contractVersion" ? { const: CONTRACT_VERSION } : {}),
        };
    }
    const entries = Object.entries(OUTPUTS) as [string, OutputDoc][];
    const tiers = ["single", "loadBalanced"] as const;
    return {
        $schema: "http://json-schema.org/draft-07/schema#",
        title: `AI Portal stack outputs, contract ${CONTRACT_VERSION}`,
        type: "object",
        required: entries
            .filter(
                ([, doc]) =>
                    !doc.tier &&
                    !doc.onlyWithGuardrail &&
                    !doc.onlyWithDrCopy &&
                    !doc.onlyWithDirectory &&
                    !doc.onlyWithOidc &&
                    !doc.onlyWithScim,
            )
            .map(([name]) => name),
        additionalProperties: false,
        properties,
        // Per web tier: its own outputs present (WAF's only with WAF), the other tier's absent.
        allOf: [
            ...tiers.map((tier) => ({
                if: { properties: { webTier: { const: tier } }, required: ["webTier"] },
                then: {
                    required: entries
                        .filter(([, doc]) => doc.tier === tier && !doc.onlyWithWaf)
                        .map(([name]) => name),
                    properties: Object.fromEntries(
                        entries
                            .filter(([, doc]) => doc.tier !== undefined && doc.tier !== tier)
                            .map(([name]) => [name, false]),
                    ),
                },
            })),
            // Per identity setup: its outputs present when the announcing output says so, absent
            // otherwise.
            identitySetup("directoryMode", ["managed"], (doc) => doc.onlyWithDirectory),
            identitySetup("authMode", ["oidc", "both"], (doc) => doc.onlyWithOidc),
        ],
    };
}

/**
 * The schema rule for outputs that exist with one identity setup: required when `output` holds one
 * of `values`, forbidden otherwise.
 */
function identitySetup(
    output: string,
    values: readonly string[],
    has: (doc: OutputDoc) => boolean | undefined,
): Record<string, unknown> {
    const names = (Object.entries(OUTPUTS) as [string, OutputDoc][])
        .filter(([, doc]) => has(doc))
        .map(([name]) => name);
    return {
        if: { properties: { [output]: { enum: [...values] } }, required: [output] },
        then: { required: names },
        else: { properties: Object.fromEntries(names.map((n) => [n, false])) },
    };
}

/** The README's table of outputs. */
export function outputsTable(): string {
    const rows = (Object.entries(OUTPUTS) as [string, OutputDoc][]).map(
        ([name, doc]) =>
            `| \`${name}\` | ${doc.type} | ${presence(doc)} | ${doc.description} | \`${Array.isArray(doc.example) ? JSON.stringify(doc.example) : String(doc.example)}\` |`,
    );
    return [
        "| output | type | present | meaning | example |",
        "|---|---|---|---|---|",
        ...rows,
    ].join("\n");
}
