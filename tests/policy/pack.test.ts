/**
 * The policy pack: both stacks clean, and each policy catching deliberately bad resources that are
 * declared the way a program would declare them (real @pulumi/aws classes, under the mock
 * runtime), not edited copies of the stacks' own.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { portalPolicies } from "../../policy/policies";
import { isWebEntryPoint, WEB_ENTRY_POINTS } from "../../policy/common";
import { CONTROLS, controlsTable } from "../../policy/controls";
import { checkPolicies, objections, withInputs } from "../harness/policy";
import { forEachStack } from "../harness/stacks";
import { PROJECT_DIR } from "../../offline/stackConfig";

forEachStack("policy pack", (ctx) => {
    it("no violation in anything the program declares", async () => {
        assert.deepStrictEqual(await checkPolicies(ctx.run.resources, portalPolicies), []);
    });

    if (ctx.stack === "dev") {
        it("single: the designated web entry point is a resource the program declares", () => {
            for (const entry of WEB_ENTRY_POINTS) {
                assert.ok(
                    ctx.run.resources.some((r) => r.urn.endsWith(`::${entry}`)),
                    `${entry} is declared`,
                );
            }
        });
    } else {
        it("loadBalanced: no instance is designated; the internet-facing ALB is the entry point", () => {
            assert.deepStrictEqual(
                ctx.run.resources.filter((r) => isWebEntryPoint(r)).map((r) => r.name),
                [],
            );
            assert.deepStrictEqual(
                ctx.run.resources
                    .filter(
                        (r) =>
                            r.type === "aws:lb/loadBalancer:LoadBalancer" &&
                            r.inputs.internal !== true,
                    )
                    .map((r) => r.name),
                ["edge-alb"],
            );
        });

        it("loadBalanced: a public address on the fleets' hosts is caught", async () => {
            const publicFleet = withInputs(ctx.run.resources, "compute-web-template", (inputs) => ({
                ...inputs,
                networkInterfaces: [{ associatePublicIpAddress: "true" }],
            }));
            assert.deepStrictEqual(
                (await checkPolicies(publicFleet, portalPolicies)).map(
                    (v) => `${v.policy}: ${v.message}`,
                ),
                [
                    "public-address-only-on-the-web-entry-point: compute-web-template: its instances get public IP addresses; hosts behind a load balancer need none",
                ],
            );
        });

        it("loadBalanced: internet ingress on the web hosts' group is caught (only the ALB's may have it)", async () => {
            const openWeb = withInputs(ctx.run.resources, "sg-web-in-tcp8080-alb", (inputs) => {
                const { referencedSecurityGroupId: _, ...rest } = inputs;
                return { ...rest, fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" };
            });
            assert.deepStrictEqual(
                (await checkPolicies(openWeb, portalPolicies)).map((v) => v.policy),
                ["world-ingress-only-at-the-entry-point"],
            );
        });
    }
});

const SUBNET = "subnet-0123456789abcdef0";
const SUBNET_B = "subnet-0fedcba9876543210";
const VPC = "vpc-0123456789abcdef0";
const CERTIFICATE =
    "arn:aws:acm:eu-west-2:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef";
const AMI = "ami-0123456789abcdef0";
const document = (statements: object[]) =>
    JSON.stringify({ Version: "2012-10-17", Statement: statements });
const TRUST_EC2 = document([
    { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
]);

interface Case {
    readonly what: string;
    readonly build: (opts: pulumi.CustomResourceOptions) => void;
    readonly stack?: string;
    /** Exactly what the pack says, as "policy: resource: message" (in any order). */
    readonly expected: string[];
}

const instance = (overrides: Partial<aws.ec2.InstanceArgs> = {}): aws.ec2.InstanceArgs => ({
    ami: AMI,
    instanceType: "t3.small",
    subnetId: SUBNET,
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 },
    rootBlockDevice: { encrypted: true, volumeType: "gp3" },
    ...overrides,
});

