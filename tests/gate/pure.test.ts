/**
 * The gate's pure parts: prices, limits and their month, the usage read out of streams, LDAP
 * filters and the group cache, the record queue, and its settings.
 */
import * as assert from "assert";
import { CachedGroupLookup, escapeFilterValue, groupsFilter } from "../../gate/directory";
import { readSettings } from "../../gate/env";
import { limitFor, monthWindow, overLimitError } from "../../gate/limits";
import { emfLine } from "../../gate/metrics";
import { costNanoUsd, FALLBACK_PRICE, priceModel } from "../../gate/pricing";
import { Recorder } from "../../gate/recorder";
import { clientWantsUsage, reservationNanoUsd } from "../../gate/server";
import { StreamUsageReader } from "../../gate/sse";
import { UsageRecord, UsageStore } from "../../gate/store";
import prices from "../../plan/prices.json";

const SONNET = "eu.anthropic.claude-sonnet-4-20250514-v1:0";

describe("gate: prices", () => {
    it("prices a call from plan/prices.json, exactly, in nano-dollars", () => {
        const p = priceModel(SONNET, {});
        assert.deepStrictEqual(
            [p.pricedAs, p.unpriced, p.price],
            [SONNET, false, (prices.bedrock.models as any)[SONNET]],
        );
        // 1200 in at $3/M + 300 out at $15/M = $0.0036 + $0.0045.
        assert.strictEqual(costNanoUsd(p.price, 1200, 300), 8_100_000);
    });

    it("prices an application inference profile as the model it copies", () => {
        const arn = "arn:aws:bedrock:eu-west-2:123456789012:application-inference-profile/abc123";
        const p = priceModel(arn, { [arn]: SONNET });
        assert.strictEqual(p.pricedAs, SONNET);
        assert.strictEqual(p.unpriced, false);
    });

    it("charges a model without a price at the table's dearest prices, flagged", () => {
        const p = priceModel("eu.amazon.nova-pro-v1:0", {});
        assert.strictEqual(p.unpriced, true);
        assert.deepStrictEqual(
            [p.price.inputPerMillionTokens, p.price.outputPerMillionTokens],
            [FALLBACK_PRICE.inputPerMillionTokens, FALLBACK_PRICE.outputPerMillionTokens],
        );
        assert.ok(FALLBACK_PRICE.outputPerMillionTokens >= 15);
    });

    it("reserves request bytes at the input price and max_tokens (or the default) at the output price", () => {
        const p = priceModel(SONNET, {});
        assert.strictEqual(
            reservationNanoUsd(p, 1000, { max_tokens: 100 }, 4096),
            1000 * 3000 + 100 * 15000,
        );
        assert.strictEqual(
            reservationNanoUsd(p, 1000, { max_tokens: 100, max_completion_tokens: 50 }, 4096),
            1000 * 3000 + 50 * 15000,
        );
        assert.strictEqual(reservationNanoUsd(p, 10, {}, 4096), 10 * 3000 + 4096 * 15000);
    });
});

describe("gate: limits", () => {
    const policy = { defaultUsd: 20, byGroup: { Interns: 5, "Data Science": 100, Research: 60 } };

    it("uses the default without a group override", () => {
        assert.deepStrictEqual(limitFor(policy, []), { usd: 20, source: "default" });
        assert.deepStrictEqual(limitFor(policy, ["Portal Users"]), { usd: 20, source: "default" });
    });

    it("lets a group override replace the default, lower or higher, the highest of several", () => {
        assert.deepStrictEqual(limitFor(policy, ["interns"]), { usd: 5, source: "Interns" });
        assert.deepStrictEqual(limitFor(policy, ["Interns", "Research", "Data Science"]), {
            usd: 100,
            source: "Data Science",
        });
    });

    it("counts a calendar month in UTC and resets on the first of the next", () => {
        const w = monthWindow(new Date("2026-12-31T23:59:59.999Z"));
        assert.strictEqual(w.month, "2026-12-01");
        assert.strictEqual(w.resets.toISOString(), "2027-01-01T00:00:00.000Z");
        assert.strictEqual(monthWindow(new Date("2027-01-01T00:00:00Z")).month, "2027-01-01");
    });

    it("says which limit was reached, how much was used and when it resets", () => {
        const body = overLimitError(
            { usd: 5, source: "Interns" },
            5_012_300_000,
            monthWindow(new Date("2026-12-06T10:00:00Z")),
        );
        assert.deepStrictEqual(body, {
            error: {
                message:
                    "Usage limit reached: you have used $5.01 of $5.00, the monthly limit of the group Interns, this month. It resets on 2027-01-01 at 00:00 UTC.",
                type: "usage_limit_exceeded",
                code: "monthly_usage_limit",
            },
        });
        assert.match(
            overLimitError(
                { usd: 20, source: "default" },
                20e9,
                monthWindow(new Date("2026-02-10T00:00:00Z")),
            ).error.message,
            /of \$20\.00, the monthly limit per person, this month\. It resets on 2026-03-01 at 00:00 UTC\.$/,
        );
    });
});

