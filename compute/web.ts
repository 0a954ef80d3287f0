/**
 * The Open WebUI hosts: their boot script and their IAM statements as pure functions of plain
 * values, and `declareWeb`, which declares them (one host with the portal's Elastic IP, or a fleet
 * behind the ALB) from the compute tier's args.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RDS_CA_BUNDLE } from "../data";
import { PORTS } from "../lib/ports";
import type { jsonSecret } from "../lib/secret";
import type { WebTierShape } from "../network/trafficMatrix";
import { HEALTH_METRIC, HEALTH_NAMESPACE } from "../operations/alarms";
import { HostFleet, HostFleetArgs } from "./fleet";
import { Host, HostEncryption, PolicyStatement } from "./host";
import type { ComputeArgs } from "./args";
import type { AuditLogLevel } from "../config/guardrail";
import {
    caddyfile,
    DATABASE_CA_FILE,
    OpenWebUiSettingsInput,
    openWebUiAuditSettings,
    openWebUiSettings,
} from "./settings";
import type { UploadsBucket } from "./uploadsBucket";
import { declarePreUpgradeSnapshot, imageDigest } from "./upgrade";
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
    withoutComments,
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
        /** The LDAP bind account's (authMode ldap or both). */
        readonly bind?: string;
        /** The OIDC client secret's (authMode oidc or both). */
        readonly oidcClient?: string;
        /** The SCIM token's (scim on). */
        readonly scim?: string;
        /** The Redis auth token (loadBalanced only). */
        readonly redis?: string;
    };
    /** The Redis the hosts share, host:port (loadBalanced only). */
    readonly redisEndpoint?: string;
    /** Version ids of those secrets, by name: a new one restarts the host. */
    readonly secretVersions: Readonly<Record<string, string>>;
    /** The RDS instance's identifier: the host looks its address up at boot. */
    readonly databaseInstance: string;
    /**
     * loadBalanced only: the group's launch hook, completed once Open WebUI answers on the host
     * (`WEB_LAUNCH_HOOK`). Undefined for the single host.
     */
    readonly launchHook?: { readonly groupName: string; readonly hookName: string };
    /**
     * The static files the boot script fetches from Parameter Store (`webBootFiles`), each with
     * its parameter's name: user data names them and pins each value's SHA-256.
     */
    readonly bootFiles: readonly { readonly parameterName: string; readonly file: BootFile }[];
    readonly healthNamespace: string;
    readonly healthMetric: string;
    /** Client ranges Open WebUI's local (password) sign-in answers; empty: none. */
    readonly adminCidrs: readonly string[];
    /**
     * Sign-in attempts one address may make in 5 minutes (config `wafSignInRateLimitPer5Min`):
     * the single host's sign-in limit enforces it (WAF in the load-balanced tier).
     */
    readonly signInLimitPer5Min: number;
    /** Open WebUI's audit level (config `auditLogLevel`). */
    readonly auditLogLevel: AuditLogLevel;
}

/**
 * Open WebUI's audit file as the host sees it: upstream's default path (AUDIT_FILE_IN_CONTAINER)
 * inside the `open-webui-data` volume, under Docker's default data root.
 */
export const AUDIT_FILE_ON_HOST = "/var/lib/docker/volumes/open-webui-data/_data/audit.log";

/** Where the web hosts keep their health reporter (`templates/health-report.sh`), run every minute. */
export const HEALTH_REPORTER_FILE = "/usr/local/sbin/ai-portal-health";

/** Where the web hosts keep the audit shipper (`templates/audit-shipper.sh`), run at each boot. */
export const AUDIT_SHIPPER_FILE = "/usr/local/sbin/ai-portal-audit";

/** Where the single host keeps its sign-in limit (`templates/signin-limit.py`), run by systemd. */
export const SIGN_IN_LIMIT_FILE = "/usr/local/sbin/ai-portal-signin-limit";

/**
 * How long a booting host waits for the database to have an address and then for Open WebUI's
 * role to accept its login (`templates/web.sh`): a Multi-AZ instance takes up to about 40 minutes
 * to create (plan/deploy-times.json), the role follows within a minute or two.
 */
export const DATABASE_WAIT_SECONDS = 2700;

