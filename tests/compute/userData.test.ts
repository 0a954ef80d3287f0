/**
 * Boot-script rendering on its own, and the rendered scripts of both stacks against the
 * committed snapshots (tests/snapshots/*.sh), so a change to what the hosts run is reviewed in
 * the pull request. `UPDATE_SNAPSHOTS=1 npm test` rewrites them.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { caddyfile } from "../../compute/settings";
import {
    bootParameterName,
    withoutComments,
    envFile,
    everyBootUserData,
    renderTemplate,
    scriptOf,
    sha256Hex,
    USER_DATA_LIMIT_BYTES,
} from "../../compute/userData";
import { GatewayBootValues, gatewayBootFiles, gatewayUserData } from "../../compute/gateway";
import { WebBootValues, webBootFiles, webUserData } from "../../compute/web";
import { RDS_CA_BUNDLE } from "../../data";

const SNAPSHOTS = path.join(__dirname, "..", "snapshots");

describe("boot scripts: rendering", () => {
    it("shell-quotes values, so a quote in a value cannot end the string", () => {
        assert.strictEqual(renderTemplate("X='{{X}}'", { X: "it's" }), "X='it'\\''s'");
    });

    it("puts blocks verbatim and refuses a line that could end the heredoc", () => {
        assert.strictEqual(renderTemplate("a\n{{B}}\nz", {}, { B: "K=v\nL=w" }), "a\nK=v\nL=w\nz");
        assert.throws(
            () => renderTemplate("{{B}}", {}, { B: "x\nSETTINGS\ny" }),
            /could end its heredoc/,
        );
    });

    it("fails on a missing, an unused or a multi-line value instead of rendering a broken script", () => {
        assert.throws(() => renderTemplate("{{X}}", {}), /\{\{X\}\} has no value/);
        assert.throws(() => renderTemplate("plain", { X: "1" }), /not used by the template: X/);
        assert.throws(() => renderTemplate("{{X}}", { X: "a\nb" }), /spans several lines/);
    });

    it("inlines the shared part of the boot scripts", () => {
        assert.match(
            renderTemplate("#!/bin/bash\n#@include boot-common.sh\n", {}),
            /json_field\(\) \{/,
        );
    });

    it("writes env files in the given order and rejects bad keys or multi-line values", () => {
        assert.strictEqual(
            envFile([
                ["B", "2"],
                ["A", "x=y"],
            ]),
            "B=2\nA=x=y",
        );
        assert.throws(() => envFile([["lower", "1"]]), /invalid env entry/);
        assert.throws(() => envFile([["A", "1\n2"]]), /invalid env entry/);
    });

    it("wraps the script so cloud-init runs it at every boot, byte for byte the same each time", () => {
        const a = everyBootUserData("#!/bin/bash\necho hi\n");
        assert.strictEqual(a, everyBootUserData("#!/bin/bash\necho hi\n"));
        assert.match(a, /#cloud-config\ncloud_final_modules:\n {2}- \[scripts-user, always\]/);
        assert.strictEqual(scriptOf(a), "#!/bin/bash\necho hi\n");
    });

    it("refuses user data over EC2's 16 KB", () => {
        assert.throws(
            () => everyBootUserData(`#!/bin/bash\n# ${"x".repeat(USER_DATA_LIMIT_BYTES)}`),
            /EC2 accepts at most 16384/,
        );
    });

    const site = (host: string, signIn: string, tls = "") =>
        [
            `https://${host} {`,
            ...(tls ? [tls] : []),
            "\tencode zstd gzip",
            '\theader Strict-Transport-Security "max-age=31536000"',
            // Every sign-in route, as a prefix, counted per client address before anything else.
            "\t@signIn path /api/v1/auths/signin* /api/v1/auths/ldap* /api/v1/auths/signup* /api/v1/auths/update/password* /api/v1/auths/mfa/verify*",
            "\tforward_auth @signIn 127.0.0.1:9180 {",
            "\t\turi /",
            "\t\theader_up X-Portal-Client-Address {remote_host}",
            "\t}",
            "\t@localSignIn {",
            signIn,
            "\t}",
            '\trespond @localSignIn "Local accounts sign in only from the administration networks." 403',
            "\treverse_proxy 127.0.0.1:8080",
            "}",
        ].join("\n");

    it("Caddy: internal CA and default SNI on an address, a public certificate on a domain, HSTS on both", () => {
        assert.strictEqual(
            caddyfile("3.8.1.2", false, []),
            `{\n\tdefault_sni 3.8.1.2\n}\n\n${site("3.8.1.2", "\t\tpath /api/v1/auths/signin /api/v1/auths/signin/", "\ttls internal")}`,
        );
        assert.strictEqual(
            caddyfile("portal.example.com", true, []),
            site("portal.example.com", "\t\tpath /api/v1/auths/signin /api/v1/auths/signin/"),
        );
    });

    it("Caddy: the local password sign-in answers only the administrators' ranges (none: nobody)", () => {
        assert.strictEqual(
            caddyfile("portal.example.com", true, ["203.0.113.0/24", "198.51.100.7/32"]),
            site(
                "portal.example.com",
                "\t\tpath /api/v1/auths/signin /api/v1/auths/signin/\n\t\tnot remote_ip 203.0.113.0/24 198.51.100.7/32",
            ),
        );
    });
});

/**
 * Each role's boot script rendered from fixed inputs: a template edit is one reviewed diff here,
 * whatever the stacks' values. (The compute tests check what each stack renders into it.)
 */
