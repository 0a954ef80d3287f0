/**
 * The compute tier's components constructed alone under the mocks, from plain inputs: Host,
 * UploadsBucket, GatewayImage, and the Compute wiring; and the pure statement builders.
 */
import * as assert from "assert";
import { Compute, ComputeArgs } from "../../compute";
import { gatewayStatements } from "../../compute/gateway";
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
            ["ami-0b45ae66668865cd6", ["ami"]],
        );
        const pinned = named(
            await host({ amiId: "ami-0123456789abcdef0" }),
            "aws:ec2/instance:Instance",
            "h-instance",
        );
        assert.deepStrictEqual(
            [pinned.inputs.ami, pinned.ignoreChanges],
            ["ami-0123456789abcdef0", []],
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
    });
});

describe("compute statements (pure)", () => {
    it("the web host reads exactly the secrets it is given and writes only under its bucket", () => {
        const statements = webStatements({
            secretArns: ["arn:s1", "arn:s2"],
            uploadsBucketArn: "arn:aws:s3:::up",
            healthNamespace: "NS",
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
            residency: "eu" as const,
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
        },
        directory: {
            domain: "ad.example.internal",
            shortName: "EXAMPLE",
            dnsIpAddresses: ["10.0.10.5", "10.0.11.5"],
            searchBase: "OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=internal",
            bindIdentity: "svc-openwebui@ad.example.internal",
            bindSecretArn: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:bind-AbCdEf",
            bindSecretVersionId: "v-bind",
            portalGroupDn: "CN=Portal,OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=internal",
        },
        webDependsOn: [],
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
        assert.match(scriptOf(gateway.inputs.userData), /^PORT=9000$/m);
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
    });
});
