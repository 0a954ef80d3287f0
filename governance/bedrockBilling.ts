/**
 * Where Bedrock spend shows on the bill: Amazon's own models under the service "Amazon Bedrock",
 * third parties' models (Anthropic's Claude, this portal's default) through AWS Marketplace, each
 * model under a service name of its own such as "Claude Sonnet 4 (Amazon Bedrock Edition)". A
 * budget or graph on "Amazon Bedrock" alone misses the default model's spend. Pure.
 *
 * What was checked, and where (no AWS document lists these names; they come from bills):
 * - "Amazon Bedrock": the Cost Explorer SERVICE / Budgets Service value of Bedrock's own charges
 *   (its USAGE_TYPEs name Amazon's models, e.g. USE1-NovaMicro-input-tokens); "AmazonBedrock" is
 *   its ServiceName in the AWS/Billing metric.
 * - Anthropic's models are sold by "Anthropic, PBC" (LEGAL_ENTITY_NAME) through the billing entity
 *   "AWS Marketplace" (BILLING_ENTITY; the Cost Explorer API reference, GetDimensionValues), each
 *   as the SERVICE "<model> (Amazon Bedrock Edition)", the same name as the Marketplace product's
 *   `servicename` in the Price List API and the CUR's product_name (the CUR's
 *   product_servicecode / line_item_product_code is a Marketplace product code, not a name).
 *   Seen in public Cost Explorer output and queries (e.g. awssteph/reinvent25-cop401
 *   BedrockCostAllocation.sql, from AWS re:Invent 2025 COP401: "Claude 3 Haiku (Amazon Bedrock
 *   Edition)"), not in AWS documentation.
 * - Not verified: the AWS/Billing ServiceName of a Marketplace model (the dashboard searches for
 *   it), and the names of models not in the table.
 */

/** The SERVICE (Cost Explorer, Budgets) of Bedrock's own charges. */
export const BEDROCK_SERVICE = "Amazon Bedrock";

/** The AWS/Billing metric's ServiceName of Bedrock's own charges. */
export const BEDROCK_BILLING_METRIC_SERVICE = "AmazonBedrock";

/** The BILLING_ENTITY of everything sold through AWS Marketplace (third-party Bedrock models). */
export const MARKETPLACE_BILLING_ENTITY = "AWS Marketplace";

/** The suffix AWS Marketplace gives a third-party model's service name on Bedrock. */
export const MARKETPLACE_EDITION = " (Amazon Bedrock Edition)";

/** How one model provider's Bedrock models are billed. */
export interface ProviderBilling {
    /** Who sells them: AWS itself, or the provider through AWS Marketplace. */
    readonly billingEntity: "AWS" | typeof MARKETPLACE_BILLING_ENTITY;
    /**
     * The SERVICE each model is billed under, by model id without its inference-profile prefix;
     * a provider AWS sells has one service for all ("*").
     */
    readonly services: Readonly<Record<string, string>>;
    /** Where the names were seen. */
    readonly source: string;
}

const COST_EXPLORER_OUTPUT =
    "Cost Explorer SERVICE values in public accounts' output and queries (GitHub), the Price List API's Marketplace servicename; not AWS documentation";

/** One table: model provider (the model id's first part) -> how its models are billed. */
export const BEDROCK_BILLING: Readonly<Record<string, ProviderBilling>> = {
    amazon: {
        billingEntity: "AWS",
        services: { "*": BEDROCK_SERVICE },
        source: "Cost Explorer: Nova and Titan usage types under the service Amazon Bedrock",
    },
    anthropic: {
        billingEntity: MARKETPLACE_BILLING_ENTITY,
        services: {
            "anthropic.claude-3-haiku-20240307-v1:0": "Claude 3 Haiku" + MARKETPLACE_EDITION,
            "anthropic.claude-3-5-sonnet-20240620-v1:0": "Claude 3.5 Sonnet" + MARKETPLACE_EDITION,
            "anthropic.claude-3-5-sonnet-20241022-v2:0": "Claude 3.5 Sonnet" + MARKETPLACE_EDITION,
            "anthropic.claude-3-5-haiku-20241022-v1:0": "Claude 3.5 Haiku" + MARKETPLACE_EDITION,
            "anthropic.claude-sonnet-4-20250514-v1:0": "Claude Sonnet 4" + MARKETPLACE_EDITION,
            "anthropic.claude-opus-4-20250514-v1:0": "Claude Opus 4" + MARKETPLACE_EDITION,
            "anthropic.claude-sonnet-4-5-20250929-v1:0": "Claude Sonnet 4.5" + MARKETPLACE_EDITION,
            "anthropic.claude-haiku-4-5-20251001-v1:0": "Claude Haiku 4.5" + MARKETPLACE_EDITION,
        },
        source: COST_EXPLORER_OUTPUT,
    },
};

/** A model or inference-profile id without its profile prefix (eu., global., us., apac.). */
export function baseModelId(modelId: string): string {
    return modelId.replace(/^(eu|global|us|apac|us-gov|jp|au|ca)\./, "");
}

/** How a model is billed: its provider's entity and, when the table knows it, its SERVICE. */
export function billingOf(modelId: string): {
    readonly billingEntity?: ProviderBilling["billingEntity"];
    readonly service?: string;
} {
    const base = baseModelId(modelId);
    const provider = BEDROCK_BILLING[base.split(".")[0]];
    if (!provider) {
        return {};
    }
    return {
        billingEntity: provider.billingEntity,
        service: provider.services[base] ?? provider.services["*"],
    };
}

/**
 * The SERVICE values a stack's Bedrock spend is billed under: Bedrock's own and the named service
 * of each of its models the table knows (deduplicated, sorted after "Amazon Bedrock").
 */
export function bedrockServices(modelIds: readonly string[]): string[] {
    const named = modelIds
        .map((m) => billingOf(m).service)
        .filter((s): s is string => s !== undefined && s !== BEDROCK_SERVICE);
    return [BEDROCK_SERVICE, ...[...new Set(named)].sort()];
}

/** Whether a SERVICE value is Bedrock spend: Bedrock's own or a Marketplace model's on Bedrock. */
export function isBedrockService(service: string): boolean {
    return service === BEDROCK_SERVICE || service.endsWith(MARKETPLACE_EDITION);
}
