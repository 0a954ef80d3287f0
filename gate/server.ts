/**
 * The usage gate: a reverse proxy between Open WebUI and the Bedrock Access Gateway's
 * OpenAI-compatible API (node:http, nothing else in the hot path).
 *
 * - Every request goes upstream unchanged, and every reply comes back as it arrives, chunk by chunk.
 *   The one change: a streamed chat completion asks upstream for the final usage chunk
 *   (`stream_options.include_usage`), which is removed again when the client did not ask for it.
 * - Who is asking comes from Open WebUI's forwarded user headers (ENABLE_FORWARD_USER_INFO_HEADERS;
 *   names as upstream open-webui backend/open_webui/env.py defaults them), trusted only on requests
 *   that carry the gateway's API key, which only Open WebUI holds.
 * - Chat completions and embeddings are priced (plan/prices.json) and recorded per person, model and
 *   day; a chat completion over its person's monthly limit gets HTTP 429 with an OpenAI-style error.
 * - When usage cannot be read the call goes ahead (fail open, counted) or gets 503 (fail closed).
 * - One structured log line per metered call carries the metrics (gate/metrics.ts).
 */
import * as crypto from "crypto";
import * as http from "http";
import { emfLine, Outcome } from "./metrics";
import { GroupLookup } from "./directory";
import {
    dayOf,
    ErrorBody,
    Limit,
    LimitPolicy,
    limitFor,
    monthWindow,
    overLimitError,
    unavailableError,
} from "./limits";
import { costNanoUsd, NANO_PER_USD, priceModel, Pricing, usd } from "./pricing";
import { Recorder } from "./recorder";
import { StreamUsageReader, Usage, usageOf } from "./sse";
import { UsageStore } from "./store";

export type FailMode = "open" | "closed";

export interface GateOptions {
    /** The gateway's base, e.g. http://127.0.0.1:8081 (paths are passed on as they came). */
    readonly upstream: URL;
    /** The gateway's API key (the bearer token Open WebUI sends). */
    readonly apiKey: string;
    /** The gateway's API_ROUTE_PREFIX. Defaults to "/api/v1". */
    readonly apiPrefix?: string;
    readonly policy: LimitPolicy;
    readonly failMode: FailMode;
    /** The stack's name, a dimension of every metric (GATE_STACK); absent: none. */
    readonly stack?: string;
    readonly store: UsageStore;
    readonly recorder: Recorder;
    readonly groups: GroupLookup;
    /** Model ids to price as another (application inference profile ARN → the model it copies). */
    readonly modelAliases: Readonly<Record<string, string>>;
    /**
     * Output tokens a chat completion without max_tokens is assumed to produce, for its
     * reservation while it runs (see `reservationNanoUsd`). Defaults to 4096.
     */
    readonly reserveOutputTokens?: number;
    /** How long reading a person's month may take before the database counts as unreachable. Defaults to 2000. */
    readonly storeTimeoutMs?: number;
    /**
     * How long a person's month, once read, is used without reading it again (this gate's own
     * calls since are added to it). Other gate hosts' calls in that time are not seen: with
     * several hosts, it adds at most what one person spends elsewhere in that time to the
     * overshoot. 0 reads it for every call. Defaults to 2000.
     */
    readonly spendCacheMs?: number;
    /** Where log lines go. Defaults to stdout. */
    readonly log?: (line: string) => void;
    /** The clock. Defaults to the system's. */
    readonly now?: () => Date;
}

/** Open WebUI's forwarded user headers (lower case, as node presents them). */
export const USER_HEADERS = {
    id: "x-openwebui-user-id",
    email: "x-openwebui-user-email",
    role: "x-openwebui-user-role",
    chatId: "x-openwebui-chat-id",
} as const;

/** Who Open WebUI says is asking; person "unattributed" when it says nobody. */
export interface Identity {
    readonly person: string;
    readonly email: string;
    readonly chatId: string;
}

