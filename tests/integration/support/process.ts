/**
 * Child processes for the integration suite: commands that run to completion, and daemons that
 * the suite starts, waits for and stops by PID. Every daemon is registered, so the root hook can
 * stop whatever is still running when the suite ends (and the suite's PID namespace kills anything
 * left behind if the suite itself dies).
 */
import { ChildProcess, spawn, SpawnOptions } from "child_process";
import * as fs from "fs";
import * as net from "net";

export interface Completed {
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly stdout: string;
    readonly stderr: string;
}

export interface RunOptions extends SpawnOptions {
    /** Written to the command's standard input, then closed. */
    readonly input?: string;
    /** Killed (SIGKILL) after this long; the result then has signal SIGKILL. */
    readonly timeoutMs?: number;
}

/** Runs a command to completion and collects its output; never throws for a non-zero exit. */
export function run(
    command: string,
    args: readonly string[],
    options: RunOptions = {},
): Promise<Completed> {
    const { input, timeoutMs, ...spawnOptions } = options;
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { ...spawnOptions, stdio: ["pipe", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
        const timer = timeoutMs ? setTimeout(() => child.kill("SIGKILL"), timeoutMs) : undefined;
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(new Error(`cannot run ${command}: ${error.message}`));
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({
                code,
                signal,
                stdout: Buffer.concat(stdout).toString("utf8"),
                stderr: Buffer.concat(stderr).toString("utf8"),
            });
        });
        // A command that exits without reading its input closes the pipe: not an error here.
        child.stdin!.on("error", () => undefined);
        child.stdin!.end(input ?? "");
    });
}

/** Runs a command and returns its standard output; a non-zero exit throws with what it printed. */
export async function runOk(
    command: string,
    args: readonly string[],
    options: RunOptions = {},
): Promise<string> {
    const result = await run(command, args, options);
    if (result.code !== 0) {
        throw new Error(
            `${command} ${args.join(" ")} exited with ${result.code ?? result.signal}\n${result.stdout}${result.stderr}`.trimEnd(),
        );
    }
    return result.stdout;
}

export interface Daemon {
    readonly name: string;
    readonly pid: number;
    readonly logFile: string;
    /** Stops the daemon by PID (SIGTERM, then SIGKILL after a grace period) and waits for it. */
    stop(): Promise<void>;
}

const running = new Set<Daemon>();
const starting = new Set<Promise<unknown>>();

export interface DaemonOptions extends SpawnOptions {
    /** Where the daemon's output goes; shown when it fails to start. */
    readonly logFile: string;
    /** Resolves true once the daemon serves. */
    readonly ready: () => Promise<boolean>;
    readonly startTimeoutMs?: number;
}

function lastLines(file: string, count = 30): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-count).join("\n");
    } catch {
        return "(no log)";
    }
}

function exited(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
        } else {
            child.once("exit", () => resolve());
        }
    });
}

/** Starts a long-running process and waits until `ready` says it serves; fails with its log otherwise. */
export function startDaemon(
    name: string,
    command: string,
    args: readonly string[],
    options: DaemonOptions,
): Promise<Daemon> {
    const start = launch(name, command, args, options);
    starting.add(start);
    const settled = () => starting.delete(start);
    start.then(settled, settled);
    return start;
}

async function launch(
    name: string,
    command: string,
    args: readonly string[],
    options: DaemonOptions,
): Promise<Daemon> {
    const { logFile, ready, startTimeoutMs = 20_000, ...spawnOptions } = options;
    const log = fs.openSync(logFile, "a");
    const child = spawn(command, args, { ...spawnOptions, stdio: ["ignore", log, log] });
    fs.closeSync(log);
    let spawnError: Error | undefined;
    child.on("error", (error) => (spawnError = error));
    const done = exited(child);
    const daemon: Daemon = {
        name,
        pid: child.pid ?? -1,
        logFile,
        async stop() {
            running.delete(daemon);
            if (child.exitCode !== null || child.signalCode !== null) {
                return;
            }
            child.kill("SIGTERM");
            const grace = setTimeout(() => child.kill("SIGKILL"), 5_000);
            await done;
            clearTimeout(grace);
        },
    };
    running.add(daemon);
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
        if (spawnError || child.exitCode !== null || child.signalCode !== null) {
            running.delete(daemon);
            throw new Error(
                `${name} could not start (${spawnError?.message ?? `exit ${child.exitCode ?? child.signalCode}`}): ${command} ${args.join(" ")}\n${lastLines(logFile)}`,
            );
        }
        if (await ready().catch(() => false)) {
            return daemon;
        }
        await sleep(50);
    }
    await daemon.stop();
    throw new Error(
        `${name} did not become ready within ${startTimeoutMs} ms: ${command} ${args.join(" ")}\n${lastLines(logFile)}`,
    );
}

/**
 * Stops every daemon still running, newest first, once the ones still starting have started (or
 * failed): a component started in the background must not outlive the suite.
 */
export async function stopAllDaemons(pending: readonly Promise<unknown>[] = []): Promise<void> {
    await Promise.allSettled(pending);
    await Promise.allSettled([...starting]);
    for (const daemon of [...running].reverse()) {
        await daemon.stop();
    }
}

export function runningDaemons(): readonly Daemon[] {
    return [...running];
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ port, host });
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}
