/**
 * The plan answers "what will it cost?" for the governance tier: the new resources priced, a
 * stack's working hours priced next to always on, the budgets it declares (or chose not to), and
 * the Bedrock usage estimate, reported apart from the infrastructure and never added into it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { parseWorkingHours, WorkingHours } from "../../config/governance";
import { CostInput, describeSchedule, estimateCost, scheduledHours } from "../../plan/cost";
import { generatedDocs } from "../../plan/docs";
import { buildPlan, PlanDocument } from "../../plan/model";
import { renderPlan } from "../../plan/render";
import { estimateUsage } from "../../plan/usageEstimate";
import { ProgramRun, runProgram, runStack } from "../../offline/run";
import { PROJECT_DIR } from "../../offline/stackConfig";

const validatePlan = new Ajv({ allErrors: true }).compile(
    JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "plan/plan.schema.json"), "utf8")),
);

async function planOf(run: Promise<ProgramRun>): Promise<PlanDocument> {
    const done = await run;
    assert.ifError(done.error);
    const plan = buildPlan(done);
    assert.ok(validatePlan(JSON.parse(JSON.stringify(plan))), JSON.stringify(validatePlan.errors));
    return plan;
}

const hours = (text: string): WorkingHours => {
    const parsed = parseWorkingHours(text);
    assert.ok(typeof parsed === "object", String(parsed));
    return parsed;
};

const resource = (
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: { id?: string } = {},
): CostInput => ({ type, name, custom: true, inputs, ...extra });

/** A universal-target schedule calling `action` with `input`, as governance/workingHours.ts declares it. */
const schedule = (name: string, action: string, input: Record<string, unknown>) =>
    resource("aws:scheduler/schedule:Schedule", name, {
        scheduleExpression: "cron(0 19 ? * MON,TUE,WED,THU,FRI *)",
        target: { arn: `arn:aws:scheduler:::aws-sdk:${action}`, input: JSON.stringify(input) },
    });

const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 100) / 100;

