/**
 * The web host's Caddy configuration and health probe: `caddy validate` on every Caddyfile the
 * program renders, then Caddy run live on the host's disk, in front of a stand-in for Open WebUI
 * on 127.0.0.1:8080, and the probe the boot script installs run exactly as its timer would,
 * publishing to moto's CloudWatch.
 */
import * as assert from "assert";
import * as http from "http";
import { scriptOf } from "../../compute/userData";
import { named } from "../harness/query";
import { runProgram } from "../../offline/run";
import { awsCli, caddyValidate } from "./support/components";
import { bootedHost, BootedHost, STACKS } from "./support/fixtures";
import { parseEnvFile } from "./support/host";
import { Daemon, portOpen, run } from "./support/process";

function caddyfileOf(script: string): string {
    return /<<'CADDYFILE'\n([\s\S]*?)\nCADDYFILE/.exec(script)![1];
}

/** Stands in for Open WebUI: its /health answer, on 127.0.0.1:8080 only. */
function startOpenWebUiStandIn(): Promise<http.Server> {
    return new Promise((resolve) => {
        const server = http.createServer((req, res) => {
            res.writeHead(req.url === "/health" ? 200 : 404, {
                "content-type": "application/json",
            });
            res.end(req.url === "/health" ? '{"status":true}' : "{}");
        });
        server.listen(8080, "127.0.0.1", () => resolve(server));
    });
}

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

describe("Caddy: every rendered Caddyfile validates", () => {
    for (const stack of STACKS) {
        it(`${stack} (the Elastic IP, Caddy's internal CA)`, async () => {
            const host = await bootedHost(`${stack}-web`);
            const result = await caddyValidate(host.disk.read("/etc/ai-portal/Caddyfile"));
            assert.ok(result.ok, result.output);
        });
    }

    it("with a domain name (a public certificate by ACME)", async () => {
        const program = await runProgram({
            stack: "prod",
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

for (const stack of STACKS) {
    describe(`Caddy live (${stack}): HTTPS in front of Open WebUI, and the health probe as its timer runs it`, () => {
        let host: BootedHost;
        let caddy: Daemon;
        let openWebUi: http.Server | undefined;
        let portalHost: string;
        let probeEnv: Record<string, string>;

        before(async () => {
            host = await bootedHost(`${stack}-web`);
            probeEnv = parseEnvFile(host.disk.read("/etc/ai-portal/health.env"));
            portalHost = probeEnv.PORTAL_HOST;
            openWebUi = await startOpenWebUiStandIn();
            // Caddy reads the Caddyfile where the boot script wrote it, on the host's disk (where its
            // internal CA's files land too).
            caddy = await host.disk.serve(
                "Caddy",
                ["caddy", "run", "--config", "/etc/ai-portal/Caddyfile", "--adapter", "caddyfile"],
                async () => (await portOpen(443)) && (await portOpen(80)),
            );
        });

        after(async () => {
            await caddy?.stop();
            await new Promise((resolve) =>
                openWebUi ? openWebUi.close(resolve) : resolve(undefined),
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

        it("the probe reports 1 while Open WebUI answers through Caddy, 0 once it stops", async () => {
            const up = await probe();
            assert.strictEqual(up.code, 0, up.stderr);
            assert.deepStrictEqual(await healthSamples(stack), { min: 1, max: 1, count: 1 });
            await new Promise((resolve) => openWebUi!.close(resolve));
            openWebUi = undefined;
            const down = await probe();
            assert.strictEqual(down.code, 0, down.stderr);
            assert.deepStrictEqual(await healthSamples(stack), { min: 0, max: 1, count: 2 });
        });
    });
}
