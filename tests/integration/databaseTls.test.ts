/**
 * Open WebUI's database connections, made the ways its releases make them, with exactly the
 * DATABASE_URL, PGVECTOR_DB_URL and container environment the web host's boot script wrote (run on
 * that host's disk, so PGSSLROOTCERT names the file the script placed): every driver must connect
 * over TLS and verify the server, and must refuse a server it cannot verify.
 */
import * as assert from "assert";
import { untrustedCa } from "./support/components";
import {
    bootedHost,
    BootedHost,
    database,
    invokeBootstrap,
    python,
    STACKS,
} from "./support/fixtures";
import { parseEnvFile } from "./support/host";

const DRIVERS = [
    "psycopg2 (DATABASE_URL)",
    "psycopg2 (PGVECTOR_DB_URL)",
    "sqlalchemy+psycopg2 (PGVECTOR_DB_URL)",
    "psycopg 3, async (DATABASE_URL)",
    "asyncpg (DATABASE_URL)",
    "sqlalchemy+asyncpg, async (DATABASE_URL)",
];

/** The container's environment: both env files, as `docker run --env-file` passes them. */
function containerEnv(host: BootedHost): Record<string, string> {
    return {
        ...parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.env")),
        ...parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.secrets.env")),
    };
}

async function connect(
    host: BootedHost,
    env: Record<string, string>,
): Promise<Record<string, { ok: boolean; ssl?: boolean; user?: string; error?: string }>> {
    return python(
        "db_connect.py",
        { DATABASE_URL: env.DATABASE_URL, PGVECTOR_DB_URL: env.PGVECTOR_DB_URL },
        { python: "debian", env, on: host.disk },
    );
}

for (const stack of STACKS) {
    describe(`database URL and TLS (${stack}): Open WebUI's drivers with the rendered settings`, () => {
        let host: BootedHost;
        before(async () => {
            host = await bootedHost(`${stack}-web`);
            await database();
            // As at deploy time: the role exists with the rendered password before the web host boots.
            const bootstrap = await invokeBootstrap(stack);
            assert.strictEqual(bootstrap.result.code, 0, bootstrap.result.stderr);
        });

        it("every driver connects over TLS, as Open WebUI's role, with the server's certificate and name verified", async () => {
            const env = containerEnv(host);
            assert.strictEqual(env.PGSSLMODE, "verify-full");
            const results = await connect(host, env);
            assert.deepStrictEqual(Object.keys(results), DRIVERS);
            for (const driver of DRIVERS) {
                assert.deepStrictEqual(
                    results[driver],
                    { ok: true, ssl: true, user: "openwebui" },
                    `${driver}: ${results[driver].error ?? ""}`,
                );
            }
        });

        it("every driver refuses the same server when its certificate is not from the trusted CA (a man in the middle)", async () => {
            const env = { ...containerEnv(host), PGSSLROOTCERT: (await untrustedCa()).certFile };
            const results = await connect(host, env);
            for (const driver of DRIVERS) {
                assert.strictEqual(
                    results[driver].ok,
                    false,
                    `${driver} connected to a server it could not verify`,
                );
                assert.match(
                    results[driver].error!,
                    /certificate verify failed|CERTIFICATE_VERIFY_FAILED|self[- ]signed|unable to get local issuer/i,
                    driver,
                );
            }
        });
    });
}