describe("offline plan: working hours", () => {
    let dev: PlanDocument;
    let prod: PlanDocument;
    before(async () => {
        [dev, prod] = [await planOf(runStack("dev")), await planOf(runStack("prod"))];
    });

    it("prices dev's hosts and database at its working hours (the database 15 minutes longer), nothing else", () => {
        const scheduled = dev.cost.scheduled!;
        assert.ok(scheduled, "dev has a schedule");
        assert.strictEqual(scheduled.schedule, "Mon-Fri 07:00-19:00 Europe/London");
        // 5 days x 12 h = 60 h a week, x 52/12; the database from 06:45: 61.25 h a week.
        assert.strictEqual(scheduled.hostHoursPerMonth, 260);
        assert.strictEqual(scheduled.databaseHoursPerMonth, 265.42);
        assert.deepStrictEqual(
            dev.cost.lines
                .filter((l) => l.scheduled)
                .map((l) => [
                    l.resource,
                    l.item,
                    l.quantity,
                    l.monthlyUsd,
                    l.scheduled!.quantity,
                    l.scheduled!.monthlyUsd,
                ]),
            [
                ["compute-gateway-instance", "EC2 t3.small", 730, 17.23, 260, 6.14],
                ["compute-web-instance", "EC2 t3.medium", 730, 34.46, 260, 12.27],
                [
                    "data-postgres",
                    "RDS PostgreSQL db.t3.medium Single-AZ",
                    730,
                    57.67,
                    265.417,
                    20.97,
                ],
            ],
        );
        assert.deepStrictEqual(scheduled.asleep, [
            "compute-gateway-instance",
            "compute-web-instance",
            "data-postgres",
        ]);
        // What keeps running is billed in full: the directory, NAT, storage, addresses.
        for (const item of [
            /^Managed Microsoft AD/,
            /^NAT gateway$/,
            /^EBS/,
            /^RDS gp3/,
            /^public IPv4/,
        ]) {
            const lines = dev.cost.lines.filter((l) => item.test(l.item));
            assert.ok(lines.length > 0, String(item));
            assert.ok(
                lines.every((l) => l.scheduled === undefined),
                String(item),
            );
        }
        assert.match(scheduled.alwaysOn, /the directory \(it cannot be stopped\)/);
        // The scheduled total is the always-on total less exactly what the schedule saves.
        const saved = sum(
            dev.cost.lines.map((l) => l.monthlyUsd - (l.scheduled?.monthlyUsd ?? l.monthlyUsd)),
        );
        assert.strictEqual(saved, 69.98);
        assert.strictEqual(scheduled.savingUsd, saved);
        assert.strictEqual(scheduled.monthlyUsd, sum([dev.cost.monthlyUsd, -saved]));
    });

    it("shows always on and on the schedule in dev's text plan, and only always on in prod's", () => {
        const text = renderPlan(dev);
        assert.ok(
            text.includes(
                `: $${dev.cost.monthlyUsd.toFixed(2)} always on, $${dev.cost.scheduled!.monthlyUsd.toFixed(2)} on its schedule (Mon-Fri 07:00-19:00 Europe/London)`,
            ),
            text,
        );
        assert.match(text, / {2}always on {2}scheduled\n/);
        assert.match(text, /\$57\.67 {5}\$20\.97 {2}RDS PostgreSQL db\.t3\.medium Single-AZ\n/);
        assert.match(text, /\$213\.16 {4}\$213\.16 {2}Managed Microsoft AD Standard\n/);
        assert.match(
            text,
            /Billed around the clock all the same: .*the directory \(it cannot be stopped\)/,
        );

        const prodText = renderPlan(prod);
        assert.match(prodText, /prices of 2026-11-25\): \$\d+\.\d\d\n/);
        assert.doesNotMatch(
            prodText,
            /on its schedule|always on {2}scheduled|Billed around the clock/,
        );
    });

    it("prices prod always on: no schedule, no line at working hours", () => {
        assert.strictEqual(prod.cost.scheduled, null);
        assert.deepStrictEqual(
            prod.cost.lines.filter((l) => l.scheduled),
            [],
        );
    });

    it("prices a load-balanced stack's groups at the working hours, their root volumes too (deleted with the hosts)", async () => {
        const plan = await planOf(
            runProgram({
                stack: "prod",
                overrides: { schedule: "Mon-Fri 08:00-18:00 Europe/London" },
            }),
        );
        // 50 h a week x 52/12 = 216.667 h a month per host; the database from 07:45: 222.083 h.
        assert.deepStrictEqual(
            plan.cost.lines
                .filter((l) => l.scheduled)
                .map((l) => [l.resource, l.item, l.quantity, l.scheduled!.quantity]),
            [
                ["compute-gateway-group", "EBS gp3 root volume", 60, 17.808],
                ["compute-gateway-group", "EC2 t3.large", 1460, 433.333],
                ["compute-web-group", "EBS gp3 root volume", 60, 17.808],
                ["compute-web-group", "EC2 t3.large", 1460, 433.333],
                ["data-postgres", "RDS PostgreSQL db.t3.medium Multi-AZ", 730, 222.083],
            ],
        );
        assert.ok(plan.cost.scheduled!.monthlyUsd < plan.cost.monthlyUsd);
        assert.strictEqual(plan.cost.monthlyUsd, prod.cost.monthlyUsd, "always on is unchanged");
        assert.match(plan.cost.scheduled!.alwaysOn, /the load balancers, WAF, Redis/);
    });

    it("prices at working hours only what a declared schedule stops", () => {
        const resources = [
            resource(
                "aws:ec2/instance:Instance",
                "stopped",
                { instanceType: "t3.small" },
                { id: "i-1" },
            ),
            resource(
                "aws:ec2/instance:Instance",
                "running",
                { instanceType: "t3.small" },
                { id: "i-2" },
            ),
            resource("aws:rds/instance:Instance", "db", {
                identifier: "db-1",
                instanceClass: "db.t3.micro",
                allocatedStorage: 20,
            }),
            schedule("stop-hosts", "ec2:stopInstances", { InstanceIds: ["i-1"] }),
            schedule("start-hosts", "ec2:startInstances", { InstanceIds: ["i-1", "i-2"] }),
        ];
        const cost = estimateCost(resources, { schedule: hours("Mon-Fri 09:00-17:00 UTC") });
        assert.deepStrictEqual(
            cost.lines.filter((l) => l.scheduled).map((l) => [l.resource, l.scheduled!.quantity]),
            [["stopped", 173.333]],
        );
        assert.deepStrictEqual(cost.scheduled!.asleep, ["stopped"]);
        // Without working hours in the config, the same schedules change nothing.
        const always = estimateCost(resources);
        assert.strictEqual(always.scheduled, null);
        assert.ok(always.lines.every((l) => l.scheduled === undefined));
    });

    it("counts working hours from the schedule: days, hours, and the database's lead (never before midnight)", () => {
        const week = scheduledHours(hours("Mon,Wed,Fri 09:00-17:00 UTC"));
        assert.strictEqual(week.hosts, (24 * 52) / 12);
        // Three days, each 15 minutes longer for the database.
        assert.strictEqual(Math.round(week.database * 1e6) / 1e6, 107.25);
        assert.strictEqual(week.leadMinutes, 15);
        assert.strictEqual(scheduledHours(hours("Sat-Sun 00:05-06:00 UTC")).leadMinutes, 5);
        assert.strictEqual(
            describeSchedule(hours("Mon,Wed,Fri 09:00-17:00 Europe/Paris")),
            "Mon,Wed,Fri 09:00-17:00 Europe/Paris",
        );
        assert.strictEqual(
            describeSchedule(hours("tue-thu 08:30-18:15 UTC")),
            "Tue-Thu 08:30-18:15 UTC",
        );
    });
});

