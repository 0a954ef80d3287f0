/**
 * What the plan says about the Bedrock guardrail: the text units it evaluates a month from the
 * usage estimate, priced per policy at the dated (unverified) list prices; no standing charge
 * and no unpriced resource; which stack's guardrail is the enforced one.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import type { GuardrailConfig } from "../../config/guardrail";
import { guardrailUsageLines, textUnits, withGuardrail } from "../../plan/guardrailEstimate";
import { buildPlan, PlanDocument } from "../../plan/model";
import { estimateUsage } from "../../plan/usageEstimate";
import { ProgramRun, runProgram, runStack } from "../../offline/run";
import { PROJECT_DIR } from "../../offline/stackConfig";

const validatePlan = new Ajv({ allErrors: true }).compile(
    JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "plan/plan.schema.json"), "utf8")),
);

async function planOf(run: Promise<ProgramRun>): Promise<PlanDocument> {
    const done = await run;
    assert.ifError(done.error);
    const plan = buildPlan(done);
    assert.ok(validatePlan(JSON.parse(JSON.stringify(plan))), JSON.stringify(validatePlan.errors));
    return plan;
}

const GUARDRAIL: GuardrailConfig = {
    inputStrength: "HIGH",
    outputStrength: "HIGH",
    promptAttackStrength: "HIGH",
    blockPii: ["CREDIT_DEBIT_CARD_NUMBER"],
    anonymisePii: ["EMAIL"],
    deniedTopics: [],
    blockedWords: [],
    profanityFilter: true,
    blockedInputMessage: "Blocked.",
    blockedOutputMessage: "Withheld.",
};

/** prod's usage estimate: 200 people, 200,000 input and 50,000 output tokens each. */
const PROD_USAGE = { users: 200, inputTokensPerUser: 200_000, outputTokensPerUser: 50_000 };

const PROD_LINES = [
    ["Bedrock guardrail content filters, prompts", 160, 0.15, 24],
    ["Bedrock guardrail content filters, answers", 40, 0.15, 6],
    ["Bedrock guardrail sensitive information (PII), prompts", 160, 0.1, 16],
    ["Bedrock guardrail sensitive information (PII), answers", 40, 0.1, 4],
];

