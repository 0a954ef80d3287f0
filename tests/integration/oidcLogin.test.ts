/**
 * Single sign-on as Open WebUI performs it (tests/integration/python/oidc_login.py replays its
 * client side with Authlib, the library it uses), with exactly the OIDC settings the program
 * renders for the prod-like stack with `authMode: oidc` and `directory: none` (prod-oidc; the test
 * changes its issuer to the test's provider and its groups claim), against a real OpenID
 * provider (oidc-provider, OpenID Certified) registered from those settings: the authorization
 * code flow with PKCE, driven headlessly through the provider's sign-in and consent pages.
 *
 * Every sign-in starts from the same Open WebUI: the local administrator it creates at first start
 * (WEBUI_ADMIN_EMAIL), and groups an administrator made in Open WebUI (which carry model access).
 * Each sign-in is a flow of its own (its own client state, browser and Open WebUI state); they run
 * side by side in one Python process.
 */
import * as assert from "assert";
import { python } from "./support/fixtures";
import {
    identityProvider,
    IdentityProvider,
    OTHER_CLIENT,
    OTHER_TENANT_PATH,
    ProviderAccount,
    renderedSettings,
} from "./support/identityProvider";

interface Outcome {
    readonly authorization: Record<string, string>;
    readonly callbackPath: string;
    readonly foreignClaims: { iss: string; aud: string } | null;
    readonly result:
        | { ok: true; user: { email: string; name: string; role: string }; groups: string[] }
        | { ok: false; status: number; detail: string; reason: string };
    readonly users: { email: string; role: string; oauth: unknown }[];
    readonly groups: { name: string; user_ids: string[] }[];
}

/** Groups an administrator created in Open WebUI; a person joins those their groups claim names. */
const OPEN_WEBUI_GROUPS = ["Finance Analysts", "Legal Reviewers"];

