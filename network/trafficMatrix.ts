/**
 * The portal's traffic matrix: every port any tier may open, to whom, in one pure table. The
 * security group component turns each row into one rule resource; nothing else adds rules.
 */
import { PORTS } from "../lib/ports";

export const INTERNET = "0.0.0.0/0";

/**
 * Security groups the rules attach to or point at. `database` is the data tier's group and
 * `directory` the one AWS creates for the domain controllers: rules may point at them, and only
 * `database` receives rules (AWS manages the directory's). `alb`, `gatewayLb` and `redis` exist
 * in the load-balanced web tier only.
 */
export type GroupName =
    | "web"
    | "gateway"
    | "database"
    | "directory"
    | "dbBootstrap"
    | "directoryPolicy"
    | "alb"
    | "gatewayLb"
    | "redis";

/** `single`: one web host faces the internet. `loadBalanced`: an ALB does, the hosts are private. */
export type WebTierShape = "single" | "loadBalanced";

/**
 * Where traffic comes from or goes to: a CIDR block, a security group, or the public address of
 * the n-th NAT gateway (known once the gateways exist).
 */
export type Peer =
    { readonly cidr: string } | { readonly group: GroupName } | { readonly natAddress: number };

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
    /** Client ranges allowed to the portal's 443 and 80 (the web host's, or the ALB's). */
    readonly allowedCidrs: readonly string[];
    /** Ranges allowed to SSH to the web host; empty unless a key pair is configured. */
    readonly sshCidrs: readonly string[];
    readonly gatewayPort: number;
    /** Which web tier the groups serve; defaults to `single`. */
    readonly webTier?: WebTierShape;
    /**
     * loadBalanced: how many NAT gateways the private subnets leave through. The web hosts' health
     * probe reaches the ALB by the portal's public name from those addresses, so they are admitted
     * on 443 whatever `allowedCidrs` says.
     */
    readonly natAddresses?: number;
    /**
     * Whether the stack has a Managed AD (config `directory`); defaults to true. Without one there
     * is no LDAP, no DNS through the domain controllers and no directory-policy functions.
     */
    readonly directory?: boolean;
}

/** The security groups a web tier has of its own (the database's and the directory's come from their tiers). */
// Stryker disable next-line StringLiteral: equivalent, only "loadBalanced" is tested for, so any other default is "single"
export function ownGroups(webTier: WebTierShape = "single", directory = true): GroupName[] {
    const groups: GroupName[] =
        webTier === "loadBalanced"
            ? ["web", "gateway", "dbBootstrap", "directoryPolicy", "alb", "gatewayLb", "redis"]
            : ["web", "gateway", "dbBootstrap", "directoryPolicy"];
    return directory ? groups : groups.filter((g) => g !== "directoryPolicy");
}