/**
 * The web group's launch lifecycle hook: a new host stays in Pending:Wait, out of the target
 * group and with its health-check grace period not yet started, until its boot script completes
 * the action (CONTINUE once Open WebUI answers on the host, ABANDON when the boot fails); a host
 * that says nothing is abandoned after the heartbeat timeout. It must outlast the database wait
 * plus the image pull, migration and start. EC2 Auto Scaling user guide, "How lifecycle hooks
 * work" and "Set the health check grace period": with a launch hook the grace period starts only
 * once the lifecycle action is complete and the instance is InService.
 */
export const WEB_LAUNCH_HOOK = {
    name: "open-webui-ready",
    heartbeatSeconds: 3600,
    defaultResult: "ABANDON",
} as const;

/** The web hosts' Auto Scaling group's name (HostFleet names groups `<namePrefix>-<role>`). */
export function webGroupName(namePrefix: string): string {
    return `${namePrefix}-web`;
}

/** An RDS instance's ARN from its identifier: known before the instance exists. */
export function rdsInstanceArn(
    partition: string,
    region: string,
    accountId: string,
    identifier: string,
): string {
    return `arn:${partition}:rds:${region}:${accountId}:db:${identifier}`;
}

/** An Auto Scaling group's ARN by its name: the group's id (a UUID) is only known after it exists. */
export function autoScalingGroupArnPattern(
    partition: string,
    region: string,
    accountId: string,
    groupName: string,
): string {
    return `arn:${partition}:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/${groupName}`;
}

/**
 * The static files a web host writes at boot, kept out of its user data (EC2's 16 KB; the budget
 * keeps a quarter of it free): the RDS CA certificate the host and Open WebUI trust for
 * PostgreSQL, and, in the load-balanced tier, the migration script (in the single tier, the
 * sign-in limit Caddy asks), and the audit shipper, which sends Open WebUI's audit file to
 * `auditLogGroup`. `read` gives a template's text (the repository's, by default).
 */
export function webBootFiles(
    webTier: WebTierShape,
    databaseCaBundle: string,
    auditLogGroup: string,
    read: (name: string) => string = readTemplate,
): BootFile[] {
    return [
        {
            id: "rds-ca.pem",
            path: DATABASE_CA_FILE,
            mode: "644",
            value: databaseCaBundle.trimEnd(),
            description:
                "RDS CA certificate the web hosts trust for PostgreSQL; pinned by SHA-256 in their user data",
        },
        ...(webTier === "loadBalanced"
            ? [
                  {
                      id: "migrate.py",
                      path: "/etc/ai-portal/migrate.py",
                      mode: "644",
                      // Its comment lines stay in the repository, like the shell templates'.
                      value: withoutComments(read("migrate.py")).trimEnd(),
                      description:
                          "Open WebUI schema migration under an advisory lock, run by each web host at boot; pinned by SHA-256 in their user data",
                  },
              ]
            : [
                  {
                      // The single host has no WAF: Caddy asks this about each sign-in attempt.
                      id: "signin-limit.py",
                      path: SIGN_IN_LIMIT_FILE,
                      mode: "755",
                      value: withoutComments(read("signin-limit.py")).trimEnd(),
                      description:
                          "Per-address sign-in limit Caddy asks on the single web host; pinned by SHA-256 in its user data",
                  },
              ]),
        {
            id: "audit.sh",
            path: AUDIT_SHIPPER_FILE,
            mode: "700",
            value: renderTemplate(read("audit-shipper.sh"), {
                AUDIT_LOG_GROUP: auditLogGroup,
                AUDIT_FILE: AUDIT_FILE_ON_HOST,
            }).trimEnd(),
            description:
                "Ships Open WebUI's audit file to the stack's audit log group; pinned by SHA-256 in the web hosts' user data",
        },
        {
            // Static, so out of user data: the boot script writes only its environment file.
            id: "health.sh",
            path: HEALTH_REPORTER_FILE,
            mode: "700",
            value: withoutComments(read("health-report.sh")).trimEnd(),
            description:
                "The web hosts' HTTPS health reporter, run every minute; pinned by SHA-256 in their user data",
        },
    ];
}

