/** The usage gate's keys: defaults, group limits, and what needs the directory. Pure. */
import * as assert from "assert";
import { ConfigReader } from "../../config/reader";
import { keyTypes } from "../../config/spec";
import { parseGroupLimit, readUsageGate, USAGE_GATE_SPEC } from "../../config/usageGate";

function read(
    values: Record<string, string>,
    identity = { directory: "managed" as const, authMode: "ldap" },
) {
    const raw = {
        "ai-portal:usageLimitPerPersonMonthlyUsd": "50",
        "ai-portal:usageLimitsByGroup": "[]",
        "ai-portal:usageGateFailMode": "open",
        ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`ai-portal:${k}`, v])),
    };
    const reader = new ConfigReader(raw, "ai-portal", keyTypes(USAGE_GATE_SPEC));
    const config = readUsageGate(reader, identity);
    return { config, problems: reader.problems.map((p) => `${p.key}=${p.value}: ${p.reason}`) };
}

describe("config: usage gate", () => {
    it("reads limits by group into a map, and the fail mode", () => {
        const { config, problems } = read({
            usageLimitsByGroup: JSON.stringify(["Data Science=200", "Interns = 10"]),
            usageGateFailMode: "closed",
        });
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(config, {
            limitPerPersonMonthlyUsd: 50,
            limitsByGroup: { "Data Science": 200, Interns: 10 },
            failMode: "closed",
        });
    });

    it("refuses limits of 0 or below, fractions, and names that cannot be a group", () => {
        assert.deepStrictEqual(parseGroupLimit("Interns=0"), {
            reason: "gives 0, which is not a limit above 0",
            allowed: "a whole number of USD from 1 to 100000",
        });
        assert.ok("reason" in parseGroupLimit("Interns=2.5"));
        assert.ok("reason" in parseGroupLimit("Interns"));
        assert.ok("reason" in parseGroupLimit("CN=Interns,OU=x=5"));
        assert.deepStrictEqual(read({ usageLimitPerPersonMonthlyUsd: "-1" }).problems, [
            "ai-portal:usageLimitPerPersonMonthlyUsd=-1: is not a limit above 0 (or is over the typo guard)",
        ]);
        assert.deepStrictEqual(read({ usageGateFailMode: "sometimes" }).problems, [
            "ai-portal:usageGateFailMode=sometimes: is not a recognised value",
        ]);
    });

    it("refuses group limits where people's groups cannot be looked up (per person only there)", () => {
        const groups = JSON.stringify(["Data Science=200"]);
        assert.match(
            read(
                { usageLimitsByGroup: groups },
                { directory: "managed" as const, authMode: "oidc" },
            ).problems[0],
            /usageLimitsByGroup=\["Data Science=200"\]: is set, but authMode is oidc/,
        );
        assert.deepStrictEqual(
            read({ usageLimitsByGroup: "[]" }, { directory: "none" as any, authMode: "oidc" })
                .problems,
            [],
        );
        assert.deepStrictEqual(
            read(
                { usageLimitsByGroup: groups },
                { directory: "managed" as const, authMode: "both" },
            ).problems,
            [],
        );
    });
});