function peerLabel(peer: Peer): string {
    if ("natAddress" in peer) {
        return `nat${peer.natAddress + 1}`;
    }
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

    const loadBalanced = input.webTier === "loadBalanced";
    // Clients reach the portal at its entry point: the web host itself, or the ALB.
    const entry: GroupName = loadBalanced ? "alb" : "web";
    for (const cidr of input.allowedCidrs) {
        add(
            entry,
            "ingress",
            "tcp",
            PORTS.https,
            { cidr },
            "Portal over HTTPS from allowed clients",
        );
        add(
            entry,
            "ingress",
            "tcp",
            PORTS.http,
            { cidr },
            "HTTP from allowed clients, redirected to HTTPS",
        );
    }
    for (let n = 0; loadBalanced && n < (input.natAddresses ?? 0); n++) {
        add(
            "alb",
            "ingress",
            "tcp",
            PORTS.https,
            { natAddress: n },
            "Health probe of the web hosts, through the public name of the portal (NAT address)",
        );
    }
    if (loadBalanced) {
        add(
            "alb",
            "egress",
            "tcp",
            PORTS.openWebUi,
            { group: "web" },
            "ALB to Open WebUI (requests, health checks)",
        );
        add(
            "web",
            "ingress",
            "tcp",
            PORTS.openWebUi,
            { group: "alb" },
            "Open WebUI from the ALB only",
        );
    }
    // SSH reaches only a host with a public address: the single web host.
    for (const cidr of loadBalanced ? [] : input.sshCidrs) {
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
    // Where Open WebUI calls the gateway: the internal load balancer's HTTPS listener
    // (compute/gatewayLoadBalancer.ts), or the single gateway host's own port (plain HTTP).
    const gatewayEntryPort = loadBalanced ? PORTS.https : input.gatewayPort;
    add(
        "web",
        "egress",
        "tcp",
        gatewayEntryPort,
        { group: loadBalanced ? "gatewayLb" : "gateway" },
        loadBalanced
            ? "Open WebUI to the internal load balancer of the gateway (HTTPS)"
            : "Open WebUI to the Bedrock gateway",
    );
    if (loadBalanced) {
        add(
            "web",
            "egress",
            "tcp",
            PORTS.redis,
            { group: "redis" },
            "Open WebUI replicas share sockets and state in Redis (TLS)",
        );
        add(
            "redis",
            "ingress",
            "tcp",
            PORTS.redis,
            { group: "web" },
            "Redis from the web hosts only",
        );
        add(
            "gatewayLb",
            "ingress",
            "tcp",
            gatewayEntryPort,
            { group: "web" },
            "API of the gateway over HTTPS, from the web hosts only",
        );
        add(
            "gatewayLb",
            "egress",
            "tcp",
            input.gatewayPort,
            { group: "gateway" },
            "Internal load balancer to the gateway hosts",
        );
    }
    const directory = input.directory ?? true;
    if (directory) {
        add(
            "web",
            "egress",
            "tcp",
            PORTS.ldap,
            { group: "directory" },
            "LDAP logins against the domain controllers",
        );
        add(
            "web",
            "egress",
            "udp",
            PORTS.dns,
            { group: "directory" },
            "DNS of the directory domain",
        );
        add(
            "web",
            "egress",
            "tcp",
            PORTS.dns,
            { group: "directory" },
            "DNS of the directory domain (large answers)",
        );
    }

    add(
        "gateway",
        "ingress",
        "tcp",
        input.gatewayPort,
        { group: loadBalanced ? "gatewayLb" : "web" },
        loadBalanced
            ? "OpenAI-compatible API, from the internal load balancer only (requests, health checks)"
            : "OpenAI-compatible API, from the web host only",
    );
    add(
        "gateway",
        "egress",
        "tcp",
        PORTS.https,
        { cidr: INTERNET },
        "Amazon Bedrock, ECR, Secrets Manager, SSM, Logs",
    );
    // The usage gate (gate/) on the gateway hosts records usage in PostgreSQL and looks up the
    // directory groups that have limits (config usageLimitsByGroup).
    add(
        "gateway",
        "egress",
        "tcp",
        PORTS.postgres,
        { group: "database" },
        "Usage gate to PostgreSQL",
    );
    if (directory) {
        add(
            "gateway",
            "egress",
            "tcp",
            PORTS.ldap,
            { group: "directory" },
            "Usage gate group lookups against the domain controllers",
        );
    }

    add(
        "database",
        "ingress",
        "tcp",
        PORTS.postgres,
        { group: "web" },
        loadBalanced ? "PostgreSQL from the web hosts" : "PostgreSQL from the web host",
    );
    add(
        "database",
        "ingress",
        "tcp",
        PORTS.postgres,
        { group: "gateway" },
        "PostgreSQL from the usage gate on the gateway hosts",
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
        "Create the Open WebUI role in PostgreSQL",
    );
    add("dbBootstrap", "egress", "tcp", PORTS.https, { cidr: INTERNET }, "Secrets Manager API");

    // The directory's password policies and bind check (directory/policy): LDAP to the domain
    // controllers (the directory's own group admits the VPC), and Secrets Manager for the Admin
    // and bind credentials. They bind by address: no DNS through the directory.
    if (directory) {
        add(
            "directoryPolicy",
            "egress",
            "tcp",
            PORTS.ldap,
            { group: "directory" },
            "Password policies and bind check over LDAP",
        );
        add(
            "directoryPolicy",
            "egress",
            "tcp",
            PORTS.https,
            { cidr: INTERNET },
            "Secrets Manager API",
        );
    }
    return rules;
}
