/**
 * The architecture picture as a Mermaid flowchart, generated from what the program declares:
 * tiers as subgraphs, the hosts (single or in Auto Scaling groups), load balancers, database,
 * Redis, directory and bootstrap function as nodes, and every security-group rule as a labelled
 * edge. Deterministic, so a committed copy can be checked.
 */
import { ofType } from "../offline/query";
import type { ProgramRun } from "../offline/run";
import { compareText } from "./order";

interface Node {
    readonly id: string;
    readonly label: string;
    readonly tier: "edge" | "network" | "compute" | "data" | "directory" | "outside";
}

const RULE_TYPES = {
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "ingress",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "egress",
} as const;

const TIER_TITLES: Record<Node["tier"], string> = {
    edge: "edge",
    network: "network",
    compute: "compute",
    data: "data",
    directory: "directory",
    outside: "outside the VPC",
};

/** Which node each security group stands for. */
function groupNodes(run: ProgramRun): Map<string, Node> {
    const nodes = new Map<string, Node>();
    for (const instance of ofType(run, "aws:ec2/instance:Instance")) {
        const web = instance.inputs.associatePublicIpAddress === true;
        const node: Node = web
            ? {
                  id: "web",
                  label: `Open WebUI host<br/>${instance.inputs.instanceType}, public subnet`,
                  tier: "compute",
              }
            : {
                  id: "gateway",
                  label: `Bedrock gateway host<br/>${instance.inputs.instanceType}, private subnet`,
                  tier: "compute",
              };
        for (const sg of instance.inputs.vpcSecurityGroupIds ?? []) {
            nodes.set(sg, node);
        }
    }
    // The load-balanced tier: hosts launched from templates by Auto Scaling groups.
    for (const template of ofType(run, "aws:ec2/launchTemplate:LaunchTemplate")) {
        const group = ofType(run, "aws:autoscaling/group:Group").find(
            (g) => g.inputs.launchTemplate?.id === template.id,
        );
        const hosts = group ? `, ${group.inputs.minSize}-${group.inputs.maxSize} hosts` : "";
        const web = /-web$/.test(String(template.inputs.name));
        const node: Node = {
            id: web ? "web" : "gateway",
            label: `${web ? "Open WebUI" : "Bedrock gateway"} hosts<br/>${template.inputs.instanceType}${hosts}, private subnets`,
            tier: "compute",
        };
        for (const sg of template.inputs.vpcSecurityGroupIds ?? []) {
            nodes.set(sg, node);
        }
    }
    const waf = ofType(run, "aws:wafv2/webAclAssociation:WebAclAssociation").map(
        (a) => a.inputs.resourceArn,
    );
    for (const lb of ofType(run, "aws:lb/loadBalancer:LoadBalancer")) {
        const https = ofType(run, "aws:lb/listener:Listener").some(
            (l) => l.inputs.loadBalancerArn === lb.state.arn && l.inputs.protocol === "HTTPS",
        );
        const features = [
            ...(https ? ["HTTPS (ACM)"] : []),
            ...(waf.includes(lb.state.arn) ? ["WAF"] : []),
        ].join(", ");
        const node: Node = lb.inputs.internal
            ? { id: "gatewayLb", label: "Internal ALB<br/>of the gateway hosts", tier: "compute" }
            : { id: "alb", label: `Internet-facing ALB<br/>${features}`, tier: "edge" };
        for (const sg of lb.inputs.securityGroups ?? []) {
            nodes.set(sg, node);
        }
    }
    for (const redis of ofType(run, "aws:elasticache/replicationGroup:ReplicationGroup")) {
        const node: Node = {
            id: "redis",
            label: `${redis.inputs.engine === "valkey" ? "Valkey" : "Redis"} ${redis.inputs.engineVersion}<br/>${redis.inputs.nodeType} x ${redis.inputs.numCacheClusters}${redis.inputs.multiAzEnabled ? ", Multi-AZ" : ""}`,
            tier: "data",
        };
        for (const sg of redis.inputs.securityGroupIds ?? []) {
            nodes.set(sg, node);
        }
    }
    for (const db of ofType(run, "aws:rds/instance:Instance")) {
        const node: Node = {
            id: "database",
            label: `PostgreSQL ${db.inputs.engineVersion}<br/>${db.inputs.instanceClass}${db.inputs.multiAz ? ", Multi-AZ" : ""}`,
            tier: "data",
        };
        for (const sg of db.inputs.vpcSecurityGroupIds ?? []) {
            nodes.set(sg, node);
        }
    }
    for (const fn of ofType(run, "aws:lambda/function:Function")) {
        // The directory tier's functions (password policies, bind check) share one group.
        const node: Node = String(fn.inputs.name).includes("-directory-")
            ? {
                  id: "directoryPolicy",
                  label: "Directory password policies<br/>and bind check (Lambda)",
                  tier: "directory",
              }
            : { id: "dbBootstrap", label: "DB role bootstrap<br/>(Lambda)", tier: "data" };
        for (const sg of fn.inputs.vpcConfig?.securityGroupIds ?? []) {
            nodes.set(sg, node);
        }
    }
    for (const dir of ofType(run, "aws:directoryservice/directory:Directory")) {
        nodes.set(dir.state.securityGroupId, {
            id: "directory",
            label: `Managed Microsoft AD<br/>${dir.inputs.edition}, 2 domain controllers`,
            tier: "directory",
        });
    }
    return nodes;
}