const WEB_SINGLE: WebBootValues = {
    webTier: "single",
    region: "eu-west-2",
    stack: "example",
    logGroup: "/ai-portal-example/web",
    openWebUiImage: `ghcr.io/open-webui/open-webui@sha256:${"1".repeat(64)}`,
    caddyImage: `docker.io/library/caddy@sha256:${"2".repeat(64)}`,
    portalHost: "203.0.113.10",
    portalUrl: "https://203.0.113.10",
    hasDomain: false,
    gatewayBaseUrl: "http://10.0.10.20:8000/api/v1",
    defaultModel:
        "arn:aws:bedrock:eu-west-2:111122223333:application-inference-profile/a1b2c3d4e5f6",
    uploadsBucket: "ai-portal-example-uploads",
    defaultUserRole: "user",
    adminEmail: "portal-admin@example.com",
    ldapHost: "ldap.ai-portal-example.internal",
    directoryShortName: "CORP",
    databaseInstance: "ai-portal-example-postgres",
    bindIdentity: "svc-openwebui@corp.example.internal",
    searchBase: "OU=Users,OU=CORP,DC=corp,DC=example,DC=internal",
    secretArns: {
        database: "arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/database-AAAAAA",
        web: "arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/web-BBBBBB",
        gatewayKey: "arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/gateway-CCCCCC",
        bind: "arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/bind-DDDDDD",
    },
    secretVersions: {
        database: "v-database",
        web: "v-web",
        "gateway-key": "v-gateway-key",
        bind: "v-bind",
    },
    bootFiles: webBootFiles("single", RDS_CA_BUNDLE, "/ai-portal-example/audit").map((file) => ({
        parameterName: bootParameterName("ai-portal-example", file.id),
        file,
    })),
    healthNamespace: "AIPortal",
    healthMetric: "PortalHealthy",
    portalGroupDn: "CN=AI Portal Users,OU=Users,OU=CORP,DC=corp,DC=example,DC=internal",
    identity: { authMode: "ldap", ldapGroupManagement: true, scim: false, scimAllowedCidrs: [] },
    adminCidrs: ["198.51.100.0/24"],
    signInLimitPer5Min: 20,
    enableApiKeys: false,
    jwtExpiresIn: "8h",
    enableCommunitySharing: false,
    enableAdminChatAccess: false,
    enableAdminExport: false,
    userToolsAccess: false,
    auditLogLevel: "METADATA",
};