describe("OIDC sign-in (prod-oidc): Open WebUI's client side against a real OpenID provider", () => {
    let settings: Record<string, string>;
    let provider: IdentityProvider;
    let allowed: string;
    let admins: string;
    let outcomes: Record<string, Outcome>;
    const outcome = (name: string): Outcome => {
        assert.ok(outcomes[name], `no outcome for ${name}`);
        return outcomes[name];
    };
    const localAdmin = () => ({
        id: "local-admin",
        email: settings.WEBUI_ADMIN_EMAIL,
        name: "Portal administrator",
        role: "admin",
        oauth: null,
    });

    before(async function () {
        // Program runs are serialised: this one may wait behind the stacks' runs the root hooks
        // started (the directory and the database need them).
        this.timeout(300_000);
        settings = await renderedSettings();
        // The lists are comma-separated (OAUTH_ROLES_SEPARATOR); the stack names one group each.
        allowed = settings.OAUTH_ALLOWED_ROLES;
        admins = settings.OAUTH_ADMIN_ROLES;
        const accounts: Record<string, ProviderAccount> = {
            alice: {
                email: "Alice.Smith@Example.com",
                name: "Alice Smith",
                groups: [allowed, "Finance Analysts", "All Staff"],
            },
            bob: {
                email: "bob@example.com",
                name: "Bob",
                groups: ["All Staff", "Finance Analysts"],
            },
            carol: { email: "carol@example.com", name: "Carol" },
            dana: { email: "dana@example.com", name: "Dana", groups: [admins] },
            // Someone at the provider whose e-mail is the portal's local administrator's.
            mallory: {
                email: settings.WEBUI_ADMIN_EMAIL.toUpperCase(),
                name: "Mallory",
                groups: [allowed],
            },
            // Left the allowed group at the provider since their last sign-in.
            erin: { email: "erin@example.com", name: "Erin", groups: ["All Staff"] },
        };
        provider = await identityProvider(accounts);
        const start = {
            users: [localAdmin()],
            groups: OPEN_WEBUI_GROUPS.map((name) => ({ name, user_ids: [] })),
            attack: null,
        };
        const signIns: Record<string, Record<string, unknown>> = {
            member: { ...start, account: "alice" },
            outsider: { ...start, account: "bob" },
            noGroups: { ...start, account: "carol" },
            admin: { ...start, account: "dana" },
            sameEmailAsLocalAdmin: { ...start, account: "mallory" },
            leftTheGroup: {
                account: "erin",
                users: [
                    localAdmin(),
                    {
                        id: "erin-id",
                        email: "erin@example.com",
                        name: "Erin",
                        role: "user",
                        oauth: { oidc: { sub: "erin" } },
                    },
                ],
                groups: OPEN_WEBUI_GROUPS.map((name) => ({ name, user_ids: ["erin-id"] })),
                attack: null,
            },
            otherClient: {
                ...start,
                account: "alice",
                attack: {
                    issuer: provider.issuer,
                    ...OTHER_CLIENT,
                    controlUrl: provider.controlUrl,
                },
            },
            otherIssuer: {
                ...start,
                account: "alice",
                attack: {
                    issuer: provider.otherIssuer,
                    clientId: settings.OAUTH_CLIENT_ID,
                    clientSecret: settings.OAUTH_CLIENT_SECRET,
                    redirectUri: settings.OPENID_REDIRECT_URI,
                    controlUrl: provider.controlUrl,
                },
            },
        };
        outcomes = await python(
            "oidc_login.py",
            { settings, signIns },
            { python: "debian", env: { SSL_CERT_FILE: provider.caFile } },
        );
    });

    it("asks the provider for the rendered client, redirect URI and scopes, with a PKCE S256 challenge", () => {
        const { authorization, callbackPath } = outcome("member");
        assert.deepStrictEqual(authorization, {
            response_type: "code",
            client_id: settings.OAUTH_CLIENT_ID,
            redirect_uri: settings.OPENID_REDIRECT_URI,
            scope: settings.OAUTH_SCOPES,
            code_challenge_method: "S256",
        });
        assert.strictEqual(callbackPath, "/oauth/oidc/callback");
        // The stack's domainName (Pulumi.prod-oidc.yaml), as registered with the provider.
        assert.strictEqual(
            settings.OPENID_REDIRECT_URI,
            "https://sso.portal.example.com/oauth/oidc/callback",
        );
    });

    it("signs a member of the allowed group in as a user, with the Open WebUI groups their groups claim names", () => {
        const { result, users } = outcome("member");
        assert.deepStrictEqual(result, {
            ok: true,
            user: { email: "alice.smith@example.com", name: "Alice Smith", role: "user" },
            groups: ["Finance Analysts"],
        });
        assert.strictEqual(users.length, 2);
    });

    it("refuses a person whose groups include none of the allowed or admin groups, and creates no account", () => {
        const { result, users } = outcome("outsider");
        assert.deepStrictEqual(result, {
            ok: false,
            status: 403,
            detail: "ACCESS_PROHIBITED",
            reason: "roles claim matches no allowed or admin role",
        });
        assert.deepStrictEqual(users, [localAdmin()]);
    });

    it("gives a person the provider sends no groups claim for only a pending account (no chats until an administrator approves)", () => {
        // Upstream lets a token without the roles claim through with DEFAULT_USER_ROLE
        // (open-webui#29532); the stack's config requires that role to be pending with OIDC.
        assert.strictEqual(settings.DEFAULT_USER_ROLE, "pending");
        const { result } = outcome("noGroups");
        assert.deepStrictEqual(result, {
            ok: true,
            user: { email: "carol@example.com", name: "Carol", role: "pending" },
            groups: [],
        });
    });

    it("signs a member of the admin group in as an administrator", () => {
        const { result } = outcome("admin");
        assert.deepStrictEqual(result, {
            ok: true,
            user: { email: "dana@example.com", name: "Dana", role: "admin" },
            groups: [],
        });
    });

    it("demotes a linked account to pending and takes its groups when the person left the allowed group", () => {
        const { result, users, groups } = outcome("leftTheGroup");
        assert.deepStrictEqual(result, {
            ok: false,
            status: 403,
            detail: "ACCESS_PROHIBITED",
            reason: "roles claim matches no allowed or admin role",
        });
        assert.strictEqual(users.find((u) => u.email === "erin@example.com")?.role, "pending");
        assert.deepStrictEqual(
            groups.map((g) => g.user_ids),
            OPEN_WEBUI_GROUPS.map(() => []),
        );
    });

    it("never merges a provider account into the local administrator with the same e-mail", () => {
        assert.strictEqual(settings.OAUTH_MERGE_ACCOUNTS_BY_EMAIL, "false");
        const { result, users } = outcome("sameEmailAsLocalAdmin");
        assert.deepStrictEqual(result, {
            ok: false,
            status: 400,
            detail: "EMAIL_TAKEN",
            reason: "an account with this e-mail exists",
        });
        // The administrator is untouched: not linked to the provider's subject, still admin.
        assert.deepStrictEqual(users, [localAdmin()]);
    });

    it("refuses an ID token the provider issued to another client (audience), signed with the same key", () => {
        const { result, foreignClaims, users } = outcome("otherClient");
        assert.deepStrictEqual(foreignClaims, {
            iss: provider.issuer,
            aud: OTHER_CLIENT.clientId,
        });
        // Authlib (parse_id_token, CodeIDToken) checks the audience through azp: an aud that is
        // not the client needs an azp naming it.
        assert.deepStrictEqual(result, {
            ok: false,
            status: 400,
            detail: "INVALID_CRED",
            reason: 'MissingClaimError: missing_claim: Missing "azp" claim',
        });
        assert.deepStrictEqual(users, [localAdmin()]);
    });

    it("refuses an ID token for the portal's client from another issuer (another tenant, the same signing key)", () => {
        const { result, foreignClaims, users } = outcome("otherIssuer");
        assert.deepStrictEqual(foreignClaims, {
            iss: provider.otherIssuer,
            aud: settings.OAUTH_CLIENT_ID,
        });
        assert.ok(provider.otherIssuer.endsWith(OTHER_TENANT_PATH));
        assert.deepStrictEqual(result, {
            ok: false,
            status: 400,
            detail: "INVALID_CRED",
            reason: 'InvalidClaimError: invalid_claim: Invalid claim "iss"',
        });
        assert.deepStrictEqual(users, [localAdmin()]);
    });
});
