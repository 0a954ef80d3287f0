/**
 * The gate as a process sees it: real HTTP to the fake gateway (tests/gate/fakeGateway.ts), with a
 * store in memory (the PostgreSQL store is exercised by the integration suite).
 */
import * as assert from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { Recorder } from "../../gate/recorder";
import { createGate, Gate } from "../../gate/server";
import { UsageRecord, UsageStore } from "../../gate/store";
import { DEFAULT_SCRIPT, FakeGateway, startFakeGateway } from "./fakeGateway";

const KEY = "gateway-key-0123456789";
const SONNET = "eu.anthropic.claude-sonnet-4-20250514-v1:0";
// DEFAULT_SCRIPT: 1200 in, 300 out at $3/$15 per million.
const CALL_NANO = 8_100_000;

class MemoryStore implements UsageStore {
    records: UsageRecord[] = [];
    down = false;
    spent = new Map<string, number>();
    reads = 0;
    /** When set, a read answers what was stored when it started, once this resolves. */
    slowRead?: Promise<void>;
    async monthSpendNanoUsd(person: string, month: string): Promise<number> {
        this.reads++;
        if (this.down) {
            throw new Error("ECONNREFUSED");
        }
        const value = (this.spent.get(`${person}/${month}`) ?? 0) + this.recorded(person, month);
        await this.slowRead;
        return value;
    }
    recorded(person: string, month: string): number {
        return this.records
            .filter((r) => r.person === person && r.month === month)
            .reduce((s, r) => s + r.costNanoUsd, 0);
    }
    async record(records: readonly UsageRecord[]): Promise<void> {
        if (this.down) {
            throw new Error("ECONNREFUSED");
        }
        this.records.push(...records);
    }
    async close(): Promise<void> {}
}

interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
    /** Milliseconds from the request to each chunk. */
    chunkTimes: number[];
}

function call(
    port: number,
    path: string,
    body: unknown,
    headers: Record<string, string>,
): Promise<Reply> {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
        const req = http.request(
            {
                host: "127.0.0.1",
                port,
                path,
                method: body === undefined ? "GET" : "POST",
                headers: { "content-type": "application/json", ...headers },
            },
            (res) => {
                const chunks: Buffer[] = [];
                const chunkTimes: number[] = [];
                res.on("data", (c: Buffer) => {
                    chunks.push(c);
                    chunkTimes.push(Date.now() - t0);
                });
                res.on("end", () =>
                    resolve({
                        status: res.statusCode!,
                        headers: res.headers,
                        body: Buffer.concat(chunks).toString("utf8"),
                        chunkTimes,
                    }),
                );
            },
        );
        req.on("error", reject);
        req.end(body === undefined ? undefined : text);
    });
}

const person = (id: string, email = `${id}@example.com`) => ({
    authorization: `Bearer ${KEY}`,
    "x-openwebui-user-id": id,
    "x-openwebui-user-email": email,
    "x-openwebui-user-role": "user",
    "x-openwebui-chat-id": "chat-1",
});

