/**
 * The plan as text for a terminal or a pull-request summary: resources grouped by component with
 * the few settings a reviewer checks, then the outputs, the cost and the deploy estimate.
 */
import { formatMinutes } from "../backup/recovery";
import { PlanDocument, PlanResource, REDACTED } from "./model";
import { compareText } from "./order";
import { DRILL_CHECK_MINUTES, DRILL_DESTROY_MINUTES, drillEstimate } from "./drill";

type Inputs = Record<string, any>;

/** Ids the program assigned, shown as the names of the resources they belong to. */
type Names = ReadonlyMap<string, string>;

function shortType(type: string): string {
    const [pkg, mod, name] = type.split(":");
    return pkg === "aws" ? `${mod.split("/")[0]}:${name}` : `${pkg}:${name}`;
}

function show(value: unknown, names: Names): string {
    if (value === REDACTED) {
        return REDACTED;
    }
    if (Array.isArray(value)) {
        return value.map((v) => show(v, names)).join(",");
    }
    return typeof value === "string" ? (names.get(value) ?? value) : String(value);
}

/** The settings worth a reviewer's eye, per resource type. */
function settings(r: PlanResource, names: Names): string {
    const i: Inputs = r.inputs;
    const pick = (...keys: string[]) =>
        keys
            .filter((k) => i[k] !== undefined)
            .map((k) => `${k}=${show(i[k], names)}`)
            .join(" ");
    switch (r.type) {
        case "aws:ec2/vpc:Vpc":
            return pick("cidrBlock");
        case "aws:ec2/subnet:Subnet":
            return pick("cidrBlock", "availabilityZone");
        case "aws:ec2/natGateway:NatGateway":
            return pick("subnetId");
        case "aws:ec2/route:Route":
            return pick("destinationCidrBlock", "gatewayId", "natGatewayId");
        case "aws:ec2/instance:Instance":
            return `${pick("instanceType", "subnetId", "associatePublicIpAddress", "keyName")} imds=${i.metadataOptions?.httpTokens} root=${i.rootBlockDevice?.volumeSize}GB-${i.rootBlockDevice?.volumeType}${i.rootBlockDevice?.encrypted ? "-encrypted" : ""}`;
        case "aws:rds/instance:Instance":
            return pick(
                "instanceClass",
                "engine",
                "engineVersion",
                "allocatedStorage",
                "storageType",
                "multiAz",
                "deletionProtection",
                "publiclyAccessible",
                "backupRetentionPeriod",
            );
        case "aws:directoryservice/directory:Directory":
            return pick("type", "edition", "name", "shortName");
        case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
            return `${i.ipProtocol}/${i.fromPort} ${r.type.includes("Ingress") ? "from" : "to"} ${show(i.cidrIpv4 ?? i.referencedSecurityGroupId, names)}`;
        case "aws:cloudwatch/logGroup:LogGroup":
            return pick("name", "retentionInDays");
        case "aws:secretsmanager/secret:Secret":
            return pick("name", "recoveryWindowInDays");
        case "aws:ec2/securityGroup:SecurityGroup":
            return pick("description");
        case "aws:lambda/function:Function":
            return pick("runtime", "architectures");
        case "aws:ecr/repository:Repository":
            return pick("name", "imageTagMutability");
        case "aws:lb/loadBalancer:LoadBalancer":
            return pick("name", "internal", "subnets", "idleTimeout");
        case "aws:lb/targetGroup:TargetGroup":
            return `${pick("protocol", "port")} health=${i.healthCheck?.path}`;
        case "aws:lb/listener:Listener":
            return pick("protocol", "port", "sslPolicy");
        case "aws:ec2/launchTemplate:LaunchTemplate": {
            const root = i.blockDeviceMappings?.[0]?.ebs;
            return `${pick("instanceType", "vpcSecurityGroupIds")} imds=${i.metadataOptions?.httpTokens} root=${root?.volumeSize}GB-${root?.volumeType}${root?.encrypted === "true" ? "-encrypted" : ""}`;
        }
        case "aws:autoscaling/group:Group":
            return pick(
                "minSize",
                "maxSize",
                "vpcZoneIdentifiers",
                "healthCheckType",
                "healthCheckGracePeriod",
            );
        case "aws:elasticache/replicationGroup:ReplicationGroup":
            return pick(
                "engine",
                "engineVersion",
                "nodeType",
                "numCacheClusters",
                "multiAzEnabled",
                "transitEncryptionEnabled",
            );
        case "aws:wafv2/webAcl:WebAcl":
            return `${pick("name", "scope")} rules=${(i.rules ?? []).length}`;
        default:
            return "";
    }
}

