/**
 * Runs a rendered boot script the way a host runs it at every boot, without touching this
 * machine: in a mount namespace of its own whose /etc, /usr/local, /var, /root and /opt are
 * overlays (setup/overlay-run.sh), so every file the script writes lands in a "disk" folder that
 * the next boot sees again. Docker, dnf and systemctl are stubs that record their calls; the AWS
 * CLI and jq are real, the CLI talking to moto.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { AwsEmulator, workDir } from "./components";
import { Completed, Daemon, run, startDaemon } from "./process";

const SETUP = path.join(__dirname, "..", "setup");
const STUBS = path.join(__dirname, "..", "stubs");
const TREES = ["etc", "usr/local", "var", "root", "opt"];

/** One path the script created or changed, as the host sees it. */
export interface WrittenFile {
    readonly path: string;
    readonly kind: "file" | "dir" | "symlink" | "deleted";
    /** Permission bits, e.g. "0600". */
    readonly mode: string;
    readonly sha256?: string;
}

export interface Boot {
    readonly result: Completed;
    /** Every call to docker, dnf and systemctl, in order. */
    readonly calls: readonly string[];
    /** Every docker call's arguments (after `docker`), word for word, in order. */
    readonly dockerArgv: readonly (readonly string[])[];
    /** What the host's disk holds that the machine image did not, after this boot. */
    readonly written: readonly WrittenFile[];
}

export class HostDisk {
    private boots = 0;

    constructor(
        readonly name: string,
        private readonly aws: AwsEmulator,
    ) {}

    private get stateDir(): string {
        return workDir("disks", this.name);
    }

    /** Where a host path's written copy is (e.g. /etc/ai-portal/x), to read it. */
    file(hostPath: string): string {
        return path.join(this.stateDir, "upper", hostPath);
    }

    read(hostPath: string): string {
        return fs.readFileSync(this.file(hostPath), "utf8");
    }

    /** Runs the boot script as root, as cloud-init does, on this host's disk. */
    async boot(script: string): Promise<Boot> {
        this.boots += 1;
        const dir = workDir("disks", `${this.name}-boot${this.boots}`);
        const scriptFile = path.join(dir, "user-data.sh");
        const log = path.join(dir, "calls.log");
        fs.writeFileSync(scriptFile, script, { mode: 0o700 });
        fs.writeFileSync(log, "");
        const result = await this.inside(["bash", scriptFile], { AI_PORTAL_STUB_LOG: log });
        const argv = `${log}.argv`;
        return {
            result,
            calls: fs.readFileSync(log, "utf8").split("\n").filter(Boolean),
            dockerArgv: fs.existsSync(argv)
                ? fs
                      .readFileSync(argv, "utf8")
                      .split("\n")
                      .filter(Boolean)
                      .map((line) => JSON.parse(line))
                : [],
            written: this.written(),
        };
    }

    /** Runs a command on this host's disk (e.g. a health probe the boot script installed). */
    inside(
        command: readonly string[],
        env: Readonly<Record<string, string>> = {},
    ): Promise<Completed> {
        return run("bash", [path.join(SETUP, "overlay-run.sh"), this.stateDir, ...command], {
            env: this.environment(env),
            timeoutMs: 120_000,
        });
    }

    /** Starts a server on this host's disk (overlay-run.sh execs it: the PID is the server's). */
    serve(
        name: string,
        command: readonly string[],
        ready: () => Promise<boolean>,
    ): Promise<Daemon> {
        return startDaemon(
            name,
            "bash",
            [path.join(SETUP, "overlay-run.sh"), this.stateDir, ...command],
            {
                env: this.environment({}),
                logFile: path.join(
                    workDir("disks"),
                    `${this.name}-${name.toLowerCase().replace(/\W+/g, "-")}.log`,
                ),
                ready,
            },
        );
    }

    /** A root process's environment on this host, as cloud-init or systemd gives it, plus AWS at moto. */
    private environment(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
        return {
            PATH: `${STUBS}:${process.env.PATH}`,
            HOME: "/root",
            LANG: "C.UTF-8",
            AI_PORTAL_IT_HOSTS: process.env.AI_PORTAL_IT_HOSTS ?? "",
            ...this.aws.env,
            ...env,
        };
    }

    /** Everything in the overlays' upper folders: what the boots wrote, deleted or changed. */
    written(): WrittenFile[] {
        const out: WrittenFile[] = [];
        const walk = (upperDir: string, hostDir: string) => {
            for (const entry of fs
                .readdirSync(upperDir, { withFileTypes: true })
                .sort((a, b) => (a.name < b.name ? -1 : 1))) {
                const upper = path.join(upperDir, entry.name);
                const host = path.join(hostDir, entry.name);
                const stat = fs.lstatSync(upper);
                const mode = (stat.mode & 0o7777).toString(8).padStart(4, "0");
                if (entry.isCharacterDevice() && stat.rdev === 0) {
                    out.push({ path: host, kind: "deleted", mode });
                } else if (entry.isDirectory()) {
                    // Folders the image already had are only copied up to hold what was written in them.
                    if (!fs.existsSync(host)) {
                        out.push({ path: host, kind: "dir", mode });
                    }
                    walk(upper, host);
                } else if (entry.isSymbolicLink()) {
                    out.push({ path: host, kind: "symlink", mode });
                } else {
                    out.push({
                        path: host,
                        kind: "file",
                        mode,
                        sha256: createHash("sha256").update(fs.readFileSync(upper)).digest("hex"),
                    });
                }
            }
        };
        for (const tree of TREES) {
            const upper = path.join(this.stateDir, "upper", tree);
            if (fs.existsSync(upper)) {
                walk(upper, `/${tree}`);
            }
        }
        return out;
    }
}

/** Parses a Docker env file (KEY=VALUE per line, taken literally, as `docker run --env-file` does). */
export function parseEnvFile(text: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const line of text.split("\n")) {
        if (line.trim() === "" || line.startsWith("#")) {
            continue;
        }
        const eq = line.indexOf("=");
        if (eq < 1) {
            throw new Error(`not an env file line: ${line}`);
        }
        const key = line.slice(0, eq);
        if (key in env) {
            throw new Error(`${key} is set twice`);
        }
        env[key] = line.slice(eq + 1);
    }
    return env;
}
