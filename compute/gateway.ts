/**
 * The Bedrock Access Gateway hosts: their boot script and their IAM statements as pure functions
 * of plain values, and, from the compute tier's args, `declareGatewayImage` (the image they run)
 * and `declareGateway` (one host, or a fleet behind an internal load balancer).
 */
import * as pulumi from "@pulumi/pulumi";
import type { BedrockDataResidency } from "../config/compute";
import type { UsageGateConfig } from "../config/usageGate";
import { RDS_CA_BUNDLE } from "../data";
import { PORTS } from "../lib/ports";
import { parseImageReference } from "../lib/images";
import type { jsonSecret } from "../lib/secret";
import { HostFleet } from "./fleet";
import { GatewayLoadBalancer } from "./gatewayLoadBalancer";
import { Host, HostEncryption, PolicyStatement } from "./host";
import { GateImage, GatewayImage, pinnedImage } from "./images";
import type { ComputeArgs } from "./args";
import { DATABASE_CA_FILE, GatewaySettingsInput, gatewaySettings } from "./settings";
import {
    BootFile,
    bootFileTable,
    bootParameterName,
    envFile,
    everyBootUserData,
    readTemplate,
    renderTemplate,
    secretVersions,
    ssmParameterArn,
} from "./userData";
import { declareBootFiles, DeclaredBootFile, DATABASE_WAIT_SECONDS, rdsInstanceArn } from "./web";

/**
 * The Bedrock Access Gateway's port inside the gateway host's own Docker network: the usage gate,
 * on `gatewayPort`, is the only thing that calls it (nothing publishes it on the host).
 */
export const GATEWAY_UPSTREAM_PORT = 8081;
/** The gateway's container name: the gate reaches it by this name on the host's Docker network. */
const GATEWAY_CONTAINER = "bedrock-gateway";

/** What the usage gate's settings are made of (the secrets are not: the host fetches them). */
export interface UsageGateSettingsInput {
    /** The port the gate listens on: `gatewayPort`, where Open WebUI points. */
    readonly port: number;
    /** The stack's name: the Stack dimension of the gate's metrics. */
    readonly stack: string;
    /** Limits and fail mode (config `usageLimit*`, `usageGateFailMode`). */
    readonly usageGate: UsageGateConfig;
    /** The stack's default-model inference profile ARN and the model it routes to. */
    readonly defaultModelProfileArn: string;
    readonly defaultModelId: string;
    /** The directory, when group limits need it: its LDAP name, bind identity and bases. */
    readonly directory?: {
        readonly ldapHost: string;
        readonly bindIdentity: string;
        readonly userBase: string;
        readonly groupBase: string;
    };
}

/**
 * The gate's non-secret settings (gate/env.ts), written to a 0600 env file on the host. The
 * database's address, its role's name and password, the API key and the bind password are added
 * at boot from Secrets Manager and RDS (templates/gateway.sh). The directory is named only when
 * a group has a limit: otherwise the gate never asks it.
 */
export function usageGateSettings(s: UsageGateSettingsInput): [string, string][] {
    const byGroup = s.usageGate.limitsByGroup;
    const directory = Object.keys(byGroup).length > 0 ? s.directory : undefined;
    if (Object.keys(byGroup).length > 0 && !directory) {
        throw new Error("usageLimitsByGroup needs the directory (config validation checks this)");
    }
    return [
        ["GATE_LISTEN_HOST", "0.0.0.0"],
        ["GATE_LISTEN_PORT", String(s.port)],
        ["GATE_UPSTREAM_URL", `http://${GATEWAY_CONTAINER}:${GATEWAY_UPSTREAM_PORT}`],
        ["GATE_API_PREFIX", "/api/v1"],
        ["GATE_LIMIT_DEFAULT_USD", String(s.usageGate.limitPerPersonMonthlyUsd)],
        ["GATE_LIMITS_BY_GROUP", JSON.stringify(byGroup)],
        ["GATE_FAIL_MODE", s.usageGate.failMode],
        ["GATE_STACK", s.stack],
        // Open WebUI names the stack's own profile by its ARN: priced as the model it routes to.
        ["GATE_MODEL_ALIASES", JSON.stringify({ [s.defaultModelProfileArn]: s.defaultModelId })],
        ["GATE_DB_PORT", String(PORTS.postgres)],
        ["GATE_DB_CA_FILE", DATABASE_CA_FILE],
        ...(directory
            ? ([
                  ["GATE_LDAP_URL", `ldap://${directory.ldapHost}:${PORTS.ldap}`],
                  ["GATE_LDAP_BIND_DN", directory.bindIdentity],
                  ["GATE_LDAP_USER_BASE", directory.userBase],
                  ["GATE_LDAP_GROUP_BASE", directory.groupBase],
              ] as [string, string][])
            : []),
    ];
}

