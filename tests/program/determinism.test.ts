/**
 * The same config always means the same plan: two runs declare the same resources with
 * byte-identical inputs, the program never reads the clock or a random source, and the machine's
 * locale and time zone change nothing.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildPlan } from "../../plan/model";
import { ProgramRun, runProgram } from "../../offline/run";
import { PROJECT_DIR } from "../../offline/stackConfig";

/** Everything the engine is told about each resource, in a canonical order. */
function canonical(run: ProgramRun): string {
    const sortKeys = (value: unknown): unknown =>
        Array.isArray(value)
            ? value.map(sortKeys)
            : value && typeof value === "object"
              ? Object.fromEntries(
                    Object.keys(value)
                        .sort()
                        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
                )
              : value;
    const resources = [...run.resources]
        .sort((a, b) => (a.urn < b.urn ? -1 : 1))
        .map((r) => ({ ...r, state: undefined, dependencies: [...r.dependencies].sort() }));
    return JSON.stringify(sortKeys({ resources, outputs: run.outputs }));
}

const PROGRAM_SOURCES = [
    "index.ts",
    "lib",
    "config",
    "network",
    "data",
    "directory",
    "edge",
    "compute",
    "contract",
    "operations",
    "policy",
    "plan",
    "backup",
    "governance",
    "security",
];

function sourceFiles(entry: string): string[] {
    const full = path.join(PROJECT_DIR, entry);
    if (fs.statSync(full).isFile()) {
        return [full];
    }
    return fs.readdirSync(full).flatMap((child) => sourceFiles(path.join(entry, child)));
}

describe("determinism", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: two runs declare the same resources with byte-identical inputs`, async () => {
            const first = await runProgram({ stack }, { fresh: true });
            const second = await runProgram({ stack }, { fresh: true });
            assert.ifError(first.error);
            assert.ok(first.resources.length > 100, "the whole program ran");
            assert.strictEqual(canonical(second), canonical(first));
        });
    }

    it("the program never reads the clock or an unseeded random source", () => {
        const forbidden =
            /\bDate\s*\(|new Date\b|Date\.now|Math\.random|randomUUID|randomBytes|getRandomValues|performance\.now|process\.hrtime|\$RANDOM/;
        const offenders = PROGRAM_SOURCES.flatMap(sourceFiles)
            .filter((file) => /\.(ts|js|sh)$/.test(file))
            .filter((file) => forbidden.test(fs.readFileSync(file, "utf8")))
            .map((file) => path.relative(PROJECT_DIR, file));
        assert.deepStrictEqual(offenders, []);
    });

    it("a different time zone and locale produce the same plan, byte for byte", async function () {
        this.timeout(60000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "determinism-"));
        const file = path.join(dir, "plan.json");
        const result = spawnSync(
            "npm",
            ["run", "--silent", "plan", "--", "--stack", "prod", "--json", file],
            {
                cwd: PROJECT_DIR,
                encoding: "utf8",
                env: {
                    ...process.env,
                    TZ: "Pacific/Chatham",
                    LANG: "tr_TR.UTF-8",
                    LC_ALL: "tr_TR.UTF-8",
                },
            },
        );
        assert.strictEqual(result.status, 0, result.stderr);
        const here = JSON.stringify(buildPlan(await runProgram({ stack: "prod" })), null, 2) + "\n";
        assert.strictEqual(fs.readFileSync(file, "utf8"), here);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