/**
 * The settings the boot script reads from a secret each (`SECRET_SETTINGS`): the setting, the
 * secret's ARN and the JSON field, space-separated triples (ARNs hold no spaces).
 */
export function secretSettings(arns: WebBootValues["secretArns"]): string {
    const rows: [string, string | undefined, string][] = [
        ["LDAP_APP_PASSWORD", arns.bind, "password"],
        ["OAUTH_CLIENT_SECRET", arns.oidcClient, "client_secret"],
        ["SCIM_TOKEN", arns.scim, "token"],
    ];
    return rows
        .filter(([, arn]) => arn !== undefined)
        .map(([setting, arn, field]) => `${setting} ${arn} ${field}`)
        .join(" ");
}

/** The web host's user data: `templates/web.sh` rendered, run at every boot. */
export function webUserData(v: WebBootValues): string {
    const loadBalanced = v.webTier === "loadBalanced";
    if (loadBalanced !== (v.secretArns.redis !== undefined && v.redisEndpoint !== undefined)) {
        throw new Error("the load-balanced web tier, and only it, has a Redis");
    }
    if (loadBalanced !== (v.launchHook !== undefined)) {
        throw new Error("the load-balanced web tier, and only it, has a launch hook");
    }
    const ldap = v.identity.authMode !== "oidc";
    const oidc = v.identity.authMode !== "ldap";
    if (
        ldap !== (v.secretArns.bind !== undefined) ||
        oidc !== (v.secretArns.oidcClient !== undefined) ||
        v.identity.scim !== (v.secretArns.scim !== undefined)
    ) {
        throw new Error(
            "the bind secret goes with LDAP sign-in, the client secret with OIDC, the token with SCIM: each exactly then",
        );
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
                SECRET_SETTINGS: secretSettings(v.secretArns),
                REDIS_SECRET_ARN: v.secretArns.redis ?? "",
                REDIS_ENDPOINT: v.redisEndpoint ?? "",
                SECRET_VERSIONS: secretVersions(v.secretVersions),
                DATABASE_CA_FILE,
                SIGN_IN_LIMIT: loadBalanced ? "" : String(v.signInLimitPer5Min),
                SIGN_IN_LIMIT_PORT: loadBalanced ? "" : String(PORTS.signInLimit),
                PORTAL_HOST: v.portalHost,
                PORTAL_STACK: v.stack,
                HEALTH_NAMESPACE: v.healthNamespace,
                HEALTH_METRIC: v.healthMetric,
                HEALTH_ROUTE: loadBalanced ? "alb" : "caddy",
                DB_INSTANCE_ID: v.databaseInstance,
                DB_WAIT_SECONDS: String(DATABASE_WAIT_SECONDS),
                AUTO_SCALING_GROUP: v.launchHook?.groupName ?? "",
                LAUNCH_HOOK: v.launchHook?.hookName ?? "",
            },
            {
                OPEN_WEBUI_SETTINGS: envFile([
                    ...openWebUiSettings({ ...v, databaseCaFile: DATABASE_CA_FILE }),
                    ...openWebUiAuditSettings(v.auditLogLevel),
                ]),
                BOOT_FILES: bootFileTable(v.bootFiles),
                // The ALB does Caddy's job in the load-balanced tier (edge/index.ts).
                CADDYFILE: loadBalanced
                    ? ""
                    : caddyfile(
                          v.portalHost,
                          v.hasDomain,
                          v.adminCidrs,
                          v.identity.scim ? v.identity.scimAllowedCidrs : undefined,
                      ),
            },
        ),
    );
}

/** What the web hosts read of the compute tier's args. */
export type WebArgs = Pick<
    ComputeArgs,
    | "namePrefix"
    | "stack"
    | "region"
    | "publicSubnetIds"
    | "privateSubnetIds"
    | "webSecurityGroupId"
    | "webInstanceType"
    | "webHostAmiId"
    | "hostRootVolumeGb"
    | "sshKeyName"
    | "logRetentionDays"
    | "encryption"
    | "webDependsOn"
    | "webTier"
    | "tags"
    | "loadBalanced"
    | "domainName"
    | "adminCidrs"
    | "database"
    | "directory"
    | "identity"
    | "webDefaultUserRole"
    | "webAdminEmail"
    | "webEnableApiKeys"
    | "webJwtExpiresIn"
    | "webEnableCommunitySharing"
    | "webEnableAdminChatAccess"
    | "webEnableAdminExport"
    | "webUserToolsAccess"
    | "audit"
