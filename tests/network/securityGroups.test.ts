/**
 * The traffic matrix: every security group rule declared, compared with the table the portal is
 * meant to have, so a rule that appears, disappears or widens fails here.
 */
import * as assert from "assert";
import { ruleKey, trafficMatrix } from "../../network/trafficMatrix";
import { byId, named, ofType } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import { DeclaredResource, ProgramRun, runProgram, runStack } from "../../offline/run";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

/** A security group's role in the matrix, from its Name tag (or AWS's directory group). */
function groupName(run: ProgramRun, id: string): string {
    if (id === run.outputs.directorySecurityGroupId) {
        return "directory";
    }
    const sg = byId(run, SG, id);
    return (sg.inputs.tags.Name as string)
        .replace(`ai-portal-${run.config.stack}-`, "")
        .replace("postgres", "database");
}

/** Each declared rule as one readable line: "web in tcp 443 from 0.0.0.0/0". */
function describeRules(run: ProgramRun): string[] {
    const describe = (r: DeclaredResource, direction: "in" | "out") => {
        const peer = r.inputs.cidrIpv4 ?? groupName(run, r.inputs.referencedSecurityGroupId);
        assert.strictEqual(r.inputs.fromPort, r.inputs.toPort, "single ports only");
        return `${groupName(run, r.inputs.securityGroupId)} ${direction} ${r.inputs.ipProtocol} ${r.inputs.fromPort} ${direction === "in" ? "from" : "to"} ${peer}`;
    };
    return [
        ...ofType(run, INGRESS).map((r) => describe(r, "in")),
        ...ofType(run, EGRESS).map((r) => describe(r, "out")),
    ].sort();
}

/** The rules both web tiers share: the database, the directory, the bootstrap, the way out. */
const SHARED_RULES = [
    "database in tcp 5432 from dbBootstrap",
    "database in tcp 5432 from gateway",
    "database in tcp 5432 from web",
    "dbBootstrap out tcp 443 to 0.0.0.0/0",
    "dbBootstrap out tcp 5432 to database",
    "directoryPolicy out tcp 389 to directory",
    "directoryPolicy out tcp 443 to 0.0.0.0/0",
    "gateway out tcp 389 to directory",
    "gateway out tcp 443 to 0.0.0.0/0",
    "gateway out tcp 5432 to database",
    "web out tcp 389 to directory",
    "web out tcp 443 to 0.0.0.0/0",
    "web out tcp 53 to directory",
    "web out tcp 5432 to database",
    "web out udp 53 to directory",
];

/** The rules each web tier adds: who faces the internet, and how the web hosts reach the gateway. */
const TIER_RULES = {
    // dev: one web host with its own address; the gateway behind it.
    single: [
        "gateway in tcp 8000 from web",
        "web in tcp 443 from 0.0.0.0/0",
        "web in tcp 80 from 0.0.0.0/0",
        "web out tcp 8000 to gateway",
    ],
    // prod: the ALB faces the internet; the hosts are reached through load balancers only.
    loadBalanced: [
        "alb in tcp 443 from 0.0.0.0/0",
        "alb in tcp 80 from 0.0.0.0/0",
        "alb out tcp 8080 to web",
        "gateway in tcp 8000 from gatewayLb",
        "gatewayLb in tcp 443 from web",
        "gatewayLb out tcp 8000 to gateway",
        "redis in tcp 6379 from web",
        "web in tcp 8080 from alb",
        "web out tcp 443 to gatewayLb",
        "web out tcp 6379 to redis",
    ],
};

const TIER = { dev: "single", prod: "loadBalanced" } as const;

/** Which group faces the internet in each tier. */
const ENTRY = { single: "web", loadBalanced: "alb" } as const;

/** The security groups of a resource, by their role in the matrix. */
function groupsOf(run: ProgramRun, ids: string[]): string[] {
    return ids.map((id) => groupName(run, id));
}

