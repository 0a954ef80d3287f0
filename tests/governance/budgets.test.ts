/**
 * Someone hears before the bill: each stack's monthly budgets (its total and its Bedrock spend),
 * filtered by the Stack cost-allocation tag its resources carry, warning the alarm topic when the
 * actual spend and the month's forecast pass the configured percentages.
 */
import * as assert from "assert";
import { Budgets } from "../../governance/budgets";
import {
    bedrockServices,
    billingOf,
    BEDROCK_BILLING,
    isBedrockService,
} from "../../governance/bedrockBilling";
import { childNames, runComponent } from "../harness/component";
import { named, ofType } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import { DeclaredResource, ProgramRun, runProgram } from "../../offline/run";

const BUDGET = "aws:budgets/budget:Budget";

/** What each committed stack file budgets, in USD (Pulumi.<stack>.yaml). */
const COMMITTED = {
    dev: { total: "450.00", bedrock: "100.00" },
    prod: { total: "1500.00", bedrock: "1000.00" },
};

/** AWS Budgets' tag filter, "user:<key>$<value>", spelt out (a literal $, no interpolation). */
const TAG_FILTER = { dev: "user:Stack$dev", prod: "user:Stack$prod" };

function budgets(run: ProgramRun): Record<string, DeclaredResource> {
    return Object.fromEntries(
        ofType(run, BUDGET).map((b) => [
            String(b.inputs.name).replace(`ai-portal-${run.config.stack}-`, ""),
            b,
        ]),
    );
}

/** The Stack tag the provider puts on every resource of the stack (its default tags). */
function stackTag(run: ProgramRun): string {
    const provider = named(run, "pulumi:providers:aws", "aws");
    return JSON.parse(provider.inputs.defaultTags).tags.Stack;
}

forEachStack("governance: budgets", (ctx) => {
    const { stack } = ctx;

    it("a monthly cost budget for the stack's total and one for its Bedrock spend, in USD, as its stack file says", () => {
        const b = budgets(ctx.run);
        assert.deepStrictEqual(Object.keys(b).sort(), ["bedrock", "total"]);
        for (const kind of ["total", "bedrock"] as const) {
            const inputs = b[kind].inputs;
            assert.deepStrictEqual(
                [inputs.budgetType, inputs.timeUnit, inputs.limitUnit, inputs.limitAmount],
                ["COST", "MONTHLY", "USD", COMMITTED[stack][kind]],
                kind,
            );
        }
    });

    it("both count only this stack's spend: its Stack cost-allocation tag, as its resources carry it", () => {
        const b = budgets(ctx.run);
        assert.strictEqual(stackTag(ctx.run), stack);
        assert.deepStrictEqual(b.total.inputs.costFilters, [
            { name: "TagKeyValue", values: [TAG_FILTER[stack]] },
        ]);
        assert.strictEqual(TAG_FILTER[stack], "user:Stack$" + stackTag(ctx.run));
    });

    it("the Bedrock budget counts Bedrock's own service and the default model's Marketplace service (Claude Sonnet 4), or anything sold through AWS Marketplace, under the tag", () => {
        const bedrock = budgets(ctx.run).bedrock.inputs;
        assert.strictEqual(bedrock.costFilters, undefined);
        assert.strictEqual(bedrock.metrics, "UnblendedCost");
        assert.deepStrictEqual(bedrock.filterExpression, {
            ands: [
                { tags: { key: "Stack", values: [stackTag(ctx.run)] } },
                {
                    ors: [
                        {
                            dimensions: {
                                key: "SERVICE",
                                values: [
                                    "Amazon Bedrock",
                                    "Claude Sonnet 4 (Amazon Bedrock Edition)",
                                ],
                            },
                        },
                        { dimensions: { key: "BILLING_ENTITY", values: ["AWS Marketplace"] } },
                    ],
                },
            ],
        });
    });

    it("each warns the alarm topic at 80% actually spent and at 100% forecast (the defaults)", () => {
        const topic = ctx.run.outputs.alarmTopicArn;
        for (const budget of Object.values(budgets(ctx.run))) {
            assert.deepStrictEqual(
                budget.inputs.notifications,
                [
                    ["ACTUAL", 80],
                    ["FORECASTED", 100],
                ].map(([notificationType, threshold]) => ({
                    comparisonOperator: "GREATER_THAN",
                    notificationType,
                    threshold,
                    thresholdType: "PERCENTAGE",
                    subscriberSnsTopicArns: [topic],
                })),
                budget.name,
            );
        }
    });
});

