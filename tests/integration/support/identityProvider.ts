/**
 * The committed prod-like stack that signs people in through OpenID Connect (Pulumi.prod-oidc.yaml:
 * `authMode: oidc`, `directory: none`), the Open WebUI settings the program renders for it, and a
 * real OpenID provider (oidc-provider, ../oidc/provider.mjs) set up from those settings: its issuer
 * is the rendered OPENID_PROVIDER_URL's, its client is the rendered client id with the secret the
 * program stores and the rendered redirect URI, scopes and groups claim. HTTPS with a certificate
 * from a CA of its own, which the replay trusts through SSL_CERT_FILE.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { scriptOf } from "../../../compute/userData";
import { ProgramRun, runProgram } from "../../../offline/run";
import { ofType } from "../../harness/query";
import { mapToLoopback, newCa, once, serverCertificate, workDir } from "./components";
import { userDataOf } from "./fixtures";
import { parseEnvFile } from "./host";
import { declaredSecrets } from "./portal";
import { Daemon, portOpen, startDaemon } from "./process";

export const OIDC_STACK = "prod-oidc";

/**
 * What the test changes in that stack. The issuer: the stack's is Entra ID's, the test's provider
 * answers at an address of the suite's own (a port no other component uses). The groups claim:
 * not the default "groups", so a setting the program renders under a name Open WebUI does not
 * read would fall back to the default and find no groups (the provider emits the person's groups
 * under the rendered claim only).
 */
export const OIDC_STACK_OVERRIDES = {
    oidcIssuerUrl: "https://login.idp.aiportal.test:9443/tenant-portal/v2.0",
    oidcGroupsClaim: "cognito:groups",
} as const;

/** Another tenant of the same provider: its own issuer, the same signing key. */
export const OTHER_TENANT_PATH = "/tenant-elsewhere/v2.0";

/** Another application registered at the portal's tenant. */
export const OTHER_CLIENT = {
    clientId: "another-application",
    clientSecret: "it-another-application-secret-93d0e1",
    redirectUri: "https://apps.example.org/signed-in",
};

export interface ProviderAccount {
    readonly email: string;
    readonly name: string;
    /** Absent: the provider sends no groups claim at all. */
    readonly groups?: readonly string[];
}

/**
 * The secret a setting the boot script reads from Secrets Manager gets (`SECRET_SETTINGS`: the
 * setting, the secret's ARN, the JSON field): that field of the JSON the program stores in it.
 */
function secretSetting(run: ProgramRun, script: string, setting: string): string {
    const line = /^SECRET_SETTINGS='([^']*)'$/m.exec(script);
    assert.ok(line, "the web host's boot script reads settings from secrets (SECRET_SETTINGS)");
    const words = line[1].split(" ").filter((w) => w !== "");
    const at = words.findIndex((w, i) => i % 3 === 0 && w === setting);
    assert.ok(at >= 0, `the boot script reads ${setting} from a secret: ${line[1]}`);
    const [arn, field] = [words[at + 1], words[at + 2]];
    const secret = ofType(run, "aws:secretsmanager/secret:Secret").find((r) => r.state.arn === arn);
    assert.ok(secret, `a declared secret has the ARN ${arn}`);
    return JSON.parse(declaredSecrets(run)[secret.inputs.name])[field];
}

/**
 * Open WebUI's environment as the prod-like OIDC stack's web hosts get it: the settings file the
 * boot script writes, and OAUTH_CLIENT_SECRET as it reads it from the secret the program stores.
 */
export const renderedSettings = once(async (): Promise<Record<string, string>> => {
    const run = await runProgram({ stack: OIDC_STACK, overrides: OIDC_STACK_OVERRIDES });
    assert.ifError(run.error);
    const script = scriptOf(userDataOf(run, "web"));
    const heredoc = /<<'SETTINGS'\n([\s\S]*?)\nSETTINGS\n/.exec(script);
    assert.ok(heredoc, "the web host's boot script writes Open WebUI's settings");
    const settings = parseEnvFile(heredoc[1]);
    assert.ok(
        settings.OPENID_PROVIDER_URL,
        "the program renders no OPENID_PROVIDER_URL for a stack with authMode oidc",
    );
    assert.ok(
        !("OAUTH_CLIENT_SECRET" in settings),
        "the client secret is not in the settings file",
    );
    const clientSecret = secretSetting(run, script, "OAUTH_CLIENT_SECRET");
    assert.ok(clientSecret, "the client secret the program stores is not empty");
    return { ...settings, OAUTH_CLIENT_SECRET: clientSecret };
});