/** The gateway hosts' boot file: the RDS CA the gate verifies the database with. */
export function gatewayBootFiles(databaseCaBundle: string): BootFile[] {
    return [
        {
            id: "gateway-rds-ca.pem",
            path: DATABASE_CA_FILE,
            mode: "644",
            value: databaseCaBundle.trimEnd(),
            description:
                "RDS CA certificate the usage gate on the gateway hosts trusts for PostgreSQL; pinned by SHA-256 in their user data",
        },
    ];
}

export interface GatewayBootValues extends GatewaySettingsInput {
    readonly region: string;
    /** The host's CloudWatch log group, e.g. /ai-portal-dev/gateway. */
    readonly logGroup: string;
    /** The image to run, `repository@sha256:...`. */
    readonly image: string;
    /** The usage gate's image, `repository@sha256:...`. */
    readonly gateImage: string;
    /** The gate's settings (`usageGateSettings`). */
    readonly gate: UsageGateSettingsInput;
    /** Secrets the gate reads at boot; `bindSecretArn` only with group limits. */
    readonly gateDbSecretArn: string;
    readonly bindSecretArn?: string;
    /** The database's RDS identifier, looked up at boot. */
    readonly dbInstanceId: string;
    /** The boot files with their parameters' names (`gatewayBootFiles`). */
    readonly bootFiles: readonly { readonly parameterName: string; readonly file: BootFile }[];
    /** Version ids of the secrets the host reads, by name: a new one restarts the host. */
    readonly secretVersions: Readonly<Record<string, string>>;
}

/** The gateway host's user data: `templates/gateway.sh` rendered, run at every boot. */
export function gatewayUserData(v: GatewayBootValues): string {
    return everyBootUserData(
        renderTemplate(
            readTemplate("gateway.sh"),
            {
                AWS_REGION: v.region,
                LOG_GROUP: v.logGroup,
                GATEWAY_IMAGE: v.image,
                GATE_IMAGE: v.gateImage,
                GATEWAY_PORT: String(v.port),
                UPSTREAM_PORT: String(GATEWAY_UPSTREAM_PORT),
                GATEWAY_KEY_SECRET_ARN: v.apiKeySecretArn,
                GATE_DB_SECRET_ARN: v.gateDbSecretArn,
                BIND_SECRET_ARN: v.bindSecretArn ?? "",
                SECRET_VERSIONS: secretVersions(v.secretVersions),
                DB_INSTANCE_ID: v.dbInstanceId,
                DB_WAIT_SECONDS: String(DATABASE_WAIT_SECONDS),
                DATABASE_CA_FILE,
            },
            {
                // The gateway listens on the internal port; the gate takes `port`.
                GATEWAY_SETTINGS: envFile(gatewaySettings({ ...v, port: GATEWAY_UPSTREAM_PORT })),
                GATE_SETTINGS: envFile(usageGateSettings(v.gate)),
                BOOT_FILES: bootFileTable(v.bootFiles),
            },
        ),
    );
}