describe("plan: the guardrail's price (pure)", () => {
    it("a text unit is up to 1,000 characters, at 4 characters a token, rounded up", () => {
        assert.strictEqual(textUnits(250), 1);
        assert.strictEqual(textUnits(251), 2);
        assert.strictEqual(textUnits(0), 0);
        assert.strictEqual(textUnits(40_000_000), 160_000);
    });

    it("prod's usage: content and PII filters on 160,000 text units of prompts and 40,000 of answers, $50 a month", () => {
        const lines = guardrailUsageLines(PROD_USAGE, GUARDRAIL);
        assert.deepStrictEqual(
            lines.map((l) => [l.item, l.quantity, l.unitUsd, l.monthlyUsd]),
            PROD_LINES,
        );
        for (const l of lines) {
            assert.strictEqual(l.unit, "thousand text units");
            assert.match(l.source, /^https:\/\/aws\.amazon\.com\/bedrock\/pricing\//);
        }
    });

    it("denied topics are billed both ways; word filters and profanity are free; a filter off is not billed", () => {
        const lines = guardrailUsageLines(PROD_USAGE, {
            ...GUARDRAIL,
            outputStrength: "NONE",
            blockPii: [],
            anonymisePii: [],
            deniedTopics: [{ name: "Legal", definition: "Legal advice." }],
            blockedWords: ["x"],
        });
        assert.deepStrictEqual(
            lines.map((l) => [l.item, l.monthlyUsd]),
            [
                ["Bedrock guardrail content filters, prompts", 24],
                ["Bedrock guardrail denied topics, prompts", 24],
                ["Bedrock guardrail denied topics, answers", 6],
            ],
        );
        const promptAttackOnly = guardrailUsageLines(PROD_USAGE, {
            ...GUARDRAIL,
            inputStrength: "NONE",
            outputStrength: "NONE",
            blockPii: [],
            anonymisePii: [],
        });
        assert.deepStrictEqual(
            promptAttackOnly.map((l) => l.item),
            ["Bedrock guardrail content filters, prompts"],
        );
    });

    it("added to the usage estimate's total, with what it assumes and which stack enforces", () => {
        const tokens = estimateUsage(PROD_USAGE, "eu.anthropic.claude-sonnet-4-20250514-v1:0");
        assert.strictEqual(tokens.monthlyUsd, 270);
        const owner = withGuardrail(tokens, PROD_USAGE, GUARDRAIL, { stack: "prod", own: true });
        assert.strictEqual(owner.monthlyUsd, 320);
        assert.strictEqual(owner.lines.length, tokens.lines.length + 4);
        assert.ok(
            owner.assumptions.includes(
                "Bedrock guardrail: this stack owns the account's settings, so its guardrail is the one enforced on every Bedrock call in the account and region (other stacks' too), priced here for this stack's calls only",
            ),
        );
        assert.ok(
            owner.assumptions.some((a) =>
                /^Bedrock guardrail prices: .*verify before budgeting$/.test(a),
            ),
        );
        const other = withGuardrail(tokens, PROD_USAGE, GUARDRAIL, { stack: "prod", own: false });
        assert.ok(
            other.assumptions.includes(
                "Bedrock guardrail: stack prod owns the account's settings, so its guardrail is the one enforced on this stack's calls; priced here with this stack's guardrail policies",
            ),
        );
        const unpriced = withGuardrail({ ...tokens, monthlyUsd: null }, PROD_USAGE, GUARDRAIL, {
            stack: "prod",
            own: true,
        });
        assert.strictEqual(unpriced.monthlyUsd, null);
    });
});

describe("plan: the guardrail in the committed stacks", () => {
    it("prod: the usage estimate includes the default guardrail's $50 (content filters and PII both ways): $320 a month", async () => {
        const plan = await planOf(runStack("prod"));
        const usage = plan.usageEstimate!;
        assert.deepStrictEqual(
            usage.lines
                .filter((l) => l.item.startsWith("Bedrock guardrail"))
                .map((l) => [l.item, l.quantity, l.unitUsd, l.monthlyUsd]),
            PROD_LINES,
        );
        assert.strictEqual(usage.monthlyUsd, 320);
        assert.ok(
            plan.cost.assumptions.includes(
                "Bedrock guardrail: this stack owns the account's settings (accountSettingsStack), so its guardrail is enforced on every Bedrock call in the account and region; it bills the text it evaluates (the usage estimate)",
            ),
        );
        // No standing charge, and nothing left unpriced.
        assert.deepStrictEqual(
            plan.cost.unpriced.filter((u) => /guardrail|aws-native/i.test(u.type)),
            [],
        );
        assert.deepStrictEqual(
            plan.cost.lines
                .filter((l) => /guardrail/i.test(l.resource))
                .map((l) => [l.resource, l.item, l.quantity, l.monthlyUsd]),
            [
                // Its alarm: anomaly detection bills the metric and the band's two bounds.
                [
                    "guardrail-alarm-alarm",
                    "CloudWatch anomaly detection alarm (the metric and its band's two bounds)",
                    3,
                    0.3,
                ],
            ],
        );
    });

    it("dev says prod's guardrail is the enforced one, and has no usage estimate to price", async () => {
        const plan = await planOf(runStack("dev"));
        assert.strictEqual(plan.usageEstimate, null);
        assert.ok(
            plan.cost.assumptions.includes(
                "Bedrock guardrail: stack prod owns the account's settings (accountSettingsStack), so its guardrail, not this stack's, is the one enforced on this stack's Bedrock calls; a guardrail bills the text it evaluates (the usage estimate)",
            ),
            JSON.stringify(plan.cost.assumptions.filter((a) => /guardrail/.test(a))),
        );
    });

    it("prod with the guardrail's filters set to NONE and no PII: only the prompt-attack filter is billed", async () => {
        const plan = await planOf(
            runProgram({
                stack: "prod",
                overrides: {
                    guardrailInputStrength: "NONE",
                    guardrailOutputStrength: "NONE",
                    guardrailBlockPii: [],
                    guardrailAnonymisePii: [],
                },
            }),
        );
        assert.deepStrictEqual(
            plan
                .usageEstimate!.lines.filter((l) => l.item.startsWith("Bedrock guardrail"))
                .map((l) => [l.item, l.monthlyUsd]),
            [["Bedrock guardrail content filters, prompts", 24]],
        );
        assert.strictEqual(plan.usageEstimate!.monthlyUsd, 294);
    });
});