/** The gateway's stream for one completion, as src/api/models/base.py writes it. */
function gatewayStream(withUsage: boolean): { all: string; withoutUsage: string } {
    const head = { id: "chatcmpl-1", created: 1, model: SONNET, system_fingerprint: "fp" };
    const events = [
        {
            ...head,
            choices: [
                {
                    index: 0,
                    delta: { role: "assistant", content: "" },
                    logprobs: null,
                    finish_reason: null,
                },
            ],
            object: "chat.completion.chunk",
        },
        {
            ...head,
            choices: [
                {
                    index: 0,
                    delta: { content: 'Grüße, "usage" here' },
                    logprobs: null,
                    finish_reason: null,
                },
            ],
            object: "chat.completion.chunk",
        },
        {
            ...head,
            choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }],
            object: "chat.completion.chunk",
        },
    ].map((e) => `data: ${JSON.stringify(e)}\n\n`);
    const usage = `data: ${JSON.stringify({ ...head, choices: [], object: "chat.completion.chunk", usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 } })}\n\n`;
    const done = "data: [DONE]\n\n";
    return {
        all: events.join("") + (withUsage ? usage : "") + done,
        withoutUsage: events.join("") + done,
    };
}

function feed(reader: StreamUsageReader, text: string, size: number): string {
    const bytes = Buffer.from(text);
    const out: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) {
        out.push(reader.push(bytes.subarray(i, i + size)));
    }
    out.push(reader.end());
    return Buffer.concat(out).toString("utf8");
}

describe("gate: usage in a stream", () => {
    for (const size of [1, 7, 64, 100_000]) {
        it(`drops the usage chunk the client did not ask for and reads it (chunks of ${size} bytes)`, () => {
            const { all, withoutUsage } = gatewayStream(true);
            const reader = new StreamUsageReader(true);
            assert.strictEqual(feed(reader, all, size), withoutUsage);
            assert.deepStrictEqual(reader.usage, { inputTokens: 1200, outputTokens: 300 });
        });

        it(`passes every byte on when the client asked for usage (chunks of ${size} bytes)`, () => {
            const { all } = gatewayStream(true);
            const reader = new StreamUsageReader(false);
            assert.strictEqual(feed(reader, all, size), all);
            assert.deepStrictEqual(reader.usage, { inputTokens: 1200, outputTokens: 300 });
        });
    }

    it("sends complete events at once, holding back only an unfinished one", () => {
        const reader = new StreamUsageReader(true);
        assert.strictEqual(
            reader.push(Buffer.from('data: {"a":1}\n\ndata: {"b"')).toString(),
            'data: {"a":1}\n\n',
        );
        assert.strictEqual(reader.push(Buffer.from(":2}\n\n")).toString(), 'data: {"b":2}\n\n');
    });

    it("reads the error event the gateway ends a failed stream with", () => {
        const reader = new StreamUsageReader(true);
        const text = 'data: {"error":{"message":"ModelStreamErrorException"}}\n\n';
        assert.strictEqual(feed(reader, text, 5), text);
        assert.strictEqual(reader.error, "ModelStreamErrorException");
        assert.strictEqual(reader.usage, undefined);
    });

    it("knows when a client asked for usage (the gateway defaults include_usage to true)", () => {
        assert.strictEqual(clientWantsUsage({}), false);
        assert.strictEqual(clientWantsUsage({ stream_options: null }), false);
        assert.strictEqual(clientWantsUsage({ stream_options: {} }), true);
        assert.strictEqual(clientWantsUsage({ stream_options: { include_usage: true } }), true);
        assert.strictEqual(clientWantsUsage({ stream_options: { include_usage: false } }), false);
    });
});

