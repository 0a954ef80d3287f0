/**
 * The guard between the boot scripts and the upstream images: every `docker run` each stack's
 * hosts make (the one-off containers the boot runs and the units' services) relies only on what the
 * image's description (support/upstreamImages.ts, from the upstream Dockerfiles) lists: programs,
 * Python modules on that process's sys.path, environment variables, files, volume paths. The fakes
 * the other tests run the containers in are built from the same descriptions.
 */
import * as assert from "assert";
import * as fs from "fs";
import { containerEnv, DockerRun, parseDockerRun } from "./support/container";
import { bootedHost, BootedHost, STACKS } from "./support/fixtures";
import { GuardContext, relianceProblems } from "./support/imageGuard";
import { run } from "./support/process";
import { describedImage, OPEN_WEBUI_IMAGE, UNDESCRIBED_IMAGES } from "./support/upstreamImages";

let stdlibNames: Promise<ReadonlySet<string>> | undefined;
/** Python's standard library, as the images' interpreters have it (sys.stdlib_module_names). */
function stdlib(): Promise<ReadonlySet<string>> {
    return (stdlibNames ??= run("/usr/bin/python3", [
        "-c",
        "import json, sys; print(json.dumps(sorted(sys.stdlib_module_names)))",
    ]).then((r) => new Set(JSON.parse(r.stdout))));
}

/** Every docker run a host makes: the boot's own calls and its units' ExecStart lines. */
function dockerRuns(host: BootedHost): { where: string; docker: DockerRun }[] {
    const runs = host.first.dockerArgv
        .filter((argv) => argv[0] === "run")
        .map((argv) => ({ where: "the boot script", docker: parseDockerRun(argv) }));
    for (const file of host.first.written) {
        if (file.kind === "file" && file.path.startsWith("/etc/systemd/system/")) {
            for (const m of host.disk
                .read(file.path)
                .matchAll(/^ExecStart=(\S*docker run .*)$/gm)) {
                runs.push({ where: file.path, docker: parseDockerRun(m[1]) });
            }
        }
    }
    return runs;
}

async function contextFor(host: BootedHost, docker: DockerRun): Promise<GuardContext> {
    const image = describedImage(docker.image)!;
    return {
        image,
        env: new Set(Object.keys(containerEnv(image, docker, host.disk))),
        stdlib: await stdlib(),
        readHostFile: (hostPath) =>
            fs.existsSync(host.disk.file(hostPath)) ? host.disk.read(hostPath) : undefined,
    };
}

for (const stack of STACKS) {
    for (const role of ["web", "gateway"] as const) {
        describe(`upstream images (${stack}, ${role} host): the boot script relies only on what the images have`, () => {
            it("every docker run names a described image and needs nothing its description lacks", async () => {
                const host = await bootedHost(`${stack}-${role}`);
                assert.strictEqual(host.first.result.code, 0, host.first.result.stderr);
                const runs = dockerRuns(host);
                assert.ok(runs.length > 0, "the host runs containers");
                const problems: string[] = [];
                for (const { where, docker } of runs) {
                    if (describedImage(docker.image)) {
                        const found = relianceProblems(docker, await contextFor(host, docker));
                        problems.push(...found.map((p) => `${where}: ${docker.image}: ${p}`));
                    } else if (
                        !UNDESCRIBED_IMAGES.some((r) => r.test(docker.image)) ||
                        docker.command.length > 0 ||
                        docker.healthCmd !== undefined
                    ) {
                        problems.push(
                            `${where}: ${docker.image} is not described (support/upstreamImages.ts)`,
                        );
                    }
                }
                assert.deepStrictEqual(problems, []);
            });
        });
    }
}

describe("upstream images: the guard itself", () => {
    /** The migration as the boot script ran it before issue 17's fix, and the script it ran then. */
    const migrate = parseDockerRun(
        "docker run --rm --name open-webui-migrate --env-file /etc/ai-portal/open-webui.env --volume open-webui-data:/app/backend/data --env ENABLE_DB_MIGRATIONS=true --volume /etc/ai-portal/migrate.py:/opt/ai-portal/migrate.py:ro ghcr.io/open-webui/open-webui@sha256:72c0ba641ba75e7aa52655cb242570906ececd09b1140fb736483038a22b3228 python3 /opt/ai-portal/migrate.py",
    );
    const unfixed = [
        "import os",
        "",
        "import sqlalchemy",
        "",
        'engine = sqlalchemy.create_engine(os.environ["DATABASE_URL"])',
        "with engine.connect() as connection:",
        "    try:",
        "        import open_webui.config  # noqa: F401  (migrates on import)",
        "    finally:",
        "        pass",
    ].join("\n");
    const context = async (script: string, env: string[]): Promise<GuardContext> => ({
        image: OPEN_WEBUI_IMAGE,
        env: new Set([...Object.keys(OPEN_WEBUI_IMAGE.env), ...env]),
        stdlib: await stdlib(),
        readHostFile: (p) => (p === "/etc/ai-portal/migrate.py" ? script : undefined),
    });

    it("catches the unfixed migration: open_webui is not on the path of python3 /opt/ai-portal/migrate.py", async () => {
        assert.deepStrictEqual(
            relianceProblems(
                migrate,
                await context(unfixed, ["DATABASE_URL", "ENABLE_DB_MIGRATIONS"]),
            ),
            [
                "its command (/opt/ai-portal/migrate.py) imports open_webui, which the image has only as a folder in /app/backend (its WORKDIR, no PYTHONPATH), not on that process's path (/opt/ai-portal)",
            ],
        );
    });

    it("accepts it once the script puts the working directory (the image's WORKDIR) on its path first", async () => {
        const fixed = unfixed.replace(
            "import sqlalchemy",
            "import sys\nsys.path.insert(0, os.getcwd())\nimport sqlalchemy",
        );
        assert.deepStrictEqual(
            relianceProblems(
                migrate,
                await context(fixed, ["DATABASE_URL", "ENABLE_DB_MIGRATIONS"]),
            ),
            [],
        );
    });

    it("catches a module the image does not install, a variable nobody sets, and a program the image lacks", async () => {
        const script = unfixed.replace("import sqlalchemy", "import sqlalchemy\nimport moto");
        assert.deepStrictEqual(
            relianceProblems(
                {
                    ...migrate,
                    command: ["python3", "-c", "import open_webui.config"],
                    healthCmd: "curl -sf http://127.0.0.1:8080/health",
                },
                await context(script, []),
            ).concat(relianceProblems(migrate, await context(script, []))),
            [
                // -c from the WORKDIR: open_webui is found; curl is in the Open WebUI image.
                "its command (/opt/ai-portal/migrate.py) imports moto, which the image does not install",
                "its command (/opt/ai-portal/migrate.py) imports open_webui, which the image has only as a folder in /app/backend (its WORKDIR, no PYTHONPATH), not on that process's path (/opt/ai-portal)",
                "its command (/opt/ai-portal/migrate.py) requires DATABASE_URL, which neither the image nor the docker command sets",
            ],
        );
        assert.deepStrictEqual(
            relianceProblems(
                { ...migrate, command: [], healthCmd: "wget -q http://127.0.0.1:8080/health" },
                await context(unfixed, []),
            ),
            [
                "its health check starts wget, which the image does not have (python3, python, bash, sh, curl, jq, uvicorn)",
            ],
        );
    });
});