const UNATTRIBUTED = "unattributed";
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Copies of non-streamed replies kept to read their usage (the reply itself is never held). */
const MAX_COPY_BYTES = 16 * 1024 * 1024;
const HOP_BY_HOP = new Set([
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
]);

/** Compares two secrets in time that does not depend on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
    const a = crypto.createHash("sha256").update(given).digest();
    const b = crypto.createHash("sha256").update(expected).digest();
    return crypto.timingSafeEqual(a, b);
}

/** The forwarded identity, when the request carries the API key; undefined otherwise. */
export function identityOf(
    headers: http.IncomingHttpHeaders,
    apiKey: string,
): Identity | undefined {
    const auth = headers.authorization ?? "";
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1] ?? "";
    if (!sameSecret(token, apiKey)) {
        return undefined;
    }
    const one = (name: string) => {
        const v = headers[name];
        return (Array.isArray(v) ? v[0] : v) ?? "";
    };
    return {
        person: one(USER_HEADERS.id) || UNATTRIBUTED,
        email: one(USER_HEADERS.email),
        chatId: one(USER_HEADERS.chatId),
    };
}

/**
 * What a running chat completion is assumed to cost at most, held against its person's limit
 * while it runs: its request size in tokens at the input price (at most one token per byte of
 * text) plus its max_tokens (or `defaultOutputTokens`) at the output price.
 */
export function reservationNanoUsd(
    pricing: Pricing,
    bodyBytes: number,
    body: { max_tokens?: unknown; max_completion_tokens?: unknown },
    defaultOutputTokens: number,
): number {
    const asked = [body.max_completion_tokens, body.max_tokens].find(
        (v): v is number => typeof v === "number" && v > 0,
    );
    return costNanoUsd(pricing.price, bodyBytes, asked ?? defaultOutputTokens);
}

/** True when the client asked for the usage chunk (the gateway's StreamOptions defaults include_usage to true). */
export function clientWantsUsage(body: { stream_options?: unknown }): boolean {
    const options = body.stream_options as { include_usage?: unknown } | null | undefined;
    return options != null && typeof options === "object" && options.include_usage !== false;
}

function requestHeaders(
    headers: http.IncomingHttpHeaders,
    upstream: URL,
    bodyLength: number | undefined,
): http.OutgoingHttpHeaders {
    const out: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
        if (!HOP_BY_HOP.has(name) && name !== "host" && value !== undefined) {
            out[name] = value;
        }
    }
    out.host = upstream.host;
    if (bodyLength !== undefined) {
        out["content-length"] = String(bodyLength);
        // The gate reads metered replies, so it asks for them uncompressed (the gateway sends
        // them so anyway: it has no compression middleware).
        out["accept-encoding"] = "identity";
    }
    return out;
}

function replyHeaders(
    headers: http.IncomingHttpHeaders,
    dropLength: boolean,
): http.OutgoingHttpHeaders {
    const out: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
        if (
            !HOP_BY_HOP.has(name) &&
            !(dropLength && name === "content-length") &&
            value !== undefined
        ) {
            out[name] = value;
        }
    }
    return out;
}

function sendError(res: http.ServerResponse, status: number, body: ErrorBody): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
    });
    res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                // Read on and drop the rest, so the 413 reaches the client.
                req.removeAllListeners("data");
                req.resume();
                resolve(undefined);
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
        promise.then(
            (v) => {
                clearTimeout(timer);
                resolve(v);
            },
            (e) => {
                clearTimeout(timer);
                reject(e);
            },
        );
    });
}

interface Inflight {
    count: number;
    nano: number;
}

/** Counters a health or status endpoint (and the tests) can read. */
export interface GateStats {
    failOpen: number;
    rejected: number;
    storeErrors: number;
}

export interface Gate {
    readonly server: http.Server;
    readonly stats: GateStats;
}

