/**
 * `npm run bench:gate`: what the usage gate adds, measured in one run against the local fake
 * gateway: the same requests sent straight to the fake and through the gate (gate/main.ts as its
 * own process, with a throwaway PostgreSQL 15 over verified TLS, as in production), in alternating
 * rounds so both see the same machine.
 *
 * - Added latency: sequential non-streamed chat completions; p50 and p99 of each, and the difference.
 * - Throughput: completed streamed chat completions per second with many clients at once, (a) with
 *   the fake streaming as fast as it can (all CPU: the gate's own cost shows fully) and (b) with
 *   25 ms between events, as a model streams (the gate's cost against a realistic call).
 * Goal (issue #21): p50 added ≤ 2 ms, throughput ≥ 90% of direct.
 *
 * Needs root (PostgreSQL runs as the postgres user) and PostgreSQL 15 (the integration suite
 * installs it: tests/integration/setup/install.sh). Options: --rounds N, --seconds S.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { gateStatements } = require("../../data/bootstrap/handler.js");

const PG_BIN = "/usr/lib/postgresql/15/bin";
const ROOT = path.join(__dirname, "..", "..");
const KEY = crypto.randomBytes(24).toString("hex");
const MODEL = "eu.anthropic.claude-sonnet-4-20250514-v1:0";

const { values: options } = parseArgs({
    options: {
        rounds: { type: "string", default: "5" },
        requests: { type: "string", default: "300" },
        seconds: { type: "string", default: "6" },
    },
});
const ROUNDS = Number(options.rounds);
const REQUESTS = Number(options.requests);
const SECONDS = Number(options.seconds);

const children: ChildProcess[] = [];
function cleanup(): void {
    for (const child of children.reverse()) {
        if (child.exitCode === null) {
            child.kill("SIGTERM");
        }
    }
}
process.on("exit", cleanup);

function sh(command: string, args: string[], input?: string): string {
    const r = spawnSync(command, args, { input, encoding: "utf8" });
    if (r.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
    }
    return r.stdout;
}

const asPostgres = (command: string, args: string[], input?: string) =>
    sh("runuser", ["-u", "postgres", "--", command, ...args], input);

/** PostgreSQL 15, TLS only with a throwaway CA, on a free port; the gate's role and schema as the bootstrap makes them. */
async function startPostgres(
    dir: string,
): Promise<{ port: number; caFile: string; password: string }> {
    if (process.getuid?.() !== 0 || !fs.existsSync(`${PG_BIN}/postgres`)) {
        throw new Error(
            "bench:gate needs root and PostgreSQL 15 (run `npm run test:integration` once: it installs it)",
        );
    }
    fs.mkdirSync(dir, { recursive: true });
    const tls = path.join(dir, "tls");
    fs.mkdirSync(tls);
    const caFile = path.join(tls, "ca.pem");
    const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    sh("openssl", [
        "req",
        "-x509",
        ...key,
        "-keyout",
        `${tls}/ca.key`,
        "-out",
        caFile,
        "-days",
        "1",
        "-subj",
        "/CN=bench CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    sh("openssl", [
        "req",
        ...key,
        "-keyout",
        `${tls}/server.key`,
        "-out",
        `${tls}/server.csr`,
        "-subj",
        "/CN=localhost",
    ]);
    fs.writeFileSync(`${tls}/ext`, "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
    sh("openssl", [
        "x509",
        "-req",
        "-in",
        `${tls}/server.csr`,
        "-CA",
        caFile,
        "-CAkey",
        `${tls}/ca.key`,
        "-CAcreateserial",
        "-out",
        `${tls}/server.pem`,
        "-days",
        "1",
        "-extfile",
        `${tls}/ext`,
    ]);
    sh("chown", ["-R", "postgres:postgres", dir]);
    fs.chmodSync(`${tls}/server.key`, 0o600);
    const data = path.join(dir, "data");
    asPostgres(`${PG_BIN}/initdb`, [
        "-D",
        data,
        "-U",
        "postgres",
        "--auth-local=peer",
        "--auth-host=reject",
        "--no-sync",
    ]);
    const port = 20000 + Math.floor(Math.random() * 20000);
    fs.appendFileSync(
        path.join(data, "postgresql.conf"),
        `listen_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nssl = on\nssl_cert_file = '${tls}/server.pem'\nssl_key_file = '${tls}/server.key'\npassword_encryption = 'scram-sha-256'\n`,
    );
    fs.writeFileSync(
        path.join(data, "pg_hba.conf"),
        "local all postgres peer\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 0.0.0.0/0 reject\n",
    );
    asPostgres(`${PG_BIN}/pg_ctl`, [
        "start",
        "-w",
        "-D",
        data,
        "-l",
        path.join(dir, "postgres.log"),
    ]);
    process.on("exit", () =>
        spawnSync("runuser", [
            "-u",
            "postgres",
            "--",
            `${PG_BIN}/pg_ctl`,
            "stop",
            "-m",
            "immediate",
            "-D",
            data,
        ]),
    );
    const psql = (db: string, sql: string) =>
        asPostgres(`${PG_BIN}/psql`, [
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            dir,
            "-p",
            String(port),
            "-d",
            db,
            "-c",
            sql,
        ]);
    psql("postgres", "CREATE DATABASE aiportal");
    const password = crypto.randomBytes(16).toString("hex");
    for (const statement of gateStatements(
        "usage_gate",
        password,
        "aiportal",
        "usage_gate",
        undefined,
    )) {
        psql("aiportal", statement);
    }
    return { port, caFile, password };
}

function startNode(
    script: string,
    env: NodeJS.ProcessEnv,
    logFile?: string,
): Promise<{ child: ChildProcess; port: number }> {
    // BENCH_PROFILE_DIR: the gate writes a CPU profile there (node --cpu-prof) when it stops.
    const profile =
        process.env.BENCH_PROFILE_DIR && script.startsWith("gate/")
            ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_PROFILE_DIR]
            : [];
    const child = spawn(
        process.execPath,
        [...profile, "-r", "ts-node/register/transpile-only", script],
        {
            cwd: ROOT,
            env: { ...process.env, ...env },
            stdio: ["ignore", "pipe", "inherit"],
        },
    );
    children.push(child);
    const log = logFile ? fs.createWriteStream(logFile) : undefined;
    return new Promise((resolve, reject) => {
        let buffered = "";
        let found = false;
        child.stdout!.on("data", (chunk: Buffer) => {
            log?.write(chunk);
            if (found) {
                return;
            }
            buffered += chunk.toString();
            const m = /"port":(\d+)/.exec(buffered);
            if (m) {
                found = true;
                resolve({ child, port: Number(m[1]) });
            }
        });
        child.on("exit", (code) => !found && reject(new Error(`${script} exited (${code})`)));
    });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(port: number, body: string, person: number): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = http.request(
            {
                host: "127.0.0.1",
                port,
                path: "/api/v1/chat/completions",
                method: "POST",
                agent,
                headers: {
                    "content-type": "application/json",
                    "content-length": Buffer.byteLength(body),
                    authorization: `Bearer ${KEY}`,
                    "x-openwebui-user-id": `bench-${person}`,
                    "x-openwebui-user-email": `bench-${person}@example.com`,
                    "x-openwebui-user-role": "user",
                    "x-openwebui-chat-id": "bench",
                },
            },
            (res) => {
                res.on("data", () => undefined);
                res.on("end", () => resolve(res.statusCode ?? 0));
            },
        );
        req.on("error", reject);
        req.end(body);
    });
}

