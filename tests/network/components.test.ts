/**
 * The network tier's components constructed alone under the mocks, from plain inputs: the
 * Network (subnets, NAT layout, routes, flow log) and the SecurityGroups (one rule per matrix row).
 */
import * as assert from "assert";
import { EU_WEST_2_ZONES } from "../../offline/mocks";
import { Network, NetworkArgs } from "../../network";
import { SecurityGroups } from "../../network/securityGroups";
import { ruleKey, trafficMatrix } from "../../network/trafficMatrix";
import { childNames, runComponent } from "../harness/component";
import { named, ofType } from "../harness/query";

const BASE: NetworkArgs = {
    namePrefix: "ai-portal-test",
    vpcCidr: "10.0.0.0/16",
    publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24"],
    privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24"],
    natGateways: "single",
    flowLogRetentionDays: 30,
};

function network(args: Partial<NetworkArgs> = {}, zones = EU_WEST_2_ZONES) {
    return runComponent(
        (opts) => {
            const n = new Network("net", { ...BASE, ...args }, opts);
            return {
                vpcId: n.vpcId,
                zones: n.availabilityZones,
                privateEgress: n.privateEgress.length,
            };
        },
        { zones },
    );
}

/** Which NAT gateway each private subnet's default route leaves through, by subnet name. */
function egressOf(run: Awaited<ReturnType<typeof network>>): Record<string, string> {
    const nats = new Map(ofType(run, "aws:ec2/natGateway:NatGateway").map((n) => [n.id, n.name]));
    const tables = new Map(
        ofType(run, "aws:ec2/routeTableAssociation:RouteTableAssociation").map((a) => [
            a.inputs.routeTableId,
            a.inputs.subnetId,
        ]),
    );
    const subnets = new Map(ofType(run, "aws:ec2/subnet:Subnet").map((s) => [s.id, s.name]));
    return Object.fromEntries(
        ofType(run, "aws:ec2/route:Route")
            .filter((r) => r.inputs.natGatewayId)
            .map((r) => [
                subnets.get(tables.get(r.inputs.routeTableId))!,
                nats.get(r.inputs.natGatewayId)!,
            ]),
    );
}

describe("Network (component)", () => {
    it("single NAT: both private subnets leave through the one NAT gateway in the first public subnet", async () => {
        const run = await network({ natGateways: "single" });
        assert.ifError(run.error);
        assert.deepStrictEqual(egressOf(run), {
            "net-private-az1": "net-nat-az1",
            "net-private-az2": "net-nat-az1",
        });
        assert.strictEqual(
            named(run, "aws:ec2/natGateway:NatGateway", "net-nat-az1").inputs.subnetId,
            named(run, "aws:ec2/subnet:Subnet", "net-public-az1").id,
        );
    });

    it("one NAT per AZ: each private subnet leaves through its own AZ's NAT gateway", async () => {
        const run = await network({ natGateways: "onePerAz" });
        assert.deepStrictEqual(egressOf(run), {
            "net-private-az1": "net-nat-az1",
            "net-private-az2": "net-nat-az2",
        });
    });

    it("spreads three subnet pairs over the region's three zones, in name order, whatever order the API answers", async () => {
        const run = await network(
            {
                publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
                privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"],
            },
            [...EU_WEST_2_ZONES].reverse(),
        );
        assert.deepStrictEqual(run.outputs.zones, ["eu-west-2a", "eu-west-2b", "eu-west-2c"]);
        assert.deepStrictEqual(
            ofType(run, "aws:ec2/subnet:Subnet")
                .map((s) => `${s.name} ${s.inputs.availabilityZone}`)
                .sort(),
            [
                "net-private-az1 eu-west-2a",
                "net-private-az2 eu-west-2b",
                "net-private-az3 eu-west-2c",
                "net-public-az1 eu-west-2a",
                "net-public-az2 eu-west-2b",
                "net-public-az3 eu-west-2c",
            ],
        );
    });

    it("fails when the region has fewer zones than subnets asked for", async () => {
        const run = await network({}, EU_WEST_2_ZONES.slice(0, 1));
        assert.match(String(run.error), /2 Availability Zones are needed but the region has 1/);
    });

    it("exposes the private subnets' way out (default routes and associations) for what must reach AWS APIs", async () => {
        const run = await network();
        assert.strictEqual(run.outputs.privateEgress, 4);
    });

    it("declares exactly these children, named from the component's name", async () => {
        assert.deepStrictEqual(childNames(await network()), [
            "net",
            "net-default-sg",
            "net-flow-log",
            "net-flow-logs",
            "net-flow-logs-role",
            "net-flow-logs-write",
            "net-igw",
            "net-nat-az1",
            "net-nat-az1-eip",
            "net-private-az1",
            "net-private-az1-default-route",
            "net-private-az1-rt",
            "net-private-az1-rta",
            "net-private-az2",
            "net-private-az2-default-route",
            "net-private-az2-rt",
            "net-private-az2-rta",
            "net-public-az1",
            "net-public-az1-rta",
            "net-public-az2",
            "net-public-az2-rta",
            "net-public-default-route",
            "net-public-rt",
            "net-vpc",
        ]);
    });
});

