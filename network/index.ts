import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy } from "../lib/trust";
import { NatGatewayMode } from "./natGateways";

export interface NetworkArgs {
    /** Prefix for the `Name` tags and log group names, e.g. "ai-portal-dev". */
    readonly namePrefix: string;
    /** The VPC's IPv4 block, e.g. "10.0.0.0/16". */
    readonly vpcCidr: string;
    /** One public subnet per Availability Zone, in AZ order. */
    readonly publicSubnetCidrs: readonly string[];
    /** One private subnet per Availability Zone, in AZ order; as many as public ones. */
    readonly privateSubnetCidrs: readonly string[];
    /** `single` NAT gateway in the first AZ, or `onePerAz` so each AZ keeps its own egress. */
    readonly natGateways: NatGatewayMode;
    /** Retention of the VPC flow log group, in days (a CloudWatch Logs retention value). */
    readonly flowLogRetentionDays: number;
    /**
     * The stack's data key (security/dataKey.ts): the flow log group's; defaults to CloudWatch Logs' own encryption.
     */
    readonly encryptionKeyArn?: pulumi.Input<string>;
}

/**
 * The portal's VPC: public and private subnets over the region's first Availability Zones, an
 * internet gateway, NAT gateway(s) with Elastic IPs, route tables, a flow log to CloudWatch Logs
 * and the VPC's default security group emptied so nothing can use it by accident.
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly vpcCidr: pulumi.Output<string>;
    /** Availability Zone names used, in subnet order. */
    public readonly availabilityZones: pulumi.Output<string[]>;
    /** Public subnet ids in AZ order. */
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Private subnet ids in AZ order. */
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Public addresses the private subnets' traffic leaves from (allow-list these at third parties). */
    public readonly natPublicIps: pulumi.Output<string[]>;
    /**
     * What traffic from the private subnets to the internet waits for: their default routes
     * (through the NAT gateways) and route table associations. Something that must reach AWS APIs
     * from a private subnet as soon as it exists depends on these.
     */
    public readonly privateEgress: pulumi.Resource[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:network:Network", name, {}, opts);
        const parent = { parent: this };
        const azCount = args.publicSubnetCidrs.length;
        const nameTag = (suffix: string) => ({ Name: `${args.namePrefix}-${suffix}` });

        // Sorted by name and not filtered on state: a zone that is briefly impaired must not shift
        // the subnets to other zones, which would replace them and everything inside.
        const zones = aws
            .getAvailabilityZonesOutput(
                { filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
                parent,
            )
            .names.apply((names) => {
                const sorted = [...names].sort();
                if (sorted.length < azCount) {
                    throw new Error(
                        `${args.namePrefix}: ${azCount} Availability Zones are needed but the region has ${sorted.length}`,
                    );
                }
                return sorted.slice(0, azCount);
            });
        const zone = (i: number) => zones.apply((z) => z[i]);

        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: args.vpcCidr,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags: nameTag("vpc"),
            },
            parent,
        );

        // Adopting the default security group removes all its rules; declaring none keeps it empty.
        new aws.ec2.DefaultSecurityGroup(
            `${name}-default-sg`,
            { vpcId: vpc.id, tags: nameTag("default-do-not-use") },
            parent,
        );

        const internetGateway = new aws.ec2.InternetGateway(
            `${name}-igw`,
            { vpcId: vpc.id, tags: nameTag("igw") },
            parent,
        );

        const publicSubnets = args.publicSubnetCidrs.map(
            (cidr, i) =>
                new aws.ec2.Subnet(
                    `${name}-public-az${i + 1}`,
                    {
                        vpcId: vpc.id,
                        cidrBlock: cidr,
                        availabilityZone: zone(i),
                        // Only the web host gets a public address, and it gets an Elastic IP explicitly.
                        mapPublicIpOnLaunch: false,
                        tags: nameTag(`public-az${i + 1}`),
                    },
                    parent,
                ),
        );
        const privateSubnets = args.privateSubnetCidrs.map(
            (cidr, i) =>
                new aws.ec2.Subnet(
                    `${name}-private-az${i + 1}`,
                    {
                        vpcId: vpc.id,
                        cidrBlock: cidr,
                        availabilityZone: zone(i),
                        mapPublicIpOnLaunch: false,
                        tags: nameTag(`private-az${i + 1}`),
                    },
                    parent,
                ),
        );

        const publicRouteTable = new aws.ec2.RouteTable(
            `${name}-public-rt`,
            { vpcId: vpc.id, tags: nameTag("public") },
            parent,
        );
        new aws.ec2.Route(
            `${name}-public-default-route`,
            {
                routeTableId: publicRouteTable.id,
                destinationCidrBlock: "0.0.0.0/0",
                gatewayId: internetGateway.id,
            },
            parent,
        );
        publicSubnets.forEach(
            (subnet, i) =>
                new aws.ec2.RouteTableAssociation(
                    `${name}-public-az${i + 1}-rta`,
                    { subnetId: subnet.id, routeTableId: publicRouteTable.id },
                    parent,
                ),
        );

        const natCount = args.natGateways === "onePerAz" ? azCount : 1;
        const natGateways = publicSubnets.slice(0, natCount).map((subnet, i) => {
            const eip = new aws.ec2.Eip(
                `${name}-nat-az${i + 1}-eip`,
                { domain: "vpc", tags: nameTag(`nat-az${i + 1}`) },
                parent,
            );
            return {
                eip,
                gateway: new aws.ec2.NatGateway(
                    `${name}-nat-az${i + 1}`,
                    {
                        allocationId: eip.id,
                        subnetId: subnet.id,
                        connectivityType: "public",
                        tags: nameTag(`nat-az${i + 1}`),
                    },
                    // A NAT gateway only forwards once the VPC has a working internet gateway.
                    { parent: this, dependsOn: [internetGateway] },
                ),
            };
        });

        this.privateEgress = privateSubnets.flatMap((subnet, i) => {
            const routeTable = new aws.ec2.RouteTable(
                `${name}-private-az${i + 1}-rt`,
                { vpcId: vpc.id, tags: nameTag(`private-az${i + 1}`) },
                parent,
            );
            // Each AZ leaves through its own NAT when there is one per AZ, so one AZ's outage stays local.
            const nat = natGateways[args.natGateways === "onePerAz" ? i : 0].gateway;
            return [
                new aws.ec2.Route(
                    `${name}-private-az${i + 1}-default-route`,
                    {
                        routeTableId: routeTable.id,
                        destinationCidrBlock: "0.0.0.0/0",
                        natGatewayId: nat.id,
                    },
                    parent,
                ),
                new aws.ec2.RouteTableAssociation(
                    `${name}-private-az${i + 1}-rta`,
                    { subnetId: subnet.id, routeTableId: routeTable.id },
                    parent,
                ),
            ];
        });

        this.createFlowLog(name, args, vpc);

        this.vpcId = vpc.id;
        this.vpcCidr = vpc.cidrBlock;
        this.availabilityZones = zones;
        this.publicSubnetIds = pulumi.all(publicSubnets.map((s) => s.id));
        this.privateSubnetIds = pulumi.all(privateSubnets.map((s) => s.id));
        this.natPublicIps = pulumi.all(natGateways.map((n) => n.eip.publicIp));
        this.registerOutputs({
            vpcId: this.vpcId,
            vpcCidr: this.vpcCidr,
            availabilityZones: this.availabilityZones,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            natPublicIps: this.natPublicIps,
        });
    }

    /** All traffic of the VPC to a CloudWatch log group, written by a role that can do nothing else. */
    private createFlowLog(name: string, args: NetworkArgs, vpc: aws.ec2.Vpc): void {
        const parent = { parent: this };
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            {
                name: `/${args.namePrefix}/vpc-flow-logs`,
                retentionInDays: args.flowLogRetentionDays,
                kmsKeyId: args.encryptionKeyArn,
                tags: { Name: `${args.namePrefix}-vpc-flow-logs` },
            },
            parent,
        );
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const region = aws.getRegionOutput({}, parent);
        const role = new aws.iam.Role(
            `${name}-flow-logs-role`,
            {
                description: `Writes the VPC flow log of ${args.namePrefix} to CloudWatch Logs`,
                tags: { Name: `${args.namePrefix}-vpc-flow-logs` },
                // Confused-deputy guard: only flow logs of this account and region may assume it
                // (the flow log's ARN, id wildcarded, as the VPC guide's flow-logs IAM role page says).
                assumeRolePolicy: serviceTrustPolicy(
                    "vpc-flow-logs.amazonaws.com",
                    identity.accountId,
                    pulumi.interpolate`arn:${partition.partition}:ec2:${region.region}:${identity.accountId}:vpc-flow-log/*`,
                ),
            },
            parent,
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs-write`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    // AWS's documented minimum for flow logs (VPC user guide, "IAM role for publishing
                    // flow logs to CloudWatch Logs"), scoped to this log group where the action allows.
                    Statement: [
                        {
                            Sid: "WriteTheFlowLog",
                            Effect: "Allow",
                            Action: [
                                "logs:CreateLogGroup",
                                "logs:CreateLogStream",
                                "logs:PutLogEvents",
                                "logs:DescribeLogStreams",
                            ],
                            Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
                        },
                        {
                            // Lists log groups: it takes no single-group resource.
                            Sid: "FindTheLogGroup",
                            Effect: "Allow",
                            Action: ["logs:DescribeLogGroups"],
                            Resource: [
                                pulumi.interpolate`arn:${partition.partition}:logs:${region.region}:${identity.accountId}:log-group:*`,
                            ],
                        },
                    ],
                }),
            },
            parent,
        );
        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 600,
                tags: { Name: `${args.namePrefix}-flow-log` },
            },
            parent,
        );
    }
}
