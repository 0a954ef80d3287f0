/** Config `encryptionKey`: which KMS keys encrypt the stack's data at rest. No Pulumi runtime. */
import * as assert from "assert";
import { describeProblems, parseConfig } from "../../config";
import * as fs from "fs";
import * as path from "path";
import { loadStackConfig, PROJECT_DIR, toConfigString } from "../../offline/stackConfig";

function parse(stack: string, encryptionKey?: unknown) {
    const raw: Record<string, string> = { ...loadStackConfig({ stack }).raw };
    if (encryptionKey !== undefined) {
        raw["ai-portal:encryptionKey"] = toConfigString(encryptionKey);
    }
    return parseConfig({ stack, raw });
}

describe("config: encryptionKey", () => {
    it("production stacks get the stack's own key by default (Pulumi.yaml's default); dev's file keeps AWS-managed keys", () => {
        const prod = parse("prod");
        const dev = parse("dev");
        assert.ok(prod.ok && dev.ok);
        assert.strictEqual(prod.config.encryptionKey, "customer-managed");
        assert.strictEqual(dev.config.encryptionKey, "aws-managed");
        // prod's file does not set it: Pulumi.yaml's default is what it gets.
        const file = (name: string) => fs.readFileSync(path.join(PROJECT_DIR, name), "utf8");
        assert.doesNotMatch(file("Pulumi.prod.yaml"), /encryptionKey/);
        assert.match(file("Pulumi.dev.yaml"), /^ {2}ai-portal:encryptionKey: aws-managed\b/m);
        assert.match(
            file("Pulumi.yaml"),
            /^ {2}encryptionKey:\n(?: {4}.*\n)*? {4}default: customer-managed$/m,
        );
        assert.strictEqual(
            loadStackConfig({ stack: "dev" }).raw["ai-portal:encryptionKey"],
            "aws-managed",
        );
    });

    it("either mode is accepted on either stack (the policy pack, not the config, holds production to its key)", () => {
        for (const stack of ["dev", "prod"]) {
            for (const mode of ["aws-managed", "customer-managed"] as const) {
                const result = parse(stack, mode);
                assert.ok(result.ok, result.ok ? "" : describeProblems(stack, result.problems));
                assert.strictEqual(result.config.encryptionKey, mode);
            }
        }
    });

    it("anything else is refused, naming the key, the value and both modes", () => {
        const result = parse("prod", "customer");
        assert.ok(!result.ok);
        assert.deepStrictEqual(result.problems, [
            {
                key: "ai-portal:encryptionKey",
                value: "customer",
                reason: "is not a recognised value",
                allowed: '"aws-managed" or "customer-managed"',
            },
        ]);
        assert.match(
            describeProblems("prod", result.problems),
            /ai-portal:encryptionKey = "customer": is not a recognised value\. Allowed: "aws-managed" or "customer-managed"\./,
        );
    });
});