describe("SecurityGroups (component)", () => {
    const args = {
        namePrefix: "ai-portal-test",
        vpcId: "vpc-1",
        databaseSecurityGroupId: "sg-db",
        directorySecurityGroupId: "sg-dc",
        allowedCidrs: ["203.0.113.0/24"],
        sshCidrs: ["198.51.100.0/24"],
        gatewayPort: 8000,
    };

    it("declares one rule resource per row of the matrix, and nothing on the directory's group", async () => {
        const run = await runComponent((opts) => {
            const sg = new SecurityGroups("sg", args, opts);
            return { web: sg.webSecurityGroupId, forBootstrap: sg.rulesFor("dbBootstrap").length };
        });
        assert.ifError(run.error);
        const rules = [
            ...ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
            ...ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
        ];
        assert.deepStrictEqual(
            rules.map((r) => r.name.replace(/^sg-/, "")).sort(),
            trafficMatrix(args).map(ruleKey).sort(),
        );
        assert.ok(rules.every((r) => r.inputs.securityGroupId !== "sg-dc"));
        // The bootstrap's rules: its two egress rules and the database's ingress from it.
        assert.strictEqual(run.outputs.forBootstrap, 3);
    });

    it("starts every group of its own empty (no default egress), and removes rules that reference it on delete", async () => {
        const run = await runComponent((opts) => ({
            id: new SecurityGroups("sg", args, opts).webSecurityGroupId,
        }));
        for (const group of ofType(run, "aws:ec2/securityGroup:SecurityGroup")) {
            assert.strictEqual(group.inputs.egress, undefined, group.name);
            assert.strictEqual(group.inputs.ingress, undefined, group.name);
            assert.strictEqual(group.inputs.revokeRulesOnDelete, true, group.name);
        }
    });
    it("single: only the hosts' and the bootstrap's groups, no load-balanced group exported", async () => {
        const run = await runComponent((opts) => {
            const sg = new SecurityGroups("sg", { ...args, webTier: "single" }, opts);
            return {
                alb: sg.albSecurityGroupId,
                gatewayLb: sg.gatewayLbSecurityGroupId,
                redis: sg.redisSecurityGroupId,
            };
        });
        assert.ifError(run.error);
        assert.deepStrictEqual(
            ofType(run, "aws:ec2/securityGroup:SecurityGroup").map((g) => g.name),
            ["sg-web", "sg-gateway", "sg-dbBootstrap", "sg-directoryPolicy"],
        );
        assert.deepStrictEqual(run.outputs, {
            alb: undefined,
            gatewayLb: undefined,
            redis: undefined,
        });
    });

    it("loadBalanced: adds the ALB's, the internal load balancer's and Redis's groups, exported, with their rules", async () => {
        const lbArgs = { ...args, webTier: "loadBalanced" as const };
        const run = await runComponent((opts) => {
            const sg = new SecurityGroups("sg", lbArgs, opts);
            return {
                alb: sg.albSecurityGroupId,
                gatewayLb: sg.gatewayLbSecurityGroupId,
                redis: sg.redisSecurityGroupId,
                forRedis: sg.rulesFor("redis").length,
                forAlb: sg.rulesFor("alb").length,
            };
        });
        assert.ifError(run.error);
        const SG = "aws:ec2/securityGroup:SecurityGroup";
        assert.deepStrictEqual(
            ofType(run, SG)
                .map((g) => `${g.name} ${g.inputs.tags.Name}`)
                .sort(),
            [
                "sg-alb ai-portal-test-alb",
                "sg-dbBootstrap ai-portal-test-dbBootstrap",
                "sg-directoryPolicy ai-portal-test-directoryPolicy",
                "sg-gateway ai-portal-test-gateway",
                "sg-gatewayLb ai-portal-test-gatewayLb",
                "sg-redis ai-portal-test-redis",
                "sg-web ai-portal-test-web",
            ],
        );
        for (const group of ["alb", "gatewayLb", "redis"]) {
            assert.strictEqual(run.outputs[group], named(run, SG, `sg-${group}`).id, group);
        }
        // The web and gateway groups keep their descriptions (a new one would replace them).
        assert.strictEqual(
            named(run, SG, "sg-web").inputs.description,
            "Open WebUI host: HTTPS from allowed clients",
        );
        const rules = [
            ...ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
            ...ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
        ];
        assert.deepStrictEqual(
            rules.map((r) => r.name.replace(/^sg-/, "")).sort(),
            trafficMatrix(lbArgs).map(ruleKey).sort(),
        );
        // Redis: its ingress from the web hosts and the web hosts' egress to it.
        assert.strictEqual(run.outputs.forRedis, 2);
        // The ALB: 443 and 80 from the one client range, and its egress to the web hosts (and theirs from it).
        assert.strictEqual(run.outputs.forAlb, 4);
        const redisIngress = named(
            run,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "sg-redis-in-tcp6379-web",
        );
        assert.strictEqual(redisIngress.inputs.securityGroupId, run.outputs.redis);
        assert.strictEqual(
            redisIngress.inputs.referencedSecurityGroupId,
            named(run, SG, "sg-web").id,
        );
    });
});
