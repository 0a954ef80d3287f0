// Mutation testing (Stryker, `npm run test:mutation`): one tier at a time, each scored by its own
// tests only, so a mutant in config/ counts as killed only when tests/config says so. The tier
// comes from STRYKER_TIER (tests/mutation/run.ts sets it for each tier in turn).
import process from "node:process";

const TIERS = {
    config: { mutate: ["config/**/*.ts"], spec: ["tests/config/**/*.test.ts"] },
    network: {
        mutate: ["network/trafficMatrix.ts", "network/securityGroups.ts"],
        spec: ["tests/network/**/*.test.ts"],
    },
    policy: {
        // policy/index.ts only constructs the pack, and tests/policy reads that file's text,
        // which an instrumented copy would not match.
        mutate: ["policy/**/*.ts", "!policy/index.ts"],
        spec: ["tests/policy/**/*.test.ts"],
    },
};

const tier = process.env.STRYKER_TIER;
if (!Object.hasOwn(TIERS, tier ?? "")) {
    throw new Error(
        `STRYKER_TIER is ${JSON.stringify(tier)}; allowed: ${Object.keys(TIERS).join(", ")} ` +
            "(npm run test:mutation -- <tier> sets it)",
    );
}
const out = `reports/mutation/${tier}`;

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
    testRunner: "mocha",
    mutate: TIERS[tier].mutate,
    mochaOptions: {
        spec: TIERS[tier].spec,
        // .mocharc.json's requires, then the hook that forgets memoised stack runs per mutant.
        require: [
            "ts-node/register/transpile-only",
            "./offline/fast-stacks.js",
            "./tests/mutation/hooks.ts",
        ],
    },
    // Each mutant runs only the tests that reached it in the dry run (per-test coverage): with "all",
    // every mutant counts as static and costs a fresh test process (40 min for config/ instead of
    // a few). tests/mutation/hooks.ts makes the per-test record true for stack runs made in
    // `before` hooks and memoised across tests.
    coverageAnalysis: "perTest",
    // No type checker: tsc over this program costs more than the mutants it would discard (the
    // suite runs transpile-only, as `npm test` does); a mutant that does not type-check is killed
    // or survives on its behaviour, and survivors are read by a person anyway.
    checkers: [],
    concurrency: 2,
    incremental: true,
    incrementalFile: `${out}/incremental.json`,
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: `${out}/index.html` },
    jsonReporter: { fileName: `${out}/mutation.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    thresholds: { high: 95, low: 90, break: 90 },
    // A busy shared machine: a slow run is not an infinite loop.
    timeoutMS: 10000,
    tempDirName: ".stryker-tmp",
};