>;

/** What the web hosts use of the rest of the compute tier. */
export interface WebRefs {
    /** Open WebUI's image, pinned by digest. Required. */
    readonly openWebUiImage: pulumi.Input<string>;
    /** Caddy's image, pinned by digest; "" in the load-balanced tier (no Caddy). Required. */
    readonly caddyImage: pulumi.Input<string>;
    /** The portal's host name: its domain, or the Elastic IP. Required. */
    readonly portalHost: pulumi.Input<string>;
    /** The portal's HTTPS URL. Required. */
    readonly portalUrl: pulumi.Input<string>;
    /** The gateway's internal OpenAI-compatible base URL. Required. */
    readonly gatewayBaseUrl: pulumi.Input<string>;
    /** The stack's default-model inference profile (new chats' model). Required. */
    readonly defaultModelProfileArn: pulumi.Input<string>;
    /** Where Open WebUI keeps uploaded files. Required. */
    readonly uploads: UploadsBucket;
    /** Open WebUI's session signing key and local administrator password. Required. */
    readonly webSecret: ReturnType<typeof jsonSecret>;
    /** The gateway's client key, which the web hosts send. Required. */
    readonly gatewayKey: ReturnType<typeof jsonSecret>;
    /** The portal's Elastic IP, which the single host keeps; undefined in the load-balanced tier. */
    readonly elasticIp?: aws.ec2.Eip;
    /** The OIDC client secret ({"client_secret": ...}); authMode oidc or both only. */
    readonly oidcClientSecret?: ReturnType<typeof jsonSecret>;
    /** Open WebUI's SCIM token ({"token": ...}); scim on only. */
    readonly scimToken?: ReturnType<typeof jsonSecret>;
}

/** A boot file as declared: the file and the parameter that holds it (`declareBootFiles`). */
export interface DeclaredBootFile {
    readonly file: BootFile;
    readonly parameter: aws.ssm.Parameter;
}

/**
 * Declares each boot file as a Parameter Store parameter of its own (`<name>-boot-<id>`):
 * `String`, standard tier (free, values up to 4 KB), named `/<namePrefix>/boot/<id>`. The value
 * is sent as `insecureValue`, not `value`: a public certificate and a script are not secrets, and
 * a changed file then shows in the preview's diff.
 */
export function declareBootFiles(
    name: string,
    namePrefix: string,
    files: readonly BootFile[],
    parent: pulumi.Resource,
): DeclaredBootFile[] {
    return files.map((file) => ({
        file,
        parameter: new aws.ssm.Parameter(
            `${name}-boot-${file.id.replace(/[^a-z0-9]+/g, "-")}`,
            {
                name: bootParameterName(namePrefix, file.id),
                description: file.description,
                type: "String",
                tier: "Standard",
                dataType: "text",
                insecureValue: file.value,
                tags: { Name: `${namePrefix}-boot-${file.id}` },
            },
            { parent },
        ),
    }));
}

/**
 * The web hosts' user data (`webUserData`) once the images, addresses and secrets are known. The
 * boot files' names are taken from their parameters, so the hosts' definitions (the instance, the
 * launch template) depend on them: a changed file is stored before a host that pins it boots.
 */
