/**
 * The stack outputs other teams read through `StackReference`: a public API. Every output is
 * declared here with its type, meaning and an example; index.ts must export exactly these, the
 * JSON Schema (contract/outputs.schema.json) and the README table are generated from this list,
 * and a test pins names and types to CONTRACT_VERSION.
 *
 * Changing the contract: add an output (minor bump) or rename/remove/retype one (major bump),
 * bump CONTRACT_VERSION, add a line to the README's contract changelog, run `npm run docs`.
 */
import * as pulumi from "@pulumi/pulumi";

export const CONTRACT_VERSION = "1.1.0";

export type OutputType = "string" | "number" | "string[]";

export interface OutputDoc {
    readonly type: OutputType;
    readonly description: string;
    readonly example: string | number | readonly string[];
    /** Regular expression every value (or every item) matches. */
    readonly pattern?: string;
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
    },
    webSecurityGroupId: {
        type: "string",
        description: "Security group of the web host.",
        example: "sg-0a1b2c3d4e5f60718",
        pattern: SG,
    },
    webInstanceId: {
        type: "string",
        description: "EC2 instance of the web host (for Session Manager).",
        example: "i-0a1b2c3d4e5f60718",
        pattern: "^i-[0-9a-f]+$",
    },
    openWebUiImage: {
        type: "string",
        description: "Open WebUI image the web host runs, pinned by digest.",
        example: `ghcr.io/open-webui/open-webui@sha256:${"0a1b2c3d".repeat(8)}`,
        pattern: "@sha256:[0-9a-f]{64}$",
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
            "Security group of the Bedrock gateway host; add an ingress rule on the gateway port from your own group to call it.",
        example: "sg-0f1e2d3c4b5a69788",
        pattern: SG,
    },
    gatewayUrl: {
        type: "string",
        description: "Internal OpenAI-compatible base URL of the gateway (VPC only).",
        example: "http://10.0.10.25:8000/api/v1",
        pattern: "^http://[0-9.]+:[0-9]+/api/v1$",
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
        description: "Open WebUI's database credentials and URL (ARN only).",
        example:
            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-prod/database/openwebui-AbCdEf",
        pattern: ARN_SECRET,
    },
    directoryId: {
        type: "string",
        description: "AWS Managed Microsoft AD directory.",
        example: "d-9c67a1b2c3",
        pattern: "^d-[0-9a-f]+$",
    },
    directoryDomain: {
        type: "string",
        description: "DNS domain of the directory.",
        example: "corp.aiportal.internal",
    },
    directoryShortName: {
        type: "string",
        description: "NetBIOS name of the directory.",
        example: "CORP",
    },
    directoryDnsIps: {
        type: "string[]",
        description: "Domain controllers: the directory's DNS and LDAP servers.",
        example: ["10.0.10.42", "10.0.11.187"],
        pattern: IPV4,
    },
    directorySecurityGroupId: {
        type: "string",
        description: "Security group AWS created for the domain controllers.",
        example: "sg-0abcdef0123456789",
        pattern: SG,
    },
    directoryAdminDn: {
        type: "string",
        description: "DN of the directory's built-in Admin.",
        example: "CN=Admin,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal",
        pattern: "^CN=Admin,OU=Users,",
    },
    directorySearchBase: {
        type: "string",
        description: "LDAP search base of the directory's users.",
        example: "OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal",
        pattern: "^OU=Users,",
    },
    directoryAdminSecretArn: {
        type: "string",
        description: "Bootstrap Admin credentials (ARN only).",
        example:
            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-prod/directory/admin-AbCdEf",
        pattern: ARN_SECRET,
    },
    directoryBindSecretArn: {
        type: "string",
        description: "Open WebUI's LDAP bind account credentials (ARN only).",
        example:
            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-prod/directory/openwebui-bind-AbCdEf",
        pattern: ARN_SECRET,
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

/** What index.ts exports: every contract output, typed as declared. */
export type PortalOutputs = {
    readonly [K in OutputName]: pulumi.Input<ValueOf<(typeof OUTPUTS)[K]["type"]>>;
};

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
    return {
        $schema: "http://json-schema.org/draft-07/schema#",
        title: `AI Portal stack outputs, contract ${CONTRACT_VERSION}`,
        type: "object",
        required: Object.keys(OUTPUTS),
        additionalProperties: false,
        properties,
    };
}

/** The README's table of outputs. */
export function outputsTable(): string {
    const rows = (Object.entries(OUTPUTS) as [string, OutputDoc][]).map(
        ([name, doc]) =>
            `| \`${name}\` | ${doc.type} | ${doc.description} | \`${Array.isArray(doc.example) ? JSON.stringify(doc.example) : String(doc.example)}\` |`,
    );
    return ["| output | type | meaning | example |", "|---|---|---|---|", ...rows].join("\n");
}
