/**
 * The usage gate (gate/) between a client and a fake of the Bedrock Access Gateway
 * (tests/gate/fakeGateway.ts), against real components: PostgreSQL 15 with TLS (verified, by the
 * name the program renders for the database) and the role and schema the packaged role bootstrap
 * creates from the gate's own secret (as a deploy runs it), and Samba as the directory for group limits (in-chain membership, with the portal's
 * bind account). Cases: usage recorded exactly, streamed and not; the limit under 50 concurrent
 * streams of one person; a PostgreSQL stop and start mid-stream loses no record; the 429 body;
 * headers without the API key ignored; a group override beats the default.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { AddressInfo } from "net";
import postgres from "postgres";
import {
    CachedGroupLookup,
    LdapGroupLookup,
    LdapOptions,
    missingGroups,
} from "../../gate/directory";
import { Recorder } from "../../gate/recorder";
import { createGate, Gate } from "../../gate/server";
import { PgUsageStore } from "../../gate/store";
import { DATABASE_NAME, MASTER_USERNAME } from "../../data";
import { DEFAULT_SCRIPT, FakeGateway, startFakeGateway } from "../gate/fakeGateway";
import { trustedCa, workDir } from "./support/components";
import {
    artefactsOf,
    database,
    directory,
    invokeBootstrap,
    NESTED_GROUP,
    PEOPLE,
} from "./support/fixtures";
import { MASTER_PASSWORD } from "./support/portal";
import { runOk } from "./support/process";
import { named } from "../harness/query";

const KEY = "integration-gateway-key-4f1c";
const GATE_ROLE = "usage_gate";
const SCHEMA = "usage_gate";
const SONNET = "eu.anthropic.claude-sonnet-4-20250514-v1:0";
/** Default limit per person, and the portal group's override (which bob has through a nested group). */
const DEFAULT_USD = 0.05;
const PORTAL_GROUP_USD = 0.02;
/** 40 tokens in at $3/M, 300 out at $15/M. */
const SCRIPT = { ...DEFAULT_SCRIPT, inputTokens: 40, outputTokens: 300 };
const CALL_NANO = 40 * 3000 + 300 * 15000;
const PG_BIN = "/usr/lib/postgresql/15/bin";

interface Reply {
    readonly status: number;
    readonly body: string;
}

function post(port: number, body: unknown, headers: Record<string, string>): Promise<Reply> {
    return new Promise((resolve, reject) => {
        const req = http.request(
            {
                host: "127.0.0.1",
                port,
                path: "/api/v1/chat/completions",
                method: "POST",
                headers: { "content-type": "application/json", ...headers },
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () =>
                    resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }),
                );
            },
        );
        req.on("error", reject);
        req.end(JSON.stringify(body));
    });
}

/** What Open WebUI sends for a person (their user principal name is their e-mail there). */
function asPerson(id: string, email: string): Record<string, string> {
    return {
        authorization: `Bearer ${KEY}`,
        "x-openwebui-user-id": id,
        "x-openwebui-user-email": email,
        "x-openwebui-user-role": "user",
        "x-openwebui-chat-id": `chat-${id}`,
    };
}

const chat = (extra: Record<string, unknown> = {}) => ({
    model: SONNET,
    messages: [{ role: "user", content: "How do I reset my password?" }],
    max_tokens: 300,
    ...extra,
});