export function webUserDataOutput(
    args: WebArgs,
    refs: WebRefs,
    bootFiles: readonly DeclaredBootFile[],
): pulumi.Output<string> {
    const lb = args.loadBalanced;
    return pulumi
        .output({
            bootFiles: bootFiles.map(({ file, parameter }) => ({
                parameterName: parameter.name,
                file,
            })),
            openWebUiImage: refs.openWebUiImage,
            caddyImage: refs.caddyImage,
            portalHost: refs.portalHost,
            portalUrl: refs.portalUrl,
            gatewayBaseUrl: refs.gatewayBaseUrl,
            defaultModel: refs.defaultModelProfileArn,
            uploadsBucket: refs.uploads.bucketName,
            redisEndpoint: lb
                ? pulumi.interpolate`${lb.redis.endpoint}:${lb.redis.port}`
                : undefined,
            secretArns: {
                database: args.database.appSecretArn,
                web: refs.webSecret.secret.arn,
                gatewayKey: refs.gatewayKey.secret.arn,
                ...(args.directory ? { bind: args.directory.bindSecretArn } : {}),
                ...(refs.oidcClientSecret ? { oidcClient: refs.oidcClientSecret.secret.arn } : {}),
                ...(refs.scimToken ? { scim: refs.scimToken.secret.arn } : {}),
                ...(lb ? { redis: lb.redis.authSecretArn } : {}),
            },
            secretVersions: {
                database: args.database.appSecretVersionId,
                web: refs.webSecret.version.versionId,
                "gateway-key": refs.gatewayKey.version.versionId,
                ...(args.directory ? { bind: args.directory.bindSecretVersionId } : {}),
                ...(refs.oidcClientSecret
                    ? { "oidc-client": refs.oidcClientSecret.version.versionId }
                    : {}),
                ...(refs.scimToken ? { scim: refs.scimToken.version.versionId } : {}),
                ...(lb ? { redis: lb.redis.authSecretVersionId } : {}),
            },
        })
        .apply((v) =>
            webUserData({
                ...v,
                webTier: args.webTier.mode,
                databaseInstance: args.database.instanceIdentifier,
                launchHook: lb
                    ? { groupName: webGroupName(args.namePrefix), hookName: WEB_LAUNCH_HOOK.name }
                    : undefined,
                region: args.region,
                stack: args.stack,
                logGroup: `/${args.namePrefix}/web`,
                hasDomain: args.domainName !== undefined,
                defaultUserRole: args.webDefaultUserRole,
                adminEmail: args.webAdminEmail,
                ldapHost: args.directory?.ldapHost,
                directoryShortName: args.directory?.shortName,
                bindIdentity: args.directory?.bindIdentity,
                searchBase: args.directory?.searchBase,
                portalGroupDn: args.directory?.portalGroupDn,
                identity: {
                    authMode: args.identity.authMode,
                    // Everything but the client secret, which the host reads from Secrets Manager.
                    oidc: args.identity.oidc && {
                        issuerUrl: args.identity.oidc.issuerUrl,
                        clientId: args.identity.oidc.clientId,
                        scopes: args.identity.oidc.scopes,
                        providerName: args.identity.oidc.providerName,
                        groupsClaim: args.identity.oidc.groupsClaim,
                        allowedGroups: args.identity.oidc.allowedGroups,
                        adminGroups: args.identity.oidc.adminGroups,
                    },
                    ldapGroupManagement: args.identity.ldapGroupManagement,
                    scim: args.identity.scim,
                    scimAllowedCidrs: args.identity.scimAllowedCidrs,
                },
                adminCidrs: args.adminCidrs,
                signInLimitPer5Min: args.webTier.wafSignInRateLimitPer5Min,
                enableApiKeys: args.webEnableApiKeys,
                jwtExpiresIn: args.webJwtExpiresIn,
                enableCommunitySharing: args.webEnableCommunitySharing,
                enableAdminChatAccess: args.webEnableAdminChatAccess,
                enableAdminExport: args.webEnableAdminExport,
                userToolsAccess: args.webUserToolsAccess,
                auditLogLevel: args.audit.level,
                healthNamespace: HEALTH_NAMESPACE,
                healthMetric: HEALTH_METRIC,
            }),
        );
}

export interface WebStatementRefs {
    /** Every secret the web host reads at boot. */
    readonly secretArns: pulumi.Input<string>[];
    /** The Parameter Store parameters of its boot files (`ssmParameterArn`), and no others. */
    readonly bootParameterArns: pulumi.Input<string>[];
    /** The one RDS instance whose address the host looks up at boot (`rdsInstanceArn`). */
    readonly databaseArn: pulumi.Input<string>;
    /**
     * loadBalanced only: the hosts' Auto Scaling group (`autoScalingGroupArnPattern`), whose
     * launch lifecycle actions a host completes for itself.
     */
    readonly launchHookGroupArn?: pulumi.Input<string>;
    readonly uploadsBucketArn: pulumi.Input<string>;
    /** The CloudWatch namespace of the portal's health metric. */
    readonly healthNamespace: string;
    /** The audit log group (governance/auditLog.ts) the host ships Open WebUI's audit file to. */
    readonly auditLogGroupArn: pulumi.Input<string>;
}