describe("offline plan: budgets", () => {
    it("shows dev's budgets: name, monthly limit, filters, alert thresholds, and what the plan expects each to see", async () => {
        const plan = await planOf(runStack("dev"));
        const topic = "arn:aws:sns:eu-west-2:123456789012:ai-portal-dev-alarms";
        const alerts = [
            { type: "ACTUAL", thresholdPercent: 80 },
            { type: "FORECASTED", thresholdPercent: 100 },
        ];
        assert.deepStrictEqual(plan.budgets.declared, [
            {
                resource: "budgets-bedrock",
                name: "ai-portal-dev-bedrock",
                limitUsd: 100,
                timeUnit: "MONTHLY",
                // Bedrock's own service, the default model's Marketplace service, or Marketplace.
                filters: {
                    TagKeyValue: ["user:Stack$dev"],
                    Service: ["Amazon Bedrock", "Claude Sonnet 4 (Amazon Bedrock Edition)"],
                    "or BillingEntity": ["AWS Marketplace"],
                },
                alerts,
                notifies: [topic],
                estimateUsd: null,
                estimateOf: "no Bedrock usage estimate",
            },
            {
                resource: "budgets-total",
                name: "ai-portal-dev-total",
                limitUsd: 450,
                timeUnit: "MONTHLY",
                filters: { TagKeyValue: ["user:Stack$dev"] },
                alerts,
                notifies: [topic],
                estimateUsd: plan.cost.scheduled!.monthlyUsd,
                estimateOf: "the infrastructure on its schedule",
            },
        ]);
        assert.deepStrictEqual(plan.budgets.notDeclared, []);
        assert.ok(plan.budgets.notes.some((n) => /activated .* by stack prod/.test(n)));
        const text = renderPlan(plan);
        assert.match(
            text,
            /ai-portal-dev-total: \$450\.00 monthly, filters TagKeyValue=user:Stack\$dev, alerts ACTUAL > 80%, FORECASTED > 100% to ai-portal-dev-alarms; estimate \$\d+\.\d\d/,
        );
    });

    it("says so when a stack chooses no budget (monthlyBudgetUsd and bedrockMonthlyBudgetUsd 0)", async () => {
        const plan = await planOf(
            runProgram({
                stack: "dev",
                overrides: { monthlyBudgetUsd: 0, bedrockMonthlyBudgetUsd: 0 },
            }),
        );
        assert.deepStrictEqual(plan.budgets.declared, []);
        assert.deepStrictEqual(plan.budgets.notDeclared, [
            "no budget (monthlyBudgetUsd is 0)",
            "no Bedrock budget (bedrockMonthlyBudgetUsd is 0)",
        ]);
        assert.ok(!plan.cost.lines.some((l) => /^AWS Budgets/.test(l.item)));
        assert.match(renderPlan(plan), /Budgets:\n {2}no budget \(monthlyBudgetUsd is 0\)\n/);
    });

    it("counts the usage estimate in the budgets that see Bedrock, and warns that prod's Stack tag is not activated yet", async () => {
        const plan = await planOf(runStack("prod"));
        const byName = new Map(plan.budgets.declared.map((b) => [b.name, b]));
        assert.strictEqual(byName.get("ai-portal-prod-bedrock")!.limitUsd, 1000);
        // Tokens ($270) and the guardrail that checks them ($50, tests/plan/guardrailCost.test.ts).
        assert.strictEqual(byName.get("ai-portal-prod-bedrock")!.estimateUsd, 320);
        assert.strictEqual(byName.get("ai-portal-prod-total")!.limitUsd, 1500);
        assert.strictEqual(
            byName.get("ai-portal-prod-total")!.estimateUsd,
            sum([plan.cost.monthlyUsd, 320]),
        );
        assert.ok(
            plan.budgets.notes.some((n) =>
                /NOT activated .*activateCostAllocationTags is false/.test(n),
            ),
        );
    });

    it("takes the account-owning stack's budgets as the account's free two, and charges every other by the day", async () => {
        const [dev, prod] = [await planOf(runStack("dev")), await planOf(runStack("prod"))];
        const budgetLines = (plan: PlanDocument) =>
            plan.cost.lines
                .filter((l) => /^AWS Budgets/.test(l.item))
                .map((l) => [l.resource, l.item, l.quantity, l.unitUsd, l.monthlyUsd]);
        assert.deepStrictEqual(budgetLines(dev), [
            ["budgets-bedrock", "AWS Budgets budget", 30.417, 0.02, 0.61],
            ["budgets-total", "AWS Budgets budget", 30.417, 0.02, 0.61],
        ]);
        assert.deepStrictEqual(budgetLines(prod), [
            ["budgets-bedrock", "AWS Budgets budget (one of the account's free 2)", 30.417, 0, 0],
            ["budgets-total", "AWS Budgets budget (one of the account's free 2)", 30.417, 0, 0],
        ]);
        assert.ok(
            dev.cost.assumptions.some((a) => /stack prod owns the account's settings/.test(a)),
        );
        assert.ok(
            prod.cost.assumptions.some((a) => /this stack owns the account's settings/.test(a)),
        );
        // A third budget of the owning stack is beyond the free two.
        const budget = (name: string) => resource("aws:budgets/budget:Budget", name, {});
        const cost = estimateCost([budget("a"), budget("b"), budget("c")], {
            account: { ownsSettings: true, settingsStack: "prod" },
        });
        assert.deepStrictEqual(
            cost.lines.map((l) => [l.resource, l.monthlyUsd]),
            [
                ["a", 0],
                ["b", 0],
                ["c", 0.61],
            ],
        );
    });
});

describe("offline plan: the governance resources' prices", () => {
    it("prices prod with metadata invocation logging and activated cost-allocation tags (nothing unpriced)", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: {
                bedrockInvocationLogging: "metadata",
                accountSettingsStack: "prod",
                activateCostAllocationTags: true,
            },
        });
        const plan = await planOf(Promise.resolve(run));
        // The resources this run exists for are declared, so "nothing unpriced" says something.
        for (const type of [
            "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
            "aws:kms/key:Key",
            "aws:costexplorer/costAllocationTag:CostAllocationTag",
            "aws:bedrock/inferenceProfile:InferenceProfile",
            "aws:cloudwatch/dashboard:Dashboard",
            "aws:sns/topicPolicy:TopicPolicy",
        ]) {
            assert.ok(
                run.resources.some((r) => r.type === type),
                `${type} is declared`,
            );
        }
        assert.deepStrictEqual(plan.cost.unpriced, []);
        assert.deepStrictEqual(
            plan.cost.lines
                .filter((l) => l.resource.startsWith("bedrock-logging"))
                .map((l) => [l.resource, l.item, l.quantity, l.monthlyUsd]),
            [
                ["bedrock-logging-key", "KMS customer managed key", 1, 1],
                // 100,000 requests a month assumed per key: 10 x $0.03 per 10,000.
                ["bedrock-logging-key", "KMS requests (assumed)", 10, 0.3],
                [
                    "bedrock-logging-logs",
                    "CloudWatch Logs ingestion (assumed, Bedrock invocation logs: metadata)",
                    1,
                    0.57,
                ],
                // Kept 90 days (prod's logRetentionDays): three months of logs stored.
                ["bedrock-logging-logs", "CloudWatch Logs storage (steady state)", 3, 0.09],
            ],
        );
        assert.ok(plan.cost.assumptions.some((a) => /^KMS: /.test(a)));
        assert.ok(plan.cost.assumptions.some((a) => /^Cost-allocation tags: /.test(a)));
        assert.ok(
            plan.budgets.notes.some((n) =>
                /is activated for cost allocation by this stack/.test(n),
            ),
        );
    });

    it("prices the dashboard, the KMS key, and full invocation logs above metadata ones", () => {
        const logging = (level: "metadata" | "full", group: string) => [
            resource("aws:cloudwatch/logGroup:LogGroup", `${group}-logs`, {
                name: group,
                retentionInDays: 30,
            }),
            resource(
                "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
                `${group}-config`,
                {
                    loggingConfig: {
                        cloudwatchConfig: { logGroupName: group },
                        textDataDeliveryEnabled: level === "full",
                    },
                },
            ),
        ];
        const cost = estimateCost([
            resource("aws:cloudwatch/dashboard:Dashboard", "dashboard", { dashboardName: "d" }),
            resource("aws:kms/key:Key", "key", {}),
            ...logging("metadata", "/m"),
            ...logging("full", "/f"),
            resource("aws:cloudwatch/logGroup:LogGroup", "other", { name: "/other" }),
        ]);
        const ingestion = (resourceName: string) =>
            cost.lines.find((l) => l.resource === resourceName && /ingestion/.test(l.item))!;
        assert.deepStrictEqual(
            cost.lines
                .filter((l) => ["dashboard", "key"].includes(l.resource))
                .map((l) => [l.resource, l.item, l.monthlyUsd]),
            [
                ["dashboard", "CloudWatch dashboard (assumed beyond the account's free 3)", 3],
                ["key", "KMS customer managed key", 1],
                ["key", "KMS requests (assumed)", 0.3],
            ],
        );
        assert.strictEqual(ingestion("/m-logs").quantity, 1);
        assert.strictEqual(ingestion("/f-logs").quantity, 5);
        assert.strictEqual(ingestion("other").item, "CloudWatch Logs ingestion (assumed)");
        assert.deepStrictEqual(cost.unpriced, []);
        assert.ok(cost.assumptions.some((a) => /account's 3 free dashboards/.test(a)));
    });
});

describe("offline plan: Bedrock usage estimate", () => {
    it("estimates prod's 200 people on the default model: input and output tokens at their prices", async () => {
        const plan = await planOf(runStack("prod"));
        const usage = plan.usageEstimate!;
        assert.ok(usage, "prod sets expectedUsers");
        assert.strictEqual(usage.model, "eu.anthropic.claude-sonnet-4-20250514-v1:0");
        assert.strictEqual(usage.users, 200);
        // 200 x 200,000 = 40 million input tokens at $3; 200 x 50,000 = 10 million output at $15.
        // Then the guardrail's lines ($50 in all, tests/plan/guardrailCost.test.ts).
        assert.deepStrictEqual(
            usage.lines
                .filter((l) => !l.item.startsWith("Bedrock guardrail"))
                .map((l) => [l.item, l.quantity, l.unitUsd, l.monthlyUsd]),
            [
                ["Claude Sonnet 4 (EU cross-region inference profile) input tokens", 40, 3, 120],
                ["Claude Sonnet 4 (EU cross-region inference profile) output tokens", 10, 15, 150],
            ],
        );
        assert.strictEqual(usage.monthlyUsd, 320);
        assert.strictEqual(usage.unpriced, null);
        assert.match(
            usage.assumptions.join("\n"),
            /200 people \(expectedUsers\), each 200,000 input and 50,000 output tokens/,
        );
        assert.match(usage.assumptions.join("\n"), /bedrockDefaultModel/);
        assert.match(usage.assumptions.join("\n"), /verify/);
        const text = renderPlan(plan);
        assert.match(
            text,
            /Bedrock usage estimate \(apart from the infrastructure estimate, never added to it\): \$320\.00 a month for 200 people on eu\.anthropic\.claude-sonnet-4-20250514-v1:0\n/,
        );
        for (const assumption of usage.assumptions) {
            assert.ok(text.includes(`  - ${assumption}\n`), `printed: ${assumption}`);
        }
    });

    it("keeps the usage estimate out of the infrastructure total", async () => {
        const [withUsers, without] = [
            await planOf(runStack("prod")),
            await planOf(runProgram({ stack: "prod", overrides: { expectedUsers: 0 } })),
        ];
        assert.strictEqual(without.usageEstimate, null);
        assert.deepStrictEqual(withUsers.cost, without.cost, "the same cost with or without users");
        assert.strictEqual(
            withUsers.cost.monthlyUsd,
            sum(withUsers.cost.lines.map((l) => l.monthlyUsd)),
        );
        assert.ok(!withUsers.cost.lines.some((l) => /bedrock/.test(l.source)));
        assert.match(withUsers.cost.outOfScope, /not in this total/);
    });

    it("has no estimate for dev, which expects nobody (expectedUsers 0), and says so", async () => {
        const plan = await planOf(runStack("dev"));
        assert.strictEqual(plan.usageEstimate, null);
        assert.match(
            renderPlan(plan),
            /Bedrock usage estimate \(apart from the infrastructure estimate, never added to it\): none \(expectedUsers is 0\)\n/,
        );
    });

    it("reports a model it has no price for as unpriced, not as zero", async () => {
        const usage = estimateUsage(
            { users: 10, inputTokensPerUser: 1000, outputTokensPerUser: 100 },
            "eu.anthropic.claude-3-7-sonnet-20250219-v1:0",
        );
        assert.strictEqual(usage.monthlyUsd, null);
        assert.deepStrictEqual(usage.lines, []);
        assert.strictEqual(
            usage.unpriced,
            "no price for model eu.anthropic.claude-3-7-sonnet-20250219-v1:0 in plan/prices.json",
        );
        // Through the program: the plan, its text and the Bedrock budget say so too.
        const plan = await planOf(
            runProgram({
                stack: "prod",
                overrides: { bedrockDefaultModel: "eu.anthropic.claude-3-7-sonnet-20250219-v1:0" },
            }),
        );
        assert.strictEqual(plan.usageEstimate!.monthlyUsd, null);
        assert.match(plan.usageEstimate!.unpriced!, /no price for model eu\.anthropic\.claude-3-7/);
        assert.match(renderPlan(plan), /never added to it\): unpriced \(no price for model /);
        const bedrockBudget = plan.budgets.declared.find(
            (b) => b.name === "ai-portal-prod-bedrock",
        )!;
        assert.strictEqual(bedrockBudget.estimateUsd, null);
    });
});

describe("offline plan: the README's cost section", () => {
    it("has a dev (scheduled) column, its total, and prod's usage estimate apart from the totals", async () => {
        const [dev, prod] = [await planOf(runStack("dev")), await planOf(runStack("prod"))];
        const readme = (await generatedDocs()).get("README.md")!;
        const section = readme.slice(
            readme.indexOf("<!-- generated:cost -->"),
            readme.indexOf("<!-- /generated:cost -->"),
        );
        assert.match(
            section,
            /\| monthly, USD \(prices of 2026-11-25\) \| dev \| dev \(scheduled\) \| prod \|\n/,
        );
        assert.ok(
            section.includes(
                `| **total** | **$${dev.cost.monthlyUsd.toFixed(2)}** | **$${dev.cost.scheduled!.monthlyUsd.toFixed(2)}** | **$${prod.cost.monthlyUsd.toFixed(2)}** |`,
            ),
            section,
        );
        assert.match(
            section,
            /\| RDS PostgreSQL instance \| \$57\.67 \(db\.t3\.medium Single-AZ\) \| \$20\.97 \(db\.t3\.medium Single-AZ\) \|/,
        );
        assert.match(
            section,
            /dev \(scheduled\): Mon-Fri 07:00-19:00 Europe\/London, .*the directory \(it cannot be stopped\)/,
        );
        assert.match(
            section,
            /Bedrock usage estimate, never in the totals above: dev none \(expectedUsers is 0\); prod \$320\.00 a month/,
        );
    });
});
