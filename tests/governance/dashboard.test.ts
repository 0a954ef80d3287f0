/**
 * The stack's CloudWatch dashboard: every graph names resources the program really declares (a
 * graph of an instance, group, load balancer or database that does not exist would stay empty
 * without a word), the widgets fit CloudWatch's 24-column grid without overlapping, and the
 * billing graphs look where billing metrics are: us-east-1.
 */
import * as assert from "assert";
import { scriptOf } from "../../compute/userData";
import {
    BILLING_REGION,
    bedrockSpendSearch,
    DashboardInput,
    dashboardBody,
    Widget,
} from "../../governance/dashboard";
import { hostUserData } from "../harness/hosts";
import { named, ofType } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import type { ProgramRun } from "../../offline/run";

const T = {
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    instance: "aws:ec2/instance:Instance",
    group: "aws:autoscaling/group:Group",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    database: "aws:rds/instance:Instance",
    budget: "aws:budgets/budget:Budget",
};

/** One metric a graph draws: its namespace and name and its dimensions, or a search expression. */
interface Drawn {
    readonly widget: string;
    readonly region: string;
    readonly namespace?: string;
    readonly metric?: string;
    readonly dimensions: Readonly<Record<string, string>>;
    readonly expression?: string;
}

function declaredBody(run: ProgramRun): { widgets: Widget[] } {
    const dashboards = ofType(run, T.dashboard);
    assert.strictEqual(dashboards.length, 1, "one dashboard");
    return JSON.parse(dashboards[0].inputs.dashboardBody);
}