export function renderTree(plan: PlanDocument, names: Names = new Map()): string {
    const children = new Map<string, PlanResource[]>();
    for (const r of plan.resources) {
        const parent = r.parent ?? "";
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const lines: string[] = [];
    const walk = (parent: string, depth: number) => {
        const items = (children.get(parent) ?? [])
            .slice()
            .sort(
                (a, b) =>
                    Number(a.type.startsWith("aiportal:")) -
                        Number(b.type.startsWith("aiportal:")) ||
                    compareText(a.type, b.type) ||
                    compareText(a.name, b.name),
            );
        for (const r of items) {
            const detail = settings(r, names);
            const flags = r.protect ? " [protected]" : "";
            lines.push(
                `${"  ".repeat(depth)}${r.type.startsWith("aiportal:") ? "▸ " : "- "}${shortType(r.type)} ${r.name}${flags}${detail ? `  ${detail}` : ""}`,
            );
            walk(r.urn, depth + 1);
        }
    };
    walk("", 0);
    return lines.join("\n");
}

function formatUsd(n: number): string {
    return `$${n.toFixed(2)}`;
}

/** The infrastructure's monthly cost: always on, and on the stack's schedule when it has one. */
export function renderCost(plan: PlanDocument): string[] {
    const cost = plan.cost;
    const scheduled = cost.scheduled;
    const out = [
        `Monthly cost estimate (eu-west-2 on-demand, prices of ${cost.priceDate}): ${formatUsd(cost.monthlyUsd)}${scheduled ? ` always on, ${formatUsd(scheduled.monthlyUsd)} on its schedule (${scheduled.schedule})` : ""}`,
    ];
    const byItem = new Map<string, { always: number; scheduled: number }>();
    for (const line of cost.lines) {
        const key = line.item.replace(/ \(.*\)$/, "");
        const sum = byItem.get(key) ?? { always: 0, scheduled: 0 };
        byItem.set(key, {
            always: sum.always + line.monthlyUsd,
            scheduled: sum.scheduled + (line.scheduled?.monthlyUsd ?? line.monthlyUsd),
        });
    }
    const drill = drillEstimate(plan.resources, cost.monthlyUsd, plan.deploy.criticalPathMinutes);
    if (drill) {
        out.push(
            `  Restored from ${drill.restoredFrom}: a drill (deploy ${plan.deploy.criticalPathMinutes} min, checks ${DRILL_CHECK_MINUTES} min, destroy ${DRILL_DESTROY_MINUTES} min) costs ${formatUsd(drill.usd)} for ${drill.hours} h at this rate.`,
        );
    }
    if (scheduled) {
        out.push(`  ${"always on".padStart(9)}  ${"scheduled".padStart(9)}`);
    }
    for (const [item, usd] of [...byItem.entries()].sort(
        (a, b) => b[1].always - a[1].always || compareText(a[0], b[0]),
    )) {
        out.push(
            scheduled
                ? `  ${formatUsd(usd.always).padStart(9)}  ${formatUsd(usd.scheduled).padStart(9)}  ${item}`
                : `  ${formatUsd(usd.always).padStart(9)}  ${item}`,
        );
    }
    if (scheduled) {
        const hours = (n: number) => `${Number(n.toFixed(2))} h`;
        out.push(
            `  On the schedule (saves ${formatUsd(scheduled.savingUsd)} a month): the hosts run ${hours(scheduled.hostHoursPerMonth)} a month and the database ${hours(scheduled.databaseHoursPerMonth)} (it starts first) instead of 730 h; asleep outside it: ${scheduled.asleep.join(", ") || "nothing (no declared schedule stops a priced resource)"}.`,
            `  Billed around the clock all the same: ${scheduled.alwaysOn}.`,
        );
    }
    out.push(
        `  Unpriced: ${cost.unpriced.length === 0 ? "none" : cost.unpriced.map((u) => `${u.resource} (${u.reason})`).join("; ")}`,
        `  Not estimated: ${cost.outOfScope}`,
    );
    return out;
}

/** The budgets the stack declares, or the choice not to have them. */
export function renderBudgets(plan: PlanDocument): string[] {
    const budgets = plan.budgets;
    const out = ["Budgets:"];
    for (const b of budgets.declared) {
        const filters = Object.entries(b.filters)
            .map(([name, values]) => `${name}=${values.join(",")}`)
            .join(" ");
        const alerts = b.alerts.map((a) => `${a.type} > ${a.thresholdPercent}%`).join(", ");
        const topics = b.notifies.map((arn) => arn.split(":").pop()).join(", ");
        const estimate =
            b.estimateUsd === null
                ? `no estimate (${b.estimateOf})`
                : `estimate ${formatUsd(b.estimateUsd)} (${b.estimateOf}) = ${Math.round((b.estimateUsd / b.limitUsd) * 100)}% of the limit`;
        out.push(
            `  ${b.name}: ${formatUsd(b.limitUsd)} ${b.timeUnit.toLowerCase()}, filters ${filters || "none"}, alerts ${alerts || "none"}${topics ? ` to ${topics}` : ""}; ${estimate}`,
        );
    }
    for (const none of budgets.notDeclared) {
        out.push(`  ${none}`);
    }
    for (const note of budgets.notes) {
        out.push(`  ${note}`);
    }
    return out;
}

/** The Bedrock usage estimate, apart from the infrastructure's, with every assumption. */
export function renderUsage(plan: PlanDocument): string[] {
    const usage = plan.usageEstimate;
    const heading =
        "Bedrock usage estimate (apart from the infrastructure estimate, never added to it)";
    if (!usage) {
        return [`${heading}: none (expectedUsers is 0)`];
    }
    const out = [
        `${heading}: ${usage.monthlyUsd === null ? `unpriced (${usage.unpriced})` : `${formatUsd(usage.monthlyUsd)} a month`} for ${usage.users} people on ${usage.model}`,
    ];
    for (const line of usage.lines) {
        out.push(
            `  ${formatUsd(line.monthlyUsd).padStart(9)}  ${line.item}: ${Number(line.quantity.toFixed(3))} ${line.unit} x ${formatUsd(line.unitUsd)}`,
        );
    }
    for (const assumption of usage.assumptions) {
        out.push(`  - ${assumption}`);
    }
    return out;
}

/** RPO and RTO of each store (backup/recovery.ts): worst cases, with where each comes from. */
export function renderRecovery(plan: PlanDocument): string[] {
    return [
        "Recovery objectives (worst case; none: not recoverable (RPO) or no stated figure (RTO)):",
        ...plan.recovery.map(
            (f) =>
                `  ${`${f.store}, ${f.scenario}:`.padEnd(24)} RPO ${formatMinutes(f.rpoMinutes)}, RTO ${formatMinutes(f.rtoMinutes)} (${f.basis})`,
        ),
    ];
}

/** What a new Open WebUI image costs the running stack (compute/upgrade.ts). */
export function renderImageChange(plan: PlanDocument): string[] {
    const change = plan.deploy.imageChange;
    if (!change) {
        return [];
    }
    const how =
        change.web === "fleetReplacedWhole"
            ? "the web fleet is replaced whole (old hosts drained and terminated before new ones boot, so two versions never serve one database)"
            : "the web host is stopped and started on the new image";
    return [
        `Open WebUI image change: ${how}: ~${Math.ceil(change.downtimeMinutes)} min of downtime, after a ${change.snapshotMinutes} min pre-upgrade snapshot taken while the old version serves.`,
    ];
}

/** `names` maps the ids the program saw (subnets, groups, gateways) to resource names. */
export function renderPlan(plan: PlanDocument, names: Names = new Map()): string {
    const out: string[] = [];
    out.push(
        `Offline plan for stack "${plan.stack}": ${plan.resources.length} resources (no AWS call was made)`,
        "",
    );
    out.push(renderTree(plan, names), "");
    out.push("Outputs:");
    for (const [name, value] of Object.entries(plan.outputs)) {
        out.push(`  ${name} = ${JSON.stringify(value)}`);
    }
    out.push("", ...renderCost(plan), "", ...renderBudgets(plan), "", ...renderUsage(plan));
    out.push(
        "",
        `Deploy estimate: critical path ${plan.deploy.criticalPathMinutes} min (${plan.deploy.serialMinutes} min if nothing ran in parallel):`,
    );
    for (const urn of plan.deploy.path) {
        const [, , type, name] = urn.split("::");
        out.push(`  -> ${shortType(type.split("$").pop()!)} ${name}`);
    }
    out.push(...renderImageChange(plan));
    out.push("", ...renderRecovery(plan));
    return out.join("\n") + "\n";
}