describe("usage gate: against PostgreSQL (TLS, its own role and schema) and Samba", function () {
    this.timeout(120_000);
    let fake: FakeGateway;
    let gate: Gate;
    let gatePort: number;
    let store: PgUsageStore;
    let recorder: Recorder;
    let master: postgres.Sql;
    let dbHost: string;
    let domain: string;
    let ldapOptions: LdapOptions;
    let gatePassword: string;
    const lines: any[] = [];

    before(async () => {
        const [pg, , artefacts, ca] = await Promise.all([
            database(),
            directory(),
            artefactsOf("dev"),
            trustedCa(),
        ]);
        dbHost = artefacts.dbAddress;
        domain = artefacts.directoryDomain;
        const caPem = fs.readFileSync(ca.certFile, "utf8");
        master = postgres({
            host: dbHost,
            port: pg.port,
            database: DATABASE_NAME,
            username: MASTER_USERNAME,
            password: MASTER_PASSWORD,
            ssl: { ca: caPem, rejectUnauthorized: true, servername: dbHost },
            max: 1,
            onnotice: () => undefined,
        });
        // The gate's role and schema as a deploy makes them: the packaged role bootstrap, run
        // with the stack's rendered invocation, from the gate's own secret.
        const invocation = await invokeBootstrap("dev");
        assert.strictEqual(invocation.result.code, 0, invocation.result.stderr);
        assert.strictEqual(invocation.returned.gateRole, GATE_ROLE);
        assert.strictEqual(invocation.returned.gateSchema, SCHEMA);
        const gateSecret = artefacts.secrets["ai-portal-dev/database/usage-gate"].json;
        assert.deepStrictEqual([gateSecret.username, gateSecret.schema], [GATE_ROLE, SCHEMA]);
        gatePassword = gateSecret.password;

        store = new PgUsageStore({
            host: dbHost,
            port: pg.port,
            database: DATABASE_NAME,
            username: GATE_ROLE,
            password: gatePassword,
            ca: caPem,
            schema: SCHEMA,
            max: 4,
        });
        await store.migrate();
        recorder = new Recorder(store, {
            concurrency: 2,
            batch: 50,
            firstPauseMs: 100,
            maxPauseMs: 500,
            maxBacklog: 10_000,
            onError: () => undefined,
            onDrop: () => assert.fail("no record may be dropped"),
        });

        const bind = artefacts.secrets["ai-portal-dev/directory/openwebui-bind"].json;
        const portalGroup = named(artefacts.run, "command:local:Command", "portal-group-group")
            .inputs.environment.GROUP_NAME as string;
        const domainDn = domain
            .split(".")
            .map((p) => `DC=${p}`)
            .join(",");
        ldapOptions = {
            url: "ldap://127.0.0.1:389",
            bindDn: bind.username,
            bindPassword: bind.password,
            userBase: `OU=Users,OU=${artefacts.run.outputs.directoryShortName},${domainDn}`,
            groupBase: domainDn,
            userAttribute: "userPrincipalName",
            groups: [portalGroup],
            timeoutMs: 5000,
        };
        fake = await startFakeGateway(KEY);
        fake.script = SCRIPT;
        gate = createGate({
            upstream: new URL(fake.url),
            apiKey: KEY,
            policy: { defaultUsd: DEFAULT_USD, byGroup: { [portalGroup]: PORTAL_GROUP_USD } },
            failMode: "open",
            store,
            recorder,
            groups: new CachedGroupLookup(new LdapGroupLookup(ldapOptions), 300_000, (e) =>
                assert.fail(`directory lookup failed: ${e}`),
            ),
            modelAliases: {},
            reserveOutputTokens: 4096,
            // Every call reads the database here, so each case sees exactly what is stored.
            spendCacheMs: 0,
            log: (line) => lines.push(JSON.parse(line)),
        });
        await new Promise<void>((r) => gate.server.listen(0, "127.0.0.1", r));
        gatePort = (gate.server.address() as AddressInfo).port;
    });

    after(async () => {
        gate?.server.closeAllConnections();
        await new Promise((r) => (gate ? gate.server.close(r) : r(undefined)));
        recorder?.stop();
        await store?.close();
        await fake?.close();
        await master?.end({ timeout: 2 });
    });

    beforeEach(() => {
        fake.script = SCRIPT;
    });

    const upn = (sam: string) => `${sam}@${domain}`;
    const monthly = async (person: string): Promise<number> => {
        const [row] = await master.unsafe(
            `select cost_nanousd::text as c from ${SCHEMA}.usage_monthly where person = $1`,
            [person],
        );
        return row ? Number(row.c) : 0;
    };

    it("connects as its own role over verified TLS, and Open WebUI's role cannot read its schema", async () => {
        const [row] = await master
            .unsafe(
                `select n.nspowner::regrole::text as owner,
                    has_schema_privilege('openwebui', n.oid, 'USAGE') as openwebui
             from pg_namespace n where n.nspname = $1`,
                [SCHEMA],
            )
            .catch(async () =>
                // Open WebUI's role exists only once the bootstrap ran for it; without it, ownership alone.
                master.unsafe(
                    `select n.nspowner::regrole::text as owner, false as openwebui from pg_namespace n where n.nspname = $1`,
                    [SCHEMA],
                ),
            );
        assert.deepStrictEqual([row.owner, row.openwebui], [GATE_ROLE, false]);
        const [ssl] = await master.unsafe(
            "select count(*)::int as n from pg_stat_ssl s join pg_stat_activity a using (pid) where a.usename = $1 and s.ssl",
            [GATE_ROLE],
        );
        assert.ok(ssl.n >= 1, "the gate's connections use TLS");
    });

    it("records usage exactly, streamed and not, per person, model and day", async () => {
        const who = asPerson("it-alice", upn(PEOPLE.withMail.samAccountName));
        const plain = await post(gatePort, chat(), who);
        const streamed = await post(gatePort, chat({ stream: true }), who);
        assert.deepStrictEqual([plain.status, streamed.status], [200, 200]);
        assert.ok(
            !streamed.body.includes('"usage"'),
            "the usage chunk the client did not ask for is removed",
        );
        assert.strictEqual(await recorder.flush(10_000), true);
        const rows = await master.unsafe(
            `select person, email, model, day::text, calls::int, input_tokens::int, output_tokens::int, cost_nanousd::text
             from ${SCHEMA}.usage_daily where person = 'it-alice'`,
        );
        const today = new Date().toISOString().slice(0, 10);
        assert.deepStrictEqual(
            rows.map((r) => ({ ...r })),
            [
                {
                    person: "it-alice",
                    email: upn("alice"),
                    model: SONNET,
                    day: today,
                    calls: 2,
                    input_tokens: 80,
                    output_tokens: 600,
                    cost_nanousd: String(2 * CALL_NANO),
                },
            ],
        );
        assert.strictEqual(await monthly("it-alice"), 2 * CALL_NANO);
    });

    it("finds which limited groups the directory lacks (logged at start)", async () => {
        const missing = await missingGroups({
            ...ldapOptions,
            groups: [...ldapOptions.groups, NESTED_GROUP, "Portal Pilotz"],
        });
        assert.deepStrictEqual(missing, ["Portal Pilotz"]);
    });

    it("ignores the user headers on a request without the API key", async () => {
        const who = { ...asPerson("it-mallory", upn("mallory")), authorization: "Bearer guessed" };
        const reply = await post(gatePort, chat(), who);
        assert.deepStrictEqual(
            [reply.status, JSON.parse(reply.body)],
            [401, { detail: "Invalid API Key" }],
        );
        await recorder.flush(10_000);
        const [row] = await master.unsafe(
            `select count(*)::int as n from ${SCHEMA}.usage_call where person = 'it-mallory'`,
        );
        assert.strictEqual(row.n, 0);
    });

    it("applies a group's override (through a nested group) before the default, with a 429 naming it", async () => {
        // Both have spent $0.03: over the portal group's $0.02, under the default $0.05.
        for (const person of ["it-bob", "it-grace"]) {
            await master.unsafe(
                `insert into ${SCHEMA}.usage_monthly (person, month, cost_nanousd) values ($1, date_trunc('month', now() at time zone 'utc')::date, 30000000)`,
                [person],
            );
        }
        // bob is in the portal group only through NESTED_GROUP; grace is in no group.
        assert.ok(NESTED_GROUP);
        const bob = await post(
            gatePort,
            chat(),
            asPerson("it-bob", upn(PEOPLE.withoutMail.samAccountName)),
        );
        const grace = await post(
            gatePort,
            chat(),
            asPerson("it-grace", upn(PEOPLE.notInGroup.samAccountName)),
        );
        assert.strictEqual(grace.status, 200);
        assert.strictEqual(bob.status, 429);
        const now = new Date();
        const resets = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
            .toISOString()
            .slice(0, 10);
        const portalGroup = lines.find((l) => l.person === "it-bob").Group;
        assert.deepStrictEqual(JSON.parse(bob.body), {
            error: {
                message: `Usage limit reached: you have used $0.03 of $0.02, the monthly limit of the group ${portalGroup}, this month. It resets on ${resets} at 00:00 UTC.`,
                type: "usage_limit_exceeded",
                code: "monthly_usage_limit",
            },
        });
        assert.notStrictEqual(portalGroup, "default");
    });

    it("holds the limit under 50 concurrent streams of one person: overshoot at most one call", async () => {
        let release!: () => void;
        fake.script = { ...SCRIPT, hold: new Promise<void>((r) => (release = r)) };
        // Someone the directory does not know: the default limit.
        const who = asPerson("it-erin", `not-in-directory@${domain}`);
        const before = fake.received.length;
        // Each reserves its bytes at the input price and max_tokens at the output price; 10 fit in $0.05.
        const bodyBytes = Buffer.byteLength(JSON.stringify(chat({ stream: true })));
        const reservation = bodyBytes * 3000 + 300 * 15000;
        const fit = Math.floor((DEFAULT_USD * 1e9) / reservation);
        let refused = 0;
        const replies = Array.from({ length: 50 }, () =>
            post(gatePort, chat({ stream: true }), who).then((r) => {
                refused += r.status === 429 ? 1 : 0;
                return r;
            }),
        );
        // Every call is decided while the admitted ones are still streaming (held upstream).
        for (
            let i = 0;
            i < 500 && (fake.received.length - before < fit || refused < 50 - fit);
            i++
        ) {
            await new Promise((r) => setTimeout(r, 20));
        }
        assert.deepStrictEqual([fake.received.length - before, refused], [fit, 50 - fit]);
        release();
        const statuses = (await Promise.all(replies)).map((r) => r.status);
        const admitted = statuses.filter((s) => s === 200).length;
        assert.strictEqual(admitted, fit);
        assert.strictEqual(fit, 10);
        assert.strictEqual(statuses.filter((s) => s === 429).length, 50 - admitted);
        await recorder.flush(10_000);
        assert.strictEqual(await monthly("it-erin"), admitted * CALL_NANO);
        // Then one at a time until refused: the last admitted call may cross the limit, no more.
        let calls = 0;
        while ((await post(gatePort, chat(), who)).status === 200) {
            calls++;
            await recorder.flush(10_000);
            assert.ok(calls < 20);
        }
        const spent = await monthly("it-erin");
        assert.ok(spent >= DEFAULT_USD * 1e9, `${spent}`);
        assert.ok(
            spent < DEFAULT_USD * 1e9 + CALL_NANO,
            `overshoot ${spent - DEFAULT_USD * 1e9} n$`,
        );
    });

    it("loses no record when PostgreSQL stops mid-stream and comes back", async () => {
        const dataDir = path.join(workDir("postgres"), "data");
        const asPostgres = (args: string[]) =>
            runOk("runuser", ["-u", "postgres", "--", `${PG_BIN}/pg_ctl`, ...args, "-D", dataDir], {
                timeoutMs: 60_000,
            });
        let release!: () => void;
        fake.script = { ...SCRIPT, hold: new Promise<void>((r) => (release = r)) };
        const who = asPerson("it-judy", upn("judy"));
        const pending = post(gatePort, chat({ stream: true }), who);
        while (!fake.received.some((r) => r.headers["x-openwebui-user-id"] === "it-judy")) {
            await new Promise((r) => setTimeout(r, 20));
        }
        await master.end({ timeout: 1 });
        await asPostgres(["stop", "-m", "fast", "-w"]);
        release();
        const reply = await pending;
        assert.strictEqual(reply.status, 200);
        assert.ok(reply.body.endsWith("data: [DONE]\n\n"));
        // While the database is away: the record waits, and still counts for the person's month.
        await new Promise((r) => setTimeout(r, 300));
        assert.strictEqual(recorder.backlog, 1);
        const month = new Date().toISOString().slice(0, 7) + "-01";
        assert.strictEqual(recorder.unflushedNanoUsd("it-judy", month), CALL_NANO);
        // A call meanwhile fails open, and is counted.
        const failOpenBefore = gate.stats.failOpen;
        fake.script = SCRIPT;
        assert.strictEqual((await post(gatePort, chat(), who)).status, 200);
        assert.strictEqual(gate.stats.failOpen, failOpenBefore + 1);
        await asPostgres([
            "start",
            "-w",
            "-l",
            path.join(workDir("postgres"), "postgres-restarted.log"),
        ]);
        assert.strictEqual(await recorder.flush(30_000), true);
        master = postgres({
            host: dbHost,
            port: 5432,
            database: DATABASE_NAME,
            username: MASTER_USERNAME,
            password: MASTER_PASSWORD,
            ssl: {
                ca: fs.readFileSync((await trustedCa()).certFile, "utf8"),
                rejectUnauthorized: true,
                servername: dbHost,
            },
            max: 1,
            onnotice: () => undefined,
        });
        const [row] = await master.unsafe(
            `select count(*)::int as calls, sum(cost_nanousd)::text as cost from ${SCHEMA}.usage_call where person = 'it-judy'`,
        );
        assert.deepStrictEqual({ ...row }, { calls: 2, cost: String(2 * CALL_NANO) });
        assert.strictEqual(await monthly("it-judy"), 2 * CALL_NANO);
    });
});
