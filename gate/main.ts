/**
 * The usage gate's process: reads its settings (gate/env.ts), creates its tables, listens, and on
 * SIGTERM stops taking calls and stores what it still holds before it exits.
 */
import * as fs from "fs";
import { CachedGroupLookup, GroupLookup, LdapGroupLookup, missingGroups } from "./directory";
import { readSettings } from "./env";
import { LineWriter } from "./log";
import { Recorder } from "./recorder";
import { createGate } from "./server";
import { PgUsageStore } from "./store";

const out = new LineWriter(1);
const logLine = (event: string, fields: Record<string, unknown>) =>
    out.write(JSON.stringify({ event, ...fields }));

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<void> {
    const s = readSettings(process.env);
    const store = new PgUsageStore({
        ...s.db,
        ca: fs.readFileSync(s.db.caFile, "utf8"),
        max: 8,
    });
    // The database may not be there yet (or be restarting): the gate serves anyway, per its fail mode.
    await store
        .migrate()
        .catch((error) => logLine("usage-gate-migrate-failed", { error: errorText(error) }));
    const recorder = new Recorder(store, {
        concurrency: 2,
        batch: 200,
        firstPauseMs: 250,
        maxPauseMs: 5000,
        maxBacklog: 100_000,
        onError: (error, backlog) =>
            logLine("usage-gate-record-retry", { error: errorText(error), backlog }),
        onDrop: (record) => logLine("usage-gate-record-dropped", { callId: record.callId }),
    });
    const ldap = s.ldap && {
        ...s.ldap,
        groups: Object.keys(s.policy.byGroup),
        timeoutMs: 3000,
    };
    if (ldap) {
        // Told once at start (the config cannot know the directory's groups): a limit for a
        // group that does not exist applies to nobody.
        missingGroups(ldap).then(
            (missing) => missing.forEach((group) => logLine("usage-gate-unknown-group", { group })),
            (error) => logLine("usage-gate-directory-error", { error: errorText(error) }),
        );
    }
    const groups: GroupLookup = ldap
        ? new CachedGroupLookup(new LdapGroupLookup(ldap), s.ldap.cacheSeconds * 1000, (error) =>
              logLine("usage-gate-directory-error", { error: errorText(error) }),
          )
        : { groupsOf: async () => [] };
    const { server } = createGate({
        ...s,
        store,
        recorder,
        groups,
        log: (line) => out.write(line),
    });
    server.listen(s.listenPort, s.listenHost, () =>
        logLine("usage-gate-listening", { port: s.listenPort, failMode: s.failMode }),
    );
    const stop = async () => {
        server.close();
        server.closeIdleConnections();
        const stored = await recorder.flush(10_000);
        logLine("usage-gate-stopped", { stored, backlog: recorder.backlog });
        recorder.stop();
        await store.close().catch(() => undefined);
        await out.drain();
        process.exit(0);
    };
    process.once("SIGTERM", () => void stop());
    process.once("SIGINT", () => void stop());
}

main().catch((error) => {
    process.stderr.write(`${errorText(error)}\n`);
    process.exit(1);
});
