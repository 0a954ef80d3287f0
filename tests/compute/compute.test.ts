/**
 * The compute tier each committed stack declares: the two hosts, their images, boot scripts,
 * roles, the uploads bucket and the deploy-time bootstraps.
 */
import * as assert from "assert";
import { DATABASE_CA_FILE } from "../../compute/settings";
import { scriptOf, USER_DATA_LIMIT_BYTES } from "../../compute/userData";
import { RDS_CA_BUNDLE } from "../../data";
import { byId, named, ofType, parseJson, transitiveDependencies } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import { mockDigest } from "../../offline/mocks";
import { ProgramRun, runProgram, runStack } from "../../offline/run";

const T = {
    instance: "aws:ec2/instance:Instance",
    subnet: "aws:ec2/subnet:Subnet",
    eip: "aws:ec2/eip:Eip",
    eipAssociation: "aws:ec2/eipAssociation:EipAssociation",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    profile: "aws:iam/instanceProfile:InstanceProfile",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    bucket: "aws:s3/bucket:Bucket",
    secret: "aws:secretsmanager/secret:Secret",
    repo: "aws:ecr/repository:Repository",
    build: "docker-build:index:Image",
    fn: "aws:lambda/function:Function",
    invocation: "aws:lambda/invocation:Invocation",
    command: "command:local:Command",
    directory: "aws:directoryservice/directory:Directory",
};

const AMI_NOW = "ami-0b45ae66668865cd6";

