/**
 * The load-balanced tier's Redis settings against Redis itself: Debian's redis-server set up as
 * ElastiCache runs with encryption in transit and an auth token (TLS only, AUTH required), its
 * certificate for the endpoint name the program renders, and the token the program generated. The
 * client is redis-py, which Open WebUI uses, given exactly the REDIS_URL and WEBSOCKET_REDIS_URL
 * the prod web host's boot script wrote.
 *
 * The one stand-in: the suite's CA plays Amazon's (SSL_CERT_FILE), which the container's system
 * store would trust for ElastiCache's certificate.
 */
import * as assert from "assert";
import { mapToLoopback, startRedis, trustedCa, untrustedCa } from "./support/components";
import { artefactsOf, bootedHost, BootedHost, python } from "./support/fixtures";
import { parseEnvFile } from "./support/host";

interface Connection {
    readonly ok: boolean;
    readonly ping?: boolean;
    readonly value?: string;
    readonly message?: string;
    readonly error?: string;
}

describe("Redis (prod, loadBalanced): the rendered URLs against a TLS Redis with the generated token", () => {
    let host: BootedHost;
    let secrets: Record<string, string>;
    let caFile: string;
    const connect = (url: string, ca = caFile): Promise<Connection> =>
        python("redis_connect.py", { url }, { python: "debian", env: { SSL_CERT_FILE: ca } });

    before(async () => {
        const { run, secrets: stored } = await artefactsOf("prod");
        const endpoint = String(run.outputs.redisEndpoint);
        mapToLoopback([endpoint]);
        const ca = await trustedCa();
        caFile = ca.certFile;
        await startRedis({
            hostnames: [endpoint],
            password: stored["ai-portal-prod/web/redis"].json.auth_token,
            ca,
        });
        host = await bootedHost("prod-web");
        secrets = parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.secrets.env"));
    });

    it("both URLs are TLS (rediss) to the rendered endpoint with the token from Secrets Manager", async () => {
        const { run, secrets: stored } = await artefactsOf("prod");
        const expected = `rediss://:${stored["ai-portal-prod/web/redis"].json.auth_token}@${run.outputs.redisEndpoint}:6379/0`;
        assert.strictEqual(secrets.REDIS_URL, expected);
        assert.strictEqual(secrets.WEBSOCKET_REDIS_URL, expected);
    });

    it("redis-py connects with them, verifying the certificate and name, and the replicas' operations work", async () => {
        for (const url of [secrets.REDIS_URL, secrets.WEBSOCKET_REDIS_URL]) {
            assert.deepStrictEqual(await connect(url), {
                ok: true,
                ping: true,
                value: "shared by every replica",
                message: "an event for every replica",
            });
        }
    });

    it("refuses a wrong token", async () => {
        const wrong = secrets.REDIS_URL.replace(/:\/\/:[^@]+@/, "://:not-the-token@");
        const result = await connect(wrong);
        assert.strictEqual(result.ok, false);
        assert.match(result.error!, /AuthenticationError|invalid username-password|WRONGPASS/i);
    });

    it("refuses a server whose certificate no trusted CA signed (a man in the middle)", async () => {
        const result = await connect(secrets.REDIS_URL, (await untrustedCa()).certFile);
        assert.strictEqual(result.ok, false);
        assert.match(result.error!, /certificate verify failed|CERTIFICATE_VERIFY_FAILED/i);
    });

    it("offers no plain-text port: the URL without TLS gets no answer", async () => {
        const result = await connect(secrets.REDIS_URL.replace("rediss://", "redis://"));
        assert.strictEqual(result.ok, false);
        assert.match(result.error!, /ConnectionError|Connection reset|Connection closed|Error/);
    });
});
