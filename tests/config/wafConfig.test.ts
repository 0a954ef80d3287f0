/**
 * The WAF rate-limit keys on their own: `wafRateLimitPer5Min` (every request of one address) and
 * `wafSignInRateLimitPer5Min` (its requests to the sign-in routes), read from raw config without
 * the Pulumi runtime. WAF's own range for a rate-based rule's limit is 10 to 2,000,000,000
 * (botocore's wafv2 model, `RateLimit`).
 */
import * as assert from "assert";
import { describeProblems, formatProblem, parseConfig, PortalConfig } from "../../config";
import { loadStackConfig, toConfigString } from "../../offline/stackConfig";

/** A committed stack's raw config (Pulumi.yaml's defaults included) with some ai-portal: keys set. */
function raw(changes: Record<string, unknown>, stack: string): Record<string, string> {
    const values = { ...loadStackConfig({ stack }).raw };
    for (const [key, value] of Object.entries(changes)) {
        values[`ai-portal:${key}`] = toConfigString(value);
    }
    return values;
}

function configFor(changes: Record<string, unknown>, stack = "prod"): PortalConfig {
    const result = parseConfig({ stack, raw: raw(changes, stack) });
    assert.ok(result.ok, result.ok ? "" : describeProblems(stack, result.problems));
    return result.config;
}

/** Every problem, formatted as the program prints it. */
function problemsFor(changes: Record<string, unknown>, stack = "prod"): string[] {
    const result = parseConfig({ stack, raw: raw(changes, stack) });
    assert.ok(!result.ok, `expected ${JSON.stringify(changes)} to be rejected`);
    return result.problems.map(formatProblem);
}

const RANGE = "10 to 2000000000";

describe("config: WAF rate limits", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: by Pulumi.yaml's defaults, an address may make 10000 requests and 20 sign-in requests in 5 minutes`, () => {
            const config = configFor({}, stack);
            assert.deepStrictEqual(
                [config.webTier.wafRateLimitPer5Min, config.webTier.wafSignInRateLimitPer5Min],
                [10000, 20],
            );
        });
    }

    it("reads both limits, WAF's extremes included", () => {
        const low = configFor({ wafRateLimitPer5Min: 10, wafSignInRateLimitPer5Min: 10 });
        assert.deepStrictEqual(
            [low.webTier.wafRateLimitPer5Min, low.webTier.wafSignInRateLimitPer5Min],
            [10, 10],
        );
        const high = configFor({
            wafRateLimitPer5Min: 2000000000,
            wafSignInRateLimitPer5Min: 2000000000,
        });
        assert.deepStrictEqual(
            [high.webTier.wafRateLimitPer5Min, high.webTier.wafSignInRateLimitPer5Min],
            [2000000000, 2000000000],
        );
    });

    it("refuses a limit below WAF's minimum, naming the key, the value and the range", () => {
        assert.deepStrictEqual(problemsFor({ wafRateLimitPer5Min: 9 }), [
            `ai-portal:wafRateLimitPer5Min = "9": is outside 10-2000000000, the limits WAF accepts. Allowed: ${RANGE} requests per 5 minutes per address (WAF's RateLimit range).`,
        ]);
    });

    it("refuses a limit above WAF's maximum", () => {
        assert.deepStrictEqual(problemsFor({ wafRateLimitPer5Min: 2000000001 }), [
            `ai-portal:wafRateLimitPer5Min = "2000000001": is outside 10-2000000000, the limits WAF accepts. Allowed: ${RANGE} requests per 5 minutes per address (WAF's RateLimit range).`,
        ]);
    });

    it("refuses a sign-in limit that is not a whole number", () => {
        assert.deepStrictEqual(problemsFor({ wafSignInRateLimitPer5Min: "20/5min" }), [
            `ai-portal:wafSignInRateLimitPer5Min = "20/5min": is not a whole number. Allowed: ${RANGE} sign-in requests per 5 minutes per address (WAF's RateLimit range).`,
        ]);
    });

    it("refuses a sign-in limit above the general one, which would never apply", () => {
        assert.deepStrictEqual(
            problemsFor({ wafRateLimitPer5Min: 1000, wafSignInRateLimitPer5Min: 1001 }),
            [
                'ai-portal:wafSignInRateLimitPer5Min = "1001": is above wafRateLimitPer5Min (1000), which every request counts against, so it would never apply. Allowed: at most wafRateLimitPer5Min.',
            ],
        );
        // Equal is allowed: the sign-in rule is then redundant, not wrong.
        assert.strictEqual(
            configFor({ wafRateLimitPer5Min: 1000, wafSignInRateLimitPer5Min: 1000 }).webTier
                .wafSignInRateLimitPer5Min,
            1000,
        );
    });

    it("lists both keys' problems at once", () => {
        assert.deepStrictEqual(
            problemsFor({ wafRateLimitPer5Min: 0, wafSignInRateLimitPer5Min: -1 }).map(
                (p) => p.split(":")[1].split(" ")[0],
            ),
            ["wafRateLimitPer5Min", "wafSignInRateLimitPer5Min"],
        );
    });
});
