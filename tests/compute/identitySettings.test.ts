/**
 * What Open WebUI is told about sign-in in each identity mode (compute/settings.ts), exactly, and
 * what the web host's boot script reads from secrets for it: the names are upstream's
 * (backend/open_webui/config.py "OAuth config" and "LDAP").
 */
import * as assert from "assert";
import {
    caddyfile,
    DATABASE_CA_FILE,
    OpenWebUiSettingsInput,
    oidcDiscoveryUrl,
    openWebUiOidcSettings,
    openWebUiScimSettings,
    openWebUiSettings,
    WebIdentity,
} from "../../compute/settings";
import { secretSettings } from "../../compute/web";

const OIDC = {
    issuerUrl: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
    clientId: "11111111-1111-1111-1111-111111111111",
    scopes: ["openid", "email", "profile"],
    providerName: "Microsoft Entra ID",
    groupsClaim: "groups",
    allowedGroups: ["portal-users", "portal-power-users"],
    adminGroups: ["portal-admins"],
} as const;

/** The OIDC settings of `oidc` mode for OIDC above at https://portal.example.com. */
const OIDC_SETTINGS: Record<string, string> = {
    OPENID_PROVIDER_URL:
        "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration",
    OAUTH_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
    OAUTH_SCOPES: "openid email profile",
    OAUTH_PROVIDER_NAME: "Microsoft Entra ID",
    OPENID_REDIRECT_URI: "https://portal.example.com/oauth/oidc/callback",
    OAUTH_CODE_CHALLENGE_METHOD: "S256",
    ENABLE_OAUTH_SIGNUP: "true",
    OAUTH_MERGE_ACCOUNTS_BY_EMAIL: "false",
    ENABLE_OAUTH_ROLE_MANAGEMENT: "true",
    OAUTH_ROLES_CLAIM: "groups",
    OAUTH_ALLOWED_ROLES: "portal-users,portal-power-users",
    OAUTH_ADMIN_ROLES: "portal-admins",
    ENABLE_OAUTH_GROUP_MANAGEMENT: "true",
    OAUTH_GROUP_CLAIM: "groups",
    ENABLE_LOGIN_FORM: "false",
};

describe("Open WebUI's OIDC settings (openWebUiOidcSettings)", () => {
    it("oidc: every setting, exactly; the discovery document is OPENID_PROVIDER_URL", () => {
        assert.deepStrictEqual(
            openWebUiOidcSettings({
                ...OIDC,
                authMode: "oidc",
                portalUrl: "https://portal.example.com",
            }),
            OIDC_SETTINGS,
        );
    });

    it("both: the same, with the login form kept for LDAP", () => {
        assert.deepStrictEqual(
            openWebUiOidcSettings({
                ...OIDC,
                authMode: "both",
                portalUrl: "https://portal.example.com",
            }),
            { ...OIDC_SETTINGS, ENABLE_LOGIN_FORM: "true" },
        );
    });

    it("ldap: none", () => {
        assert.deepStrictEqual(
            openWebUiOidcSettings({ ...OIDC, authMode: "ldap", portalUrl: "https://x.example" }),
            {},
        );
    });

    it("the discovery URL of an issuer with or without its trailing slash", () => {
        assert.strictEqual(
            oidcDiscoveryUrl("https://example.okta.com/"),
            "https://example.okta.com/.well-known/openid-configuration",
        );
        assert.strictEqual(
            oidcDiscoveryUrl("https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbCdEf123"),
            "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbCdEf123/.well-known/openid-configuration",
        );
    });

    it("SCIM: ENABLE_SCIM when on, nothing when off (the token comes from a secret)", () => {
        assert.deepStrictEqual(openWebUiScimSettings(true), { ENABLE_SCIM: "true" });
        assert.deepStrictEqual(openWebUiScimSettings(false), {});
    });
});

const BASE: Omit<OpenWebUiSettingsInput, "identity"> = {
    portalUrl: "https://portal.example.com",
    defaultUserRole: "pending",
    adminEmail: "portal-admin@example.com",
    gatewayBaseUrl: "https://gateway.portal.example.com/api/v1",
    uploadsBucket: "ai-portal-example-uploads",
    region: "eu-west-2",
    databaseCaFile: DATABASE_CA_FILE,
    enableApiKeys: false,
    jwtExpiresIn: "8h",
    enableCommunitySharing: false,
    enableAdminChatAccess: false,
    enableAdminExport: false,
    userToolsAccess: false,
    webTier: "loadBalanced",
    defaultModel: "arn:aws:bedrock:eu-west-2:111122223333:application-inference-profile/abc",
};

const DIRECTORY = {
    ldapHost: "ldap.ai-portal-example.internal",
    directoryShortName: "CORP",
    bindIdentity: "svc-openwebui@corp.example.internal",
    searchBase: "OU=Users,OU=CORP,DC=corp,DC=example,DC=internal",
    portalGroupDn: "CN=AI Portal Users,OU=Users,OU=CORP,DC=corp,DC=example,DC=internal",
};

const identity = (over: Partial<WebIdentity>): WebIdentity => ({
    authMode: "ldap",
    ldapGroupManagement: true,
    scim: false,
    scimAllowedCidrs: [],
    ...over,
});

/** The sign-in part of the env file: LDAP, OAuth/OIDC, SCIM and the login form. */
const signInSettings = (s: OpenWebUiSettingsInput) =>
    openWebUiSettings(s).filter(([key]) =>
        /^(LDAP_|ENABLE_LDAP|OAUTH_|OPENID_|ENABLE_OAUTH|ENABLE_LOGIN_FORM|ENABLE_SCIM)/.test(key),
    );