/** An internet-facing ALB as the pack wants it (deletion protection for production). */
const hardenedAlb = (
    overrides: Partial<aws.lb.LoadBalancerArgs> = {},
): aws.lb.LoadBalancerArgs => ({
    loadBalancerType: "application",
    subnets: [SUBNET, SUBNET_B],
    dropInvalidHeaderFields: true,
    accessLogs: { bucket: "alb-logs", enabled: true },
    enableDeletionProtection: true,
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

const CASES: Case[] = [
    // --- instances ---
    {
        what: "an instance with IMDSv1, and a launch template whose metadata reaches 3 hops",
        build: (opts) => {
            new aws.ec2.Instance(
                "imdsv1",
                instance({ metadataOptions: { httpTokens: "optional" } }),
                opts,
            );
            new aws.ec2.LaunchTemplate(
                "far-metadata",
                {
                    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 3 },
                    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }],
                },
                opts,
            );
        },
        expected: [
            "ec2-imdsv2-hop-limit: far-metadata: the metadata response hop limit is 3; at most 2 (a container on the host), so credentials do not travel further",
            'ec2-imdsv2-hop-limit: imdsv1: IMDSv2 is not required (metadataOptions.httpTokens must be "required")',
        ],
    },
    {
        what: "unencrypted volumes: an instance's data volume, a launch template's device, one with no device at all, a standalone volume",
        build: (opts) => {
            new aws.ec2.Instance(
                "clear-data",
                instance({ ebsBlockDevices: [{ deviceName: "/dev/sdf", volumeSize: 10 }] }),
                opts,
            );
            new aws.ec2.LaunchTemplate(
                "clear-template",
                {
                    metadataOptions: { httpTokens: "required" },
                    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }],
                },
                opts,
            );
            new aws.ec2.LaunchTemplate(
                "ami-default",
                { metadataOptions: { httpTokens: "required" } },
                opts,
            );
            new aws.ebs.Volume("clear-volume", { availabilityZone: "eu-west-2a", size: 10 }, opts);
        },
        expected: [
            'ebs-encrypted: ami-default: declares no EBS block device, so its volumes take the AMI\'s encryption setting; declare the root volume with encrypted "true"',
            "ebs-encrypted: clear-volume: the volume is not encrypted",
            "ebs-encrypted: clear-template: block device /dev/xvda is not encrypted",
            "ebs-encrypted: clear-data: volume /dev/sdf is not encrypted",
        ],
    },
    {
        what: "public addresses off the entry point: asked for, mapped by the subnet, an Elastic IP, a launch template's interfaces (a tag changes nothing)",
        build: (opts) => {
            new aws.ec2.Instance(
                "bastion",
                instance({ associatePublicIpAddress: true, tags: { Exposure: "public" } }),
                opts,
            );
            const subnet = new aws.ec2.Subnet(
                "mapping",
                {
                    vpcId: "vpc-0123456789abcdef0",
                    cidrBlock: "10.9.0.0/24",
                    mapPublicIpOnLaunch: true,
                },
                opts,
            );
            const worker = new aws.ec2.Instance("worker", instance({ subnetId: subnet.id }), opts);
            const address = new aws.ec2.Eip("worker-ip", { domain: "vpc" }, opts);
            new aws.ec2.EipAssociation(
                "worker-ip",
                { allocationId: address.allocationId, instanceId: worker.id },
                opts,
            );
            new aws.ec2.Eip("direct-ip", { domain: "vpc", instance: worker.id }, opts);
            new aws.ec2.LaunchTemplate(
                "public-fleet",
                {
                    metadataOptions: { httpTokens: "required" },
                    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }],
                    networkInterfaces: [{ associatePublicIpAddress: "true" }],
                },
                opts,
            );
        },
        expected: [
            "public-address-only-on-the-web-entry-point: bastion: gets a public IP address (associatePublicIpAddress) but is not the designated web entry point",
            "public-address-only-on-the-web-entry-point: worker: gets a public IP address (its subnet mapping maps one on launch) but is not the designated web entry point",
            "public-address-only-on-the-web-entry-point: public-fleet: its instances get public IP addresses; hosts behind a load balancer need none",
            "public-address-only-on-the-web-entry-point: direct-ip: attaches an Elastic IP (instance) to worker, which is not the designated web entry point",
            "public-address-only-on-the-web-entry-point: worker-ip: attaches an Elastic IP (instanceId) to worker, which is not the designated web entry point",
        ],
    },
    // --- network ---
    {
        what: "world-open ports other than 80/443, in every kind of rule (0.0.0.0/0, ::/0, 0.0.0.0/1, all protocols)",
        build: (opts) => {
            const group = new aws.ec2.SecurityGroup(
                "open",
                {
                    vpcId: "vpc-0123456789abcdef0",
                    ingress: [
                        {
                            protocol: "tcp",
                            fromPort: 3389,
                            toPort: 3389,
                            cidrBlocks: ["0.0.0.0/1"],
                        },
                    ],
                },
                opts,
            );
            new aws.ec2.SecurityGroupRule(
                "ssh",
                {
                    type: "ingress",
                    securityGroupId: group.id,
                    protocol: "tcp",
                    fromPort: 22,
                    toPort: 22,
                    cidrBlocks: ["0.0.0.0/0"],
                },
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule(
                "postgres-v6",
                {
                    securityGroupId: group.id,
                    ipProtocol: "tcp",
                    fromPort: 5432,
                    toPort: 5432,
                    cidrIpv6: "::/0",
                },
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule(
                "everything",
                { securityGroupId: group.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" },
                opts,
            );
        },
        expected: [
            "world-ingress-web-ports-only: open: port 3389 from 0.0.0.0/1 is open to the internet; only 80 and 443 may be",
            "world-ingress-web-ports-only: everything: every port from 0.0.0.0/0 is open to the internet; only 80 and 443 may be",
            "world-ingress-web-ports-only: postgres-v6: port 5432 from ::/0 is open to the internet; only 80 and 443 may be",
            "world-ingress-web-ports-only: ssh: port 22 from 0.0.0.0/0 is open to the internet; only 80 and 443 may be",
            "world-ingress-only-at-the-entry-point: everything: opens open to the internet, which is not the web entry point's",
            "world-ingress-only-at-the-entry-point: postgres-v6: opens open to the internet, which is not the web entry point's",
            "world-ingress-only-at-the-entry-point: ssh: opens open to the internet, which is not the web entry point's",
            "world-ingress-only-at-the-entry-point: open: an inline rule opens it to the internet, and it is not the web entry point's",
        ],
    },
    {
        what: "HTTPS open to the world on a group that is not the entry point's",
        build: (opts) => {
            const group = new aws.ec2.SecurityGroup(
                "internal",
                { vpcId: "vpc-0123456789abcdef0" },
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule(
                "internal-https",
                {
                    securityGroupId: group.id,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: "0.0.0.0/0",
                },
                opts,
            );
        },
        expected: [
            "world-ingress-only-at-the-entry-point: internal-https: opens internal to the internet, which is not the web entry point's",
        ],
    },
    {
        what: "rules on the default security group (inline, and a rule resource on vpc.defaultSecurityGroupId)",
        build: (opts) => {
            const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.9.0.0/16" }, opts);
            new aws.ec2.FlowLog(
                "vpc-flow",
                { vpcId: vpc.id, trafficType: "ALL", logDestination: "arn:aws:s3:::flow" },
                opts,
            );
            new aws.ec2.DefaultSecurityGroup(
                "default",
                {
                    vpcId: vpc.id,
                    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
                },
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule(
                "on-default",
                {
                    securityGroupId: vpc.defaultSecurityGroupId,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: "10.0.0.0/8",
                },
                opts,
            );
        },
        expected: [
            "default-security-group-closed: default: the default security group has rules",
            "default-security-group-closed: on-default: adds a rule to the default security group of vpc",
        ],
    },
    {
        what: "a VPC without a flow log",
        build: (opts) => {
            new aws.ec2.Vpc("unlogged", { cidrBlock: "10.9.0.0/16" }, opts);
        },
        expected: ["vpc-flow-logs: unlogged: no flow log records its traffic"],
    },
    // --- load balancers ---
    {
        what: "an internet-facing ALB that passes invalid headers and writes no logs, HTTPS with an old or the default TLS policy, and plain HTTP that forwards",
        build: (opts) => {
            const alb = new aws.lb.LoadBalancer(
                "open-alb",
                { loadBalancerType: "application", subnets: [SUBNET, SUBNET_B] },
                opts,
            );
            const targets = new aws.lb.TargetGroup(
                "targets",
                { port: 8080, protocol: "HTTP", vpcId: VPC },
                opts,
            );
            const forward = [{ type: "forward", targetGroupArn: targets.arn }];
            new aws.lb.Listener(
                "old-tls",
                {
                    loadBalancerArn: alb.arn,
                    port: 443,
                    protocol: "HTTPS",
                    sslPolicy: "ELBSecurityPolicy-2016-08",
                    certificateArn: CERTIFICATE,
                    defaultActions: forward,
                },
                opts,
            );
            new aws.lb.Listener(
                "default-tls",
                {
                    loadBalancerArn: alb.arn,
                    port: 8443,
                    protocol: "HTTPS",
                    certificateArn: CERTIFICATE,
                    defaultActions: forward,
                },
                opts,
            );
            new aws.lb.Listener(
                "clear-text",
                { loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: forward },
                opts,
            );
        },
        expected: [
            "internet-load-balancer-hardened: open-alb: invalid header fields are passed on (dropInvalidHeaderFields)",
            "internet-load-balancer-hardened: open-alb: writes no access logs",
            "internet-load-balancer-behind-waf: open-alb: no WAF web ACL is associated with it, so nothing matches the URL-decoded path (the ALB's own rules miss /api/v1/auths/sign%69n)",
            "load-balancer-listeners-encrypted: clear-text: serves HTTP in clear text on port 80; it may only redirect to HTTPS",
            "load-balancer-listeners-encrypted: default-tls: TLS policy (default) allows TLS older than 1.2 or without forward secrecy; use an ELBSecurityPolicy-TLS13-1-2 policy",
            "load-balancer-listeners-encrypted: old-tls: TLS policy ELBSecurityPolicy-2016-08 allows TLS older than 1.2 or without forward secrecy; use an ELBSecurityPolicy-TLS13-1-2 policy",
        ],
    },
    {
        what: "an internal load balancer in clear text (the gateway's HTTP listener on 8000, one without a protocol), and a redirecting HTTP listener with a rule that forwards",
        build: (opts) => {
            const internal = new aws.lb.LoadBalancer(
                "gateway",
                { loadBalancerType: "application", internal: true, subnets: [SUBNET, SUBNET_B] },
                opts,
            );
            const targets = new aws.lb.TargetGroup(
                "gateways",
                { port: 8000, protocol: "HTTP", vpcId: VPC },
                opts,
            );
            const forward = [{ type: "forward", targetGroupArn: targets.arn }];
            new aws.lb.Listener(
                "gateway-http",
                {
                    loadBalancerArn: internal.arn,
                    port: 8000,
                    protocol: "HTTP",
                    defaultActions: forward,
                },
                opts,
            );
            new aws.lb.Listener(
                "no-protocol",
                { loadBalancerArn: internal.arn, port: 8080, defaultActions: forward },
                opts,
            );
            const redirecting = new aws.lb.Listener(
                "redirecting",
                {
                    loadBalancerArn: internal.arn,
                    port: 80,
                    protocol: "HTTP",
                    defaultActions: [
                        {
                            type: "redirect",
                            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
                        },
                    ],
                },
                opts,
            );
            new aws.lb.ListenerRule(
                "forwards-in-clear",
                {
                    listenerArn: redirecting.arn,
                    priority: 10,
                    conditions: [{ pathPattern: { values: ["/api/*"] } }],
                    actions: forward,
                },
                opts,
            );
        },
        expected: [
            "load-balancer-listeners-encrypted: no-protocol: serves HTTP in clear text on port 8080; it may only redirect to HTTPS",
            "load-balancer-listeners-encrypted: forwards-in-clear: a rule of the plain HTTP listener redirecting answers or forwards in clear text; it may only redirect to HTTPS",
            "load-balancer-listeners-encrypted: gateway-http: serves HTTP in clear text on port 8000; it may only redirect to HTTPS",
        ],
    },
    {
        what: "a production internet-facing ALB without deletion protection",
        stack: "prod",
        build: (opts) => {
            new aws.lb.LoadBalancer(
                "deletable",
                hardenedAlb({ enableDeletionProtection: false }),
                opts,
            );
        },
        expected: [
            "internet-load-balancer-hardened: deletable: a production load balancer must have deletion protection",
            "internet-load-balancer-behind-waf: deletable: no WAF web ACL is associated with it, so nothing matches the URL-decoded path (the ALB's own rules miss /api/v1/auths/sign%69n)",
        ],
    },
    {
        what: "in the load-balanced shape (an internet-facing ALB in front), a public address or world ingress on an instance, even one named like the single host",
        build: (opts) => {
            const alb = new aws.lb.LoadBalancer("portal", hardenedAlb(), opts);
            const targets = new aws.lb.TargetGroup(
                "web",
                { port: 8080, protocol: "HTTP", vpcId: VPC },
                opts,
            );
            new aws.lb.Listener(
                "https",
                {
                    loadBalancerArn: alb.arn,
                    port: 443,
                    protocol: "HTTPS",
                    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
                    certificateArn: CERTIFICATE,
                    defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
                },
                opts,
            );
            // Where the single tier's designated host would be: a Host component's instance, its
            // group open to the world as the single host's is.
            const hostGroup = new aws.ec2.SecurityGroup("host", { vpcId: VPC }, opts);
            new aws.vpc.SecurityGroupIngressRule(
                "host-https",
                {
                    securityGroupId: hostGroup.id,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: "0.0.0.0/0",
                },
                opts,
            );
            const host = new pulumi.ComponentResource("aiportal:compute:Host", "compute-web");
            const web = new aws.ec2.Instance(
                "compute-web-instance",
                instance({ associatePublicIpAddress: true, vpcSecurityGroupIds: [hostGroup.id] }),
                { ...opts, parent: host },
            );
            new aws.lb.TargetGroupAttachment(
                "web",
                { targetGroupArn: targets.arn, targetId: web.id },
                opts,
            );
            const worker = new aws.ec2.Instance(
                "web-2",
                instance({ associatePublicIpAddress: true }),
                opts,
            );
            new aws.lb.TargetGroupAttachment(
                "web-2",
                { targetGroupArn: targets.arn, targetId: worker.id },
                opts,
            );
        },
        expected: [
            "public-address-only-on-the-web-entry-point: web-2: gets a public IP address (associatePublicIpAddress) but is not the designated web entry point",
            "public-address-only-on-the-web-entry-point: compute-web-instance: gets a public IP address (associatePublicIpAddress) but is not the designated web entry point",
            "world-ingress-only-at-the-entry-point: host-https: opens host to the internet, which is not the web entry point's",
            "internet-load-balancer-behind-waf: portal: no WAF web ACL is associated with it, so nothing matches the URL-decoded path (the ALB's own rules miss /api/v1/auths/sign%69n)",
        ],
    },
    // --- the database ---
    {
        what: "an unencrypted, public database with 1 day of backups",
        build: (opts) => {
            new aws.rds.Instance(
                "exposed",
                database({
                    storageEncrypted: false,
                    publiclyAccessible: true,
                    backupRetentionPeriod: 1,
                }),
                opts,
            );
        },
        expected: [
            "rds-encrypted-private-backed-up: exposed: storage is not encrypted (storageEncrypted must be true)",
            "rds-encrypted-private-backed-up: exposed: the instance is publicly accessible",
            "rds-encrypted-private-backed-up: exposed: backups are kept 1 days; at least 7 are required",
            "rds-tls-forced: exposed: no parameter group of this stack forces TLS (rds.force_ssl = 1)",
        ],
    },
    {
        what: "a database that exports no logs and takes no minor upgrades",
        build: (opts) => {
            new aws.rds.Instance(
                "quiet",
                database({ enabledCloudwatchLogsExports: [], autoMinorVersionUpgrade: false }),
                opts,
            );
        },
        expected: [
            'rds-logs-exported-minor-upgrades-on: quiet: the PostgreSQL log is not exported (enabledCloudwatchLogsExports lacks "postgresql")',
            "rds-logs-exported-minor-upgrades-on: quiet: automatic minor version upgrades are off, so security fixes wait for someone",
            "rds-tls-forced: quiet: no parameter group of this stack forces TLS (rds.force_ssl = 1)",
        ],
    },
    {
        what: "Performance Insights without a named KMS key",
        build: (opts) => {
            new aws.rds.Instance(
                "insightful",
                database({ performanceInsightsEnabled: true }),
                opts,
            );
        },
        expected: [
            "rds-performance-insights-explicit-key: insightful: Performance Insights is on without performanceInsightsKmsKeyId: the key that encrypts captured queries is left to chance",
            "rds-tls-forced: insightful: no parameter group of this stack forces TLS (rds.force_ssl = 1)",
        ],
    },
    {
        what: "a production database: single-AZ, deletable, and gone without a final snapshot",
        stack: "prod",
        build: (opts) => {
            new aws.rds.Instance(
                "prod-db",
                database({ multiAz: false, deletionProtection: false }),
                opts,
            );
        },
        expected: [
            "prod-rds-multi-az-protected-final-snapshot: prod-db: a production database must be Multi-AZ",
            "prod-rds-multi-az-protected-final-snapshot: prod-db: a production database must have deletion protection",
            "prod-rds-multi-az-protected-final-snapshot: prod-db: a production database must take a final snapshot when deleted (skipFinalSnapshot false and a finalSnapshotIdentifier)",
            "rds-tls-forced: prod-db: no parameter group of this stack forces TLS (rds.force_ssl = 1)",
            "prod-data-customer-managed-key: prod-db: its storage is not under a customer-managed KMS key of this stack (kmsKeyId: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: prod-db: its managed master secret is not under a customer-managed KMS key of this stack (masterUserSecretKmsKeyId: the AWS-managed key); set encryptionKey: customer-managed",
        ],
    },
    {
        what: "a PostgreSQL database whose parameter group does not force TLS",
        build: (opts) => {
            const params = new aws.rds.ParameterGroup(
                "lenient",
                {
                    family: "postgres15",
                    parameters: [{ name: "log_min_duration_statement", value: "1000" }],
                },
                opts,
            );
            new aws.rds.Instance("plaintext", database({ parameterGroupName: params.name }), opts);
        },
        expected: [
            "rds-tls-forced: plaintext: no parameter group of this stack forces TLS (rds.force_ssl = 1)",
        ],
    },
    // --- S3 ---
    {
        what: "a bucket with nothing guarding it: no public access block, encryption, TLS policy or versioning",
        build: (opts) => {
            const bucket = new aws.s3.Bucket("bare", {}, opts);
            new aws.s3.BucketPublicAccessBlock(
                "half-block",
                { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true },
                opts,
            );
            const suspended = new aws.s3.Bucket("suspended", {}, opts);
            new aws.s3.BucketVersioning(
                "suspended",
                { bucket: suspended.id, versioningConfiguration: { status: "Suspended" } },
                opts,
            );
        },
        expected: [
            "s3-public-access-block-complete: half-block: ignorePublicAcls is not true",
            "s3-public-access-block-complete: half-block: restrictPublicBuckets is not true",
            "s3-private-encrypted-tls-only: bare: no default encryption",
            "s3-private-encrypted-tls-only: bare: no bucket policy denies requests without TLS",
            "s3-private-encrypted-tls-only: suspended: no public access block",
            "s3-private-encrypted-tls-only: suspended: no default encryption",
            "s3-private-encrypted-tls-only: suspended: no bucket policy denies requests without TLS",
            "s3-versioning: bare: versioning is not enabled",
            "s3-versioning: suspended: versioning is not enabled",
        ],
    },
    // --- IAM ---
    {
        what: 'wildcard actions, and writes or secret reads on Resource "*"',
        build: (opts) => {
            const role = new aws.iam.Role("app", { assumeRolePolicy: TRUST_EC2 }, opts);
            new aws.iam.RolePolicy(
                "broad",
                {
                    role: role.name,
                    policy: document([
                        { Sid: "Everything", Effect: "Allow", Action: ["s3:*"], Resource: "*" },
                        {
                            Sid: "AllSecrets",
                            Effect: "Allow",
                            Action: ["secretsmanager:GetSecretValue"],
                            Resource: "*",
                        },
                        {
                            Sid: "Launch",
                            Effect: "Allow",
                            Action: ["ec2:RunInstances"],
                            Resource: "*",
                        },
                        {
                            Sid: "Metrics",
                            Effect: "Allow",
                            Action: ["cloudwatch:PutMetricData"],
                            Resource: "*",
                        },
                        {
                            Sid: "EverySecretHere",
                            Effect: "Allow",
                            Action: ["secretsmanager:GetSecretValue"],
                            Resource: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:*",
                        },
                        {
                            // What AmazonSSMManagedInstanceCore would give: every parameter.
                            Sid: "EveryParameter",
                            Effect: "Allow",
                            Action: ["ssm:GetParameter*"],
                            Resource: "*",
                        },
                        {
                            Sid: "Fine",
                            Effect: "Allow",
                            Action: ["ec2:DescribeSubnets"],
                            Resource: "*",
                        },
                    ]),
                },
                opts,
            );
        },
        expected: [
            'iam-no-wildcard-actions: broad: statement Everything allows the wildcard action "s3:*"',
            'iam-no-wildcard-actions: broad: statement EveryParameter allows the wildcard action "ssm:GetParameter*"',
            'iam-resource-star-only-where-unscopable: broad: statement Everything allows s3:* on "*"; name the resources',
            'iam-resource-star-only-where-unscopable: broad: statement AllSecrets allows secretsmanager:GetSecretValue on "*"; name the resources',
            'iam-resource-star-only-where-unscopable: broad: statement Launch allows ec2:RunInstances on "*"; name the resources',
            'iam-resource-star-only-where-unscopable: broad: statement Metrics allows cloudwatch:PutMetricData on "*" without a cloudwatch:namespace condition',
            "iam-resource-star-only-where-unscopable: broad: statement EverySecretHere reads every secret of its kind (arn:aws:secretsmanager:eu-west-2:123456789012:secret:*)",
            'iam-resource-star-only-where-unscopable: broad: statement EveryParameter allows ssm:GetParameter* on "*"; name the resources',
        ],
    },
    {
        what: "AdministratorAccess and PowerUserAccess",
        build: (opts) => {
            const role = new aws.iam.Role(
                "admin",
                {
                    assumeRolePolicy: TRUST_EC2,
                    managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
                },
                opts,
            );
            new aws.iam.RolePolicyAttachment(
                "admin",
                { role: role.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
                opts,
            );
        },
        expected: [
            "iam-no-admin-managed-policies: admin: attaches PowerUserAccess: administrator rights, where a scoped policy will do",
            "iam-no-admin-managed-policies: admin: attaches AdministratorAccess: administrator rights, where a scoped policy will do",
        ],
    },
    {
        what: 'trust policies anyone may use: Principal "*", AWS "*", a service without a source condition',
        build: (opts) => {
            for (const [name, principal] of [
                ["anyone", "*"],
                ["any-account", { AWS: "*" }],
                ["borrowed", { Service: "vpc-flow-logs.amazonaws.com" }],
            ] as const) {
                new aws.iam.Role(
                    name,
                    {
                        assumeRolePolicy: document([
                            {
                                Sid: "Trust",
                                Effect: "Allow",
                                Principal: principal,
                                Action: "sts:AssumeRole",
                            },
                        ]),
                    },
                    opts,
                );
            }
        },
        expected: [
            'iam-trust-no-confused-deputy: anyone: statement Trust lets anyone assume the role (Principal "*")',
            'iam-trust-no-confused-deputy: any-account: statement Trust lets anyone assume the role (Principal "*")',
            "iam-trust-no-confused-deputy: borrowed: statement Trust trusts vpc-flow-logs.amazonaws.com without aws:SourceAccount or aws:SourceArn, so another account's resource could make it act with this role",
        ],
    },
    // --- ECR and Lambda ---
    {
        what: "an ECR repository with mutable tags and no scanning",
        build: (opts) => {
            new aws.ecr.Repository("loose", { imageTagMutability: "MUTABLE" }, opts);
        },
        expected: [
            "ecr-scan-on-push-immutable-tags: loose: images are not scanned on push (imageScanningConfiguration.scanOnPush)",
            "ecr-scan-on-push-immutable-tags: loose: tags are MUTABLE: a pushed tag could be replaced by another image",
        ],
    },
    {
        what: "a Lambda function outside the VPC whose role reads the database's master secret",
        build: (opts) => {
            const db = new aws.rds.Instance("db", database(), opts);
            const role = new aws.iam.Role(
                "reader",
                {
                    assumeRolePolicy: document([
                        {
                            Effect: "Allow",
                            Principal: { Service: "lambda.amazonaws.com" },
                            Action: "sts:AssumeRole",
                        },
                    ]),
                },
                opts,
            );
            new aws.iam.RolePolicy(
                "reader",
                {
                    role: role.name,
                    policy: db.masterUserSecrets.apply((secrets) =>
                        document([
                            {
                                Sid: "ReadMaster",
                                Effect: "Allow",
                                Action: ["secretsmanager:GetSecretValue"],
                                Resource: [secrets[0].secretArn],
                            },
                        ]),
                    ),
                },
                opts,
            );
            new aws.lambda.Function(
                "outside",
                {
                    role: role.arn,
                    runtime: "nodejs22.x",
                    handler: "index.handler",
                    code: new pulumi.asset.AssetArchive({}),
                },
                opts,
            );
        },
        expected: [
            "rds-tls-forced: db: no parameter group of this stack forces TLS (rds.force_ssl = 1)",
            "lambda-reading-database-secrets-in-vpc: outside: can read the database's secrets but runs outside the VPC (no vpcConfig subnets)",
        ],
    },
    // --- encryption keys ---
    {
        what: "production data under AWS-managed keys (a secret, a log group, a topic, a database, a bucket, an image repository), and one under a key ARN pasted in",
        stack: "prod",
        build: (opts) => {
            new aws.secretsmanager.Secret("plain-secret", {}, opts);
            new aws.cloudwatch.LogGroup("plain-logs", { retentionInDays: 30 }, opts);
            new aws.sns.Topic("plain-topic", {}, opts);
            new aws.cloudwatch.LogGroup(
                "pasted-key-logs",
                {
                    retentionInDays: 30,
                    kmsKeyId:
                        "arn:aws:kms:eu-west-2:123456789012:key/01234567-89ab-cdef-0123-456789abcdef",
                },
                opts,
            );
            const bucket = new aws.s3.Bucket("sse-s3", {}, opts);
            new aws.s3.BucketServerSideEncryptionConfiguration(
                "sse-s3-encryption",
                {
                    bucket: bucket.id,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                },
                opts,
            );
            new aws.ecr.Repository(
                "aes-images",
                {
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    encryptionConfigurations: [{ encryptionType: "AES256" }],
                },
                opts,
            );
        },
        expected: [
            "prod-data-customer-managed-key: plain-secret: the secret is not under a customer-managed KMS key of this stack (kmsKeyId: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: plain-topic: the topic's messages is not under a customer-managed KMS key of this stack (kmsMasterKeyId: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: plain-logs: the log group is not under a customer-managed KMS key of this stack (kmsKeyId: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: pasted-key-logs: the log group is not under a customer-managed KMS key of this stack (kmsKeyId: a key the stack does not declare); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: aes-images: the repository's images is not under a customer-managed KMS key of this stack (encryptionConfigurations: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: sse-s3-encryption: the bucket's default encryption is not under a customer-managed KMS key of this stack (rules: the AWS-managed key); set encryptionKey: customer-managed",
            "s3-private-encrypted-tls-only: sse-s3: no public access block",
            "s3-private-encrypted-tls-only: sse-s3: no bucket policy denies requests without TLS",
            "s3-versioning: sse-s3: versioning is not enabled",
        ],
    },
    {
        what: "a production database whose storage and Performance Insights are under AWS-managed keys",
        stack: "prod",
        build: (opts) => {
            new aws.rds.Instance(
                "aws-managed-db",
                database({ performanceInsightsEnabled: true, multiAz: true }),
                opts,
            );
        },
        expected: [
            "rds-performance-insights-explicit-key: aws-managed-db: Performance Insights is on without performanceInsightsKmsKeyId: the key that encrypts captured queries is left to chance",
            "prod-rds-multi-az-protected-final-snapshot: aws-managed-db: a production database must have deletion protection",
            "prod-rds-multi-az-protected-final-snapshot: aws-managed-db: a production database must take a final snapshot when deleted (skipFinalSnapshot false and a finalSnapshotIdentifier)",
            "rds-tls-forced: aws-managed-db: no parameter group of this stack forces TLS (rds.force_ssl = 1)",
            "prod-data-customer-managed-key: aws-managed-db: its storage is not under a customer-managed KMS key of this stack (kmsKeyId: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: aws-managed-db: Performance Insights is not under a customer-managed KMS key of this stack (performanceInsightsKmsKeyId: the AWS-managed key); set encryptionKey: customer-managed",
            "prod-data-customer-managed-key: aws-managed-db: its managed master secret is not under a customer-managed KMS key of this stack (masterUserSecretKmsKeyId: the AWS-managed key); set encryptionKey: customer-managed",
        ],
    },
    // --- AI governance ---
    {
        what: "a production portal stack (it calls Bedrock) without a guardrail, with Open WebUI's audit log off and no audit log group",
        stack: "prod",
        build: (opts) => {
            new aws.bedrock.InferenceProfile(
                "model",
                {
                    name: "model",
                    modelSource: {
                        copyFrom:
                            "arn:aws:bedrock:eu-west-2:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-20250514-v1:0",
                    },
                },
                opts,
            );
            // Its volume under a key of the stack, as production's data must be.
            const key = new aws.kms.Key("data", { enableKeyRotation: true }, opts);
            new aws.ec2.Instance(
                "web",
                instance({
                    rootBlockDevice: { encrypted: true, volumeType: "gp3", kmsKeyId: key.arn },
                    // Open WebUI's settings as the boot script writes them.
                    userData:
                        "#!/bin/bash\ncat <<'SETTINGS'\nWEBUI_URL=https://portal.example.com\nAUDIT_LOG_LEVEL=NONE\nSETTINGS\n",
                }),
                opts,
            );
        },
        expected: [
            "prod-guardrail-enforced: stack: no Bedrock guardrail: a production stack's Bedrock calls must pass one (config guardrail: on)",
            "prod-audit-trail: web: Open WebUI's audit log is off (AUDIT_LOG_LEVEL NONE); set auditLogLevel to METADATA",
            "prod-audit-trail: stack: no audit log group (/<prefix>/audit): Open WebUI's audit trail is not kept",
        ],
    },
    // --- operations ---
    {
        what: "a log group kept forever",
        build: (opts) => {
            new aws.cloudwatch.LogGroup("forever", {}, opts);
        },
        expected: [
            "log-group-retention: forever: no retention: the logs would be kept (and billed) forever",
        ],
    },
];

describe("policy pack: what `pulumi preview` shows of each policy", () => {
    it("every policy is mandatory, has a unique kebab-case name and describes itself in a sentence", () => {
        const names = portalPolicies.map((p) => p.name);
        assert.deepStrictEqual([...new Set(names)], names);
        for (const policy of portalPolicies) {
            assert.strictEqual(policy.enforcementLevel, "mandatory", policy.name);
            assert.match(policy.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            // The analyzer shows the description next to each violation.
            assert.match(policy.description, /^[A-Z"'].{15,}\.$/, policy.name);
        }
    });
});

describe("policy pack: each policy catches bad resources", () => {
    for (const c of CASES) {
        it(`catches ${c.what}`, async () => {
            const found = await objections(c.build, { stack: c.stack });
            assert.deepStrictEqual([...found].sort(), [...c.expected].sort());
        });
    }

    it("catches a taggable resource without the project's tags (no default tags on its provider)", async () => {
        const found = await objections(
            (opts) => {
                new aws.cloudwatch.LogGroup(
                    "untagged",
                    { retentionInDays: 30, tags: { Name: "untagged" } },
                    opts,
                );
            },
            { tags: false },
        );
        assert.deepStrictEqual(found, [
            "required-tags: untagged: missing tag(s) Project, Stack, ManagedBy",
        ]);
    });

    it("lets through what is fine: EC2 and Lambda trusted without a source condition (PassRole only), HTTPS on the entry point's group, a private /8", async () => {
        const found = await objections((opts) => {
            new aws.iam.Role("host", { assumeRolePolicy: TRUST_EC2 }, opts);
            const group = new aws.ec2.SecurityGroup(
                "internal",
                { vpcId: "vpc-0123456789abcdef0" },
                opts,
            );
            new aws.vpc.SecurityGroupIngressRule(
                "from-the-company",
                {
                    securityGroupId: group.id,
                    ipProtocol: "tcp",
                    fromPort: 5432,
                    toPort: 5432,
                    cidrIpv4: "10.0.0.0/8",
                },
                opts,
            );
        });
        assert.deepStrictEqual(found, []);
    });

    for (const stack of ["dev", "prod"]) {
        it(`lets through load balancers that are fine (${stack}): an internal one over HTTPS, and a hardened internet-facing one behind WAF whose port 80 only redirects${stack === "dev" ? ", without deletion protection (the production rule is production's)" : ""}`, async () => {
            const found = await objections(
                (opts) => {
                    const internal = new aws.lb.LoadBalancer(
                        "internal",
                        {
                            loadBalancerType: "application",
                            internal: true,
                            subnets: [SUBNET, SUBNET_B],
                        },
                        opts,
                    );
                    new aws.lb.Listener(
                        "internal-https",
                        {
                            loadBalancerArn: internal.arn,
                            port: 443,
                            protocol: "HTTPS",
                            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
                            certificateArn: CERTIFICATE,
                            defaultActions: [
                                {
                                    type: "fixed-response",
                                    fixedResponse: { contentType: "text/plain", statusCode: "200" },
                                },
                            ],
                        },
                        opts,
                    );
                    const alb = new aws.lb.LoadBalancer(
                        "edge",
                        hardenedAlb({ enableDeletionProtection: stack === "prod" }),
                        opts,
                    );
                    const acl = new aws.wafv2.WebAcl(
                        "edge",
                        {
                            scope: "REGIONAL",
                            defaultAction: { allow: {} },
                            visibilityConfig: {
                                cloudwatchMetricsEnabled: true,
                                metricName: "edge",
                                sampledRequestsEnabled: true,
                            },
                        },
                        opts,
                    );
                    new aws.wafv2.WebAclAssociation(
                        "edge",
                        { resourceArn: alb.arn, webAclArn: acl.arn },
                        opts,
                    );
                    new aws.lb.Listener(
                        "https",
                        {
                            loadBalancerArn: alb.arn,
                            port: 443,
                            protocol: "HTTPS",
                            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
                            certificateArn: CERTIFICATE,
                            defaultActions: [
                                {
                                    type: "fixed-response",
                                    fixedResponse: { contentType: "text/plain", statusCode: "200" },
                                },
                            ],
                        },
                        opts,
                    );
                    new aws.lb.Listener(
                        "http",
                        {
                            loadBalancerArn: alb.arn,
                            port: 80,
                            protocol: "HTTP",
                            defaultActions: [
                                {
                                    type: "redirect",
                                    redirect: {
                                        protocol: "HTTPS",
                                        port: "443",
                                        statusCode: "HTTP_301",
                                    },
                                },
                            ],
                        },
                        opts,
                    );
                },
                { stack },
            );
            assert.deepStrictEqual(found, []);
        });
    }

    it("a development database may skip its final snapshot (the production rule is production's)", async () => {
        const found = await objections((opts) => {
            const params = new aws.rds.ParameterGroup(
                "tls",
                { family: "postgres15", parameters: [{ name: "rds.force_ssl", value: "1" }] },
                opts,
            );
            new aws.rds.Instance("dev-db", database({ parameterGroupName: params.name }), opts);
        });
        assert.deepStrictEqual(found, []);
    });

    it("every policy in the pack has a bad resource above that it catches", () => {
        const tested = new Set([
            ...CASES.flatMap((c) => c.expected.map((e) => e.split(":")[0])),
            "required-tags",
        ]);
        assert.deepStrictEqual(
            portalPolicies.map((p) => p.name).filter((name) => !tested.has(name)),
            [],
        );
    });

    it("the pack's entry only constructs the PolicyPack (the policies stay importable by tests)", () => {
        const entry = fs.readFileSync(path.join(PROJECT_DIR, "policy/index.ts"), "utf8");
        assert.match(
            entry,
            /new PolicyPack\("ai-portal-guardrails", \{ policies: portalPolicies \}\)/,
        );
        for (const file of fs
            .readdirSync(path.join(PROJECT_DIR, "policy"))
            .filter((f) => f.endsWith(".ts") && f !== "index.ts")) {
            assert.doesNotMatch(
                fs.readFileSync(path.join(PROJECT_DIR, "policy", file), "utf8"),
                /new PolicyPack/,
                file,
            );
        }
    });
});

describe("policy pack: the README's controls table", () => {
    it("is the table rendered from policy/controls.ts, byte for byte (stale: run npm run docs)", () => {
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        const section =
            /<!-- generated:controls -->\n([\s\S]*?)\n<!-- \/generated:controls -->/.exec(readme);
        assert.ok(section, "README.md has a generated:controls section");
        assert.strictEqual(section[1], controlsTable());
    });

    it("has one row per control, each with four non-empty cells and no stray pipe", () => {
        const rows = controlsTable().split("\n");
        assert.deepStrictEqual(rows.slice(0, 2), [
            "| control | AWS FSBP / CIS | the program | enforced by |",
            "|---|---|---|---|",
        ]);
        assert.strictEqual(rows.length, CONTROLS.length + 2);
        for (const [i, row] of rows.slice(2).entries()) {
            const c = CONTROLS[i];
            assert.strictEqual(
                row,
                `| ${c.control} | ${c.standard} | ${c.program} | ${c.enforcedBy} |`,
            );
            for (const cell of [c.control, c.standard, c.program, c.enforcedBy]) {
                assert.ok(cell.trim().length > 0 && !cell.includes("|"), `${c.control}: ${cell}`);
            }
            // A standard cell names FSBP or CIS ids, or says there is none.
            assert.match(c.standard, /^(-|(FSBP|CIS) [0-9A-Za-z.]+.*)$/, c.control);
        }
    });

    it("names every policy of the pack, and only policies the pack has", () => {
        const named = new Set(
            CONTROLS.flatMap((c) => [...c.enforcedBy.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1])),
        );
        const policies = portalPolicies.map((p) => p.name);
        assert.deepStrictEqual(
            policies.filter((p) => !named.has(p)),
            [],
            "every policy has a row",
        );
        assert.deepStrictEqual(
            [...named].filter((n) => !policies.includes(n)),
            [],
            "every policy a row names exists",
        );
    });
});
