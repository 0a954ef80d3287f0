/**
 * The load-balanced tier's schema migration exactly as the prod web host's boot script runs it:
 * its recorded `docker run ... python3 /opt/ai-portal/migrate.py` is run in a fake of the Open WebUI
 * image (support/container.ts, from support/upstreamImages.ts): the image's WORKDIR /app/backend
 * holding a stand-in open_webui package (python/fake_open_webui: env.py, config.py migrating with
 * Alembic at import and only logging a failure, as upstream's does), the image's ENV, the host's env
 * files and --env values, the script and the CA mounted where the command mounts them, and no
 * PYTHONPATH. Against the suite's PostgreSQL over verified TLS, as Open WebUI's role. Two
 * containers stand for two hosts booting together; they share one data volume only so that the
 * fake migration's record of when it ran is in one file.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DATABASE_NAME } from "../../data";
import { workDir } from "./support/components";
import { DockerRun, parseDockerRun, runInImage } from "./support/container";
import { bootedHost, BootedHost, database, invokeBootstrap } from "./support/fixtures";
import { PostgresServer } from "./support/components";
import { OPEN_WEBUI_IMAGE } from "./support/upstreamImages";

describe("schema migration (prod, loadBalanced): one host at a time, under the advisory lock", () => {
    let host: BootedHost;
    let postgres: PostgresServer;
    let migrate: DockerRun;
    let runs = 0;

    before(async () => {
        host = await bootedHost("prod-web");
        assert.strictEqual(
            host.first.result.code,
            0,
            `the boot failed:\n${host.first.result.stdout}${host.first.result.stderr}`,
        );
        postgres = await database();
        const bootstrap = await invokeBootstrap("prod");
        assert.strictEqual(bootstrap.result.code, 0, bootstrap.result.stderr);
        const calls = host.first.dockerArgv.filter((argv) =>
            argv.join(" ").startsWith("run --rm --name open-webui-migrate "),
        );
        assert.strictEqual(calls.length, 1, host.first.calls.join("\n"));
        migrate = parseDockerRun(calls[0]);
    });

    /** A fresh database (no schema of the fake's) and a fresh shared data volume. */
    async function freshStart(): Promise<{ data: string; log: () => string[][] }> {
        await postgres.superuserSql(
            DATABASE_NAME,
            "DROP TABLE IF EXISTS fake_open_webui_schema, alembic_version",
        );
        runs += 1;
        const data = workDir("migration", `data-${runs}`);
        return {
            data,
            log: () => {
                const file = path.join(data, "fake-migrations.log");
                return fs.existsSync(file)
                    ? fs
                          .readFileSync(file, "utf8")
                          .trim()
                          .split("\n")
                          .map((line) => line.split(" "))
                    : [];
            },
        };
    }

    const twoHosts = (data: string, command?: readonly string[]) =>
        Promise.all(
            [0, 1].map(() =>
                runInImage(OPEN_WEBUI_IMAGE, migrate, host.disk, {
                    volumes: { "open-webui-data": data },
                    command,
                }),
            ),
        );

    it("two hosts migrating at once: one migrates, the other waits and finds nothing to do; both succeed", async () => {
        const { data, log } = await freshStart();
        const results = await twoHosts(data);
        for (const result of results) {
            assert.strictEqual(result.code, 0, result.stdout + result.stderr);
            assert.match(result.stdout, /Open WebUI's schema is up to date/);
            assert.doesNotMatch(result.stdout + result.stderr, /Error running migrations/);
        }
        assert.deepStrictEqual(
            log().map(([event]) => event),
            ["start", "end"],
            "the migration ran once",
        );
        assert.strictEqual(
            (
                await postgres.superuserSql(
                    DATABASE_NAME,
                    "SELECT version_num FROM alembic_version",
                )
            ).trim(),
            "a1b2c3d4e5f6",
        );
    });

    it("and the lock is really what serialises them: without it, one host's migration fails (and upstream only logs that)", async () => {
        const { data, log } = await freshStart();
        // What each container would do without migrate.py: import Open WebUI's config where the
        // image's own process imports it (the WORKDIR), migrations on.
        const results = await twoHosts(data, ["python3", "-c", "import open_webui.config"]);
        assert.deepStrictEqual(
            results.map((r) => r.code),
            [0, 0],
            "upstream's import succeeds even when its migration failed",
        );
        assert.strictEqual(
            results.filter((r) => /Error running migrations/.test(r.stderr)).length,
            1,
            results.map((r) => r.stderr).join("\n---\n"),
        );
        assert.deepStrictEqual(
            log().map(([event]) => event),
            ["start", "end"],
        );
    });

    it("a migration that fails stops the boot: migrate.py exits non-zero with where the schema is", async () => {
        await freshStart();
        // A table in the way of the migration's CREATE TABLE: the upgrade fails, upstream logs it.
        await postgres.superuserSql(
            DATABASE_NAME,
            "CREATE TABLE fake_open_webui_schema (id integer)",
        );
        try {
            const result = await runInImage(OPEN_WEBUI_IMAGE, migrate, host.disk, {
                volumes: { "open-webui-data": workDir("migration", "data-failing") },
            });
            assert.strictEqual(result.code, 1, result.stdout + result.stderr);
            assert.match(result.stderr, /Error running migrations/);
            assert.match(
                result.stderr,
                /ai-portal: Open WebUI's schema is at no revision, not at its migrations' head \['a1b2c3d4e5f6'\]/,
            );
            assert.doesNotMatch(result.stdout, /up to date/);
        } finally {
            await postgres.superuserSql(
                DATABASE_NAME,
                "DROP TABLE IF EXISTS fake_open_webui_schema, alembic_version",
            );
        }
    });
});
