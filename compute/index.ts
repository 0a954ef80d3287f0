import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { jsonSecret } from "../lib/secret";
import { declareGateImage, declareGateway, declareGatewayImage } from "./gateway";
import { GatewayLoadBalancer } from "./gatewayLoadBalancer";
import { HostFleet } from "./fleet";
import { DefaultModelProfile } from "./modelProfile";
import { pinnedImage } from "./images";
import { UploadsBucket } from "./uploadsBucket";
import { declareWeb } from "./web";
import type { ComputeArgs } from "./args";

export type { ComputeArgs } from "./args";

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

/** Open WebUI's secret document: a generated session signing key and local administrator password. */
function generatedWebSecrets(
    name: string,
    adminEmail: string,
    parent: pulumi.Resource,
): pulumi.Output<string> {
    return pulumi
        .all([
            generatedKey(`${name}-webui-secret-key`, 64, parent),
            generatedKey(`${name}-web-admin-password`, 32, parent),
        ])
        .apply(([secretKey, adminPassword]) =>
            JSON.stringify({
                secret_key: secretKey,
                admin_email: adminEmail,
                admin_password: adminPassword,
            }),
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
    /** The database snapshot taken before that image's hosts started (compute/upgrade.ts). */
    public readonly preUpgradeSnapshotIdentifier: pulumi.Output<string>;
    public readonly uploadsBucketName: pulumi.Output<string>;
    public readonly uploadsBucketArn: pulumi.Output<string>;
    /** The web and gateway hosts' instance roles (the data key's policy names them). */
    public readonly webRoleArn: pulumi.Output<string>;
    public readonly gatewayRoleArn: pulumi.Output<string>;
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
    /** The OIDC client secret's ARN (authMode oidc or both). */
    public readonly oidcClientSecretArn?: pulumi.Output<string>;
    /** Open WebUI's SCIM token's ARN (scim on): the identity provider's provisioning uses it. */
    public readonly scimTokenSecretArn?: pulumi.Output<string>;
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
            kmsKeyId: args.encryption?.keyArn,
        });

        // --- gateway ------------------------------------------------------------------------
        const gatewayImage = declareGatewayImage(`${name}-gateway-image`, args, this);
        this.gatewayImage = gatewayImage.ref;
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
        const gateway = declareGateway(
            `${name}-gateway`,
            args,
            {
                image: gatewayImage,
                gateImage: declareGateImage(`${name}-gate-image`, args, this),
                portalUrl: this.portalUrl,
                apiKey,
                defaultModelProfileArn: modelProfile.arn,
                partition: partition.partition,
                accountId: identity.accountId,
            },
            this,
        );
        this.gatewayUrl = gateway.url;
        this.gatewayInstanceId = gateway.instanceId;
        this.gatewayAutoScalingGroupName = gateway.fleet?.groupName;
        this.gatewayLoadBalancer = gateway.loadBalancer;

        // --- web ----------------------------------------------------------------------------
        const uploads = new UploadsBucket(
            `${name}-uploads`,
            {
                namePrefix: args.namePrefix,
                protect: args.protectData,
                noncurrentVersionDays: 90,
                kmsKeyArn: args.encryption?.keyArn,
                replication: args.uploadsReplication,
            },
            parent,
        );
        const webSecret = jsonSecret(`${name}-web-secrets`, {
            secretName: `${args.namePrefix}/web/openwebui`,
            description:
                "Open WebUI's session signing key and local administrator password; read by the web host at boot",
            value: generatedWebSecrets(name, args.webAdminEmail, this),
            keepOnDelete: args.protectData,
            parent: this,
            kmsKeyId: args.encryption?.keyArn,
        });
        // The OIDC client secret (a stack secret) and the SCIM token (generated), each in Secrets
        // Manager for the hosts to read at boot like the others.
        const oidcClientSecret =
            args.identity.oidc &&
            jsonSecret(`${name}-oidc-client`, {
                secretName: `${args.namePrefix}/web/oidc-client`,
                description:
                    'OpenID Connect client secret of the portal ({"client_secret": ...}); read by the web host at boot',
                value: pulumi
                    .secret(args.identity.oidc.clientSecret)
                    .apply((secret) => JSON.stringify({ client_secret: secret })),
                keepOnDelete: args.protectData,
                parent: this,
                kmsKeyId: args.encryption?.keyArn,
            });
        const scimToken = args.identity.scim
            ? jsonSecret(`${name}-scim-token`, {
                  secretName: `${args.namePrefix}/web/scim-token`,
                  description:
                      'Bearer token of Open WebUI\'s SCIM endpoint ({"token": ...}); read by the web host at boot and given to the identity provider',
                  value: generatedKey(`${name}-scim-token`, 64, this).apply((token) =>
                      JSON.stringify({ token }),
                  ),
                  keepOnDelete: args.protectData,
                  parent: this,
                  kmsKeyId: args.encryption?.keyArn,
              })
            : undefined;
        this.oidcClientSecretArn = oidcClientSecret?.secret.arn;
        this.scimTokenSecretArn = scimToken?.secret.arn;
        this.openWebUiImage = pinnedImage(args.openWebUiImage, parent);
        // Caddy runs on the single host only; the ALB does its job in the load-balanced tier.
        const caddyImage = lb ? pulumi.output("") : pinnedImage(args.caddyImage, parent);
        const web = declareWeb(
            `${name}-web`,
            args,
            {
                openWebUiImage: this.openWebUiImage,
                caddyImage,
                portalHost,
                portalUrl: this.portalUrl,
                gatewayBaseUrl: this.gatewayUrl,
                defaultModelProfileArn: modelProfile.arn,
                uploads,
                webSecret,
                gatewayKey: apiKey,
                elasticIp: webIp,
                oidcClientSecret,
                scimToken,
            },
            this,
        );
        this.webInstanceId = web.instanceId;
        this.preUpgradeSnapshotIdentifier = web.preUpgradeSnapshotIdentifier;
        this.webPublicIp = webIp?.publicIp;
        this.webAutoScalingGroupName = web.fleet?.groupName;
        this.fleets = web.fleet && gateway.fleet && { web: web.fleet, gateway: gateway.fleet };

        this.gatewayApiKeySecretArn = apiKey.secret.arn;
        this.uploadsBucketName = uploads.bucketName;
        this.uploadsBucketArn = uploads.bucketArn;
        this.webRoleArn = web.roleArn;
        this.gatewayRoleArn = gateway.roleArn;
        this.registerOutputs({
            portalUrl: this.portalUrl,
            webPublicIp: this.webPublicIp,
            gatewayUrl: this.gatewayUrl,
            gatewayApiKeySecretArn: this.gatewayApiKeySecretArn,
            gatewayImage: this.gatewayImage,
            openWebUiImage: this.openWebUiImage,
            preUpgradeSnapshotIdentifier: this.preUpgradeSnapshotIdentifier,
            uploadsBucketName: this.uploadsBucketName,
            uploadsBucketArn: this.uploadsBucketArn,
            webRoleArn: this.webRoleArn,
            gatewayRoleArn: this.gatewayRoleArn,
            webInstanceId: this.webInstanceId,
            gatewayInstanceId: this.gatewayInstanceId,
            webAutoScalingGroupName: this.webAutoScalingGroupName,
            gatewayAutoScalingGroupName: this.gatewayAutoScalingGroupName,
            defaultModelProfileArn: this.defaultModelProfileArn,
            oidcClientSecretArn: this.oidcClientSecretArn,
            scimTokenSecretArn: this.scimTokenSecretArn,
        });
    }
}
