/**
 * Bedrock model prices as plan/prices.json holds them, read in one place for the plan's usage
 * estimate and the usage gate (gate/), so both price a token the same way. Pure.
 */
import prices from "./prices.json";

export interface ModelPrice {
    readonly name: string;
    readonly inputPerMillionTokens: number;
    readonly outputPerMillionTokens: number;
}

const MODELS = prices.bedrock.models as Readonly<Record<string, ModelPrice>>;

/** The dated on-demand price of a model or system inference profile id; undefined when unlisted. */
export function modelPrice(model: string): ModelPrice | undefined {
    return Object.prototype.hasOwnProperty.call(MODELS, model) ? MODELS[model] : undefined;
}

/** Every priced model id. */
export function pricedModels(): readonly string[] {
    return Object.keys(MODELS);
}

/** The date the prices were transcribed (prices.json `priceDate`). */
export const PRICE_DATE: string = prices.priceDate;
