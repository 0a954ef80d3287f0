/**
 * What the two containers are told, as pure functions of plain values: Open WebUI's settings,
 * Caddy's site, the gateway's settings. Names are upstream's (open-webui config.py / env.py,
 * bedrock-access-gateway src/api/setting.py). Secrets are never here: the boot scripts fetch them.
 */
import type { AuditLogLevel } from "../config/guardrail";
import { escapeFilterValue } from "../directory/ldapFilter";
import { SIGN_IN_PATHS } from "../lib/openWebUiRoutes";
import { PORTS } from "../lib/ports";

/** Roles Open WebUI may give a directory user at first login. */
export const WEB_USER_ROLES = ["user", "pending"] as const;
export type WebUserRole = (typeof WEB_USER_ROLES)[number];

export interface OpenWebUiSettingsInput {
    readonly portalUrl: string;
    readonly defaultUserRole: string;
    readonly adminEmail: string;
    /**
     * OpenAI-compatible base URL of the gateway: http://10.0.10.5:8000/api/v1 (single host), or
     * https://gateway.portal.example.com/api/v1 (the internal load balancer, a verified certificate).
     */
    readonly gatewayBaseUrl: string;
    /**
     * The domain controllers' name (LDAP_SERVER_HOST), e.g. ldap.ai-portal-dev.internal. This and
     * the other directory values are required with authMode ldap or both, and unused with oidc
     * (a stack without a directory has none).
     */
    readonly ldapHost?: string;
    readonly directoryShortName?: string;
    readonly bindIdentity?: string;
    readonly searchBase?: string;
    readonly uploadsBucket: string;
    readonly region: string;
    /** Path of the RDS CA bundle inside the container. */
    readonly databaseCaFile: string;
    /** DN of the directory group whose members may sign in. */
    readonly portalGroupDn?: string;
    /** How people sign in, and what Open WebUI is told of it. */
    readonly identity: WebIdentity;
    readonly enableApiKeys: boolean;
    readonly jwtExpiresIn: string;
    readonly enableCommunitySharing: boolean;
    readonly enableAdminChatAccess: boolean;
    readonly enableAdminExport: boolean;
    readonly userToolsAccess: boolean;
    /** One host, or several sharing Redis (websocket manager, migrations by one host at a time). */
    readonly webTier: "single" | "loadBalanced";
    /** The model new chats use: the stack's application inference profile, by ARN. */
    readonly defaultModel: string;
}

/** How people sign in to Open WebUI (config `authMode`, `oidc*`, `ldapGroupManagement`, `scim`). */
export interface WebIdentity {
    readonly authMode: AuthMode;
    /** The OIDC client (authMode oidc or both). */
    readonly oidc?: Omit<OpenWebUiOidcSettingsInput, "authMode" | "portalUrl">;
    /** Open WebUI groups follow the directory's at each LDAP sign-in. */
    readonly ldapGroupManagement: boolean;
    readonly scim: boolean;
    /** With SCIM: the only client ranges its endpoint answers (the identity provider's). */
    readonly scimAllowedCidrs: readonly string[];
}

/** Where the web host keeps the RDS CA certificate; Open WebUI's container sees it at the same path. */
export const DATABASE_CA_FILE = "/etc/ai-portal/rds-ca.pem";

/** Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: membership through nested groups counts too. */
const IN_CHAIN = "1.2.840.113556.1.4.1941";

/**
 * Directory users who are people, whose account is enabled, whose user principal name is not the
 * local administrator's e-mail, and who are members (directly or through nested groups) of the
 * portal's group. A static filter: Open WebUI adds the username. The UPN is the e-mail Open WebUI
 * keys accounts on, and a directory user-administrator can set any UPN (AD checks no suffix on
 * LDAP writes): without the exclusion that user would sign in as the administrator. AD matches
 * UPNs without regard to case, as Open WebUI (which lower-cases e-mails) does.
 */
export function ldapSearchFilter(portalGroupDn: string, adminEmail: string): string {
    return `(objectClass=user)(objectCategory=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2))(!(userPrincipalName=${escapeFilterValue(adminEmail)}))(memberOf:${IN_CHAIN}:=${portalGroupDn})`;
}

/**
 * The header in which Caddy names the client's TCP address to the sign-in limit
 * (templates/signin-limit.py reads the same name).
 */
export const SIGN_IN_LIMIT_ADDRESS_HEADER = "X-Portal-Client-Address";