/** What the gateway reads of the compute tier's args. */
export type GatewayArgs = Pick<
    ComputeArgs,
    | "namePrefix"
    | "region"
    | "privateSubnetIds"
    | "gatewaySecurityGroupId"
    | "gatewayInstanceType"
    | "gatewayHostAmiId"
    | "hostRootVolumeGb"
    | "logRetentionDays"
    | "encryption"
    | "gatewayPort"
    | "gatewayImage"
    | "gatewaySourceCommit"
    | "protectData"
    | "bedrockDataResidency"
    | "webTier"
    | "domainName"
    | "vpcId"
    | "tags"
    | "loadBalanced"
    | "usageGate"
    | "usageGateNodeImage"
    | "bedrockDefaultModel"
    | "database"
    | "directory"
    | "stack"
>;

/** What the gateway uses of the rest of the compute tier and of the account. */
export interface GatewayRefs {
    /** The image the hosts run (`declareGatewayImage`). Required. */
    readonly image: GatewayImageRef;
    /** The usage gate's image (`declareGateImage`). Required. */
    readonly gateImage: GatewayImageRef;
    /** The portal's URL: the only origin the gateway allows. Required. */
    readonly portalUrl: pulumi.Input<string>;
    /** The gateway's client key, which the gateway reads at boot. Required. */
    readonly apiKey: ReturnType<typeof jsonSecret>;
    /** The stack's default-model inference profile (the gateway's default model). Required. */
    readonly defaultModelProfileArn: pulumi.Input<string>;
    /** The account's partition, for the IAM statements' ARNs. Required. */
    readonly partition: pulumi.Input<string>;
    /** The account's id, for the IAM statements' ARNs. Required. */
    readonly accountId: pulumi.Input<string>;
}

/** The directory as the gate needs it: only when a group has a limit. */
function gateDirectory(args: GatewayArgs): UsageGateSettingsInput["directory"] {
    const d = args.directory;
    if (!d || Object.keys(args.usageGate.limitsByGroup).length === 0) {
        return undefined;
    }
    return {
        ldapHost: d.ldapHost,
        bindIdentity: d.bindIdentity,
        userBase: d.searchBase,
        // Groups may be anywhere in the domain (nested ones too): searched from its root.
        groupBase: d.domain
            .split(".")
            .map((part) => `DC=${part}`)
            .join(","),
    };
}

/** The gateway hosts' user data (`gatewayUserData`) once the images, keys and profile are known. */
export function gatewayUserDataOutput(
    args: GatewayArgs,
    refs: GatewayRefs,
    bootFiles: readonly DeclaredBootFile[],
): pulumi.Output<string> {
    const directory = gateDirectory(args);
    return pulumi
        .output({
            image: refs.image.ref,
            gateImage: refs.gateImage.ref,
            portalUrl: refs.portalUrl,
            apiKeySecretArn: refs.apiKey.secret.arn,
            keyVersion: refs.apiKey.version.versionId,
            defaultModel: refs.defaultModelProfileArn,
            gateDbSecretArn: args.database.gateSecretArn,
            gateDbVersion: args.database.gateSecretVersionId,
            bindSecretArn: directory ? args.directory!.bindSecretArn : undefined,
            bindVersion: directory ? args.directory!.bindSecretVersionId : undefined,
            bootFiles: bootFiles.map(({ file, parameter }) => ({
                parameterName: parameter.name,
                file,
            })),
        })
        .apply((v) =>
            gatewayUserData({
                region: args.region,
                logGroup: `/${args.namePrefix}/gateway`,
                image: v.image,
                gateImage: v.gateImage,
                port: args.gatewayPort,
                defaultModel: v.defaultModel,
                portalUrl: v.portalUrl,
                apiKeySecretArn: v.apiKeySecretArn,
                gateDbSecretArn: v.gateDbSecretArn,
                bindSecretArn: v.bindSecretArn,
                dbInstanceId: args.database.instanceIdentifier,
                bootFiles: v.bootFiles,
                gate: {
                    port: args.gatewayPort,
                    stack: args.stack,
                    usageGate: args.usageGate,
                    defaultModelProfileArn: v.defaultModel,
                    defaultModelId: args.bedrockDefaultModel,
                    directory,
                },
                secretVersions: {
                    "gateway-key": v.keyVersion,
                    "usage-gate-db": v.gateDbVersion,
                    ...(v.bindVersion ? { bind: v.bindVersion } : {}),
                },
            }),
        );
}

