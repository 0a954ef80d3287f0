/**
 * What Bedrock might cost a month for the people a stack expects (config `expectedUsers` and the
 * tokens each uses), at the dated on-demand prices of the default model (plan/prices.json). Pure.
 * Reported apart from the infrastructure estimate and never added into it: it is a guess about
 * people, not a price of what the stack declares. A model with no price is reported as unpriced,
 * never counted as zero.
 */
import prices from "./prices.json";
import { CostLine, thousands } from "./cost";
import { modelPrice } from "./modelPrices";

export interface UsageInput {
    readonly users: number;
    readonly inputTokensPerUser: number;
    readonly outputTokensPerUser: number;
}

/** A line of the estimate: a cost line that bills no declared resource and runs on no schedule. */
export type UsageLine = Omit<CostLine, "resource" | "scheduled">;

export interface UsageEstimate {
    /** The model every token is priced at (config `bedrockDefaultModel`). */
    readonly model: string;
    readonly users: number;
    readonly inputTokensPerUserPerMonth: number;
    readonly outputTokensPerUserPerMonth: number;
    /** Null when the model has no price (see `unpriced`). */
    readonly monthlyUsd: number | null;
    readonly lines: readonly UsageLine[];
    /** Why it could not be priced; null when it was. */
    readonly unpriced: string | null;
    readonly currency: "USD";
    readonly priceDate: string;
    readonly assumptions: readonly string[];
}

const round = (n: number) => Math.round(n * 100) / 100;

export function estimateUsage(usage: UsageInput, model: string): UsageEstimate {
    const price = modelPrice(model);
    const input = usage.users * usage.inputTokensPerUser;
    const output = usage.users * usage.outputTokensPerUser;
    const lines: UsageLine[] = price
        ? [
              ["input tokens", input, price.inputPerMillionTokens],
              ["output tokens", output, price.outputPerMillionTokens],
          ].map(([kind, tokens, perMillion]) => ({
              item: `${price.name} ${kind}`,
              quantity: (tokens as number) / 1e6,
              unit: "million tokens",
              unitUsd: perMillion as number,
              monthlyUsd: round(((tokens as number) / 1e6) * (perMillion as number)),
              source: prices.bedrock.source,
          }))
        : [];
    return {
        model,
        users: usage.users,
        inputTokensPerUserPerMonth: usage.inputTokensPerUser,
        outputTokensPerUserPerMonth: usage.outputTokensPerUser,
        monthlyUsd: price ? round(lines.reduce((sum, l) => sum + l.monthlyUsd, 0)) : null,
        lines,
        unpriced: price ? null : `no price for model ${model} in plan/prices.json`,
        currency: "USD",
        priceDate: prices.priceDate,
        assumptions: [
            `${thousands(usage.users)} people (expectedUsers), each ${thousands(usage.inputTokensPerUser)} input and ${thousands(usage.outputTokensPerUser)} output tokens a month (inputTokensPerUserPerMonth, outputTokensPerUserPerMonth): ${thousands(input)} input and ${thousands(output)} output tokens in all`,
            `every token on the default model ${model} (bedrockDefaultModel), on demand; other models people pick in Open WebUI are not counted`,
            prices.bedrock.assumption,
            `not in the infrastructure estimate, and never added to it`,
            `Bedrock prices: ${prices.bedrock.verification}`,
        ],
    };
}
