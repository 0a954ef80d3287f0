/**
 * The per-stack fixture: one describe block per committed stack, with that stack's program run
 * (memoised per process, checked to have succeeded), instead of the same describe/before skeleton
 * in every file.
 */
import * as assert from "assert";
import { ProgramRun, runStack } from "../../offline/run";

export const STACKS = ["dev", "prod"] as const;
export type Stack = (typeof STACKS)[number];

export interface StackContext {
    readonly stack: Stack;
    /** The stack's program run; set before the block's tests run. */
    readonly run: ProgramRun;
}

export function forEachStack(
    title: string,
    body: (ctx: StackContext) => void,
    stacks: readonly Stack[] = STACKS,
): void {
    for (const stack of stacks) {
        describe(`${title} (${stack})`, () => {
            const ctx = { stack } as { stack: Stack; run: ProgramRun };
            before(async () => {
                ctx.run = await runStack(stack);
                assert.ifError(ctx.run.error);
            });
            body(ctx);
        });
    }
}
