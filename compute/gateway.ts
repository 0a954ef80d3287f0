/**
 * The Bedrock Access Gateway host: its boot script and its IAM statements as pure functions of
 * plain values, and the one function that declares the host.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BedrockDataResidency } from "../config/compute";
import { parseImageReference } from "../lib/images";
import { HostFleet } from "./fleet";
import { Host, PolicyStatement } from "./host";
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
        },
        { parent },
    );
}