forEachStack("security groups", (ctx) => {
    const tier = TIER[ctx.stack];

    it(`declares exactly the traffic matrix of the ${tier} tier, nothing more`, () => {
        // loadBalanced: the web hosts' health probe reaches the ALB from the NAT gateways' addresses.
        const probe =
            tier === "loadBalanced"
                ? (ctx.run.outputs.natPublicIps as string[]).map(
                      (ip) => `alb in tcp 443 from ${ip}/32`,
                  )
                : [];
        assert.deepStrictEqual(
            describeRules(ctx.run),
            [...SHARED_RULES, ...TIER_RULES[tier], ...probe].sort(),
        );
    });

    it(`opens nothing to the world but 80/443 on the entry point (${ENTRY[tier]})`, () => {
        const open = ofType(ctx.run, INGRESS).filter(
            (r) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0",
        );
        assert.deepStrictEqual(
            open
                .map((r) => [groupName(ctx.run, r.inputs.securityGroupId), r.inputs.fromPort])
                .sort(),
            [
                [ENTRY[tier], 443],
                [ENTRY[tier], 80],
            ],
        );
    });

    it("declares no inline rules, so only the matrix opens anything", () => {
        for (const sg of ofType(ctx.run, SG)) {
            assert.strictEqual(sg.inputs.ingress, undefined, sg.name);
            assert.strictEqual(sg.inputs.egress, undefined, sg.name);
        }
    });

    it("references groups, never CIDRs, between tiers", () => {
        for (const rule of [...ofType(ctx.run, INGRESS), ...ofType(ctx.run, EGRESS)]) {
            if (rule.inputs.cidrIpv4 !== undefined) {
                const natAddresses = (ctx.run.outputs.natPublicIps as string[]).map(
                    (ip) => `${ip}/32`,
                );
                assert.ok(
                    rule.inputs.cidrIpv4 === "0.0.0.0/0" ||
                        natAddresses.includes(rule.inputs.cidrIpv4),
                    `${rule.name}: a CIDR rule is only for the internet, client ranges or the NAT gateways' addresses (${rule.inputs.cidrIpv4})`,
                );
            }
        }
    });

    it("exports the web hosts' group, and the group that admits callers of gatewayUrl (the gateway host's, or its internal load balancer's)", () => {
        assert.strictEqual(ctx.run.outputs.webSecurityGroupId, named(ctx.run, SG, "sg-web").id);
        assert.strictEqual(
            ctx.run.outputs.gatewaySecurityGroupId,
            named(ctx.run, SG, tier === "single" ? "sg-gateway" : "sg-gatewayLb").id,
        );
    });

    if (tier === "single") {
        it("puts the hosts in the groups the matrix talks about", () => {
            const groups = Object.fromEntries(
                ofType(ctx.run, "aws:ec2/instance:Instance").map((i) => [
                    i.name,
                    groupsOf(ctx.run, i.inputs.vpcSecurityGroupIds),
                ]),
            );
            assert.deepStrictEqual(groups, {
                "compute-gateway-instance": ["gateway"],
                "compute-web-instance": ["web"],
            });
        });

        it("declares only the single tier's groups (no ALB, internal load balancer or Redis)", () => {
            assert.deepStrictEqual(
                ofType(ctx.run, SG)
                    .filter((g) => g.name.startsWith("sg-"))
                    .map((g) => g.name)
                    .sort(),
                ["sg-dbBootstrap", "sg-directoryPolicy", "sg-gateway", "sg-web"],
            );
        });
    } else {
        it("puts the fleets, the load balancers and Redis in the groups the matrix talks about", () => {
            const LB = "aws:lb/loadBalancer:LoadBalancer";
            const members = {
                "web hosts": named(
                    ctx.run,
                    "aws:ec2/launchTemplate:LaunchTemplate",
                    "compute-web-template",
                ).inputs.vpcSecurityGroupIds,
                "gateway hosts": named(
                    ctx.run,
                    "aws:ec2/launchTemplate:LaunchTemplate",
                    "compute-gateway-template",
                ).inputs.vpcSecurityGroupIds,
                ALB: named(ctx.run, LB, "edge-alb").inputs.securityGroups,
                "gateway's load balancer": named(ctx.run, LB, "compute-gateway-lb-lb").inputs
                    .securityGroups,
                Redis: named(
                    ctx.run,
                    "aws:elasticache/replicationGroup:ReplicationGroup",
                    "session-store-redis",
                ).inputs.securityGroupIds,
            };
            assert.deepStrictEqual(
                Object.fromEntries(
                    Object.entries(members).map(([what, ids]) => [what, groupsOf(ctx.run, ids)]),
                ),
                {
                    "web hosts": ["web"],
                    "gateway hosts": ["gateway"],
                    ALB: ["alb"],
                    "gateway's load balancer": ["gatewayLb"],
                    Redis: ["redis"],
                },
            );
            assert.deepStrictEqual(ofType(ctx.run, "aws:ec2/instance:Instance"), []);
        });
    }
});

