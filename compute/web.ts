/**
 * The Open WebUI host: its boot script and its IAM statements as pure functions of plain values,
 * and the one function that declares the host.
 */
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../lib/ports";
import type { WebTierShape } from "../network/trafficMatrix";
import { HostFleet } from "./fleet";
import { Host, PolicyStatement } from "./host";
import { caddyfile, DATABASE_CA_FILE, OpenWebUiSettingsInput, openWebUiSettings } from "./settings";
import {
    envFile,
    everyBootUserData,
    readTemplate,
    renderTemplate,
    secretVersions,
} from "./userData";

export interface WebBootValues extends Omit<OpenWebUiSettingsInput, "databaseCaFile"> {
    /** The tier the host serves: alone behind Caddy, or one of several behind the ALB. */
    readonly webTier: WebTierShape;
    readonly stack: string;
    /** The host's CloudWatch log group, e.g. /ai-portal-dev/web. */
    readonly logGroup: string;
    /** Images to run, `repository@sha256:...`. */
    readonly openWebUiImage: string;
    readonly caddyImage: string;
    /** The portal's host name: its domain, or the Elastic IP. */
    readonly portalHost: string;
    /** True when `portalHost` is a public domain (a public certificate), false for the address. */
    readonly hasDomain: boolean;
    /** The secrets the boot script reads, by ARN. */
    readonly secretArns: {
        readonly database: string;
        readonly web: string;
        readonly gatewayKey: string;
        readonly bind: string;
        /** The Redis auth token (loadBalanced only). */
        readonly redis?: string;
    };
    /** The Redis the hosts share, host:port (loadBalanced only). */
    readonly redisEndpoint?: string;
    /** Version ids of those secrets, by name: a new one restarts the host. */
    readonly secretVersions: Readonly<Record<string, string>>;
    /** The domain controllers' addresses (the directory's DNS servers). */
    readonly directoryDnsIps: readonly string[];
    /** The RDS CA certificate(s) the host and Open WebUI trust for PostgreSQL. */
    readonly databaseCaBundle: string;
    readonly healthNamespace: string;
    readonly healthMetric: string;
    /** Client ranges Open WebUI's local (password) sign-in answers; empty: none. */
    readonly adminCidrs: readonly string[];
}

/** The web host's user data: `templates/web.sh` rendered, run at every boot. */
export function webUserData(v: WebBootValues): string {
    const loadBalanced = v.webTier === "loadBalanced";
    if (loadBalanced !== (v.secretArns.redis !== undefined && v.redisEndpoint !== undefined)) {
        throw new Error("the load-balanced web tier, and only it, has a Redis");
    }
    return everyBootUserData(
        renderTemplate(
            readTemplate("web.sh"),
            {
                WEB_TIER: v.webTier,
                AWS_REGION: v.region,
                LOG_GROUP: v.logGroup,
                OPEN_WEBUI_IMAGE: v.openWebUiImage,
                CADDY_IMAGE: v.caddyImage,
                OPEN_WEBUI_PORT: String(PORTS.openWebUi),
                OPEN_WEBUI_PUBLISH: loadBalanced ? "0.0.0.0" : "127.0.0.1",
                DB_SECRET_ARN: v.secretArns.database,
                WEB_SECRET_ARN: v.secretArns.web,
                GATEWAY_KEY_SECRET_ARN: v.secretArns.gatewayKey,
                BIND_SECRET_ARN: v.secretArns.bind,
                REDIS_SECRET_ARN: v.secretArns.redis ?? "",
                REDIS_ENDPOINT: v.redisEndpoint ?? "",
                SECRET_VERSIONS: secretVersions(v.secretVersions),
                DATABASE_CA_FILE,
                PORTAL_HOST: v.portalHost,
                PORTAL_STACK: v.stack,
                HEALTH_NAMESPACE: v.healthNamespace,
                HEALTH_METRIC: v.healthMetric,
                HEALTH_ROUTE: loadBalanced ? "alb" : "caddy",
                DIRECTORY_DNS: [...v.directoryDnsIps].sort().join(" "),
            },
            {
                OPEN_WEBUI_SETTINGS: envFile(
                    openWebUiSettings({ ...v, databaseCaFile: DATABASE_CA_FILE }),
                ),
                RDS_CA_BUNDLE: v.databaseCaBundle.trimEnd(),
                // The ALB does Caddy's job in the load-balanced tier (edge/index.ts).
                CADDYFILE: loadBalanced ? "" : caddyfile(v.portalHost, v.hasDomain, v.adminCidrs),
                MIGRATE_PY: loadBalanced ? readTemplate("migrate.py").trimEnd() : "",
            },
        ),
    );
}