/** What the web host may do beyond Session Manager and its own logs: its secrets and boot files, the uploads, its health metric. */
export function webStatements(refs: WebStatementRefs): PolicyStatement[] {
    return [
        {
            Sid: "ReadOwnSecrets",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue"],
            Resource: refs.secretArns,
        },
        {
            // GetParameter only (not GetParameters, GetParametersByPath or history), on exactly
            // its boot files' ARNs: Parameter Store's other values stay unreadable to the host.
            Sid: "ReadOwnBootFiles",
            Effect: "Allow",
            Action: ["ssm:GetParameter"],
            Resource: refs.bootParameterArns,
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
            // DescribeDBInstances is scoped by the instance's ARN (Service Authorization Reference,
            // Amazon RDS: resource type db), which is known before the instance exists.
            Sid: "FindTheDatabase",
            Effect: "Allow",
            Action: ["rds:DescribeDBInstances"],
            Resource: [refs.databaseArn],
        },
        ...(refs.launchHookGroupArn
            ? [
                  {
                      // A host tells its group it is ready (or not): CompleteLifecycleAction on
                      // the autoScalingGroup resource type, by the group's name.
                      Sid: "CompleteOwnLaunch",
                      Effect: "Allow" as const,
                      Action: ["autoscaling:CompleteLifecycleAction"],
                      Resource: [refs.launchHookGroupArn],
                  },
              ]
            : []),
        {
            // The CloudWatch agent (templates/audit-shipper.sh) writes the host's stream of the
            // audit group and looks streams up there; it creates no group and sets no retention.
            Sid: "ShipAuditLog",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [pulumi.interpolate`${refs.auditLogGroupArn}:*`],
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
    /** The stack's data key; defaults to the AWS-managed keys. */
    readonly encryption?: HostEncryption;
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
            encryptionKeyArn: args.encryption?.keyArn,
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
    /** The launch lifecycle hook the boot script completes (`WEB_LAUNCH_HOOK`). Required. */
    readonly launchHook: HostFleetArgs["launchHook"];
    /** The stack's schedule sets the group's size (HostFleetArgs). Defaults to false. */
    readonly sizeOwnedBySchedule?: boolean;
    /** A new value replaces the fleet whole (HostFleetArgs); undefined: every change rolls. */
    readonly replaceWholeWhen?: pulumi.Input<string>;
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
            launchHook: args.launchHook,
            waitFor: args.waitFor,
            sizeOwnedBySchedule: args.sizeOwnedBySchedule,
            replaceWholeWhen: args.replaceWholeWhen,
            encryptionKeyArn: args.encryption?.keyArn,
            autoScalingRoleArn: args.encryption?.autoScalingRoleArn,
        },
        { parent },
    );
}

/** The web hosts as the compute tier sees them. */
export interface WebHosts {
    /** The single host's instance; undefined in the load-balanced tier. */
    readonly instanceId?: pulumi.Output<string>;
    /** The hosts' Auto Scaling group; undefined in the single tier. */
    readonly fleet?: HostFleet;
    /** The hosts' instance role (the data key's policy names it). */
    readonly roleArn: pulumi.Output<string>;
    /** The database snapshot taken before the hosts of the current image started (upgrade.ts). */
    readonly preUpgradeSnapshotIdentifier: pulumi.Output<string>;
}

/**
 * Declares the web hosts, boot script and IAM included: one host in the first public subnet that
 * keeps the portal's Elastic IP (associated here, `<name>-eip`), or, in the load-balanced tier, a
 * fleet across the private subnets behind the ALB's target group. Both wait for the database's
 * snapshot taken before their Open WebUI image first runs (`upgrade.ts`), and a new image replaces
 * the fleet whole rather than rolling it.
 */