describe("gate: proxy", function () {
    this.timeout(20_000);
    let fake: FakeGateway;
    let gate: Gate;
    let port: number;
    let store: MemoryStore;
    let recorder: Recorder;
    let lines: any[];
    let failMode: "open" | "closed";
    let groups: Record<string, string[]>;

    before(async () => {
        fake = await startFakeGateway(KEY);
    });
    after(async () => {
        await fake.close();
    });

    async function startGate(mode: "open" | "closed" = "open", spendCacheMs = 2000): Promise<void> {
        failMode = mode;
        gate = createGate({
            upstream: new URL(fake.url),
            apiKey: KEY,
            policy: { defaultUsd: 1, byGroup: { Interns: 0.02 } },
            failMode,
            store,
            recorder,
            groups: { groupsOf: async (email) => groups[email] ?? [] },
            modelAliases: {},
            reserveOutputTokens: 4096,
            spendCacheMs,
            log: (line) => lines.push(JSON.parse(line)),
            now: () => new Date("2026-12-06T12:00:00Z"),
        });
        await new Promise<void>((r) => gate.server.listen(0, "127.0.0.1", r));
        port = (gate.server.address() as AddressInfo).port;
    }

    beforeEach(async () => {
        fake.script = DEFAULT_SCRIPT;
        fake.received.length = 0;
        store = new MemoryStore();
        recorder = new Recorder(store, {
            concurrency: 2,
            batch: 10,
            firstPauseMs: 5,
            maxPauseMs: 20,
            maxBacklog: 1000,
            onError: () => undefined,
            onDrop: () => undefined,
        });
        lines = [];
        groups = {};
        await startGate();
    });
    afterEach(async () => {
        recorder.stop();
        gate.server.closeAllConnections();
        await new Promise((r) => gate.server.close(r));
    });

    const chat = (extra: Record<string, unknown> = {}) => ({
        model: SONNET,
        messages: [{ role: "user", content: "Hello" }],
        ...extra,
    });

    it("records a non-streamed call and passes the reply through byte for byte", async () => {
        const direct = await call(fake.port, "/api/v1/chat/completions", chat(), person("u1"));
        const via = await call(port, "/api/v1/chat/completions", chat(), person("u1"));
        assert.strictEqual(via.status, 200);
        // Same bytes but the id (a counter) and created (seconds).
        const norm = (s: string) =>
            s.replace(/chatcmpl-[0-9a-f]+/, "ID").replace(/"created":\d+/, "");
        assert.strictEqual(norm(via.body), norm(direct.body));
        assert.strictEqual(await recorder.flush(1000), true);
        assert.deepStrictEqual(
            store.records.map((r) => [
                r.person,
                r.email,
                r.model,
                r.day,
                r.month,
                r.inputTokens,
                r.outputTokens,
                r.costNanoUsd,
            ]),
            [["u1", "u1@example.com", SONNET, "2026-12-06", "2026-12-01", 1200, 300, CALL_NANO]],
        );
        // The request went upstream unchanged.
        assert.deepStrictEqual(JSON.parse(fake.received[1].body), chat());
        assert.strictEqual(lines.length, 1);
        assert.deepStrictEqual(
            [lines[0].outcome, lines[0].CostUsd, lines[0].Group, lines[0].person, lines[0].chatId],
            ["completed", 0.0081, "default", "u1", "chat-1"],
        );
    });

    it("streams chunks as they arrive, asks upstream for usage and removes it for a client that did not ask", async () => {
        fake.script = { ...DEFAULT_SCRIPT, delayMs: 60 };
        const reply = await call(
            port,
            "/api/v1/chat/completions",
            chat({ stream: true }),
            person("u1"),
        );
        assert.strictEqual(reply.status, 200);
        const sent = JSON.parse(fake.received[0].body);
        assert.deepStrictEqual(sent.stream_options, { include_usage: true });
        const events = reply.body.split("\n\n").filter(Boolean);
        assert.strictEqual(events.length, 1 + 5 + 1 + 1, reply.body);
        assert.ok(!reply.body.includes('"usage"'), "no usage chunk for this client");
        assert.strictEqual(events.at(-1), "data: [DONE]");
        // Not buffered: the chunks came spread over the stream's ~360 ms, not all at its end.
        assert.ok(reply.chunkTimes.length >= 6, `${reply.chunkTimes.length} chunks`);
        assert.ok(
            reply.chunkTimes[0] < reply.chunkTimes.at(-1)! - 200,
            JSON.stringify(reply.chunkTimes),
        );
        await recorder.flush(1000);
        assert.deepStrictEqual(
            store.records.map((r) => r.costNanoUsd),
            [CALL_NANO],
        );
    });

    it("keeps the usage chunk for a client that asked for it, request unchanged", async () => {
        const request = chat({ stream: true, stream_options: { include_usage: true } });
        const reply = await call(port, "/api/v1/chat/completions", request, person("u1"));
        assert.strictEqual(fake.received[0].body, JSON.stringify(request));
        const usageEvent = reply.body.split("\n\n").find((e) => e.includes('"usage"'));
        assert.deepStrictEqual(JSON.parse(usageEvent!.slice(6)).usage, {
            prompt_tokens: 1200,
            completion_tokens: 300,
            total_tokens: 1500,
        });
    });

    it("passes tool calls through, streamed and not", async () => {
        fake.script = {
            ...DEFAULT_SCRIPT,
            toolCall: { name: "get_weather", argumentPieces: ['{"city"', ': "Leeds"}'] },
        };
        const plain = await call(port, "/api/v1/chat/completions", chat(), person("u1"));
        assert.deepStrictEqual(JSON.parse(plain.body).choices[0].message.tool_calls[0].function, {
            name: "get_weather",
            arguments: '{"city": "Leeds"}',
        });
        const streamed = await call(
            port,
            "/api/v1/chat/completions",
            chat({ stream: true }),
            person("u1"),
        );
        const args = streamed.body
            .split("\n\n")
            .filter((e) => e.startsWith("data: {"))
            .flatMap((e) => JSON.parse(e.slice(6)).choices[0]?.delta?.tool_calls ?? [])
            .map((t: any) => t.function.arguments)
            .join("");
        assert.strictEqual(args, '{"city": "Leeds"}');
        await recorder.flush(1000);
        assert.strictEqual(store.records.length, 2);
    });

    it("passes the gateway's errors through unchanged and records nothing for them", async () => {
        fake.script = { ...DEFAULT_SCRIPT, failStatus: 400 };
        const reply = await call(port, "/api/v1/chat/completions", chat(), person("u1"));
        assert.strictEqual(reply.status, 400);
        assert.match(JSON.parse(reply.body).detail, /scripted 400/);
        fake.script = { ...DEFAULT_SCRIPT, failAfterPieces: 2 };
        const streamed = await call(
            port,
            "/api/v1/chat/completions",
            chat({ stream: true }),
            person("u1"),
        );
        assert.match(
            streamed.body,
            /data: \{"error":\{"message":"An error occurred \(ModelStreamErrorException\)/,
        );
        await recorder.flush(1000);
        assert.deepStrictEqual(store.records, []);
        assert.deepStrictEqual(
            lines.map((l) => [l.outcome, l.status, l.UsageMissing]),
            [
                ["upstream-error", 400, 1],
                ["upstream-error", 200, 1],
            ],
        );
    });

    it("ignores the user headers on a request without the API key", async () => {
        const headers = { ...person("u1"), authorization: "Bearer not-the-key" };
        const reply = await call(port, "/api/v1/chat/completions", chat(), headers);
        assert.deepStrictEqual(
            [reply.status, JSON.parse(reply.body)],
            [401, { detail: "Invalid API Key" }],
        );
        const { authorization: _a, ...noKey } = person("u1");
        const none = await call(port, "/api/v1/chat/completions", chat(), noKey);
        assert.strictEqual(none.status, 403);
        await recorder.flush(1000);
        assert.deepStrictEqual([store.records, lines], [[], []]);
    });

    it("refuses a call over the limit with a 429 OpenAI-style error, the group's limit before the default", async () => {
        groups = { "intern@example.com": ["Interns"] };
        store.spent.set("u2/2026-12-01", 19_999_000);
        // Under $0.02 by 1000 n$: one call may run, and takes the person over.
        const first = await call(
            port,
            "/api/v1/chat/completions",
            chat(),
            person("u2", "intern@example.com"),
        );
        assert.strictEqual(first.status, 200);
        await recorder.flush(1000);
        const second = await call(
            port,
            "/api/v1/chat/completions",
            chat({ stream: true }),
            person("u2", "intern@example.com"),
        );
        assert.strictEqual(second.status, 429);
        assert.strictEqual(second.headers["content-type"], "application/json");
        assert.deepStrictEqual(JSON.parse(second.body), {
            error: {
                message:
                    "Usage limit reached: you have used $0.03 of $0.02, the monthly limit of the group Interns, this month. It resets on 2027-01-01 at 00:00 UTC.",
                type: "usage_limit_exceeded",
                code: "monthly_usage_limit",
            },
        });
        // Someone on the default limit with the same spend goes ahead.
        store.spent.set("u3/2026-12-01", 19_999_000 + CALL_NANO);
        const other = await call(port, "/api/v1/chat/completions", chat(), person("u3"));
        assert.strictEqual(other.status, 200);
        assert.strictEqual(fake.received.length, 2, "the refused call never went upstream");
        assert.deepStrictEqual(
            lines.map((l) => [l.outcome, l.Group, l.Rejected]),
            [
                ["completed", "Interns", 0],
                ["rejected-limit", "Interns", 1],
                ["completed", "default", 0],
            ],
        );
    });

    it("reads a person's month once per spendCacheMs, adding its own calls since", async () => {
        store.spent.set("u4/2026-12-01", 1e9 - 2 * CALL_NANO - 1000);
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
            statuses.push(
                (await call(port, "/api/v1/chat/completions", chat(), person("u4"))).status,
            );
        }
        // Read once: without its own calls added to what was read, the fourth would pass too.
        assert.deepStrictEqual([statuses, store.reads], [[200, 200, 200, 429], 1]);
    });

    it("counts a call that finished while another's read of the month was under way", async () => {
        gate.server.closeAllConnections();
        await new Promise((r) => gate.server.close(r));
        await startGate("open", 0);
        store.spent.set("u5/2026-12-01", 1e9 - CALL_NANO + 1);
        let release!: () => void;
        fake.script = { ...DEFAULT_SCRIPT, hold: new Promise<void>((r) => (release = r)) };
        const first = call(port, "/api/v1/chat/completions", chat({ stream: true }), person("u5"));
        while (fake.received.length < 1) {
            await new Promise((r) => setTimeout(r, 5));
        }
        // The second call's read starts now and answers what was stored before the first ended.
        let answer!: () => void;
        store.slowRead = new Promise<void>((r) => (answer = r));
        const second = call(port, "/api/v1/chat/completions", chat(), person("u5"));
        while (store.reads < 2) {
            await new Promise((r) => setTimeout(r, 5));
        }
        release();
        assert.strictEqual((await first).status, 200);
        answer();
        // $1 - 8.1 m$ + 1 n$ before, plus the first call's 8.1 m$: over the limit.
        assert.strictEqual((await second).status, 429);
        assert.strictEqual(fake.received.length, 1);
    });

    it("fails open when usage cannot be read (counted), and records once the store is back", async () => {
        store.down = true;
        const reply = await call(port, "/api/v1/chat/completions", chat(), person("u1"));
        assert.strictEqual(reply.status, 200);
        assert.strictEqual(gate.stats.failOpen, 1);
        assert.strictEqual(lines[0].FailOpen, 1);
        assert.strictEqual(recorder.unflushedNanoUsd("u1", "2026-12-01"), CALL_NANO);
        store.down = false;
        assert.strictEqual(await recorder.flush(2000), true);
        assert.deepStrictEqual(
            store.records.map((r) => r.costNanoUsd),
            [CALL_NANO],
        );
    });

    it("fails closed, when set to, with a 503 OpenAI-style error", async () => {
        gate.server.closeAllConnections();
        await new Promise((r) => gate.server.close(r));
        await startGate("closed");
        store.down = true;
        const reply = await call(port, "/api/v1/chat/completions", chat(), person("u1"));
        assert.strictEqual(reply.status, 503);
        assert.strictEqual(JSON.parse(reply.body).error.code, "usage_store_unavailable");
        assert.strictEqual(fake.received.length, 0);
    });

    it("meters embeddings without limiting them, and passes other routes through", async () => {
        const e = await call(
            port,
            "/api/v1/embeddings",
            { model: "amazon.titan-embed-text-v2:0", input: "hi" },
            person("u1"),
        );
        assert.strictEqual(e.status, 200);
        const models = await call(port, "/api/v1/models", undefined, person("u1"));
        assert.strictEqual(JSON.parse(models.body).object, "list");
        const health = await call(port, "/health", undefined, {});
        assert.deepStrictEqual(JSON.parse(health.body), { status: "OK" });
        await recorder.flush(1000);
        assert.deepStrictEqual(
            store.records.map((r) => [r.model, r.inputTokens, r.outputTokens]),
            [["amazon.titan-embed-text-v2:0", 1200, 0]],
        );
        assert.strictEqual(lines[0].unpriced, true);
    });
});