/** Open WebUI's password sign-in for local accounts (routers/auths.py `signin`); LDAP's is /api/v1/auths/ldap. */
export const LOCAL_SIGN_IN_PATH = "/api/v1/auths/signin";

/**
 * Open WebUI's LDAP settings (authMode ldap or both; none with oidc): sign-in against the
 * directory, and its groups when `ldapGroupManagement` is on.
 */
function ldapSettings(s: OpenWebUiSettingsInput): [string, string][] {
    if (s.identity.authMode === "oidc") {
        return [["ENABLE_LDAP", "false"]];
    }
    const { ldapHost, directoryShortName, bindIdentity, searchBase, portalGroupDn } = s;
    if (!ldapHost || !directoryShortName || !bindIdentity || !searchBase || !portalGroupDn) {
        throw new Error(
            `authMode ${s.identity.authMode} signs in against the directory, and its values are missing`,
        );
    }
    const d = { ldapHost, bindIdentity, searchBase, portalGroupDn };
    return [
        ["ENABLE_LDAP", "true"],
        ["LDAP_SERVER_LABEL", `${directoryShortName} directory`],
        // A record of every domain controller in the VPC's private zone (directory/ldapName.ts),
        // resolved at each sign-in through the VPC resolver.
        ["LDAP_SERVER_HOST", d.ldapHost],
        ["LDAP_SERVER_PORT", String(PORTS.ldap)],
        // Upstream defaults to LDAPS; Managed AD has no LDAPS certificate unless one is deployed.
        ["LDAP_USE_TLS", "false"],
        ["LDAP_ATTRIBUTE_FOR_USERNAME", "sAMAccountName"],
        // Open WebUI refuses a login whose mail attribute is empty, and `mail` is optional in AD
        // (ds-data create-user leaves it empty). Every account has a user principal name, which
        // AD keeps unique and only directory administrators can set, so it becomes the e-mail
        // Open WebUI keys accounts on (lower-cased, e.g. jane@corp.aiportal.internal).
        ["LDAP_ATTRIBUTE_FOR_MAIL", "userPrincipalName"],
        ["LDAP_APP_DN", d.bindIdentity],
        ["LDAP_SEARCH_BASE", d.searchBase],
        ["LDAP_SEARCH_FILTER", ldapSearchFilter(d.portalGroupDn, s.adminEmail)],
        ...(s.identity.ldapGroupManagement
            ? ([
                  // Open WebUI groups (model access, permissions) follow the directory: at each
                  // sign-in the user's groups become those named by the CNs of their memberOf
                  // values (routers/auths.py ldap_auth; LDAP_ATTRIBUTE_FOR_GROUPS is upstream's
                  // memberOf, left implicit for the user-data budget). memberOf lists direct
                  // memberships only; groups are not created (ENABLE_LDAP_GROUP_CREATION keeps
                  // upstream's false).
                  ["ENABLE_LDAP_GROUP_MANAGEMENT", "true"],
              ] as [string, string][])
            : []),
    ];
}

