import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bedrockServices, MARKETPLACE_BILLING_ENTITY } from "./bedrockBilling";

/** The cost-allocation tag the budgets filter on, in Budgets' "user:<key>$<value>" form. */
export function stackTagFilter(stack: string): string {
    return "user:Stack$" + stack;
}

/** The cost-allocation tag key the budgets filter on (its value is the stack's name). */
export const STACK_TAG_KEY = "Stack";

/**
 * The Bedrock budget's filter: spend carrying the stack's tag AND billed as Bedrock, which is the
 * service "Amazon Bedrock" (Amazon's models), the named Marketplace service of each of the
 * stack's models (Anthropic's Claude is billed as e.g. "Claude Sonnet 4 (Amazon Bedrock
 * Edition)": governance/bedrockBilling.ts), OR anything sold through AWS Marketplace (a model the
 * table does not name yet; under the stack's tag nothing else of the stack is). Budgets' legacy
 * CostFilters AND every key and take no wildcard, so this is a FilterExpression (the CostFilters
 * field is deprecated since 2025-04 in the Budgets API model). Pure.
 */
export function bedrockFilterExpression(stack: string, models: readonly string[]) {
    return {
        ands: [
            { tags: { key: STACK_TAG_KEY, values: [stack] } },
            {
                ors: [
                    { dimensions: { key: "SERVICE", values: bedrockServices(models) } },
                    {
                        dimensions: {
                            key: "BILLING_ENTITY",
                            values: [MARKETPLACE_BILLING_ENTITY],
                        },
                    },
                ],
            },
        ],
    };
}

export interface BudgetsArgs {
    /** Prefix for the budgets' names, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The stack: the value of the Stack cost-allocation tag. Required. */
    readonly stack: string;
    /** The stack's whole monthly budget, USD; undefined: none. */
    readonly monthlyUsd?: number;
    /** Its Bedrock budget, USD; undefined: none. */
    readonly bedrockMonthlyUsd?: number;
    /**
     * The Bedrock models whose spend carries the stack's tag: its default model (config
     * `bedrockDefaultModel`, called through the stack's tagged inference profile). Required.
     */
    readonly bedrockModels: readonly string[];
    /** Alert when this % of a budget is actually spent. Required. */
    readonly actualAlertPercent: number;
    /** Alert when the month's forecast reaches this % of a budget. Required. */
    readonly forecastAlertPercent: number;
    /** The topic the alerts go to (the alarm topic; it lets budgets.amazonaws.com publish). Required. */
    readonly topicArn: pulumi.Input<string>;
}

/**
 * Monthly AWS Budgets that warn before the bill: the stack's total and its Bedrock spend (Bedrock's
 * own service and its models' Marketplace services), both filtered by the stack's cost-allocation
 * tag (Stack), each alerting the alarm topic when actual
 * spend passes one threshold and when the month's forecast passes another. A budget left unset is
 * not declared.
 */
export class Budgets extends pulumi.ComponentResource {
    /** The budgets declared, by kind ("total", "bedrock"). */
    public readonly names: Readonly<Record<string, string>>;

    constructor(name: string, args: BudgetsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:governance:Budgets", name, {}, opts);
        const tag = { name: "TagKeyValue", values: [stackTagFilter(args.stack)] };
        const notifications = [
            ["ACTUAL", args.actualAlertPercent],
            ["FORECASTED", args.forecastAlertPercent],
        ].map(([notificationType, threshold]) => ({
            comparisonOperator: "GREATER_THAN",
            notificationType: notificationType as string,
            threshold: threshold as number,
            thresholdType: "PERCENTAGE",
            subscriberSnsTopicArns: [args.topicArn],
        }));
        const names: Record<string, string> = {};
        const budget = (
            kind: string,
            usd: number,
            filter:
                | { costFilters: { name: string; values: string[] }[] }
                | {
                      filterExpression: ReturnType<typeof bedrockFilterExpression>;
                      metrics: string;
                  },
        ) => {
            names[kind] = `${args.namePrefix}-${kind}`;
            new aws.budgets.Budget(
                `${name}-${kind}`,
                {
                    name: names[kind],
                    budgetType: "COST",
                    timeUnit: "MONTHLY",
                    limitAmount: usd.toFixed(2),
                    limitUnit: "USD",
                    ...filter,
                    notifications,
                    tags: { Name: names[kind] },
                },
                { parent: this },
            );
        };
        if (args.monthlyUsd !== undefined) {
            budget("total", args.monthlyUsd, { costFilters: [tag] });
        }
        if (args.bedrockMonthlyUsd !== undefined) {
            budget("bedrock", args.bedrockMonthlyUsd, {
                filterExpression: bedrockFilterExpression(args.stack, args.bedrockModels),
                metrics: "UnblendedCost",
            });
        }
        this.names = names;
        this.registerOutputs({ names });
    }
}
