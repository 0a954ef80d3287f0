/**
 * Log lines written without holding up calls: Node writes to a pipe synchronously on Linux
 * (process.stdout), so a slow reader of the gate's output (the container's log driver) would stall
 * every call. Lines are gathered and written together by libuv's thread pool, one write at a time;
 * past `maxBufferedBytes` waiting, lines are dropped and the count is logged once there is room.
 */
import * as fs from "fs";

export class LineWriter {
    private lines: string[] = [];
    private bytes = 0;
    private writing = false;
    private scheduled = false;
    private dropped = 0;
    private idle: (() => void)[] = [];

    constructor(
        private readonly fd: number,
        private readonly maxBufferedBytes = 16 * 1024 * 1024,
    ) {}

    write(line: string): void {
        if (this.bytes + line.length > this.maxBufferedBytes) {
            this.dropped++;
            return;
        }
        this.lines.push(line);
        this.bytes += line.length + 1;
        if (!this.scheduled && !this.writing) {
            this.scheduled = true;
            setImmediate(() => this.flush());
        }
    }

    /** Resolves once everything given so far is written. */
    drain(): Promise<void> {
        if (!this.writing && !this.scheduled && this.lines.length === 0) {
            return Promise.resolve();
        }
        return new Promise((resolve) => this.idle.push(resolve));
    }

    private flush(): void {
        this.scheduled = false;
        if (this.dropped > 0) {
            this.lines.push(
                JSON.stringify({ event: "usage-gate-log-dropped", lines: this.dropped }),
            );
            this.dropped = 0;
        }
        if (this.lines.length === 0) {
            this.idle.splice(0).forEach((f) => f());
            return;
        }
        const text = Buffer.from(this.lines.join("\n") + "\n");
        this.lines = [];
        this.bytes = 0;
        this.writing = true;
        this.writeAll(text, () => {
            this.writing = false;
            this.flush();
        });
    }

    private writeAll(buf: Buffer, done: () => void): void {
        fs.write(this.fd, buf, 0, buf.length, null, (error, written) => {
            if (error && error.code === "EAGAIN") {
                setTimeout(() => this.writeAll(buf, done), 5);
            } else if (!error && written < buf.length) {
                this.writeAll(buf.subarray(written), done);
            } else {
                done();
            }
        });
    }
}
