/**
 * What an operator reads about each rule and group in the EC2 console, and what names the
 * resources get: every rule's direction and description, the rule resources' names (a new name
 * replaces the rule), the groups' descriptions (a new one replaces the group), and the
 * SecurityGroups component's failures and lookups.
 */
import * as assert from "assert";
import { SecurityGroups, SecurityGroupsArgs } from "../../network/securityGroups";
import { MatrixInput, ruleKey, TrafficRule, trafficMatrix } from "../../network/trafficMatrix";
import { runComponent } from "../harness/component";
import { named, ofType } from "../harness/query";

const INPUT: MatrixInput = {
    allowedCidrs: ["203.0.113.0/24"],
    sshCidrs: ["198.51.100.0/24"],
    gatewayPort: 9000,
};

/** A row as the console shows it: group, direction, protocol, port, peer, description. */
const row = (r: TrafficRule) =>
    [
        r.group,
        r.direction,
        `${r.protocol}/${r.port}`,
        "cidr" in r.peer
            ? r.peer.cidr
            : "group" in r.peer
              ? r.peer.group
              : `nat#${r.peer.natAddress}`,
        r.description,
    ].join(" | ");

describe("traffic matrix: each rule's direction and description", () => {
    it("single: exactly these rules, in this order", () => {
        assert.deepStrictEqual(trafficMatrix({ ...INPUT, webTier: "single" }).map(row), [
            "web | ingress | tcp/443 | 203.0.113.0/24 | Portal over HTTPS from allowed clients",
            "web | ingress | tcp/80 | 203.0.113.0/24 | HTTP from allowed clients, redirected to HTTPS",
            "web | ingress | tcp/22 | 198.51.100.0/24 | SSH from configured ranges (key pair set)",
            "web | egress | tcp/443 | 0.0.0.0/0 | Images, AWS APIs (S3, Secrets Manager, SSM, Logs), ACME",
            "web | egress | tcp/5432 | database | Open WebUI to PostgreSQL",
            "web | egress | tcp/9000 | gateway | Open WebUI to the Bedrock gateway",
            "web | egress | tcp/389 | directory | LDAP logins against the domain controllers",
            "web | egress | udp/53 | directory | DNS of the directory domain",
            "web | egress | tcp/53 | directory | DNS of the directory domain (large answers)",
            "gateway | ingress | tcp/9000 | web | OpenAI-compatible API, from the web host only",
            "gateway | egress | tcp/443 | 0.0.0.0/0 | Amazon Bedrock, ECR, Secrets Manager, SSM, Logs",
            "gateway | egress | tcp/5432 | database | Usage gate to PostgreSQL",
            "gateway | egress | tcp/389 | directory | Usage gate group lookups against the domain controllers",
            "database | ingress | tcp/5432 | web | PostgreSQL from the web host",
            "database | ingress | tcp/5432 | gateway | PostgreSQL from the usage gate on the gateway hosts",
            "database | ingress | tcp/5432 | dbBootstrap | PostgreSQL from the role bootstrap function",
            "dbBootstrap | egress | tcp/5432 | database | Create the Open WebUI role in PostgreSQL",
            "dbBootstrap | egress | tcp/443 | 0.0.0.0/0 | Secrets Manager API",
            "directoryPolicy | egress | tcp/389 | directory | Password policies and bind check over LDAP",
            "directoryPolicy | egress | tcp/443 | 0.0.0.0/0 | Secrets Manager API",
        ]);
    });

    it("loadBalanced with two NAT gateways: exactly these rules, in this order", () => {
        const matrix = trafficMatrix({ ...INPUT, webTier: "loadBalanced", natAddresses: 2 });
        assert.deepStrictEqual(matrix.map(row), [
            "alb | ingress | tcp/443 | 203.0.113.0/24 | Portal over HTTPS from allowed clients",
            "alb | ingress | tcp/80 | 203.0.113.0/24 | HTTP from allowed clients, redirected to HTTPS",
            "alb | ingress | tcp/443 | nat#0 | Health probe of the web hosts, through the public name of the portal (NAT address)",
            "alb | ingress | tcp/443 | nat#1 | Health probe of the web hosts, through the public name of the portal (NAT address)",
            "alb | egress | tcp/8080 | web | ALB to Open WebUI (requests, health checks)",
            "web | ingress | tcp/8080 | alb | Open WebUI from the ALB only",
            "web | egress | tcp/443 | 0.0.0.0/0 | Images, AWS APIs (S3, Secrets Manager, SSM, Logs), ACME",
            "web | egress | tcp/5432 | database | Open WebUI to PostgreSQL",
            "web | egress | tcp/443 | gatewayLb | Open WebUI to the internal load balancer of the gateway (HTTPS)",
            "web | egress | tcp/6379 | redis | Open WebUI replicas share sockets and state in Redis (TLS)",
            "redis | ingress | tcp/6379 | web | Redis from the web hosts only",
            "gatewayLb | ingress | tcp/443 | web | API of the gateway over HTTPS, from the web hosts only",
            "gatewayLb | egress | tcp/9000 | gateway | Internal load balancer to the gateway hosts",
            "web | egress | tcp/389 | directory | LDAP logins against the domain controllers",
            "web | egress | udp/53 | directory | DNS of the directory domain",
            "web | egress | tcp/53 | directory | DNS of the directory domain (large answers)",
            "gateway | ingress | tcp/9000 | gatewayLb | OpenAI-compatible API, from the internal load balancer only (requests, health checks)",
            "gateway | egress | tcp/443 | 0.0.0.0/0 | Amazon Bedrock, ECR, Secrets Manager, SSM, Logs",
            "gateway | egress | tcp/5432 | database | Usage gate to PostgreSQL",
            "gateway | egress | tcp/389 | directory | Usage gate group lookups against the domain controllers",
            "database | ingress | tcp/5432 | web | PostgreSQL from the web hosts",
            "database | ingress | tcp/5432 | gateway | PostgreSQL from the usage gate on the gateway hosts",
            "database | ingress | tcp/5432 | dbBootstrap | PostgreSQL from the role bootstrap function",
            "dbBootstrap | egress | tcp/5432 | database | Create the Open WebUI role in PostgreSQL",
            "dbBootstrap | egress | tcp/443 | 0.0.0.0/0 | Secrets Manager API",
            "directoryPolicy | egress | tcp/389 | directory | Password policies and bind check over LDAP",
            "directoryPolicy | egress | tcp/443 | 0.0.0.0/0 | Secrets Manager API",
        ]);
    });
});

