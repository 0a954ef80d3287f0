/**
 * The compute tier's components constructed alone under the mocks, from plain inputs: Host,
 * HostFleet, GatewayLoadBalancer, UploadsBucket, GatewayImage, and the Compute wiring in both web
 * tiers; and the pure statement builders.
 */
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { Compute, ComputeArgs } from "../../compute";
import { HostFleet, HostFleetArgs } from "../../compute/fleet";
import { gatewayStatements } from "../../compute/gateway";
import { GatewayLoadBalancer } from "../../compute/gatewayLoadBalancer";
import { TLS_POLICY } from "../../edge";
import { Host, HostArgs, sessionManagerStatements } from "../../compute/host";
import { GatewayImage } from "../../compute/images";
import { UploadsBucket } from "../../compute/uploadsBucket";
import { webStatements } from "../../compute/web";
import { scriptOf } from "../../compute/userData";
import { childNames, runComponent } from "../harness/component";
import { named, ofType, parseJson } from "../harness/query";

const HOST: HostArgs = {
    namePrefix: "ai-portal-test",
    role: "worker",
    description: "a test host",
    subnetId: "subnet-a",
    securityGroupIds: ["sg-1"],
    instanceType: "t3.medium",
    rootVolumeGb: 40,
    publicAddress: false,
    userData: "#!/bin/bash\n",
    logRetentionDays: 14,
    statements: [
        { Sid: "Extra", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] },
    ],
};

function host(args: Partial<HostArgs> = {}) {
    return runComponent((opts) => ({ id: new Host("h", { ...HOST, ...args }, opts).instanceId }));
}

describe("Host (component)", () => {
    it("IMDSv2 only (hop limit 2), an encrypted gp3 root of the given size, user data applied by stop/start", async () => {
        const i = named(await host(), "aws:ec2/instance:Instance", "h-instance").inputs;
        assert.deepStrictEqual(i.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 2,
            instanceMetadataTags: "disabled",
        });
        assert.deepStrictEqual(i.rootBlockDevice, {
            volumeType: "gp3",
            volumeSize: 40,
            encrypted: true,
            deleteOnTermination: true,
        });
        assert.deepStrictEqual(
            [i.userDataReplaceOnChange, i.associatePublicIpAddress, i.keyName],
            [false, false, undefined],
        );
    });

    it("keeps the AMI it was created with unless one is pinned", async () => {
        const unpinned = named(await host(), "aws:ec2/instance:Instance", "h-instance");
        assert.deepStrictEqual(
            [unpinned.inputs.ami, unpinned.ignoreChanges],
            // The root volume's key too: a new key would replace the host.
            ["ami-0b45ae66668865cd6", ["ami", "rootBlockDevice.kmsKeyId"]],
        );
        const pinned = named(
            await host({ amiId: "ami-0123456789abcdef0" }),
            "aws:ec2/instance:Instance",
            "h-instance",
        );
        assert.deepStrictEqual(
            [pinned.inputs.ami, pinned.ignoreChanges],
            ["ami-0123456789abcdef0", ["rootBlockDevice.kmsKeyId"]],
        );
    });

    it("may write its own log group and do exactly what it is given, and boots only after its role can", async () => {
        const run = await host();
        const statements = parseJson(
            named(run, "aws:iam/rolePolicy:RolePolicy", "h-policy").inputs.policy,
        ).Statement;
        const group = named(run, "aws:cloudwatch/logGroup:LogGroup", "h-logs");
        assert.deepStrictEqual(statements, [
            {
                Sid: "RegisterWithSessionManager",
                Effect: "Allow",
                Action: ["ssm:UpdateInstanceInformation"],
                Resource: ["arn:aws:ec2:eu-west-2:123456789012:instance/*"],
            },
            {
                Sid: "OpenSessionChannels",
                Effect: "Allow",
                Action: sessionManagerStatements("aws", "eu-west-2", "1")[1].Action,
                Resource: "*",
            },
            {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: [`${group.state.arn}:*`],
            },
            HOST.statements[0],
        ]);
        assert.deepStrictEqual(
            [group.inputs.name, group.inputs.retentionInDays],
            ["/ai-portal-test/worker", 14],
        );
        const instance = named(run, "aws:ec2/instance:Instance", "h-instance");
        for (const needed of ["h-policy", "h-logs"]) {
            assert.ok(
                instance.dependencies.some((urn) => urn.endsWith(`::${needed}`)),
                needed,
            );
        }
        assert.deepStrictEqual(childNames(run), [
            "h",
            "h-instance",
            "h-logs",
            "h-policy",
            "h-profile",
            "h-role",
        ]);
    });

    it("tags a public host as the public entry point, and a private one as private", async () => {
        assert.strictEqual(
            named(await host({ publicAddress: true }), "aws:ec2/instance:Instance", "h-instance")
                .inputs.tags.Exposure,
            "public",
        );
        assert.strictEqual(
            named(await host(), "aws:ec2/instance:Instance", "h-instance").inputs.tags.Exposure,
            "private",
        );
    });
});

