/**
 * The load-balanced tier without WAF is refused. The ALB's path rules match the raw path,
 * case-sensitively and without decoding it, while uvicorn decodes the path before Open WebUI routes
 * it: `/api/v1/auths/sign%69n` reached the sign-in past the ALB's break-glass rule in a live test.
 * Only WAF's rules (URL-decoded, lower-cased) hold, so `webTier: loadBalanced` needs `wafEnabled`.
 */
import * as assert from "assert";
import { describeProblems, formatProblem, parseConfig, PortalConfig } from "../../config";
import { loadStackConfig, toConfigString } from "../../offline/stackConfig";

function raw(changes: Record<string, unknown>, stack: string): Record<string, string> {
    const values = { ...loadStackConfig({ stack }).raw };
    for (const [key, value] of Object.entries(changes)) {
        values[`ai-portal:${key}`] = toConfigString(value);
    }
    return values;
}

function configFor(changes: Record<string, unknown>, stack: string): PortalConfig {
    const result = parseConfig({ stack, raw: raw(changes, stack) });
    assert.ok(result.ok, result.ok ? "" : describeProblems(stack, result.problems));
    return result.config;
}

function problemsFor(changes: Record<string, unknown>, stack: string): string[] {
    const result = parseConfig({ stack, raw: raw(changes, stack) });
    assert.ok(!result.ok, `expected ${JSON.stringify(changes)} to be refused on ${stack}`);
    return result.problems.map(formatProblem);
}

const REFUSED =
    "ai-portal:wafEnabled = \"false\": is off, but webTier is loadBalanced: the ALB's path rules miss encoded and upper-case spellings of the sign-in paths (/api/v1/auths/sign%69n reaches Open WebUI's sign-in), so without WAF the local sign-in answers every address and sign-in attempts are not limited. Allowed: true when webTier is loadBalanced (webTier single has no ALB; Caddy matches the decoded path).";

/** dev made load-balanced (its domain and zone given), as a stack owner would. */
const DEV_LOAD_BALANCED = {
    webTier: "loadBalanced",
    domainName: "portal.example.com",
    hostedZoneId: "Z0123456789ABCDEFGHIJ",
};

describe("config: the load-balanced tier needs WAF", () => {
    it("prod (loadBalanced) with wafEnabled false is refused, naming both keys", () => {
        assert.deepStrictEqual(problemsFor({ wafEnabled: false }, "prod"), [REFUSED]);
    });

    it("a development stack gets no exception: dev made loadBalanced without WAF is refused too", () => {
        assert.deepStrictEqual(problemsFor({ ...DEV_LOAD_BALANCED, wafEnabled: false }, "dev"), [
            REFUSED,
        ]);
    });

    it("is listed with every other problem of the stack, even when another web tier key is wrong", () => {
        const problems = problemsFor(
            {
                wafEnabled: false,
                webMinHosts: 4,
                webMaxHosts: 3,
                dbMultiAz: false,
                vpcCidr: "10.0.0.0/33",
            },
            "prod",
        );
        assert.deepStrictEqual(
            problems.map((p) => p.split(" = ")[0]).sort(),
            [
                "ai-portal:dbMultiAz",
                "ai-portal:vpcCidr",
                "ai-portal:wafEnabled",
                "ai-portal:webMaxHosts",
            ].sort(),
        );
        assert.ok(problems.includes(REFUSED));
    });

    it("loadBalanced with WAF (prod as committed) and single without WAF are accepted", () => {
        const prod = configFor({}, "prod");
        assert.deepStrictEqual(
            [prod.webTier.mode, prod.webTier.wafEnabled],
            ["loadBalanced", true],
        );
        const dev = configFor({ wafEnabled: false }, "dev");
        assert.deepStrictEqual([dev.webTier.mode, dev.webTier.wafEnabled], ["single", false]);
    });
});
