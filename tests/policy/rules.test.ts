/**
 * Each rule of the policy pack at its edges: for every branch, a resource declared the way a
 * program would declare it that the rule must report (with the exact message a user reads) and
 * one it must let through. pack.test.ts shows each policy catching the obvious case; this file
 * pins down what exactly each one looks at, so a rule that quietly widens or narrows is caught.
 */
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { objections } from "../harness/policy";

/** A resource of another provider (CustomResource is abstract in the SDK's types). */
class ForeignResource extends pulumi.CustomResource {
    constructor(type: string, name: string, props: pulumi.Inputs) {
        super(type, name, props);
    }
}

const SUBNET = "subnet-0123456789abcdef0";
const SUBNET_B = "subnet-0fedcba9876543210";
const VPC = "vpc-0123456789abcdef0";
const ACCOUNT = "123456789012";
const CERTIFICATE = `arn:aws:acm:eu-west-2:${ACCOUNT}:certificate/01234567-89ab-cdef-0123-456789abcdef`;
const PASTED_KEY = `arn:aws:kms:eu-west-2:${ACCOUNT}:key/01234567-89ab-cdef-0123-456789abcdef`;
const AMI = "ami-0123456789abcdef0";
const document = (statements: object[]) =>
    JSON.stringify({ Version: "2012-10-17", Statement: statements });
const TRUST_LAMBDA = document([
    { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
]);

const instance = (overrides: Partial<aws.ec2.InstanceArgs> = {}): aws.ec2.InstanceArgs => ({
    ami: AMI,
    instanceType: "t3.small",
    subnetId: SUBNET,
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 },
    rootBlockDevice: { encrypted: true, volumeType: "gp3" },
    ...overrides,
});

const database = (overrides: Partial<aws.rds.InstanceArgs> = {}): aws.rds.InstanceArgs => ({
    engine: "postgres",
    instanceClass: "db.t3.medium",
    allocatedStorage: 20,
    username: "portal",
    manageMasterUserPassword: true,
    storageEncrypted: true,
    backupRetentionPeriod: 7,
    enabledCloudwatchLogsExports: ["postgresql"],
    skipFinalSnapshot: true,
    ...overrides,
});

/** The single tier's designated web host: a Host component's instance, as the program names it. */
function entryPoint(
    opts: pulumi.CustomResourceOptions,
    overrides: Partial<aws.ec2.InstanceArgs> = {},
): aws.ec2.Instance {
    const host = new pulumi.ComponentResource("aiportal:compute:Host", "compute-web");
    return new aws.ec2.Instance("compute-web-instance", instance(overrides), {
        ...opts,
        parent: host,
    });
}

const worldHttps = (securityGroupId: pulumi.Input<string>) => ({
    securityGroupId,
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    cidrIpv4: "0.0.0.0/0",
});

interface Case {
    readonly what: string;
    readonly build: (opts: pulumi.CustomResourceOptions) => void;
    readonly stack?: string;
    readonly tags?: boolean;
    /** Exactly what the pack says, as "policy: resource: message" (in any order). */
    readonly expected: string[];
}

