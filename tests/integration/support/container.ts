/**
 * `docker run` as the boot scripts render it, parsed, and run without a Docker engine in a fake of
 * the image built from its description (support/upstreamImages.ts): setup/container-run.sh chroots
 * into a root holding this machine's interpreter with only the Python modules the image lists, the
 * image's files where the image has them, and the command's volumes mounted where it mounts them;
 * the process starts in the image's WORKDIR, as its USER, with the image's ENV overlaid by the
 * `--env-file` files (read from the host's disk) and then the `--env` values, as Docker applies
 * them: nothing else (no PYTHONPATH, no test variables).
 */
import * as fs from "fs";
import * as path from "path";
import { workDir } from "./components";
import { HostDisk, parseEnvFile } from "./host";
import { Completed, run } from "./process";
import { UpstreamImage } from "./upstreamImages";

/** A `docker run` command line, taken apart. */
export interface DockerRun {
    readonly image: string;
    /** The command after the image (empty: the image's CMD). */
    readonly command: readonly string[];
    readonly envFiles: readonly string[];
    /** `--env` values, in order. */
    readonly env: readonly { readonly name: string; readonly value: string }[];
    readonly volumes: readonly {
        /** A host path (starts with /) or a named volume. */
        readonly source: string;
        readonly target: string;
        readonly readOnly: boolean;
    }[];
    readonly workdir?: string;
    readonly user?: string;
    readonly healthCmd?: string;
}

/** Splits a command line into words as a shell (or systemd's ExecStart=) does: quotes and backslashes. */
export function splitWords(line: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (/\s/.test(c)) {
            if (word !== undefined) {
                words.push(word);
                word = undefined;
            }
        } else if (c === "'") {
            const end = line.indexOf("'", i + 1);
            if (end === -1) throw new Error(`unterminated ' in: ${line}`);
            word = (word ?? "") + line.slice(i + 1, end);
            i = end;
        } else if (c === '"') {
            word = word ?? "";
            for (i++; i < line.length && line[i] !== '"'; i++) {
                word += line[i] === "\\" ? line[++i] : line[i];
            }
            if (i >= line.length) throw new Error(`unterminated " in: ${line}`);
        } else if (c === "\\") {
            word = (word ?? "") + line[++i];
        } else {
            word = (word ?? "") + c;
        }
    }
    if (word !== undefined) words.push(word);
    return words;
}

/** Options that take a value and change nothing inside the container's filesystem or environment. */
const OUTSIDE_OPTIONS = new Set([
    "--name",
    "--publish",
    "-p",
    "--dns",
    "--dns-option",
    "--log-driver",
    "--log-opt",
    "--health-interval",
    "--health-timeout",
    "--health-retries",
    "--health-start-period",
    "--network",
    "--restart",
]);
const OUTSIDE_FLAGS = new Set(["--rm", "--detach", "-d", "--init"]);

/**
 * Parses `docker run ...`: a docker call's words (Boot.dockerArgv), or a command line such as a
 * unit's `ExecStart=/usr/bin/docker run ...`. An option it does not know throws: each new option
 * needs a decision about what the fake does.
 */
