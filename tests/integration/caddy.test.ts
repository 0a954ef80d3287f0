/**
 * The web host's Caddy configuration and health probe: `caddy validate` on every Caddyfile the
 * program renders, then Caddy run live on the host's disk, in front of a stand-in for Open WebUI
 * on 127.0.0.1:8080, and the probe the boot script installs run exactly as its timer would,
 * publishing to moto's CloudWatch.
 */
import * as assert from "assert";
import * as http from "http";
import { scriptOf } from "../../compute/userData";
import { named, ofType } from "../harness/query";
import { ProgramRun, runProgram } from "../../offline/run";
import * as fs from "fs";
import * as path from "path";
import { LOCAL_SIGN_IN_PATH } from "../../compute/settings";
import { awsCli, caddyEnv, caddyValidate, workDir } from "./support/components";
import { bootedHost, BootedHost, STACKS } from "./support/fixtures";
import { parseEnvFile } from "./support/host";
import { Daemon, portOpen, run, startDaemon } from "./support/process";

function caddyfileOf(script: string): string {
    return /<<'CADDYFILE'\n([\s\S]*?)\nCADDYFILE/.exec(script)![1];
}

/**
 * The one change made to a Caddyfile run live: with a domain, certificates come from Caddy's
 * local CA instead of ACME (the suite has no internet, and no public name points here).
 */
function withoutAcme(caddyfile: string): string {
    return caddyfile.includes("tls internal") ? caddyfile : `{\n\tlocal_certs\n}\n\n${caddyfile}`;
}

/** Stands in for Open WebUI on 127.0.0.1:8080: /health, and every other request recorded. */
interface OpenWebUiStandIn {
    readonly server: http.Server;
    /** "METHOD path" of each request that reached it. */
    readonly seen: string[];
}

function startOpenWebUiStandIn(): Promise<OpenWebUiStandIn> {
    const seen: string[] = [];
    return new Promise((resolve) => {
        const server = http.createServer((req, res) => {
            seen.push(`${req.method} ${req.url}`);
            res.writeHead(req.url === "/health" ? 200 : 404, {
                "content-type": "application/json",
            });
            res.end(req.url === "/health" ? '{"status":true}' : "{}");
        });
        server.listen(8080, "127.0.0.1", () => resolve({ server, seen }));
    });
}

/** POSTs to the portal through Caddy on 127.0.0.1; returns "<status> <body>". */
async function post(portalHost: string, urlPath: string): Promise<string> {
    const result = await run("curl", [
        "-sS",
        "--insecure",
        "--path-as-is",
        "-X",
        "POST",
        "-w",
        " %{http_code}",
        "--resolve",
        `${portalHost}:443:127.0.0.1`,
        `https://${portalHost}${urlPath}`,
    ]);
    assert.strictEqual(result.code, 0, result.stderr);
    const at = result.stdout.lastIndexOf(" ");
    return `${result.stdout.slice(at + 1)} ${result.stdout.slice(0, at)}`;
}

const REFUSED = "403 Local accounts sign in only from the administration networks.";

/** What Caddy returns, from the sign-in limit, once an address is over it. */
const LIMITED = "429 Too many sign-in attempts from this address. Try again in a few minutes.\n";

/** The sign-in limit's port on the loopback, as the user data renders it. */
function signInLimitPort(script: string): number {
    return Number(/^SIGN_IN_LIMIT_PORT='(\d+)'$/m.exec(script)![1]);
}

/**
 * Starts the sign-in limit as the single host's unit runs it: the boot file's value (the program's
 * Parameter Store parameter, as the host writes it) with the limit and port its user data renders.
 */
async function startSignInLimit(program: ProgramRun, label: string): Promise<Daemon> {
    const script = scriptOf(
        named(program, "aws:ec2/instance:Instance", "compute-web-instance").inputs.userData,
    );
    const limit = /^SIGN_IN_LIMIT='(\d+)'$/m.exec(script)![1];
    const port = signInLimitPort(script);
    const parameter = ofType(program, "aws:ssm/parameter:Parameter").find((p) =>
        String(p.inputs.name).endsWith("/boot/signin-limit.py"),
    )!;
    const dir = workDir("caddy", `signin-limit-${label}`);
    const file = path.join(dir, "ai-portal-signin-limit");
    fs.writeFileSync(file, `${parameter.inputs.insecureValue}\n`, { mode: 0o755 });
    return startDaemon("Sign-in limit", file, [limit, String(port)], {
        logFile: path.join(dir, "signin-limit.log"),
        ready: () => portOpen(port),
    });
}

