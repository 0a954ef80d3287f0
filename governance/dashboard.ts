/**
 * One CloudWatch dashboard per stack, its body generated from what the program declares: the
 * portal's health (and the ALB's traffic), Bedrock's use, the hosts, the database and the month's
 * spend. Pure: the same inputs give the same body, so a change shows as one diff.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BEDROCK_BILLING_METRIC_SERVICE, bedrockServices, BEDROCK_SERVICE } from "./bedrockBilling";

export type DashboardHosts =
    | { readonly tier: "single"; readonly instances: Readonly<Record<"web" | "gateway", string>> }
    | {
          readonly tier: "loadBalanced";
          readonly albArnSuffix: string;
          readonly webTargetGroupArnSuffix: string;
          readonly gatewayLbArnSuffix: string;
          readonly gatewayTargetGroupArnSuffix: string;
          readonly autoScalingGroups: Readonly<Record<"web" | "gateway", string>>;
      };

export interface DashboardInput {
    readonly title: string;
    readonly region: string;
    readonly stack: string;
    readonly healthNamespace: string;
    readonly healthMetric: string;
    readonly dbInstanceIdentifier: string;
    readonly hosts: DashboardHosts;
    /** The stack's budgets in USD, drawn as lines on the spend graphs. */
    readonly budgets: { readonly totalUsd?: number; readonly bedrockUsd?: number };
    /** The stack's Bedrock models (config `bedrockDefaultModel`): their billed services are drawn. */
    readonly bedrockModels: readonly string[];
    /** The stack's guardrail and its published version; undefined without one (`guardrail: off`). */
    readonly guardrail?: { readonly arn: string; readonly version: string };
    /** The gateway hosts' log group, where the usage gate writes a line per call; undefined: no usage widgets. */
    readonly usageGateLogGroup?: string;
}

/** A widget as CloudWatch's dashboard body has it. */
export interface Widget {
    readonly type: "metric" | "text" | "log";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: Record<string, unknown>;
}

/** Billing metrics exist in us-east-1 only (and need "Receive Billing Alerts" on in the account). */
export const BILLING_REGION = "us-east-1";

type Metric = (string | Record<string, unknown>)[];

/** Lays widgets out in rows of the 24-column grid, each row as tall as its tallest widget. */
function layout(
    rows: {
        width: number;
        height: number;
        type?: "text" | "log";
        properties: Record<string, unknown>;
    }[][],
): Widget[] {
    const widgets: Widget[] = [];
    let y = 0;
    for (const row of rows) {
        let x = 0;
        for (const w of row) {
            widgets.push({
                type: w.type ?? "metric",
                x,
                y,
                width: w.width,
                height: w.height,
                properties: w.properties,
            });
            x += w.width;
        }
        y += Math.max(...row.map((w) => w.height));
    }
    return widgets;
}

function graph(
    title: string,
    region: string,
    metrics: Metric[],
    extra: Record<string, unknown> = {},
) {
    return { title, region, view: "timeSeries", stacked: false, period: 300, metrics, ...extra };
}

const heading = (markdown: string) => ({
    width: 24,
    height: 1,
    type: "text" as const,
    properties: { markdown },
});

/** Bedrock's metrics for every model the account calls (the ModelId values are Bedrock's to choose). */
function bedrockSearch(metric: string, stat: string): Metric[] {
    return [
        [
            {
                expression: `SEARCH('{AWS/Bedrock,ModelId} MetricName="${metric}"', '${stat}', 300)`,
                id: metric.toLowerCase(),
            },
        ],
    ];
}

/**
 * The account's month-to-date Bedrock charges in AWS/Billing, by service: Bedrock's own
 * ("AmazonBedrock") and its Marketplace models' (Anthropic's are billed under names of their own,
 * governance/bedrockBilling.ts). The ServiceName a Marketplace model has in this metric is not
 * documented: the search names the stack's models' billed services and, to catch whatever name
 * AWS uses, any ServiceName with the word Bedrock in it (a search term matches within names).
 */
export function bedrockSpendSearch(models: readonly string[]): string {
    const names = [
        BEDROCK_BILLING_METRIC_SERVICE,
        ...bedrockServices(models).filter((s) => s !== BEDROCK_SERVICE),
    ];
    const terms = [...names.map((n) => `ServiceName="${n}"`), "Bedrock"].join(" OR ");
    return `SEARCH('{AWS/Billing,Currency,ServiceName} MetricName="EstimatedCharges" Currency="USD" (${terms})', 'Maximum', 21600)`;
}

