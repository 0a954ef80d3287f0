/**
 * The Bedrock Access Gateway hosts: their boot script and their IAM statements as pure functions
 * of plain values, and, from the compute tier's args, `declareGatewayImage` (the image they run)
 * and `declareGateway` (one host, or a fleet behind an internal load balancer).
 */
import * as pulumi from "@pulumi/pulumi";
import type { BedrockDataResidency } from "../config/compute";
import { parseImageReference } from "../lib/images";
import type { jsonSecret } from "../lib/secret";
import { HostFleet } from "./fleet";
import { GatewayLoadBalancer } from "./gatewayLoadBalancer";
import { Host, HostEncryption, PolicyStatement } from "./host";
import { GatewayImage } from "./images";
import type { ComputeArgs } from "./args";
import { GatewaySettingsInput, gatewaySettings } from "./settings";
import {
    envFile,
    everyBootUserData,
    readTemplate,
    renderTemplate,
    secretVersions,
} from "./userData";

export interface GatewayBootValues extends GatewaySettingsInput {
    readonly region: string;
    /** The host's CloudWatch log group, e.g. /ai-portal-dev/gateway. */
    readonly logGroup: string;
    /** The image to run, `repository@sha256:...`. */
    readonly image: string;
    /** Version ids of the secrets the gateway reads, by name: a new one restarts the host. */
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
                GATEWAY_PORT: String(v.port),
                SECRET_VERSIONS: secretVersions(v.secretVersions),
            },
            { GATEWAY_SETTINGS: envFile(gatewaySettings(v)) },
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
>;

/** What the gateway uses of the rest of the compute tier and of the account. */
export interface GatewayRefs {
    /** The image the hosts run (`declareGatewayImage`). Required. */
    readonly image: GatewayImageRef;
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

/** The gateway hosts' user data (`gatewayUserData`) once the image, key and profile are known. */
export function gatewayUserDataOutput(args: GatewayArgs, refs: GatewayRefs): pulumi.Output<string> {
    return pulumi
        .all([
            refs.image.ref,
            refs.portalUrl,
            refs.apiKey.secret.arn,
            refs.apiKey.version.versionId,
            refs.defaultModelProfileArn,
        ])
        .apply(([image, portalUrl, apiKeySecretArn, keyVersion, defaultModel]) =>
            gatewayUserData({
                region: args.region,
                logGroup: `/${args.namePrefix}/gateway`,
                image,
                port: args.gatewayPort,
                defaultModel,
                portalUrl,
                apiKeySecretArn,
                secretVersions: { "gateway-key": keyVersion },
            }),
        );
}

export interface GatewayStatementRefs {
    readonly partition: pulumi.Input<string>;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    /** The secret holding the gateway's client key. */
    readonly apiKeySecretArn: pulumi.Input<string>;
    /** The ECR repository the gateway's image was built into, when the program builds it. */
    readonly builtRepositoryArn?: pulumi.Input<string>;
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
    if (!repositoryArn) {
        return [];
    }
    return [
        // Registry login takes no resource-level scoping.
        { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
        {
            Sid: "PullGatewayImage",
            Effect: "Allow",
            Action: [
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchCheckLayerAvailability",
            ],
            Resource: [repositoryArn],
        },
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
    const host = {
        namePrefix: args.namePrefix,
        securityGroupId: args.gatewaySecurityGroupId,
        instanceType: args.gatewayInstanceType,
        rootVolumeGb: args.hostRootVolumeGb,
        amiId: args.gatewayHostAmiId,
        logRetentionDays: args.logRetentionDays,
        encryption: args.encryption,
        userData: gatewayUserDataOutput(args, refs),
        statements: gatewayStatements({
            partition: refs.partition,
            region: args.region,
            accountId: refs.accountId,
            apiKeySecretArn: refs.apiKey.secret.arn,
            builtRepositoryArn: refs.image.builtRepositoryArn,
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
