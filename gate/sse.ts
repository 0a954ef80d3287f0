/**
 * Reads the usage out of a chat completion as it streams past, and drops the final usage chunk when
 * the client did not ask for it. Pure (no I/O): the server feeds it each chunk as it arrives and
 * forwards what it returns at once.
 *
 * The stream is the Bedrock Access Gateway's (src/api/models/base.py `stream_response_to_bytes`,
 * src/api/models/bedrock.py `chat_stream`): events `data: <json>\n\n`, a last usage chunk with
 * `"choices": []` and `usage` (sent only when the request's `stream_options.include_usage` is
 * true), then `data: [DONE]`; an error mid-stream is `data: {"error": {"message": ...}}`.
 */

export interface Usage {
    readonly inputTokens: number;
    readonly outputTokens: number;
}

/** The usage an OpenAI-compatible body reports (chat: prompt/completion tokens; embeddings: prompt). */
export function usageOf(body: unknown): Usage | undefined {
    const usage = (body as { usage?: unknown } | null)?.usage as
        { prompt_tokens?: unknown; completion_tokens?: unknown } | null | undefined;
    if (!usage || typeof usage.prompt_tokens !== "number") {
        return undefined;
    }
    return {
        inputTokens: usage.prompt_tokens,
        outputTokens: typeof usage.completion_tokens === "number" ? usage.completion_tokens : 0,
    };
}

const LF_LF = Buffer.from("\n\n");
const CRLF_CRLF = Buffer.from("\r\n\r\n");

/** Where the first event boundary in `buf` (from `from`) ends, or -1. */
function boundary(buf: Buffer, from: number): number {
    const lf = buf.indexOf(LF_LF, from);
    const crlf = buf.indexOf(CRLF_CRLF, from);
    if (lf === -1) {
        return crlf === -1 ? -1 : crlf + 4;
    }
    return crlf === -1 || lf < crlf ? lf + 2 : crlf + 4;
}

/** The JSON of an event's `data:` lines, or undefined when it has none or it is not JSON. */
function eventData(event: string): unknown {
    const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
        .join("\n");
    if (data === "" || data === "[DONE]") {
        return undefined;
    }
    try {
        return JSON.parse(data);
    } catch {
        return undefined;
    }
}

export class StreamUsageReader {
    /** The usage the stream reported, once its usage chunk has passed. */
    usage: Usage | undefined;
    /** The message of an error event, when upstream sent one. */
    error: string | undefined;
    private pending: Buffer = Buffer.alloc(0);

    /** @param strip drop the usage chunk (the client did not ask for it). */
    constructor(private readonly strip: boolean) {}

    /** Takes a chunk as it arrived; returns what to send the client now. */
    push(chunk: Buffer): Buffer {
        const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
        let start = 0;
        let kept: Buffer[] | undefined;
        let keptFrom = 0;
        for (let end = boundary(buf, 0); end !== -1; end = boundary(buf, start)) {
            const drop = this.inspect(buf.subarray(start, end));
            if (drop) {
                kept ??= [];
                kept.push(buf.subarray(keptFrom, start));
                keptFrom = end;
            }
            start = end;
        }
        // Without stripping, bytes go out as they came, whole events or not.
        if (!this.strip) {
            this.pending = start < buf.length ? Buffer.from(buf.subarray(start)) : Buffer.alloc(0);
            return chunk;
        }
        this.pending = start < buf.length ? Buffer.from(buf.subarray(start)) : Buffer.alloc(0);
        if (!kept) {
            return buf.subarray(0, start);
        }
        kept.push(buf.subarray(keptFrom, start));
        return Buffer.concat(kept);
    }

    /** At the end of the stream: whatever was held back (an unterminated last event). */
    end(): Buffer {
        const rest = this.pending;
        this.pending = Buffer.alloc(0);
        if (rest.length && this.inspect(rest)) {
            return Buffer.alloc(0);
        }
        return this.strip ? rest : Buffer.alloc(0);
    }

    /** Reads one event; true when it is the usage chunk and is to be dropped. */
    private inspect(event: Buffer): boolean {
        // Only the usage chunk and errors need parsing; content chunks are passed by unread.
        const text = event.toString("utf8");
        if (!text.includes('"usage"') && !text.includes('"error"')) {
            return false;
        }
        const data = eventData(text) as {
            choices?: unknown;
            usage?: unknown;
            error?: { message?: unknown };
        };
        if (!data || typeof data !== "object") {
            return false;
        }
        if (data.error && typeof data.error === "object" && !("choices" in data)) {
            this.error = String(data.error.message ?? "error");
        }
        const usage = usageOf(data);
        if (!usage) {
            return false;
        }
        this.usage = usage;
        return this.strip && Array.isArray(data.choices) && data.choices.length === 0;
    }
}
