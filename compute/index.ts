import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ComputeConfig, parseImageReference } from "../config";
import { RDS_CA_BUNDLE } from "../data";
import { jsonSecret } from "../lib/secret";
import { HEALTH_METRIC, HEALTH_NAMESPACE } from "../operations/alarms";
import { Host, PolicyStatement } from "./host";
import { GatewayImage, pinnedImage } from "./images";
import { caddyfile, DATABASE_CA_FILE, gatewaySettings, openWebUiSettings } from "./settings";
import { UploadsBucket } from "./uploadsBucket";
import { envFile, everyBootUserData, readTemplate, renderTemplate } from "./userData";

export interface ComputeArgs extends ComputeConfig {
    readonly namePrefix: string;
    /** The stack's name: the dimension of the web host's health metric. */
    readonly stack: string;
    readonly region: string;
    readonly publicSubnetIds: pulumi.Input<string[]>;
    readonly privateSubnetIds: pulumi.Input<string[]>;
    readonly webSecurityGroupId: pulumi.Input<string>;
    readonly gatewaySecurityGroupId: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Keep data (uploads bucket, secrets) on delete, as the database does. */
    readonly protectData: boolean;
    readonly database: {
        readonly appSecretArn: pulumi.Input<string>;
        /** Changes with Open WebUI's database credentials: the web host restarts to read them. */
        readonly appSecretVersionId: pulumi.Input<string>;
    };
    readonly directory: {
        readonly domain: string;
        readonly shortName: string;
        readonly dnsIpAddresses: pulumi.Input<string[]>;
        readonly searchBase: string;
        readonly bindIdentity: string;
        readonly bindSecretArn: pulumi.Input<string>;
        /** Changes with the bind account's password: the web host restarts to read it. */
        readonly bindSecretVersionId: pulumi.Input<string>;
    };
    /** What must exist before the web host boots (the database role, the bind account). */
    readonly webDependsOn: pulumi.Resource[];
}

/** Letters and digits only: safe in env files, URLs and headers without quoting. */
function generatedKey(name: string, length: number, parent: pulumi.Resource): pulumi.Output<string> {
    return pulumi.secret(new random.RandomPassword(name, { length, special: false, minUpper: 2, minLower: 2, minNumeric: 2 }, { parent }).result);
}

/**
 * The compute tier: the Open WebUI host (public subnet, Elastic IP, HTTPS through Caddy) and the
 * Bedrock Access Gateway host (private subnet, reachable from the web host only), their images
 * pinned by digest, their secrets, and the uploads bucket. Each host is a `Host` sub-component.
 */
export class Compute extends pulumi.ComponentResource {
    public readonly portalUrl: pulumi.Output<string>;
    public readonly webPublicIp: pulumi.Output<string>;
    /** Internal OpenAI-compatible base URL of the gateway. */
    public readonly gatewayUrl: pulumi.Output<string>;
    public readonly gatewayApiKeySecretArn: pulumi.Output<string>;
    public readonly gatewayImage: pulumi.Output<string>;
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
        const webIp = new aws.ec2.Eip(`${name}-web-eip`, { domain: "vpc", tags: { Name: `${args.namePrefix}-web` } }, { parent: this, protect: args.protectData });
        const portalHost = args.domainName ? pulumi.output(args.domainName) : webIp.publicIp;
        this.portalUrl = pulumi.interpolate`https://${portalHost}`;

