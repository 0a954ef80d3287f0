/**
 * offline/fast-stacks.js, which every mock run preloads: the SDK's anonymous diagnostic traces
 * cost nothing, and every real error still points at the TypeScript line it came from.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

/** The 1-based line of this file's source that holds `text` (the first one after its own call). */
function lineOf(text: string): number {
    const lines = fs.readFileSync(__filename, "utf8").split("\n");
    const index = lines.findIndex((l) => l.includes(text) && !l.includes("lineOf("));
    assert.ok(index >= 0, text);
    return index + 1;
}

describe("offline: stack traces under the mock runtime", () => {
    it("a real error keeps a source-mapped stack: this TypeScript file, at the line it was made", () => {
        const failure = new Error("a real failure");
        const line = lineOf('new Error("a real failure")');
        const stack = String(failure.stack);
        assert.match(stack.split("\n")[0], /^Error: a real failure$/);
        assert.match(stack.split("\n")[1], new RegExp(`fastStacks\\.test\\.ts:${line}:\\d+`));
        const typed = String(new TypeError("").stack);
        assert.match(typed, new RegExp(`fastStacks\\.test\\.ts:${lineOf("new TypeError")}:\\d+`));
    });

    it("the SDK's anonymous, message-less traces carry no frames", () => {
        assert.strictEqual(new Error().stack, "Error");
    });

    it("with PULUMI_DEBUG_PROMISE_LEAKS set, those traces keep their frames (the SDK prints them)", () => {
        const script = "function capture() { return new Error().stack; } console.log(capture());";
        const run = (env: NodeJS.ProcessEnv) =>
            spawnSync(process.execPath, ["-r", "./offline/fast-stacks.js", "-e", script], {
                cwd: ROOT,
                env,
                encoding: "utf8",
            });
        const withoutDebug = { ...process.env };
        delete withoutDebug.PULUMI_DEBUG_PROMISE_LEAKS;
        assert.strictEqual(run(withoutDebug).stdout, "Error\n");
        const debugging = run({ ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "1" });
        assert.strictEqual(debugging.status, 0, debugging.stderr);
        assert.match(debugging.stdout, /^Error\n {4}at capture \(/);
    });
});