export interface GatewayStatementRefs {
    readonly partition: pulumi.Input<string>;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    /** The secret holding the gateway's client key. */
    readonly apiKeySecretArn: pulumi.Input<string>;
    /** The usage gate's database credentials and, with group limits, the bind account's secret. */
    readonly gateSecretArns: pulumi.Input<string>[];
    /** The gateway's boot files' parameters (the RDS CA). */
    readonly bootParameterArns: pulumi.Input<string>[];
    /** The database instance (by identifier), which the host looks up at boot. */
    readonly databaseArn: pulumi.Input<string>;
    /** The ECR repository the gateway's image was built into, when the program builds it. */
    readonly builtRepositoryArn?: pulumi.Input<string>;
    /** The ECR repository the usage gate's image was built into. */
    readonly gateRepositoryArn?: pulumi.Input<string>;
    /** An image given in config instead (`gatewayImage`). */
    readonly configuredImage?: string;
    /** Where Bedrock may process prompts (config `bedrockDataResidency`). */
    readonly residency: BedrockDataResidency;
    /** The portal's own application inference profile (the only one it may call). */
    readonly defaultModelProfileArn: pulumi.Input<string>;
}

const ECR_IMAGE = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/(.+)$/;

/** What the gateway may do beyond Session Manager and its own logs: Bedrock, its key, its image. */
export function gatewayStatements(refs: GatewayStatementRefs): PolicyStatement[] {
    const { partition, region, accountId } = refs;
    return [
        {
            Sid: "ReadApiKey",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue"],
            Resource: [refs.apiKeySecretArn],
        },
        {
            Sid: "ReadGateSecrets",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue"],
            Resource: refs.gateSecretArns,
        },
        {
            // GetParameter only, on exactly its boot files (as the web hosts).
            Sid: "ReadOwnBootFiles",
            Effect: "Allow",
            Action: ["ssm:GetParameter"],
            Resource: refs.bootParameterArns,
        },
        {
            // Scoped by the instance's ARN (Service Authorization Reference, Amazon RDS: db).
            Sid: "FindTheDatabase",
            Effect: "Allow",
            Action: ["rds:DescribeDBInstances"],
            Resource: [refs.databaseArn],
        },
        {
            Sid: "InvokeModels",
            Effect: "Allow",
            Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            Resource:
                refs.residency === "eu"
                    ? [
                          // EU cross-region profiles route to the EU regions only.
                          pulumi.interpolate`arn:${partition}:bedrock:eu-*::foundation-model/*`,
                          pulumi.interpolate`arn:${partition}:bedrock:${region}:${accountId}:inference-profile/eu.*`,
                          // The stack's own profile only: a profile copied from a global one could
                          // not be used anyway (its models are outside eu-*).
                          refs.defaultModelProfileArn,
                      ]
                    : [
                          // Global profiles route to any commercial region: a deliberate choice.
                          pulumi.interpolate`arn:${partition}:bedrock:*::foundation-model/*`,
                          pulumi.interpolate`arn:${partition}:bedrock:${region}:${accountId}:inference-profile/eu.*`,
                          pulumi.interpolate`arn:${partition}:bedrock:${region}:${accountId}:inference-profile/global.*`,
                          refs.defaultModelProfileArn,
                      ],
        },
        {
            // The account's enforced guardrail (governance/guardrail.ts) runs on every model call
            // this role makes, under the caller's identity: Bedrock's guide asks callers of an
            // enforced guardrail for bedrock:ApplyGuardrail on it ("Using resource-based policies
            // for guardrails", https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-resource-based-policies.html).
            // Any guardrail of the account in the region: the enforced one may be another stack's
            // (accountSettingsStack), and this right only lets a caller be filtered.
            Sid: "ApplyEnforcedGuardrail",
            Effect: "Allow",
            Action: ["bedrock:ApplyGuardrail"],
            Resource: [
                pulumi.interpolate`arn:${partition}:bedrock:${region}:${accountId}:guardrail/*`,
            ],
        },
        // The List APIs take no resource-level scoping.
        {
            Sid: "ListModels",
            Effect: "Allow",
            Action: ["bedrock:ListFoundationModels", "bedrock:ListInferenceProfiles"],
            Resource: "*",
        },
        ...ecrPullStatements(refs),
    ];
}

