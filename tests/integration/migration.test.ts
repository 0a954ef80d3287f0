/**
 * The load-balanced tier's schema migration (templates/migrate.py as the prod web host's boot
 * script wrote it), run as the one-off container runs it: with the host's env files, against the
 * suite's PostgreSQL over verified TLS, as Open WebUI's role. Two processes stand for two hosts
 * (they read the script and the CA from the host's disk; a disk is mounted by one process at a time). Two hosts booting together must
 * migrate one after the other. Open WebUI's own module is replaced by one that records when its
 * "migration" runs (upstream migrates when open_webui.config is imported).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { workDir } from "./support/components";
import { bootedHost, BootedHost, database, invokeBootstrap } from "./support/fixtures";
import { parseEnvFile } from "./support/host";
import { run } from "./support/process";

const FAKE_OPEN_WEBUI = path.join(__dirname, "python", "fake_open_webui");

/** Runs Debian's python3 as one host's migration container would, the CA where the host keeps it. */
function migrateAsAHost(host: BootedHost, env: Record<string, string>, args: string[]) {
    return run("/usr/bin/python3", args, {
        env: {
            PATH: "/usr/bin:/bin",
            LANG: "C.UTF-8",
            ...env,
            PGSSLROOTCERT: host.disk.file(env.PGSSLROOTCERT),
        },
        timeoutMs: 60_000,
    });
}

describe("schema migration (prod, loadBalanced): one host at a time, under the advisory lock", () => {
    let host: BootedHost;
    before(async () => {
        host = await bootedHost("prod-web");
        await database();
        const bootstrap = await invokeBootstrap("prod");
        assert.strictEqual(bootstrap.result.code, 0, bootstrap.result.stderr);
    });

    it("two hosts migrating at once take turns, and both succeed", async () => {
        const log = path.join(workDir("migration"), "migrations.log");
        fs.writeFileSync(log, "");
        const env = {
            ...parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.env")),
            ...parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.secrets.env")),
            ENABLE_DB_MIGRATIONS: "true",
            PYTHONPATH: FAKE_OPEN_WEBUI,
            MIGRATION_LOG: log,
        };
        const [a, b] = await Promise.all(
            [0, 1].map(() =>
                migrateAsAHost(host, env, [host.disk.file("/etc/ai-portal/migrate.py")]),
            ),
        );
        for (const result of [a, b]) {
            assert.strictEqual(result.code, 0, result.stdout + result.stderr);
            assert.match(result.stdout, /Open WebUI's schema is up to date/);
        }
        const events = fs
            .readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((line) => line.split(" "));
        assert.deepStrictEqual(
            events.map(([what]) => what),
            ["start", "end", "start", "end"],
            "the second migration started only after the first ended",
        );
        assert.strictEqual(events[0][1], events[1][1], "one process's start and end");
        assert.notStrictEqual(events[0][1], events[2][1], "then the other's");
    });

    it("and the lock is really what serialises them: without it they overlap", async () => {
        const log = path.join(workDir("migration"), "unlocked.log");
        fs.writeFileSync(log, "");
        const env = {
            ...parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.env")),
            PYTHONPATH: FAKE_OPEN_WEBUI,
            MIGRATION_LOG: log,
        };
        await Promise.all(
            [0, 1].map(() => migrateAsAHost(host, env, ["-c", "import open_webui.config"])),
        );
        const order = fs
            .readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((line) => line.split(" ")[0]);
        assert.deepStrictEqual(order, ["start", "start", "end", "end"]);
    });
});