export function parseDockerRun(call: string | readonly string[]): DockerRun {
    const words = typeof call === "string" ? splitWords(call) : [...call];
    const line = words.join(" ");
    const at = words.indexOf("run");
    if (at === -1 || !/(^|\/)docker$/.test(words[at - 1] ?? "docker")) {
        throw new Error(`not a docker run: ${line}`);
    }
    const envFiles: string[] = [];
    const env: { name: string; value: string }[] = [];
    const volumes: { source: string; target: string; readOnly: boolean }[] = [];
    let workdir: string | undefined;
    let user: string | undefined;
    let healthCmd: string | undefined;
    let i = at + 1;
    for (; i < words.length && words[i].startsWith("-"); i++) {
        const option = words[i];
        const value = words[i + 1];
        if (OUTSIDE_FLAGS.has(option)) continue;
        i++;
        if (OUTSIDE_OPTIONS.has(option)) continue;
        switch (option) {
            case "--env-file":
                envFiles.push(value);
                break;
            case "--env":
            case "-e": {
                const eq = value.indexOf("=");
                if (eq < 1)
                    throw new Error(`--env without a value (taken from the host): ${value}`);
                env.push({ name: value.slice(0, eq), value: value.slice(eq + 1) });
                break;
            }
            case "--volume":
            case "-v": {
                const [source, target, mode, ...rest] = value.split(":");
                if (
                    !target ||
                    rest.length > 0 ||
                    (mode !== undefined && mode !== "ro" && mode !== "rw")
                ) {
                    throw new Error(`unexpected --volume ${value}`);
                }
                volumes.push({ source, target, readOnly: mode === "ro" });
                break;
            }
            case "--workdir":
            case "-w":
                workdir = value;
                break;
            case "--user":
            case "-u":
                user = value;
                break;
            case "--health-cmd":
                healthCmd = value;
                break;
            default:
                throw new Error(
                    `docker run option ${option} is unknown to support/container.ts: ${line}`,
                );
        }
    }
    if (i >= words.length) throw new Error(`docker run without an image: ${line}`);
    return {
        image: words[i],
        command: words.slice(i + 1),
        envFiles,
        env,
        volumes,
        workdir,
        user,
        healthCmd,
    };
}

/**
 * The container's environment as Docker builds it: HOSTNAME (the container's id) and HOME (the
 * user's home) unless set, the image's ENV, then each --env-file, then each --env (later wins).
 */
export function containerEnv(
    image: UpstreamImage,
    docker: DockerRun,
    disk: HostDisk,
): Record<string, string> {
    const env: Record<string, string> = {
        HOSTNAME: "0123456789ab",
        HOME: image.user.home,
        ...image.env,
    };
    for (const file of docker.envFiles) {
        Object.assign(env, parseEnvFile(disk.read(file)));
    }
    for (const { name, value } of docker.env) {
        env[name] = value;
    }
    return env;
}

/** Where this machine keeps what a fake image needs. */
const DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages";
const CONTAINER_RUN = path.join(__dirname, "..", "setup", "container-run.sh");

/** The files of each image's fake (the parts of the image the tests exercise), by image name. */
const FAKE_FILES: Record<string, string | undefined> = {
    // /app/backend/open_webui: env.py, config.py and an Alembic migration, as upstream lays them out.
    "Open WebUI": path.join(__dirname, "..", "python", "fake_open_webui"),
};

/**
 * This machine's interpreter standing in for each image's: Debian's python3 for Open WebUI (3.11,
 * as its image; Debian packages SQLAlchemy, psycopg2 and Alembic), the machine image's Python
 * (which has boto3) for the gateway, placed in /usr/local as python:*-slim places it. Either way
 * with only the modules the image lists.
 */
const FAKE_PYTHON: Record<string, "debian" | "machine"> = {
    "Open WebUI": "debian",
    "Bedrock Access Gateway": "machine",
};

