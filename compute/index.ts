import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ComputeConfig, WebTierConfig } from "../config";
import { RDS_CA_BUNDLE } from "../data";
import { jsonSecret } from "../lib/secret";
import { HEALTH_METRIC, HEALTH_NAMESPACE } from "../operations/alarms";
import {
    declareGatewayFleet,
    declareGatewayHost,
    gatewayStatements,
    gatewayUserData,
} from "./gateway";
import { GatewayLoadBalancer } from "./gatewayLoadBalancer";
import { HostFleet } from "./fleet";
import { DefaultModelProfile } from "./modelProfile";
import { GatewayImage, pinnedImage } from "./images";
import { UploadsBucket } from "./uploadsBucket";
import { declareWebFleet, declareWebHost, webStatements, webUserData } from "./web";

export interface ComputeArgs extends ComputeConfig {
    /** Prefix for names and `Name` tags, e.g. "ai-portal-dev". */
    readonly namePrefix: string;
    /** The stack's name: the dimension of the web host's health metric. */
    readonly stack: string;
    /** The region (eu-west-2): the containers' AWS region. Required. */
    readonly region: string;
    /** Public subnets in AZ order; the web host runs in the first. */
    readonly publicSubnetIds: pulumi.Input<string[]>;
    /** Private subnets in AZ order; the gateway host runs in the first. */
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** The web host's security group (traffic matrix). Required. */
    readonly webSecurityGroupId: pulumi.Input<string>;
    /** The gateway host's security group (traffic matrix). Required. */
    readonly gatewaySecurityGroupId: pulumi.Input<string>;
    /** Retention of the hosts' log groups. */
    readonly logRetentionDays: number;
    /** Keep data (uploads bucket, Elastic IP, secrets) on delete, as the database does. */
    readonly protectData: boolean;
    /** What the web host needs of the data tier. Required. */
    readonly database: {
        /** Open WebUI's database credentials and URL. */
        readonly appSecretArn: pulumi.Input<string>;
        /** Changes with Open WebUI's database credentials: the web host restarts to read them. */
        readonly appSecretVersionId: pulumi.Input<string>;
    };
    /** What the web host needs of the directory tier. Required. */
    readonly directory: {
        /** The directory's DNS domain (LDAP_SERVER_HOST). */
        readonly domain: string;
        /** The directory's NetBIOS name (the login page's label). */
        readonly shortName: string;
        /** The domain controllers: the container's DNS servers. */
        readonly dnsIpAddresses: pulumi.Input<string[]>;
        /** Where the directory's users are (LDAP_SEARCH_BASE). */
        readonly searchBase: string;
        /** The bind account's user principal name (LDAP_APP_DN). */
        readonly bindIdentity: string;
        /** The bind account's credentials. */
        readonly bindSecretArn: pulumi.Input<string>;
        /** Changes with the bind account's password: the web host restarts to read it. */
        readonly bindSecretVersionId: pulumi.Input<string>;
        /** DN of the group whose members may sign in (LDAP_SEARCH_FILTER). */
        readonly portalGroupDn: string;
    };
    /** What must exist before the web host boots (the database role, the bind account). */
    readonly webDependsOn: pulumi.Resource[];
    /** The web tier's shape and sizes (config `webTier`, `webMinHosts`, ...). Required. */
    readonly webTier: WebTierConfig;
    /** The VPC (the gateway's internal load balancer's target group). Required. */
    readonly vpcId: pulumi.Input<string>;
    /** Tags the hosts of the load-balanced tier carry (the default tags do not reach them). Required. */
    readonly tags: Readonly<Record<string, string>>;
    /** loadBalanced only: what the edge and the data tier give the web and gateway hosts. */
    readonly loadBalanced?: {
        /** The portal's URL (its domain, served by the ALB). */
        readonly portalUrl: pulumi.Input<string>;
        /** The ALB's target group the web hosts register with. */
        readonly webTargetGroupArn: pulumi.Input<string>;
        /** The internal load balancer's security group (`gatewayLb`). */
        readonly gatewayLbSecurityGroupId: pulumi.Input<string>;
        /** The Redis the web hosts share. */
        readonly redis: {
            readonly endpoint: pulumi.Input<string>;
            readonly port: number;
            readonly authSecretArn: pulumi.Input<string>;
            readonly authSecretVersionId: pulumi.Input<string>;
        };
    };
}