describe("governance: budgets as configured", () => {
    it("the alert percentages come from config", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { budgetActualAlertPercent: 50, budgetForecastAlertPercent: 120 },
        });
        assert.ifError(run.error);
        for (const budget of ofType(run, BUDGET)) {
            assert.deepStrictEqual(
                budget.inputs.notifications.map(
                    (n: { notificationType: string; threshold: number }) => [
                        n.notificationType,
                        n.threshold,
                    ],
                ),
                [
                    ["ACTUAL", 50],
                    ["FORECASTED", 120],
                ],
            );
        }
    });

    it("a budget of 0 is none: neither is declared, and the other stays", async () => {
        const none = await runProgram({
            stack: "dev",
            overrides: { monthlyBudgetUsd: 0, bedrockMonthlyBudgetUsd: 0 },
        });
        assert.ifError(none.error);
        assert.deepStrictEqual(ofType(none, BUDGET), []);
        const bedrockOnly = await runProgram({ stack: "dev", overrides: { monthlyBudgetUsd: 0 } });
        assert.ifError(bedrockOnly.error);
        assert.deepStrictEqual(Object.keys(budgets(bedrockOnly)), ["bedrock"]);
    });
});

describe("Budgets (component)", () => {
    const ARGS = {
        namePrefix: "ai-portal-test",
        stack: "test",
        bedrockModels: ["eu.anthropic.claude-3-5-sonnet-20240620-v1:0"],
        actualAlertPercent: 75,
        forecastAlertPercent: 110,
        topicArn: "arn:aws:sns:eu-west-2:123456789012:alarms",
    };

    it("declares nothing when neither budget is given", async () => {
        const run = await runComponent((opts) => ({ b: new Budgets("b", ARGS, opts).names }));
        assert.ifError(run.error);
        assert.deepStrictEqual(childNames(run), ["b"]);
    });

    it("the amounts to the cent, the stack's tag, the given percentages and topic", async () => {
        const run = await runComponent((opts) => ({
            b: new Budgets("b", { ...ARGS, monthlyUsd: 12, bedrockMonthlyUsd: 3 }, opts).names,
        }));
        assert.ifError(run.error);
        const total = named(run, BUDGET, "b-total").inputs;
        const bedrock = named(run, BUDGET, "b-bedrock").inputs;
        assert.deepStrictEqual(
            [total.name, total.limitAmount, bedrock.name, bedrock.limitAmount],
            ["ai-portal-test-total", "12.00", "ai-portal-test-bedrock", "3.00"],
        );
        assert.deepStrictEqual(total.costFilters, [
            { name: "TagKeyValue", values: ["user:Stack$test"] },
        ]);
        // Anthropic's model is billed through AWS Marketplace under a service name of its own.
        assert.deepStrictEqual(bedrock.filterExpression.ands[1].ors[0].dimensions, {
            key: "SERVICE",
            values: ["Amazon Bedrock", "Claude 3.5 Sonnet (Amazon Bedrock Edition)"],
        });
        for (const n of [...total.notifications, ...bedrock.notifications]) {
            assert.deepStrictEqual(n.subscriberSnsTopicArns, [ARGS.topicArn]);
        }
        assert.deepStrictEqual(
            total.notifications.map((n: { threshold: number }) => n.threshold),
            [75, 110],
        );
    });
});

describe("governance: how Bedrock models are billed (pure)", () => {
    it("Anthropic's models through AWS Marketplace under their own names, whatever the profile prefix", () => {
        for (const id of [
            "anthropic.claude-sonnet-4-20250514-v1:0",
            "eu.anthropic.claude-sonnet-4-20250514-v1:0",
            "global.anthropic.claude-sonnet-4-20250514-v1:0",
        ]) {
            assert.deepStrictEqual(billingOf(id), {
                billingEntity: "AWS Marketplace",
                service: "Claude Sonnet 4 (Amazon Bedrock Edition)",
            });
        }
    });

    it("Amazon's own models under Amazon Bedrock; a model the table does not know: nothing named", () => {
        assert.deepStrictEqual(billingOf("eu.amazon.nova-pro-v1:0"), {
            billingEntity: "AWS",
            service: "Amazon Bedrock",
        });
        assert.deepStrictEqual(billingOf("eu.anthropic.claude-future-v9:0"), {
            billingEntity: "AWS Marketplace",
            service: undefined,
        });
        assert.deepStrictEqual(billingOf("eu.example.model-v1:0"), {});
    });

    it("a stack's services: Amazon Bedrock first, then each named model's once", () => {
        assert.deepStrictEqual(
            bedrockServices([
                "eu.anthropic.claude-sonnet-4-20250514-v1:0",
                "anthropic.claude-sonnet-4-20250514-v1:0",
                "eu.amazon.nova-pro-v1:0",
                "eu.anthropic.claude-3-haiku-20240307-v1:0",
            ]),
            [
                "Amazon Bedrock",
                "Claude 3 Haiku (Amazon Bedrock Edition)",
                "Claude Sonnet 4 (Amazon Bedrock Edition)",
            ],
        );
    });

    it("every service in the table is one the plan counts as Bedrock spend, and each provider says where its names come from", () => {
        for (const [provider, billing] of Object.entries(BEDROCK_BILLING)) {
            assert.ok(billing.source.length > 0, provider);
            for (const service of Object.values(billing.services)) {
                assert.ok(isBedrockService(service), service);
            }
        }
        assert.strictEqual(isBedrockService("Amazon Elastic Compute Cloud - Compute"), false);
    });
});