const CASES: Case[] = [
    // --- network: world-ingress-web-ports-only ---
    {
        what: "world ingress: only the world-open ranges are named, port ranges, UDP on 443, protocol all, TCP 80-443 as one range",
        build: (opts) => {
            const group = new aws.ec2.SecurityGroup(
                "mixed",
                {
                    vpcId: VPC,
                    ingress: [
                        {
                            protocol: "tcp",
                            fromPort: 3389,
                            toPort: 3389,
                            cidrBlocks: ["10.0.0.0/8", "0.0.0.0/0"],
                            ipv6CidrBlocks: ["::/0"],
                        },
                    ],
                },
                opts,
            );
            new aws.ec2.SecurityGroupRule(
                "range",
                {
                    type: "ingress",
                    securityGroupId: group.id,
                    protocol: "tcp",
                    fromPort: 8000,
                    toPort: 8100,
                    cidrBlocks: ["0.0.0.0/0"],
                },
                opts,
            );
            new aws.ec2.SecurityGroupRule(
                "all-named",
                {
                    type: "ingress",
                    securityGroupId: group.id,
                    protocol: "all",
                    fromPort: 0,
                    toPort: 0,
                    ipv6CidrBlocks: ["::/0"],
                },
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule(
                "quic",
                { ...worldHttps(group.id), ipProtocol: "udp" },
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule(
                "web-range",
                { ...worldHttps(group.id), fromPort: 80 },
                opts,
            );
        },
        expected: [
            "world-ingress-only-at-the-entry-point: all-named: opens mixed to the internet, which is not the web entry point's",
            "world-ingress-only-at-the-entry-point: mixed: an inline rule opens it to the internet, and it is not the web entry point's",
            "world-ingress-only-at-the-entry-point: quic: opens mixed to the internet, which is not the web entry point's",
            "world-ingress-only-at-the-entry-point: range: opens mixed to the internet, which is not the web entry point's",
            "world-ingress-only-at-the-entry-point: web-range: opens mixed to the internet, which is not the web entry point's",
            "world-ingress-web-ports-only: all-named: every port from ::/0 is open to the internet; only 80 and 443 may be",
            "world-ingress-web-ports-only: mixed: port 3389 from 0.0.0.0/0, ::/0 is open to the internet; only 80 and 443 may be",
            "world-ingress-web-ports-only: quic: port 443 from 0.0.0.0/0 is open to the internet; only 80 and 443 may be",
            "world-ingress-web-ports-only: range: ports 8000-8100 from 0.0.0.0/0 is open to the internet; only 80 and 443 may be",
            "world-ingress-web-ports-only: web-range: ports 80-443 from 0.0.0.0/0 is open to the internet; only 80 and 443 may be",
        ],
    },
    {
        what: "world ingress: egress rules, private ranges and broad-but-not-world IPv6 are no ingress from the internet",
        build: (opts) => {
            const group = new aws.ec2.SecurityGroup("egress-only", { vpcId: VPC }, opts);
            new aws.ec2.SecurityGroupRule(
                "out",
                {
                    type: "egress",
                    securityGroupId: group.id,
                    protocol: "-1",
                    fromPort: 0,
                    toPort: 0,
                    cidrBlocks: ["0.0.0.0/0"],
                },
                opts,
            );
            new aws.vpc.SecurityGroupEgressRule(
                "out-v6",
                { securityGroupId: group.id, ipProtocol: "-1", cidrIpv6: "::/0" },
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule(
                "v6-site",
                {
                    securityGroupId: group.id,
                    ipProtocol: "tcp",
                    fromPort: 22,
                    toPort: 22,
                    cidrIpv6: "2001:db8::/16",
                },
                opts,
            );
        },
        expected: [],
    },
    // --- network: world-ingress-only-at-the-entry-point ---
    {
        what: "world ingress off the entry point: another instance's group, an internal load balancer's group, a group the stack does not declare, a rule computed from two groups",
        build: (opts) => {
            const entryGroup = new aws.ec2.SecurityGroup("entry", { vpcId: VPC }, opts);
            entryPoint(opts, { vpcSecurityGroupIds: [entryGroup.id] });
            const workerGroup = new aws.ec2.SecurityGroup("worker", { vpcId: VPC }, opts);
            new aws.ec2.Instance(
                "worker",
                instance({ vpcSecurityGroupIds: [workerGroup.id] }),
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule("worker-https", worldHttps(workerGroup.id), opts);
            const internalGroup = new aws.ec2.SecurityGroup("internal-lb", { vpcId: VPC }, opts);
            new aws.lb.LoadBalancer(
                "internal",
                {
                    loadBalancerType: "application",
                    internal: true,
                    subnets: [SUBNET, SUBNET_B],
                    securityGroups: [internalGroup.id],
                },
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule(
                "internal-https",
                worldHttps(internalGroup.id),
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule(
                "pasted-group",
                worldHttps("sg-0123456789abcdef0"),
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule(
                "either-group",
                worldHttps(pulumi.all([entryGroup.id, workerGroup.id]).apply(([id]) => id)),
                opts,
            );
        },
        expected: [
            "world-ingress-only-at-the-entry-point: either-group: opens entry, worker to the internet, which is not the web entry point's",
            "world-ingress-only-at-the-entry-point: internal-https: opens internal-lb to the internet, which is not the web entry point's",
            "world-ingress-only-at-the-entry-point: pasted-group: opens a group this stack does not declare to the internet, which is not the web entry point's",
            "world-ingress-only-at-the-entry-point: worker-https: opens worker to the internet, which is not the web entry point's",
        ],
    },
    {
        what: "world ingress on the designated web host's group passes, inline or as rules, 80 and 443",
        build: (opts) => {
            const entryGroup = new aws.ec2.SecurityGroup(
                "entry",
                {
                    vpcId: VPC,
                    ingress: [
                        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
                    ],
                },
                opts,
            );
            entryPoint(opts, { vpcSecurityGroupIds: [entryGroup.id] });
            new aws.vpc.SecurityGroupIngressRule(
                "entry-http",
                { ...worldHttps(entryGroup.id), fromPort: 80, toPort: 80 },
                opts,
            );
            new aws.ec2.SecurityGroupRule(
                "entry-https-v6",
                {
                    type: "ingress",
                    securityGroupId: entryGroup.id,
                    protocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    ipv6CidrBlocks: ["::/0"],
                },
                opts,
            );
        },
        expected: [],
    },
    // --- network: default security group, flow logs ---
    {
        what: "the default security group: inline ingress, and rules on it by its own id or the VPC's",
        build: (opts) => {
            const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.9.0.0/16" }, opts);
            new aws.ec2.FlowLog(
                "vpc-flow",
                { vpcId: vpc.id, trafficType: "ALL", logDestination: "arn:aws:s3:::flow" },
                opts,
            );
            const defaultGroup = new aws.ec2.DefaultSecurityGroup(
                "default",
                {
                    vpcId: vpc.id,
                    ingress: [
                        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
                    ],
                },
                opts,
            );
            new aws.vpc.SecurityGroupEgressRule(
                "out-of-default",
                { securityGroupId: defaultGroup.id, ipProtocol: "-1", cidrIpv4: "10.0.0.0/8" },
                opts,
            );
            new aws.ec2.SecurityGroupRule(
                "into-default",
                {
                    type: "ingress",
                    securityGroupId: vpc.defaultSecurityGroupId,
                    protocol: "tcp",
                    fromPort: 5432,
                    toPort: 5432,
                    cidrBlocks: ["10.0.0.0/8"],
                },
                opts,
            );
        },
        expected: [
            "default-security-group-closed: default: the default security group has rules",
            "default-security-group-closed: into-default: adds a rule to the default security group of vpc",
            "default-security-group-closed: out-of-default: adds a rule to the default security group of default",
        ],
    },
    {
        what: "an emptied default security group and a VPC whose flow log is its own pass; a subnet is not a flow log",
        build: (opts) => {
            const logged = new aws.ec2.Vpc("logged", { cidrBlock: "10.8.0.0/16" }, opts);
            new aws.ec2.FlowLog(
                "logged-flow",
                { vpcId: logged.id, trafficType: "ALL", logDestination: "arn:aws:s3:::flow" },
                opts,
            );
            new aws.ec2.DefaultSecurityGroup("emptied", { vpcId: logged.id }, opts);
            const unlogged = new aws.ec2.Vpc("unlogged", { cidrBlock: "10.9.0.0/16" }, opts);
            new aws.ec2.Subnet(
                "unlogged-a",
                { vpcId: unlogged.id, cidrBlock: "10.9.0.0/24" },
                opts,
            );
        },
        expected: ["vpc-flow-logs: unlogged: no flow log records its traffic"],
    },
    // --- instances ---
    {
        what: "instance metadata: no options at all means IMDSv1 (one hop); metadata switched off passes; 2 hops pass",
        build: (opts) => {
            new aws.ec2.Instance("defaults", instance({ metadataOptions: undefined }), opts);
            new aws.ec2.Instance(
                "no-metadata",
                instance({ metadataOptions: { httpEndpoint: "disabled", httpTokens: "optional" } }),
                opts,
            );
            new aws.ec2.LaunchTemplate(
                "two-hops",
                {
                    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 },
                    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }],
                },
                opts,
            );
        },
        expected: [
            'ec2-imdsv2-hop-limit: defaults: IMDSv2 is not required (metadataOptions.httpTokens must be "required")',
        ],
    },
    {
        what: "EBS: a root volume declared without encryption or not at all, one clear data volume among encrypted ones; ephemeral devices and encrypted volumes pass",
        build: (opts) => {
            new aws.ec2.Instance("no-root", instance({ rootBlockDevice: undefined }), opts);
            new aws.ec2.Instance(
                "clear-root",
                instance({ rootBlockDevice: { volumeType: "gp3" } }),
                opts,
            );
            new aws.ec2.Instance(
                "one-clear",
                instance({
                    ebsBlockDevices: [
                        { deviceName: "/dev/sdf", encrypted: true },
                        { deviceName: "/dev/sdg", encrypted: false },
                    ],
                }),
                opts,
            );
            new aws.ec2.LaunchTemplate(
                "with-scratch",
                {
                    metadataOptions: { httpTokens: "required" },
                    blockDeviceMappings: [
                        { deviceName: "/dev/xvda", ebs: { encrypted: "true" } },
                        { deviceName: "/dev/sdb", virtualName: "ephemeral0" },
                    ],
                },
                opts,
            );
            new aws.ebs.Volume(
                "sealed",
                { availabilityZone: "eu-west-2a", size: 10, encrypted: true },
                opts,
            );
        },
        expected: [
            "ebs-encrypted: clear-root: the root volume is not encrypted (rootBlockDevice.encrypted must be true)",
            "ebs-encrypted: no-root: the root volume is not encrypted (rootBlockDevice.encrypted must be true)",
            "ebs-encrypted: one-clear: volume /dev/sdg is not encrypted",
        ],
    },
    {
        what: "public addresses: opting out in a mapping subnet, a NAT gateway and its address, a template's private interfaces pass; Elastic IPs on an interface or on something undeclared do not",
        build: (opts) => {
            const subnet = new aws.ec2.Subnet(
                "public",
                { vpcId: VPC, cidrBlock: "10.9.0.0/24", mapPublicIpOnLaunch: true },
                opts,
            );
            new aws.ec2.Instance(
                "opted-out",
                instance({ subnetId: subnet.id, associatePublicIpAddress: false }),
                opts,
            );
            const natAddress = new aws.ec2.Eip("nat", { domain: "vpc" }, opts);
            new aws.ec2.NatGateway(
                "nat",
                { subnetId: subnet.id, allocationId: natAddress.allocationId },
                opts,
            );
            new aws.ec2.LaunchTemplate(
                "private-fleet",
                {
                    metadataOptions: { httpTokens: "required" },
                    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }],
                    networkInterfaces: [{ associatePublicIpAddress: "false" }],
                },
                opts,
            );
            const nic = new aws.ec2.NetworkInterface("nic", { subnetId: SUBNET }, opts);
            new aws.ec2.Eip("nic-ip", { domain: "vpc", networkInterface: nic.id }, opts);
            const address = new aws.ec2.Eip("spare", { domain: "vpc" }, opts);
            new aws.ec2.EipAssociation(
                "nic-association",
                { allocationId: address.allocationId, networkInterfaceId: nic.id },
                opts,
            );
            new aws.ec2.EipAssociation(
                "pasted-instance",
                { allocationId: address.allocationId, instanceId: "i-0123456789abcdef0" },
                opts,
            );
        },
        expected: [
            "public-address-only-on-the-web-entry-point: nic-association: attaches an Elastic IP (networkInterfaceId) to nic, which is not the designated web entry point",
            "public-address-only-on-the-web-entry-point: nic-ip: attaches an Elastic IP (networkInterface) to nic, which is not the designated web entry point",
            "public-address-only-on-the-web-entry-point: pasted-instance: attaches an Elastic IP (instanceId) to something this stack does not declare, which is not the designated web entry point",
        ],
    },
    {
        what: "public addresses on the designated web host pass in the single shape: asked for, and an Elastic IP",
        build: (opts) => {
            const web = entryPoint(opts, { associatePublicIpAddress: true });
            new aws.ec2.Eip("web-ip", { domain: "vpc", instance: web.id }, opts);
        },
        expected: [],
    },
    // --- the database ---
    {
        what: "databases: 6 days of backups, none declared; a MySQL database exporting nothing; TLS off or another parameter on",
        build: (opts) => {
            new aws.rds.Instance("six-days", database({ backupRetentionPeriod: 6 }), opts);
            new aws.rds.Instance(
                "no-backups",
                database({
                    backupRetentionPeriod: undefined,
                    enabledCloudwatchLogsExports: undefined,
                }),
                opts,
            );
            new aws.rds.Instance(
                "mysql-silent",
                database({ engine: "mysql", enabledCloudwatchLogsExports: undefined }),
                opts,
            );
            const lax = new aws.rds.ParameterGroup(
                "lax",
                {
                    family: "postgres15",
                    parameters: [
                        { name: "rds.force_ssl", value: "0" },
                        { name: "log_connections", value: "1" },
                    ],
                },
                opts,
            );
            new aws.rds.Instance("tls-off", database({ parameterGroupName: lax.name }), opts);
        },
        expected: [
            "rds-encrypted-private-backed-up: no-backups: backups are kept 0 days; at least 7 are required",
            "rds-encrypted-private-backed-up: six-days: backups are kept 6 days; at least 7 are required",
            "rds-logs-exported-minor-upgrades-on: mysql-silent: no log is exported to CloudWatch Logs (enabledCloudwatchLogsExports is empty)",
            'rds-logs-exported-minor-upgrades-on: no-backups: the PostgreSQL log is not exported (enabledCloudwatchLogsExports lacks "postgresql")',
            "rds-tls-forced: no-backups: no parameter group of this stack forces TLS (rds.force_ssl = 1)",
            "rds-tls-forced: six-days: no parameter group of this stack forces TLS (rds.force_ssl = 1)",
            "rds-tls-forced: tls-off: no parameter group of this stack forces TLS (rds.force_ssl = 1)",
        ],
    },
    {
        what: "databases that pass: 7 days, a MySQL one exporting its error log (no TLS parameter needed), TLS forced, Insights off or with a key",
        build: (opts) => {
            const tls = new aws.rds.ParameterGroup(
                "tls",
                { family: "postgres15", parameters: [{ name: "rds.force_ssl", value: "1" }] },
                opts,
            );
            new aws.rds.Instance(
                "seven-days",
                database({
                    parameterGroupName: tls.name,
                    performanceInsightsEnabled: true,
                    performanceInsightsKmsKeyId: PASTED_KEY,
                }),
                opts,
            );
            new aws.rds.Instance(
                "mysql",
                database({ engine: "mysql", enabledCloudwatchLogsExports: ["error"] }),
                opts,
            );
        },
        expected: [],
    },
    {
        what: "production databases: a final snapshot needs both the flag and a name",
        stack: "prod",
        build: (opts) => {
            const key = new aws.kms.Key("data", { enableKeyRotation: true }, opts);
            const tls = new aws.rds.ParameterGroup(
                "tls",
                { family: "postgres15", parameters: [{ name: "rds.force_ssl", value: "1" }] },
                opts,
            );
            const safe = {
                parameterGroupName: tls.name,
                multiAz: true,
                deletionProtection: true,
                kmsKeyId: key.arn,
                masterUserSecretKmsKeyId: key.arn,
            };
            new aws.rds.Instance(
                "unnamed-snapshot",
                database({ ...safe, skipFinalSnapshot: false }),
                opts,
            );
            new aws.rds.Instance(
                "skipped-snapshot",
                database({ ...safe, skipFinalSnapshot: true, finalSnapshotIdentifier: "last" }),
                opts,
            );
            new aws.rds.Instance(
                "kept",
                database({ ...safe, skipFinalSnapshot: false, finalSnapshotIdentifier: "last" }),
                opts,
            );
        },
        expected: [
            "prod-rds-multi-az-protected-final-snapshot: skipped-snapshot: a production database must take a final snapshot when deleted (skipFinalSnapshot false and a finalSnapshotIdentifier)",
            "prod-rds-multi-az-protected-final-snapshot: unnamed-snapshot: a production database must take a final snapshot when deleted (skipFinalSnapshot false and a finalSnapshotIdentifier)",
        ],
    },
    // --- load balancers ---
    {
        what: "load balancers: an internet-facing NLB needs no WAF and its listener without protocol is TCP; TLS on it needs a modern policy; Shield is not WAF; HTTP redirecting to HTTP or without a port",
        build: (opts) => {
            const nlb = new aws.lb.LoadBalancer(
                "nlb",
                {
                    loadBalancerType: "network",
                    subnets: [SUBNET, SUBNET_B],
                    dropInvalidHeaderFields: true,
                    accessLogs: { bucket: "lb-logs", enabled: true },
                },
                opts,
            );
            const tcpTargets = new aws.lb.TargetGroup(
                "tcp-targets",
                { port: 8080, protocol: "TCP", vpcId: VPC },
                opts,
            );
            new aws.lb.Listener(
                "tcp",
                {
                    loadBalancerArn: nlb.arn,
                    port: 5000,
                    defaultActions: [{ type: "forward", targetGroupArn: tcpTargets.arn }],
                },
                opts,
            );
            new aws.lb.Listener(
                "old-tls",
                {
                    loadBalancerArn: nlb.arn,
                    port: 443,
                    protocol: "TLS",
                    sslPolicy: "ELBSecurityPolicy-TLS-1-1-2017-01",
                    certificateArn: CERTIFICATE,
                    defaultActions: [{ type: "forward", targetGroupArn: tcpTargets.arn }],
                },
                opts,
            );
            new aws.lb.Listener(
                "tls13-only",
                {
                    loadBalancerArn: nlb.arn,
                    port: 8443,
                    protocol: "TLS",
                    sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
                    certificateArn: CERTIFICATE,
                    defaultActions: [{ type: "forward", targetGroupArn: tcpTargets.arn }],
                },
                opts,
            );
            const alb = new aws.lb.LoadBalancer(
                "shielded",
                {
                    loadBalancerType: "application",
                    subnets: [SUBNET, SUBNET_B],
                    dropInvalidHeaderFields: true,
                    accessLogs: { bucket: "lb-logs", enabled: true },
                },
                opts,
            );
            new aws.shield.Protection("shielded", { name: "shielded", resourceArn: alb.arn }, opts);
            new aws.lb.Listener(
                "to-http",
                {
                    loadBalancerArn: alb.arn,
                    port: 80,
                    protocol: "HTTP",
                    defaultActions: [
                        {
                            type: "redirect",
                            redirect: { protocol: "HTTP", port: "8080", statusCode: "HTTP_301" },
                        },
                    ],
                },
                opts,
            );
            const redirecting = new aws.lb.Listener(
                "portless",
                {
                    loadBalancerArn: alb.arn,
                    protocol: "HTTP",
                    defaultActions: [
                        {
                            type: "fixed-response",
                            fixedResponse: { contentType: "text/plain", statusCode: "404" },
                        },
                    ],
                },
                opts,
            );
            new aws.lb.ListenerRule(
                "redirects-too",
                {
                    listenerArn: redirecting.arn,
                    priority: 5,
                    conditions: [{ pathPattern: { values: ["/*"] } }],
                    actions: [
                        {
                            type: "redirect",
                            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
                        },
                    ],
                },
                opts,
            );
        },
        expected: [
            "internet-load-balancer-behind-waf: shielded: no WAF web ACL is associated with it, so nothing matches the URL-decoded path (the ALB's own rules miss /api/v1/auths/sign%69n)",
            "load-balancer-listeners-encrypted: old-tls: TLS policy ELBSecurityPolicy-TLS-1-1-2017-01 allows TLS older than 1.2 or without forward secrecy; use an ELBSecurityPolicy-TLS13-1-2 policy",
            "load-balancer-listeners-encrypted: portless: serves HTTP in clear text on port (default); it may only redirect to HTTPS",
            "load-balancer-listeners-encrypted: to-http: serves HTTP in clear text on port 80; it may only redirect to HTTPS",
        ],
    },
    // --- S3 ---
    {
        what: "S3: BucketV2 and its V2 companions count; a policy that allows, or denies without the TLS condition, is no TLS policy; versioning on the bucket itself counts",
        build: (opts) => {
            const v2 = new aws.s3.BucketV2("v2", {}, opts);
            new aws.s3.BucketPublicAccessBlock(
                "v2-block",
                {
                    bucket: v2.id,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                },
                opts,
            );
            new aws.s3.BucketServerSideEncryptionConfigurationV2(
                "v2-encryption",
                {
                    bucket: v2.id,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                },
                opts,
            );
            new aws.s3.BucketVersioningV2(
                "v2-versioning",
                { bucket: v2.id, versioningConfiguration: { status: "Enabled" } },
                opts,
            );
            new aws.s3.BucketPolicy(
                "v2-policy",
                {
                    bucket: v2.id,
                    policy: document([
                        {
                            Sid: "AllowWithoutTls",
                            Effect: "Allow",
                            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                            Action: "s3:GetObject",
                            Resource: "arn:aws:s3:::v2/*",
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                        {
                            Sid: "DenyDeletes",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:DeleteBucket",
                            Resource: "arn:aws:s3:::v2",
                        },
                        {
                            Sid: "DenyOutsideEu",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: "arn:aws:s3:::v2/*",
                            Condition: { StringNotEquals: { "aws:RequestedRegion": "eu-west-2" } },
                        },
                    ]),
                },
                opts,
            );
            const inline = new aws.s3.Bucket(
                "inline-versions",
                { versioning: { enabled: true } },
                opts,
            );
            new aws.s3.BucketPolicy(
                "inline-tls",
                {
                    bucket: inline.id,
                    policy: document([
                        {
                            Sid: "TlsOnly",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: ["arn:aws:s3:::inline", "arn:aws:s3:::inline/*"],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ]),
                },
                opts,
            );
        },
        expected: [
            "s3-private-encrypted-tls-only: inline-versions: no default encryption",
            "s3-private-encrypted-tls-only: inline-versions: no public access block",
            "s3-private-encrypted-tls-only: v2: no bucket policy denies requests without TLS",
        ],
    },
    // --- IAM ---
    {
        what: "IAM documents on every carrier (managed policy, user, group, role inline), NotAction and NotResource; Deny statements are not checked",
        build: (opts) => {
            const star = (sid: string) => [
                { Sid: sid, Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::x" },
            ];
            new aws.iam.Policy("managed", { policy: document(star("Managed")) }, opts);
            const user = new aws.iam.User("user", {}, opts);
            new aws.iam.UserPolicy(
                "user-inline",
                { user: user.name, policy: document(star("User")) },
                opts,
            );
            const group = new aws.iam.Group("group", {}, opts);
            new aws.iam.GroupPolicy(
                "group-inline",
                { group: group.id, policy: document(star("Group")) },
                opts,
            );
            new aws.iam.Role(
                "role",
                {
                    assumeRolePolicy: TRUST_LAMBDA,
                    inlinePolicies: [{ name: "inline", policy: document(star("Inline")) }],
                },
                opts,
            );
            new aws.iam.Policy(
                "inverted",
                {
                    policy: document([
                        { Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::x" },
                        {
                            Sid: "Everywhere",
                            Effect: "Allow",
                            Action: "s3:GetObject",
                            NotResource: "arn:aws:s3:::x",
                        },
                        {
                            Sid: "Guard",
                            Effect: "Deny",
                            Action: "*",
                            NotResource: "*",
                            Resource: "*",
                        },
                    ]),
                },
                opts,
            );
        },
        expected: [
            'iam-no-wildcard-actions: group-inline: statement Group allows the wildcard action "s3:*"',
            "iam-no-wildcard-actions: inverted: a statement uses NotAction",
            'iam-no-wildcard-actions: managed: statement Managed allows the wildcard action "s3:*"',
            'iam-no-wildcard-actions: role: statement Inline allows the wildcard action "s3:*"',
            'iam-no-wildcard-actions: user-inline: statement User allows the wildcard action "s3:*"',
            "iam-resource-star-only-where-unscopable: inverted: statement Everywhere uses NotResource",
        ],
    },
    {
        what: 'IAM on "*": every unscopable action passes; metrics need the namespace key itself; secret reads by wildcard name, of every kind',
        build: (opts) => {
            new aws.iam.Policy(
                "star",
                {
                    policy: document([
                        {
                            Sid: "Unscopable",
                            Effect: "Allow",
                            Action: [
                                "bedrock:ListFoundationModels",
                                "bedrock:ListInferenceProfiles",
                                "ec2:DescribeNetworkInterfaces",
                                "ec2:DescribeSubnets",
                                "ecr:GetAuthorizationToken",
                                "ssmmessages:CreateControlChannel",
                                "ssmmessages:CreateDataChannel",
                                "ssmmessages:OpenControlChannel",
                                "ssmmessages:OpenDataChannel",
                                "sts:GetCallerIdentity",
                            ],
                            Resource: "*",
                        },
                        {
                            Sid: "NamespacedMetrics",
                            Effect: "Allow",
                            Action: "cloudwatch:PutMetricData",
                            Resource: "*",
                            Condition: { StringEquals: { "cloudwatch:namespace": "AIPortal" } },
                        },
                        {
                            Sid: "RegionalMetrics",
                            Effect: "Allow",
                            Action: "cloudwatch:PutMetricData",
                            Resource: "*",
                            Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-2" } },
                        },
                        {
                            Sid: "Parameters",
                            Effect: "Allow",
                            Action: ["ssm:GetParameter", "ssm:DescribeParameters"],
                            Resource: `arn:aws:ssm:eu-west-2:${ACCOUNT}:parameter/*`,
                        },
                        {
                            Sid: "ParameterBatch",
                            Effect: "Allow",
                            Action: "ssm:GetParameters",
                            Resource: [
                                `arn:aws:ssm:eu-west-2:${ACCOUNT}:parameter/portal/one`,
                                `arn:aws:ssm:eu-west-2:${ACCOUNT}:parameter/*`,
                            ],
                        },
                        {
                            Sid: "ParameterTree",
                            Effect: "Allow",
                            Action: "ssm:GetParametersByPath",
                            Resource: `arn:aws:ssm:eu-west-2:${ACCOUNT}:parameter/*`,
                        },
                        {
                            Sid: "Keys",
                            Effect: "Allow",
                            Action: "kms:Decrypt",
                            Resource: `arn:aws:kms:eu-west-2:${ACCOUNT}:key/*`,
                        },
                        {
                            Sid: "OnePrefix",
                            Effect: "Allow",
                            Action: "secretsmanager:GetSecretValue",
                            Resource: `arn:aws:secretsmanager:eu-west-2:${ACCOUNT}:secret:portal/db-*`,
                        },
                    ]),
                },
                opts,
            );
        },
        expected: [
            "iam-resource-star-only-where-unscopable: star: statement Keys reads every secret of its kind (arn:aws:kms:eu-west-2:123456789012:key/*)",
            "iam-resource-star-only-where-unscopable: star: statement ParameterBatch reads every secret of its kind (arn:aws:ssm:eu-west-2:123456789012:parameter/portal/one, arn:aws:ssm:eu-west-2:123456789012:parameter/*)",
            "iam-resource-star-only-where-unscopable: star: statement ParameterTree reads every secret of its kind (arn:aws:ssm:eu-west-2:123456789012:parameter/*)",
            "iam-resource-star-only-where-unscopable: star: statement Parameters reads every secret of its kind (arn:aws:ssm:eu-west-2:123456789012:parameter/*)",
            'iam-resource-star-only-where-unscopable: star: statement RegionalMetrics allows cloudwatch:PutMetricData on "*" without a cloudwatch:namespace condition',
        ],
    },
    {
        what: "IAM managed policies: admin through a user, a group, a policy attachment, another partition; look-alikes pass",
        build: (opts) => {
            const user = new aws.iam.User("user", {}, opts);
            const group = new aws.iam.Group("group", {}, opts);
            new aws.iam.UserPolicyAttachment(
                "user-admin",
                { user: user.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
                opts,
            );
            new aws.iam.GroupPolicyAttachment(
                "group-iam",
                { group: group.name, policyArn: "arn:aws-us-gov:iam::aws:policy/IAMFullAccess" },
                opts,
            );
            new aws.iam.PolicyAttachment(
                "everyone-power",
                { users: [user.name], policyArn: "arn:aws-cn:iam::aws:policy/PowerUserAccess" },
                opts,
            );
            new aws.iam.Role(
                "amplify",
                {
                    assumeRolePolicy: TRUST_LAMBDA,
                    managedPolicyArns: [
                        "arn:aws:iam::aws:policy/AdministratorAccess-Amplify",
                        "arn:aws:iam::aws:policy/ReadOnlyAccess",
                    ],
                },
                opts,
            );
            new aws.iam.UserPolicyAttachment(
                "user-read",
                { user: user.name, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
                opts,
            );
        },
        expected: [
            "iam-no-admin-managed-policies: everyone-power: attaches PowerUserAccess: administrator rights, where a scoped policy will do",
            "iam-no-admin-managed-policies: group-iam: attaches IAMFullAccess: administrator rights, where a scoped policy will do",
            "iam-no-admin-managed-policies: user-admin: attaches AdministratorAccess: administrator rights, where a scoped policy will do",
        ],
    },
    {
        what: 'trust: each source key counts, another condition key does not, a denied "*" is no grant, an unnamed statement, a document given as an object',
        build: (opts) => {
            const trust = (name: string, statement: object) =>
                new aws.iam.Role(
                    name,
                    { assumeRolePolicy: document([{ Action: "sts:AssumeRole", ...statement }]) },
                    opts,
                );
            const service = { Service: "scheduler.amazonaws.com" };
            const arn = `arn:aws:scheduler:eu-west-2:${ACCOUNT}:schedule-group/portal`;
            trust("by-arn", {
                Effect: "Allow",
                Principal: service,
                Condition: { ArnLike: { "aws:SourceArn": arn } },
            });
            trust("by-org", {
                Effect: "Allow",
                Principal: service,
                Condition: { StringEquals: { "aws:SourceOrgID": "o-abcdefghij" } },
            });
            trust("by-org-path", {
                Effect: "Allow",
                Principal: service,
                Condition: { "ForAnyValue:StringLike": { "aws:SourceOrgPaths": "o-abcdefghij/*" } },
            });
            trust("external-id", {
                Effect: "Allow",
                Principal: service,
                Condition: { StringEquals: { "sts:ExternalId": "portal" } },
            });
            trust("denied-anyone", {
                Sid: "NobodyElse",
                Effect: "Deny",
                Principal: "*",
                Condition: { StringNotEquals: { "aws:SourceAccount": ACCOUNT } },
            });
            new aws.iam.Role(
                "object-document",
                {
                    assumeRolePolicy: {
                        Version: "2012-10-17",
                        Statement: [
                            { Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" },
                        ],
                    },
                },
                opts,
            );
        },
        expected: [
            "iam-trust-no-confused-deputy: external-id: a statement trusts scheduler.amazonaws.com without aws:SourceAccount or aws:SourceArn, so another account's resource could make it act with this role",
            'iam-trust-no-confused-deputy: object-document: a statement lets anyone assume the role (Principal "*")',
        ],
    },
    {
        what: "IAM and bucket policy documents given as objects (the provider's PolicyDocument type) are read like JSON text",
        build: (opts) => {
            new aws.iam.Policy(
                "object-policy",
                {
                    policy: {
                        Version: "2012-10-17",
                        Statement: [
                            { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" },
                        ],
                    },
                },
                opts,
            );
            const bucket = new aws.s3.Bucket(
                "object-policy",
                { versioning: { enabled: true } },
                opts,
            );
            new aws.s3.BucketPublicAccessBlock(
                "object-policy",
                {
                    bucket: bucket.id,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                },
                opts,
            );
            new aws.s3.BucketServerSideEncryptionConfiguration(
                "object-policy",
                {
                    bucket: bucket.id,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                },
                opts,
            );
            new aws.s3.BucketPolicy(
                "object-policy",
                {
                    bucket: bucket.id,
                    policy: {
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                                Action: "s3:GetObject",
                                Resource: "arn:aws:s3:::object-policy/*",
                            },
                        ],
                    },
                },
                opts,
            );
        },
        expected: [
            'iam-no-wildcard-actions: object-policy: statement Everything allows the wildcard action "*"',
            'iam-resource-star-only-where-unscopable: object-policy: statement Everything allows * on "*"; name the resources',
            "s3-private-encrypted-tls-only: object-policy: no bucket policy denies requests without TLS",
        ],
    },
    // --- Lambda ---
    {
        what: "Lambda functions outside the VPC: each way a role can read the database's secrets is caught, and only that",
        build: (opts) => {
            const db = new aws.rds.Instance("db", database({ engine: "mysql" }), opts);
            const url = new aws.secretsmanager.Secret("db-url", {}, opts);
            new aws.secretsmanager.SecretVersion(
                "db-url",
                { secretId: url.id, secretString: db.endpoint.apply((e) => `mysql://${e}/portal`) },
                opts,
            );
            const other = new aws.secretsmanager.Secret("other", {}, opts);
            new aws.secretsmanager.SecretVersion(
                "other",
                { secretId: other.id, secretString: "not from the database" },
                opts,
            );
            const reading = (
                sid: string,
                resource: pulumi.Input<string>,
                action: string | string[] = "secretsmanager:GetSecretValue",
                effect = "Allow",
            ) =>
                pulumi
                    .output(resource)
                    .apply((r) =>
                        document([{ Sid: sid, Effect: effect, Action: action, Resource: r }]),
                    );
            const fn = (name: string, role: aws.iam.Role, inVpc = false) =>
                new aws.lambda.Function(
                    name,
                    {
                        role: role.arn,
                        runtime: "nodejs22.x",
                        handler: "index.handler",
                        code: new pulumi.asset.AssetArchive({}),
                        vpcConfig: inVpc
                            ? { subnetIds: [SUBNET], securityGroupIds: ["sg-0123456789abcdef0"] }
                            : undefined,
                    },
                    opts,
                );
            const role = (name: string, args: Partial<aws.iam.RoleArgs> = {}) =>
                new aws.iam.Role(name, { assumeRolePolicy: TRUST_LAMBDA, ...args }, opts);

            // Readers: an inline policy on the role, a role policy on the computed secret, an
            // attached customer policy, an attached AWS policy, every action on every secret.
            fn(
                "inline-reader",
                role("inline-reader", {
                    inlinePolicies: [{ name: "read", policy: reading("Url", url.arn) }],
                }),
            );
            const viaRolePolicy = role("role-policy-reader");
            new aws.iam.RolePolicy(
                "role-policy-reader",
                { role: viaRolePolicy.name, policy: reading("Url", url.arn) },
                opts,
            );
            fn("role-policy-reader", viaRolePolicy);
            const viaPolicy = role("policy-reader");
            const readPolicy = new aws.iam.Policy(
                "read-url",
                { policy: reading("Url", url.arn) },
                opts,
            );
            new aws.iam.RolePolicyAttachment(
                "policy-reader",
                { role: viaPolicy.name, policyArn: readPolicy.arn },
                opts,
            );
            fn("policy-reader", viaPolicy);
            const viaManaged = role("managed-reader");
            new aws.iam.RolePolicyAttachment(
                "managed-reader",
                {
                    role: viaManaged.name,
                    policyArn: "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
                },
                opts,
            );
            fn("managed-reader", viaManaged);
            const viaWildcard = role("wildcard-reader");
            new aws.iam.RolePolicy(
                "wildcard-reader",
                {
                    role: viaWildcard.name,
                    policy: reading(
                        "AllSecrets",
                        `arn:aws:secretsmanager:eu-west-2:${ACCOUNT}:secret:*`,
                        "secretsmanager:*",
                    ),
                },
                opts,
            );
            fn("wildcard-reader", viaWildcard);
            const viaStar = role("star-reader");
            new aws.iam.RolePolicy(
                "star-reader",
                { role: viaStar.name, policy: reading("All", "*", "*") },
                opts,
            );
            fn("star-reader", viaStar);
            // Not readers: in the VPC, another secret, another action, a Deny, another role's
            // policy, an AWS policy that reads no secrets.
            fn(
                "in-vpc",
                role("in-vpc", {
                    inlinePolicies: [{ name: "read", policy: reading("Url", url.arn) }],
                }),
                true,
            );
            fn(
                "other-secret",
                role("other-secret", {
                    inlinePolicies: [{ name: "read", policy: reading("Other", other.arn) }],
                }),
            );
            fn(
                "describes",
                role("describes", {
                    inlinePolicies: [
                        {
                            name: "read",
                            policy: reading("Describe", url.arn, "secretsmanager:DescribeSecret"),
                        },
                    ],
                }),
            );
            fn(
                "denied",
                role("denied", {
                    inlinePolicies: [
                        {
                            name: "deny",
                            policy: reading(
                                "Deny",
                                url.arn,
                                "secretsmanager:GetSecretValue",
                                "Deny",
                            ),
                        },
                    ],
                }),
            );
            fn("innocent", role("innocent"));
            const logsOnly = role("logs-only");
            new aws.iam.RolePolicyAttachment(
                "logs-only",
                {
                    role: logsOnly.name,
                    policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                },
                opts,
            );
            fn("logs-only", logsOnly);
        },
        expected: [
            'iam-no-wildcard-actions: star-reader: statement All allows the wildcard action "*"',
            'iam-no-wildcard-actions: wildcard-reader: statement AllSecrets allows the wildcard action "secretsmanager:*"',
            'iam-resource-star-only-where-unscopable: star-reader: statement All allows * on "*"; name the resources',
            "lambda-reading-database-secrets-in-vpc: inline-reader: can read the database's secrets but runs outside the VPC (no vpcConfig subnets)",
            "lambda-reading-database-secrets-in-vpc: managed-reader: can read the database's secrets but runs outside the VPC (no vpcConfig subnets)",
            "lambda-reading-database-secrets-in-vpc: policy-reader: can read the database's secrets but runs outside the VPC (no vpcConfig subnets)",
            "lambda-reading-database-secrets-in-vpc: role-policy-reader: can read the database's secrets but runs outside the VPC (no vpcConfig subnets)",
            "lambda-reading-database-secrets-in-vpc: star-reader: can read the database's secrets but runs outside the VPC (no vpcConfig subnets)",
            "lambda-reading-database-secrets-in-vpc: wildcard-reader: can read the database's secrets but runs outside the VPC (no vpcConfig subnets)",
        ],
    },
    // --- encryption keys ---
    {
        what: "production keys: Redis, launch templates and instances; a template with one volume off the key; Insights and master secret only when used",
        stack: "prod",
        build: (opts) => {
            const key = new aws.kms.Key("data", { enableKeyRotation: true }, opts);
            new aws.elasticache.ReplicationGroup(
                "redis",
                {
                    description: "cache",
                    nodeType: "cache.t4g.micro",
                    atRestEncryptionEnabled: true,
                },
                opts,
            );
            new aws.ec2.LaunchTemplate(
                "half-keyed",
                {
                    metadataOptions: { httpTokens: "required" },
                    blockDeviceMappings: [
                        { deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: key.arn } },
                        { deviceName: "/dev/sdf", ebs: { encrypted: "true" } },
                        { deviceName: "/dev/sdb", virtualName: "ephemeral0" },
                    ],
                },
                opts,
            );
            new aws.ec2.Instance("no-root", instance({ rootBlockDevice: undefined }), opts);
            new aws.ec2.Instance(
                "keyed-root",
                instance({ rootBlockDevice: { encrypted: true, kmsKeyId: key.arn } }),
                opts,
            );
            const tls = new aws.rds.ParameterGroup(
                "tls",
                { family: "postgres15", parameters: [{ name: "rds.force_ssl", value: "1" }] },
                opts,
            );
            new aws.rds.Instance(
                "keyed-db",
                database({
                    parameterGroupName: tls.name,
                    multiAz: true,
                    deletionProtection: true,
                    skipFinalSnapshot: false,
                    finalSnapshotIdentifier: "last",
                    kmsKeyId: key.arn,
                    performanceInsightsEnabled: false,
                    manageMasterUserPassword: false,
                    password: "not-checked-here",
                }),
                opts,
            );
            new aws.ecr.Repository(
                "aes-with-key",
                {
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    encryptionConfigurations: [{ encryptionType: "AES256", kmsKey: key.arn }],
                },
                opts,
            );
        },
        expected: [
            "ebs-encrypted: no-root: the root volume is not encrypted (rootBlockDevice.encrypted must be true)",
            "prod-data-customer-managed-key: aes-with-key: the repository's images is not under a customer-managed KMS key of this stack (encryptionConfigurations: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: half-keyed: the volumes it launches is not under a customer-managed KMS key of this stack (blockDeviceMappings: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: no-root: its root volume is not under a customer-managed KMS key of this stack (rootBlockDevice: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: redis: its data at rest is not under a customer-managed KMS key of this stack (kmsKeyId: the AWS-managed key); set encryptionKey: customer-managed",
        ],
    },
    {
        what: "production keys: the ALB log bucket may keep SSE-S3, but only the bucket whose own policy lets ELB put AWSLogs/ objects, and not under a pasted key",
        stack: "prod",
        build: (opts) => {
            const logs = new aws.s3.Bucket("alb-logs", {}, opts);
            new aws.s3.BucketServerSideEncryptionConfiguration(
                "alb-logs",
                {
                    bucket: logs.id,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                },
                opts,
            );
            const elb = { AWS: "arn:aws:iam::652711504416:root" };
            new aws.s3.BucketPolicy(
                "alb-logs",
                {
                    bucket: logs.id,
                    policy: document([
                        {
                            Effect: "Allow",
                            Principal: elb,
                            Action: "s3:PutObject",
                            Resource: "arn:aws:s3:::alb-logs/AWSLogs/*",
                        },
                    ]),
                },
                opts,
            );
            const keyed = new aws.s3.Bucket("pasted-logs", {}, opts);
            new aws.s3.BucketServerSideEncryptionConfiguration(
                "pasted-logs",
                {
                    bucket: keyed.id,
                    rules: [
                        {
                            applyServerSideEncryptionByDefault: {
                                sseAlgorithm: "aws:kms",
                                kmsMasterKeyId: PASTED_KEY,
                            },
                        },
                    ],
                },
                opts,
            );
            new aws.s3.BucketPolicy(
                "pasted-logs",
                {
                    bucket: keyed.id,
                    policy: document([
                        {
                            Effect: "Allow",
                            Principal: elb,
                            Action: ["s3:PutObject"],
                            Resource: ["arn:aws:s3:::pasted-logs/AWSLogs/*"],
                        },
                    ]),
                },
                opts,
            );
            const reads = new aws.s3.Bucket("reads-logs", {}, opts);
            new aws.s3.BucketServerSideEncryptionConfiguration(
                "reads-logs",
                {
                    bucket: reads.id,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                },
                opts,
            );
            new aws.s3.BucketPolicy(
                "reads-logs",
                {
                    bucket: reads.id,
                    policy: document([
                        {
                            Effect: "Allow",
                            Principal: elb,
                            Action: "s3:GetObject",
                            Resource: "arn:aws:s3:::reads-logs/AWSLogs/*",
                        },
                        {
                            Effect: "Allow",
                            Principal: elb,
                            Action: "s3:PutObject",
                            Resource: "arn:aws:s3:::reads-logs/uploads/*",
                        },
                    ]),
                },
                opts,
            );
            const neighbour = new aws.s3.Bucket("neighbour", {}, opts);
            new aws.s3.BucketServerSideEncryptionConfiguration(
                "neighbour",
                {
                    bucket: neighbour.id,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                },
                opts,
            );
            new aws.cloudwatch.LogGroup("plain-logs", { retentionInDays: 30 }, opts);
        },
        expected: [
            "prod-data-customer-managed-key: neighbour: the bucket's default encryption is not under a customer-managed KMS key of this stack (rules: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: pasted-logs: the bucket's default encryption is not under a customer-managed KMS key of this stack (rules: a key the stack does not declare); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: plain-logs: the log group is not under a customer-managed KMS key of this stack (kmsKeyId: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: reads-logs: the bucket's default encryption is not under a customer-managed KMS key of this stack (rules: the AWS-managed key); set encryptionKey: customer-managed",
            "s3-private-encrypted-tls-only: alb-logs: no bucket policy denies requests without TLS",
            "s3-private-encrypted-tls-only: alb-logs: no public access block",
            "s3-private-encrypted-tls-only: neighbour: no bucket policy denies requests without TLS",
            "s3-private-encrypted-tls-only: neighbour: no public access block",
            "s3-private-encrypted-tls-only: pasted-logs: no bucket policy denies requests without TLS",
            "s3-private-encrypted-tls-only: pasted-logs: no public access block",
            "s3-private-encrypted-tls-only: reads-logs: no bucket policy denies requests without TLS",
            "s3-private-encrypted-tls-only: reads-logs: no public access block",
            "s3-versioning: alb-logs: versioning is not enabled",
            "s3-versioning: neighbour: versioning is not enabled",
            "s3-versioning: pasted-logs: versioning is not enabled",
            "s3-versioning: reads-logs: versioning is not enabled",
        ],
    },
    // --- operations and the registry ---
    {
        what: "tags: a resource's own tags count without default tags; resources outside the aws provider are not checked; a repository without a mutability setting is MUTABLE",
        tags: false,
        build: (opts) => {
            new aws.cloudwatch.LogGroup(
                "own-tags",
                {
                    retentionInDays: 1,
                    tags: { Project: "ai-portal", Stack: "dev", ManagedBy: "pulumi" },
                },
                opts,
            );
            new aws.cloudwatch.LogGroup(
                "partly",
                { retentionInDays: 1, tags: { Project: "ai-portal" } },
                opts,
            );
            // On the default provider (no explicit one), and a resource of another provider.
            new aws.cloudwatch.LogGroup("default-provider", {
                retentionInDays: 1,
                tags: { Project: "ai-portal", Stack: "dev", ManagedBy: "pulumi" },
            });
            new ForeignResource("azure-native:resources:ResourceGroup", "elsewhere", {
                tags: { Owner: "someone" },
            });
            new aws.ecr.Repository(
                "default-mutability",
                {
                    imageScanningConfiguration: { scanOnPush: true },
                    tags: { Project: "ai-portal", Stack: "dev", ManagedBy: "pulumi" },
                },
                opts,
            );
        },
        expected: [
            "ecr-scan-on-push-immutable-tags: default-mutability: tags are MUTABLE: a pushed tag could be replaced by another image",
            "required-tags: partly: missing tag(s) Stack, ManagedBy",
        ],
    },
];

describe("policy pack: each rule at its edges", () => {
    for (const c of CASES) {
        it(c.what, async () => {
            const found = await objections(c.build, { stack: c.stack, tags: c.tags });
            assert.deepStrictEqual([...found].sort(), [...c.expected].sort());
        });
    }
});
