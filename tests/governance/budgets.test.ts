/**
 * Someone hears before the bill: each stack's monthly budgets (its total and its Bedrock spend),
 * filtered by the Stack cost-allocation tag its resources carry, warning the alarm topic when the
 * actual spend and the month's forecast pass the configured percentages.
 */
import * as assert from "assert";
import { Budgets } from "../../governance/budgets";
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

    it("the Bedrock budget also counts only the Amazon Bedrock service", () => {
        assert.deepStrictEqual(budgets(ctx.run).bedrock.inputs.costFilters, [
            { name: "TagKeyValue", values: [TAG_FILTER[stack]] },
            { name: "Service", values: ["Amazon Bedrock"] },
        ]);
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
        for (const n of [...total.notifications, ...bedrock.notifications]) {
            assert.deepStrictEqual(n.subscriberSnsTopicArns, [ARGS.topicArn]);
        }
        assert.deepStrictEqual(
            total.notifications.map((n: { threshold: number }) => n.threshold),
            [75, 110],
        );
    });
});