/** Ways to write the local sign-in path that Open WebUI (Starlette) would still route to it. */
const SIGN_IN_SPELLINGS = [
    LOCAL_SIGN_IN_PATH,
    `${LOCAL_SIGN_IN_PATH}/`,
    `${LOCAL_SIGN_IN_PATH}?next=/`,
    LOCAL_SIGN_IN_PATH.replace("signin", "%73ignin"),
];

async function healthSamples(stack: string): Promise<{ min: number; max: number; count: number }> {
    const now = Date.now();
    const answer = await awsCli([
        "cloudwatch",
        "get-metric-statistics",
        "--namespace",
        "AIPortal",
        "--metric-name",
        "PortalHealthy",
        "--dimensions",
        `Name=Stack,Value=${stack}`,
        "--statistics",
        "Minimum",
        "Maximum",
        "SampleCount",
        "--start-time",
        new Date(now - 3_600_000).toISOString(),
        "--end-time",
        new Date(now + 3_600_000).toISOString(),
        "--period",
        "7200",
    ]);
    const points = answer.Datapoints as { Minimum: number; Maximum: number; SampleCount: number }[];
    return points.length === 0
        ? { min: NaN, max: NaN, count: 0 }
        : { min: points[0].Minimum, max: points[0].Maximum, count: points[0].SampleCount };
}

/** The stacks whose web tier runs Caddy: the single-host tier (prod's ALB does Caddy's job). */
const WITH_CADDY = STACKS.filter((stack) => stack === "dev");

