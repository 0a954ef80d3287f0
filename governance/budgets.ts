import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The cost-allocation tag the budgets filter on, in Budgets' "user:<key>$<value>" form. */
export function stackTagFilter(stack: string): string {
    return "user:Stack$" + stack;
}

/** AWS Budgets' service name for Bedrock's own charges. */
export const BEDROCK_SERVICE = "Amazon Bedrock";

export interface BudgetsArgs {
    /** Prefix for the budgets' names, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The stack: the value of the Stack cost-allocation tag. Required. */
    readonly stack: string;
    /** The stack's whole monthly budget, USD; undefined: none. */
    readonly monthlyUsd?: number;
    /** Its Bedrock budget, USD; undefined: none. */
    readonly bedrockMonthlyUsd?: number;
    /** Alert when this % of a budget is actually spent. Required. */
    readonly actualAlertPercent: number;
    /** Alert when the month's forecast reaches this % of a budget. Required. */
    readonly forecastAlertPercent: number;
    /** The topic the alerts go to (the alarm topic; it lets budgets.amazonaws.com publish). Required. */
    readonly topicArn: pulumi.Input<string>;
}

/**
 * Monthly AWS Budgets that warn before the bill: the stack's total and its Bedrock spend, both
 * filtered by the stack's cost-allocation tag (Stack), each alerting the alarm topic when actual
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
            costFilters: { name: string; values: string[] }[],
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
                    costFilters,
                    notifications,
                    tags: { Name: names[kind] },
                },
                { parent: this },
            );
        };
        if (args.monthlyUsd !== undefined) {
            budget("total", args.monthlyUsd, [tag]);
        }
        if (args.bedrockMonthlyUsd !== undefined) {
            budget("bedrock", args.bedrockMonthlyUsd, [
                tag,
                { name: "Service", values: [BEDROCK_SERVICE] },
            ]);
        }
        this.names = names;
        this.registerOutputs({ names });
    }
}
