/**
 * What the Bedrock guardrail adds to the usage estimate: Bedrock bills each policy per 1,000
 * "text units" (up to 1,000 characters each) of every text it evaluates, prompts and answers
 * apart, at the dated list prices in plan/prices.json (bedrockGuardrails, marked unverified). Pure.
 *
 * Text units come from the usage estimate's tokens: with the enforcement's comprehensive guarding
 * every call's whole prompt (the conversation so far, as input tokens count it) is evaluated, and
 * so is every answer. Word filters and the managed profanity list are free.
 */
import type { GuardrailConfig } from "../config/guardrail";
import prices from "./prices.json";
import { thousands } from "./cost";
import type { UsageEstimate, UsageInput, UsageLine } from "./usageEstimate";

const round = (n: number) => Math.round(n * 100) / 100;

const g = prices.bedrockGuardrails;

/** Text units a month for `tokens` tokens: characters (at charactersPerToken) over 1,000, rounded up. */
export function textUnits(tokens: number): number {
    return Math.ceil((tokens * g.charactersPerToken) / g.charactersPerTextUnit);
}

/** The guardrail's lines for a month of the usage estimate's prompts and answers. */
export function guardrailUsageLines(usage: UsageInput, guardrail: GuardrailConfig): UsageLine[] {
    const prompts = textUnits(usage.users * usage.inputTokensPerUser);
    const answers = textUnits(usage.users * usage.outputTokensPerUser);
    const contentOnPrompts =
        guardrail.inputStrength !== "NONE" || guardrail.promptAttackStrength !== "NONE";
    const contentOnAnswers = guardrail.outputStrength !== "NONE";
    const pii = guardrail.blockPii.length + guardrail.anonymisePii.length > 0;
    const topics = guardrail.deniedTopics.length > 0;
    const policies: [string, boolean, number, number][] = [
        ["content filters, prompts", contentOnPrompts, prompts, g.contentFiltersPer1000TextUnits],
        ["content filters, answers", contentOnAnswers, answers, g.contentFiltersPer1000TextUnits],
        ["denied topics, prompts", topics, prompts, g.deniedTopicsPer1000TextUnits],
        ["denied topics, answers", topics, answers, g.deniedTopicsPer1000TextUnits],
        [
            "sensitive information (PII), prompts",
            pii,
            prompts,
            g.sensitiveInformationPer1000TextUnits,
        ],
        [
            "sensitive information (PII), answers",
            pii,
            answers,
            g.sensitiveInformationPer1000TextUnits,
        ],
    ];
    return policies
        .filter(([, on]) => on)
        .map(([what, , units, per1000]) => ({
            item: `Bedrock guardrail ${what}`,
            quantity: units / 1000,
            unit: "thousand text units",
            unitUsd: per1000,
            monthlyUsd: round((units / 1000) * per1000),
            source: g.source,
        }));
}

/**
 * The usage estimate with the guardrail's lines added (its total too, when the model is priced),
 * and what they assume; `enforcedBy` is the stack whose guardrail the account enforces.
 */
export function withGuardrail(
    estimate: UsageEstimate,
    usage: UsageInput,
    guardrail: GuardrailConfig,
    enforcedBy: { readonly stack: string; readonly own: boolean },
): UsageEstimate {
    const lines = guardrailUsageLines(usage, guardrail);
    const added = round(lines.reduce((sum, l) => sum + l.monthlyUsd, 0));
    return {
        ...estimate,
        lines: [...estimate.lines, ...lines],
        monthlyUsd: estimate.monthlyUsd === null ? null : round(estimate.monthlyUsd + added),
        assumptions: [
            ...estimate.assumptions,
            `Bedrock guardrail: ${thousands(textUnits(usage.users * usage.inputTokensPerUser))} text units of prompts and ${thousands(textUnits(usage.users * usage.outputTokensPerUser))} of answers a month (${g.charactersPerToken} characters a token, ${thousands(g.charactersPerTextUnit)} characters a text unit; each call's text rounds up to whole units, which this does not count); ${g.assumption}`,
            enforcedBy.own
                ? `Bedrock guardrail: this stack owns the account's settings, so its guardrail is the one enforced on every Bedrock call in the account and region (other stacks' too), priced here for this stack's calls only`
                : `Bedrock guardrail: stack ${enforcedBy.stack} owns the account's settings, so its guardrail is the one enforced on this stack's calls; priced here with this stack's guardrail policies`,
            `Bedrock guardrail prices: ${g.verification}`,
        ],
    };
}