describe("traffic matrix: rule names", () => {
    it("names each rule from its group, direction, protocol, port and peer (NAT addresses counted from 1)", () => {
        const names = trafficMatrix({ ...INPUT, webTier: "loadBalanced", natAddresses: 2 }).map(
            ruleKey,
        );
        for (const expected of [
            "alb-in-tcp443-203-0-113-0-24",
            "alb-in-tcp80-203-0-113-0-24",
            "alb-in-tcp443-nat1",
            "alb-in-tcp443-nat2",
            "alb-out-tcp8080-web",
            "web-out-udp53-directory",
            "web-out-tcp443-0-0-0-0-0",
            "dbBootstrap-out-tcp443-0-0-0-0-0",
        ]) {
            assert.ok(names.includes(expected), `${expected} in ${names.join(", ")}`);
        }
        assert.strictEqual(new Set(names).size, names.length, "every name is unique");
    });
});

describe("SecurityGroups (component): what it declares and answers", () => {
    const ARGS: SecurityGroupsArgs = {
        ...INPUT,
        namePrefix: "ai-portal-test",
        vpcId: "vpc-1",
        databaseSecurityGroupId: "sg-db",
        directorySecurityGroupId: "sg-dc",
        webTier: "loadBalanced",
        natAddresses: 1,
        natPublicIps: ["198.51.100.7"],
    };
    const SG = "aws:ec2/securityGroup:SecurityGroup";
    const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
    const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

    it("gives each group its fixed description (a new one would replace the group)", async () => {
        const run = await runComponent((opts) => ({
            id: new SecurityGroups("sg", ARGS, opts).webSecurityGroupId,
        }));
        assert.ifError(run.error);
        assert.deepStrictEqual(
            Object.fromEntries(ofType(run, SG).map((g) => [g.name, g.inputs.description])),
            {
                "sg-web": "Open WebUI host: HTTPS from allowed clients",
                "sg-gateway": "Bedrock gateway host: its API from the web host only",
                "sg-dbBootstrap": "Function that creates the Open WebUI role in PostgreSQL",
                "sg-directoryPolicy":
                    "Functions that set the directory password policies and check the bind",
                "sg-alb": "Internet-facing ALB: HTTPS from allowed clients",
                "sg-gatewayLb": "Internal load balancer of the gateway: from the web hosts only",
                "sg-redis": "Redis of the web tier: from the web hosts only",
            },
        );
    });

    it("declares every group and rule inside the component, each rule tagged with its own name", async () => {
        const run = await runComponent((opts) => ({
            id: new SecurityGroups("sg", ARGS, opts).webSecurityGroupId,
        }));
        assert.ifError(run.error);
        const component = run.resources.find((r) => r.type === "aiportal:network:SecurityGroups");
        assert.ok(component);
        const children = [...ofType(run, SG), ...ofType(run, INGRESS), ...ofType(run, EGRESS)];
        assert.strictEqual(children.length, 7 + 26);
        for (const child of children) {
            assert.strictEqual(child.parent, component.urn, child.name);
        }
        const probe = named(run, INGRESS, "sg-alb-in-tcp443-nat1");
        assert.strictEqual(probe.inputs.tags.Name, "ai-portal-test-alb-in-tcp443-nat1");
        assert.strictEqual(probe.inputs.cidrIpv4, "198.51.100.7/32");
        assert.strictEqual(
            named(run, EGRESS, "sg-web-out-tcp5432-database").inputs.tags.Name,
            "ai-portal-test-web-out-tcp5432-database",
        );
    });

    it("exports the bootstrap function's group", async () => {
        const run = await runComponent((opts) => ({
            id: new SecurityGroups("sg", ARGS, opts).dbBootstrapSecurityGroupId,
        }));
        assert.ifError(run.error);
        assert.strictEqual(run.outputs.id, named(run, SG, "sg-dbBootstrap").id);
    });

    it("rulesFor: the rule resources a member of the group needs, by name", async () => {
        const run = await runComponent((opts) => {
            const sg = new SecurityGroups("sg", ARGS, opts);
            return { urns: sg.rulesFor("dbBootstrap").map((r) => r.urn) };
        });
        assert.ifError(run.error);
        const nameOf = new Map(run.resources.map((r) => [r.urn, r.name]));
        assert.deepStrictEqual(
            (run.outputs.urns as string[]).map((u) => nameOf.get(u)),
            [
                "sg-database-in-tcp5432-dbBootstrap",
                "sg-dbBootstrap-out-tcp5432-database",
                "sg-dbBootstrap-out-tcp443-0-0-0-0-0",
            ],
        );
    });

    it("fails, naming the rule, when the matrix names a NAT address and no NAT addresses are given", async () => {
        const run = await runComponent((opts) => ({
            id: new SecurityGroups("sg", { ...ARGS, natPublicIps: undefined }, opts)
                .webSecurityGroupId,
        }));
        assert.strictEqual(
            run.error?.message,
            "alb-in-tcp443-nat1 names a NAT address, and none were given",
        );
    });
});
