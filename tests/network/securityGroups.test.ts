/**
 * The traffic matrix: every security group rule declared, compared with the table the portal is
 * meant to have, so a rule that appears, disappears or widens fails here.
 */
import * as assert from "assert";
import { ruleKey, trafficMatrix } from "../../network/trafficMatrix";
import { byId, ofType } from "../harness/query";
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

const EXPECTED_RULES = [
    "database in tcp 5432 from dbBootstrap",
    "database in tcp 5432 from web",
    "dbBootstrap out tcp 443 to 0.0.0.0/0",
    "dbBootstrap out tcp 5432 to database",
    "gateway in tcp 8000 from web",
    "gateway out tcp 443 to 0.0.0.0/0",
    "web in tcp 443 from 0.0.0.0/0",
    "web in tcp 80 from 0.0.0.0/0",
    "web out tcp 389 to directory",
    "web out tcp 443 to 0.0.0.0/0",
    "web out tcp 53 to directory",
    "web out tcp 5432 to database",
    "web out tcp 8000 to gateway",
    "web out udp 53 to directory",
];

forEachStack("security groups", (ctx) => {
    it("declares exactly the traffic matrix, nothing more", () => {
        assert.deepStrictEqual(describeRules(ctx.run), EXPECTED_RULES);
    });

    it("opens nothing to the world but 80/443 on the web host", () => {
        const open = ofType(ctx.run, INGRESS).filter(
            (r) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0",
        );
        assert.deepStrictEqual(
            open
                .map((r) => [groupName(ctx.run, r.inputs.securityGroupId), r.inputs.fromPort])
                .sort(),
            [
                ["web", 443],
                ["web", 80],
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
                assert.strictEqual(
                    rule.inputs.cidrIpv4,
                    "0.0.0.0/0",
                    `${rule.name}: a CIDR rule is only for the internet or client ranges`,
                );
            }
        }
    });

    it("puts the hosts in the groups the matrix talks about", () => {
        const instances = ofType(ctx.run, "aws:ec2/instance:Instance");
        const groups = Object.fromEntries(
            instances.map((i) => [
                i.name,
                i.inputs.vpcSecurityGroupIds.map((id: string) => groupName(ctx.run, id)),
            ]),
        );
        assert.deepStrictEqual(groups, {
            "compute-gateway-instance": ["gateway"],
            "compute-web-instance": ["web"],
        });
        assert.strictEqual(
            ctx.run.outputs.webSecurityGroupId,
            ofType(ctx.run, SG).find((g) => g.name === "sg-web")!.id,
        );
        assert.strictEqual(
            ctx.run.outputs.gatewaySecurityGroupId,
            ofType(ctx.run, SG).find((g) => g.name === "sg-gateway")!.id,
        );
    });
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

    it("has no key pair and no port 22 by default", async () => {
        const run = await runStack("prod");
        assert.ok(!describeRules(run).some((r) => r.includes(" 22 ")));
        for (const instance of ofType(run, "aws:ec2/instance:Instance")) {
            assert.strictEqual(instance.inputs.keyName, undefined);
        }
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
