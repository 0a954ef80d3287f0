/**
 * The output contract: index.ts exports exactly the declared outputs, every stack's values fit
 * the committed JSON Schema, and names and types cannot change without a version bump.
 */
import * as assert from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { CONTRACT_VERSION, OUTPUTS } from "../../contract";
import { forEachStack } from "../harness/stacks";
import { PROJECT_DIR } from "../../offline/stackConfig";

/** sha256 of "name:type" lines per published version: a changed contract needs a new version. */
const PUBLISHED: Record<string, string> = {
    "1.0.0": "5930af28b3f183859c80e896180ea3a4fcebd16e02dc8c604a4de88257dc0f9b",
    "1.1.0": "aeb5be75b96890886c941399c0ee01563448a8f3ea04955a5ba1ae0183496809",
};

function fingerprint(): string {
    const lines = Object.entries(OUTPUTS)
        .map(([name, doc]) => `${name}:${doc.type}`)
        .sort();
    return createHash("sha256").update(lines.join("\n")).digest("hex");
}

const schema = JSON.parse(
    fs.readFileSync(path.join(PROJECT_DIR, "contract/outputs.schema.json"), "utf8"),
);
const validate = new Ajv({ allErrors: true }).compile(schema);

describe("output contract", () => {
    it("names and types match what was published as this contractVersion", () => {
        assert.strictEqual(
            PUBLISHED[CONTRACT_VERSION],
            fingerprint(),
            `the outputs' names or types changed: bump CONTRACT_VERSION (contract/index.ts), add a README changelog line, and publish the new fingerprint ${fingerprint()}`,
        );
    });

    it("the README's changelog has an entry for this version", () => {
        assert.match(
            fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8"),
            new RegExp(
                `### Contract changelog[\\s\\S]*\\*\\*${CONTRACT_VERSION.replace(/\./g, "\\.")}\\*\\*`,
            ),
        );
    });

    it("the schema rejects a missing or mistyped output (so the checks above can fail)", () => {
        const sample = Object.fromEntries(
            Object.entries(OUTPUTS).map(([name, doc]) => [name, doc.example]),
        );
        assert.ok(validate(sample), JSON.stringify(validate.errors));
        const { vpcId: _dropped, ...missing } = sample;
        assert.ok(!validate(missing));
        assert.ok(!validate({ ...sample, dbPort: "5432" }));
        assert.ok(!validate({ ...sample, extra: 1 }));
    });
});

forEachStack("output contract", (ctx) => {
    it(`index.ts exports exactly the contract's outputs`, () => {
        const { run } = ctx;
        assert.deepStrictEqual(Object.keys(run.outputs).sort(), Object.keys(OUTPUTS).sort());
    });

    it(`every output value fits the committed JSON Schema`, () => {
        const { run } = ctx;
        assert.ok(validate(run.outputs), JSON.stringify(validate.errors, null, 2));
        assert.strictEqual(run.outputs.contractVersion, CONTRACT_VERSION);
    });

    it(`secrets appear as ARNs only, and no output is a secret`, () => {
        const { run } = ctx;
        assert.deepStrictEqual(run.secretOutputs, []);
        for (const name of Object.keys(OUTPUTS).filter((n) => /Secret/.test(n))) {
            assert.match(String(run.outputs[name]), /^arn:aws:secretsmanager:/, name);
        }
    });
});
