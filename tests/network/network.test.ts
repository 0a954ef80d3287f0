/**
 * The network each committed stack declares, read from the program run under mocks.
 */
import * as assert from "assert";
import { byId, named, ofType, parseJson } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import { ProgramRun, runProgram, runStack } from "../../offline/run";

const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    igw: "aws:ec2/internetGateway:InternetGateway",
    nat: "aws:ec2/natGateway:NatGateway",
    eip: "aws:ec2/eip:Eip",
    routeTable: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    flowLog: "aws:ec2/flowLog:FlowLog",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
};

function subnetsByTier(run: ProgramRun, tier: "public" | "private") {
    return ofType(run, T.subnet)
        .filter((s) => s.name.startsWith(`network-${tier}-`))
        .sort((a, b) => a.name.localeCompare(b.name));
}

/** The route table a subnet is associated with. */
function routeTableOf(run: ProgramRun, subnetId: string) {
    const associations = ofType(run, T.association).filter((a) => a.inputs.subnetId === subnetId);
    assert.strictEqual(
        associations.length,
        1,
        `subnet ${subnetId} should have one route table association`,
    );
    return byId(run, T.routeTable, associations[0].inputs.routeTableId);
}

function defaultRouteOf(run: ProgramRun, routeTableId: string) {
    const routes = ofType(run, T.route).filter(
        (r) =>
            r.inputs.routeTableId === routeTableId && r.inputs.destinationCidrBlock === "0.0.0.0/0",
    );
    assert.strictEqual(
        routes.length,
        1,
        `route table ${routeTableId} should have one default route`,
    );
    return routes[0];
}

const expectations = {
    dev: { natCount: 1, retention: 30 },
    prod: { natCount: 2, retention: 365 },
};