export interface IdentityProvider {
    readonly daemon: Daemon;
    /** The rendered settings' issuer, and the other tenant's. */
    readonly issuer: string;
    readonly otherIssuer: string;
    /** Where the test's substitution hook listens (../oidc/provider.mjs). */
    readonly controlUrl: string;
    /** The CA the provider's certificate chains to. */
    readonly caFile: string;
}

const DISCOVERY = "/.well-known/openid-configuration";

/** Starts the provider once (with the first caller's accounts), for the rendered settings. */
export function identityProvider(
    accounts: Readonly<Record<string, ProviderAccount>>,
): Promise<IdentityProvider> {
    return (started ??= start(accounts));
}
let started: Promise<IdentityProvider> | undefined;

async function start(
    accounts: Readonly<Record<string, ProviderAccount>>,
): Promise<IdentityProvider> {
    const settings = await renderedSettings();
    assert.ok(settings.OPENID_PROVIDER_URL.endsWith(DISCOVERY), settings.OPENID_PROVIDER_URL);
    const issuer = settings.OPENID_PROVIDER_URL.slice(0, -DISCOVERY.length);
    const url = new URL(issuer);
    assert.strictEqual(url.protocol, "https:");
    const port = Number(url.port || "443");
    const dir = workDir("oidc");
    const ca = await newCa(path.join(dir, "ca"), "AI Portal integration identity provider CA");
    const cert = await serverCertificate(ca, path.join(dir, "tls"), [url.hostname]);
    mapToLoopback([url.hostname]);
    const otherIssuer = `${url.origin}${OTHER_TENANT_PATH}`;
    const config = {
        host: "127.0.0.1",
        port,
        certFile: cert.certFile,
        keyFile: cert.keyFile,
        tenants: [
            { path: url.pathname, issuer },
            { path: OTHER_TENANT_PATH, issuer: otherIssuer },
        ],
        clients: [
            {
                client_id: settings.OAUTH_CLIENT_ID,
                client_secret: settings.OAUTH_CLIENT_SECRET,
                redirect_uris: [settings.OPENID_REDIRECT_URI],
                grant_types: ["authorization_code"],
                response_types: ["code"],
                // Authlib's default when OAUTH_TOKEN_ENDPOINT_AUTH_METHOD is unset (HTTP Basic).
                token_endpoint_auth_method:
                    settings.OAUTH_TOKEN_ENDPOINT_AUTH_METHOD || "client_secret_basic",
            },
            {
                client_id: OTHER_CLIENT.clientId,
                client_secret: OTHER_CLIENT.clientSecret,
                redirect_uris: [OTHER_CLIENT.redirectUri],
                grant_types: ["authorization_code"],
                response_types: ["code"],
            },
        ],
        scopes: (settings.OAUTH_SCOPES ?? "openid email profile").split(" "),
        // Upstream reads OAUTH_GROUPS_CLAIM, then OAUTH_GROUP_CLAIM (config.py).
        groupsClaim: settings.OAUTH_GROUPS_CLAIM ?? settings.OAUTH_GROUP_CLAIM ?? "groups",
        accounts,
    };
    const configFile = path.join(dir, "provider.json");
    fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
    const daemon = await startDaemon(
        "oidc-provider",
        process.execPath,
        [path.join(__dirname, "..", "oidc", "provider.mjs"), configFile],
        {
            logFile: path.join(dir, "provider.log"),
            ready: () => portOpen(port),
        },
    );
    return {
        daemon,
        issuer,
        otherIssuer,
        controlUrl: `${url.origin}/__test/substitute-id-token`,
        caFile: ca.certFile,
    };
}
