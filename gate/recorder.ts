/**
 * Records reach the database even when it is away for a while: each is kept in memory and retried
 * (with a growing pause, up to `maxPauseMs`) until the store takes it, and what is not yet stored
 * still counts towards the person's month (`unflushedNanoUsd`), so a limit holds meanwhile.
 * A record retried after a reply was lost is not counted twice (the store keys calls by id).
 * Lost only if the process ends before the database is back, or past `maxBacklog` records.
 */
import { UsageRecord, UsageStore } from "./store";

export interface RecorderOptions {
    /** Writes at once. */
    readonly concurrency: number;
    /** Records per write at most. */
    readonly batch: number;
    readonly firstPauseMs: number;
    readonly maxPauseMs: number;
    /** Records kept at most while the database is away; older ones are dropped past it (and reported). */
    readonly maxBacklog: number;
    readonly onError: (error: unknown, backlog: number) => void;
    readonly onDrop: (record: UsageRecord) => void;
}

const key = (person: string, month: string) => `${month}\u0000${person}`;

export class Recorder {
    private readonly queue: UsageRecord[] = [];
    private readonly unflushed = new Map<string, number>();
    /** Writes under way, and the records in them. */
    private writes = 0;
    private writing = 0;
    private pause = 0;
    private resumeAt = 0;
    private timer: NodeJS.Timeout | undefined;
    private idle: (() => void)[] = [];

    constructor(
        private readonly store: UsageStore,
        private readonly options: RecorderOptions,
    ) {}

    /** Records not yet stored. */
    get backlog(): number {
        return this.queue.length + this.writing;
    }

    /** What the person spent this month that the store does not have yet. */
    unflushedNanoUsd(person: string, month: string): number {
        return this.unflushed.get(key(person, month)) ?? 0;
    }

    add(record: UsageRecord): void {
        const k = key(record.person, record.month);
        this.unflushed.set(k, (this.unflushed.get(k) ?? 0) + record.costNanoUsd);
        this.queue.push(record);
        if (this.queue.length > this.options.maxBacklog) {
            const dropped = this.queue.shift()!;
            this.settle(dropped);
            this.options.onDrop(dropped);
        }
        this.pump();
    }

    /** Resolves when every record is stored, or after `timeoutMs`; true when all were. */
    flush(timeoutMs: number): Promise<boolean> {
        if (this.backlog === 0) {
            return Promise.resolve(true);
        }
        return new Promise((resolve) => {
            const timer = setTimeout(() => resolve(false), timeoutMs);
            this.idle.push(() => {
                clearTimeout(timer);
                resolve(true);
            });
        });
    }

    private settle(record: UsageRecord): void {
        const k = key(record.person, record.month);
        const left = (this.unflushed.get(k) ?? 0) - record.costNanoUsd;
        if (left <= 0) {
            this.unflushed.delete(k);
        } else {
            this.unflushed.set(k, left);
        }
    }

    private pump(): void {
        const wait = this.resumeAt - Date.now();
        if (wait > 0) {
            this.timer ??= setTimeout(() => {
                this.timer = undefined;
                this.pump();
            }, wait);
            return;
        }
        while (this.writes < this.options.concurrency && this.queue.length > 0) {
            const batch = this.queue.splice(0, this.options.batch);
            this.writes++;
            this.writing += batch.length;
            this.store.record(batch).then(
                () => {
                    this.writes--;
                    this.writing -= batch.length;
                    this.pause = 0;
                    batch.forEach((r) => this.settle(r));
                    this.pump();
                    if (this.backlog === 0) {
                        this.idle.splice(0).forEach((f) => f());
                    }
                },
                (error) => {
                    this.writes--;
                    this.writing -= batch.length;
                    this.queue.unshift(...batch);
                    this.pause = Math.min(
                        this.options.maxPauseMs,
                        this.pause ? this.pause * 2 : this.options.firstPauseMs,
                    );
                    this.resumeAt = Date.now() + this.pause;
                    this.options.onError(error, this.backlog);
                    this.pump();
                },
            );
        }
    }

    /** Stops retrying (at shutdown, after flush). */
    stop(): void {
        if (this.timer) {
            clearTimeout(this.timer);
            this.timer = undefined;
        }
    }
}