forEachStack("network", (ctx) => {
    const { stack } = ctx;
    const expected = expectations[stack];

    it("declares one VPC with the configured CIDR and DNS hostnames on", () => {
        const vpcs = ofType(ctx.run, T.vpc);
        assert.strictEqual(vpcs.length, 1);
        assert.strictEqual(vpcs[0].inputs.cidrBlock, "10.0.0.0/16");
        assert.strictEqual(vpcs[0].inputs.enableDnsHostnames, true);
        assert.strictEqual(vpcs[0].inputs.enableDnsSupport, true);
    });

    it("places public and private subnets in two AZs, in AZ order, without auto-assigned public IPs", () => {
        const layout = [
            ...subnetsByTier(ctx.run, "public"),
            ...subnetsByTier(ctx.run, "private"),
        ].map((s) => [s.inputs.cidrBlock, s.inputs.availabilityZone, s.inputs.mapPublicIpOnLaunch]);
        assert.deepStrictEqual(layout, [
            ["10.0.0.0/24", "eu-west-2a", false],
            ["10.0.1.0/24", "eu-west-2b", false],
            ["10.0.10.0/24", "eu-west-2a", false],
            ["10.0.11.0/24", "eu-west-2b", false],
        ]);
    });

    it(`declares ${expected.natCount} NAT gateway(s), each with its own Elastic IP in a public subnet of its own AZ`, () => {
        const nats = ofType(ctx.run, T.nat);
        assert.strictEqual(nats.length, expected.natCount);
        assert.strictEqual(
            ofType(ctx.run, T.eip).filter((e) => e.name.startsWith("network-")).length,
            expected.natCount,
        );
        const publicSubnets = subnetsByTier(ctx.run, "public");
        nats.forEach((nat, i) => {
            assert.strictEqual(byId(ctx.run, T.eip, nat.inputs.allocationId).inputs.domain, "vpc");
            assert.strictEqual(
                nat.inputs.subnetId,
                publicSubnets[i].id,
                `NAT ${i + 1} sits in public subnet ${i + 1}`,
            );
        });
        assert.strictEqual(
            new Set(nats.map((n) => n.inputs.allocationId)).size,
            nats.length,
            "no Elastic IP is shared",
        );
    });

    it("routes each public subnet to the internet gateway", () => {
        const igw = ofType(ctx.run, T.igw);
        assert.strictEqual(igw.length, 1);
        for (const subnet of subnetsByTier(ctx.run, "public")) {
            const route = defaultRouteOf(ctx.run, routeTableOf(ctx.run, subnet.id).id);
            assert.strictEqual(route.inputs.gatewayId, igw[0].id);
            assert.strictEqual(route.inputs.natGatewayId, undefined);
        }
    });

    it(
        expected.natCount === 1
            ? "routes every private subnet through the single NAT gateway"
            : "routes every private subnet through the NAT gateway in its own AZ",
        () => {
            const privateSubnets = subnetsByTier(ctx.run, "private");
            const tables = new Set<string>();
            for (const subnet of privateSubnets) {
                const table = routeTableOf(ctx.run, subnet.id);
                tables.add(table.id);
                const route = defaultRouteOf(ctx.run, table.id);
                assert.strictEqual(
                    route.inputs.gatewayId,
                    undefined,
                    "a private subnet has no route to the internet gateway",
                );
                const nat = byId(ctx.run, T.nat, route.inputs.natGatewayId);
                const natSubnet = byId(ctx.run, T.subnet, nat.inputs.subnetId);
                if (expected.natCount > 1) {
                    assert.strictEqual(
                        natSubnet.inputs.availabilityZone,
                        subnet.inputs.availabilityZone,
                        `${subnet.name} leaves through a NAT in its own AZ`,
                    );
                } else {
                    assert.strictEqual(nat.name, "network-nat-az1");
                }
            }
            assert.strictEqual(
                tables.size,
                privateSubnets.length,
                "each private subnet has its own route table",
            );
        },
    );

    it(`logs all VPC traffic to a log group kept ${expected.retention} days`, () => {
        const flowLog = named(ctx.run, T.flowLog, "network-flow-log");
        const vpc = ofType(ctx.run, T.vpc)[0];
        const logGroup = ofType(ctx.run, T.logGroup).find((g) => g.name === "network-flow-logs")!;
        assert.strictEqual(flowLog.inputs.vpcId, vpc.id);
        assert.strictEqual(flowLog.inputs.trafficType, "ALL");
        assert.strictEqual(flowLog.inputs.logDestinationType, "cloud-watch-logs");
        assert.ok(
            flowLog.dependencies.includes(logGroup.urn),
            "the flow log writes to the declared log group",
        );
        assert.strictEqual(logGroup.inputs.retentionInDays, expected.retention);
        assert.strictEqual(logGroup.inputs.name, `/ai-portal-${stack}/vpc-flow-logs`);
    });

    it("gives the flow log a role only VPC flow logs of this account can assume, with AWS's documented permissions scoped to its log group", () => {
        const role = named(ctx.run, T.role, "network-flow-logs-role");
        const trust = parseJson(role.inputs.assumeRolePolicy);
        assert.deepStrictEqual(
            trust.Statement.map((s: any) => [s.Effect, s.Principal.Service, s.Action]),
            [["Allow", "vpc-flow-logs.amazonaws.com", "sts:AssumeRole"]],
        );
        assert.strictEqual(
            trust.Statement[0].Condition.StringEquals["aws:SourceAccount"],
            "123456789012",
        );
        assert.strictEqual(
            trust.Statement[0].Condition.ArnLike["aws:SourceArn"],
            "arn:aws:ec2:eu-west-2:123456789012:vpc-flow-log/*",
        );

        const policies = ofType(ctx.run, T.rolePolicy).filter((p) => p.inputs.role === role.id);
        assert.strictEqual(policies.length, 1);
        const statements = parseJson(policies[0].inputs.policy).Statement;
        const logGroupArn = `arn:aws:logs:eu-west-2:123456789012:log-group:/ai-portal-${stack}/vpc-flow-logs`;
        assert.deepStrictEqual(statements, [
            {
                Sid: "WriteTheFlowLog",
                Effect: "Allow",
                Action: [
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogStreams",
                ],
                Resource: [logGroupArn, `${logGroupArn}:*`],
            },
            {
                Sid: "FindTheLogGroup",
                Effect: "Allow",
                Action: ["logs:DescribeLogGroups"],
                Resource: ["arn:aws:logs:eu-west-2:123456789012:log-group:*"],
            },
        ]);
        // The VPC user guide's minimum for publishing flow logs to CloudWatch Logs, all of it.
        const granted = statements.flatMap((s: any) => s.Action).sort();
        assert.deepStrictEqual(granted, [
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:DescribeLogGroups",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
        ]);
        const flowLog = named(ctx.run, T.flowLog, "network-flow-log");
        assert.strictEqual(
            flowLog.inputs.iamRoleArn,
            `arn:aws:iam::123456789012:role/network-flow-logs-role`,
        );
    });

    it("adopts the default security group with no rules at all", () => {
        const sgs = ofType(ctx.run, T.defaultSg);
        assert.strictEqual(sgs.length, 1);
        assert.strictEqual(sgs[0].inputs.vpcId, ofType(ctx.run, T.vpc)[0].id);
        assert.strictEqual(sgs[0].inputs.ingress, undefined);
        assert.strictEqual(sgs[0].inputs.egress, undefined);
    });

    it("parents every network resource to the Network component", () => {
        const component = named(ctx.run, "aiportal:network:Network", "network");
        const children = ctx.run.resources.filter(
            (r) => r.type.startsWith("aws:") && r.name.startsWith("network-"),
        );
        assert.ok(children.length > 20);
        for (const child of children) {
            assert.strictEqual(
                child.parent,
                component.urn,
                `${child.name} is a child of the network component`,
            );
        }
    });

    it("exports the network outputs in AZ order", () => {
        assert.strictEqual(ctx.run.outputs.vpcId, ofType(ctx.run, T.vpc)[0].id);
        assert.strictEqual(ctx.run.outputs.vpcCidr, "10.0.0.0/16");
        assert.deepStrictEqual(ctx.run.outputs.availabilityZones, ["eu-west-2a", "eu-west-2b"]);
        assert.deepStrictEqual(
            ctx.run.outputs.publicSubnetIds,
            subnetsByTier(ctx.run, "public").map((s) => s.id),
        );
        assert.deepStrictEqual(
            ctx.run.outputs.privateSubnetIds,
            subnetsByTier(ctx.run, "private").map((s) => s.id),
        );
        assert.strictEqual((ctx.run.outputs.natPublicIps as string[]).length, expected.natCount);
    });
});

