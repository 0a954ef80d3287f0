/**
 * The AWS Budgets a stack declares, as a reviewer checks them: name, monthly limit, filters and
 * alert thresholds, next to what the plan estimates each will see; and, as a visible choice, the
 * budgets it does not have (a limit of 0 in its config). Pure.
 */
import { isBedrockService } from "../governance/bedrockBilling";
import type { CostInput } from "./cost";

/** A budget's FilterExpression as declared (aws.budgets.Budget `filterExpression`). */
interface Expression {
    readonly ands?: Expression[];
    readonly ors?: Expression[];
    readonly dimensions?: { readonly key: string; readonly values: string[] };
    readonly tags?: { readonly key: string; readonly values: string[] };
}

/** The legacy CostFilters name of a FilterExpression dimension, e.g. SERVICE -> Service. */
const FILTER_NAMES: Readonly<Record<string, string>> = {
    SERVICE: "Service",
    BILLING_ENTITY: "BillingEntity",
};

/**
 * A FilterExpression as the plan shows filters, by name: a tag as TagKeyValue (`user:<key>$<value>`,
 * as CostFilters spell it), a dimension by its CostFilters name; the second and later operands
 * of an OR are prefixed "or " (e.g. { Service: [...], "or BillingEntity": ["AWS Marketplace"] }).
 */
function expressionFilters(e: Expression, into: Record<string, string[]>, or = false): void {
    const add = (name: string, values: string[]) => {
        const key = or ? `or ${name}` : name;
        into[key] = [...(into[key] ?? []), ...values];
    };
    if (e.tags) {
        add(
            "TagKeyValue",
            e.tags.values.map((v) => `user:${e.tags!.key}$${v}`),
        );
    }
    if (e.dimensions) {
        add(FILTER_NAMES[e.dimensions.key] ?? e.dimensions.key, e.dimensions.values);
    }
    for (const a of e.ands ?? []) {
        expressionFilters(a, into, or);
    }
    for (const [i, o] of (e.ors ?? []).entries()) {
        expressionFilters(o, into, or || i > 0);
    }
}

export interface PlannedBudget {
    readonly resource: string;
    readonly name: string;
    readonly limitUsd: number;
    readonly timeUnit: string;
    /**
     * Cost filters by name, e.g. { TagKeyValue: ["user:Stack$dev"], Service: ["Amazon Bedrock",
     * "Claude Sonnet 4 (Amazon Bedrock Edition)"], "or BillingEntity": ["AWS Marketplace"] }.
     */
    readonly filters: Readonly<Record<string, readonly string[]>>;
    /** e.g. { type: "ACTUAL", thresholdPercent: 80 }: an alert at 80% of the limit actually spent. */
    readonly alerts: readonly { readonly type: string; readonly thresholdPercent: number }[];
    /** Where its alerts go (SNS topics). */
    readonly notifies: readonly string[];
    /** What the plan estimates it will see in a month; null when the plan has no estimate. */
    readonly estimateUsd: number | null;
    /** What that estimate is made of. */
    readonly estimateOf: string;
}

export interface BudgetsSummary {
    readonly declared: readonly PlannedBudget[];
    /** The budgets the stack chose not to have, e.g. "no budget (monthlyBudgetUsd is 0)". */
    readonly notDeclared: readonly string[];
    /** What they count, and since when. */
    readonly notes: readonly string[];
}

/** The governance settings budgets are read against (config/governance.ts). */
export interface BudgetSettings {
    readonly monthlyBudgetUsd?: number;
    readonly bedrockMonthlyBudgetUsd?: number;
    readonly activateCostAllocationTags: boolean;
    readonly ownsAccountSettings: boolean;
    readonly accountSettingsStack: string;
}

export interface BudgetEstimates {
    /** The infrastructure a month: on its schedule when the stack has one, else always on. */
    readonly infrastructureUsd: number;
    readonly infrastructureOf: string;
    /** The Bedrock usage estimate; null when there is none (or it is unpriced). */
    readonly bedrockUsd: number | null;
}

const round = (n: number) => Math.round(n * 100) / 100;

export function summariseBudgets(
    resources: readonly CostInput[],
    settings: BudgetSettings | undefined,
    estimates: BudgetEstimates,
): BudgetsSummary {
    const declared = resources
        .filter((r) => r.type === "aws:budgets/budget:Budget")
        .map((r): PlannedBudget => {
            const i = r.inputs;
            const filters: Record<string, string[]> = {};
            for (const f of (i.costFilters ?? []) as { name: string; values: string[] }[]) {
                filters[f.name] = [...(filters[f.name] ?? []), ...f.values];
            }
            if (i.filterExpression) {
                expressionFilters(i.filterExpression as Expression, filters);
            }
            const notifications = (i.notifications ?? []) as Record<string, any>[];
            const bedrockOnly =
                (filters.Service ?? []).length > 0 && filters.Service.every(isBedrockService);
            const other = Object.keys(filters).some((k) => k !== "TagKeyValue");
            const usage = estimates.bedrockUsd;
            const [estimateUsd, estimateOf] = bedrockOnly
                ? [
                      usage,
                      usage === null ? "no Bedrock usage estimate" : "the Bedrock usage estimate",
                  ]
                : other
                  ? [null, "no estimate for its filters"]
                  : [
                        round(estimates.infrastructureUsd + (usage ?? 0)),
                        usage === null
                            ? estimates.infrastructureOf
                            : `${estimates.infrastructureOf} plus the Bedrock usage estimate`,
                    ];
            return {
                resource: r.name,
                name: String(i.name ?? r.name),
                limitUsd: Number(i.limitAmount),
                timeUnit: String(i.timeUnit),
                filters,
                alerts: notifications.map((n) => ({
                    type: String(n.notificationType),
                    thresholdPercent: Number(n.threshold),
                })),
                notifies: [
                    ...new Set(
                        notifications.flatMap((n) => (n.subscriberSnsTopicArns ?? []) as string[]),
                    ),
                ].sort(),
                estimateUsd,
                estimateOf,
            };
        })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const notDeclared: string[] = [];
    if (settings) {
        if (settings.monthlyBudgetUsd === undefined) {
            notDeclared.push("no budget (monthlyBudgetUsd is 0)");
        }
        if (settings.bedrockMonthlyBudgetUsd === undefined) {
            notDeclared.push("no Bedrock budget (bedrockMonthlyBudgetUsd is 0)");
        }
    } else if (declared.length === 0) {
        notDeclared.push("no budget");
    }
    const byTag = declared.some((b) => b.filters.TagKeyValue !== undefined);
    const notes: string[] = [];
    if (byTag && settings) {
        notes.push(
            settings.ownsAccountSettings
                ? settings.activateCostAllocationTags
                    ? "The Stack tag is activated for cost allocation by this stack: the budgets count costs from the activation on (not before)."
                    : "The Stack tag is NOT activated for cost allocation yet (activateCostAllocationTags is false on this stack, which owns the account's settings): until it is, these budgets see no cost. AWS offers a tag key for activation up to a day after resources first carry it."
                : `The Stack tag must be activated for cost allocation by stack ${settings.accountSettingsStack} (activateCostAllocationTags), which owns the account's settings: until it is, these budgets see no cost.`,
        );
    }
    if (declared.length > 0) {
        notes.push(
            "AWS updates budgets up to three times a day: an alert can come hours after the spending.",
        );
    }
    return { declared, notDeclared, notes };
}
