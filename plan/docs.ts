/**
 * Generated documentation: the contract's JSON Schema, the architecture diagrams of both stacks
 * and the README's outputs, cost and diagram sections. `npm run docs` writes them; a test fails
 * when a committed copy differs from what the program generates now.
 */
import * as fs from "fs";
import * as path from "path";
import { outputsSchema, outputsTable } from "../contract";
import { controlsTable } from "../policy/controls";
import { runStack } from "../offline/run";
import { PROJECT_DIR } from "../offline/stackConfig";
import { CostEstimate, thousands } from "./cost";
import { dashboardSvg } from "./dashboardPicture";
import { architectureDiagram } from "./graph";
import { buildPlan, PlanDocument } from "./model";
import { compareText } from "./order";

export const STACKS = ["dev", "prod"] as const;

/** Cost lines grouped into what a reader compares across stacks. */
const CATEGORIES: [RegExp, string][] = [
    [/^EC2 /, "EC2 hosts"],
    [/^RDS PostgreSQL /, "RDS PostgreSQL instance"],
    [/^RDS gp3 storage/, "RDS storage"],
    [/^Managed Microsoft AD/, "Managed Microsoft AD"],
    [/^NAT/, "NAT gateways (hours + assumed traffic)"],
    [/^public IPv4/, "public IPv4 addresses"],
    [/^EBS/, "EBS root volumes"],
    [/^CloudWatch Logs/, "CloudWatch Logs (assumed volumes)"],
    [/^Secrets Manager/, "Secrets Manager secrets"],
    [/^S3/, "S3 uploads (assumed)"],
    [/^ECR/, "ECR images (assumed)"],
    [/^CloudWatch alarm/, "CloudWatch alarms"],
    [/^(Application Load Balancer|ALB LCUs)/, "Load balancers (hours + assumed LCUs)"],
    [/^WAF/, "WAF (web ACL, rules + assumed requests)"],
    [/^ElastiCache/, "ElastiCache (Redis)"],
    [/^ALB access logs/, "ALB access logs (assumed)"],
    [/^CloudWatch dashboard/, "CloudWatch dashboard (assumed beyond the account's free 3)"],
    [/^KMS/, "KMS keys"],
    [/^AWS Budgets/, "AWS Budgets"],
    [/^AWS Backup/, "AWS Backup (assumed storage, copies to the DR region)"],
];

function category(item: string): string {
    return CATEGORIES.find(([pattern]) => pattern.test(item))?.[1] ?? item;
}

/** A stack's columns: always on, and on its schedule when it has one. */
function columns(costs: Record<(typeof STACKS)[number], CostEstimate>) {
    return STACKS.flatMap((stack) => [
        { title: stack, stack, scheduled: false },
        ...(costs[stack].scheduled
            ? [{ title: `${stack} (scheduled)`, stack, scheduled: true }]
            : []),
    ]);
}

function costTable(costs: Record<(typeof STACKS)[number], CostEstimate>): string {
    const cols = columns(costs);
    const rows = new Map<string, Record<string, { usd: number; details: Set<string> }>>();
    for (const col of cols) {
        for (const line of costs[col.stack].lines) {
            const key = category(line.item);
            const row = rows.get(key) ?? {};
            const cell = row[col.title] ?? { usd: 0, details: new Set<string>() };
            cell.usd += col.scheduled
                ? (line.scheduled?.monthlyUsd ?? line.monthlyUsd)
                : line.monthlyUsd;
            const detail = /^(EC2|RDS PostgreSQL|ElastiCache) (.*)$/.exec(line.item);
            if (detail) {
                cell.details.add(detail[2]);
            }
            row[col.title] = cell;
            rows.set(key, row);
        }
    }
    const cell = (c: { usd: number; details: Set<string> } | undefined) =>
        c === undefined
            ? "-"
            : `$${c.usd.toFixed(2)}${c.details.size > 0 ? ` (${[...c.details].sort().join(", ")})` : ""}`;
    const body = [...rows.entries()]
        .sort((a, b) => (b[1].prod?.usd ?? 0) - (a[1].prod?.usd ?? 0) || compareText(a[0], b[0]))
        .map(([name, row]) => `| ${name} | ${cols.map((c) => cell(row[c.title])).join(" | ")} |`);
    const total = (c: (typeof cols)[number]) => {
        const cost = costs[c.stack];
        return `**$${(c.scheduled ? cost.scheduled!.monthlyUsd : cost.monthlyUsd).toFixed(2)}**`;
    };
    return [
        `| monthly, USD (prices of ${costs.prod.priceDate}) | ${cols.map((c) => c.title).join(" | ")} |`,
        `|---|${cols.map(() => "---:").join("|")}|`,
        ...body,
        `| **total** | ${cols.map(total).join(" | ")} |`,
    ].join("\n");
}

