/**
 * A local stand-in for the Bedrock Access Gateway's OpenAI-compatible API, answering as the real
 * one does at aws-samples/bedrock-access-gateway@9579458 (read, not copied):
 * - routes under /api/v1 (src/api/setting.py API_ROUTE_PREFIX): POST /chat/completions, POST
 *   /embeddings, GET /models; GET /health answers {"status": "OK"} (src/api/app.py);
 * - the bearer key checked first (src/api/auth.py): a wrong key gets 401 {"detail": "Invalid API Key"};
 * - a streamed chat completion is `data: <chunk json>\n\n` events (src/api/models/base.py
 *   stream_response_to_bytes): a role chunk, content (or tool-call) deltas, a chunk with the
 *   finish reason, then — only when stream_options.include_usage — a usage chunk with
 *   `"choices": []`, then `data: [DONE]` (src/api/models/bedrock.py chat_stream and
 *   _create_response_stream); an error mid-stream is `data: {"error": {"message": ...}}` and ends it;
 * - errors before a reply are FastAPI HTTPExceptions: {"detail": "..."} with 400, 429 or 500;
 * - non-streamed replies and embeddings carry `usage` (src/api/schema.py ChatResponse, EmbeddingsResponse).
 * What it answers is scripted by the test (`script`), and it keeps what it was sent (`received`).
 */
import * as http from "http";
import { AddressInfo } from "net";

export interface Script {
    readonly inputTokens: number;
    readonly outputTokens: number;
    /** Content pieces streamed (or joined, when not streamed). */
    readonly pieces: readonly string[];
    /** Pause before each generated event (role chunk, deltas); finish, usage and [DONE] follow at once. */
    readonly delayMs?: number;
    /** Reply with a tool call instead of text. */
    readonly toolCall?: { readonly name: string; readonly argumentPieces: readonly string[] };
    /** Fail before replying, as an HTTPException with this status. */
    readonly failStatus?: 400 | 429 | 500;
    /** Fail mid-stream after this many content pieces. */
    readonly failAfterPieces?: number;
    /** Streams wait for this before their finish and usage chunks. */
    readonly hold?: Promise<void>;
}

export interface Received {
    readonly method: string;
    readonly path: string;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
}

export interface FakeGateway {
    readonly url: string;
    readonly port: number;
    script: Script;
    readonly received: Received[];
    close(): Promise<void>;
}