        // --- gateway ------------------------------------------------------------------------
        const { secret: apiKeySecret, version: apiKeyVersion } = jsonSecret(`${name}-gateway-api-key`, {
            secretName: `${args.namePrefix}/gateway/api-key`,
            description: "Client API key of the Bedrock gateway ({\"api_key\": ...}); read by the gateway and the web host",
            value: generatedKey(`${name}-gateway-api-key`, 48, this).apply((key) => JSON.stringify({ api_key: key })),
            protect: args.protectData,
            parent: this,
        });
        const built = args.gatewayImage ? undefined : new GatewayImage(`${name}-gateway-image`, { namePrefix: args.namePrefix, sourceCommit: args.gatewaySourceCommit, forceDelete: !args.protectData }, parent);
        const gatewayImage = built ? built.imageRef : pulumi.output(args.gatewayImage!);
        const gatewayStatements: PolicyStatement[] = [
            { Sid: "ReadApiKey", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [apiKeySecret.arn] },
            {
                Sid: "InvokeModels",
                Effect: "Allow",
                Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                Resource: [
                    // EU cross-region profiles route to other EU regions, hence any region for models.
                    pulumi.interpolate`arn:${partition.partition}:bedrock:*::foundation-model/*`,
                    pulumi.interpolate`arn:${partition.partition}:bedrock:${args.region}:${identity.accountId}:inference-profile/*`,
                    pulumi.interpolate`arn:${partition.partition}:bedrock:${args.region}:${identity.accountId}:application-inference-profile/*`,
                ],
            },
            // The List APIs take no resource-level scoping.
            { Sid: "ListModels", Effect: "Allow", Action: ["bedrock:ListFoundationModels", "bedrock:ListInferenceProfiles"], Resource: "*" },
            ...ecrPullStatements(built?.repositoryArn, args.gatewayImage, partition.partition),
        ];
        const gatewayPrivateSubnet = pulumi.output(args.privateSubnetIds).apply((ids) => ids[0]);
        const gatewayUserData = pulumi
            .all([gatewayImage, this.portalUrl, apiKeySecret.arn, apiKeyVersion.versionId])
            .apply(([image, portalUrl, apiKeySecretArn, apiKeyVersionId]) =>
                everyBootUserData(
                    renderTemplate(
                        readTemplate("gateway.sh"),
                        {
                            AWS_REGION: args.region,
                            LOG_GROUP: `/${args.namePrefix}/gateway`,
                            GATEWAY_IMAGE: image,
                            GATEWAY_PORT: String(args.gatewayPort),
                            SECRET_VERSIONS: secretVersions({ "gateway-key": apiKeyVersionId }),
                        },
                        { GATEWAY_SETTINGS: envFile(gatewaySettings({ port: args.gatewayPort, region: args.region, defaultModel: args.bedrockDefaultModel, portalUrl, apiKeySecretArn })) },
                    ),
                ),
            );
        const gateway = new Host(
            `${name}-gateway`,
            {
                namePrefix: args.namePrefix,
                role: "gateway",
                description: "Bedrock Access Gateway",
                subnetId: gatewayPrivateSubnet,
                securityGroupIds: [args.gatewaySecurityGroupId],
                instanceType: args.gatewayInstanceType,
                rootVolumeGb: args.hostRootVolumeGb,
                amiId: args.gatewayHostAmiId,
                publicAddress: false,
                userData: gatewayUserData,
                logRetentionDays: args.logRetentionDays,
                statements: gatewayStatements,
            },
            parent,
        );
        this.gatewayUrl = pulumi.interpolate`http://${gateway.privateIp}:${args.gatewayPort}/api/v1`;