/** The same host in the load-balanced tier: no Caddy, Redis, migrations under the lock, the ALB's health route. */
const WEB_LOAD_BALANCED: WebBootValues = {
    ...WEB_SINGLE,
    webTier: "loadBalanced",
    caddyImage: "",
    portalHost: "portal.example.com",
    portalUrl: "https://portal.example.com",
    hasDomain: true,
    gatewayBaseUrl:
        "http://internal-ai-portal-example-gateway-123.eu-west-2.elb.amazonaws.com:8000/api/v1",
    redisEndpoint: "master.ai-portal-example-redis.abc123.euw2.cache.amazonaws.com:6379",
    secretArns: {
        ...WEB_SINGLE.secretArns,
        redis: "arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/redis-EEEEEE",
    },
    secretVersions: { ...WEB_SINGLE.secretVersions, redis: "v-redis" },
    launchHook: { groupName: "ai-portal-example-web", hookName: "open-webui-ready" },
    bootFiles: webBootFiles("loadBalanced", RDS_CA_BUNDLE, "/ai-portal-example/audit").map(
        (file) => ({
            parameterName: bootParameterName("ai-portal-example", file.id),
            file,
        }),
    ),
};

const GATEWAY_PROFILE =
    "arn:aws:bedrock:eu-west-2:111122223333:application-inference-profile/abcdef123456";
const GATEWAY: GatewayBootValues = {
    region: "eu-west-2",
    logGroup: "/ai-portal-example/gateway",
    image: `111122223333.dkr.ecr.eu-west-2.amazonaws.com/example/bedrock-access-gateway@sha256:${"3".repeat(64)}`,
    gateImage: `111122223333.dkr.ecr.eu-west-2.amazonaws.com/example/usage-gate@sha256:${"4".repeat(64)}`,
    port: 8000,
    defaultModel: GATEWAY_PROFILE,
    portalUrl: "https://203.0.113.10",
    apiKeySecretArn: "arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/gateway-CCCCCC",
    gateDbSecretArn:
        "arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/database/usage-gate-DDDDDD",
    bindSecretArn: "arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/bind-BBBBBB",
    dbInstanceId: "ai-portal-example-postgres",
    bootFiles: gatewayBootFiles(RDS_CA_BUNDLE).map((file) => ({
        parameterName: bootParameterName("ai-portal-example", file.id),
        file,
    })),
    gate: {
        port: 8000,
        stack: "example",
        usageGate: {
            limitPerPersonMonthlyUsd: 50,
            limitsByGroup: { "Data Science": 200 },
            failMode: "open",
        },
        defaultModelProfileArn: GATEWAY_PROFILE,
        defaultModelId: "eu.anthropic.claude-sonnet-4-20250514-v1:0",
        directory: {
            ldapHost: "ldap.ai-portal-example.internal",
            bindIdentity: "svc-openwebui@ad.example.internal",
            userBase: "OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=internal",
            groupBase: "DC=ad,DC=example,DC=internal",
        },
    },
    secretVersions: { "gateway-key": "v-gateway-key", "usage-gate-db": "v-gate", bind: "v-bind" },
};

/** A heredoc's body in a rendered script, by the file it is written to. */
function heredocAfter(script: string, file: string): string {
    const start = script.indexOf(`write_private "$CONFIG_DIR/${file}" <<'SETTINGS'\n`);
    assert.ok(start >= 0, `no heredoc for ${file}`);
    const body = script.slice(script.indexOf("\n", start) + 1);
    return body.slice(0, body.indexOf("\nSETTINGS\n"));
}