describe("security groups: configuration changes", () => {
    it("opens SSH only from the configured ranges when a key pair is set", async () => {
        const run = await runProgram({
            stack: "dev",
            overrides: {
                sshKeyName: "ops",
                sshCidrs: ["198.51.100.0/24"],
                allowedCidrs: ["203.0.113.0/24"],
            },
        });
        assert.ifError(run.error);
        const rules = describeRules(run);
        assert.ok(rules.includes("web in tcp 22 from 198.51.100.0/24"));
        assert.ok(rules.includes("web in tcp 443 from 203.0.113.0/24"));
        assert.ok(
            !rules.some((r) => r.includes("0.0.0.0/0") && r.includes(" in ")),
            "no ingress from the world once clients are narrowed",
        );
        const web = ofType(run, "aws:ec2/instance:Instance").find(
            (i) => i.name === "compute-web-instance",
        )!;
        assert.strictEqual(web.inputs.keyName, "ops");
    });

    it("has no key pair and no port 22 by default, in either tier", async () => {
        for (const stack of ["dev", "prod"]) {
            const run = await runStack(stack);
            assert.ok(!describeRules(run).some((r) => r.includes(" 22 ")), stack);
            const hosts = [
                ...ofType(run, "aws:ec2/instance:Instance"),
                ...ofType(run, "aws:ec2/launchTemplate:LaunchTemplate"),
            ];
            assert.strictEqual(hosts.length, 2, `${stack}: two hosts or two fleets`);
            for (const host of hosts) {
                assert.strictEqual(host.inputs.keyName, undefined, `${stack}: ${host.name}`);
            }
        }
    });

    it("loadBalanced with narrowed client ranges: the ALB alone takes them, nothing is open to the world", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"] },
        });
        assert.ifError(run.error);
        const ingressFromCidrs = describeRules(run).filter((r) => / in .* from \d/.test(r));
        // The NAT gateways' own addresses stay admitted on 443: the web hosts' health probe comes
        // from them, so narrowing the client ranges does not set off the health alarm.
        const nats = (run.outputs.natPublicIps as string[]).map(
            (ip) => `alb in tcp 443 from ${ip}/32`,
        );
        assert.strictEqual(nats.length, 2, "one NAT gateway per AZ in prod");
        assert.deepStrictEqual(
            ingressFromCidrs,
            [
                "alb in tcp 443 from 198.51.100.0/24",
                "alb in tcp 443 from 203.0.113.0/24",
                ...nats,
                "alb in tcp 80 from 198.51.100.0/24",
                "alb in tcp 80 from 203.0.113.0/24",
            ].sort(),
        );
    });

    it("names rules from their content, so reordering the config replaces nothing", () => {
        const keys = (cidrs: string[]) =>
            trafficMatrix({ allowedCidrs: cidrs, sshCidrs: [], gatewayPort: 8000 })
                .map(ruleKey)
                .sort();
        assert.deepStrictEqual(
            keys(["10.0.0.0/8", "192.168.0.0/16"]),
            keys(["192.168.0.0/16", "10.0.0.0/8"]),
        );
        assert.ok(keys(["10.0.0.0/8"]).includes("web-in-tcp443-10-0-0-0-8"));
    });
});
