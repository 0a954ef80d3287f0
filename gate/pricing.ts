/**
 * What a call costs: the plan's price table (plan/prices.json, read by plan/modelPrices.ts), in
 * nano-dollars so sums stay exact integers. Pure.
 */
import { modelPrice, ModelPrice, pricedModels } from "../plan/modelPrices";

/** One US dollar in the unit the gate counts in. */
export const NANO_PER_USD = 1_000_000_000;

export interface Pricing {
    /** The model id the price was found under (after an alias), or the fallback's name. */
    readonly pricedAs: string;
    readonly price: ModelPrice;
    /** True when the model has no price of its own and the fallback was used. */
    readonly unpriced: boolean;
}

/**
 * The dearest input and output prices in the table: a model without a price of its own is charged
 * at these, so picking an unlisted model cannot get round a limit. Flagged `unpriced` in the log.
 */
export const FALLBACK_PRICE: ModelPrice = (() => {
    const all = pricedModels().map((m) => modelPrice(m)!);
    return {
        name: "fallback (dearest prices in plan/prices.json)",
        inputPerMillionTokens: Math.max(...all.map((p) => p.inputPerMillionTokens)),
        outputPerMillionTokens: Math.max(...all.map((p) => p.outputPerMillionTokens)),
    };
})();

/**
 * The price of the model a request names. `aliases` maps ids the gateway lists that the table does
 * not (an application inference profile's ARN) to the model or system profile they copy.
 */
export function priceModel(model: string, aliases: Readonly<Record<string, string>>): Pricing {
    const target = Object.prototype.hasOwnProperty.call(aliases, model) ? aliases[model] : model;
    const price = modelPrice(target);
    return price
        ? { pricedAs: target, price, unpriced: false }
        : { pricedAs: FALLBACK_PRICE.name, price: FALLBACK_PRICE, unpriced: true };
}

/** A call's cost in nano-dollars: tokens × price per million tokens. */
export function costNanoUsd(price: ModelPrice, inputTokens: number, outputTokens: number): number {
    // $/million tokens = 1000 n$ per token.
    return Math.round(
        inputTokens * price.inputPerMillionTokens * 1000 +
            outputTokens * price.outputPerMillionTokens * 1000,
    );
}

/** Nano-dollars as dollars (for logs, metrics and messages). */
export function usd(nano: number): number {
    return nano / NANO_PER_USD;
}
