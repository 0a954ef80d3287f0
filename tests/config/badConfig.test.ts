/**
 * The bad-input corpus: every file under tests/bad-config/ is a stack file with something wrong.
 * Each goes through the real entry (config loading and index.ts): the program must stop with one
 * message listing every problem (key, value, what is allowed) and declare no resource at all.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { SPECS } from "../../config";
import { runProgram } from "../../offline/run";

interface BadConfig {
    readonly stack: string;
    /** How many problems the message must list. */
    readonly problems: number;
    /** Fragments the message must contain. */
    readonly expect: readonly string[];
    /** The stack file's `config:` map. */
    readonly config: Record<string, unknown>;
}

const CORPUS = path.join(__dirname, "..", "bad-config");
const files = fs
    .readdirSync(CORPUS)
    .filter((f) => f.endsWith(".yaml"))
    .sort();

describe("bad-input corpus", () => {
    it("covers every tier's keys, and no two files make the same mistake", () => {
        const named = new Set<string>();
        const configs = new Set<string>();
        for (const file of files) {
            const bad = yaml.load(fs.readFileSync(path.join(CORPUS, file), "utf8")) as BadConfig;
            for (const fragment of bad.expect) {
                for (const match of fragment.matchAll(/ai-portal:([A-Za-z]+)/g)) {
                    named.add(match[1]);
                }
            }
            const config = JSON.stringify(bad.config);
            assert.ok(!configs.has(config), `${file} repeats another file's config`);
            configs.add(config);
        }
        for (const [tier, spec] of Object.entries(SPECS)) {
            assert.ok(
                Object.keys(spec).some((key) => named.has(key)),
                `no bad stack file names a ${tier} key`,
            );
        }
    });

    for (const file of files) {
        it(file.replace(/\.yaml$/, ""), async () => {
            const bad = yaml.load(fs.readFileSync(path.join(CORPUS, file), "utf8")) as BadConfig;
            const run = await runProgram({ stack: bad.stack, stackConfig: bad.config });
            assert.ok(
                run.error instanceof pulumi.RunError,
                `${file}: the program must stop with a RunError`,
            );
            const message = run.error.message;
            assert.match(
                message,
                new RegExp(
                    `^Stack "${bad.stack}" has an invalid configuration \\(${bad.problems} problems?\\); nothing was deployed:`,
                ),
            );
            for (const fragment of bad.expect) {
                assert.ok(
                    message.includes(fragment),
                    `${file}: the message lacks ${JSON.stringify(fragment)}:\n${message}`,
                );
            }
            const listed = message.split("\n").filter((line) => line.startsWith("  - "));
            assert.strictEqual(listed.length, bad.problems, message);
            for (const line of listed) {
                assert.match(
                    line,
                    /^ {2}- \S+(\[\d+\])? (= ".*"|is not set): .+\. Allowed: .+\.$/,
                    "each problem names the key, the value and what is allowed",
                );
            }
            assert.deepStrictEqual(
                run.resources.map((r) => `${r.type} ${r.name}`),
                [],
                "no resource may be declared",
            );
        });
    }
});