/** Every metric of every graph, as CloudWatch reads `metrics`: [namespace, name, key, value, ..., options?]. */
function drawn(body: { widgets: readonly Widget[] }): Drawn[] {
    const result: Drawn[] = [];
    for (const w of body.widgets.filter((w) => w.type === "metric")) {
        const props = w.properties as { title: string; region: string; metrics: unknown[][] };
        for (const m of props.metrics) {
            const parts = m.filter((p) => typeof p === "string") as string[];
            const options = m.find((p) => typeof p === "object") as { expression?: string };
            if (parts.length === 0) {
                // A search names its namespace; a math expression draws from the widget's search.
                const namespaceOf = (e?: string) => /^SEARCH\('\{([^,}]+)/.exec(e ?? "")?.[1];
                const searched = props.metrics
                    .map((o) => namespaceOf((o[0] as { expression?: string })?.expression))
                    .find((n) => n);
                result.push({
                    widget: props.title,
                    region: props.region,
                    namespace: namespaceOf(options?.expression) ?? searched,
                    dimensions: {},
                    expression: options?.expression,
                });
                continue;
            }
            const [namespace, metric, ...pairs] = parts;
            assert.ok(pairs.length % 2 === 0, `${props.title}: dimensions come in pairs`);
            const dimensions: Record<string, string> = {};
            for (let i = 0; i < pairs.length; i += 2) {
                dimensions[pairs[i]] = pairs[i + 1];
            }
            result.push({
                widget: props.title,
                region: props.region,
                namespace,
                metric,
                dimensions,
            });
        }
    }
    return result;
}

/** What the program declares that a metric's dimension can name, by namespace and dimension. */
function nameable(run: ProgramRun): Record<string, Record<string, Set<string>>> {
    const script = scriptOf(hostUserData(run, "web"));
    const setting = (name: string) => new RegExp(`^${name}='([^']*)'$`, "m").exec(script)?.[1];
    const healthNamespace = setting("HEALTH_NAMESPACE");
    assert.ok(healthNamespace, "the web hosts publish a health metric");
    return {
        // The Stack the web hosts' health reporter publishes under.
        [healthNamespace]: { Stack: new Set([setting("PORTAL_STACK")!]) },
        // The Stack the gateway hosts' usage gate publishes under (its settings' GATE_STACK).
        "AIPortal/UsageGate": {
            Stack: new Set(
                [/^GATE_STACK=(.*)$/m.exec(scriptOf(hostUserData(run, "gateway")))?.[1]].filter(
                    (v): v is string => v !== undefined,
                ),
            ),
        },
        "AWS/EC2": {
            InstanceId: new Set(ofType(run, T.instance).map((i) => i.id)),
            AutoScalingGroupName: new Set(ofType(run, T.group).map((g) => g.state.name)),
        },
        "AWS/ApplicationELB": {
            LoadBalancer: new Set(ofType(run, T.loadBalancer).map((lb) => lb.state.arnSuffix)),
            TargetGroup: new Set(ofType(run, T.targetGroup).map((tg) => tg.state.arnSuffix)),
        },
        "AWS/RDS": {
            DBInstanceIdentifier: new Set(ofType(run, T.database).map((d) => d.inputs.identifier)),
        },
        // The stack's guardrail and its published version.
        "AWS/Bedrock/Guardrails": {
            GuardrailArn: new Set(
                ofType(run, "aws:bedrock/guardrail:Guardrail").map((g) => g.state.guardrailArn),
            ),
            GuardrailVersion: new Set(
                ofType(run, "aws:bedrock/guardrailVersion:GuardrailVersion").map(
                    (v) => v.state.version,
                ),
            ),
        },
        // Not resources: the account's bill, in dollars, for Bedrock or for everything.
        "AWS/Billing": { Currency: new Set(["USD"]), ServiceName: new Set(["AmazonBedrock"]) },
    };
}

/** Pairs (target group, load balancer) a listener of the load balancer forwards to. */
function forwarded(run: ProgramRun): Set<string> {
    const suffix = (type: string, arn: string) =>
        ofType(run, type).find((r) => r.state.arn === arn)?.state.arnSuffix;
    const pairs = new Set<string>();
    for (const listener of ofType(run, T.listener)) {
        for (const action of listener.inputs.defaultActions ?? []) {
            if (action.type === "forward") {
                pairs.add(
                    `${suffix(T.targetGroup, action.targetGroupArn)} ${suffix(T.loadBalancer, listener.inputs.loadBalancerArn)}`,
                );
            }
        }
    }
    return pairs;
}

/** Bedrock's own metrics, found by search: the ModelId values are Bedrock's, not the program's. */
const BEDROCK_SEARCH =
    /^SEARCH\('\{AWS\/Bedrock,ModelId\} MetricName="[A-Za-z]+"', '(Sum|Average)', 300\)$/;

/** The bill's Bedrock services (bedrockSpendSearch) and their sum: the ServiceNames are AWS's. */
const BILLING_SEARCH =
    /^SEARCH\('\{AWS\/Billing,Currency,ServiceName\} MetricName="EstimatedCharges" Currency="USD" \(ServiceName="AmazonBedrock"( OR ServiceName="[^"]+ \(Amazon Bedrock Edition\)")* OR Bedrock\)', 'Maximum', 21600\)$|^SUM\(bedrockservices\)$/;

/** The account's guardrails by policy or by source (dimensions Bedrock publishes on their own). */
const GUARDRAIL_SEARCH =
    /^SEARCH\('\{AWS\/Bedrock\/Guardrails,(GuardrailPolicyType|GuardrailContentSource)\} MetricName="(InvocationsIntervened|TextUnitCount)"', 'Sum', 300\)$/;

/** Every metric that names something the program does not declare (or is of a kind not known here). */
function unresolved(body: { widgets: readonly Widget[] }, run: ProgramRun): string[] {
    const known = nameable(run);
    const pairs = forwarded(run);
    const problems: string[] = [];
    for (const m of drawn(body)) {
        if (m.expression !== undefined) {
            if (
                !BEDROCK_SEARCH.test(m.expression) &&
                !BILLING_SEARCH.test(m.expression) &&
                !GUARDRAIL_SEARCH.test(m.expression)
            ) {
                problems.push(`${m.widget}: ${m.expression}`);
            }
            continue;
        }
        const dims = Object.entries(m.dimensions);
        if (dims.length === 0) {
            problems.push(`${m.widget}: ${m.namespace} ${m.metric} names nothing`);
        }
        for (const [key, value] of dims) {
            if (!known[m.namespace!]?.[key]?.has(value)) {
                problems.push(`${m.widget}: ${m.namespace} ${m.metric} ${key}=${value}`);
            }
        }
        const { TargetGroup, LoadBalancer } = m.dimensions;
        if (TargetGroup !== undefined && !pairs.has(`${TargetGroup} ${LoadBalancer}`)) {
            problems.push(`${m.widget}: ${TargetGroup} is not behind ${LoadBalancer}`);
        }
    }
    return problems;
}

/** The dashboard's input, rebuilt from what the program declares (as index.ts passes it). */
function inputFrom(run: ProgramRun): DashboardInput {
    const stack = run.config.stack;
    const budget = (kind: string) => {
        const b = ofType(run, T.budget).find((r) => r.inputs.name === `ai-portal-${stack}-${kind}`);
        return b ? Number(b.inputs.limitAmount) : undefined;
    };
    const instances = ofType(run, T.instance);
    return {
        title: `AI Portal (${stack})`,
        region: "eu-west-2",
        stack,
        healthNamespace: "AIPortal",
        healthMetric: "PortalHealthy",
        dbInstanceIdentifier: named(run, T.database, "data-postgres").inputs.identifier,
        hosts:
            instances.length > 0
                ? {
                      tier: "single",
                      instances: {
                          web: named(run, T.instance, "compute-web-instance").id,
                          gateway: named(run, T.instance, "compute-gateway-instance").id,
                      },
                  }
                : {
                      tier: "loadBalanced",
                      albArnSuffix: named(run, T.loadBalancer, "edge-alb").state.arnSuffix,
                      webTargetGroupArnSuffix: named(run, T.targetGroup, "edge-web-targets").state
                          .arnSuffix,
                      gatewayLbArnSuffix: named(run, T.loadBalancer, "compute-gateway-lb-lb").state
                          .arnSuffix,
                      gatewayTargetGroupArnSuffix: named(
                          run,
                          T.targetGroup,
                          "compute-gateway-lb-targets",
                      ).state.arnSuffix,
                      autoScalingGroups: {
                          web: named(run, T.group, "compute-web-group").state.name,
                          gateway: named(run, T.group, "compute-gateway-group").state.name,
                      },
                  },
        budgets: { totalUsd: budget("total"), bedrockUsd: budget("bedrock") },
        guardrail: {
            arn: named(run, "aws:bedrock/guardrail:Guardrail", "guardrail-guardrail").state
                .guardrailArn,
            version: named(
                run,
                "aws:bedrock/guardrailVersion:GuardrailVersion",
                "guardrail-version",
            ).state.version,
        },
        // The gateway hosts' log group, where the usage gate writes a line per call.
        usageGateLogGroup: named(run, "aws:cloudwatch/logGroup:LogGroup", "compute-gateway-logs")
            .inputs.name,
        // config `bedrockDefaultModel`, as the gateway's profile copies it.
        bedrockModels: [
            String(
                ofType(run, "aws:bedrock/inferenceProfile:InferenceProfile")[0].inputs.modelSource
                    .copyFrom,
            )
                .split("/")
                .pop()!,
        ],
    };
}

forEachStack("governance: dashboard", (ctx) => {
    const { stack } = ctx;
    const loadBalanced = stack === "prod";

    it("is the body dashboardBody makes of the resources the program declares", () => {
        assert.deepStrictEqual(declaredBody(ctx.run), dashboardBody(inputFrom(ctx.run)));
    });

    it("every metric's dimensions name a resource the program declares (or Bedrock's and the bill's own)", () => {
        const body = declaredBody(ctx.run);
        assert.ok(drawn(body).length > 10);
        assert.deepStrictEqual(unresolved(body, ctx.run), []);
    });

    it("names each host, group, load balancer and the database it should, and the health metric the alarm watches", () => {
        const metrics = drawn(declaredBody(ctx.run));
        const valuesOf = (key: string) =>
            [...new Set(metrics.map((m) => m.dimensions[key]).filter((v) => v))].sort();
        assert.deepStrictEqual(
            valuesOf("DBInstanceIdentifier"),
            ofType(ctx.run, T.database).map((d) => d.inputs.identifier),
        );
        assert.deepStrictEqual(
            valuesOf("InstanceId"),
            ofType(ctx.run, T.instance)
                .map((i) => i.id)
                .sort(),
        );
        assert.deepStrictEqual(
            valuesOf("AutoScalingGroupName"),
            ofType(ctx.run, T.group)
                .map((g) => g.state.name)
                .sort(),
        );
        assert.deepStrictEqual(
            valuesOf("TargetGroup"),
            ofType(ctx.run, T.targetGroup)
                .map((tg) => tg.state.arnSuffix)
                .sort(),
        );
        assert.strictEqual(valuesOf("InstanceId").length, loadBalanced ? 0 : 2);
        assert.strictEqual(valuesOf("AutoScalingGroupName").length, loadBalanced ? 2 : 0);
        // The graph of the portal's health is the metric its alarm watches, as the alarm reads it.
        const alarm = ofType(ctx.run, "aws:cloudwatch/metricAlarm:MetricAlarm").find(
            (a) => a.inputs.name === `ai-portal-${stack}-web-https-health`,
        )!;
        const health = metrics.filter((m) => m.namespace === alarm.inputs.namespace);
        assert.deepStrictEqual(
            health.map((m) => [m.metric, m.dimensions]),
            [[alarm.inputs.metricName, alarm.inputs.dimensions]],
        );
    });

    it("a graph that named a resource the program does not declare would be caught", () => {
        const input = inputFrom(ctx.run);
        const wrong: DashboardInput =
            input.hosts.tier === "single"
                ? {
                      ...input,
                      hosts: {
                          ...input.hosts,
                          instances: { ...input.hosts.instances, gateway: "i-0123456789abcdef0" },
                      },
                  }
                : {
                      ...input,
                      hosts: {
                          ...input.hosts,
                          gatewayLbArnSuffix: "app/ai-portal-old/0123456789abcdef",
                      },
                  };
        const problems = unresolved(dashboardBody(wrong), ctx.run);
        assert.ok(problems.length > 0);
        assert.ok(
            problems.every((p) =>
                p.includes(loadBalanced ? "app/ai-portal-old/" : "i-0123456789abcdef0"),
            ),
            problems.join("\n"),
        );
        // And the database and the health metric's Stack, in either tier.
        const oldDb = dashboardBody({ ...input, dbInstanceIdentifier: "ai-portal-old-postgres" });
        const dbProblems = unresolved(oldDb, ctx.run);
        assert.strictEqual(
            dbProblems.length,
            drawn(oldDb).filter((m) => m.namespace === "AWS/RDS").length,
        );
        assert.ok(
            dbProblems.every((p) => p.endsWith("DBInstanceIdentifier=ai-portal-old-postgres")),
        );
        assert.deepStrictEqual(unresolved(dashboardBody({ ...input, stack: "staging" }), ctx.run), [
            "Portal: HTTPS health (1 = answering): AIPortal PortalHealthy Stack=staging",
            // The usage gate's totals are the stack's too (GATE_STACK on its gateway hosts).
            "Usage gate: cost (USD) and calls: AIPortal/UsageGate CostUsd Stack=staging",
            "Usage gate: cost (USD) and calls: AIPortal/UsageGate Calls Stack=staging",
            "Usage gate: calls over a limit (429) and let through unmetered (fail open): AIPortal/UsageGate Rejected Stack=staging",
            "Usage gate: calls over a limit (429) and let through unmetered (fail open): AIPortal/UsageGate FailOpen Stack=staging",
        ]);
    });

    it("fits the 24-column grid, no two widgets overlapping, whole units only", () => {
        const widgets = declaredBody(ctx.run).widgets;
        for (const w of widgets) {
            for (const n of [w.x, w.y, w.width, w.height]) {
                assert.ok(Number.isInteger(n) && n >= 0, `${JSON.stringify(w.properties.title)}`);
            }
            assert.ok(w.width >= 1 && w.height >= 1);
            assert.ok(w.x + w.width <= 24, `${w.properties.title} ends at column ${w.x + w.width}`);
        }
        for (const [i, a] of widgets.entries()) {
            for (const b of widgets.slice(i + 1)) {
                const apart =
                    a.x + a.width <= b.x ||
                    b.x + b.width <= a.x ||
                    a.y + a.height <= b.y ||
                    b.y + b.height <= a.y;
                assert.ok(apart, `${a.properties.title} overlaps ${b.properties.title}`);
            }
        }
    });

    it("the billing graphs are in us-east-1 (billing metrics exist nowhere else); the rest in the stack's region", () => {
        const metrics = drawn(declaredBody(ctx.run));
        const billing = metrics.filter((m) => m.namespace === "AWS/Billing");
        // The account's total; Bedrock's services found by search, and their sum.
        assert.strictEqual(billing.length, 3);
        assert.strictEqual(BILLING_REGION, "us-east-1");
        for (const m of metrics) {
            assert.strictEqual(
                m.region,
                m.namespace === "AWS/Billing" ? "us-east-1" : "eu-west-2",
                m.widget,
            );
        }
    });

    it("draws the stack's budgets as lines on the spend graphs", () => {
        const lines = declaredBody(ctx.run)
            .widgets.filter((w) => w.properties.region === BILLING_REGION)
            .map(
                (w) =>
                    (w.properties.annotations as { horizontal: { value: number }[] }).horizontal[0]
                        ?.value,
            );
        const amounts = (kind: string) =>
            Number(named(ctx.run, T.budget, `budgets-${kind}`).inputs.limitAmount);
        assert.deepStrictEqual(lines, [amounts("total"), amounts("bedrock")]);
    });

    it("is exported as a console URL in the stack's region naming the dashboard", () => {
        const dashboard = ofType(ctx.run, T.dashboard)[0];
        assert.strictEqual(dashboard.inputs.dashboardName, `ai-portal-${stack}`);
        assert.strictEqual(
            ctx.run.outputs.dashboardUrl,
            `https://eu-west-2.console.aws.amazon.com/cloudwatch/home?region=eu-west-2#dashboards/dashboard/ai-portal-${stack}`,
        );
    });
});

describe("governance: dashboard body (pure)", () => {
    it("a stack without budgets draws no budget line", () => {
        const body = dashboardBody({
            title: "t",
            region: "eu-west-2",
            stack: "test",
            healthNamespace: "AIPortal",
            healthMetric: "PortalHealthy",
            dbInstanceIdentifier: "db",
            hosts: { tier: "single", instances: { web: "i-1", gateway: "i-2" } },
            budgets: {},
            bedrockModels: [],
        });
        const spend = body.widgets.filter((w) => w.properties.region === BILLING_REGION);
        assert.strictEqual(spend.length, 2);
        for (const w of spend) {
            assert.deepStrictEqual(w.properties.annotations, { horizontal: [] });
        }
    });
});

describe("governance: dashboard, Bedrock's spend includes its Marketplace models", () => {
    it("a stack whose default model is Anthropic's graphs that model's Marketplace service beside AmazonBedrock, and their sum", () => {
        assert.strictEqual(
            bedrockSpendSearch(["eu.anthropic.claude-sonnet-4-20250514-v1:0"]),
            `SEARCH('{AWS/Billing,Currency,ServiceName} MetricName="EstimatedCharges" Currency="USD" (ServiceName="AmazonBedrock" OR ServiceName="Claude Sonnet 4 (Amazon Bedrock Edition)" OR Bedrock)', 'Maximum', 21600)`,
        );
        const body = dashboardBody({
            title: "t",
            region: "eu-west-2",
            stack: "test",
            healthNamespace: "AIPortal",
            healthMetric: "PortalHealthy",
            dbInstanceIdentifier: "db",
            hosts: { tier: "single", instances: { web: "i-1", gateway: "i-2" } },
            budgets: { bedrockUsd: 10 },
            bedrockModels: ["eu.anthropic.claude-sonnet-4-20250514-v1:0"],
        });
        const graph = body.widgets.find((w) =>
            String(w.properties.title).startsWith("Spend this month: Bedrock"),
        )!;
        assert.deepStrictEqual(graph.properties.metrics, [
            [
                {
                    expression: bedrockSpendSearch(["eu.anthropic.claude-sonnet-4-20250514-v1:0"]),
                    id: "bedrockservices",
                },
            ],
            [
                {
                    expression: "SUM(bedrockservices)",
                    id: "bedrocktotal",
                    label: "Bedrock and its models, month to date",
                },
            ],
        ]);
        assert.strictEqual(graph.properties.region, BILLING_REGION);
    });
});
