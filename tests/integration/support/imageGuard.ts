/**
 * What a rendered `docker run` relies on inside its image, checked against the image's description
 * (support/upstreamImages.ts) rather than against a fake: the program it starts and the health
 * check's, the Python modules its scripts import (and whether each is on that process's sys.path:
 * `python3 /elsewhere/x.py` does not see the image's WORKDIR), the environment variables they
 * require, the files it runs, the paths it mounts over. A fake that had more than the image (a
 * PYTHONPATH, a package installed by hand) cannot hide a gap from this.
 */
import * as path from "path";
import { DockerRun, splitWords } from "./container";
import { UpstreamImage } from "./upstreamImages";

export interface GuardContext {
    /** The image's description. */
    readonly image: UpstreamImage;
    /** Names in the container's environment (the image's ENV, --env-file, --env). */
    readonly env: ReadonlySet<string>;
    /** Top-level modules of Python's standard library. */
    readonly stdlib: ReadonlySet<string>;
    /** The text of a host file a volume mounts (undefined: the boot script did not write it). */
    readonly readHostFile: (hostPath: string) => string | undefined;
}

const PYTHONS = new Set(["python3", "python"]);

/** Every way `docker` (its command, health check, volumes) relies on something the image lacks. */
export function relianceProblems(docker: DockerRun, context: GuardContext): string[] {
    const { image } = context;
    const problems: string[] = [];
    const cwd = docker.workdir ?? image.workdir;
    for (const volume of docker.volumes) {
        if (
            (volume.target === image.workdir || volume.target.startsWith(`${image.workdir}/`)) &&
            !image.volumePaths.includes(volume.target)
        ) {
            problems.push(
                `mounts ${volume.source} over ${volume.target}, inside the image's ${image.workdir} (only ${image.volumePaths.join(", ") || "nothing"} may be)`,
            );
        }
        if (volume.source.startsWith("/") && context.readHostFile(volume.source) === undefined) {
            problems.push(`mounts ${volume.source}, which the boot script did not write`);
        }
    }
    if (docker.command.length > 0) {
        problems.push(...commandProblems(docker.command, "its command", docker, cwd, context));
    }
    if (docker.healthCmd !== undefined) {
        // Docker runs a --health-cmd with the image's /bin/sh -c.
        problems.push(
            ...commandProblems(
                splitWords(docker.healthCmd),
                "its health check",
                docker,
                cwd,
                context,
            ),
        );
    }
    return problems;
}

function commandProblems(
    argv: readonly string[],
    what: string,
    docker: DockerRun,
    cwd: string,
    context: GuardContext,
): string[] {
    const { image } = context;
    const program = argv[0];
    if (!image.executables.includes(path.basename(program))) {
        return [
            `${what} starts ${program}, which the image does not have (${image.executables.join(", ")})`,
        ];
    }
    if (!PYTHONS.has(path.basename(program))) {
        return [];
    }
    const rest = argv.slice(1);
    if (rest[0] === "-c") {
        return pythonProblems(rest[1], `${what} (python3 -c)`, cwd, cwd, context);
    }
    if (rest[0] === "-m") {
        return pythonProblems(`import ${rest[1]}`, `${what} (python3 -m)`, cwd, cwd, context);
    }
    if (rest[0] === undefined || rest[0].startsWith("-")) {
        return [`${what}: python3 ${rest.join(" ")} is a form this guard does not read yet`];
    }
    const script = rest[0];
    const volume = docker.volumes.find(
        (v) => script === v.target || script.startsWith(`${v.target}/`),
    );
    const text = volume?.source.startsWith("/")
        ? context.readHostFile(path.join(volume.source, path.relative(volume.target, script)))
        : undefined;
    if (text === undefined) {
        return [`${what} runs ${script}, which no volume of the boot script's provides`];
    }
    // `python3 <file>` puts the file's folder first on sys.path, not the working directory.
    return pythonProblems(text, `${what} (${script})`, path.dirname(script), cwd, context);
}

/** Where `code` puts folders on sys.path: `sys.path.insert(0, os.getcwd())` or a literal path. */
function pathInsertions(code: string, cwd: string): { at: number; dir: string }[] {
    const out: { at: number; dir: string }[] = [];
    for (const m of code.matchAll(
        /sys\.path\.(?:insert\(\s*\d+\s*,|append\()\s*(os\.getcwd\(\)|"[^"]+"|'[^']+')\s*\)/g,
    )) {
        out.push({ at: m.index!, dir: m[1].startsWith("os.") ? cwd : m[1].slice(1, -1) });
    }
    return out;
}

/** Python source's absolute imports (top-level module names) with where each is. */
function imports(code: string): { at: number; module: string }[] {
    const out: { at: number; module: string }[] = [];
    // Statements start a line or follow a semicolon (python3 -c 'import a; import b').
    for (const m of code.matchAll(
        /(?:^|;)[ \t]*(?:import[ \t]+([\w., \t]+)|from[ \t]+(\w[\w.]*)[ \t]+import\b)/gm,
    )) {
        const names =
            m[1] !== undefined ? m[1].split(",").map((n) => n.trim().split(/\s+/)[0]) : [m[2]];
        for (const name of names) {
            out.push({ at: m.index!, module: name.split(".")[0] });
        }
    }
    return out;
}

function pythonProblems(
    code: string,
    what: string,
    firstOnPath: string,
    cwd: string,
    context: GuardContext,
): string[] {
    const { image } = context;
    const problems: string[] = [];
    const inserted = pathInsertions(code, cwd);
    for (const { at, module } of imports(code)) {
        if (context.stdlib.has(module) || image.pythonModules.includes(module)) {
            continue;
        }
        if (!image.workdirModules.includes(module)) {
            problems.push(`${what} imports ${module}, which the image does not install`);
            continue;
        }
        const sysPath = [firstOnPath, ...inserted.filter((i) => i.at < at).map((i) => i.dir)];
        if (!sysPath.includes(image.workdir)) {
            problems.push(
                `${what} imports ${module}, which the image has only as a folder in ${image.workdir} (its WORKDIR, no PYTHONPATH), not on that process's path (${sysPath.join(", ")})`,
            );
        }
    }
    for (const m of code.matchAll(/os\.environ\[\s*["'](\w+)["']\s*\]/g)) {
        if (!context.env.has(m[1])) {
            problems.push(
                `${what} requires ${m[1]}, which neither the image nor the docker command sets`,
            );
        }
    }
    return problems;
}
