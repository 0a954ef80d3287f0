/**
 * The portal's traffic matrix: every port any tier may open, to whom, in one pure table. The
 * security group component turns each row into one rule resource; nothing else adds rules.
 */
import { PORTS } from "../lib/ports";

export const INTERNET = "0.0.0.0/0";

/**
 * Security groups the rules attach to or point at. `database` is the data tier's group and
 * `directory` the one AWS creates for the domain controllers: rules may point at them, and only
 * `database` receives rules (AWS manages the directory's).
 */
export type GroupName = "web" | "gateway" | "database" | "directory" | "dbBootstrap";

export type Peer = { readonly cidr: string } | { readonly group: GroupName };

export interface TrafficRule {
    /** The group the rule belongs to. */
    readonly group: GroupName;
    readonly direction: "ingress" | "egress";
    readonly protocol: "tcp" | "udp";
    readonly port: number;
    /** Where traffic comes from (ingress) or goes to (egress). */
    readonly peer: Peer;
    readonly description: string;
}

export interface MatrixInput {
    /** Client ranges allowed to the web host's 443 and 80. */
    readonly allowedCidrs: readonly string[];
    /** Ranges allowed to SSH to the web host; empty unless a key pair is configured. */
    readonly sshCidrs: readonly string[];
    readonly gatewayPort: number;
}

function peerLabel(peer: Peer): string {
    return "group" in peer ? peer.group : peer.cidr.replace(/[./]/g, "-");
}

/** A stable, readable resource name for a rule, e.g. "web-in-tcp443-0-0-0-0-0". */
export function ruleKey(rule: TrafficRule): string {
    return `${rule.group}-${rule.direction === "ingress" ? "in" : "out"}-${rule.protocol}${rule.port}-${peerLabel(rule.peer)}`;
}

export function trafficMatrix(input: MatrixInput): TrafficRule[] {
    const rules: TrafficRule[] = [];
    const add = (
        group: GroupName,
        direction: TrafficRule["direction"],
        protocol: TrafficRule["protocol"],
        port: number,
        peer: Peer,
        description: string,
    ) => rules.push({ group, direction, protocol, port, peer, description });

    for (const cidr of input.allowedCidrs) {
        add(
            "web",
            "ingress",
            "tcp",
            PORTS.https,
            { cidr },
            "Portal over HTTPS from allowed clients",
        );
        add(
            "web",
            "ingress",
            "tcp",
            PORTS.http,
            { cidr },
            "HTTP from allowed clients, redirected to HTTPS",
        );
    }
    for (const cidr of input.sshCidrs) {
        add(
            "web",
            "ingress",
            "tcp",
            PORTS.ssh,
            { cidr },
            "SSH from configured ranges (key pair set)",
        );
    }
    add(
        "web",
        "egress",
        "tcp",
        PORTS.https,
        { cidr: INTERNET },
        "Images, AWS APIs (S3, Secrets Manager, SSM, Logs), ACME",
    );
    add("web", "egress", "tcp", PORTS.postgres, { group: "database" }, "Open WebUI to PostgreSQL");
    add(
        "web",
        "egress",
        "tcp",
        input.gatewayPort,
        { group: "gateway" },
        "Open WebUI to the Bedrock gateway",
    );
    add(
        "web",
        "egress",
        "tcp",
        PORTS.ldap,
        { group: "directory" },
        "LDAP logins against the domain controllers",
    );
    add("web", "egress", "udp", PORTS.dns, { group: "directory" }, "DNS of the directory domain");
    add(
        "web",
        "egress",
        "tcp",
        PORTS.dns,
        { group: "directory" },
        "DNS of the directory domain (large answers)",
    );

    add(
        "gateway",
        "ingress",
        "tcp",
        input.gatewayPort,
        { group: "web" },
        "OpenAI-compatible API, from the web host only",
    );
    add(
        "gateway",
        "egress",
        "tcp",
        PORTS.https,
        { cidr: INTERNET },
        "Amazon Bedrock, ECR, Secrets Manager, SSM, Logs",
    );

    add(
        "database",
        "ingress",
        "tcp",
        PORTS.postgres,
        { group: "web" },
        "PostgreSQL from the web host",
    );
    add(
        "database",
        "ingress",
        "tcp",
        PORTS.postgres,
        { group: "dbBootstrap" },
        "PostgreSQL from the role bootstrap function",
    );

    add(
        "dbBootstrap",
        "egress",
        "tcp",
        PORTS.postgres,
        { group: "database" },
        "Create Open WebUI's role in PostgreSQL",
    );
    add("dbBootstrap", "egress", "tcp", PORTS.https, { cidr: INTERNET }, "Secrets Manager API");
    return rules;
}