describe("gate: directory lookups", () => {
    it("escapes filter values (RFC 4515)", () => {
        assert.strictEqual(escapeFilterValue("a*b(c)d\\e\0"), "a\\2ab\\28c\\29d\\5ce\\00");
    });

    it("asks for the limited groups the person is in, nested ones included", () => {
        assert.strictEqual(
            groupsFilter("CN=Bob (contractor),OU=Users,DC=corp", ["Interns", "R&D*"]),
            "(&(objectClass=group)(|(cn=Interns)(cn=R&D\\2a))(member:1.2.840.113556.1.4.1941:=CN=Bob \\28contractor\\29,OU=Users,DC=corp))",
        );
    });

    it("caches per person for the TTL, shares a lookup in flight, and keeps the last answer when the directory fails", async () => {
        let calls = 0;
        let failing = false;
        let clock = 0;
        const errors: unknown[] = [];
        const cache = new CachedGroupLookup(
            {
                groupsOf: async () => {
                    calls++;
                    if (failing) {
                        throw new Error("directory down");
                    }
                    return ["Interns"];
                },
            },
            60_000,
            (e) => errors.push(e),
            () => clock,
        );
        const both = await Promise.all([cache.groupsOf("a@x"), cache.groupsOf("A@X")]);
        assert.deepStrictEqual([both, calls], [[["Interns"], ["Interns"]], 1]);
        clock = 59_999;
        await cache.groupsOf("a@x");
        assert.strictEqual(calls, 1);
        clock = 60_000;
        failing = true;
        assert.deepStrictEqual(await cache.groupsOf("a@x"), ["Interns"]);
        assert.deepStrictEqual([calls, errors.length], [2, 1]);
        // Not asked again at once while the directory is away.
        assert.deepStrictEqual(await cache.groupsOf("a@x"), ["Interns"]);
        assert.strictEqual(calls, 2);
    });
});

describe("gate: records", () => {
    const record = (n: number): UsageRecord => ({
        callId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
        person: "p1",
        email: "p1@example.com",
        model: SONNET,
        day: "2026-12-06",
        month: "2026-12-01",
        inputTokens: 1,
        outputTokens: 1,
        costNanoUsd: 1000,
    });

    it("keeps records while the store fails, counts them meanwhile, and stores each once", async () => {
        const stored: string[] = [];
        let down = true;
        const store: UsageStore = {
            monthSpendNanoUsd: async () => 0,
            record: async (records) => {
                if (down) {
                    throw new Error("connection refused");
                }
                stored.push(...records.map((r) => r.callId));
            },
            close: async () => undefined,
        };
        const errors: number[] = [];
        const recorder = new Recorder(store, {
            concurrency: 2,
            batch: 3,
            firstPauseMs: 5,
            maxPauseMs: 20,
            maxBacklog: 100,
            onError: (_e, backlog) => errors.push(backlog),
            onDrop: () => assert.fail("nothing may be dropped"),
        });
        for (let n = 0; n < 5; n++) {
            recorder.add(record(n));
        }
        await new Promise((r) => setTimeout(r, 30));
        assert.strictEqual(recorder.unflushedNanoUsd("p1", "2026-12-01"), 5000);
        assert.ok(errors.length >= 2);
        down = false;
        assert.strictEqual(await recorder.flush(2000), true);
        recorder.stop();
        assert.deepStrictEqual(
            [...stored].sort(),
            [0, 1, 2, 3, 4].map((n) => record(n).callId),
        );
        assert.strictEqual(recorder.unflushedNanoUsd("p1", "2026-12-01"), 0);
    });
});

describe("gate: log line", () => {
    it("carries metrics by model and by group in embedded metric format, the person only as a field", () => {
        const line = JSON.parse(
            emfLine({
                timestamp: 1765000000000,
                callId: "c1",
                route: "chat",
                outcome: "completed",
                status: 200,
                model: SONNET,
                group: "Interns",
                person: "u-1",
                email: "a@example.com",
                chatId: "chat-1",
                inputTokens: 1200,
                outputTokens: 300,
                costUsd: 0.0081,
                unpriced: false,
                monthSpentUsd: 1.5,
                limitUsd: 5,
                failOpen: false,
                usageMissing: false,
                durationMs: 12,
            }),
        );
        assert.deepStrictEqual(line._aws.CloudWatchMetrics[0].Dimensions, [
            ["Model"],
            ["Group"],
            [],
        ]);
        assert.strictEqual(line._aws.CloudWatchMetrics[0].Namespace, "AIPortal/UsageGate");
        for (const m of line._aws.CloudWatchMetrics[0].Metrics) {
            assert.strictEqual(typeof line[m.Name], "number", m.Name);
        }
        assert.deepStrictEqual(
            [line.Model, line.Group, line.CostUsd, line.person, line.Rejected, line.FailOpen],
            [SONNET, "Interns", 0.0081, "u-1", 0, 0],
        );
    });
});