describe("Caddy: every rendered Caddyfile validates", () => {
    for (const stack of WITH_CADDY) {
        it(`${stack} (the Elastic IP, Caddy's internal CA)`, async () => {
            const host = await bootedHost(`${stack}-web`);
            const result = await caddyValidate(host.disk.read("/etc/ai-portal/Caddyfile"));
            assert.ok(result.ok, result.output);
        });
    }

    it("with a domain name (a public certificate by ACME)", async () => {
        const program = await runProgram({
            stack: "dev",
            overrides: { domainName: "portal.example.com" },
        });
        assert.ifError(program.error);
        const caddyfile = caddyfileOf(
            scriptOf(
                named(program, "aws:ec2/instance:Instance", "compute-web-instance").inputs.userData,
            ),
        );
        assert.match(caddyfile, /^https:\/\/portal\.example\.com \{/);
        const result = await caddyValidate(caddyfile);
        assert.ok(result.ok, result.output);
    });

    it("and the check can fail: a broken Caddyfile is refused", async () => {
        assert.strictEqual(
            (await caddyValidate("https://example.com {\n\treverse_proxy\n")).ok,
            false,
        );
    });
});

for (const stack of WITH_CADDY) {
    describe(`Caddy live (${stack}): HTTPS in front of Open WebUI, and the health probe as its timer runs it`, () => {
        let host: BootedHost;
        let caddy: Daemon;
        let signInLimit: Daemon;
        let openWebUi: OpenWebUiStandIn | undefined;
        let portalHost: string;
        let probeEnv: Record<string, string>;

        before(async () => {
            host = await bootedHost(`${stack}-web`);
            probeEnv = parseEnvFile(host.disk.read("/etc/ai-portal/health.env"));
            portalHost = probeEnv.PORTAL_HOST;
            openWebUi = await startOpenWebUiStandIn();
            // The sign-in limit Caddy asks, as its unit runs it on the host's disk.
            const execStart = /^ExecStart=(.*)$/m
                .exec(host.disk.read("/etc/systemd/system/ai-portal-signin-limit.service"))![1]
                .split(" ");
            signInLimit = await host.disk.serve("Sign-in limit", execStart, () =>
                portOpen(Number(execStart[2])),
            );
            // Caddy reads the Caddyfile the boot script wrote, on the host's disk (where its CA's
            // files land too).
            const rendered = host.disk.read("/etc/ai-portal/Caddyfile");
            fs.writeFileSync(
                host.disk.file("/etc/ai-portal/Caddyfile.live"),
                withoutAcme(rendered),
            );
            caddy = await host.disk.serve(
                "Caddy",
                [
                    "caddy",
                    "run",
                    "--config",
                    "/etc/ai-portal/Caddyfile.live",
                    "--adapter",
                    "caddyfile",
                ],
                async () => (await portOpen(443)) && (await portOpen(80)),
            );
        });

        after(async () => {
            await caddy?.stop();
            await signInLimit?.stop();
            await new Promise((resolve) =>
                openWebUi ? openWebUi.server.close(resolve) : resolve(undefined),
            );
        });

        const probe = () => host.disk.inside(["/usr/local/sbin/ai-portal-health"], probeEnv);

        it("serves Open WebUI over HTTPS on the portal's address, and port 80 only redirects to it", async () => {
            const https = await run("curl", [
                "-sS",
                "--insecure",
                "--resolve",
                `${portalHost}:443:127.0.0.1`,
                `https://${portalHost}/health`,
            ]);
            assert.strictEqual(https.stdout, '{"status":true}', https.stderr);
            const plain = await run("curl", [
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{redirect_url}",
                "--resolve",
                `${portalHost}:80:127.0.0.1`,
                `http://${portalHost}/health`,
            ]);
            assert.strictEqual(plain.stdout, `308 https://${portalHost}/health`);
        });

        it("sends HSTS on every HTTPS response", async () => {
            for (const urlPath of ["/health", "/", LOCAL_SIGN_IN_PATH]) {
                const head = await run("curl", [
                    "-sS",
                    "--insecure",
                    "-o",
                    "/dev/null",
                    "-D",
                    "-",
                    "--resolve",
                    `${portalHost}:443:127.0.0.1`,
                    `https://${portalHost}${urlPath}`,
                ]);
                assert.match(head.stdout, /^strict-transport-security: max-age=31536000\r$/im);
            }
        });

        it("refuses the local accounts' password sign-in in every spelling (no adminCidrs: nowhere), and passes LDAP sign-in through", async () => {
            const before = openWebUi!.seen.length;
            for (const urlPath of SIGN_IN_SPELLINGS) {
                assert.strictEqual(await post(portalHost, urlPath), REFUSED, urlPath);
            }
            assert.strictEqual(await post(portalHost, "/api/v1/auths/ldap"), "404 {}");
            assert.deepStrictEqual(openWebUi!.seen.slice(before), ["POST /api/v1/auths/ldap"]);
        });

        it("the probe reports 1 while Open WebUI answers through Caddy, 0 once it stops", async () => {
            const up = await probe();
            assert.strictEqual(up.code, 0, up.stderr);
            assert.deepStrictEqual(await healthSamples(stack), { min: 1, max: 1, count: 1 });
            await new Promise((resolve) => openWebUi!.server.close(resolve));
            openWebUi = undefined;
            const down = await probe();
            assert.strictEqual(down.code, 0, down.stderr);
            assert.deepStrictEqual(await healthSamples(stack), { min: 0, max: 1, count: 2 });
        });
    });
}

describe("Caddy live: the local accounts' sign-in from the administration networks (adminCidrs)", () => {
    let openWebUi: OpenWebUiStandIn;
    let signInLimit: Daemon;

    before(async () => {
        openWebUi = await startOpenWebUiStandIn();
        const program = await runProgram({ stack: "dev" });
        assert.ifError(program.error);
        signInLimit = await startSignInLimit(program, "admin-cidrs");
    });

    after(async () => {
        await signInLimit?.stop();
        await new Promise((resolve) => openWebUi.server.close(resolve));
    });

    /** Runs Caddy with dev's Caddyfile rendered with `adminCidrs`; returns the portal's host. */
    async function caddyWithAdminCidrs(
        adminCidrs: string[],
    ): Promise<{ caddy: Daemon; portalHost: string }> {
        const program = await runProgram({ stack: "dev", overrides: { adminCidrs } });
        assert.ifError(program.error);
        const caddyfile = caddyfileOf(
            scriptOf(
                named(program, "aws:ec2/instance:Instance", "compute-web-instance").inputs.userData,
            ),
        );
        const dir = workDir("caddy", `admin-${adminCidrs.join("_").replace(/\//g, "-")}`);
        const file = path.join(dir, "Caddyfile");
        fs.writeFileSync(file, caddyfile);
        const caddy = await startDaemon(
            "Caddy",
            "caddy",
            ["run", "--config", file, "--adapter", "caddyfile"],
            {
                env: caddyEnv(dir),
                logFile: path.join(dir, "caddy.log"),
                ready: async () => (await portOpen(443)) && (await portOpen(80)),
            },
        );
        return { caddy, portalHost: /^https:\/\/(\S+) \{$/m.exec(caddyfile)![1] };
    }

    it("passes it through from an address in adminCidrs", async () => {
        const { caddy, portalHost } = await caddyWithAdminCidrs(["10.20.0.0/16", "127.0.0.1/32"]);
        try {
            const before = openWebUi.seen.length;
            assert.strictEqual(await post(portalHost, LOCAL_SIGN_IN_PATH), "404 {}");
            assert.deepStrictEqual(openWebUi.seen.slice(before), [`POST ${LOCAL_SIGN_IN_PATH}`]);
        } finally {
            await caddy.stop();
        }
    });

    it("refuses it from an address outside adminCidrs", async () => {
        const { caddy, portalHost } = await caddyWithAdminCidrs(["10.20.0.0/16"]);
        try {
            const before = openWebUi.seen.length;
            assert.strictEqual(await post(portalHost, LOCAL_SIGN_IN_PATH), REFUSED);
            assert.strictEqual(openWebUi.seen.length, before);
        } finally {
            await caddy.stop();
        }
    });
});

describe("Caddy live: sign-in attempts limited per client address (wafSignInRateLimitPer5Min)", () => {
    /** The smallest limit the key accepts (WAF's range starts at 10): quick to reach. */
    const LIMIT = 10;
    let openWebUi: OpenWebUiStandIn;
    let signInLimit: Daemon;
    let caddy: Daemon;
    let portalHost: string;

    before(async () => {
        openWebUi = await startOpenWebUiStandIn();
        const program = await runProgram({
            stack: "dev",
            overrides: { wafSignInRateLimitPer5Min: LIMIT },
        });
        assert.ifError(program.error);
        signInLimit = await startSignInLimit(program, "limit");
        const caddyfile = caddyfileOf(
            scriptOf(
                named(program, "aws:ec2/instance:Instance", "compute-web-instance").inputs.userData,
            ),
        );
        const dir = workDir("caddy", "sign-in-limit");
        const file = path.join(dir, "Caddyfile");
        fs.writeFileSync(file, caddyfile);
        caddy = await startDaemon(
            "Caddy",
            "caddy",
            ["run", "--config", file, "--adapter", "caddyfile"],
            {
                env: caddyEnv(dir),
                logFile: path.join(dir, "caddy.log"),
                ready: async () => (await portOpen(443)) && (await portOpen(80)),
            },
        );
        portalHost = /^https:\/\/(\S+) \{$/m.exec(caddyfile)![1];
    });

    after(async () => {
        await caddy?.stop();
        await signInLimit?.stop();
        await new Promise((resolve) => openWebUi.server.close(resolve));
    });

    /**
     * A sign-in attempt (a JSON body, as the browser sends) from the loopback address `from`,
     * with extra request headers; returns "<status> <body>".
     */
    async function attempt(
        from: string,
        urlPath: string,
        headers: readonly string[] = [],
        method = "POST",
    ): Promise<string> {
        const result = await run("curl", [
            "-sS",
            "--insecure",
            "--path-as-is",
            "--interface",
            from,
            "-X",
            method,
            ...(method === "POST"
                ? ["-H", "Content-Type: application/json", "--data", '{"user":"u","password":"p"}']
                : []),
            ...headers.flatMap((h) => ["-H", h]),
            "-w",
            " %{http_code}",
            "--resolve",
            `${portalHost}:443:127.0.0.1`,
            `https://${portalHost}${urlPath}`,
        ]);
        assert.strictEqual(result.code, 0, result.stderr);
        const at = result.stdout.lastIndexOf(" ");
        return `${result.stdout.slice(at + 1)} ${result.stdout.slice(0, at)}`;
    }

    /** Spellings uvicorn routes to a sign-in handler (or FastAPI would not, but WAF counts too). */
    const SPELLINGS = [
        "/api/v1/auths/sign%69n",
        "/api/v1/auths%2Fsignin",
        "/api/v1/auths/LDAP",
        "/api/v1/auths/ld%61p",
        "/api/v1/auths/signin",
        "/api/v1/auths/ldap",
    ];
    /** What a spelling gets under the limit: LDAP reaches Open WebUI, the local sign-in is refused (dev has no adminCidrs). */
    const under = (urlPath: string) => (/signin|sign%69n/.test(urlPath) ? REFUSED : "404 {}");

    it("the (limit+1)th attempt from one address gets 429 in every spelling, encoded and upper-case ones counted; it never reaches Open WebUI", async () => {
        const from = "127.0.0.2";
        const before = openWebUi.seen.length;
        for (let i = 0; i < LIMIT; i++) {
            // Only the encoded and upper-case spellings: they must count for the limit to be hit.
            const urlPath = SPELLINGS[i % 4];
            assert.strictEqual(await attempt(from, urlPath), under(urlPath), `attempt ${i + 1}`);
        }
        for (const urlPath of [
            ...SPELLINGS,
            "/api/v1/auths/signup",
            "/api/v1/auths/update/password",
            "/api/v1/auths/mfa/verify",
        ]) {
            assert.strictEqual(await attempt(from, urlPath), LIMITED, urlPath);
        }
        // The LDAP spellings under the limit reached Open WebUI; nothing after it did.
        assert.deepStrictEqual(openWebUi.seen.slice(before), [
            "POST /api/v1/auths/LDAP",
            "POST /api/v1/auths/ld%61p",
            "POST /api/v1/auths/LDAP",
            "POST /api/v1/auths/ld%61p",
        ]);
    });

    it("another address is not limited, and other paths are never limited", async () => {
        const before = openWebUi.seen.length;
        assert.strictEqual(await attempt("127.0.0.3", "/api/v1/auths/ldap"), "404 {}");
        // The address over the limit still uses the rest of the portal, as often as it likes.
        for (let i = 0; i < LIMIT + 2; i++) {
            assert.strictEqual(await attempt("127.0.0.2", "/api/v1/chats/new"), "404 {}");
        }
        assert.strictEqual(await attempt("127.0.0.2", "/health", [], "GET"), '200 {"status":true}');
        assert.strictEqual(openWebUi.seen.length - before, LIMIT + 4);
    });

    it("a client-supplied X-Forwarded-For or X-Portal-Client-Address neither evades the limit nor frames another address", async () => {
        // 127.0.0.4 names a new address in each attempt, and always 127.0.0.5.
        for (let i = 0; i < LIMIT; i++) {
            const headers = [
                `X-Forwarded-For: 127.0.0.5, 10.9.9.${i}`,
                `X-Portal-Client-Address: 127.0.0.5`,
                `X-Real-IP: 10.8.8.${i}`,
            ];
            assert.strictEqual(await attempt("127.0.0.4", "/api/v1/auths/ldap", headers), "404 {}");
        }
        assert.strictEqual(
            await attempt("127.0.0.4", "/api/v1/auths/ldap", [
                "X-Forwarded-For: 10.9.9.99",
                "X-Portal-Client-Address: 10.9.9.99",
            ]),
            LIMITED,
        );
        // The address it named is untouched.
        assert.strictEqual(await attempt("127.0.0.5", "/api/v1/auths/ldap"), "404 {}");
    });
});
