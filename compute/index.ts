import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ComputeConfig } from "../config";
import { RDS_CA_BUNDLE } from "../data";
import { jsonSecret } from "../lib/secret";
import { HEALTH_METRIC, HEALTH_NAMESPACE } from "../operations/alarms";
import { declareGatewayHost, gatewayStatements, gatewayUserData } from "./gateway";
import { GatewayImage, pinnedImage } from "./images";
import { UploadsBucket } from "./uploadsBucket";
import { declareWebHost, webStatements, webUserData } from "./web";

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
 * The compute tier: the Open WebUI host (public subnet, Elastic IP, HTTPS through Caddy) and the
 * Bedrock Access Gateway host (private subnet, reachable from the web host only), their images
 * pinned by digest, their secrets, and the uploads bucket. This class only wires them: each host's
 * boot script, IAM and declaration live in `web.ts` and `gateway.ts`.
 */
export class Compute extends pulumi.ComponentResource {
    /** HTTPS URL of the portal: its domain, or the Elastic IP. */
    public readonly portalUrl: pulumi.Output<string>;
    public readonly webPublicIp: pulumi.Output<string>;
    /** Internal OpenAI-compatible base URL of the gateway. */
    public readonly gatewayUrl: pulumi.Output<string>;
    public readonly gatewayApiKeySecretArn: pulumi.Output<string>;
    /** The gateway image the host runs, pinned by digest. */
    public readonly gatewayImage: pulumi.Output<string>;
    /** The Open WebUI image the host runs, pinned by digest. */
    public readonly openWebUiImage: pulumi.Output<string>;
    public readonly uploadsBucketName: pulumi.Output<string>;
    public readonly webInstanceId: pulumi.Output<string>;
    public readonly gatewayInstanceId: pulumi.Output<string>;

    constructor(name: string, args: ComputeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:compute:Compute", name, {}, opts);
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);

        // The portal's address exists before either host, so both can be told the URL.
        const webIp = new aws.ec2.Eip(
            `${name}-web-eip`,
            { domain: "vpc", tags: { Name: `${args.namePrefix}-web` } },
            { parent: this, protect: args.protectData },
        );
        const portalHost = args.domainName ? pulumi.output(args.domainName) : webIp.publicIp;
        this.portalUrl = pulumi.interpolate`https://${portalHost}`;

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
        const gateway = declareGatewayHost(
            `${name}-gateway`,
            {
                namePrefix: args.namePrefix,
                subnetId: pulumi.output(args.privateSubnetIds).apply((ids) => ids[0]),
                securityGroupId: args.gatewaySecurityGroupId,
                instanceType: args.gatewayInstanceType,
                rootVolumeGb: args.hostRootVolumeGb,
                amiId: args.gatewayHostAmiId,
                logRetentionDays: args.logRetentionDays,
                userData: pulumi
                    .all([
                        this.gatewayImage,
                        this.portalUrl,
                        apiKey.secret.arn,
                        apiKey.version.versionId,
                    ])
                    .apply(([image, portalUrl, apiKeySecretArn, keyVersion]) =>
                        gatewayUserData({
                            region: args.region,
                            logGroup: `/${args.namePrefix}/gateway`,
                            image,
                            port: args.gatewayPort,
                            defaultModel: args.bedrockDefaultModel,
                            portalUrl,
                            apiKeySecretArn,
                            secretVersions: { "gateway-key": keyVersion },
                        }),
                    ),
                statements: gatewayStatements({
                    partition: partition.partition,
                    region: args.region,
                    accountId: identity.accountId,
                    apiKeySecretArn: apiKey.secret.arn,
                    builtRepositoryArn: built?.repositoryArn,
                    configuredImage: args.gatewayImage,
                    residency: args.bedrockDataResidency,
                }),
            },
            this,
        );
        this.gatewayUrl = pulumi.interpolate`http://${gateway.privateIp}:${args.gatewayPort}/api/v1`;

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
        const caddyImage = pinnedImage(args.caddyImage, parent);
        const web = declareWebHost(
            `${name}-web`,
            {
                namePrefix: args.namePrefix,
                subnetId: pulumi.output(args.publicSubnetIds).apply((ids) => ids[0]),
                securityGroupId: args.webSecurityGroupId,
                instanceType: args.webInstanceType,
                rootVolumeGb: args.hostRootVolumeGb,
                amiId: args.webHostAmiId,
                keyName: args.sshKeyName,
                logRetentionDays: args.logRetentionDays,
                userData: pulumi
                    .output({
                        openWebUiImage: this.openWebUiImage,
                        caddyImage,
                        portalHost,
                        portalUrl: this.portalUrl,
                        gatewayBaseUrl: this.gatewayUrl,
                        uploadsBucket: uploads.bucketName,
                        directoryDnsIps: args.directory.dnsIpAddresses,
                        secretArns: {
                            database: args.database.appSecretArn,
                            web: webSecret.secret.arn,
                            gatewayKey: apiKey.secret.arn,
                            bind: args.directory.bindSecretArn,
                        },
                        secretVersions: {
                            database: args.database.appSecretVersionId,
                            web: webSecret.version.versionId,
                            "gateway-key": apiKey.version.versionId,
                            bind: args.directory.bindSecretVersionId,
                        },
                    })
                    .apply((v) =>
                        webUserData({
                            ...v,
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
                    ),
                statements: webStatements({
                    secretArns: [
                        args.database.appSecretArn,
                        webSecret.secret.arn,
                        apiKey.secret.arn,
                        args.directory.bindSecretArn,
                    ],
                    uploadsBucketArn: uploads.bucketArn,
                    healthNamespace: HEALTH_NAMESPACE,
                }),
                waitFor: args.webDependsOn,
            },
            this,
        );
        new aws.ec2.EipAssociation(
            `${name}-web-eip`,
            { allocationId: webIp.allocationId, instanceId: web.instanceId },
            parent,
        );

        this.webPublicIp = webIp.publicIp;
        this.gatewayApiKeySecretArn = apiKey.secret.arn;
        this.uploadsBucketName = uploads.bucketName;
        this.webInstanceId = web.instanceId;
        this.gatewayInstanceId = gateway.instanceId;
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
        });
    }
}