describe("gate: log line of a named stack", () => {
    it("puts every metric within the stack (GATE_STACK), so stacks sharing an account keep apart", () => {
        const line = JSON.parse(
            emfLine({
                timestamp: 1765000000000,
                callId: "c1",
                route: "chat",
                outcome: "completed",
                status: 200,
                model: SONNET,
                group: "default",
                person: "u-1",
                email: "a@example.com",
                chatId: "chat-1",
                inputTokens: 1,
                outputTokens: 1,
                costUsd: 0.001,
                unpriced: false,
                monthSpentUsd: 0,
                limitUsd: 50,
                failOpen: true,
                usageMissing: false,
                durationMs: 3,
                stack: "prod",
            }),
        );
        assert.deepStrictEqual(line._aws.CloudWatchMetrics[0].Dimensions, [
            ["Stack", "Model"],
            ["Stack", "Group"],
            ["Stack"],
        ]);
        assert.deepStrictEqual([line.Stack, line.FailOpen], ["prod", 1]);
    });
});

describe("gate: settings", () => {
    const base = {
        GATE_UPSTREAM_URL: "http://127.0.0.1:8081",
        GATE_API_KEY: "k",
        GATE_LIMIT_DEFAULT_USD: "20",
        GATE_DB_HOST: "db.example",
        GATE_DB_NAME: "aiportal",
        GATE_DB_USER: "usage_gate",
        GATE_DB_PASSWORD: "pw",
        GATE_DB_CA_FILE: "/etc/ca.pem",
    };

    it("reads a complete environment with its defaults", () => {
        const s = readSettings(base);
        assert.deepStrictEqual(
            [s.listenPort, s.failMode, s.apiPrefix, s.db.schema, s.db.port, s.ldap, s.policy],
            [
                8000,
                "open",
                "/api/v1",
                "usage_gate",
                5432,
                undefined,
                { defaultUsd: 20, byGroup: {} },
            ],
        );
    });

    it("lists every problem at once", () => {
        assert.throws(
            () =>
                readSettings({
                    ...base,
                    GATE_API_KEY: "",
                    GATE_FAIL_MODE: "sometimes",
                    GATE_LIMIT_DEFAULT_USD: "0",
                    GATE_LIMITS_BY_GROUP: '{"Interns": -1}',
                }),
            (e: Error) => {
                assert.strictEqual(
                    e.message,
                    [
                        "usage gate settings:",
                        '- GATE_FAIL_MODE is "sometimes": "open" or "closed"',
                        '- GATE_LIMITS_BY_GROUP["Interns"] is -1: a limit in USD above 0',
                        "- GATE_API_KEY is not set: the gateway's API key",
                        '- GATE_LIMIT_DEFAULT_USD is "0": a limit in USD above 0',
                        "- GATE_LDAP_URL is not set: the directory (group limits are set)",
                        "- GATE_LDAP_BIND_DN is not set: the bind account's DN",
                        "- GATE_LDAP_PASSWORD is not set: the bind account's password",
                        "- GATE_LDAP_USER_BASE is not set: where people are searched for",
                        "- GATE_LDAP_GROUP_BASE is not set: where groups are searched for",
                    ].join("\n"),
                );
                return true;
            },
        );
    });
});

describe("gate: log writer", () => {
    it("writes every line in order, off the event loop, and drops past its buffer (saying how many)", async () => {
        const fs = await import("fs");
        const os = await import("os");
        const path = await import("path");
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gate-log-")), "out.log");
        const fd = fs.openSync(file, "w");
        const { LineWriter } = await import("../../gate/log");
        const writer = new LineWriter(fd, 100);
        for (let i = 0; i < 5; i++) {
            writer.write(`{"n":${i}}`);
        }
        // 5 lines of 7 characters and their newlines fit in 100 bytes; these do not.
        writer.write("x".repeat(90));
        await writer.drain();
        writer.write('{"n":5}');
        await writer.drain();
        fs.closeSync(fd);
        assert.deepStrictEqual(fs.readFileSync(file, "utf8").split("\n"), [
            '{"n":0}',
            '{"n":1}',
            '{"n":2}',
            '{"n":3}',
            '{"n":4}',
            '{"event":"usage-gate-log-dropped","lines":1}',
            '{"n":5}',
            "",
        ]);
    });
});