const chatBody = (extra: Record<string, unknown>) =>
    JSON.stringify({
        model: MODEL,
        messages: [
            {
                role: "system",
                content: "You are a helpful assistant for staff of the organisation.",
            },
            {
                role: "user",
                content:
                    "Summarise our travel policy for a trip to Leeds next week, in three bullet points.",
            },
        ],
        max_tokens: 512,
        ...extra,
    });

/** CPU time a process has used, in ms (/proc/<pid>/stat utime + stime, at 100 ticks a second). */
function cpuMs(pid: number): number {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
}

const percentile = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function latencies(port: number, count: number): Promise<number[]> {
    const body = chatBody({});
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
        const t = process.hrtime.bigint();
        const status = await request(port, body, i % 50);
        out.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (status !== 200) {
            throw new Error(`status ${status}`);
        }
    }
    return out;
}

async function throughput(
    port: number,
    clients: number,
    seconds: number,
    delayMs: number,
): Promise<number> {
    const body = chatBody({ stream: true, fake_delay_ms: delayMs });
    const end = Date.now() + seconds * 1000;
    let done = 0;
    await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
            while (Date.now() < end) {
                if ((await request(port, body, c)) !== 200) {
                    throw new Error("non-200 in throughput run");
                }
                done++;
            }
        }),
    );
    return done / seconds;
}