export function createGate(o: GateOptions): Gate {
    const prefix = (o.apiPrefix ?? "/api/v1").replace(/\/$/, "");
    const chatPath = `${prefix}/chat/completions`;
    const embeddingsPath = `${prefix}/embeddings`;
    const log = o.log ?? ((line: string) => process.stdout.write(line + "\n"));
    const now = o.now ?? (() => new Date());
    const storeTimeoutMs = o.storeTimeoutMs ?? 2000;
    const reserveOutputTokens = o.reserveOutputTokens ?? 4096;
    const agent = new http.Agent({ keepAlive: true, scheduling: "lifo" });
    const inflight = new Map<string, Inflight>();
    const spendCacheMs = o.spendCacheMs ?? 2000;
    /** Per person and month: what was read (plus what was not yet stored then), when, and `finished` then. */
    const spendCache = new Map<string, { at: number; base: number; finishedAtRead: number }>();
    /** Per person and month: the cost of every call this gate finished (only ever grows). */
    const finishedNano = new Map<string, number>();
    const spendKey = (person: string, month: string) => `${month}\u0000${person}`;

    /**
     * What a person has spent this month, as far as this gate can know: what the database had
     * (read at most every spendCacheMs), what this gate had not stored yet when it read, and what
     * its calls that finished since cost. A call stored while the read runs may count twice (so a
     * limit errs towards refusing), never not at all.
     */
    async function monthSpend(person: string, month: string): Promise<number> {
        const key = spendKey(person, month);
        const finished = () => finishedNano.get(key) ?? 0;
        const cached = spendCache.get(key);
        const t = Date.now();
        if (cached && t - cached.at < spendCacheMs) {
            return cached.base + finished() - cached.finishedAtRead;
        }
        const finishedAtRead = finished();
        const unflushed = o.recorder.unflushedNanoUsd(person, month);
        const stored = await withTimeout(o.store.monthSpendNanoUsd(person, month), storeTimeoutMs);
        const entry = { at: t, base: stored + unflushed, finishedAtRead };
        if (spendCacheMs > 0) {
            if (spendCache.size > 100_000) {
                spendCache.clear();
            }
            spendCache.set(key, entry);
        }
        return entry.base + finished() - finishedAtRead;
    }
    const stats: GateStats = { failOpen: 0, rejected: 0, storeErrors: 0 };

    /** Anything not metered: streamed both ways as it comes. */
    function passThrough(req: http.IncomingMessage, res: http.ServerResponse): void {
        const upReq = http.request(
            {
                host: o.upstream.hostname,
                port: o.upstream.port,
                method: req.method,
                path: req.url,
                headers: requestHeaders(req.headers, o.upstream, undefined),
                agent,
            },
            (upRes) => {
                res.writeHead(upRes.statusCode ?? 502, replyHeaders(upRes.headers, false));
                upRes.pipe(res);
            },
        );
        upReq.on("error", () => {
            if (!res.headersSent) {
                sendError(res, 502, upstreamDown());
            } else {
                res.destroy();
            }
        });
        res.on("close", () => {
            if (!res.writableFinished) {
                upReq.destroy();
            }
        });
        req.pipe(upReq);
    }

    async function metered(
        req: http.IncomingMessage,
        res: http.ServerResponse,
        route: "chat" | "embeddings",
    ): Promise<void> {
        const startedMs = Date.now();
        const started = now();
        const raw = await readBody(req);
        if (raw === undefined) {
            sendError(res, 413, {
                error: {
                    message: `request larger than ${MAX_BODY_BYTES} bytes`,
                    type: "invalid_request_error",
                    code: "request_too_large",
                },
            });
            return;
        }
        const identity = identityOf(req.headers, o.apiKey);
        let body: Record<string, unknown> | undefined;
        try {
            const parsed = JSON.parse(raw.toString("utf8"));
            body =
                parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : undefined;
        } catch {
            body = undefined;
        }
        // Without the key (upstream refuses it) or without a body upstream can read: as it came.
        if (!identity || !body) {
            forward(req, res, raw, undefined);
            return;
        }
        const model = typeof body.model === "string" ? body.model : "";
        const pricing = priceModel(model, o.modelAliases);
        const window = monthWindow(started);
        const groups = await o.groups.groupsOf(identity.email);
        const limit = limitFor(o.policy, groups);
        const call: CallState = {
            callId: crypto.randomUUID(),
            route,
            identity,
            model,
            pricing,
            limit,
            day: dayOf(started),
            month: window.month,
            spentNano: null,
            failOpen: false,
            reservation: 0,
            startedMs,
        };

        if (route === "chat" && identity.person !== UNATTRIBUTED) {
            try {
                call.spentNano = await monthSpend(identity.person, window.month);
            } catch {
                stats.storeErrors++;
                if (o.failMode === "closed") {
                    finish(call, "rejected-unavailable", 503, undefined);
                    sendError(res, 503, unavailableError());
                    return;
                }
                stats.failOpen++;
                call.failOpen = true;
            }
            const reservation = reservationNanoUsd(pricing, raw.length, body, reserveOutputTokens);
            const mine = inflight.get(identity.person) ?? { count: 0, nano: 0 };
            if (call.spentNano !== null) {
                const limitNano = Math.round(limit.usd * NANO_PER_USD);
                // Under the limit, one call may always run; more at once only while their
                // reservations fit under it too. That bounds the overshoot to about one call.
                const over =
                    call.spentNano >= limitNano ||
                    (mine.count > 0 && call.spentNano + mine.nano + reservation > limitNano);
                if (over) {
                    stats.rejected++;
                    finish(call, "rejected-limit", 429, undefined);
                    sendError(res, 429, overLimitError(limit, call.spentNano, window));
                    return;
                }
            }
            mine.count++;
            mine.nano += reservation;
            inflight.set(identity.person, mine);
            call.reservation = reservation;
        }

        let upstreamBody = raw;
        let strip = false;
        if (route === "chat" && body.stream === true) {
            const wants = clientWantsUsage(body);
            const options = (body.stream_options ?? {}) as Record<string, unknown>;
            if (!wants || options.include_usage !== true) {
                body.stream_options = { ...options, include_usage: true };
                upstreamBody = Buffer.from(JSON.stringify(body));
            }
            strip = !wants;
        }
        forward(req, res, upstreamBody, { call, strip, streamed: body.stream === true });
    }

    function forward(
        req: http.IncomingMessage,
        res: http.ServerResponse,
        payload: Buffer,
        meter: { call: CallState; strip: boolean; streamed: boolean } | undefined,
    ): void {
        let done = false;
        const end = (outcome: Outcome, status: number, usage: Usage | undefined) => {
            if (!done && meter) {
                done = true;
                finish(meter.call, outcome, status, usage);
            }
        };
        const upReq = http.request(
            {
                host: o.upstream.hostname,
                port: o.upstream.port,
                method: req.method,
                path: req.url,
                headers: requestHeaders(req.headers, o.upstream, payload.length),
                agent,
            },
            (upRes) => {
                const status = upRes.statusCode ?? 502;
                const sse =
                    meter?.streamed === true &&
                    status === 200 &&
                    String(upRes.headers["content-type"] ?? "").includes("text/event-stream");
                const reader = sse ? new StreamUsageReader(meter!.strip) : undefined;
                res.writeHead(
                    status,
                    replyHeaders(upRes.headers, reader !== undefined && meter!.strip),
                );
                const copy: Buffer[] = [];
                let copied = 0;
                upRes.on("data", (chunk: Buffer) => {
                    let out = chunk;
                    if (reader) {
                        out = reader.push(chunk);
                    } else if (meter && copied < MAX_COPY_BYTES) {
                        copy.push(chunk);
                        copied += chunk.length;
                    }
                    if (out.length && !res.write(out)) {
                        upRes.pause();
                        res.once("drain", () => upRes.resume());
                    }
                });
                upRes.on("end", () => {
                    if (reader) {
                        res.end(reader.end());
                        end(
                            reader.error && !reader.usage ? "upstream-error" : "completed",
                            status,
                            reader.usage,
                        );
                        return;
                    }
                    res.end();
                    if (!meter) {
                        return;
                    }
                    let usage: Usage | undefined;
                    if (status === 200 && copied <= MAX_COPY_BYTES) {
                        try {
                            usage = usageOf(JSON.parse(Buffer.concat(copy).toString("utf8")));
                        } catch {
                            usage = undefined;
                        }
                    }
                    end(status === 200 ? "completed" : "upstream-error", status, usage);
                });
                upRes.on("error", () => {
                    res.destroy();
                    end("aborted", status, reader?.usage);
                });
            },
        );
        upReq.on("error", () => {
            if (!res.headersSent) {
                sendError(res, 502, upstreamDown());
                end("upstream-error", 502, undefined);
            } else {
                res.destroy();
                end("aborted", res.statusCode, undefined);
            }
        });
        res.on("close", () => {
            if (!res.writableFinished) {
                upReq.destroy();
                end("aborted", res.statusCode, undefined);
            }
        });
        upReq.end(payload);
    }

    function finish(
        call: CallState,
        outcome: Outcome,
        status: number,
        usage: Usage | undefined,
    ): void {
        if (call.reservation > 0) {
            const mine = inflight.get(call.identity.person);
            if (mine) {
                mine.count--;
                mine.nano -= call.reservation;
                if (mine.count <= 0) {
                    inflight.delete(call.identity.person);
                }
            }
        }
        const cost = usage
            ? costNanoUsd(call.pricing.price, usage.inputTokens, usage.outputTokens)
            : 0;
        if (usage) {
            const key = spendKey(call.identity.person, call.month);
            finishedNano.set(key, (finishedNano.get(key) ?? 0) + cost);
            o.recorder.add({
                callId: call.callId,
                person: call.identity.person,
                email: call.identity.email,
                model: call.model,
                day: call.day,
                month: call.month,
                inputTokens: usage.inputTokens,
                outputTokens: usage.outputTokens,
                costNanoUsd: cost,
            });
        }
        log(
            emfLine({
                timestamp: Date.now(),
                callId: call.callId,
                route: call.route,
                outcome,
                status,
                model: call.model,
                group: call.limit.source,
                person: call.identity.person,
                email: call.identity.email,
                chatId: call.identity.chatId,
                inputTokens: usage?.inputTokens ?? 0,
                outputTokens: usage?.outputTokens ?? 0,
                costUsd: usd(cost),
                unpriced: call.pricing.unpriced,
                monthSpentUsd: call.spentNano === null ? null : usd(call.spentNano),
                limitUsd: call.limit.usd,
                failOpen: call.failOpen,
                usageMissing: !usage && !outcome.startsWith("rejected"),
                durationMs: Date.now() - call.startedMs,
                stack: o.stack,
            }),
        );
    }

    const server = http.createServer((req, res) => {
        const path = (req.url ?? "").split("?")[0];
        if (req.method === "POST" && path === chatPath) {
            metered(req, res, "chat").catch(() => fail(res));
        } else if (req.method === "POST" && path === embeddingsPath) {
            metered(req, res, "embeddings").catch(() => fail(res));
        } else {
            passThrough(req, res);
        }
    });
    server.keepAliveTimeout = 65_000;
    server.on("close", () => agent.destroy());
    return { server, stats };
}

interface CallState {
    readonly callId: string;
    readonly route: string;
    readonly identity: Identity;
    readonly model: string;
    readonly pricing: Pricing;
    readonly limit: Limit;
    readonly day: string;
    readonly month: string;
    spentNano: number | null;
    failOpen: boolean;
    reservation: number;
    readonly startedMs: number;
}

function upstreamDown(): ErrorBody {
    return {
        error: {
            message: "The model gateway is not answering. Try again in a minute.",
            type: "upstream_unavailable",
            code: "gateway_unreachable",
        },
    };
}

function fail(res: http.ServerResponse): void {
    if (!res.headersSent) {
        sendError(res, 500, {
            error: { message: "usage gate error", type: "server_error", code: "usage_gate_error" },
        });
    } else {
        res.destroy();
    }
}
