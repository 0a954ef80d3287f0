/**
 * What the gate's image is built from (gate/Dockerfile): its own package.json and lockfile pin the
 * repository's versions, and gate/tsconfig.json compiles the gate alone (with the plan's price
 * table) into JavaScript that starts, and stops with its settings' problems listed. No Docker
 * engine here: the Dockerfile's steps are the commands run below.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));

describe("gate: its image's contents", function () {
    this.timeout(180_000);

    it("pins the repository's versions of its dependencies, in its lockfile too", () => {
        const root = read("package.json");
        const gate = read("gate/package.json");
        const lock = read("gate/package-lock.json");
        for (const [name, version] of Object.entries<string>({
            ...gate.dependencies,
            ...gate.devDependencies,
        })) {
            const rootVersion = root.dependencies[name] ?? root.devDependencies[name];
            assert.strictEqual(version, rootVersion, `${name} in gate/package.json`);
            assert.strictEqual(
                lock.packages[`node_modules/${name}`].version,
                version,
                `${name} locked`,
            );
        }
    });

    it("compiles on its own and starts from the output, refusing an empty environment", () => {
        const out = path.join(ROOT, "bin", "gate-build-test");
        fs.rmSync(out, { recursive: true, force: true });
        const tsc = spawnSync(
            process.execPath,
            [
                path.join(ROOT, "node_modules/typescript/bin/tsc"),
                "-p",
                "gate/tsconfig.json",
                "--outDir",
                out,
            ],
            { cwd: ROOT, encoding: "utf8" },
        );
        assert.strictEqual(tsc.status, 0, tsc.stdout + tsc.stderr);
        assert.deepStrictEqual(fs.readdirSync(out).sort(), ["gate", "plan"]);
        assert.ok(fs.existsSync(path.join(out, "plan", "prices.json")));
        const run = spawnSync(process.execPath, [path.join(out, "gate", "main.js")], {
            env: { PATH: process.env.PATH },
            encoding: "utf8",
            timeout: 30_000,
        });
        fs.rmSync(out, { recursive: true, force: true });
        assert.strictEqual(run.status, 1);
        assert.match(run.stderr, /^usage gate settings:\n- GATE_UPSTREAM_URL is not set/);
        assert.match(run.stderr, /- GATE_LIMIT_DEFAULT_USD is not set/);
    });
});
