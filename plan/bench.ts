/**
 * `npm run bench [-- --runs N]`: the offline plan's CPU time and peak memory next to the floor's
 * (plan/floor.js: the SDK and @pulumi/aws loaded under mocks, nothing declared), each the median of
 * several runs, and their ratio. What a pull request waits for beyond the unavoidable.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

interface Usage {
    readonly cpuSeconds: number;
    readonly maxRssMb: number;
}

const ROOT = path.resolve(__dirname, "..");
const USAGE_HOOK = path.join(__dirname, "usage.js");

function measure(args: string[]): Usage {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "usage.json");
    const result = spawnSync(process.execPath, ["-r", USAGE_HOOK, ...args], {
        cwd: ROOT,
        env: { ...process.env, AI_PORTAL_BENCH_OUT: out },
        stdio: ["ignore", "ignore", "pipe"],
        encoding: "utf8",
    });
    if (result.status !== 0) {
        throw new Error(`${args.join(" ")} failed:\n${result.stderr}`);
    }
    const usage = JSON.parse(fs.readFileSync(out, "utf8")) as Usage;
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    return usage;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function medianUsage(runs: Usage[]): Usage {
    return {
        cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
        maxRssMb: median(runs.map((r) => r.maxRssMb)),
    };
}

function main(): void {
    const { values } = parseArgs({
        options: {
            runs: { type: "string", default: "5" },
            stack: { type: "string", default: "prod" },
        },
    });
    const runs = Number(values.runs);
    const plan = [
        "-r",
        "ts-node/register/transpile-only",
        "-r",
        "./offline/fast-stacks.js",
        "plan/cli.ts",
        "--stack",
        values.stack!,
    ];
    const floor = ["plan/floor.js"];
    const planRuns: Usage[] = [];
    const floorRuns: Usage[] = [];
    // Interleaved, so a busy moment on the machine weighs on both alike.
    for (let i = 0; i < runs; i++) {
        floorRuns.push(measure(floor));
        planRuns.push(measure(plan));
    }
    const [p, f] = [medianUsage(planRuns), medianUsage(floorRuns)];
    const line = (name: string, u: Usage) =>
        `  ${name.padEnd(6)} CPU ${u.cpuSeconds.toFixed(2)} s, peak memory ${u.maxRssMb.toFixed(0)} MB`;
    process.stdout.write(
        [
            `offline plan (stack ${values.stack}) against the floor, median of ${runs} runs each:`,
            line("plan", p),
            line("floor", f),
            `  ratio  CPU ${(p.cpuSeconds / f.cpuSeconds).toFixed(2)}x, memory ${(p.maxRssMb / f.maxRssMb).toFixed(2)}x`,
            "",
        ].join("\n"),
    );
}

main();