const FLEET: HostFleetArgs = {
    namePrefix: "ai-portal-test",
    role: "worker",
    description: "test hosts",
    subnetIds: ["subnet-a", "subnet-b"],
    securityGroupIds: ["sg-1"],
    instanceType: "t3.medium",
    rootVolumeGb: 40,
    userData: "#!/bin/bash\necho fleet\n",
    logRetentionDays: 14,
    statements: HOST.statements,
    minHosts: 2,
    maxHosts: 5,
    targetGroupArns: ["arn:aws:elasticloadbalancing:eu-west-2:123456789012:targetgroup/t/1"],
    tags: { Project: "ai-portal", Stack: "test", ManagedBy: "pulumi" },
    bootSeconds: 420,
};

function fleet(args: Partial<HostFleetArgs> = {}) {
    return runComponent((opts) => {
        const f = new HostFleet("f", { ...FLEET, ...args }, opts);
        return {
            groupName: f.groupName,
            launchTemplateId: f.launchTemplateId,
            roleName: f.roleName,
            logGroupName: f.logGroupName,
        };
    });
}

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const GROUP = "aws:autoscaling/group:Group";

describe("HostFleet (component)", () => {
    it("a Host's identity (role, policy, profile, log group) and a template, a group and a scaling policy; nothing else", async () => {
        const run = await fleet();
        assert.ifError(run.error);
        assert.deepStrictEqual(childNames(run), [
            "f",
            "f-cpu-tracking",
            "f-group",
            "f-logs",
            "f-policy",
            "f-profile",
            "f-role",
            "f-template",
        ]);
        const statements = parseJson(
            named(run, "aws:iam/rolePolicy:RolePolicy", "f-policy").inputs.policy,
        ).Statement;
        assert.deepStrictEqual(
            statements.map((s: { Sid: string }) => s.Sid),
            ["RegisterWithSessionManager", "OpenSessionChannels", "WriteOwnLogs", "Extra"],
        );
        const template = named(run, LAUNCH_TEMPLATE, "f-template");
        const profile = named(run, "aws:iam/instanceProfile:InstanceProfile", "f-profile");
        assert.deepStrictEqual(template.inputs.iamInstanceProfile, { arn: profile.state.arn });
        assert.deepStrictEqual(
            [run.outputs.logGroupName, run.outputs.roleName, run.outputs.launchTemplateId],
            [
                "/ai-portal-test/worker",
                named(run, "aws:iam/role:Role", "f-role").state.name,
                template.id,
            ],
        );
    });

    it("launch template: IMDSv2 only (hop limit 2), an encrypted gp3 root of the given size, the script base64-encoded, no public address", async () => {
        const i = named(await fleet(), LAUNCH_TEMPLATE, "f-template").inputs;
        assert.deepStrictEqual(i.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 2,
            instanceMetadataTags: "disabled",
        });
        assert.deepStrictEqual(i.blockDeviceMappings, [
            {
                deviceName: "/dev/xvda",
                ebs: {
                    volumeType: "gp3",
                    volumeSize: 40,
                    encrypted: "true",
                    deleteOnTermination: "true",
                },
            },
        ]);
        assert.strictEqual(Buffer.from(i.userData, "base64").toString("utf8"), FLEET.userData);
        assert.deepStrictEqual(
            [i.name, i.instanceType, i.vpcSecurityGroupIds, i.updateDefaultVersion],
            ["ai-portal-test-worker", "t3.medium", ["sg-1"], true],
        );
        assert.doesNotMatch(JSON.stringify(i), /associatePublicIpAddress|networkInterfaces/);
    });

    it("launch template: keeps the AMI it was created with unless one is pinned", async () => {
        const unpinned = named(await fleet(), LAUNCH_TEMPLATE, "f-template");
        assert.deepStrictEqual(
            [unpinned.inputs.imageId, unpinned.ignoreChanges],
            ["ami-0b45ae66668865cd6", ["imageId"]],
        );
        const pinned = named(
            await fleet({ amiId: "ami-0123456789abcdef0" }),
            LAUNCH_TEMPLATE,
            "f-template",
        );
        assert.deepStrictEqual(
            [pinned.inputs.imageId, pinned.ignoreChanges],
            ["ami-0123456789abcdef0", []],
        );
    });

    it("the hosts and their volumes carry the given tags and their Name; the group's own tags are not propagated twice", async () => {
        const run = await fleet();
        const tags = { ...FLEET.tags, Name: "ai-portal-test-worker" };
        assert.deepStrictEqual(named(run, LAUNCH_TEMPLATE, "f-template").inputs.tagSpecifications, [
            { resourceType: "instance", tags },
            { resourceType: "volume", tags },
        ]);
        assert.deepStrictEqual(named(run, GROUP, "f-group").inputs.tags, [
            { key: "ManagedBy", value: "pulumi", propagateAtLaunch: false },
            { key: "Name", value: "ai-portal-test-worker", propagateAtLaunch: false },
            { key: "Project", value: "ai-portal", propagateAtLaunch: false },
            { key: "Stack", value: "test", propagateAtLaunch: false },
        ]);
    });

    it("group: the given subnets and sizes, the template's latest version, the target groups' health after the boot time", async () => {
        const run = await fleet();
        const template = named(run, LAUNCH_TEMPLATE, "f-template");
        const g = named(run, GROUP, "f-group").inputs;
        assert.deepStrictEqual(
            [g.name, g.vpcZoneIdentifiers, g.minSize, g.maxSize, g.desiredCapacity],
            ["ai-portal-test-worker", ["subnet-a", "subnet-b"], 2, 5, undefined],
        );
        assert.deepStrictEqual(g.launchTemplate, { id: template.id, version: "1" });
        assert.deepStrictEqual(g.targetGroupArns, FLEET.targetGroupArns);
        assert.deepStrictEqual(
            [
                g.healthCheckType,
                g.healthCheckGracePeriod,
                g.defaultInstanceWarmup,
                g.minElbCapacity,
            ],
            ["ELB", 420, 420, 2],
        );
        assert.strictEqual(run.outputs.groupName, named(run, GROUP, "f-group").state.name);
    });

    it("group: a new template version is rolled out by instance refresh, at least half the hosts in service", async () => {
        assert.deepStrictEqual(named(await fleet(), GROUP, "f-group").inputs.instanceRefresh, {
            strategy: "Rolling",
            preferences: { minHealthyPercentage: 50, instanceWarmup: "420" },
        });
    });

    it("group: launches hosts only once their role may act and their log group exists, and after what the caller names", async () => {
        const run = await runComponent((opts, provider) => {
            const before = new aws.sns.Topic("needed", {}, { provider });
            new HostFleet("f", { ...FLEET, waitFor: [before] }, opts);
            return {};
        });
        assert.ifError(run.error);
        const group = named(run, GROUP, "f-group");
        for (const needed of ["f-policy", "f-logs", "needed"]) {
            assert.ok(
                group.dependencies.some((urn) => urn.endsWith(`::${needed}`)),
                needed,
            );
        }
    });

    it("scaling: CPU target tracking at 60%, the boot time as warm-up", async () => {
        const run = await fleet();
        const policy = named(run, "aws:autoscaling/policy:Policy", "f-cpu-tracking").inputs;
        assert.deepStrictEqual(
            [
                policy.autoscalingGroupName,
                policy.policyType,
                policy.estimatedInstanceWarmup,
                policy.targetTrackingConfiguration,
            ],
            [
                named(run, GROUP, "f-group").state.name,
                "TargetTrackingScaling",
                420,
                {
                    predefinedMetricSpecification: {
                        predefinedMetricType: "ASGAverageCPUUtilization",
                    },
                    targetValue: 60,
                },
            ],
        );
    });
});

