/**
 * The plan as text for a terminal or a pull-request summary: resources grouped by component with
 * the few settings a reviewer checks, then the outputs, the cost and the deploy estimate.
 */
import { PlanDocument, PlanResource, REDACTED } from "./model";
import { compareText } from "./order";

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
    out.push(
        "",
        `Monthly cost estimate (eu-west-2 on-demand, prices of ${plan.cost.priceDate}): ${formatUsd(plan.cost.monthlyUsd)}`,
    );
    const byItem = new Map<string, number>();
    for (const line of plan.cost.lines) {
        const key = line.item.replace(/ \(.*\)$/, "");
        byItem.set(key, (byItem.get(key) ?? 0) + line.monthlyUsd);
    }
    for (const [item, usd] of [...byItem.entries()].sort((a, b) => b[1] - a[1])) {
        out.push(`  ${formatUsd(usd).padStart(9)}  ${item}`);
    }
    out.push(
        `  Unpriced: ${plan.cost.unpriced.length === 0 ? "none" : plan.cost.unpriced.map((u) => `${u.resource} (${u.reason})`).join("; ")}`,
    );
    out.push(`  Not estimated: ${plan.cost.outOfScope}`);
    out.push(
        "",
        `Deploy estimate: critical path ${plan.deploy.criticalPathMinutes} min (${plan.deploy.serialMinutes} min if nothing ran in parallel):`,
    );
    for (const urn of plan.deploy.path) {
        const [, , type, name] = urn.split("::");
        out.push(`  -> ${shortType(type.split("$").pop()!)} ${name}`);
    }
    return out.join("\n") + "\n";
}
