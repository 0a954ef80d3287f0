// The integration suite's OpenID provider: oidc-provider (an OpenID Certified implementation),
// started by tests/integration/support/identityProvider.ts as a process of its own and stopped by
// PID. One HTTPS server (a throwaway CA's certificate) serves several tenants, each an issuer of
// its own under a path, all signing with one key: as a multi-tenant provider does (Entra ID signs
// every tenant's tokens with the same keys, the issuer names the tenant). So a token from another
// tenant verifies against the portal's tenant's keys, and only the issuer check can refuse it.
//
// Usage: node provider.mjs <config.json>; the configuration is written by the test (see
// identityProvider.ts: the clients come from what the program renders).
//
// People sign in through oidc-provider's development interactions (a login form that takes an
// account id, then a consent form), which the test's user agent submits with plain HTTP requests.
//
// One hook stands in for a misbehaving or compromised party on the token path: POST
// /__test/substitute-id-token {"code", "idToken"} makes the token response that redeems that
// authorization code carry that ID token instead of the one the provider minted (keyed by code, so
// sign-ins running side by side are not affected). The portal's client must refuse it.
import { Buffer } from "node:buffer";
import console from "node:console";
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import process from "node:process";
import Provider from "oidc-provider";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = {
    ...privateKey.export({ format: "jwk" }),
    kid: "it-signing-key",
    alg: "RS256",
    use: "sig",
};

/** authorization code -> the ID token the response redeeming it carries instead of its own. */
const substitutions = new Map();

function account(id) {
    const person = config.accounts[id];
    if (!person) {
        return undefined;
    }
    return {
        accountId: id,
        claims: () => ({
            sub: id,
            email: person.email,
            email_verified: true,
            name: person.name,
            // No claim at all for someone without groups, as Entra ID, Okta and Cognito do.
            ...(person.groups ? { [config.groupsClaim]: person.groups } : {}),
        }),
    };
}

function tenant({ issuer }) {
    const provider = new Provider(issuer, {
        clients: config.clients,
        jwks: { keys: [signingKey] },
        findAccount: (ctx, id) => account(id),
        scopes: config.scopes,
        claims: {
            // The groups claim comes with every ID token, as an application registration that
            // emits groups gives it (it is not a scope the portal asks for).
            openid: ["sub", config.groupsClaim],
            email: ["email", "email_verified"],
            profile: ["name"],
        },
        // The person's claims go into the ID token (Entra ID, Okta and Keycloak put e-mail, name
        // and groups there); oidc-provider's default keeps them for the userinfo endpoint.
        conformIdTokenClaims: false,
        // Every authorization request must carry a PKCE challenge (S256, the only method 9.x
        // accepts): a client that did not do PKCE would fail here.
        pkce: { required: () => true },
        features: { devInteractions: { enabled: true } },
        cookies: { keys: ["integration-suite-cookie-key"] },
    });
    provider.use(async (ctx, next) => {
        await next();
        const code = ctx.oidc?.params?.code;
        if (ctx.oidc?.route === "token" && ctx.status === 200 && substitutions.has(code)) {
            ctx.body = { ...ctx.body, id_token: substitutions.get(code) };
            substitutions.delete(code);
        }
    });
    return provider;
}

const tenants = config.tenants.map((t) => ({ path: t.path, handle: tenant(t).callback() }));

function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        req.on("data", (chunk) => chunks.push(chunk));
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}

const server = https.createServer(
    { cert: fs.readFileSync(config.certFile), key: fs.readFileSync(config.keyFile) },
    async (req, res) => {
        if (req.method === "POST" && req.url === "/__test/substitute-id-token") {
            const { code, idToken } = JSON.parse(await readBody(req));
            substitutions.set(code, idToken);
            res.writeHead(204).end();
            return;
        }
        const found = tenants.find((t) => req.url === t.path || req.url.startsWith(`${t.path}/`));
        if (!found) {
            res.writeHead(404).end();
            return;
        }
        // Mounted under the tenant's path, as Express mounts it: oidc-provider derives the
        // mount path from originalUrl and url, so the URLs it writes carry the tenant's path.
        req.originalUrl = req.url;
        req.url = req.url.slice(found.path.length) || "/";
        found.handle(req, res);
    },
);
server.listen(config.port, config.host, () => {
    console.log(`identity provider listening on https://${config.host}:${config.port}`);
});