describe("GatewayLoadBalancer (component)", () => {
    const build = () =>
        runComponent((opts) => {
            const lb = new GatewayLoadBalancer(
                "glb",
                {
                    namePrefix: "ai-portal-test",
                    vpcId: "vpc-1",
                    privateSubnetIds: ["subnet-priv-a", "subnet-priv-b"],
                    securityGroupId: "sg-glb",
                    port: 9000,
                    domainName: "portal.example.com",
                    hostedZoneId: "Z0123456789ABCDEFGHIJ",
                },
                opts,
            );
            return {
                url: lb.url,
                dnsName: lb.dnsName,
                loadBalancerArn: lb.loadBalancerArn,
                targetGroupArn: lb.targetGroupArn,
                loadBalancerArnSuffix: lb.loadBalancerArnSuffix,
                targetGroupArnSuffix: lb.targetGroupArnSuffix,
            };
        });

    it("an internal ALB in the private subnets, in the given group, dropping invalid headers", async () => {
        const run = await build();
        assert.ifError(run.error);
        assert.deepStrictEqual(childNames(run), [
            "glb",
            "glb-alias",
            "glb-certificate",
            "glb-certificate-validated",
            "glb-certificate-validation",
            "glb-https",
            "glb-lb",
            "glb-targets",
        ]);
        const lb = named(run, "aws:lb/loadBalancer:LoadBalancer", "glb-lb");
        assert.deepStrictEqual(
            [
                lb.inputs.loadBalancerType,
                lb.inputs.internal,
                lb.inputs.subnets,
                lb.inputs.securityGroups,
                lb.inputs.dropInvalidHeaderFields,
            ],
            ["application", true, ["subnet-priv-a", "subnet-priv-b"], ["sg-glb"], true],
        );
        assert.deepStrictEqual(
            [run.outputs.dnsName, run.outputs.loadBalancerArn, run.outputs.loadBalancerArnSuffix],
            [lb.state.dnsName, lb.state.arn, lb.state.arnSuffix],
        );
        assert.match(String(run.outputs.dnsName), /^internal-/);
    });

    it("health-checks the gateway's unauthenticated /health on its port, over HTTP in the VPC", async () => {
        const run = await build();
        const targets = named(run, "aws:lb/targetGroup:TargetGroup", "glb-targets");
        assert.deepStrictEqual(
            [
                targets.inputs.vpcId,
                targets.inputs.targetType,
                targets.inputs.protocol,
                targets.inputs.port,
            ],
            ["vpc-1", "instance", "HTTP", 9000],
        );
        const check = targets.inputs.healthCheck;
        assert.deepStrictEqual([check.path, check.matcher], ["/health", "200"]);
        // No port of its own: the traffic port, the gateway's.
        assert.ok(check.port === undefined || check.port === "traffic-port", String(check.port));
        assert.deepStrictEqual(
            [run.outputs.targetGroupArn, run.outputs.targetGroupArnSuffix],
            [targets.state.arn, targets.state.arnSuffix],
        );
    });

    it("serves HTTPS on 443 only, with the public ALB's TLS policy and the validated certificate, forwarding to the gateway hosts", async () => {
        const run = await build();
        const listeners = ofType(run, "aws:lb/listener:Listener");
        assert.deepStrictEqual(
            listeners.map((l) => l.name),
            ["glb-https"],
        );
        const https = listeners[0];
        assert.deepStrictEqual(
            [
                https.inputs.loadBalancerArn,
                https.inputs.port,
                https.inputs.protocol,
                https.inputs.sslPolicy,
                https.inputs.defaultActions,
            ],
            [
                run.outputs.loadBalancerArn,
                443,
                "HTTPS",
                "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
                [{ type: "forward", targetGroupArn: run.outputs.targetGroupArn }],
            ],
        );
        assert.strictEqual(https.inputs.sslPolicy, TLS_POLICY);
        // The listener takes the certificate from the validation: it waits until ACM issued it.
        assert.strictEqual(
            https.inputs.certificateArn,
            named(run, "aws:acm/certificate:Certificate", "glb-certificate").state.arn,
        );
        assert.deepStrictEqual(https.propertyDependencies.certificateArn, [
            named(
                run,
                "aws:acm/certificateValidation:CertificateValidation",
                "glb-certificate-validated",
            ).urn,
        ]);
    });

    it("a certificate for gateway.<domainName>, validated by DNS in the domain's public zone", async () => {
        const run = await build();
        const certificate = named(run, "aws:acm/certificate:Certificate", "glb-certificate");
        assert.deepStrictEqual(
            [
                certificate.inputs.domainName,
                certificate.inputs.validationMethod,
                certificate.inputs.keyAlgorithm,
                certificate.inputs.subjectAlternativeNames,
            ],
            ["gateway.portal.example.com", "DNS", "EC_prime256v1", undefined],
        );
        const asked = certificate.state.domainValidationOptions[0];
        const record = named(run, "aws:route53/record:Record", "glb-certificate-validation");
        assert.deepStrictEqual(
            [record.inputs.zoneId, record.inputs.name, record.inputs.type, record.inputs.records],
            [
                "Z0123456789ABCDEFGHIJ",
                asked.resourceRecordName,
                "CNAME",
                [asked.resourceRecordValue],
            ],
        );
        const validation = named(
            run,
            "aws:acm/certificateValidation:CertificateValidation",
            "glb-certificate-validated",
        );
        assert.deepStrictEqual(
            [validation.inputs.certificateArn, validation.inputs.validationRecordFqdns],
            [certificate.state.arn, [record.state.fqdn]],
        );
        assert.strictEqual(certificate.deleteBeforeReplace, false);
    });

    it("names the load balancer gateway.<domainName> in the public zone, and Open WebUI's URL is HTTPS on that name, known before anything exists", async () => {
        const run = await build();
        const lb = named(run, "aws:lb/loadBalancer:LoadBalancer", "glb-lb");
        const alias = named(run, "aws:route53/record:Record", "glb-alias");
        assert.deepStrictEqual(
            [alias.inputs.zoneId, alias.inputs.name, alias.inputs.type, alias.inputs.aliases],
            [
                "Z0123456789ABCDEFGHIJ",
                "gateway.portal.example.com",
                "A",
                [{ name: lb.state.dnsName, zoneId: lb.state.zoneId, evaluateTargetHealth: true }],
            ],
        );
        assert.strictEqual(run.outputs.url, "https://gateway.portal.example.com/api/v1");
    });
});

