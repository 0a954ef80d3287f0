/**
 * Root hooks loaded only under Stryker (stryker.config.mjs adds this file to mocha's `require`).
 *
 * Stryker's mocha runner loads the test files once, runs the suite once without a mutant (the dry
 * run, which records which tests reach which mutant) and then again for each mutant in the same
 * process, running only the tests that reached it. Two things in this suite would fool it:
 *
 * - The offline runner memoises each stack's program run per process. A run memoised under one
 *   mutant (or in the dry run) must not answer for the next mutant, so the memo is forgotten
 *   whenever the active mutant changes; and in the dry run before every test and every `before`
 *   hook, so each test that reads a stack run is recorded as reaching what that run executes.
 * - Stryker charges what runs to the test whose `beforeEach` ran last. A stack run made in a
 *   `before` hook (tests/harness/stacks.ts) would be charged to the previous describe block's last
 *   test, and the tests that read it would never run against the mutants it reaches. So in the dry
 *   run each `before` hook is charged to a name of its own, which is then handed to every test
 *   under that hook's describe block.
 */
import type { Runnable, Suite } from "mocha";
import { forgetRuns } from "../../offline/run";

/** What Stryker's instrumented code keeps in `globalThis.__stryker__`. */
interface StrykerContext {
    activeMutant?: string;
    currentTestId?: string;
    mutantCoverage?: { perTest: Record<string, Record<string, number>> };
}

function stryker(): StrykerContext {
    const g = globalThis as { __stryker__?: StrykerContext };
    return (g.__stryker__ ??= {});
}

const HOOK_PREFIX = "stryker-before-hook: ";
const wrapped = new WeakSet<Runnable>();
let lastMutant: string | undefined;

/** The dry run is the one run without an active mutant. */
function dryRun(): boolean {
    return stryker().activeMutant === undefined;
}

function suites(root: Suite): Suite[] {
    return [root, ...root.suites.flatMap(suites)];
}

function testsUnder(suite: Suite): string[] {
    return [...suite.tests.map((t) => t.fullTitle()), ...suite.suites.flatMap(testsUnder)];
}

/** Charges each `before` hook of the tree to its own name, forgetting memoised runs first. */
function chargeBeforeHooks(root: Suite): void {
    for (const suite of suites(root)) {
        const hooks = (suite as unknown as { _beforeAll: Runnable[] })._beforeAll;
        for (const hook of hooks) {
            if (wrapped.has(hook) || !hook.fn) {
                continue;
            }
            wrapped.add(hook);
            const original = hook.fn;
            const id = HOOK_PREFIX + suite.fullTitle();
            // Mocha decided at construction whether the hook takes `done`; the wrapper passes it on.
            hook.fn = function (this: Mocha.Context, ...args: unknown[]) {
                if (dryRun()) {
                    forgetRuns();
                    stryker().currentTestId = id;
                }
                return (original as (...a: unknown[]) => unknown).apply(this, args);
            } as Mocha.Func;
        }
    }
}

/** Hands each `before` hook's coverage to the tests under its describe block. */
function handOverHookCoverage(root: Suite): void {
    const perTest = stryker().mutantCoverage?.perTest;
    if (!perTest) {
        return;
    }
    for (const suite of suites(root)) {
        const id = HOOK_PREFIX + suite.fullTitle();
        const hookCoverage = perTest[id];
        if (!hookCoverage) {
            continue;
        }
        delete perTest[id];
        for (const test of testsUnder(suite)) {
            const coverage = (perTest[test] ??= {});
            for (const [mutant, hits] of Object.entries(hookCoverage)) {
                coverage[mutant] = (coverage[mutant] ?? 0) + hits;
            }
        }
    }
}

export const mochaHooks = {
    beforeAll(this: Mocha.Context): void {
        const root = this.test?.parent;
        const active = stryker().activeMutant;
        if (active !== lastMutant) {
            forgetRuns();
            lastMutant = active;
        }
        if (dryRun() && root) {
            chargeBeforeHooks(root);
        }
    },
    beforeEach(): void {
        if (dryRun()) {
            forgetRuns();
        }
    },
    afterAll(this: Mocha.Context): void {
        const root = this.test?.parent;
        if (dryRun() && root) {
            handOverHookCoverage(root);
        }
    },
};