export function openWebUiSettings(s: OpenWebUiSettingsInput): [string, string][] {
    return [
        // The infrastructure is the source of truth: env values win over what the UI saved.
        ["ENABLE_PERSISTENT_CONFIG", "false"],
        ["WEBUI_URL", s.portalUrl],
        // HTTPS only: cookies never travel in clear, and only the portal's own origin may call it
        // (upstream's CORS default is "*"; socket.io uses the same list).
        ["WEBUI_SESSION_COOKIE_SECURE", "true"],
        ["WEBUI_AUTH_COOKIE_SECURE", "true"],
        ["CORS_ALLOW_ORIGIN", s.portalUrl],
        ["ENABLE_SIGNUP", "false"],
        ["DEFAULT_USER_ROLE", s.defaultUserRole],
        // Open WebUI creates this local administrator on its first start, before anyone can log
        // in, so the first directory login is an ordinary user (no race for admin).
        ["WEBUI_ADMIN_EMAIL", s.adminEmail],
        ["WEBUI_ADMIN_NAME", "Portal administrator"],
        ["ENABLE_OLLAMA_API", "false"],
        ["ENABLE_OPENAI_API", "true"],
        ["OPENAI_API_BASE_URL", s.gatewayBaseUrl],
        // Who is asking (X-OpenWebUI-User-Id, -Email, -Role, -Chat-Id) for the usage gate in front
        // of the gateway (gate/), which trusts them only with the gateway's API key.
        ["ENABLE_FORWARD_USER_INFO_HEADERS", "true"],
        // Upstream's default, explicit: its OpenAI calls (aiohttp, routers/openai.py) verify the
        // gateway's certificate against the image's system CAs (python:3.11-slim-bookworm installs
        // Debian's ca-certificates, which holds the Amazon Trust Services roots ACM chains to).
        ["AIOHTTP_CLIENT_SESSION_SSL", "true"],
        // New chats start on the stack's tagged inference profile (the gateway lists it by ARN).
        ["DEFAULT_MODELS", s.defaultModel],
        ...ldapSettings(s),
        ...Object.entries(
            s.identity.authMode === "ldap"
                ? {}
                : openWebUiOidcSettings({
                      ...s.identity.oidc!,
                      authMode: s.identity.authMode,
                      portalUrl: s.portalUrl,
                  }),
        ),
        ...Object.entries(openWebUiScimSettings(s.identity.scim)),
        ["STORAGE_PROVIDER", "s3"],
        ["S3_BUCKET_NAME", s.uploadsBucket],
        ["S3_REGION_NAME", s.region],
        // RAG vectors in PostgreSQL too (pgvector), so the host keeps no state.
        ["VECTOR_DB", "pgvector"],
        // TLS to PostgreSQL with the server's certificate and name verified, for every driver
        // Open WebUI uses (psycopg2, psycopg 3, asyncpg in some releases): libpq and asyncpg read
        // these when the URL says nothing (DATABASE_URL carries no sslmode).
        ["PGSSLMODE", "verify-full"],
        ["PGSSLROOTCERT", s.databaseCaFile],
        // Settings that are dangerous at upstream's defaults, each explicit (config keys web*).
        ["ENABLE_API_KEYS", String(s.enableApiKeys)],
        ["JWT_EXPIRES_IN", s.jwtExpiresIn],
        ["ENABLE_COMMUNITY_SHARING", String(s.enableCommunitySharing)],
        ["ENABLE_ADMIN_CHAT_ACCESS", String(s.enableAdminChatAccess)],
        ["ENABLE_ADMIN_EXPORT", String(s.enableAdminExport)],
        // Tools run Python on the host (upstream: by design); who may add them is a real decision.
        ["USER_PERMISSIONS_WORKSPACE_TOOLS_ACCESS", String(s.userToolsAccess)],
        // One process per host: replicas scale by hosts, and upstream's multi-replica guidance
        // requires a single worker per container.
        ["UVICORN_WORKERS", "1"],
        ...(s.webTier === "loadBalanced"
            ? ([
                  // Several replicas: socket.io through Redis (REDIS_URL and WEBSOCKET_REDIS_URL,
                  // with the token, are in the secrets file), and the schema migrated by one host
                  // at a time before the service starts (templates/migrate.py).
                  ["ENABLE_WEBSOCKET_SUPPORT", "true"],
                  ["WEBSOCKET_MANAGER", "redis"],
                  ["ENABLE_DB_MIGRATIONS", "false"],
              ] as [string, string][])
            : []),
    ];
}

/** Where Open WebUI writes its audit file: upstream's default, `{DATA_DIR}/audit.log`. */
export const AUDIT_FILE_IN_CONTAINER = "/app/backend/data/audit.log";

/**
 * Open WebUI's audit log (backend/open_webui/env.py "AUDIT LOGGING", utils/audit.py). Upstream
 * writes nothing by default (NONE). At METADATA each authenticated POST/PUT/PATCH/DELETE, and
 * every sign-in, sign-out and sign-up, gets one JSON record: who (user id, name, e-mail, role),
 * what (method and URL), when, from where (address, user agent); REQUEST adds the request body,
 * REQUEST_RESPONSE the response too (both cut at MAX_BODY_LOG_SIZE, 2048 bytes; passwords
 * masked). The file is upstream's default path in the data volume, rotated at upstream's 10MB.
 * Upstream leaves chats, chat and folders out (AUDIT_EXCLUDED_PATHS "/chats,/chat,/folders"),
 * which would leave the model calls (/api/chat/completions) and chat changes unrecorded: only
 * folders stay out.
 */
export function openWebUiAuditSettings(level: AuditLogLevel): [string, string][] {
    return level === "NONE"
        ? [["AUDIT_LOG_LEVEL", "NONE"]]
        : [
              ["AUDIT_LOG_LEVEL", level],
              ["AUDIT_EXCLUDED_PATHS", "/folders"],
          ];
}