describe("network: stacks differ exactly as configured", () => {
    it("dev and prod differ in NAT count and flow log retention, and nothing else in the network's shape", async () => {
        const [dev, prod] = [await runStack("dev"), await runStack("prod")];
        const shape = (run: ProgramRun) =>
            run.resources
                .filter((r) => r.name.startsWith("network"))
                .map((r) => `${r.type} ${r.name}`)
                .sort();
        const onlyProd = shape(prod).filter((x) => !shape(dev).includes(x));
        const onlyDev = shape(dev).filter((x) => !shape(prod).includes(x));
        assert.deepStrictEqual(onlyDev, []);
        assert.deepStrictEqual(onlyProd, [
            "aws:ec2/eip:Eip network-nat-az2-eip",
            "aws:ec2/natGateway:NatGateway network-nat-az2",
        ]);
    });
});

describe("network: Availability Zones", () => {
    it("uses the region's zones in name order, whatever order the API returns them in", async () => {
        const run = await runProgram(
            { stack: "prod" },
            {
                mocks: {
                    zones: [
                        { name: "eu-west-2c", zoneId: "euw2-az1" },
                        { name: "eu-west-2b", zoneId: "euw2-az3" },
                        { name: "eu-west-2a", zoneId: "euw2-az2" },
                    ],
                },
            },
        );
        assert.ifError(run.error);
        assert.deepStrictEqual(run.outputs.availabilityZones, ["eu-west-2a", "eu-west-2b"]);
        assert.strictEqual(
            named(run, T.subnet, "network-private-az1").inputs.availabilityZone,
            "eu-west-2a",
        );
    });

    it("spreads over three zones when three subnets of each kind are configured", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: {
                publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
                privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"],
            },
        });
        assert.ifError(run.error);
        assert.deepStrictEqual(run.outputs.availabilityZones, [
            "eu-west-2a",
            "eu-west-2b",
            "eu-west-2c",
        ]);
        assert.strictEqual(ofType(run, T.nat).length, 3);
    });
});