/** Pull rights on exactly the gateway's repository: the one built here, or the ECR one configured. */
function ecrPullStatements(refs: GatewayStatementRefs): PolicyStatement[] {
    let repositoryArn: pulumi.Input<string> | undefined = refs.builtRepositoryArn;
    if (!repositoryArn && refs.configuredImage) {
        const match = ECR_IMAGE.exec(parseImageReference(refs.configuredImage)?.repository ?? "");
        repositoryArn = match
            ? pulumi.interpolate`arn:${refs.partition}:ecr:${match[2]}:${match[1]}:repository/${match[3]}`
            : undefined;
    }
    const pull = [
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability",
    ];
    const statements: PolicyStatement[] = [
        ...(repositoryArn
            ? [
                  {
                      Sid: "PullGatewayImage",
                      Effect: "Allow" as const,
                      Action: pull,
                      Resource: [repositoryArn],
                  },
              ]
            : []),
        ...(refs.gateRepositoryArn
            ? [
                  {
                      Sid: "PullGateImage",
                      Effect: "Allow" as const,
                      Action: pull,
                      Resource: [refs.gateRepositoryArn],
                  },
              ]
            : []),
    ];
    if (statements.length === 0) {
        return [];
    }
    // Registry login takes no resource-level scoping.
    return [
        { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
        ...statements,
    ];
}

export interface GatewayHostArgs {
    /** Prefix for names and `Name` tags, e.g. "ai-portal-dev". Required. */
    readonly namePrefix: string;
    /** The private subnet the host runs in. */
    readonly subnetId: pulumi.Input<string>;
    /** The gateway's security group (the traffic matrix's `gateway` group). Required. */
    readonly securityGroupId: pulumi.Input<string>;
    /** EC2 type, x86_64 (config `gatewayInstanceType`). Required. */
    readonly instanceType: string;
    /** Size of the encrypted gp3 root volume. Required. */
    readonly rootVolumeGb: number;
    /** A pinned AMI; undefined keeps the AMI the host was created with. */
    readonly amiId?: string;
    /** Retention of the host's log group. Required. */
    readonly logRetentionDays: number;
    /** The rendered boot script (`gatewayUserData`). Required. */
    readonly userData: pulumi.Input<string>;
    /** What the host may do beyond Session Manager and its logs (`gatewayStatements`). Required. */
    readonly statements: PolicyStatement[];
    /** The stack's data key; defaults to the AWS-managed keys. */
    readonly encryption?: HostEncryption;
}

/** Declares the gateway host: a private address only, reachable from the web host's group. */
export function declareGatewayHost(
    name: string,
    args: GatewayHostArgs,
    parent: pulumi.Resource,
): Host {
    return new Host(
        name,
        {
            namePrefix: args.namePrefix,
            role: "gateway",
            description: "Bedrock Access Gateway",
            subnetId: args.subnetId,
            securityGroupIds: [args.securityGroupId],
            instanceType: args.instanceType,
            rootVolumeGb: args.rootVolumeGb,
            amiId: args.amiId,
            publicAddress: false,
            userData: args.userData,
            logRetentionDays: args.logRetentionDays,
            statements: args.statements,
            encryptionKeyArn: args.encryption?.keyArn,
        },
        { parent },
    );
}

export interface GatewayFleetArgs extends Omit<GatewayHostArgs, "subnetId"> {
    /** The private subnets the hosts spread across. Required. */
    readonly subnetIds: pulumi.Input<string[]>;
    /** Fewest and most hosts (config `gatewayMinHosts`; twice that at most). Required. */
    readonly minHosts: number;
    readonly maxHosts: number;
    /** The internal load balancer's target group. Required. */
    readonly targetGroupArn: pulumi.Input<string>;
    /** Tags for the hosts and volumes (the provider's default tags do not reach them). Required. */
    readonly tags: Readonly<Record<string, string>>;
    /** The stack's schedule sets the group's size (HostFleetArgs). Defaults to false. */
    readonly sizeOwnedBySchedule?: boolean;
    /** What must be complete before the group's hosts count (its load balancer's listener). Defaults to none. */
    readonly waitFor?: pulumi.Resource[];
}

/** The gateway boots in a few minutes: Docker, one image pull, a Python process. */
const GATEWAY_BOOT_SECONDS = 300;

/** Declares the gateway hosts of the load-balanced tier: private, behind the internal load balancer. */
export function declareGatewayFleet(
    name: string,
    args: GatewayFleetArgs,
    parent: pulumi.Resource,
): HostFleet {
    return new HostFleet(
        name,
        {
            namePrefix: args.namePrefix,
            role: "gateway",
            description: "Bedrock Access Gateway",
            subnetIds: args.subnetIds,
            securityGroupIds: [args.securityGroupId],
            instanceType: args.instanceType,
            rootVolumeGb: args.rootVolumeGb,
            amiId: args.amiId,
            userData: args.userData,
            logRetentionDays: args.logRetentionDays,
            statements: args.statements,
            minHosts: args.minHosts,
            maxHosts: args.maxHosts,
            targetGroupArns: [args.targetGroupArn],
            tags: args.tags,
            bootSeconds: GATEWAY_BOOT_SECONDS,
            waitFor: args.waitFor,
            sizeOwnedBySchedule: args.sizeOwnedBySchedule,
            encryptionKeyArn: args.encryption?.keyArn,
            autoScalingRoleArn: args.encryption?.autoScalingRoleArn,
        },
        { parent },
    );
}

/** The image the gateway hosts run. */
export interface GatewayImageRef {
    /** `repository@sha256:...`: the image built here, or config's `gatewayImage`. */
    readonly ref: pulumi.Output<string>;
    /** The ECR repository the image was built into; undefined when config gives `gatewayImage`. */
    readonly builtRepositoryArn?: pulumi.Output<string>;
}

/** The gateway's image: config's `gatewayImage` as given, or one built here from upstream's source. */
export function declareGatewayImage(
    name: string,
    args: GatewayArgs,
    parent: pulumi.Resource,
): GatewayImageRef {
    if (args.gatewayImage) {
        return { ref: pulumi.output(args.gatewayImage) };
    }
    const built = new GatewayImage(
        name,
        {
            namePrefix: args.namePrefix,
            sourceCommit: args.gatewaySourceCommit,
            forceDelete: !args.protectData,
            kmsKeyArn: args.encryption?.keyArn,
        },
        { parent },
    );
    return { ref: built.imageRef, builtRepositoryArn: built.repositoryArn };
}

/** The usage gate's image: built here from gate/Dockerfile on the pinned `usageGateNodeImage`. */
export function declareGateImage(
    name: string,
    args: GatewayArgs,
    parent: pulumi.Resource,
): GatewayImageRef {
    const built = new GateImage(
        name,
        {
            namePrefix: args.namePrefix,
            nodeImage: pinnedImage(args.usageGateNodeImage, { parent }),
            forceDelete: !args.protectData,
            kmsKeyArn: args.encryption?.keyArn,
        },
        { parent },
    );
    return { ref: built.imageRef, builtRepositoryArn: built.repositoryArn };
}

/** The gateway hosts as the compute tier sees them: where to call them, and what to watch. */
export interface GatewayHosts {
    /**
     * Internal OpenAI-compatible base URL: `https://gateway.<domainName>/api/v1` (the load
     * balancer), or `http://<the host's address>:<gatewayPort>/api/v1`.
     */
    readonly url: pulumi.Output<string>;
    /** The single host's instance; undefined in the load-balanced tier. */
    readonly instanceId?: pulumi.Output<string>;
    /** The hosts' Auto Scaling group; undefined in the single tier. */
    readonly fleet?: HostFleet;
    /** The fleet's internal load balancer; undefined in the single tier. */
    readonly loadBalancer?: GatewayLoadBalancer;
    /** The hosts' instance role (the data key's policy names it). */
    readonly roleArn: pulumi.Output<string>;
}

/**
 * Declares the gateway, boot script and IAM included: one host in the first private subnet, or,
 * in the load-balanced tier, a fleet across the private subnets behind an internal load balancer
 * (`<name>-lb`), between `gatewayMinHosts` and twice that many hosts.
 */
export function declareGateway(
    name: string,
    args: GatewayArgs,
    refs: GatewayRefs,
    parent: pulumi.Resource,
): GatewayHosts {
    const bootFiles = declareBootFiles(
        name,
        args.namePrefix,
        gatewayBootFiles(RDS_CA_BUNDLE),
        parent,
    );
    const groupLimits = gateDirectory(args) !== undefined;
    const arns = pulumi.all([refs.partition, refs.accountId]).apply(([p, account]) => ({
        database: rdsInstanceArn(p, args.region, account, args.database.instanceIdentifier),
        bootFiles: bootFiles.map(({ file }) =>
            ssmParameterArn(p, args.region, account, bootParameterName(args.namePrefix, file.id)),
        ),
    }));
    const host = {
        namePrefix: args.namePrefix,
        securityGroupId: args.gatewaySecurityGroupId,
        instanceType: args.gatewayInstanceType,
        rootVolumeGb: args.hostRootVolumeGb,
        amiId: args.gatewayHostAmiId,
        logRetentionDays: args.logRetentionDays,
        encryption: args.encryption,
        userData: gatewayUserDataOutput(args, refs, bootFiles),
        statements: gatewayStatements({
            partition: refs.partition,
            region: args.region,
            accountId: refs.accountId,
            apiKeySecretArn: refs.apiKey.secret.arn,
            gateSecretArns: [
                args.database.gateSecretArn,
                ...(groupLimits ? [args.directory!.bindSecretArn] : []),
            ],
            bootParameterArns: bootFiles.map((_, i) => arns.bootFiles.apply((a) => a[i])),
            databaseArn: arns.database,
            builtRepositoryArn: refs.image.builtRepositoryArn,
            gateRepositoryArn: refs.gateImage.builtRepositoryArn,
            configuredImage: args.gatewayImage,
            residency: args.bedrockDataResidency,
            defaultModelProfileArn: refs.defaultModelProfileArn,
        }),
    };
    const lb = args.loadBalanced;
    if (lb) {
        const loadBalancer = new GatewayLoadBalancer(
            `${name}-lb`,
            {
                namePrefix: args.namePrefix,
                vpcId: args.vpcId,
                privateSubnetIds: args.privateSubnetIds,
                securityGroupId: lb.gatewayLbSecurityGroupId,
                port: args.gatewayPort,
                // Config validation requires both with webTier loadBalanced.
                domainName: args.domainName!,
                hostedZoneId: args.webTier.hostedZoneId!,
            },
            { parent },
        );
        const fleet = declareGatewayFleet(
            name,
            {
                ...host,
                subnetIds: args.privateSubnetIds,
                minHosts: args.webTier.gatewayMinHosts,
                maxHosts: 2 * args.webTier.gatewayMinHosts,
                targetGroupArn: loadBalancer.targetGroupArn,
                // The target group health-checks only once its listener forwards to it.
                waitFor: [loadBalancer.listener],
                tags: args.tags,
                sizeOwnedBySchedule: lb.sizeOwnedBySchedule,
            },
            parent,
        );
        return {
            url: loadBalancer.url,
            fleet,
            loadBalancer,
            roleArn: fleet.roleArn,
        };
    }
    const instance = declareGatewayHost(
        name,
        { ...host, subnetId: pulumi.output(args.privateSubnetIds).apply((ids) => ids[0]) },
        parent,
    );
    return {
        url: pulumi.interpolate`http://${instance.privateIp}:${args.gatewayPort}/api/v1`,
        instanceId: instance.instanceId,
        roleArn: instance.roleArn,
    };
}
