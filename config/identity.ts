/**
 * Identity keys: how people sign in (`authMode`: the directory over LDAP, an OpenID Connect
 * provider, or both), whether the stack has a Managed AD at all (`directory`), the OIDC client,
 * and SCIM provisioning. Cross-key rules (a directory for LDAP, https, a stable redirect URI, the
 * role gate) are checked in `readIdentity` and `checkIdentity` (config/index.ts), every problem
 * reported at once.
 */
import { AUTH_MODES, AuthMode } from "../compute/settings";
import { parseCidr } from "./cidr";
import { ConfigReader } from "./reader";
import { allRead, bool, list, oneOf, optionalText, readSpec, text } from "./spec";

/** `managed`: an AWS Managed Microsoft AD (the seed's design). `none`: no directory (OIDC only). */
export const DIRECTORY_MODES = ["managed", "none"] as const;
export type DirectoryMode = (typeof DIRECTORY_MODES)[number];

export interface OidcConfig {
    /** The provider's issuer (https); its discovery document is at /.well-known/openid-configuration. */
    readonly issuerUrl: string;
    readonly clientId: string;
    /** The client secret, a stack secret: stored in Secrets Manager, fetched by the hosts at boot. */
    readonly clientSecret: string;
    readonly scopes: readonly string[];
    readonly providerName: string;
    readonly groupsClaim: string;
    readonly allowedGroups: readonly string[];
    readonly adminGroups: readonly string[];
}

export interface IdentityConfig {
    readonly authMode: AuthMode;
    readonly directory: DirectoryMode;
    /** Set when authMode is oidc or both. */
    readonly oidc?: OidcConfig;
    /** Open WebUI groups follow the directory's groups at each LDAP sign-in (ldap and both). */
    readonly ldapGroupManagement: boolean;
    /** SCIM 2.0 provisioning: a generated token in Secrets Manager, the endpoint an output. */
    readonly scim: boolean;
    /** Client ranges that may call the SCIM endpoint (the identity provider's documented ranges). */
    readonly scimAllowedCidrs: readonly string[];
}

/**
 * A group (role) name Open WebUI can compare: upstream splits OAUTH_ALLOWED_ROLES and
 * OAUTH_ADMIN_ROLES on "," (OAUTH_ROLES_SEPARATOR) and strips each, so a name must hold no comma
 * and no leading or trailing space. Entra ID sends group object ids, Okta and Cognito names.
 */
const GROUP = /^[^,\s](?:[^,]{0,254}[^,\s])?$/;

const groupList = (key: string) =>
    list(key, {
        allowed:
            "a list of group names (or Entra ID group object ids) as the groups claim carries them, no commas",
        default: [],
        item: (v) =>
            GROUP.test(v)
                ? undefined
                : {
                      reason: "holds a comma or leading/trailing spaces, which Open WebUI's comma-separated role list cannot carry",
                  },
    });

export const IDENTITY_SPEC = {
    authMode: oneOf(AUTH_MODES, "ldap"),
    directory: oneOf(DIRECTORY_MODES, "managed"),
    oidcIssuerUrl: optionalText({
        allowed:
            'the provider\'s https issuer URL, e.g. https://login.microsoftonline.com/<tenant id>/v2.0, or "" with authMode ldap',
        check: (v) => {
            let url: URL;
            try {
                url = new URL(v);
            } catch {
                return "is not a URL";
            }
            if (url.protocol !== "https:") {
                return "is not https: the provider's keys and tokens would travel unauthenticated";
            }
            if (url.search || url.hash || url.username || url.password) {
                return "has a query, fragment or credentials, which an issuer never has";
            }
            return v.endsWith("/.well-known/openid-configuration")
                ? "is the discovery document's URL; give the issuer (the part before /.well-known)"
                : undefined;
        },
    }),
    oidcClientId: optionalText({
        allowed:
            'the client (application) id the provider gave the portal, or "" with authMode ldap',
        check: (v) =>
            /^[\x21-\x7e]{1,255}$/.test(v)
                ? undefined
                : "is not a client id (printable, no spaces)",
    }),
    oidcClientSecret: optionalText({
        allowed:
            'the client secret, set as a stack secret (pulumi config set --secret oidcClientSecret), or "" with authMode ldap',
    }),
    oidcScopes: list("oidcScopes", {
        allowed: 'scopes including "openid" and "email", e.g. ["openid", "email", "profile"]',
        default: ["openid", "email", "profile"],
        item: (v) =>
            /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(v)
                ? undefined
                : { reason: "is not a scope token (RFC 6749 section 3.3)" },
        list: (v) =>
            v.includes("openid") && v.includes("email")
                ? undefined
                : {
                      reason: 'lacks "openid" or "email": Open WebUI needs an ID token and refuses a sign-in without an e-mail',
                  },
    }),
    oidcProviderName: text({
        allowed: 'the sign-in button\'s label, 1-64 characters, e.g. "Microsoft Entra ID"',
        default: "Single sign-on",
        check: (v) => (/^[^\n\r]{1,64}$/.test(v) ? undefined : "is empty, too long or multi-line"),
    }),
    oidcGroupsClaim: text({
        allowed:
            'the ID token claim that lists the person\'s groups, e.g. "groups" (Entra ID, Okta) or "cognito:groups"',
        default: "groups",
        check: (v) =>
            /^[A-Za-z0-9_:.-]{1,128}$/.test(v) ? undefined : "is not a claim name Open WebUI reads",
    }),
    oidcAllowedGroups: groupList("oidcAllowedGroups"),
    oidcAdminGroups: groupList("oidcAdminGroups"),
    ldapGroupManagement: bool(true),
    scim: bool(false),
    scimAllowedCidrs: list("scimAllowedCidrs", {
        allowed:
            "the identity provider's documented egress ranges as IPv4 CIDR blocks no wider than /8, [] with scim false",
        default: [],
        item: (v) => {
            const parsed = parseCidr(v);
            if (!parsed.ok) {
                return { reason: parsed.reason };
            }
            return Number(parsed.cidr.text.split("/")[1]) < 8
                ? { reason: "lets (nearly) the whole internet try the SCIM token" }
                : undefined;
        },
    }),
};