export const DEFAULT_SCRIPT: Script = {
    inputTokens: 1200,
    outputTokens: 300,
    pieces: ["Hello", " from", " the", " fake", " gateway."],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeGateway(
    apiKey: string,
    options: { readonly port?: number; readonly keepRequests?: boolean } = {},
): Promise<FakeGateway> {
    const received: Received[] = [];
    let counter = 0;
    const fake: FakeGateway = {
        url: "",
        port: 0,
        script: DEFAULT_SCRIPT,
        received,
        close: () => new Promise((r) => server.close(() => r())),
    };

    const json = (res: http.ServerResponse, status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(text),
        });
        res.end(text);
    };

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            const path = (req.url ?? "").split("?")[0];
            if (options.keepRequests !== false) {
                received.push({ method: req.method ?? "", path, headers: req.headers, body });
            }
            if (path === "/health") {
                return json(res, 200, { status: "OK" });
            }
            const auth = /^Bearer (.*)$/.exec(req.headers.authorization ?? "");
            if (!auth) {
                return json(res, 403, { detail: "Not authenticated" });
            }
            if (auth[1] !== apiKey) {
                return json(res, 401, { detail: "Invalid API Key" });
            }
            const request = body ? JSON.parse(body) : {};
            // The benchmark's knob (not the gateway's): a pause between streamed events per request.
            const script =
                typeof request.fake_delay_ms === "number"
                    ? { ...fake.script, delayMs: request.fake_delay_ms }
                    : fake.script;
            const model = request.model;
            const created = Math.floor(Date.now() / 1000);
            if (req.method === "GET" && path === "/api/v1/models") {
                return json(res, 200, {
                    object: "list",
                    data: [
                        {
                            id: model ?? "eu.anthropic.claude-sonnet-4-20250514-v1:0",
                            created,
                            object: "model",
                            owned_by: "bedrock",
                        },
                    ],
                });
            }
            if (req.method === "POST" && path === "/api/v1/embeddings") {
                return json(res, 200, {
                    object: "list",
                    data: [{ object: "embedding", embedding: [0.1, 0.2, 0.3], index: 0 }],
                    model,
                    usage: { prompt_tokens: script.inputTokens, total_tokens: script.inputTokens },
                });
            }
            if (req.method !== "POST" || path !== "/api/v1/chat/completions") {
                return json(res, 404, { detail: "Not Found" });
            }
            if (script.failStatus) {
                return json(res, script.failStatus, {
                    detail: `An error occurred (ThrottlingException) when calling the Converse operation: scripted ${script.failStatus}`,
                });
            }
            const id = `chatcmpl-${(++counter).toString(16).padStart(8, "0")}`;
            const usage = {
                prompt_tokens: script.inputTokens,
                completion_tokens: script.outputTokens,
                total_tokens: script.inputTokens + script.outputTokens,
            };
            if (!request.stream) {
                const message = script.toolCall
                    ? {
                          role: "assistant",
                          tool_calls: [
                              {
                                  id: "tooluse_fake01",
                                  type: "function",
                                  function: {
                                      name: script.toolCall.name,
                                      arguments: script.toolCall.argumentPieces.join(""),
                                  },
                              },
                          ],
                      }
                    : { role: "assistant", content: script.pieces.join("") };
                return json(res, 200, {
                    id,
                    created,
                    model,
                    system_fingerprint: "fp",
                    choices: [
                        {
                            index: 0,
                            message,
                            finish_reason: script.toolCall ? "tool_calls" : "stop",
                            logprobs: null,
                        },
                    ],
                    object: "chat.completion",
                    usage,
                });
            }
            res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
            const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
            const chunk = (delta: unknown, finish: string | null) =>
                event({
                    id,
                    created,
                    model,
                    system_fingerprint: "fp",
                    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
                    object: "chat.completion.chunk",
                });
            void (async () => {
                let open = true;
                res.on("close", () => (open = false));
                // The model paces what it generates (the role chunk after the first token, then
                // each delta); the finish, usage and [DONE] events follow the last delta at once,
                // as Bedrock sends messageStop and metadata right after the last contentBlockDelta
                // (src/api/models/bedrock.py maps each stream event to one chunk).
                const send = async (text: string, paced = true) => {
                    if (paced && script.delayMs) {
                        await sleep(script.delayMs);
                    }
                    if (open) {
                        res.write(text);
                    }
                };
                await send(chunk({ role: "assistant", content: "" }, null));
                if (script.toolCall) {
                    await send(
                        chunk(
                            {
                                tool_calls: [
                                    {
                                        index: 0,
                                        id: "tooluse_fake01",
                                        type: "function",
                                        function: { name: script.toolCall.name, arguments: "" },
                                    },
                                ],
                            },
                            null,
                        ),
                    );
                    for (const piece of script.toolCall.argumentPieces) {
                        await send(
                            chunk(
                                { tool_calls: [{ index: 0, function: { arguments: piece } }] },
                                null,
                            ),
                        );
                    }
                } else {
                    for (const [i, piece] of script.pieces.entries()) {
                        if (script.failAfterPieces === i) {
                            await send(
                                event({
                                    error: {
                                        message:
                                            "An error occurred (ModelStreamErrorException) when calling the ConverseStream operation: scripted",
                                    },
                                }),
                            );
                            res.end();
                            return;
                        }
                        await send(chunk({ content: piece }, null));
                    }
                }
                await script.hold;
                await send(chunk({}, script.toolCall ? "tool_calls" : "stop"), false);
                if (request.stream_options && request.stream_options.include_usage !== false) {
                    await send(
                        event({
                            id,
                            created,
                            model,
                            system_fingerprint: "fp",
                            choices: [],
                            object: "chat.completion.chunk",
                            usage,
                        }),
                        false,
                    );
                }
                await send("data: [DONE]\n\n", false);
                res.end();
            })();
        });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    Object.assign(fake, { port, url: `http://127.0.0.1:${port}` });
    return fake;
}