export interface WebStatementRefs {
    /** Every secret the web host reads at boot. */
    readonly secretArns: pulumi.Input<string>[];
    readonly uploadsBucketArn: pulumi.Input<string>;
    /** The CloudWatch namespace of the portal's health metric. */
    readonly healthNamespace: string;
}

/** What the web host may do beyond Session Manager and its own logs: its secrets, the uploads, its health metric. */
export function webStatements(refs: WebStatementRefs): PolicyStatement[] {
    return [
        {
            Sid: "ReadOwnSecrets",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue"],
            Resource: refs.secretArns,
        },
        {
            Sid: "ListUploads",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [refs.uploadsBucketArn],
        },
        {
            Sid: "ReadWriteUploads",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: [pulumi.interpolate`${refs.uploadsBucketArn}/*`],
        },
        {
            // PutMetricData takes no resource; the condition keeps the host to the portal's namespace.
            Sid: "ReportHealth",
            Effect: "Allow",
            Action: ["cloudwatch:PutMetricData"],
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": refs.healthNamespace } },
        },
    ];
}

export interface WebHostArgs {
    /** Prefix for names and `Name` tags, e.g. "ai-portal-dev". Required. */
    readonly namePrefix: string;
    /** The public subnet the host runs in (its Elastic IP is attached by the caller). */
    readonly subnetId: pulumi.Input<string>;
    /** The web host's security group (the traffic matrix's `web` group). Required. */
    readonly securityGroupId: pulumi.Input<string>;
    /** EC2 type, x86_64, medium or larger (config `webInstanceType`). Required. */
    readonly instanceType: string;
    /** Size of the encrypted gp3 root volume. Required. */
    readonly rootVolumeGb: number;
    /** A pinned AMI; undefined keeps the AMI the host was created with. */
    readonly amiId?: string;
    /** An EC2 key pair for SSH; undefined for none (Session Manager). */
    readonly keyName?: string;
    /** Retention of the host's log group. Required. */
    readonly logRetentionDays: number;
    /** The rendered boot script (`webUserData`). Required. */
    readonly userData: pulumi.Input<string>;
    /** What the host may do beyond Session Manager and its logs (`webStatements`). Required. */
    readonly statements: PolicyStatement[];
    /** What must be complete before the host boots (the database role, the bind account). */
    readonly waitFor: pulumi.Resource[];
}

/** Declares the web host: public subnet, a public address at launch (then its Elastic IP). */
export function declareWebHost(name: string, args: WebHostArgs, parent: pulumi.Resource): Host {
    return new Host(
        name,
        {
            namePrefix: args.namePrefix,
            role: "web",
            description: "Open WebUI behind Caddy",
            subnetId: args.subnetId,
            securityGroupIds: [args.securityGroupId],
            instanceType: args.instanceType,
            rootVolumeGb: args.rootVolumeGb,
            amiId: args.amiId,
            // Reaches the package repositories at first boot; the Elastic IP replaces it.
            publicAddress: true,
            keyName: args.keyName,
            userData: args.userData,
            logRetentionDays: args.logRetentionDays,
            statements: args.statements,
            waitFor: args.waitFor,
        },
        { parent },
    );
}

export interface WebFleetArgs extends Omit<WebHostArgs, "subnetId" | "keyName"> {
    /** The private subnets the hosts spread across. Required. */
    readonly subnetIds: pulumi.Input<string[]>;
    /** Fewest and most hosts (config `webMinHosts`, `webMaxHosts`). Required. */
    readonly minHosts: number;
    readonly maxHosts: number;
    /** The ALB's target group. Required. */
    readonly targetGroupArn: pulumi.Input<string>;
    /** Tags for the hosts and volumes (the provider's default tags do not reach them). Required. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * A new web host takes a while before it is healthy: Docker, a large image to pull, the schema
 * migration (one host at a time), and Open WebUI's start (which loads its embedding model).
 */
const WEB_BOOT_SECONDS = 900;

/** Declares the web hosts of the load-balanced tier: private subnets, no public address, behind the ALB. */
export function declareWebFleet(
    name: string,
    args: WebFleetArgs,
    parent: pulumi.Resource,
): HostFleet {
    return new HostFleet(
        name,
        {
            namePrefix: args.namePrefix,
            role: "web",
            description: "Open WebUI behind the ALB",
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
            bootSeconds: WEB_BOOT_SECONDS,
            waitFor: args.waitFor,
        },
        { parent },
    );
}