function cidrNode(cidr: string, direction: "ingress" | "egress"): Node {
    if (direction === "egress" && cidr === "0.0.0.0/0") {
        return {
            id: "internet",
            label: "Internet and AWS APIs<br/>(via IGW / NAT)",
            tier: "outside",
        };
    }
    return {
        id: `clients_${cidr.replace(/[^0-9]/g, "_")}`,
        label: `Clients ${cidr}`,
        tier: "outside",
    };
}

export function architectureDiagram(run: ProgramRun): string {
    const groups = groupNodes(run);
    const nodes = new Map<string, Node>();
    const edges = new Map<string, Set<string>>();
    for (const [type, direction] of Object.entries(RULE_TYPES)) {
        for (const rule of ofType(run, type)) {
            const own = groups.get(rule.inputs.securityGroupId);
            const peer =
                rule.inputs.cidrIpv4 !== undefined
                    ? cidrNode(rule.inputs.cidrIpv4, direction)
                    : groups.get(rule.inputs.referencedSecurityGroupId);
            if (!own || !peer) {
                continue;
            }
            const [from, to] = direction === "ingress" ? [peer, own] : [own, peer];
            nodes.set(from.id, from);
            nodes.set(to.id, to);
            const key = `${from.id} ${to.id}`;
            const ports = edges.get(key) ?? new Set<string>();
            ports.add(`${rule.inputs.fromPort}/${rule.inputs.ipProtocol}`);
            edges.set(key, ports);
        }
    }
    const vpc = ofType(run, "aws:ec2/vpc:Vpc")[0];
    const nats = ofType(run, "aws:ec2/natGateway:NatGateway").length;
    const lines = ["flowchart LR"];
    const tiers: Node["tier"][] = ["outside", "edge", "network", "compute", "data", "directory"];
    for (const tier of tiers) {
        const members = [...nodes.values()]
            .filter((n) => n.tier === tier)
            .sort((a, b) => compareText(a.id, b.id));
        if (tier === "network" && vpc) {
            lines.push(
                `    subgraph ${tier}_tier["${TIER_TITLES[tier]}"]`,
                `        vpc["VPC ${vpc.inputs.cidrBlock}<br/>${nats} NAT gateway(s)"]`,
                "    end",
            );
            continue;
        }
        if (members.length === 0) {
            continue;
        }
        // Subgraph ids carry a suffix: Mermaid rejects a subgraph and a node of the same id.
        lines.push(`    subgraph ${tier}_tier["${TIER_TITLES[tier]}"]`);
        for (const n of members) {
            lines.push(`        ${n.id}["${n.label}"]`);
        }
        lines.push("    end");
    }
    for (const key of [...edges.keys()].sort()) {
        const [from, to] = key.split(" ");
        const ports = [...edges.get(key)!].sort(
            (a, b) => parseInt(a, 10) - parseInt(b, 10) || compareText(a, b),
        );
        lines.push(`    ${from} -->|"${ports.join(", ")}"| ${to}`);
    }
    return lines.join("\n") + "\n";
}