/** The config keys only OIDC uses, which a stack with authMode ldap leaves unset. */
const OIDC_REQUIRED = ["oidcIssuerUrl", "oidcClientId", "oidcClientSecret"] as const;

/**
 * Reads the identity keys and checks them against each other. A key that did not read cleanly is
 * left out of the cross-key rules (its own problem is reported), so every other problem still is.
 */
export function readIdentity(reader: ConfigReader): IdentityConfig | undefined {
    const v = readSpec(reader, IDENTITY_SPEC);
    const before = reader.problems.length;
    const report = (key: string, value: string, reason: string, allowed: string) =>
        reader.report(reader.qualified(key), value, reason, allowed);
    const authMode = v.authMode;
    const oidcOn = authMode !== undefined && authMode !== "ldap";

    if (v.directory === "none" && authMode !== undefined && authMode !== "oidc") {
        report(
            "directory",
            v.directory,
            `is none, but authMode is ${authMode}: LDAP sign-in needs the directory`,
            "managed, or authMode oidc (people sign in through the identity provider only)",
        );
    }
    if (oidcOn) {
        for (const key of OIDC_REQUIRED) {
            if (key in v && !v[key]) {
                report(
                    key,
                    "",
                    `is not set, but authMode is ${authMode}`,
                    IDENTITY_SPEC[key].allowed,
                );
            }
        }
        // Upstream maps roles only when both lists are set; otherwise everyone who reaches the
        // provider gets the default role (utils/oauth.py get_user_role).
        for (const key of ["oidcAllowedGroups", "oidcAdminGroups"] as const) {
            if (v[key]?.length === 0) {
                report(
                    key,
                    "[]",
                    `is empty, but authMode is ${authMode}: Open WebUI maps roles from the groups claim only when both oidcAllowedGroups and oidcAdminGroups are set`,
                    "at least one group",
                );
            }
        }
        const shared = (v.oidcAllowedGroups ?? []).filter((g) => v.oidcAdminGroups?.includes(g));
        if (shared.length > 0) {
            report(
                "oidcAdminGroups",
                JSON.stringify(v.oidcAdminGroups),
                `shares ${JSON.stringify(shared)} with oidcAllowedGroups, so every allowed user would sign in as an administrator`,
                "groups of administrators only, none of them in oidcAllowedGroups",
            );
        }
    } else if (authMode === "ldap") {
        for (const key of [...OIDC_REQUIRED, "oidcAllowedGroups", "oidcAdminGroups"] as const) {
            const value = v[key];
            if (Array.isArray(value) ? value.length > 0 : value !== undefined) {
                report(
                    key,
                    Array.isArray(value)
                        ? JSON.stringify(value)
                        : key === "oidcClientSecret"
                          ? "[secret]"
                          : String(value),
                    "is set, but authMode is ldap, which never reads it",
                    "authMode oidc or both, or leave it unset",
                );
            }
        }
    }
    if (v.scim && authMode === "ldap") {
        report(
            "scim",
            "true",
            "is on, but authMode is ldap: provisioned accounts could not sign in (they have no directory password)",
            "false, or authMode oidc or both",
        );
    }
    if (v.scim && v.scimAllowedCidrs?.length === 0) {
        report(
            "scimAllowedCidrs",
            "[]",
            "is empty, but scim is on: the identity provider could not reach the SCIM endpoint",
            IDENTITY_SPEC.scimAllowedCidrs.allowed,
        );
    }
    if (v.scim === false && (v.scimAllowedCidrs?.length ?? 0) > 0) {
        report(
            "scimAllowedCidrs",
            JSON.stringify(v.scimAllowedCidrs),
            "is set, but scim is off",
            "[], or scim true",
        );
    }
    if (!allRead(IDENTITY_SPEC, v) || reader.problems.length !== before) {
        return undefined;
    }
    return {
        authMode: v.authMode,
        directory: v.directory,
        oidc: oidcOn
            ? {
                  issuerUrl: v.oidcIssuerUrl!.replace(/\/+$/, ""),
                  clientId: v.oidcClientId!,
                  clientSecret: v.oidcClientSecret!,
                  scopes: v.oidcScopes,
                  providerName: v.oidcProviderName,
                  groupsClaim: v.oidcGroupsClaim,
                  allowedGroups: v.oidcAllowedGroups,
                  adminGroups: v.oidcAdminGroups,
              }
            : undefined,
        ldapGroupManagement: v.ldapGroupManagement,
        scim: v.scim,
        scimAllowedCidrs: v.scimAllowedCidrs,
    };
}