async function interpreterMounts(image: UpstreamImage): Promise<string[]> {
    const mounts: string[] = [];
    const keep = (from: string, into: string) => {
        mounts.push("--tmpfs", into);
        const entries = fs.readdirSync(from);
        for (const module of image.pythonModules) {
            const matches = entries.filter(
                (e) =>
                    e === module ||
                    e === `${module}.py` ||
                    (e.startsWith(`${module}.`) && e.endsWith(".so")),
            );
            for (const entry of matches) {
                mounts.push("--bind", `${path.join(from, entry)}:${path.join(into, entry)}:ro`);
            }
        }
    };
    if (FAKE_PYTHON[image.name] === "debian") {
        keep(DEBIAN_PACKAGES, DEBIAN_PACKAGES);
        return mounts;
    }
    const python = fs.realpathSync(
        (await run("bash", ["-c", "python3 -c 'import sys; print(sys.prefix)'"])).stdout.trim(),
    );
    const version = (
        await run(path.join(python, "bin", "python3"), [
            "-c",
            "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')",
        ])
    ).stdout.trim();
    mounts.push("--bind", `${python}:/usr/local:ro`, "--tmpfs", "/usr/local/bin");
    for (const name of ["python3", "python"]) {
        mounts.push(
            "--bind",
            `${path.join(python, "bin", `python${version}`)}:/usr/local/bin/${name}:ro`,
        );
    }
    keep(
        path.join(python, "lib", `python${version}`, "site-packages"),
        `/usr/local/lib/python${version}/site-packages`,
    );
    return mounts;
}

export interface ContainerRunOptions {
    /** A folder for each named volume (default: a fresh one per run). */
    readonly volumes?: Readonly<Record<string, string>>;
    /** Set beside the container's environment (e.g. the emulator's endpoint and credentials that
     * stand in for the instance role). Say why at each use. */
    readonly extraEnv?: Readonly<Record<string, string>>;
    /** Files of the test itself mounted read-only (e.g. a probe script): host path -> container path. */
    readonly probes?: Readonly<Record<string, string>>;
    /** Replaces the docker command's own command (e.g. a probe); default: the rendered one. */
    readonly command?: readonly string[];
    readonly timeoutMs?: number;
}

let runs = 0;

/** Runs a rendered `docker run` in the image's fake, its host paths read from `disk`. */
export async function runInImage(
    image: UpstreamImage,
    docker: DockerRun,
    disk: HostDisk,
    options: ContainerRunOptions = {},
): Promise<Completed> {
    if (!image.reference.test(docker.image)) {
        throw new Error(`${docker.image} is not ${image.name}`);
    }
    const command = options.command ?? (docker.command.length > 0 ? docker.command : image.cmd);
    runs += 1;
    const scratch = workDir("containers", `${disk.name}-${runs}`);
    const mounts = await interpreterMounts(image);
    const fake = FAKE_FILES[image.name];
    if (fake) {
        // A fresh copy per run, as each container gets the image's layers afresh.
        const layer = path.join(scratch, "image");
        fs.cpSync(fake, layer, { recursive: true });
        for (const top of fs.readdirSync(layer)) {
            mounts.push("--bind", `${path.join(layer, top)}:/${top}`);
        }
    }
    for (const volume of docker.volumes) {
        let source: string;
        if (volume.source.startsWith("/")) {
            source = disk.file(volume.source);
            if (!fs.existsSync(source)) {
                throw new Error(`--volume ${volume.source}: the boot script did not write it`);
            }
        } else {
            source =
                options.volumes?.[volume.source] ??
                workDir("containers", `${disk.name}-${runs}-${volume.source}`);
        }
        mounts.push("--bind", `${source}:${volume.target}${volume.readOnly ? ":ro" : ""}`);
    }
    for (const [from, to] of Object.entries(options.probes ?? {})) {
        mounts.push("--bind", `${from}:${to}:ro`);
    }
    // The suite's private hosts file (the database's name resolves to the loopback), as Docker gives
    // a container the host's name resolution.
    mounts.push("--bind", `${process.env.AI_PORTAL_IT_HOSTS}:/etc/hosts:ro`);
    const user = `${image.user.uid}:${image.user.gid}`;
    return run(
        "bash",
        [
            CONTAINER_RUN,
            scratch,
            "--workdir",
            docker.workdir ?? image.workdir,
            "--user",
            docker.user ?? user,
            ...mounts,
            "--",
            ...command,
        ],
        {
            env: { ...containerEnv(image, docker, disk), ...options.extraEnv },
            timeoutMs: options.timeoutMs ?? 60_000,
        },
    );
}