/** The web host's Open WebUI settings as its boot script writes them. */
function webSettings(run: ProgramRun): Record<string, string> {
    const block = /<<'SETTINGS'\n([\s\S]*?)\nSETTINGS/.exec(
        scriptOf(host(run, "web").inputs.userData),
    )![1];
    return Object.fromEntries(
        block
            .split("\n")
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
}

function host(run: ProgramRun, role: "web" | "gateway") {
    return named(run, T.instance, `compute-${role}-instance`);
}

function policyOf(run: ProgramRun, role: "web" | "gateway") {
    const iamRole = named(run, T.role, `compute-${role}-role`);
    const policy = ofType(run, T.rolePolicy).find((p) => p.inputs.role === iamRole.id)!;
    return parseJson(policy.inputs.policy).Statement as {
        Sid: string;
        Action: string[];
        Resource: string | string[];
    }[];
}

const sizes = {
    dev: { web: "t3.medium", gateway: "t3.small" },
    prod: { web: "t3.large", gateway: "t3.large" },
};

forEachStack("compute tier", (ctx) => {
    const { stack } = ctx;

    it("declares the two hosts with the stack's sizes", () => {
        assert.strictEqual(ofType(ctx.run, T.instance).length, 2);
        assert.strictEqual(host(ctx.run, "web").inputs.instanceType, sizes[stack].web);
        assert.strictEqual(host(ctx.run, "gateway").inputs.instanceType, sizes[stack].gateway);
    });

    for (const role of ["web", "gateway"] as const) {
        it(`${role} host: AL2023 from the public SSM parameter, IMDSv2 only (hop limit 2), encrypted gp3 root`, () => {
            const i = host(ctx.run, role).inputs;
            assert.strictEqual(i.ami, AMI_NOW);
            assert.deepStrictEqual(i.metadataOptions, {
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 2,
                instanceMetadataTags: "disabled",
            });
            assert.deepStrictEqual(i.rootBlockDevice, {
                volumeType: "gp3",
                volumeSize: 30,
                encrypted: true,
                deleteOnTermination: true,
            });
            assert.strictEqual(i.userDataReplaceOnChange, false);
        });

        it(`${role} host: a new AMI release does not replace it`, () => {
            assert.deepStrictEqual(host(ctx.run, role).ignoreChanges, ["ami"]);
        });

        it(`${role} host: its own role with Session Manager and no more of SSM (no managed policy, no parameter reads)`, () => {
            const iamRole = named(ctx.run, T.role, `compute-${role}-role`);
            assert.deepStrictEqual(
                parseJson(iamRole.inputs.assumeRolePolicy).Statement[0].Principal,
                { Service: "ec2.amazonaws.com" },
            );
            const attachments = ofType(ctx.run, T.attachment).filter(
                (a) => a.inputs.role === iamRole.state.name,
            );
            assert.deepStrictEqual(
                attachments,
                [],
                "no AmazonSSMManagedInstanceCore (it reads every parameter)",
            );
            const ssm = policyOf(ctx.run, role).filter((s) =>
                s.Action.some((a) => a.startsWith("ssm")),
            );
            assert.deepStrictEqual(
                ssm.map((s) => [s.Sid, s.Action, s.Resource]),
                [
                    [
                        "RegisterWithSessionManager",
                        ["ssm:UpdateInstanceInformation"],
                        ["arn:aws:ec2:eu-west-2:123456789012:instance/*"],
                    ],
                    [
                        "OpenSessionChannels",
                        [
                            "ssmmessages:CreateControlChannel",
                            "ssmmessages:CreateDataChannel",
                            "ssmmessages:OpenControlChannel",
                            "ssmmessages:OpenDataChannel",
                        ],
                        "*",
                    ],
                ],
            );
            const profile = ofType(ctx.run, T.profile).find(
                (p) => p.inputs.role === iamRole.state.name,
            )!;
            assert.strictEqual(host(ctx.run, role).inputs.iamInstanceProfile, profile.state.name);
        });

        it(`${role} host: ships container logs to its own log group with the stack's retention`, () => {
            const group = ofType(ctx.run, T.logGroup).find(
                (g) => g.inputs.name === `/ai-portal-${stack}/${role}`,
            )!;
            assert.ok(group, "log group");
            assert.strictEqual(group.inputs.retentionInDays, stack === "dev" ? 30 : 90);
            const script = scriptOf(host(ctx.run, role).inputs.userData);
            assert.match(script, new RegExp(`LOG_GROUP='/ai-portal-${stack}/${role}'`));
            assert.match(script, /--log-driver awslogs/);
            const logs = policyOf(ctx.run, role).find((s) => s.Sid === "WriteOwnLogs")!;
            assert.deepStrictEqual(logs.Resource, [`${group.state.arn}:*`]);
        });

        it(`${role} host: user data stays well under EC2's 16 KB (a quarter kept free)`, () => {
            const size = Buffer.byteLength(host(ctx.run, role).inputs.userData, "utf8");
            assert.ok(size < (USER_DATA_LIMIT_BYTES * 3) / 4, `${size} bytes`);
        });

        it(`${role} host: runs its containers by digest, from systemd units that restart them`, () => {
            const script = scriptOf(host(ctx.run, role).inputs.userData);
            const images = Object.fromEntries(
                [...script.matchAll(/^([A-Z_]+_IMAGE)='([^']+)'$/gm)].map((m) => [m[1], m[2]]),
            );
            // dev resolves the tag at deploy time; prod runs what its stack file pins.
            const caddy =
                stack === "prod"
                    ? "docker.io/library/caddy@sha256:4c6e91c6ed0e2fa03efd5b44747b625fec79bc9cd06ac5235a779726618e530d"
                    : `docker.io/library/caddy@${mockDigest("library/caddy:2.10-alpine")}`;
            assert.deepStrictEqual(
                images,
                role === "web"
                    ? { OPEN_WEBUI_IMAGE: ctx.run.outputs.openWebUiImage, CADDY_IMAGE: caddy }
                    : { GATEWAY_IMAGE: ctx.run.outputs.gatewayImage },
            );
            for (const image of Object.values(images) as string[]) {
                assert.match(image, /@sha256:[0-9a-f]{64}$/);
            }
            assert.match(script, /^#!\/bin\/bash\n/);
            assert.match(script, /^set -euo pipefail$/m);
            assert.match(script, /^Restart=always$/m);
            assert.match(
                host(ctx.run, role).inputs.userData,
                /cloud_final_modules:\n {2}- \[scripts-user, always\]/,
            );
        });
    }

    it("web host: public subnet, a public address at launch, its Elastic IP attached", () => {
        const web = host(ctx.run, "web");
        const subnet = byId(ctx.run, T.subnet, web.inputs.subnetId);
        assert.match(subnet.name, /^network-public-/);
        assert.strictEqual(web.inputs.associatePublicIpAddress, true);
        const association = ofType(ctx.run, T.eipAssociation)[0];
        assert.strictEqual(association.inputs.instanceId, web.id);
        const eip = ofType(ctx.run, T.eip).find((e) => e.id === association.inputs.allocationId)!;
        assert.strictEqual(eip.name, "compute-web-eip");
        assert.strictEqual(ctx.run.outputs.webPublicIp, eip.state.publicIp);
        // Production serves its domain (a publicly trusted certificate); dev may use the address.
        assert.strictEqual(
            ctx.run.outputs.portalUrl,
            stack === "prod" ? "https://portal.example.com" : `https://${eip.state.publicIp}`,
        );
    });

    it("gateway host: private subnet, no public address, reachable at an internal URL", () => {
        const gateway = host(ctx.run, "gateway");
        const subnet = byId(ctx.run, T.subnet, gateway.inputs.subnetId);
        assert.match(subnet.name, /^network-private-/);
        assert.strictEqual(gateway.inputs.associatePublicIpAddress, false);
        assert.strictEqual(
            ctx.run.outputs.gatewayUrl,
            `http://${gateway.state.privateIp}:8000/api/v1`,
        );
    });

    it("web host: Open WebUI's settings, named as upstream reads them", () => {
        const script = scriptOf(host(ctx.run, "web").inputs.userData);
        const settings = Object.fromEntries(
            /<<'SETTINGS'\n([\s\S]*?)\nSETTINGS/
                .exec(script)![1]
                .split("\n")
                .map((line) => [
                    line.slice(0, line.indexOf("=")),
                    line.slice(line.indexOf("=") + 1),
                ]),
        );
        const gateway = host(ctx.run, "gateway");
        assert.deepStrictEqual(
            {
                ENABLE_PERSISTENT_CONFIG: settings.ENABLE_PERSISTENT_CONFIG,
                WEBUI_URL: settings.WEBUI_URL,
                ENABLE_SIGNUP: settings.ENABLE_SIGNUP,
                DEFAULT_USER_ROLE: settings.DEFAULT_USER_ROLE,
                OPENAI_API_BASE_URL: settings.OPENAI_API_BASE_URL,
                ENABLE_OLLAMA_API: settings.ENABLE_OLLAMA_API,
                ENABLE_LDAP: settings.ENABLE_LDAP,
                LDAP_SERVER_HOST: settings.LDAP_SERVER_HOST,
                LDAP_SERVER_PORT: settings.LDAP_SERVER_PORT,
                LDAP_USE_TLS: settings.LDAP_USE_TLS,
                LDAP_ATTRIBUTE_FOR_USERNAME: settings.LDAP_ATTRIBUTE_FOR_USERNAME,
                LDAP_ATTRIBUTE_FOR_MAIL: settings.LDAP_ATTRIBUTE_FOR_MAIL,
                LDAP_APP_DN: settings.LDAP_APP_DN,
                LDAP_SEARCH_BASE: settings.LDAP_SEARCH_BASE,
                STORAGE_PROVIDER: settings.STORAGE_PROVIDER,
                S3_BUCKET_NAME: settings.S3_BUCKET_NAME,
                S3_REGION_NAME: settings.S3_REGION_NAME,
                PGSSLMODE: settings.PGSSLMODE,
                PGSSLROOTCERT: settings.PGSSLROOTCERT,
            },
            {
                ENABLE_PERSISTENT_CONFIG: "false",
                WEBUI_URL: ctx.run.outputs.portalUrl,
                ENABLE_SIGNUP: "false",
                DEFAULT_USER_ROLE: "user",
                OPENAI_API_BASE_URL: `http://${gateway.state.privateIp}:8000/api/v1`,
                ENABLE_OLLAMA_API: "false",
                ENABLE_LDAP: "true",
                LDAP_SERVER_HOST: "corp.aiportal.internal",
                LDAP_SERVER_PORT: "389",
                LDAP_USE_TLS: "false",
                LDAP_ATTRIBUTE_FOR_USERNAME: "sAMAccountName",
                // Every AD account has one; `mail` is optional and Open WebUI refuses logins without it.
                LDAP_ATTRIBUTE_FOR_MAIL: "userPrincipalName",
                LDAP_APP_DN: "svc-openwebui@corp.aiportal.internal",
                LDAP_SEARCH_BASE: ctx.run.outputs.directorySearchBase,
                STORAGE_PROVIDER: "s3",
                S3_BUCKET_NAME: ctx.run.outputs.uploadsBucketName,
                S3_REGION_NAME: "eu-west-2",
                PGSSLMODE: "verify-full",
                PGSSLROOTCERT: DATABASE_CA_FILE,
            },
        );
        assert.doesNotMatch(settings.LDAP_SEARCH_FILTER, /\{username\}|%s/, "a static filter");
        assert.match(settings.LDAP_SEARCH_FILTER, /^\(.*\)$/);
    });

    it("web host: HTTPS-only browser settings, and settings dangerous at upstream's defaults set safe", () => {
        const settings = webSettings(ctx.run);
        assert.deepStrictEqual(
            Object.fromEntries(
                [
                    "WEBUI_SESSION_COOKIE_SECURE",
                    "WEBUI_AUTH_COOKIE_SECURE",
                    "CORS_ALLOW_ORIGIN",
                    "ENABLE_API_KEYS",
                    "JWT_EXPIRES_IN",
                    "ENABLE_COMMUNITY_SHARING",
                    "ENABLE_ADMIN_CHAT_ACCESS",
                    "ENABLE_ADMIN_EXPORT",
                    "USER_PERMISSIONS_WORKSPACE_TOOLS_ACCESS",
                ].map((key) => [key, settings[key]]),
            ),
            {
                WEBUI_SESSION_COOKIE_SECURE: "true",
                WEBUI_AUTH_COOKIE_SECURE: "true",
                // Upstream's default is "*".
                CORS_ALLOW_ORIGIN: ctx.run.outputs.portalUrl,
                ENABLE_API_KEYS: "false",
                // Upstream's default is 4w.
                JWT_EXPIRES_IN: "8h",
                ENABLE_COMMUNITY_SHARING: "false",
                ENABLE_ADMIN_CHAT_ACCESS: "false",
                ENABLE_ADMIN_EXPORT: "false",
                USER_PERMISSIONS_WORKSPACE_TOOLS_ACCESS: "false",
            },
        );
        assert.strictEqual(
            settings.ENABLE_PERSISTENT_CONFIG,
            "false",
            "so these env values win over what the database holds",
        );
    });

    it("web host: only members of the portal group (directly or nested) are found at sign-in", () => {
        const group = "CN=AI Portal Users,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal";
        assert.strictEqual(
            webSettings(ctx.run).LDAP_SEARCH_FILTER,
            `(objectClass=user)(objectCategory=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2))(memberOf:1.2.840.113556.1.4.1941:=${group})`,
        );
        const command = named(ctx.run, T.command, "portal-group-group");
        assert.deepStrictEqual(
            [command.inputs.environment.GROUP_NAME, command.inputs.environment.GROUP_DN],
            ["AI Portal Users", group],
        );
        assert.strictEqual(
            command.retainOnDelete,
            stack === "prod",
            "prod keeps the group and its members",
        );
        assert.ok(
            transitiveDependencies(ctx.run, host(ctx.run, "web")).has(command.urn),
            "the web host boots after the group exists",
        );
    });

    it("web host: secrets are fetched at boot by ARN into a root-only file, never written into user data", () => {
        const script = scriptOf(host(ctx.run, "web").inputs.userData);
        for (const name of [
            "DATABASE_URL",
            "WEBUI_SECRET_KEY",
            "OPENAI_API_KEY",
            "LDAP_APP_PASSWORD",
            "WEBUI_ADMIN_PASSWORD",
        ]) {
            assert.match(script, new RegExp(`${name}=%s`), `${name} comes from a secret`);
        }
        assert.match(script, /umask 077/);
        assert.match(script, /chmod 600/);
        assert.match(script, new RegExp(`DB_SECRET_ARN='${ctx.run.outputs.dbAppSecretArn}'`));
        assert.match(
            script,
            new RegExp(`GATEWAY_KEY_SECRET_ARN='${ctx.run.outputs.gatewayApiKeySecretArn}'`),
        );
    });

    it("web host: the RDS CA goes on the host and into Open WebUI's container at the path PGSSLROOTCERT names", () => {
        const script = scriptOf(host(ctx.run, "web").inputs.userData);
        assert.match(script, new RegExp(`DATABASE_CA_FILE='${DATABASE_CA_FILE}'`));
        const block =
            /write_private "\$DATABASE_CA_FILE" <<'CERTIFICATES'\n([\s\S]*?)\nCERTIFICATES\nchmod 644 "\$DATABASE_CA_FILE"/.exec(
                script,
            );
        assert.ok(block, "the boot script writes the CA file, readable by all");
        assert.strictEqual(`${block![1]}\n`, RDS_CA_BUNDLE);
        assert.match(script, /--volume \$DATABASE_CA_FILE:\$DATABASE_CA_FILE:ro/);
    });

    it("web host: the domain controllers resolve the directory domain for the container", () => {
        const script = scriptOf(host(ctx.run, "web").inputs.userData);
        assert.match(
            script,
            new RegExp(
                `DIRECTORY_DNS='${(ctx.run.outputs.directoryDnsIps as string[]).join(" ")}'`,
            ),
        );
        assert.match(script, /^OPEN_WEBUI_PORT='8080'$/m);
        assert.match(
            script,
            /--publish 127\.0\.0\.1:\$OPEN_WEBUI_PORT:\$OPEN_WEBUI_PORT /,
            "Open WebUI listens on localhost only",
        );
    });

    it("web host: Caddy serves HTTPS (dev: the Elastic IP with its internal CA; prod: the domain, publicly trusted), with HSTS", () => {
        const script = scriptOf(host(ctx.run, "web").inputs.userData);
        const caddyfile = /<<'CADDYFILE'\n([\s\S]*?)\nCADDYFILE/.exec(script)![1];
        const host_ =
            stack === "prod" ? "portal.example.com" : (ctx.run.outputs.webPublicIp as string);
        assert.match(caddyfile, new RegExp(`^https://${host_.replace(/\./g, "\\.")} \\{`, "m"));
        assert.strictEqual(/tls internal/.test(caddyfile), stack === "dev");
        assert.strictEqual(caddyfile.includes(`default_sni ${host_}`), stack === "dev");
        assert.match(caddyfile, /header Strict-Transport-Security "max-age=31536000"/);
        assert.match(
            caddyfile,
            /path \/api\/v1\/auths\/signin \/api\/v1\/auths\/signin\/\n\t\}\n\trespond @localSignIn .* 403/,
            "no admin ranges: the local sign-in answers nobody",
        );
        assert.match(caddyfile, /reverse_proxy 127\.0\.0\.1:8080/);
    });

    it("gateway host: upstream's settings, the API key by secret ARN, the region set", () => {
        const script = scriptOf(host(ctx.run, "gateway").inputs.userData);
        const settings = /<<'SETTINGS'\n([\s\S]*?)\nSETTINGS/.exec(script)![1].split("\n");
        assert.deepStrictEqual(settings, [
            "PORT=8000",
            "AWS_REGION=eu-west-2",
            // boto3.client("secretsmanager") without a region reads this one, not AWS_REGION.
            "AWS_DEFAULT_REGION=eu-west-2",
            "DEFAULT_MODEL=eu.anthropic.claude-sonnet-4-20250514-v1:0",
            "ENABLE_CROSS_REGION_INFERENCE=true",
            "ENABLE_APPLICATION_INFERENCE_PROFILES=true",
            `ALLOWED_ORIGINS=${ctx.run.outputs.portalUrl}`,
            `API_KEY_SECRET_ARN=${ctx.run.outputs.gatewayApiKeySecretArn}`,
            "DEBUG=false",
        ]);
        assert.match(script, /--health-cmd .*\/health/);
    });

    it("gateway image: built from the pinned upstream commit into an immutable, scanned ECR repository", () => {
        const repo = ofType(ctx.run, T.repo)[0];
        assert.strictEqual(repo.inputs.imageTagMutability, "IMMUTABLE");
        assert.deepStrictEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.strictEqual(repo.inputs.forceDelete, stack === "dev");
        const build = ofType(ctx.run, T.build)[0];
        const commit = "95794585db942cf7ce9660f71edefe63ce6c9910";
        assert.strictEqual(
            build.inputs.context.location,
            `https://github.com/aws-samples/bedrock-access-gateway.git#${commit}:src`,
        );
        assert.strictEqual(
            build.inputs.dockerfile.location,
            `https://raw.githubusercontent.com/aws-samples/bedrock-access-gateway/${commit}/src/Dockerfile_ecs`,
        );
        assert.deepStrictEqual(build.inputs.platforms, ["linux/amd64"]);
        assert.deepStrictEqual(build.inputs.tags, [`${repo.state.repositoryUrl}:${commit}`]);
        assert.strictEqual(
            ctx.run.outputs.gatewayImage,
            `${repo.state.repositoryUrl}@${build.state.digest}`,
        );
        assert.match(
            scriptOf(host(ctx.run, "gateway").inputs.userData),
            new RegExp(`GATEWAY_IMAGE='${ctx.run.outputs.gatewayImage}'`),
        );
    });

    it("uploads bucket: private, encrypted, versioned, TLS only; protected with the data in prod", () => {
        const bucket = ofType(ctx.run, T.bucket)[0];
        assert.strictEqual(bucket.protect, stack === "prod");
        assert.strictEqual(bucket.inputs.forceDestroy, stack === "dev");
        const on = (type: string) =>
            ofType(ctx.run, type).filter((r) => r.inputs.bucket === bucket.id);
        assert.deepStrictEqual(
            on("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").map((r) => [
                r.inputs.blockPublicAcls,
                r.inputs.blockPublicPolicy,
                r.inputs.ignorePublicAcls,
                r.inputs.restrictPublicBuckets,
            ]),
            [[true, true, true, true]],
        );
        assert.strictEqual(
            on(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            )[0].inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm,
            "AES256",
        );
        assert.strictEqual(
            on("aws:s3/bucketVersioning:BucketVersioning")[0].inputs.versioningConfiguration.status,
            "Enabled",
        );
        const policy = parseJson(on("aws:s3/bucketPolicy:BucketPolicy")[0].inputs.policy);
        assert.deepStrictEqual(policy.Statement[0].Condition, {
            Bool: { "aws:SecureTransport": "false" },
        });
        assert.strictEqual(policy.Statement[0].Effect, "Deny");
        assert.strictEqual(ctx.run.outputs.uploadsBucketName, bucket.state.bucket);
    });

    it("web host waits for the database role and the bind account; the gateway waits for neither", () => {
        const webDeps = transitiveDependencies(ctx.run, host(ctx.run, "web"));
        const gatewayDeps = transitiveDependencies(ctx.run, host(ctx.run, "gateway"));
        const invocation = ofType(ctx.run, T.invocation)[0];
        const command = named(ctx.run, T.command, "ldap-bind-account");
        const directory = ofType(ctx.run, T.directory)[0];
        assert.ok(webDeps.has(invocation.urn) && webDeps.has(command.urn));
        for (const urn of [invocation.urn, command.urn, directory.urn]) {
            assert.ok(!gatewayDeps.has(urn), `gateway must not wait for ${urn}`);
        }
    });
});

forEachStack("compute tier: IAM", (ctx) => {
    // Named actions and Resource "*" only where AWS cannot scope: the policy pack's IAM rules,
    // run over both stacks in tests/policy.
    it("the web host publishes metrics only in the portal's namespace", () => {
        const metrics = policyOf(ctx.run, "web").filter((s) =>
            s.Action.includes("cloudwatch:PutMetricData"),
        ) as { Condition?: unknown }[];
        assert.deepStrictEqual(
            metrics.map((s) => s.Condition),
            [{ StringEquals: { "cloudwatch:namespace": "AIPortal" } }],
        );
    });

    it(`Bedrock is granted to the gateway only, secrets to each host exactly its own`, () => {
        const { run } = ctx;
        const actionsOf = (role: "web" | "gateway") => policyOf(run, role).flatMap((s) => s.Action);
        assert.ok(actionsOf("gateway").includes("bedrock:InvokeModel"));
        for (const policy of ofType(run, T.rolePolicy).filter(
            (p) => p.name !== "compute-gateway-policy",
        )) {
            assert.doesNotMatch(policy.inputs.policy, /bedrock:/, policy.name);
        }
        assert.deepStrictEqual(
            policyOf(run, "gateway").find((s) => s.Sid === "ReadApiKey")!.Resource,
            [run.outputs.gatewayApiKeySecretArn],
        );
        const webSecrets = policyOf(run, "web").find((s) => s.Sid === "ReadOwnSecrets")!
            .Resource as string[];
        assert.deepStrictEqual(
            [...webSecrets].sort(),
            [
                run.outputs.dbAppSecretArn,
                run.outputs.gatewayApiKeySecretArn,
                run.outputs.directoryBindSecretArn,
                named(run, T.secret, "compute-web-secrets").id,
            ].sort(),
        );
        assert.ok(
            !webSecrets.includes(run.outputs.dbSecretArn as string),
            "the web host never reads the master secret",
        );
        assert.ok(
            !webSecrets.includes(run.outputs.directoryAdminSecretArn as string),
            "nor the directory Admin",
        );
        assert.ok(
            !actionsOf("web").some((a) => a.startsWith("ds")),
            "the web host cannot manage directory users",
        );
    });
});

describe("compute tier: Bedrock data residency", () => {
    const invokable = (run: ProgramRun) =>
        policyOf(run, "gateway").find((s) => s.Sid === "InvokeModels")!.Resource as string[];

    it("eu (the default): EU foundation models and eu.* profiles only, so a global.* profile is denied", async () => {
        const resources = invokable(await runStack("prod"));
        assert.deepStrictEqual(resources, [
            "arn:aws:bedrock:eu-*::foundation-model/*",
            "arn:aws:bedrock:eu-west-2:123456789012:inference-profile/eu.*",
            // Application profiles route through the foundation models above, so one copied
            // from a global profile is still refused outside the EU.
            "arn:aws:bedrock:eu-west-2:123456789012:application-inference-profile/*",
        ]);
        assert.ok(!resources.some((r) => r.includes("global.") || r.includes(":*::")));
    });

    it("global: a deliberate choice that admits global.* profiles and models in every region", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: {
                bedrockDataResidency: "global",
                bedrockDefaultModel: "global.anthropic.claude-sonnet-4-20250514-v1:0",
            },
        });
        assert.ifError(run.error);
        const resources = invokable(run);
        assert.ok(resources.includes("arn:aws:bedrock:*::foundation-model/*"));
        assert.ok(
            resources.includes("arn:aws:bedrock:eu-west-2:123456789012:inference-profile/global.*"),
        );
    });

    it("eu with a global.* default model is a config error naming both keys' values", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { bedrockDefaultModel: "global.anthropic.claude-sonnet-4-20250514-v1:0" },
        });
        assert.match(String(run.error), /ai-portal:bedrockDefaultModel/);
        assert.match(String(run.error), /global\.anthropic\.claude-sonnet-4-20250514-v1:0/);
        assert.match(String(run.error), /bedrockDataResidency/);
        assert.strictEqual(run.resources.length, 0, "nothing declared");
    });
});