/** Bedrock Guardrails' runtime metrics (Bedrock user guide, "Monitor Amazon Bedrock Guardrails using CloudWatch metrics"). */
export const GUARDRAIL_NAMESPACE = "AWS/Bedrock/Guardrails";

/**
 * The guardrail's widgets: its calls and interventions (by its ARN and version), and the
 * account's interventions by policy and text units by source (those dimensions are published on
 * their own, for every guardrail of the account).
 */
export function guardrailWidgets(
    region: string,
    guardrail: { readonly arn: string; readonly version: string },
): Record<string, unknown>[] {
    const own = (metric: string, label: string): Metric => [
        GUARDRAIL_NAMESPACE,
        metric,
        "GuardrailArn",
        guardrail.arn,
        "GuardrailVersion",
        guardrail.version,
        { stat: "Sum", label },
    ];
    const search = (dimension: string, metric: string, id: string): Metric[] => [
        [
            {
                expression: `SEARCH('{${GUARDRAIL_NAMESPACE},${dimension}} MetricName="${metric}"', 'Sum', 300)`,
                id,
            },
        ],
    ];
    return [
        graph(`Guardrail (version ${guardrail.version}): calls checked and interventions`, region, [
            own("Invocations", "calls checked"),
            own("InvocationsIntervened", "interventions"),
        ]),
        graph(
            "Guardrails in the account: interventions by policy",
            region,
            search("GuardrailPolicyType", "InvocationsIntervened", "bypolicy"),
        ),
        graph(
            "Guardrails in the account: text units by source (prompts, answers)",
            region,
            search("GuardrailContentSource", "TextUnitCount", "bysource"),
        ),
    ];
}

/** The usage gate's metrics (gate/metrics.ts METRIC_NAMESPACE), from its embedded-metric log lines. */
export const USAGE_GATE_NAMESPACE = "AIPortal/UsageGate";

/**
 * The Logs Insights query of the "top 10 people by spend this month" widget: each person's month
 * to date as the gate last saw it (what the database held for the month when the call started,
 * plus the call's cost: every gateway host's calls count, not only the logging host's), their
 * limit, and when they last called. People whose last call in the dashboard's time range was in
 * an earlier month show that month's figure: keep the range within this month.
 */
export function usageTopSpendQuery(logGroup: string): string {
    return [
        `SOURCE '${logGroup}'`,
        `filter event = "usage-gate-call" and person != "unattributed" and ispresent(monthSpentUsd)`,
        "fields monthSpentUsd + costUsd as monthToDateUsd",
        "stats latest(monthToDateUsd) as usd, latest(limitUsd) as limit, latest(@timestamp) as lastCall by person, email",
        "sort usd desc",
        "limit 10",
    ].join(" | ");
}

/** The usage gate's widgets: spend and calls in total, refusals and fail-open calls, and the top 10. */
export function usageGateWidgets(region: string, stack: string, logGroup: string) {
    // The stack's totals: the gate's metrics by Stack alone (gate/metrics.ts, GATE_STACK).
    const total = (metric: string, label: string) => [
        USAGE_GATE_NAMESPACE,
        metric,
        "Stack",
        stack,
        { stat: "Sum", label },
    ];
    return [
        {
            width: 12,
            height: 6,
            properties: graph("Usage gate: cost (USD) and calls", region, [
                total("CostUsd", "cost (USD)"),
                total("Calls", "calls"),
            ]),
        },
        {
            width: 12,
            height: 6,
            properties: graph(
                "Usage gate: calls over a limit (429) and let through unmetered (fail open)",
                region,
                [total("Rejected", "over the limit"), total("FailOpen", "fail open")],
            ),
        },
        {
            width: 24,
            height: 6,
            type: "log" as const,
            properties: {
                title: "Usage gate: top 10 people by spend this month (USD, month to date at their last call)",
                region,
                view: "table",
                query: usageTopSpendQuery(logGroup),
            },
        },
    ];
}