describe("Open WebUI's sign-in settings per mode (openWebUiSettings)", () => {
    it("oidc without a directory: LDAP off and nothing else of it, OIDC and SCIM on", () => {
        assert.deepStrictEqual(
            signInSettings({
                ...BASE,
                identity: identity({ authMode: "oidc", oidc: OIDC, scim: true }),
            }),
            [["ENABLE_LDAP", "false"], ...Object.entries(OIDC_SETTINGS), ["ENABLE_SCIM", "true"]],
        );
    });

    it("ldap: the directory's settings with its groups (memberOf), no OIDC", () => {
        const settings = signInSettings({ ...BASE, ...DIRECTORY, identity: identity({}) });
        assert.deepStrictEqual(
            settings.map(([k]) => k),
            [
                "ENABLE_LDAP",
                "LDAP_SERVER_LABEL",
                "LDAP_SERVER_HOST",
                "LDAP_SERVER_PORT",
                "LDAP_USE_TLS",
                "LDAP_ATTRIBUTE_FOR_USERNAME",
                "LDAP_ATTRIBUTE_FOR_MAIL",
                "LDAP_APP_DN",
                "LDAP_SEARCH_BASE",
                "LDAP_SEARCH_FILTER",
                "ENABLE_LDAP_GROUP_MANAGEMENT",
            ],
        );
        // The group attribute is upstream's default, memberOf (LDAP_ATTRIBUTE_FOR_GROUPS unset).
        assert.deepStrictEqual(settings.slice(-1), [["ENABLE_LDAP_GROUP_MANAGEMENT", "true"]]);
        // Sign-in keeps matching nested membership of the portal group (in-chain), whatever the
        // group sync reads.
        assert.match(
            Object.fromEntries(settings).LDAP_SEARCH_FILTER,
            /\(memberOf:1\.2\.840\.113556\.1\.4\.1941:=CN=AI Portal Users,/,
        );
    });

    it("ldap with ldapGroupManagement off: no group settings", () => {
        const keys = signInSettings({
            ...BASE,
            ...DIRECTORY,
            identity: identity({ ldapGroupManagement: false }),
        }).map(([k]) => k);
        assert.ok(!keys.includes("ENABLE_LDAP_GROUP_MANAGEMENT"));
    });

    it("both: LDAP and OIDC side by side, the login form on", () => {
        const settings = Object.fromEntries(
            signInSettings({
                ...BASE,
                ...DIRECTORY,
                identity: identity({ authMode: "both", oidc: OIDC }),
            }),
        );
        assert.strictEqual(settings.ENABLE_LDAP, "true");
        assert.strictEqual(settings.LDAP_SERVER_HOST, "ldap.ai-portal-example.internal");
        assert.strictEqual(settings.OAUTH_CLIENT_ID, OIDC.clientId);
        assert.strictEqual(settings.ENABLE_LOGIN_FORM, "true");
        assert.strictEqual(settings.OAUTH_MERGE_ACCOUNTS_BY_EMAIL, "false");
    });

    it("ldap or both without the directory's values is refused", () => {
        assert.throws(
            () =>
                openWebUiSettings({
                    ...BASE,
                    identity: identity({ authMode: "both", oidc: OIDC }),
                }),
            /authMode both signs in against the directory, and its values are missing/,
        );
    });

    it("no client secret, SCIM token or bind password among the settings", () => {
        const keys = openWebUiSettings({
            ...BASE,
            ...DIRECTORY,
            identity: identity({ authMode: "both", oidc: OIDC, scim: true }),
        }).map(([k]) => k);
        for (const secret of ["OAUTH_CLIENT_SECRET", "SCIM_TOKEN", "LDAP_APP_PASSWORD"]) {
            assert.ok(!keys.includes(secret), secret);
        }
    });
});

describe("the web host's secret-backed settings (secretSettings)", () => {
    const arn = (name: string) => `arn:aws:secretsmanager:eu-west-2:111122223333:secret:${name}`;
    it("each setting with its secret's ARN and JSON field, in a fixed order", () => {
        assert.strictEqual(
            secretSettings({
                database: arn("db"),
                web: arn("web"),
                gatewayKey: arn("gw"),
                oidcClient: arn("oidc"),
                scim: arn("scim"),
            }),
            `OAUTH_CLIENT_SECRET ${arn("oidc")} client_secret SCIM_TOKEN ${arn("scim")} token`,
        );
        assert.strictEqual(
            secretSettings({
                database: arn("db"),
                web: arn("web"),
                gatewayKey: arn("gw"),
                bind: arn("bind"),
            }),
            `LDAP_APP_PASSWORD ${arn("bind")} password`,
        );
    });
});

describe("Caddy with SCIM (single host)", () => {
    it("the SCIM path answers only the provider's ranges; without SCIM no such block", () => {
        const withScim = caddyfile(
            "portal.example.com",
            true,
            [],
            ["20.190.128.0/18", "40.126.0.0/18"],
        );
        assert.ok(
            withScim.includes(
                [
                    "\t@scimElsewhere {",
                    "\t\tpath /api/v1/scim*",
                    "\t\tnot remote_ip 20.190.128.0/18 40.126.0.0/18",
                    "\t}",
                    '\trespond @scimElsewhere "SCIM answers only the identity provider." 403',
                ].join("\n"),
            ),
            withScim,
        );
        // Before the proxy: Caddy's respond runs ahead of reverse_proxy.
        assert.ok(withScim.indexOf("@scimElsewhere") < withScim.indexOf("reverse_proxy"));
        assert.ok(!caddyfile("portal.example.com", true, []).includes("scim"));
    });
});