describe("gateway host: the usage gate in front of the Bedrock Access Gateway", () => {
    const script = scriptOf(gatewayUserData(GATEWAY));

    it("moves the gateway to port 8081 inside the host's Docker network and gives the gate the gateway port", () => {
        const gateway = heredocAfter(script, "gateway.env");
        assert.match(gateway, /^PORT=8081$/m);
        assert.match(script, /^UPSTREAM_PORT='8081'$/m);
        assert.match(script, /^GATEWAY_PORT='8000'$/m);
        // The gateway publishes nothing; only the gate's container publishes the gateway port.
        const publishes = script.match(/--publish [^ "]+/g);
        assert.deepStrictEqual(publishes, ["--publish $GATEWAY_PORT:$GATEWAY_PORT"]);
    });

    it("writes the gate's settings (limits, fail mode, model alias, database, directory) with no secret in them", () => {
        assert.deepStrictEqual(heredocAfter(script, "usage-gate.env").split("\n"), [
            "GATE_LISTEN_HOST=0.0.0.0",
            "GATE_LISTEN_PORT=8000",
            "GATE_UPSTREAM_URL=http://bedrock-gateway:8081",
            "GATE_API_PREFIX=/api/v1",
            "GATE_LIMIT_DEFAULT_USD=50",
            'GATE_LIMITS_BY_GROUP={"Data Science":200}',
            "GATE_FAIL_MODE=open",
            "GATE_STACK=example",
            `GATE_MODEL_ALIASES={"${GATEWAY_PROFILE}":"eu.anthropic.claude-sonnet-4-20250514-v1:0"}`,
            "GATE_DB_PORT=5432",
            "GATE_DB_CA_FILE=/etc/ai-portal/rds-ca.pem",
            "GATE_LDAP_URL=ldap://ldap.ai-portal-example.internal:389",
            "GATE_LDAP_BIND_DN=svc-openwebui@ad.example.internal",
            "GATE_LDAP_USER_BASE=OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=internal",
            "GATE_LDAP_GROUP_BASE=DC=ad,DC=example,DC=internal",
        ]);
    });

    it("reads the gate's three secrets at boot by ARN into a root-only file, never their values", () => {
        assert.match(
            script,
            /^GATE_DB_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:111122223333:secret:example\/database\/usage-gate-DDDDDD'$/m,
        );
        assert.match(
            script,
            /^BIND_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:111122223333:secret:example\/bind-BBBBBB'$/m,
        );
        assert.match(script, /\} \| write_private "\$CONFIG_DIR\/usage-gate\.secrets\.env"/);
        assert.doesNotMatch(script, /GATE_(API_KEY|DB_PASSWORD|LDAP_PASSWORD)=[^%]/);
    });

    it("fetches the RDS CA as a boot file pinned by SHA-256 and mounts it read-only into the gate", () => {
        assert.match(
            script,
            new RegExp(
                `^/ai-portal-example/boot/gateway-rds-ca\\.pem ${sha256Hex(RDS_CA_BUNDLE.trimEnd())} /etc/ai-portal/rds-ca\\.pem 644$`,
                "m",
            ),
        );
        assert.match(script, /--volume \$DATABASE_CA_FILE:\$DATABASE_CA_FILE:ro/);
    });

    it("names no directory without group limits (per-person limits only)", () => {
        const perPerson = scriptOf(
            gatewayUserData({
                ...GATEWAY,
                bindSecretArn: undefined,
                gate: {
                    ...GATEWAY.gate,
                    usageGate: { ...GATEWAY.gate.usageGate, limitsByGroup: {} },
                    directory: undefined,
                },
            }),
        );
        assert.doesNotMatch(heredocAfter(perPerson, "usage-gate.env"), /LDAP/);
        assert.match(perPerson, /^BIND_SECRET_ARN=''$/m);
    });
});

const FIXED: Record<"web" | "web-load-balanced" | "gateway", () => string> = {
    web: () => webUserData(WEB_SINGLE),
    "web-load-balanced": () => webUserData(WEB_LOAD_BALANCED),
    gateway: () => gatewayUserData(GATEWAY),
};

for (const role of ["web", "web-load-balanced", "gateway"] as const) {
    it(`boot script snapshot: the ${role} host's script from fixed inputs matches tests/snapshots/${role}.sh`, () => {
        const script = scriptOf(FIXED[role]());
        const file = path.join(SNAPSHOTS, `${role}.sh`);
        if (process.env.UPDATE_SNAPSHOTS === "1") {
            fs.writeFileSync(file, script);
        }
        assert.ok(fs.existsSync(file), `missing snapshot ${file}; run UPDATE_SNAPSHOTS=1 npm test`);
        assert.strictEqual(
            script,
            fs.readFileSync(file, "utf8"),
            `the ${role} boot script changed; review it and run UPDATE_SNAPSHOTS=1 npm test`,
        );
    });
}

describe("user data: the templates' comments stay in the repository", () => {
    it("leaves comment lines out of what EC2 receives, keeping the shebang and shellcheck directives", () => {
        assert.strictEqual(
            withoutComments(
                [
                    "#!/bin/bash",
                    "# why this script exists",
                    "    # an indented explanation",
                    "# shellcheck disable=SC2086 # words on purpose",
                    "run_it # an inline comment stays",
                    "#",
                ].join("\n"),
            ),
            [
                "#!/bin/bash",
                "# shellcheck disable=SC2086 # words on purpose",
                "run_it # an inline comment stays",
            ].join("\n"),
        );
    });
});