export function dashboardBody(d: DashboardInput): { widgets: Widget[] } {
    const r = d.region;
    const health = graph(
        "Portal: HTTPS health (1 = answering)",
        r,
        [
            [
                d.healthNamespace,
                d.healthMetric,
                "Stack",
                d.stack,
                { stat: d.hosts.tier === "loadBalanced" ? "Maximum" : "Minimum", label: "healthy" },
            ],
        ],
        { yAxis: { left: { min: 0, max: 1 } } },
    );
    const portal: ReturnType<typeof graph>[] = [health];
    if (d.hosts.tier === "loadBalanced") {
        const lb = d.hosts.albArnSuffix;
        portal.push(
            graph("ALB: requests and 5xx", r, [
                [
                    "AWS/ApplicationELB",
                    "RequestCount",
                    "LoadBalancer",
                    lb,
                    { stat: "Sum", label: "requests" },
                ],
                [
                    "AWS/ApplicationELB",
                    "HTTPCode_ELB_5XX_Count",
                    "LoadBalancer",
                    lb,
                    { stat: "Sum", label: "5xx from the ALB" },
                ],
                [
                    "AWS/ApplicationELB",
                    "HTTPCode_Target_5XX_Count",
                    "LoadBalancer",
                    lb,
                    { stat: "Sum", label: "5xx from the hosts" },
                ],
            ]),
            graph("ALB: time until the hosts answer (s)", r, [
                [
                    "AWS/ApplicationELB",
                    "TargetResponseTime",
                    "LoadBalancer",
                    lb,
                    { stat: "p50", label: "p50" },
                ],
                [
                    "AWS/ApplicationELB",
                    "TargetResponseTime",
                    "LoadBalancer",
                    lb,
                    { stat: "p95", label: "p95" },
                ],
            ]),
        );
    }
    const bedrock = [
        graph("Bedrock: invocations by model", r, bedrockSearch("Invocations", "Sum")),
        graph("Bedrock: input tokens by model", r, bedrockSearch("InputTokenCount", "Sum")),
        graph("Bedrock: output tokens by model", r, bedrockSearch("OutputTokenCount", "Sum")),
        graph("Bedrock: latency (ms) and throttles", r, [
            ...bedrockSearch("InvocationLatency", "Average"),
            ...bedrockSearch("InvocationThrottles", "Sum"),
        ]),
    ];
    const hosts =
        d.hosts.tier === "single"
            ? [
                  graph(
                      "Hosts: CPU %",
                      r,
                      (["web", "gateway"] as const).map((role) => [
                          "AWS/EC2",
                          "CPUUtilization",
                          "InstanceId",
                          (d.hosts as { instances: Record<string, string> }).instances[role],
                          { label: role },
                      ]),
                  ),
                  graph(
                      "Hosts: status checks failed",
                      r,
                      (["web", "gateway"] as const).map((role) => [
                          "AWS/EC2",
                          "StatusCheckFailed",
                          "InstanceId",
                          (d.hosts as { instances: Record<string, string> }).instances[role],
                          { stat: "Maximum", label: role },
                      ]),
                  ),
              ]
            : [
                  graph(
                      "Hosts: CPU % by Auto Scaling group",
                      r,
                      (["web", "gateway"] as const).map((role) => [
                          "AWS/EC2",
                          "CPUUtilization",
                          "AutoScalingGroupName",
                          (d.hosts as { autoScalingGroups: Record<string, string> })
                              .autoScalingGroups[role],
                          { label: role },
                      ]),
                  ),
                  graph("Hosts: healthy and unhealthy behind the load balancers", r, [
                      [
                          "AWS/ApplicationELB",
                          "HealthyHostCount",
                          "TargetGroup",
                          d.hosts.webTargetGroupArnSuffix,
                          "LoadBalancer",
                          d.hosts.albArnSuffix,
                          { stat: "Minimum", label: "web healthy" },
                      ],
                      [
                          "AWS/ApplicationELB",
                          "UnHealthyHostCount",
                          "TargetGroup",
                          d.hosts.webTargetGroupArnSuffix,
                          "LoadBalancer",
                          d.hosts.albArnSuffix,
                          { stat: "Maximum", label: "web unhealthy" },
                      ],
                      [
                          "AWS/ApplicationELB",
                          "HealthyHostCount",
                          "TargetGroup",
                          d.hosts.gatewayTargetGroupArnSuffix,
                          "LoadBalancer",
                          d.hosts.gatewayLbArnSuffix,
                          { stat: "Minimum", label: "gateway healthy" },
                      ],
                      [
                          "AWS/ApplicationELB",
                          "UnHealthyHostCount",
                          "TargetGroup",
                          d.hosts.gatewayTargetGroupArnSuffix,
                          "LoadBalancer",
                          d.hosts.gatewayLbArnSuffix,
                          { stat: "Maximum", label: "gateway unhealthy" },
                      ],
                  ]),
              ];
    const db = (metric: string, label: string, stat = "Average"): Metric => [
        "AWS/RDS",
        metric,
        "DBInstanceIdentifier",
        d.dbInstanceIdentifier,
        { stat, label },
    ];
    const database = [
        graph("Database: CPU %", r, [db("CPUUtilization", "CPU")]),
        graph("Database: connections", r, [db("DatabaseConnections", "connections", "Maximum")]),
        graph("Database: free storage (bytes)", r, [db("FreeStorageSpace", "free", "Minimum")]),
        graph("Database: read and write latency (s)", r, [
            db("ReadLatency", "read"),
            db("WriteLatency", "write"),
        ]),
    ];
    const budgetLine = (usd: number | undefined, label: string) =>
        usd === undefined ? [] : [{ value: usd, label, color: "#d62728" }];
    const spend = [
        graph(
            "Spend this month: the account (USD, us-east-1)",
            BILLING_REGION,
            [
                [
                    "AWS/Billing",
                    "EstimatedCharges",
                    "Currency",
                    "USD",
                    { stat: "Maximum", period: 21600, label: "account, month to date" },
                ],
            ],
            { annotations: { horizontal: budgetLine(d.budgets.totalUsd, `${d.stack} budget`) } },
        ),
        graph(
            "Spend this month: Bedrock and its Marketplace models in the account (USD, us-east-1)",
            BILLING_REGION,
            [
                // Each service found, and their sum.
                [{ expression: bedrockSpendSearch(d.bedrockModels), id: "bedrockservices" }],
                [
                    {
                        expression: "SUM(bedrockservices)",
                        id: "bedrocktotal",
                        label: "Bedrock and its models, month to date",
                    },
                ],
            ],
            {
                annotations: {
                    horizontal: budgetLine(d.budgets.bedrockUsd, `${d.stack} Bedrock budget`),
                },
            },
        ),
    ];
    const width = (n: number) => 24 / n;
    return {
        widgets: layout([
            [
                heading(
                    `# ${d.title}\nHealth, use and spend of the AI Portal's ${d.stack} stack. Spend per stack: AWS Budgets and Cost Explorer (tag Stack=${d.stack}); the spend graphs are the whole account's (CloudWatch has billing in us-east-1 only).`,
                ),
            ],
            portal.map((properties) => ({ width: width(portal.length), height: 6, properties })),
            bedrock.map((properties) => ({ width: width(bedrock.length), height: 6, properties })),
            hosts.map((properties) => ({ width: width(hosts.length), height: 6, properties })),
            database.map((properties) => ({
                width: width(database.length),
                height: 6,
                properties,
            })),
            spend.map((properties) => ({ width: width(spend.length), height: 6, properties })),
            ...(d.guardrail
                ? [
                      guardrailWidgets(r, d.guardrail).map((properties) => ({
                          width: 8,
                          height: 6,
                          properties,
                      })),
                  ]
                : []),
            ...(d.usageGateLogGroup
                ? [
                      usageGateWidgets(r, d.stack, d.usageGateLogGroup).slice(0, 2),
                      usageGateWidgets(r, d.stack, d.usageGateLogGroup).slice(2),
                  ]
                : []),
        ]),
    };
}

export interface PortalDashboardArgs {
    /** The dashboard's name, e.g. "ai-portal-prod". Required. */
    readonly name: string;
    /** Everything the body names, resolved when the resources exist. Required. */
    readonly input: pulumi.Input<DashboardInput>;
}

/** The stack's CloudWatch dashboard; `url` opens it in the console. */
export class PortalDashboard extends pulumi.ComponentResource {
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: PortalDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:governance:PortalDashboard", name, {}, opts);
        const input = pulumi.output(args.input) as pulumi.Output<DashboardInput>;
        const dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName: args.name,
                dashboardBody: input.apply((i) =>
                    JSON.stringify(dashboardBody(i as DashboardInput)),
                ),
            },
            { parent: this },
        );
        this.url = pulumi.interpolate`https://${input.region}.console.aws.amazon.com/cloudwatch/home?region=${input.region}#dashboards/dashboard/${dashboard.dashboardName}`;
        this.registerOutputs({ url: this.url });
    }
}
