/**
 * `npm run test:mutation [-- <tier>... [-- <stryker options>]]`: Stryker over each tier in turn
 * (config, network, policy by default), each scored by its own tests (stryker.config.mjs), then one
 * line per tier: its mutation score, the mutants by status and the wall time. Exits non-zero when
 * a tier's run failed or scored below 90%.
 *
 * Incremental: each tier's results are kept in reports/mutation/<tier>/incremental.json (ignored
 * by git), so the next local run tests only the mutants whose code or tests changed. Delete the
 * folder, or pass `-- --force`, for a full run.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const TIERS = ["config", "network", "policy"] as const;
const BREAK = 90;
const ROOT = path.resolve(__dirname, "../..");

interface MutantResult {
    readonly status: string;
}

/** The counts Stryker's own score is made of (mutation-testing-report-schema statuses). */
export interface TierScore {
    readonly killed: number;
    readonly survived: number;
    readonly timeout: number;
    readonly noCoverage: number;
    /** Mutants that did not compile or crashed the runner, and ignored ones: not scored. */
    readonly other: number;
    /** (killed + timeout) / (killed + timeout + survived + no coverage), in percent. */
    readonly score: number;
}

export function scoreOf(report: {
    files: Record<string, { mutants: readonly MutantResult[] }>;
}): TierScore {
    const count = { Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0, other: 0 };
    for (const file of Object.values(report.files)) {
        for (const mutant of file.mutants) {
            if (mutant.status in count && mutant.status !== "other") {
                count[mutant.status as keyof typeof count]++;
            } else {
                count.other++;
            }
        }
    }
    const detected = count.Killed + count.Timeout;
    const valid = detected + count.Survived + count.NoCoverage;
    return {
        killed: count.Killed,
        survived: count.Survived,
        timeout: count.Timeout,
        noCoverage: count.NoCoverage,
        other: count.other,
        score: valid === 0 ? 100 : (100 * detected) / valid,
    };
}

function main(argv: readonly string[]): number {
    const split = argv.indexOf("--");
    const named = split < 0 ? argv : argv.slice(0, split);
    const strykerArgs = split < 0 ? [] : argv.slice(split + 1);
    const unknown = named.filter((t) => !(TIERS as readonly string[]).includes(t));
    if (unknown.length > 0) {
        console.error(`unknown tier(s) ${unknown.join(", ")}; allowed: ${TIERS.join(", ")}`);
        return 2;
    }
    const tiers = named.length > 0 ? named : TIERS;

    const lines: string[] = [];
    let failed = false;
    const started = Date.now();
    for (const tier of tiers) {
        const report = path.join(ROOT, "reports", "mutation", tier, "mutation.json");
        fs.rmSync(report, { force: true });
        const tierStarted = Date.now();
        const run = spawnSync(
            "npx",
            ["--no-install", "stryker", "run", "stryker.config.mjs", ...strykerArgs],
            {
                cwd: ROOT,
                env: { ...process.env, STRYKER_TIER: tier },
                stdio: "inherit",
            },
        );
        const seconds = Math.round((Date.now() - tierStarted) / 1000);
        if (!fs.existsSync(report)) {
            lines.push(`${tier}: no report (stryker exited ${run.status}), ${seconds} s`);
            failed = true;
            continue;
        }
        const s = scoreOf(JSON.parse(fs.readFileSync(report, "utf8")));
        failed ||= run.status !== 0 || s.score < BREAK;
        lines.push(
            `${tier}: ${s.score.toFixed(2)}% (killed ${s.killed}, timeout ${s.timeout}, ` +
                `survived ${s.survived}, no coverage ${s.noCoverage}, not scored ${s.other}), ` +
                `${seconds} s; report: reports/mutation/${tier}/index.html`,
        );
    }
    const total = Math.round((Date.now() - started) / 1000);
    console.log(
        `\nMutation scores (break below ${BREAK}%):\n${lines.join("\n")}\nwall time ${total} s`,
    );
    return failed ? 1 : 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