describe("compute tier: what changes upstream do", () => {
    it("a new AL2023 release leaves both hosts' replace-forcing inputs as they are (ami is ignored)", async () => {
        const before = await runStack("prod");
        const after = await runProgram(
            { stack: "prod" },
            { mocks: { al2023AmiId: "ami-0123456789abcdef0" } },
        );
        for (const role of ["web", "gateway"] as const) {
            const [a, b] = [host(before, role), host(after, role)];
            assert.notStrictEqual(b.inputs.ami, a.inputs.ami, "the program did see the new AMI");
            assert.deepStrictEqual(
                b.ignoreChanges,
                ["ami"],
                "and the engine is told to keep the old one",
            );
            const { ami: _a, ...restBefore } = a.inputs;
            const { ami: _b, ...restAfter } = b.inputs;
            assert.deepStrictEqual(restAfter, restBefore);
        }
    });

    it("a pinned AMI is used as given, and changing the pin is the deliberate way to roll a host", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { gatewayHostAmiId: "ami-0fedcba9876543210" },
        });
        assert.strictEqual(host(run, "gateway").inputs.ami, "ami-0fedcba9876543210");
        assert.deepStrictEqual(host(run, "gateway").ignoreChanges, []);
        assert.deepStrictEqual(host(run, "web").ignoreChanges, ["ami"]);
    });

    it("a moved upstream tag shows up as a new digest in the web host's boot script", async () => {
        const before = await runStack("dev");
        const after = await runProgram({ stack: "dev" }, { mocks: { registryRevision: "moved" } });
        const image = (run: ProgramRun) =>
            /OPEN_WEBUI_IMAGE='([^']+)'/.exec(scriptOf(host(run, "web").inputs.userData))![1];
        assert.notStrictEqual(image(after), image(before));
        assert.match(image(after), /^ghcr\.io\/open-webui\/open-webui@sha256:/);
    });

    it("a configured gateway image is run as given, with no build and pull rights on its repository only", async () => {
        const image = `123456789012.dkr.ecr.eu-west-2.amazonaws.com/team/gateway@sha256:${"a".repeat(64)}`;
        const run = await runProgram({ stack: "dev", overrides: { gatewayImage: image } });
        assert.ifError(run.error);
        assert.strictEqual(ofType(run, T.build).length, 0);
        assert.strictEqual(ofType(run, T.repo).length, 0);
        assert.match(
            scriptOf(host(run, "gateway").inputs.userData),
            new RegExp(`GATEWAY_IMAGE='${image.replace(/\./g, "\\.")}'`),
        );
        assert.deepStrictEqual(
            policyOf(run, "gateway").find((s) => s.Sid === "PullGatewayImage")!.Resource,
            ["arn:aws:ecr:eu-west-2:123456789012:repository/team/gateway"],
        );
    });

    it("no ARN the program builds assumes the aws partition: it asks aws.getPartition", async () => {
        const image = `123456789012.dkr.ecr.eu-west-2.amazonaws.com/team/gateway@sha256:${"a".repeat(64)}`;
        const run = await runProgram(
            { stack: "dev", overrides: { gatewayImage: image } },
            { mocks: { partition: "aws-elsewhere" } },
        );
        assert.ifError(run.error);
        assert.deepStrictEqual(
            policyOf(run, "gateway").find((s) => s.Sid === "PullGatewayImage")!.Resource,
            ["arn:aws-elsewhere:ecr:eu-west-2:123456789012:repository/team/gateway"],
        );
        for (const resource of run.resources) {
            assert.doesNotMatch(
                JSON.stringify(resource.inputs),
                /arn:aws:/,
                `${resource.name} names the aws partition`,
            );
        }
    });

    it("Docker Hub images are looked up where the provider finds Docker Hub's API, and run by their canonical name", async () => {
        const run = await runStack("dev");
        assert.ifError(run.error);
        const script = scriptOf(host(run, "web").inputs.userData);
        // The mock answers as the provider would: a lookup of "docker.io/..." fails (https://docker.io/v2/ is no registry API).
        assert.strictEqual(
            /CADDY_IMAGE='([^']+)'/.exec(script)![1],
            `docker.io/library/caddy@${mockDigest("library/caddy:2.10-alpine")}`,
        );
        assert.strictEqual(
            /OPEN_WEBUI_IMAGE='([^']+)'/.exec(script)![1],
            `ghcr.io/open-webui/open-webui@${mockDigest("ghcr.io/open-webui/open-webui:v0.11.0")}`,
        );
    });

    it("an image that carries its digest is run as committed, with no registry lookup", async () => {
        const digest = `sha256:${"b".repeat(64)}`;
        const run = await runProgram({
            stack: "dev",
            overrides: { caddyImage: `docker.io/library/caddy:2.10-alpine@${digest}` },
        });
        assert.ifError(run.error);
        assert.match(
            scriptOf(host(run, "web").inputs.userData),
            new RegExp(`CADDY_IMAGE='docker\\.io/library/caddy@${digest}'`),
        );
    });

    it("with a domain name, the portal URL is the domain and Caddy asks for a public certificate", async () => {
        const run = await runProgram({
            stack: "dev",
            overrides: { domainName: "portal.example.com" },
        });
        assert.strictEqual(run.outputs.portalUrl, "https://portal.example.com");
        const script = scriptOf(host(run, "web").inputs.userData);
        const caddyfile = /<<'CADDYFILE'\n([\s\S]*?)\nCADDYFILE/.exec(script)![1];
        assert.match(caddyfile, /^https:\/\/portal\.example\.com \{/m);
        assert.doesNotMatch(caddyfile, /tls internal/);
        assert.match(caddyfile, /Strict-Transport-Security/);
    });
});