async function main(): Promise<void> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-gate-"));
    fs.chmodSync(work, 0o755);
    const pg = await startPostgres(path.join(work, "pg"));
    const fake = await startNode("tests/gate/benchFake.ts", { BENCH_API_KEY: KEY });
    const gate = await startNode(
        "gate/main.ts",
        {
            GATE_LISTEN_HOST: "127.0.0.1",
            GATE_LISTEN_PORT: String(20000 + Math.floor(Math.random() * 20000)),
            GATE_UPSTREAM_URL: `http://127.0.0.1:${fake.port}`,
            GATE_API_KEY: KEY,
            GATE_LIMIT_DEFAULT_USD: "1000000",
            GATE_DB_HOST: "localhost",
            GATE_DB_PORT: String(pg.port),
            GATE_DB_NAME: "aiportal",
            GATE_DB_USER: "usage_gate",
            GATE_DB_PASSWORD: pg.password,
            GATE_DB_CA_FILE: pg.caFile,
        },
        path.join(work, "gate.log"),
    );
    const load = () =>
        os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(" ");
    const loadBefore = load();

    // Warm up both paths (connections, JIT, the database's plans).
    await latencies(fake.port, 200);
    await latencies(gate.port, 200);
    const direct: number[] = [];
    const viaGate: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
        direct.push(...(await latencies(fake.port, REQUESTS)));
        viaGate.push(...(await latencies(gate.port, REQUESTS)));
    }
    direct.sort((a, b) => a - b);
    viaGate.sort((a, b) => a - b);

    const runs: {
        name: string;
        clients: number;
        delayMs: number;
        direct: number;
        gate: number;
        gateCpuMsPerCall: number;
        fakeCpuMsPerCall: number;
    }[] = [];
    for (const [name, clients, delayMs] of [
        ["cpu-bound (no pause between events)", 32, 0],
        ["model-like (25 ms between events)", 64, 25],
    ] as const) {
        let d = 0;
        let g = 0;
        let gateCpu = 0;
        let fakeCpu = 0;
        for (let r = 0; r < 2; r++) {
            const fakeBefore = cpuMs(fake.child.pid!);
            d += await throughput(fake.port, clients, SECONDS / 2, delayMs);
            fakeCpu += cpuMs(fake.child.pid!) - fakeBefore;
            const gateBefore = cpuMs(gate.child.pid!);
            g += await throughput(gate.port, clients, SECONDS / 2, delayMs);
            gateCpu += cpuMs(gate.child.pid!) - gateBefore;
        }
        runs.push({
            name,
            clients,
            delayMs,
            direct: d / 2,
            gate: g / 2,
            // Per call served: how much CPU each process spends, whatever else the machine runs.
            gateCpuMsPerCall: gateCpu / ((g / 2) * SECONDS),
            fakeCpuMsPerCall: fakeCpu / ((d / 2) * SECONDS),
        });
    }
    const calls = fs
        .readFileSync(path.join(work, "gate.log"), "utf8")
        .split("\n")
        .filter((l) => l.includes('"usage-gate-call"')).length;

    const ms = (n: number) => n.toFixed(3);
    const p50d = percentile(direct, 50);
    const p50g = percentile(viaGate, 50);
    const p99d = percentile(direct, 99);
    const p99g = percentile(viaGate, 99);
    const result = {
        machine: { cpus: os.cpus().length, loadBefore, loadAfter: load() },
        latencyMs: {
            requests: direct.length,
            direct: { p50: +ms(p50d), p99: +ms(p99d) },
            gate: { p50: +ms(p50g), p99: +ms(p99g) },
            added: { p50: +ms(p50g - p50d), p99: +ms(p99g - p99d) },
            ratio: { p50: +(p50g / p50d).toFixed(2), p99: +(p99g / p99d).toFixed(2) },
        },
        throughputPerSecond: runs.map((r) => ({
            run: r.name,
            clients: r.clients,
            direct: +r.direct.toFixed(1),
            gate: +r.gate.toFixed(1),
            ratio: +(r.gate / r.direct).toFixed(3),
            gateCpuMsPerCall: +r.gateCpuMsPerCall.toFixed(3),
            fakeCpuMsPerCallDirect: +r.fakeCpuMsPerCall.toFixed(3),
        })),
        gateLogLines: calls,
        goal: {
            p50AddedAtMost2ms: p50g - p50d <= 2,
            throughputAtLeast90Percent: Object.fromEntries(
                runs.map((r) => [r.name, r.gate / r.direct >= 0.9]),
            ),
        },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    agent.destroy();
    cleanup();
    await Promise.all(
        children.map((c) => new Promise((r) => (c.exitCode === null ? c.once("exit", r) : r(0)))),
    );
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(0);
}

main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
    cleanup();
    process.exit(1);
});