/** Letters and digits only: safe in env files, URLs and headers without quoting. */
function generatedKey(
    name: string,
    length: number,
    parent: pulumi.Resource,
): pulumi.Output<string> {
    return pulumi.secret(
        new random.RandomPassword(
            name,
            { length, special: false, minUpper: 2, minLower: 2, minNumeric: 2 },
            { parent },
        ).result,
    );
}

/**
 * The compute tier, in either web tier:
 * - `single`: the Open WebUI host (public subnet, Elastic IP, HTTPS through Caddy) and the Bedrock
 *   Access Gateway host (private subnet, reachable from the web host only);
 * - `loadBalanced`: Open WebUI hosts in an Auto Scaling group behind the edge's ALB, and gateway
 *   hosts in one behind an internal load balancer, all in the private subnets;
 * with their images pinned by digest, their secrets, and the uploads bucket. This class only wires
 * them: each role's boot script, IAM and declarations live in `web.ts` and `gateway.ts`.
 */
export class Compute extends pulumi.ComponentResource {
    /** HTTPS URL of the portal: its domain, or the Elastic IP. */
    public readonly portalUrl: pulumi.Output<string>;
    /** The web host's Elastic IP (single only). */
    public readonly webPublicIp?: pulumi.Output<string>;
    /** Internal OpenAI-compatible base URL of the gateway. */
    public readonly gatewayUrl: pulumi.Output<string>;
    public readonly gatewayApiKeySecretArn: pulumi.Output<string>;
    /** The gateway image the host runs, pinned by digest. */
    public readonly gatewayImage: pulumi.Output<string>;
    /** The Open WebUI image the host runs, pinned by digest. */
    public readonly openWebUiImage: pulumi.Output<string>;
    public readonly uploadsBucketName: pulumi.Output<string>;
    /** The hosts' instances (single only). */
    public readonly webInstanceId?: pulumi.Output<string>;
    public readonly gatewayInstanceId?: pulumi.Output<string>;
    /** The Auto Scaling groups of the load-balanced tier, by role (for schedules). */
    public readonly fleets?: Readonly<Record<"web" | "gateway", HostFleet>>;
    /** The hosts' Auto Scaling groups (loadBalanced only). */
    public readonly webAutoScalingGroupName?: pulumi.Output<string>;
    public readonly gatewayAutoScalingGroupName?: pulumi.Output<string>;
    /** The application inference profile the portal's default model runs through (tagged per stack). */
    public readonly defaultModelProfileArn: pulumi.Output<string>;
    /** The gateway's internal load balancer (loadBalanced only), for its alarms. */
    public readonly gatewayLoadBalancer?: GatewayLoadBalancer;

    constructor(name: string, args: ComputeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:compute:Compute", name, {}, opts);
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);

        const lb = args.loadBalanced;
        if ((args.webTier.mode === "loadBalanced") !== (lb !== undefined)) {
            throw new Error("the load-balanced web tier, and only it, needs the edge and Redis");
        }
        // The portal's address exists before any host, so all can be told the URL: the single
        // host's Elastic IP (or its domain), or the domain the ALB serves.
        const webIp = lb
            ? undefined
            : new aws.ec2.Eip(
                  `${name}-web-eip`,
                  { domain: "vpc", tags: { Name: `${args.namePrefix}-web` } },
                  { parent: this, protect: args.protectData },
              );
        const portalHost = args.domainName ? pulumi.output(args.domainName) : webIp!.publicIp;
        this.portalUrl = lb
            ? pulumi.output(lb.portalUrl)
            : pulumi.interpolate`https://${portalHost}`;

        // The gateway's client key: the gateway reads it, the web host sends it.
        const apiKey = jsonSecret(`${name}-gateway-api-key`, {
            secretName: `${args.namePrefix}/gateway/api-key`,
            description:
                'Client API key of the Bedrock gateway ({"api_key": ...}); read by the gateway and the web host',
            value: generatedKey(`${name}-gateway-api-key`, 48, this).apply((key) =>
                JSON.stringify({ api_key: key }),
            ),
            keepOnDelete: args.protectData,
            parent: this,
        });