/** How people sign in: the directory over LDAP (the seed's design), an OpenID Connect provider, or both. */
export const AUTH_MODES = ["ldap", "oidc", "both"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Open WebUI's callback for its generic OIDC provider (routers: `/oauth/{provider}/callback`, provider "oidc"). */
export const OIDC_CALLBACK_PATH = "/oauth/oidc/callback";

/** Where Open WebUI serves SCIM 2.0 (main.py mounts routers/scim.py at /api/v1/scim/v2). */
export const SCIM_PATH_PREFIX = "/api/v1/scim";

export interface OpenWebUiOidcSettingsInput {
    readonly authMode: AuthMode;
    /** The portal's HTTPS URL, e.g. https://portal.example.com (no trailing slash). */
    readonly portalUrl: string;
    /** The provider's issuer, https, e.g. https://login.microsoftonline.com/<tenant>/v2.0. */
    readonly issuerUrl: string;
    readonly clientId: string;
    /** Scopes asked for, e.g. ["openid", "email", "profile"]. */
    readonly scopes: readonly string[];
    /** The label of the sign-in button ("Continue with <name>"). */
    readonly providerName: string;
    /** The ID token claim that lists the person's groups, e.g. "groups". */
    readonly groupsClaim: string;
    /** Groups whose members may sign in (as users). */
    readonly allowedGroups: readonly string[];
    /** Groups whose members sign in as administrators. */
    readonly adminGroups: readonly string[];
}

/** The discovery document Open WebUI reads (OPENID_PROVIDER_URL is this URL, not the issuer). */
export function oidcDiscoveryUrl(issuerUrl: string): string {
    return `${issuerUrl.replace(/\/+$/, "")}/.well-known/openid-configuration`;
}

/**
 * Open WebUI's OpenID Connect settings for `oidc` and `both`; none for `ldap`. The client secret
 * is not here: the boot script fetches it from Secrets Manager (OAUTH_CLIENT_SECRET). Names are
 * upstream's (backend/open_webui/config.py, "OAuth config"); lists are joined with
 * OAUTH_ROLES_SEPARATOR's default ",".
 */
export function openWebUiOidcSettings(s: OpenWebUiOidcSettingsInput): Record<string, string> {
    if (s.authMode === "ldap") {
        return {};
    }
    return {
        OPENID_PROVIDER_URL: oidcDiscoveryUrl(s.issuerUrl),
        OAUTH_CLIENT_ID: s.clientId,
        OAUTH_SCOPES: s.scopes.join(" "),
        OAUTH_PROVIDER_NAME: s.providerName,
        OPENID_REDIRECT_URI: `${s.portalUrl}${OIDC_CALLBACK_PATH}`,
        // Authorization code flow with PKCE, on top of the client secret.
        OAUTH_CODE_CHALLENGE_METHOD: "S256",
        // People sign in with their provider account, and the first sign-in creates the portal
        // account (ENABLE_SIGNUP stays false: no self-made local accounts).
        ENABLE_OAUTH_SIGNUP: "true",
        // An identity provider account never takes over an existing local or LDAP account that
        // has the same e-mail (upstream refuses that sign-in instead).
        OAUTH_MERGE_ACCOUNTS_BY_EMAIL: "false",
        // Only members of the allowed groups sign in; members of the admin groups are admins.
        // Upstream reads the roles from this claim at every sign-in.
        ENABLE_OAUTH_ROLE_MANAGEMENT: "true",
        OAUTH_ROLES_CLAIM: s.groupsClaim,
        OAUTH_ALLOWED_ROLES: s.allowedGroups.join(","),
        OAUTH_ADMIN_ROLES: s.adminGroups.join(","),
        // Open WebUI groups (model access, permissions) follow the provider's groups at each
        // sign-in. Singular OAUTH_GROUP_CLAIM: every release reads it (newer ones read
        // OAUTH_GROUPS_CLAIM first and fall back to it).
        ENABLE_OAUTH_GROUP_MANAGEMENT: "true",
        OAUTH_GROUP_CLAIM: s.groupsClaim,
        // oidc alone: no password form at all; the break-glass local administrator signs in
        // through the API path Caddy/WAF keep to adminCidrs.
        ENABLE_LOGIN_FORM: s.authMode === "oidc" ? "false" : "true",
    };
}

/** SCIM 2.0 provisioning (the token, SCIM_TOKEN, is fetched at boot from Secrets Manager). */
export function openWebUiScimSettings(scim: boolean): Record<string, string> {
    return scim ? { ENABLE_SCIM: "true" } : {};
}

/**
 * Caddy's configuration. With a domain: a public certificate (ACME, HTTP-01 on 80 or TLS-ALPN-01
 * on 443). Without one: the Elastic IP with a certificate from Caddy's own CA (`tls internal`);
 * `default_sni` because browsers send no SNI to an IP address. Either way port 80 serves only the
 * ACME challenge and the redirect to HTTPS, every HTTPS response carries HSTS, and Open WebUI's
 * password sign-in for local accounts answers only `adminCidrs` (none: nobody).
 *
 * Every request to a sign-in route (`SIGN_IN_PATHS`, each as a prefix, as WAF matches them) is
 * first counted by the host's sign-in limit (templates/signin-limit.py, on the loopback) against
 * the client's TCP address: past the limit it answers 429, which Caddy returns instead of
 * proxying. Caddy's `path` matcher compares the lower-cased, percent-decoded and cleaned path
 * (caddyhttp MatchPath.Match: `r.URL.Path`, lower-cased; patterns without `%`), so
 * `/api/v1/auths/sign%69n`, `/api/v1/auths%2Fsignin` and `/api/v1/auths/LDAP` count as uvicorn
 * would route them (and then some). `header_up` replaces any header of that name the client sent,
 * so a client cannot name another address. Should the limit not answer, the sign-in fails (502):
 * closed, not open. `forward_auth` runs before `respond` and `reverse_proxy` in Caddy's directive
 * order, so refused local sign-ins count too (as in WAF, whose limit is its first rule).
 */
export function caddyfile(
    host: string,
    hasDomain: boolean,
    adminCidrs: readonly string[],
    scimCidrs?: readonly string[],
): string {
    const global = hasDomain ? [] : ["{", `\tdefault_sni ${host}`, "}", ""];
    return [
        ...global,
        `https://${host} {`,
        ...(hasDomain ? [] : ["\ttls internal"]),
        "\tencode zstd gzip",
        '\theader Strict-Transport-Security "max-age=31536000"',
        `\t@signIn path ${SIGN_IN_PATHS.map((p) => `${p}*`).join(" ")}`,
        `\tforward_auth @signIn 127.0.0.1:${PORTS.signInLimit} {`,
        "\t\turi /",
        `\t\theader_up ${SIGN_IN_LIMIT_ADDRESS_HEADER} {remote_host}`,
        "\t}",
        "\t@localSignIn {",
        `\t\tpath ${LOCAL_SIGN_IN_PATH} ${LOCAL_SIGN_IN_PATH}/`,
        ...(adminCidrs.length > 0 ? [`\t\tnot remote_ip ${adminCidrs.join(" ")}`] : []),
        "\t}",
        '\trespond @localSignIn "Local accounts sign in only from the administration networks." 403',
        // SCIM (when on) answers only the identity provider's ranges, as at the ALB and WAF.
        ...(scimCidrs
            ? [
                  "\t@scimElsewhere {",
                  `\t\tpath ${SCIM_PATH_PREFIX}*`,
                  `\t\tnot remote_ip ${scimCidrs.join(" ")}`,
                  "\t}",
                  '\trespond @scimElsewhere "SCIM answers only the identity provider." 403',
              ]
            : []),
        `\treverse_proxy 127.0.0.1:${PORTS.openWebUi}`,
        "}",
    ].join("\n");
}

export interface GatewaySettingsInput {
    readonly port: number;
    readonly region: string;
    readonly defaultModel: string;
    readonly portalUrl: string;
    readonly apiKeySecretArn: string;
}

export function gatewaySettings(s: GatewaySettingsInput): [string, string][] {
    return [
        ["PORT", String(s.port)],
        // Upstream defaults to us-west-2 and does not read the instance's region.
        ["AWS_REGION", s.region],
        // Its API-key lookup creates boto3.client("secretsmanager") with no region at import
        // (src/api/auth.py); botocore reads AWS_DEFAULT_REGION, not AWS_REGION, and without it the
        // gateway dies with NoRegionError unless instance metadata happens to answer.
        ["AWS_DEFAULT_REGION", s.region],
        ["DEFAULT_MODEL", s.defaultModel],
        ["ENABLE_CROSS_REGION_INFERENCE", "true"],
        ["ENABLE_APPLICATION_INFERENCE_PROFILES", "true"],
        ["ALLOWED_ORIGINS", s.portalUrl],
        // The gateway reads its client key from this secret's "api_key" field itself.
        ["API_KEY_SECRET_ARN", s.apiKeySecretArn],
        ["DEBUG", "false"],
    ];
}