describe("UploadsBucket (component)", () => {
    it("protected: protect and no forceDestroy; unprotected: forceDestroy; both private, encrypted, versioned, TLS only", async () => {
        for (const protect of [true, false]) {
            const run = await runComponent((opts) => ({
                name: new UploadsBucket(
                    "up",
                    { namePrefix: "ai-portal-test", protect, noncurrentVersionDays: 30 },
                    opts,
                ).bucketName,
            }));
            const bucket = named(run, "aws:s3/bucket:Bucket", "up-bucket");
            assert.deepStrictEqual(
                [bucket.protect, bucket.inputs.forceDestroy],
                [protect, !protect],
            );
            assert.strictEqual(
                ofType(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").length,
                1,
            );
            assert.strictEqual(
                named(run, "aws:s3/bucketVersioning:BucketVersioning", "up-versioning").inputs
                    .versioningConfiguration.status,
                "Enabled",
            );
            const lifecycle = named(
                run,
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                "up-lifecycle",
            ).inputs.rules[0];
            assert.strictEqual(lifecycle.noncurrentVersionExpiration.noncurrentDays, 30);
        }
    });
});

describe("GatewayImage (component)", () => {
    it("builds the pinned commit into an immutable, scanned repository; runs by digest; preview needs no Docker", async () => {
        const commit = "0123456789abcdef0123456789abcdef01234567";
        const run = await runComponent((opts) => ({
            ref: new GatewayImage(
                "gw",
                { namePrefix: "ai-portal-test", sourceCommit: commit, forceDelete: true },
                opts,
            ).imageRef,
        }));
        const repo = named(run, "aws:ecr/repository:Repository", "gw-repo");
        assert.deepStrictEqual(
            [
                repo.inputs.imageTagMutability,
                repo.inputs.imageScanningConfiguration,
                repo.inputs.forceDelete,
            ],
            ["IMMUTABLE", { scanOnPush: true }, true],
        );
        const build = named(run, "docker-build:index:Image", "gw-build");
        assert.strictEqual(
            build.inputs.context.location,
            `https://github.com/aws-samples/bedrock-access-gateway.git#${commit}:src`,
        );
        assert.strictEqual(build.inputs.buildOnPreview, false);
        assert.strictEqual(run.outputs.ref, `${repo.state.repositoryUrl}@${build.state.digest}`);
        // Without the stack's data key: ECR's own AES-256.
        assert.deepStrictEqual(repo.inputs.encryptionConfigurations, [
            { encryptionType: "AES256" },
        ]);
    });

    it("encrypts the images with the stack's data key, and a running repository keeps the encryption it was created with", async () => {
        const key = "arn:aws:kms:eu-west-2:123456789012:key/0a1b2c3d-0000-4000-8000-000000000000";
        const run = await runComponent((opts) => ({
            ref: new GatewayImage(
                "gw",
                {
                    namePrefix: "ai-portal-test",
                    sourceCommit: "0123456789abcdef0123456789abcdef01234567",
                    forceDelete: false,
                    kmsKeyArn: key,
                },
                opts,
            ).imageRef,
        }));
        const repo = named(run, "aws:ecr/repository:Repository", "gw-repo");
        assert.deepStrictEqual(repo.inputs.encryptionConfigurations, [
            { encryptionType: "KMS", kmsKey: key },
        ]);
        // A new encryption setting would replace the repository, which cannot be deleted while it
        // holds images (forceDelete off).
        assert.deepStrictEqual(repo.ignoreChanges, ["encryptionConfigurations"]);
    });
});

describe("compute statements (pure)", () => {
    it("the web host reads exactly the secrets it is given and writes only under its bucket", () => {
        const statements = webStatements({
            secretArns: ["arn:s1", "arn:s2"],
            bootParameterArns: ["arn:aws:ssm:eu-west-2:123456789012:parameter/x/boot/a"],
            databaseArn: "arn:aws:rds:eu-west-2:123456789012:db:x-postgres",
            uploadsBucketArn: "arn:aws:s3:::up",
            healthNamespace: "NS",
            auditLogGroupArn: "arn:aws:logs:eu-west-2:123456789012:log-group:/x/audit",
        });
        assert.deepStrictEqual(statements.find((s) => s.Sid === "ReadOwnSecrets")!.Resource, [
            "arn:s1",
            "arn:s2",
        ]);
        assert.deepStrictEqual(statements.find((s) => s.Sid === "ReportHealth")!.Condition, {
            StringEquals: { "cloudwatch:namespace": "NS" },
        });
        assert.ok(statements.every((s) => !s.Action.some((a) => a.startsWith("bedrock:"))));
    });

    it("the gateway gets pull rights only for an ECR image, none for another registry", () => {
        const base = {
            partition: "aws",
            region: "eu-west-2",
            accountId: "123456789012",
            apiKeySecretArn: "arn:key",
            gateSecretArns: ["arn:gate"],
            bootParameterArns: ["arn:ca"],
            databaseArn: "arn:db",
            residency: "eu" as const,
            defaultModelProfileArn:
                "arn:aws:bedrock:eu-west-2:123456789012:application-inference-profile/abcdef123456",
        };
        assert.ok(
            !gatewayStatements({
                ...base,
                configuredImage: `ghcr.io/x/y@sha256:${"a".repeat(64)}`,
            }).some((s) => s.Sid === "PullGatewayImage"),
        );
        assert.ok(
            gatewayStatements({ ...base, builtRepositoryArn: "arn:repo" }).some(
                (s) => s.Sid === "PullGatewayImage",
            ),
        );
    });
});

describe("Compute (component)", () => {
    const ARGS: ComputeArgs = {
        namePrefix: "ai-portal-test",
        stack: "test",
        region: "eu-west-2",
        publicSubnetIds: ["subnet-pub"],
        privateSubnetIds: ["subnet-priv"],
        webSecurityGroupId: "sg-web",
        gatewaySecurityGroupId: "sg-gw",
        logRetentionDays: 30,
        protectData: false,
        database: {
            appSecretArn: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:db-AbCdEf",
            appSecretVersionId: "v-db",
            instanceIdentifier: "ai-portal-test-postgres",
            createdIdentifier: "ai-portal-test-postgres",
            gateSecretArn: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:gate-AbCdEf",
            gateSecretVersionId: "v-gate",
        },
        usageGate: { limitPerPersonMonthlyUsd: 50, limitsByGroup: {}, failMode: "open" },
        usageGateNodeImage: "docker.io/library/node:24-alpine",
        directory: {
            domain: "ad.example.internal",
            shortName: "EXAMPLE",
            ldapHost: "ldap.ai-portal-test.internal",
            searchBase: "OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=internal",
            bindIdentity: "svc-openwebui@ad.example.internal",
            bindSecretArn: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:bind-AbCdEf",
            bindSecretVersionId: "v-bind",
            portalGroupDn: "CN=Portal,OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=internal",
        },
        identity: {
            authMode: "ldap",
            ldapGroupManagement: true,
            scim: false,
            scimAllowedCidrs: [],
        },
        webDependsOn: [],
        audit: {
            level: "METADATA",
            logGroupName: "/ai-portal-example/audit",
            logGroupArn: "arn:aws:logs:eu-west-2:123456789012:log-group:/ai-portal-example/audit",
        },
        allowedCidrs: ["0.0.0.0/0"],
        sshCidrs: [],
        webInstanceType: "t3.medium",
        gatewayInstanceType: "t3.small",
        hostRootVolumeGb: 30,
        openWebUiImage: "ghcr.io/open-webui/open-webui:v0.11.0",
        caddyImage: "docker.io/library/caddy:2.10-alpine",
        gatewaySourceCommit: "95794585db942cf7ce9660f71edefe63ce6c9910",
        gatewayPort: 9000,
        bedrockDefaultModel: "eu.anthropic.claude-sonnet-4-20250514-v1:0",
        webDefaultUserRole: "user",
        webAdminEmail: "admin@example.com",
        adminCidrs: [],
        webEnableApiKeys: false,
        webJwtExpiresIn: "8h",
        webEnableCommunitySharing: false,
        webEnableAdminChatAccess: false,
        webEnableAdminExport: false,
        webUserToolsAccess: false,
        bedrockDataResidency: "eu",
        webTier: {
            mode: "single",
            webMinHosts: 2,
            webMaxHosts: 4,
            gatewayMinHosts: 2,
            wafEnabled: true,
            wafRateLimitPer5Min: 10000,
            wafSignInRateLimitPer5Min: 20,
            albAccessLogsRetentionDays: 90,
            redisNodeType: "cache.t4g.small",
            redisAuthTokenVersion: 1,
            redisAuthTokenStrategy: "ROTATE",
        },
        vpcId: "vpc-0123456789abcdef0",
        tags: { Project: "ai-portal", Stack: "test", ManagedBy: "pulumi" },
    };

    it("wires the gateway's address and port into the web host, the key and secret versions into both, and exports every output", async () => {
        const run = await runComponent((opts) => {
            const c = new Compute("c", ARGS, opts);
            return {
                gatewayUrl: c.gatewayUrl,
                webInstanceId: c.webInstanceId,
                gatewayInstanceId: c.gatewayInstanceId,
                openWebUiImage: c.openWebUiImage,
                gatewayImage: c.gatewayImage,
            };
        });
        assert.ifError(run.error);
        const gateway = named(run, "aws:ec2/instance:Instance", "c-gateway-instance");
        assert.strictEqual(run.outputs.gatewayUrl, `http://${gateway.state.privateIp}:9000/api/v1`);
        const web = scriptOf(
            named(run, "aws:ec2/instance:Instance", "c-web-instance").inputs.userData,
        );
        assert.match(
            web,
            new RegExp(
                `^OPENAI_API_BASE_URL=${String(run.outputs.gatewayUrl).replace(/\./g, "\\.")}$`,
                "m",
            ),
        );
        assert.match(
            web,
            /^SECRET_VERSIONS='bind:v-bind database:v-db gateway-key:v-[0-9a-f]{32} web:v-[0-9a-f]{32}'$/m,
        );
        assert.match(scriptOf(gateway.inputs.userData), /^GATE_LISTEN_PORT=9000$/m);
        assert.deepStrictEqual(
            [
                gateway.inputs.subnetId,
                named(run, "aws:ec2/instance:Instance", "c-web-instance").inputs.subnetId,
            ],
            ["subnet-priv", "subnet-pub"],
        );
        assert.strictEqual(
            named(run, "aws:ec2/eipAssociation:EipAssociation", "c-web-eip").inputs.instanceId,
            run.outputs.webInstanceId,
        );
        for (const output of [
            "webInstanceId",
            "gatewayInstanceId",
            "openWebUiImage",
            "gatewayImage",
        ]) {
            assert.ok(run.outputs[output], output);
        }
        for (const type of [
            "aws:ec2/launchTemplate:LaunchTemplate",
            "aws:autoscaling/group:Group",
            "aws:lb/loadBalancer:LoadBalancer",
        ]) {
            assert.deepStrictEqual(ofType(run, type), [], `single: no ${type}`);
        }
    });

    const LOAD_BALANCED: ComputeArgs = {
        ...ARGS,
        domainName: "portal.example.com",
        webTier: {
            ...ARGS.webTier,
            mode: "loadBalanced",
            webMinHosts: 3,
            webMaxHosts: 6,
            hostedZoneId: "Z0123456789ABCDEFGHIJ",
        },
        privateSubnetIds: ["subnet-priv-a", "subnet-priv-b"],
        loadBalanced: {
            portalUrl: "https://portal.example.com",
            webTargetGroupArn:
                "arn:aws:elasticloadbalancing:eu-west-2:123456789012:targetgroup/web/0123456789abcdef",
            gatewayLbSecurityGroupId: "sg-gwlb",
            redis: {
                endpoint: "master.redis.example.euw2.cache.amazonaws.com",
                port: 6379,
                authSecretArn: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:redis-AbCdEf",
                authSecretVersionId: "v-redis",
            },
        },
    };

    function loadBalanced(args: ComputeArgs = LOAD_BALANCED) {
        return runComponent((opts) => {
            const c = new Compute("c", args, opts);
            return {
                portalUrl: c.portalUrl,
                gatewayUrl: c.gatewayUrl,
                webInstanceId: c.webInstanceId,
                gatewayInstanceId: c.gatewayInstanceId,
                webPublicIp: c.webPublicIp,
                webAutoScalingGroupName: c.webAutoScalingGroupName,
                gatewayAutoScalingGroupName: c.gatewayAutoScalingGroupName,
            };
        });
    }

    /** The boot script of a role's launch template (its user data is base64). */
    const fleetScript = (run: Awaited<ReturnType<typeof loadBalanced>>, role: string) =>
        scriptOf(
            Buffer.from(
                named(run, "aws:ec2/launchTemplate:LaunchTemplate", `c-${role}-template`).inputs
                    .userData,
                "base64",
            ).toString("utf8"),
        );

    it("loadBalanced: no instance or Elastic IP; a fleet per role in the private subnets, sized by the web tier", async () => {
        const run = await loadBalanced();
        assert.ifError(run.error);
        for (const type of [
            "aws:ec2/instance:Instance",
            "aws:ec2/eip:Eip",
            "aws:ec2/eipAssociation:EipAssociation",
        ]) {
            assert.deepStrictEqual(ofType(run, type), [], type);
        }
        const group = (role: string) =>
            named(run, "aws:autoscaling/group:Group", `c-${role}-group`);
        assert.deepStrictEqual(
            ["web", "gateway"].map((role) => [
                group(role).inputs.vpcZoneIdentifiers,
                group(role).inputs.minSize,
                group(role).inputs.maxSize,
            ]),
            [
                [["subnet-priv-a", "subnet-priv-b"], 3, 6],
                // Twice gatewayMinHosts at most.
                [["subnet-priv-a", "subnet-priv-b"], 2, 4],
            ],
        );
        assert.deepStrictEqual(
            [run.outputs.webAutoScalingGroupName, run.outputs.gatewayAutoScalingGroupName],
            [group("web").state.name, group("gateway").state.name],
        );
        for (const output of ["webInstanceId", "gatewayInstanceId", "webPublicIp"]) {
            assert.strictEqual(run.outputs[output], undefined, output);
        }
        assert.strictEqual(run.outputs.portalUrl, "https://portal.example.com");
    });

    it("loadBalanced: the web fleet behind the given target group, the gateway fleet behind its own internal load balancer, called by name", async () => {
        const run = await loadBalanced();
        const targets = named(run, "aws:lb/targetGroup:TargetGroup", "c-gateway-lb-targets");
        const lb = named(run, "aws:lb/loadBalancer:LoadBalancer", "c-gateway-lb-lb");
        assert.deepStrictEqual(
            named(run, "aws:autoscaling/group:Group", "c-web-group").inputs.targetGroupArns,
            [LOAD_BALANCED.loadBalanced!.webTargetGroupArn],
        );
        assert.deepStrictEqual(
            named(run, "aws:autoscaling/group:Group", "c-gateway-group").inputs.targetGroupArns,
            [targets.state.arn],
        );
        assert.strictEqual(targets.inputs.port, 9000);
        // HTTPS on the load balancer's name under the portal's domain, not its AWS name.
        assert.strictEqual(run.outputs.gatewayUrl, "https://gateway.portal.example.com/api/v1");
        // So the web hosts need nothing of the gateway's load balancer or certificate to launch.
        assert.deepStrictEqual(
            named(
                run,
                "aws:ec2/launchTemplate:LaunchTemplate",
                "c-web-template",
            ).dependencies.filter((urn) => urn.includes("c-gateway-lb")),
            [],
        );
        assert.match(
            fleetScript(run, "web"),
            new RegExp(
                `^OPENAI_API_BASE_URL=${String(run.outputs.gatewayUrl).replace(/\./g, "\\.")}$`,
                "m",
            ),
        );
        assert.match(fleetScript(run, "gateway"), /^GATE_LISTEN_PORT=9000$/m);
        // The load balancer in its group, the gateway hosts in theirs, the web hosts in theirs.
        assert.deepStrictEqual(
            [
                lb.inputs.securityGroups,
                named(run, "aws:ec2/launchTemplate:LaunchTemplate", "c-gateway-template").inputs
                    .vpcSecurityGroupIds,
                named(run, "aws:ec2/launchTemplate:LaunchTemplate", "c-web-template").inputs
                    .vpcSecurityGroupIds,
            ],
            [["sg-gwlb"], ["sg-gw"], ["sg-web"]],
        );
    });

    it("loadBalanced: the web hosts are told the Redis endpoint and token secret (and may read it), run no Caddy, and restart on a new token", async () => {
        const run = await loadBalanced();
        const web = fleetScript(run, "web");
        const redis = LOAD_BALANCED.loadBalanced!.redis;
        assert.match(web, /^WEB_TIER='loadBalanced'$/m);
        assert.match(web, new RegExp(`^REDIS_SECRET_ARN='${redis.authSecretArn}'$`, "m"));
        assert.match(
            web,
            /^REDIS_ENDPOINT='master\.redis\.example\.euw2\.cache\.amazonaws\.com:6379'$/m,
        );
        assert.match(
            web,
            /^SECRET_VERSIONS='bind:v-bind database:v-db gateway-key:v-[0-9a-f]{32} redis:v-redis web:v-[0-9a-f]{32}'$/m,
        );
        assert.match(web, /^CADDY_IMAGE=''$/m);
        assert.match(web, /^PORTAL_HOST='portal\.example\.com'$/m);
        const webPolicy = parseJson(
            named(run, "aws:iam/rolePolicy:RolePolicy", "c-web-policy").inputs.policy,
        ).Statement.find((s: { Sid: string }) => s.Sid === "ReadOwnSecrets");
        assert.ok(webPolicy.Resource.includes(redis.authSecretArn));
    });

    it("the web tier and the edge and Redis it needs go together: either without the other is refused", async () => {
        const withoutEdge = await loadBalanced({ ...LOAD_BALANCED, loadBalanced: undefined });
        assert.match(String(withoutEdge.error), /only it, needs the edge and Redis/);
        const singleWithEdge = await loadBalanced({
            ...LOAD_BALANCED,
            webTier: { ...LOAD_BALANCED.webTier, mode: "single" },
        });
        assert.match(String(singleWithEdge.error), /only it, needs the edge and Redis/);
    });
});