/** What the scheduled columns and the Bedrock usage estimates mean, under the table. */
function costNotes(plans: Record<(typeof STACKS)[number], PlanDocument>): string {
    const notes: string[] = [];
    for (const stack of STACKS) {
        const scheduled = plans[stack].cost.scheduled;
        if (scheduled) {
            const hours = (n: number) => `${Number(n.toFixed(2))}`;
            notes.push(
                `${stack} (scheduled): ${scheduled.schedule}, the hosts ${hours(scheduled.hostHoursPerMonth)} h and the database ${hours(scheduled.databaseHoursPerMonth)} h a month instead of 730 h; billed around the clock all the same: ${scheduled.alwaysOn}.`,
            );
        }
    }
    const usage = STACKS.map((stack) => {
        const u = plans[stack].usageEstimate;
        if (!u) {
            return `${stack} none (expectedUsers is 0)`;
        }
        const people = `${thousands(u.users)} people, each ${thousands(u.inputTokensPerUserPerMonth)} input and ${thousands(u.outputTokensPerUserPerMonth)} output tokens a month, on \`${u.model}\``;
        return u.monthlyUsd === null
            ? `${stack} unpriced (${people}: ${u.unpriced})`
            : `${stack} $${u.monthlyUsd.toFixed(2)} a month (${people}, list prices to verify)`;
    });
    notes.push(`Bedrock usage estimate, never in the totals above: ${usage.join("; ")}.`);
    return notes.join("\n\n");
}

export function replaceSection(text: string, marker: string, content: string): string {
    const start = `<!-- generated:${marker} -->`;
    const end = `<!-- /generated:${marker} -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) {
        throw new Error(`README.md has no ${start} ... ${end} section`);
    }
    return `${text.slice(0, from + start.length)}\n${content.trimEnd()}\n${text.slice(to)}`;
}

/** Every generated file's path (relative to the project) and content. */
export async function generatedDocs(): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    files.set("contract/outputs.schema.json", JSON.stringify(outputsSchema(), null, 2) + "\n");
    const costs = {} as Record<(typeof STACKS)[number], CostEstimate>;
    const plans = {} as Record<(typeof STACKS)[number], PlanDocument>;
    const diagrams = {} as Record<(typeof STACKS)[number], string>;
    for (const stack of STACKS) {
        const run = await runStack(stack);
        if (run.error) {
            throw run.error;
        }
        plans[stack] = buildPlan(run);
        costs[stack] = plans[stack].cost;
        diagrams[stack] = architectureDiagram(run);
        files.set(`docs/architecture-${stack}.mmd`, diagrams[stack]);
        // The dashboard's layout, drawn from the body the program declares.
        const dashboard = run.resources.find(
            (r) => r.type === "aws:cloudwatch/dashboard:Dashboard",
        );
        if (dashboard) {
            files.set(
                `docs/dashboard-${stack}.svg`,
                dashboardSvg(JSON.parse(dashboard.inputs.dashboardBody)),
            );
        }
    }
    let readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    readme = replaceSection(readme, "outputs", outputsTable());
    readme = replaceSection(readme, "cost", `${costTable(costs)}\n\n${costNotes(plans)}`);
    readme = replaceSection(readme, "diagram", "```mermaid\n" + diagrams.prod + "```");
    readme = replaceSection(readme, "controls", controlsTable());
    files.set("README.md", readme);
    return files;
}

if (require.main === module) {
    generatedDocs().then(
        (files) => {
            for (const [file, content] of files) {
                fs.writeFileSync(path.join(PROJECT_DIR, file), content);
                process.stdout.write(`wrote ${file}\n`);
            }
            process.exit(0);
        },
        (error: Error) => {
            process.stderr.write(`${error.stack ?? error.message}\n`);
            process.exit(1);
        },
    );
}