export function declareWeb(
    name: string,
    args: WebArgs,
    refs: WebRefs,
    parent: pulumi.Resource,
): WebHosts {
    const lb = args.loadBalanced;
    const partition = aws.getPartitionOutput({}, { parent }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const bootFiles = declareBootFiles(
        name,
        args.namePrefix,
        webBootFiles(args.webTier.mode, RDS_CA_BUNDLE, args.audit.logGroupName),
        parent,
    );
    const arns = pulumi.all([partition, accountId]).apply(([p, account]) => ({
        database: rdsInstanceArn(p, args.region, account, args.database.instanceIdentifier),
        group: autoScalingGroupArnPattern(p, args.region, account, webGroupName(args.namePrefix)),
        bootFiles: bootFiles.map(({ file }) =>
            ssmParameterArn(p, args.region, account, bootParameterName(args.namePrefix, file.id)),
        ),
    }));
    const preUpgrade = declarePreUpgradeSnapshot(
        name,
        {
            namePrefix: args.namePrefix,
            instanceIdentifier: args.database.createdIdentifier,
            openWebUiImage: refs.openWebUiImage,
        },
        parent,
    );
    const host = {
        namePrefix: args.namePrefix,
        securityGroupId: args.webSecurityGroupId,
        instanceType: args.webInstanceType,
        rootVolumeGb: args.hostRootVolumeGb,
        amiId: args.webHostAmiId,
        logRetentionDays: args.logRetentionDays,
        encryption: args.encryption,
        userData: webUserDataOutput(args, refs, bootFiles),
        statements: webStatements({
            secretArns: [
                args.database.appSecretArn,
                refs.webSecret.secret.arn,
                refs.gatewayKey.secret.arn,
                ...(args.directory ? [args.directory.bindSecretArn] : []),
                ...(refs.oidcClientSecret ? [refs.oidcClientSecret.secret.arn] : []),
                ...(refs.scimToken ? [refs.scimToken.secret.arn] : []),
                ...(lb ? [lb.redis.authSecretArn] : []),
            ],
            bootParameterArns: bootFiles.map((_, i) => arns.bootFiles.apply((a) => a[i])),
            databaseArn: arns.database,
            launchHookGroupArn: lb ? arns.group : undefined,
            uploadsBucketArn: refs.uploads.bucketArn,
            healthNamespace: HEALTH_NAMESPACE,
            auditLogGroupArn: args.audit.logGroupArn,
        }),
        // The parameters before any host that fetches them (also expressed by the user data),
        // and the snapshot of the database before any host of a new image migrates it.
        waitFor: [...args.webDependsOn, ...bootFiles.map((b) => b.parameter), preUpgrade.snapshot],
    };
    if (lb) {
        const fleet = declareWebFleet(
            name,
            {
                ...host,
                subnetIds: args.privateSubnetIds,
                minHosts: args.webTier.webMinHosts,
                maxHosts: args.webTier.webMaxHosts,
                targetGroupArn: lb.webTargetGroupArn,
                waitFor: [...host.waitFor, ...(lb.webListener ? [lb.webListener] : [])],
                tags: args.tags,
                launchHook: WEB_LAUNCH_HOOK,
                sizeOwnedBySchedule: lb.sizeOwnedBySchedule,
                // Open WebUI's releases rule out two versions serving against one database
                // (compute/upgrade.ts): a new image replaces the fleet whole.
                replaceWholeWhen: pulumi.output(refs.openWebUiImage).apply(imageDigest),
            },
            parent,
        );
        return {
            fleet,
            roleArn: fleet.roleArn,
            preUpgradeSnapshotIdentifier: preUpgrade.identifier,
        };
    }
    if (!refs.elasticIp) {
        throw new Error(
            "the single web host keeps the portal's Elastic IP: refs.elasticIp is required",
        );
    }
    const instance = declareWebHost(
        name,
        {
            ...host,
            subnetId: pulumi.output(args.publicSubnetIds).apply((ids) => ids[0]),
            keyName: args.sshKeyName,
        },
        parent,
    );
    new aws.ec2.EipAssociation(
        `${name}-eip`,
        { allocationId: refs.elasticIp.allocationId, instanceId: instance.instanceId },
        { parent },
    );
    return {
        instanceId: instance.instanceId,
        roleArn: instance.roleArn,
        preUpgradeSnapshotIdentifier: preUpgrade.identifier,
    };
}
