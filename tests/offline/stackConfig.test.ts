/**
 * The harness loads config the way the Pulumi CLI does; if it did not, every other test would be
 * testing a config no real stack has.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadStackConfig, SECRET_PLACEHOLDER } from "../../offline/stackConfig";

describe("harness: stack config loading", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-config-"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.yaml"),
            [
                "name: demo",
                "runtime: nodejs",
                "config:",
                "  aws:region: eu-west-2",
                "  size:",
                "    type: integer",
                "    default: 2",
                "  zones:",
                "    type: array",
                "    items: { type: string }",
                "    default: [a, b]",
                "  label:",
                "    type: string",
                "    description: no default",
                "",
            ].join("\n"),
        );
        fs.writeFileSync(
            path.join(dir, "Pulumi.test.yaml"),
            [
                "config:",
                "  demo:size: 5",
                "  demo:token:",
                "    secure: v1:AAAA",
                "  aws:profile: ops",
                "",
            ].join("\n"),
        );
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("applies declared defaults, project values, then the stack file, as strings", () => {
        const loaded = loadStackConfig({ stack: "test" }, dir);
        assert.deepStrictEqual(loaded.raw, {
            "aws:profile": "ops",
            "aws:region": "eu-west-2",
            "demo:size": "5",
            "demo:token": SECRET_PLACEHOLDER,
            "demo:zones": '["a","b"]',
        });
        assert.deepStrictEqual(loaded.secretKeys, ["demo:token"]);
    });

    it("applies overrides last and can unset a key", () => {
        const loaded = loadStackConfig(
            { stack: "test", overrides: { size: 7, zones: undefined, label: "x" } },
            dir,
        );
        assert.strictEqual(loaded.raw["demo:size"], "7");
        assert.strictEqual(loaded.raw["demo:zones"], undefined);
        assert.strictEqual(loaded.raw["demo:label"], "x");
    });
});