        // --- gateway ------------------------------------------------------------------------
        const built = args.gatewayImage
            ? undefined
            : new GatewayImage(
                  `${name}-gateway-image`,
                  {
                      namePrefix: args.namePrefix,
                      sourceCommit: args.gatewaySourceCommit,
                      forceDelete: !args.protectData,
                  },
                  parent,
              );
        this.gatewayImage = built ? built.imageRef : pulumi.output(args.gatewayImage!);
        // The default model through a profile of this stack's own, so its spend carries the tags.
        const modelProfile = new DefaultModelProfile(
            `${name}-default-model`,
            {
                namePrefix: args.namePrefix,
                model: args.bedrockDefaultModel,
                partition: partition.partition,
                region: args.region,
                accountId: identity.accountId,
            },
            parent,
        );
        this.defaultModelProfileArn = modelProfile.arn;
        const gatewayUserDataText = pulumi
            .all([
                this.gatewayImage,
                this.portalUrl,
                apiKey.secret.arn,
                apiKey.version.versionId,
                modelProfile.arn,
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
        const gatewayHost = {
            namePrefix: args.namePrefix,
            securityGroupId: args.gatewaySecurityGroupId,
            instanceType: args.gatewayInstanceType,
            rootVolumeGb: args.hostRootVolumeGb,
            amiId: args.gatewayHostAmiId,
            logRetentionDays: args.logRetentionDays,
            userData: gatewayUserDataText,
            statements: gatewayStatements({
                partition: partition.partition,
                region: args.region,
                accountId: identity.accountId,
                apiKeySecretArn: apiKey.secret.arn,
                builtRepositoryArn: built?.repositoryArn,
                configuredImage: args.gatewayImage,
                residency: args.bedrockDataResidency,
                defaultModelProfileArn: modelProfile.arn,
            }),
        };
        let gatewayFleet: HostFleet | undefined;
        if (lb) {
            this.gatewayLoadBalancer = new GatewayLoadBalancer(
                `${name}-gateway-lb`,
                {
                    namePrefix: args.namePrefix,
                    vpcId: args.vpcId,
                    privateSubnetIds: args.privateSubnetIds,
                    securityGroupId: lb.gatewayLbSecurityGroupId,
                    port: args.gatewayPort,
                },
                parent,
            );
            const fleet = declareGatewayFleet(
                `${name}-gateway`,
                {
                    ...gatewayHost,
                    subnetIds: args.privateSubnetIds,
                    minHosts: args.webTier.gatewayMinHosts,
                    maxHosts: 2 * args.webTier.gatewayMinHosts,
                    targetGroupArn: this.gatewayLoadBalancer.targetGroupArn,
                    tags: args.tags,
                },
                this,
            );
            this.gatewayAutoScalingGroupName = fleet.groupName;
            gatewayFleet = fleet;
            this.gatewayUrl = pulumi.interpolate`http://${this.gatewayLoadBalancer.dnsName}:${args.gatewayPort}/api/v1`;
        } else {
            const gateway = declareGatewayHost(
                `${name}-gateway`,
                {
                    ...gatewayHost,
                    subnetId: pulumi.output(args.privateSubnetIds).apply((ids) => ids[0]),
                },
                this,
            );
            this.gatewayInstanceId = gateway.instanceId;
            this.gatewayUrl = pulumi.interpolate`http://${gateway.privateIp}:${args.gatewayPort}/api/v1`;
        }

        // --- web ----------------------------------------------------------------------------
        const uploads = new UploadsBucket(
            `${name}-uploads`,
            { namePrefix: args.namePrefix, protect: args.protectData, noncurrentVersionDays: 90 },
            parent,
        );
        const webSecret = jsonSecret(`${name}-web-secrets`, {
            secretName: `${args.namePrefix}/web/openwebui`,
            description:
                "Open WebUI's session signing key and local administrator password; read by the web host at boot",
            value: pulumi
                .all([
                    generatedKey(`${name}-webui-secret-key`, 64, this),
                    generatedKey(`${name}-web-admin-password`, 32, this),
                ])
                .apply(([secretKey, adminPassword]) =>
                    JSON.stringify({
                        secret_key: secretKey,
                        admin_email: args.webAdminEmail,
                        admin_password: adminPassword,
                    }),
                ),
            keepOnDelete: args.protectData,
            parent: this,
        });
        this.openWebUiImage = pinnedImage(args.openWebUiImage, parent);
        // Caddy runs on the single host only; the ALB does its job in the load-balanced tier.
        const caddyImage = lb ? pulumi.output("") : pinnedImage(args.caddyImage, parent);
        const webUserDataText = pulumi
            .output({
                openWebUiImage: this.openWebUiImage,
                caddyImage,
                portalHost,
                portalUrl: this.portalUrl,
                gatewayBaseUrl: this.gatewayUrl,
                defaultModel: modelProfile.arn,
                uploadsBucket: uploads.bucketName,
                directoryDnsIps: args.directory.dnsIpAddresses,
                redisEndpoint: lb
                    ? pulumi.interpolate`${lb.redis.endpoint}:${lb.redis.port}`
                    : undefined,
                secretArns: {
                    database: args.database.appSecretArn,
                    web: webSecret.secret.arn,
                    gatewayKey: apiKey.secret.arn,
                    bind: args.directory.bindSecretArn,
                    ...(lb ? { redis: lb.redis.authSecretArn } : {}),
                },
                secretVersions: {
                    database: args.database.appSecretVersionId,
                    web: webSecret.version.versionId,
                    "gateway-key": apiKey.version.versionId,
                    bind: args.directory.bindSecretVersionId,
                    ...(lb ? { redis: lb.redis.authSecretVersionId } : {}),
                },
            })
            .apply((v) =>
                webUserData({
                    ...v,
                    webTier: args.webTier.mode,
                    region: args.region,
                    stack: args.stack,
                    logGroup: `/${args.namePrefix}/web`,
                    hasDomain: args.domainName !== undefined,
                    defaultUserRole: args.webDefaultUserRole,
                    adminEmail: args.webAdminEmail,
                    directoryDomain: args.directory.domain,
                    directoryShortName: args.directory.shortName,
                    bindIdentity: args.directory.bindIdentity,
                    searchBase: args.directory.searchBase,
                    portalGroupDn: args.directory.portalGroupDn,
                    adminCidrs: args.adminCidrs,
                    enableApiKeys: args.webEnableApiKeys,
                    jwtExpiresIn: args.webJwtExpiresIn,
                    enableCommunitySharing: args.webEnableCommunitySharing,
                    enableAdminChatAccess: args.webEnableAdminChatAccess,
                    enableAdminExport: args.webEnableAdminExport,
                    userToolsAccess: args.webUserToolsAccess,
                    databaseCaBundle: RDS_CA_BUNDLE,
                    healthNamespace: HEALTH_NAMESPACE,
                    healthMetric: HEALTH_METRIC,
                }),
            );
        const webHost = {
            namePrefix: args.namePrefix,
            securityGroupId: args.webSecurityGroupId,
            instanceType: args.webInstanceType,
            rootVolumeGb: args.hostRootVolumeGb,
            amiId: args.webHostAmiId,
            logRetentionDays: args.logRetentionDays,
            userData: webUserDataText,
            statements: webStatements({
                secretArns: [
                    args.database.appSecretArn,
                    webSecret.secret.arn,
                    apiKey.secret.arn,
                    args.directory.bindSecretArn,
                    ...(lb ? [lb.redis.authSecretArn] : []),
                ],
                uploadsBucketArn: uploads.bucketArn,
                healthNamespace: HEALTH_NAMESPACE,
            }),
            waitFor: args.webDependsOn,
        };
        if (lb) {
            const fleet = declareWebFleet(
                `${name}-web`,
                {
                    ...webHost,
                    subnetIds: args.privateSubnetIds,
                    minHosts: args.webTier.webMinHosts,
                    maxHosts: args.webTier.webMaxHosts,
                    targetGroupArn: lb.webTargetGroupArn,
                    tags: args.tags,
                },
                this,
            );
            this.webAutoScalingGroupName = fleet.groupName;
            this.fleets = { web: fleet, gateway: gatewayFleet! };
        } else {
            const web = declareWebHost(
                `${name}-web`,
                {
                    ...webHost,
                    subnetId: pulumi.output(args.publicSubnetIds).apply((ids) => ids[0]),
                    keyName: args.sshKeyName,
                },
                this,
            );
            new aws.ec2.EipAssociation(
                `${name}-web-eip`,
                { allocationId: webIp!.allocationId, instanceId: web.instanceId },
                parent,
            );
            this.webInstanceId = web.instanceId;
            this.webPublicIp = webIp!.publicIp;
        }

        this.gatewayApiKeySecretArn = apiKey.secret.arn;
        this.uploadsBucketName = uploads.bucketName;
        this.registerOutputs({
            portalUrl: this.portalUrl,
            webPublicIp: this.webPublicIp,
            gatewayUrl: this.gatewayUrl,
            gatewayApiKeySecretArn: this.gatewayApiKeySecretArn,
            gatewayImage: this.gatewayImage,
            openWebUiImage: this.openWebUiImage,
            uploadsBucketName: this.uploadsBucketName,
            webInstanceId: this.webInstanceId,
            gatewayInstanceId: this.gatewayInstanceId,
            webAutoScalingGroupName: this.webAutoScalingGroupName,
            gatewayAutoScalingGroupName: this.gatewayAutoScalingGroupName,
            defaultModelProfileArn: this.defaultModelProfileArn,
        });
    }
}