        // --- web ----------------------------------------------------------------------------
        const uploads = new UploadsBucket(`${name}-uploads`, { namePrefix: args.namePrefix, protect: args.protectData, noncurrentVersionDays: 90 }, parent);
        const { secret: webSecret, version: webSecretVersion } = jsonSecret(`${name}-web-secrets`, {
            secretName: `${args.namePrefix}/web/openwebui`,
            description: "Open WebUI's session signing key and local administrator password; read by the web host at boot",
            value: pulumi
                .all([generatedKey(`${name}-webui-secret-key`, 64, this), generatedKey(`${name}-web-admin-password`, 32, this)])
                .apply(([secretKey, adminPassword]) => JSON.stringify({ secret_key: secretKey, admin_email: args.webAdminEmail, admin_password: adminPassword })),
            protect: args.protectData,
            parent: this,
        });
        const openWebUiImage = pinnedImage(args.openWebUiImage, parent);
        const caddyImage = pinnedImage(args.caddyImage, parent);
        const webValues = pulumi.output({
            owuiImage: openWebUiImage,
            proxyImage: caddyImage,
            host: portalHost,
            portalUrl: this.portalUrl,
            gatewayBaseUrl: this.gatewayUrl,
            bucket: uploads.bucketName,
            dnsIps: args.directory.dnsIpAddresses,
            dbSecretArn: args.database.appSecretArn,
            webSecretArn: webSecret.arn,
            apiKeySecretArn: apiKeySecret.arn,
            bindSecretArn: args.directory.bindSecretArn,
            secretVersions: pulumi.all({
                database: args.database.appSecretVersionId,
                web: webSecretVersion.versionId,
                "gateway-key": apiKeyVersion.versionId,
                bind: args.directory.bindSecretVersionId,
            }),
        });
        const webUserData = webValues.apply((v) =>
            everyBootUserData(
                renderTemplate(
                    readTemplate("web.sh"),
                    {
                        AWS_REGION: args.region,
                        LOG_GROUP: `/${args.namePrefix}/web`,
                        OPEN_WEBUI_IMAGE: v.owuiImage,
                        CADDY_IMAGE: v.proxyImage,
                        DB_SECRET_ARN: v.dbSecretArn,
                        WEB_SECRET_ARN: v.webSecretArn,
                        GATEWAY_KEY_SECRET_ARN: v.apiKeySecretArn,
                        BIND_SECRET_ARN: v.bindSecretArn,
                        SECRET_VERSIONS: secretVersions(v.secretVersions),
                        DATABASE_CA_FILE,
                        PORTAL_HOST: v.host,
                        PORTAL_STACK: args.stack,
                        HEALTH_NAMESPACE,
                        HEALTH_METRIC,
                        DIRECTORY_DNS: [...v.dnsIps].sort().join(" "),
                    },
                    {
                        OPEN_WEBUI_SETTINGS: envFile(
                            openWebUiSettings({
                                portalUrl: v.portalUrl,
                                defaultUserRole: args.webDefaultUserRole,
                                adminEmail: args.webAdminEmail,
                                gatewayBaseUrl: v.gatewayBaseUrl,
                                directoryDomain: args.directory.domain,
                                directoryShortName: args.directory.shortName,
                                bindIdentity: args.directory.bindIdentity,
                                searchBase: args.directory.searchBase,
                                uploadsBucket: v.bucket,
                                region: args.region,
                                databaseCaFile: DATABASE_CA_FILE,
                            }),
                        ),
                        RDS_CA_BUNDLE: RDS_CA_BUNDLE.trimEnd(),
                        CADDYFILE: caddyfile(v.host, args.domainName !== undefined),
                    },
                ),
            ),
        );
        const webStatements: PolicyStatement[] = [
            {
                Sid: "ReadOwnSecrets",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: [args.database.appSecretArn, webSecret.arn, apiKeySecret.arn, args.directory.bindSecretArn],
            },
            { Sid: "ListUploads", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [uploads.bucketArn] },
            { Sid: "ReadWriteUploads", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: [pulumi.interpolate`${uploads.bucketArn}/*`] },
            {
                // PutMetricData takes no resource; the condition keeps the host to the portal's namespace.
                Sid: "ReportHealth",
                Effect: "Allow",
                Action: ["cloudwatch:PutMetricData"],
                Resource: "*",
                Condition: { StringEquals: { "cloudwatch:namespace": HEALTH_NAMESPACE } },
            },
        ];
        const web = new Host(
            `${name}-web`,
            {
                namePrefix: args.namePrefix,
                role: "web",
                description: "Open WebUI behind Caddy",
                subnetId: pulumi.output(args.publicSubnetIds).apply((ids) => ids[0]),
                securityGroupIds: [args.webSecurityGroupId],
                instanceType: args.webInstanceType,
                rootVolumeGb: args.hostRootVolumeGb,
                amiId: args.webHostAmiId,
                // Reaches the package repositories at first boot; the Elastic IP replaces it.
                publicAddress: true,
                keyName: args.sshKeyName,
                userData: webUserData,
                logRetentionDays: args.logRetentionDays,
                statements: webStatements,
                waitFor: args.webDependsOn,
            },
            parent,
        );
        new aws.ec2.EipAssociation(`${name}-web-eip`, { allocationId: webIp.allocationId, instanceId: web.instanceId }, parent);

        this.webPublicIp = webIp.publicIp;
        this.gatewayApiKeySecretArn = apiKeySecret.arn;
        this.gatewayImage = gatewayImage;
        this.openWebUiImage = openWebUiImage;
        this.uploadsBucketName = uploads.bucketName;
        this.webInstanceId = web.instanceId;
        this.gatewayInstanceId = gateway.instanceId;
        this.registerOutputs({
            portalUrl: this.portalUrl,
            webPublicIp: this.webPublicIp,
            gatewayUrl: this.gatewayUrl,
            gatewayApiKeySecretArn: this.gatewayApiKeySecretArn,
            uploadsBucketName: this.uploadsBucketName,
        });
    }
}

const ECR_IMAGE = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/(.+)$/;

/** `name:versionId` pairs, sorted by name: what the boot scripts log and what changes with a secret. */
function secretVersions(versions: Readonly<Record<string, string>>): string {
    return Object.keys(versions)
        .sort()
        .map((name) => `${name}:${versions[name]}`)
        .join(" ");
}

/** Pull rights on exactly the gateway's repository: the one built here, or the ECR one configured. */
function ecrPullStatements(builtRepositoryArn: pulumi.Output<string> | undefined, configuredImage: string | undefined, partition: pulumi.Output<string>): PolicyStatement[] {
    let repositoryArn: pulumi.Input<string> | undefined = builtRepositoryArn;
    if (!repositoryArn && configuredImage) {
        const match = ECR_IMAGE.exec(parseImageReference(configuredImage)?.repository ?? "");
        repositoryArn = match ? pulumi.interpolate`arn:${partition}:ecr:${match[2]}:${match[1]}:repository/${match[3]}` : undefined;
    }
    if (!repositoryArn) {
        return [];
    }
    return [
        // Registry login takes no resource-level scoping.
        { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
        { Sid: "PullGatewayImage", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], Resource: [repositoryArn] },
    ];
}
