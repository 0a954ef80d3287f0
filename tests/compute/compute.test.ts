/**
 * The compute tier each committed stack declares, in its web tier: dev is `single` (one web host
 * with its Elastic IP and Caddy, one gateway host), prod is `loadBalanced` (each role an Auto
 * Scaling group launched from a template, behind the edge's ALB or the internal load balancer).
 * What holds for both is asserted of each role's host definition (the Instance, or the launch
 * template every host of the fleet starts from); what differs is in one block per tier.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DATABASE_CA_FILE } from "../../compute/settings";
import {
    readTemplate,
    scriptOf,
    USER_DATA_LIMIT_BYTES,
    withoutComments,
} from "../../compute/userData";
import { createHash } from "crypto";
import { databaseUrl, RDS_CA_BUNDLE } from "../../data";
import { byId, named, ofType, parseJson, transitiveDependencies } from "../harness/query";
import { forEachStack, STACKS } from "../harness/stacks";
import { mockDigest } from "../../offline/mocks";
import { gateImageTag } from "../../compute/images";
import { DeclaredResource, ProgramRun, runProgram, runStack } from "../../offline/run";

const T = {
    instance: "aws:ec2/instance:Instance",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    group: "aws:autoscaling/group:Group",
    scalingPolicy: "aws:autoscaling/policy:Policy",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    subnet: "aws:ec2/subnet:Subnet",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    eip: "aws:ec2/eip:Eip",
    eipAssociation: "aws:ec2/eipAssociation:EipAssociation",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    profile: "aws:iam/instanceProfile:InstanceProfile",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    bucket: "aws:s3/bucket:Bucket",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    repo: "aws:ecr/repository:Repository",
    build: "docker-build:index:Image",
    fn: "aws:lambda/function:Function",
    invocation: "aws:lambda/invocation:Invocation",
    command: "command:local:Command",
    directory: "aws:directoryservice/directory:Directory",
    inferenceProfile: "aws:bedrock/inferenceProfile:InferenceProfile",
    parameter: "aws:ssm/parameter:Parameter",
    lifecycle: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
};

const AMI_NOW = "ami-0b45ae66668865cd6";

type Role = "web" | "gateway";
const ROLES = ["web", "gateway"] as const;
type Tier = "single" | "loadBalanced";

/** The web tier each committed stack is configured with (Pulumi.<stack>.yaml `webTier`). */
const TIER: Record<string, Tier> = { dev: "single", prod: "loadBalanced" };

function tierOf(run: ProgramRun): Tier {
    const tier = TIER[run.config.stack];
    assert.ok(tier, `no web tier known for stack ${run.config.stack}`);
    return tier;
}

/** The input that names a host's AMI: the instance's, or the launch template's. */
const AMI_INPUT: Record<Tier, string> = { single: "ami", loadBalanced: "imageId" };
/**
 * What else a role's host definition keeps from its creation: a single host's root-volume key (a
 * new key would replace the host; a template's new key is only a new version).
 */
const KEY_KEPT: Record<Tier, string[]> = { single: ["rootBlockDevice.kmsKeyId"], loadBalanced: [] };

/**
 * A role's host definition: what its hosts are started from. The Instance in `single`; in
 * `loadBalanced` the launch template every host of the role's Auto Scaling group is launched from.
 */
function definition(run: ProgramRun, role: Role): DeclaredResource {
    return tierOf(run) === "single"
        ? named(run, T.instance, `compute-${role}-instance`)
        : named(run, T.launchTemplate, `compute-${role}-template`);
}

/** What starts the role's hosts, and so what waits for what their boot needs: the Instance, or the group. */
function launcher(run: ProgramRun, role: Role): DeclaredResource {
    return tierOf(run) === "single"
        ? named(run, T.instance, `compute-${role}-instance`)
        : named(run, T.group, `compute-${role}-group`);
}

/** The user data the role's hosts boot with, as cloud-init reads it (a launch template's is base64). */
function userDataOf(run: ProgramRun, role: Role): string {
    const userData = definition(run, role).inputs.userData as string;
    return tierOf(run) === "single" ? userData : Buffer.from(userData, "base64").toString("utf8");
}

/** The role's boot script. */
function bootScript(run: ProgramRun, role: Role): string {
    return scriptOf(userDataOf(run, role));
}

/** The boot script's `NAME='value'` settings, by name. */
function scriptValues(script: string): Record<string, string> {
    return Object.fromEntries(
        [...script.matchAll(/^([A-Z][A-Z0-9_]*)='([^']*)'$/gm)].map((m) => [m[1], m[2]]),
    );
}

/** A heredoc's body, by its delimiter. */
function heredoc(script: string, delimiter: string): string {
    const match = new RegExp(`<<'${delimiter}'\\n([\\s\\S]*?)\\n${delimiter}\\n`).exec(script);
    assert.ok(match, `no ${delimiter} heredoc`);
    return match[1];
}

/** A boot file as the web boot script's table names it: `<parameter> <sha256> <path> <mode>`. */
interface BootFileLine {
    readonly parameter: string;
    readonly sha256: string;
    readonly path: string;
    readonly mode: string;
}

/** The web boot script's boot files, in its table's order. */
function bootFileLines(script: string): BootFileLine[] {
    return heredoc(script, "BOOTFILES")
        .split("\n")
        .map((line) => {
            const [parameter, sha256, file, mode, ...rest] = line.split(" ");
            assert.deepStrictEqual(rest, [], line);
            return { parameter, sha256, path: file, mode };
        });
}

/** The stack's Parameter Store parameters, by name. */
function parameters(run: ProgramRun): Record<string, DeclaredResource> {
    return Object.fromEntries(
        ofType(run, T.parameter).map((p) => [p.inputs.name as string, p] as const),
    );
}

/** A role's settings (Open WebUI's, or the gateway's) as its boot script writes them. */
function settingsOf(run: ProgramRun, role: Role): Record<string, string> {
    return Object.fromEntries(
        heredoc(bootScript(run, role), "SETTINGS")
            .split("\n")
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
}

/** The web hosts' Open WebUI settings as their boot script writes them. */
function webSettings(run: ProgramRun): Record<string, string> {
    return settingsOf(run, "web");
}

/**
 * The script with the blocks that run only in `tier` (`if [ "$WEB_TIER" = <tier> ]; then` ...
 * `fi`) removed, and its comments: what runs whatever WEB_TIER says.
 */
function outsideTierBlocks(script: string, tier: Tier): string {
    const lines: string[] = [];
    let inside = false;
    for (const line of script.split("\n")) {
        if (line === `if [ "$WEB_TIER" = ${tier} ]; then`) {
            inside = true;
        } else if (inside && line === "fi") {
            inside = false;
        } else if (!inside && !/^\s*#/.test(line)) {
            lines.push(line);
        }
    }
    assert.ok(!inside, `an unterminated ${tier} block`);
    return lines.join("\n");
}

/** Runs a piece of a boot script under bash, after the script's settings and the given shell functions. */
function runShell(script: string, fragment: string, functions: string): void {
    const settings = script.split("\n").filter((line) => /^[A-Z][A-Z0-9_]*='.*'$/.test(line));
    execFileSync(
        "bash",
        ["-c", ["set -euo pipefail", ...settings, functions, fragment].join("\n")],
        {
            stdio: ["ignore", "pipe", "pipe"],
        },
    );
}

/** A scratch directory, removed after `use`. */
function withScratch<R>(use: (dir: string) => R): R {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compute-test-"));
    try {
        return use(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * What the web hosts' secrets file holds once the boot script has read the secrets: its secrets
 * block run under bash, each secret's JSON document given by ARN (`json_field` is the script's own,
 * so jq is needed, as on the hosts).
 */
/** The database's app credentials as the secret holds them (data/index.ts): no address. */
const DB_CREDENTIALS = {
    engine: "postgres",
    username: "openwebui",
    password: "p@ss/w:rd",
    port: 5432,
    dbname: "aiportal",
};
const DB_ADDRESS = "ai-portal-x-postgres.c1.eu-west-2.rds.amazonaws.com";

function secretsFile(script: string, documents: Record<string, object>): string {
    const block =
        /\ndatabase=\$\(secret_json[\s\S]*?\| write_private "\$CONFIG_DIR\/open-webui\.secrets\.env"\n/.exec(
            script,
        );
    assert.ok(block, "the boot script writes the secrets file");
    const jsonField = /\njson_field\(\) \{\n[\s\S]*?\n\}\n/.exec(script)![0];
    return withScratch((dir) => {
        fs.writeFileSync(path.join(dir, "documents.json"), JSON.stringify(documents));
        runShell(
            script,
            block[0],
            [
                `CONFIG_DIR=${dir}`,
                jsonField,
                `secret_json() { jq -ce --arg arn "$1" '.[$arn]' ${dir}/documents.json; }`,
                'write_private() { cat >"$1"; }',
                "log() { :; }",
                'retry() { shift 2; "$@"; }',
                // What RDS answers once the instance has its address.
                `find_database() { database_host=${DB_ADDRESS}; }`,
            ].join("\n"),
        );
        return fs.readFileSync(path.join(dir, "open-webui.secrets.env"), "utf8");
    });
}

/**
 * What the health reporter asks of curl and of CloudWatch: the script the boot script installs,
 * run with the environment file it writes, curl and aws replaced by recorders.
 */
function healthProbe(run: ProgramRun): { curl: string[]; metric: string[] } {
    const script = bootScript(run, "web");
    // A boot file: the parameter's value, as the boot script writes it.
    const reporter = `${parameters(run)[`/ai-portal-${run.config.stack}/boot/health.sh`].inputs.insecureValue}\n`;
    const values = scriptValues(script);
    const env = /<<HEALTHENV\n([\s\S]*?)\nHEALTHENV/
        .exec(script)![1]
        .split("\n")
        .map((line) => line.split("="))
        .map(([name, value]) => [
            name,
            value.replace(/^\$([A-Z_]+)$/, (_, v: string) => values[v]),
        ]);
    return withScratch((dir) => {
        for (const tool of ["curl", "aws"]) {
            fs.writeFileSync(
                path.join(dir, tool),
                `#!/bin/bash\nprintf '%s\\n' "$@" >${dir}/${tool}.args\n`,
                { mode: 0o755 },
            );
        }
        fs.writeFileSync(path.join(dir, "reporter"), reporter, { mode: 0o755 });
        execFileSync("bash", [path.join(dir, "reporter")], {
            env: { ...Object.fromEntries(env), PATH: `${dir}:${process.env.PATH}` },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const read = (tool: string) =>
            fs
                .readFileSync(path.join(dir, `${tool}.args`), "utf8")
                .trimEnd()
                .split("\n");
        return { curl: read("curl"), metric: read("aws") };
    });
}

/** The stack's one application inference profile: the default model, tagged (compute/modelProfile.ts). */
function defaultModelProfile(run: ProgramRun): DeclaredResource {
    const profiles = ofType(run, T.inferenceProfile);
    assert.strictEqual(profiles.length, 1, "one application inference profile");
    return profiles[0];
}

/** What config `bedrockDefaultModel` defaults to (Pulumi.yaml), which neither stack file changes. */
const DEFAULT_MODEL_ID = "eu.anthropic.claude-sonnet-4-20250514-v1:0";

/** The usage gate's image as the gateway hosts run it: its repository, by the build's digest. */
function gateImageRef(run: ProgramRun): string {
    const repo = named(run, T.repo, "compute-gate-image-repo");
    const build = named(run, T.build, "compute-gate-image-build");
    return `${repo.state.repositoryUrl}@${build.state.digest}`;
}

function policyOf(run: ProgramRun, role: Role) {
    const iamRole = named(run, T.role, `compute-${role}-role`);
    const policy = ofType(run, T.rolePolicy).find((p) => p.inputs.role === iamRole.id)!;
    return parseJson(policy.inputs.policy).Statement as {
        Sid: string;
        Action: string[];
        Resource: string | string[];
    }[];
}

/** The security group named `sg-<group>` by the traffic matrix (network/securityGroups.ts). */
function securityGroupId(run: ProgramRun, group: string): string {
    return named(run, T.securityGroup, `sg-${group}`).id;
}

/** The private subnets, one per AZ. */
function privateSubnetIds(run: ProgramRun): string[] {
    return ofType(run, T.subnet)
        .filter((s) => /^network-private-/.test(s.name))
        .map((s) => s.id)
        .sort();
}

const sizes = {
    dev: { web: "t3.medium", gateway: "t3.small" },
    prod: { web: "t3.large", gateway: "t3.large" },
};

/** Seconds each role's new host is given to boot before its health counts (compute/web.ts, gateway.ts). */
const BOOT_SECONDS: Record<Role, number> = { web: 900, gateway: 300 };

forEachStack("compute tier", (ctx) => {
    const { stack } = ctx;

    it("runs the stack's web tier", () => {
        assert.strictEqual(ctx.run.outputs.webTier, TIER[stack]);
    });

    it("defines each role's hosts with the stack's instance types", () => {
        assert.strictEqual(definition(ctx.run, "web").inputs.instanceType, sizes[stack].web);
        assert.strictEqual(
            definition(ctx.run, "gateway").inputs.instanceType,
            sizes[stack].gateway,
        );
    });

    for (const role of ROLES) {
        it(`${role} hosts: AL2023 from the public SSM parameter, IMDSv2 only (hop limit 2), encrypted gp3 root`, () => {
            const i = definition(ctx.run, role).inputs;
            assert.strictEqual(i[AMI_INPUT[TIER[stack]]], AMI_NOW);
            assert.deepStrictEqual(i.metadataOptions, {
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 2,
                instanceMetadataTags: "disabled",
            });
            if (TIER[stack] === "single") {
                assert.deepStrictEqual(i.rootBlockDevice, {
                    volumeType: "gp3",
                    volumeSize: 30,
                    encrypted: true,
                    deleteOnTermination: true,
                });
            } else {
                // The launch template's schema takes the flags as strings; AL2023's root device.
                assert.deepStrictEqual(i.blockDeviceMappings, [
                    {
                        deviceName: "/dev/xvda",
                        ebs: {
                            volumeType: "gp3",
                            volumeSize: 30,
                            encrypted: "true",
                            // prod's data key (config encryptionKey: customer-managed).
                            kmsKeyId: named(ctx.run, "aws:kms/key:Key", "data-key-key").state.arn,
                            deleteOnTermination: "true",
                        },
                    },
                ]);
            }
        });

        it(`${role} hosts: a new AMI release does not replace them`, () => {
            assert.deepStrictEqual(definition(ctx.run, role).ignoreChanges, [
                AMI_INPUT[TIER[stack]],
                ...KEY_KEPT[TIER[stack]],
            ]);
        });

        it(`${role} hosts: their own role with Session Manager; of Parameter Store, only the web hosts' own boot files (no managed policy)`, () => {
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
                    // GetParameter alone, on exactly each role's own boot files (the gateway's: the
                    // RDS CA its usage gate verifies the database with).
                    ...(role === "gateway"
                        ? [
                              [
                                  "ReadOwnBootFiles",
                                  ["ssm:GetParameter"],
                                  [
                                      `arn:aws:ssm:eu-west-2:123456789012:parameter/ai-portal-${stack}/boot/gateway-rds-ca.pem`,
                                  ],
                              ],
                          ]
                        : []),
                    ...(role === "web"
                        ? [
                              [
                                  "ReadOwnBootFiles",
                                  ["ssm:GetParameter"],
                                  [
                                      `arn:aws:ssm:eu-west-2:123456789012:parameter/ai-portal-${stack}/boot/rds-ca.pem`,
                                      TIER[stack] === "loadBalanced"
                                          ? `arn:aws:ssm:eu-west-2:123456789012:parameter/ai-portal-${stack}/boot/migrate.py`
                                          : `arn:aws:ssm:eu-west-2:123456789012:parameter/ai-portal-${stack}/boot/signin-limit.py`,
                                      `arn:aws:ssm:eu-west-2:123456789012:parameter/ai-portal-${stack}/boot/audit.sh`,
                                      `arn:aws:ssm:eu-west-2:123456789012:parameter/ai-portal-${stack}/boot/health.sh`,
                                  ],
                              ],
                          ]
                        : []),
                ],
            );
            const profile = ofType(ctx.run, T.profile).find(
                (p) => p.inputs.role === iamRole.state.name,
            )!;
            // An instance names its profile; a launch template gives its ARN.
            assert.deepStrictEqual(
                definition(ctx.run, role).inputs.iamInstanceProfile,
                TIER[stack] === "single" ? profile.state.name : { arn: profile.state.arn },
            );
        });

        it(`${role} hosts: ship container logs to their own log group with the stack's retention`, () => {
            const group = ofType(ctx.run, T.logGroup).find(
                (g) => g.inputs.name === `/ai-portal-${stack}/${role}`,
            )!;
            assert.ok(group, "log group");
            assert.strictEqual(group.inputs.retentionInDays, stack === "dev" ? 30 : 90);
            const script = bootScript(ctx.run, role);
            assert.match(script, new RegExp(`LOG_GROUP='/ai-portal-${stack}/${role}'`));
            assert.match(script, /--log-driver awslogs/);
            const logs = policyOf(ctx.run, role).find((s) => s.Sid === "WriteOwnLogs")!;
            assert.deepStrictEqual(logs.Resource, [`${group.state.arn}:*`]);
        });

        it(`${role} hosts: user data stays under EC2's 16 KB with a quarter kept free`, () => {
            // EC2 counts the raw bytes, before base64. The templates' own comments are left out
            // of what is sent (userData.ts withoutComments), and static files (the RDS CA, the
            // migration script) come from Parameter Store, pinned by hash (web.ts webBootFiles).
            const size = Buffer.byteLength(userDataOf(ctx.run, role), "utf8");
            assert.ok(size < (USER_DATA_LIMIT_BYTES * 3) / 4, `${size} bytes`);
        });

        it(`${role} hosts: user data names no secret value`, () => {
            // Every generated password in the mocks is MOCKSECRET...; user data is readable by
            // anyone who may describe the instance or the launch template.
            assert.doesNotMatch(userDataOf(ctx.run, role), /MOCKSECRET/);
        });

        it(`${role} hosts: run their containers by digest, from systemd units that restart them`, () => {
            const script = bootScript(ctx.run, role);
            const images = Object.fromEntries(
                [...script.matchAll(/^([A-Z_]+_IMAGE)='([^']+)'$/gm)].map((m) => [m[1], m[2]]),
            );
            // dev resolves the tag at deploy time; the load-balanced tier runs no Caddy.
            const caddy = `docker.io/library/caddy@${mockDigest("library/caddy:2.10-alpine")}`;
            assert.deepStrictEqual(
                images,
                role === "gateway"
                    ? {
                          GATEWAY_IMAGE: ctx.run.outputs.gatewayImage,
                          GATE_IMAGE: gateImageRef(ctx.run),
                      }
                    : TIER[stack] === "single"
                      ? { OPEN_WEBUI_IMAGE: ctx.run.outputs.openWebUiImage, CADDY_IMAGE: caddy }
                      : { OPEN_WEBUI_IMAGE: ctx.run.outputs.openWebUiImage },
            );
            for (const image of Object.values(images) as string[]) {
                assert.match(image, /@sha256:[0-9a-f]{64}$/);
            }
            assert.match(script, /^#!\/bin\/bash\n/);
            assert.match(script, /^set -euo pipefail$/m);
            assert.match(script, /^Restart=always$/m);
            assert.match(
                userDataOf(ctx.run, role),
                /cloud_final_modules:\n {2}- \[scripts-user, always\]/,
            );
        });
    }

    it("web hosts: Open WebUI's settings, named as upstream reads them", () => {
        const settings = webSettings(ctx.run);
        assert.deepStrictEqual(
            {
                ENABLE_PERSISTENT_CONFIG: settings.ENABLE_PERSISTENT_CONFIG,
                WEBUI_URL: settings.WEBUI_URL,
                ENABLE_SIGNUP: settings.ENABLE_SIGNUP,
                DEFAULT_USER_ROLE: settings.DEFAULT_USER_ROLE,
                OPENAI_API_BASE_URL: settings.OPENAI_API_BASE_URL,
                ENABLE_FORWARD_USER_INFO_HEADERS: settings.ENABLE_FORWARD_USER_INFO_HEADERS,
                DEFAULT_MODELS: settings.DEFAULT_MODELS,
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
                UVICORN_WORKERS: settings.UVICORN_WORKERS,
            },
            {
                ENABLE_PERSISTENT_CONFIG: "false",
                WEBUI_URL: ctx.run.outputs.portalUrl,
                ENABLE_SIGNUP: "false",
                DEFAULT_USER_ROLE: "user",
                // The gateway host's address, or the internal load balancer's name (tier blocks).
                OPENAI_API_BASE_URL: ctx.run.outputs.gatewayUrl,
                // Who is asking, for the usage gate on the gateway hosts (its per-person limits).
                ENABLE_FORWARD_USER_INFO_HEADERS: "true",
                // New chats start on the stack's own inference profile, as the gateway lists it.
                DEFAULT_MODELS: defaultModelProfile(ctx.run).state.arn,
                ENABLE_OLLAMA_API: "false",
                ENABLE_LDAP: "true",
                // The domain controllers' record in the VPC's private zone, not the AD domain.
                LDAP_SERVER_HOST: `ldap.ai-portal-${stack}.internal`,
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
                // One process per host: replicas scale by hosts (upstream's multi-replica rule).
                UVICORN_WORKERS: "1",
            },
        );
        assert.doesNotMatch(settings.LDAP_SEARCH_FILTER, /\{username\}|%s/, "a static filter");
        assert.match(settings.LDAP_SEARCH_FILTER, /^\(.*\)$/);
    });

    it("web hosts: HTTPS-only browser settings, and settings dangerous at upstream's defaults set safe", () => {
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

    it("web hosts: only members of the portal group (directly or nested) are found at sign-in", () => {
        const group = "CN=AI Portal Users,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal";
        assert.strictEqual(
            webSettings(ctx.run).LDAP_SEARCH_FILTER,
            `(objectClass=user)(objectCategory=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2))(!(userPrincipalName=portal-admin@example.com))(memberOf:1.2.840.113556.1.4.1941:=${group})`,
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
            !transitiveDependencies(ctx.run, launcher(ctx.run, "web")).has(command.urn),
            "the group is looked up at sign-in: the web hosts do not wait for it",
        );
    });

    it("web hosts: secrets are fetched at boot by ARN into a root-only file, never written into user data", () => {
        const script = bootScript(ctx.run, "web");
        for (const name of [
            "DATABASE_URL",
            "WEBUI_SECRET_KEY",
            "OPENAI_API_KEY",
            "WEBUI_ADMIN_PASSWORD",
        ]) {
            assert.match(script, new RegExp(`${name}=%s`), `${name} comes from a secret`);
        }
        // The bind password through the table of secret-backed settings (compute/web.ts
        // secretSettings): the setting, the bind secret's ARN, its JSON field.
        assert.match(
            script,
            new RegExp(
                `^SECRET_SETTINGS='LDAP_APP_PASSWORD ${ctx.run.outputs.directoryBindSecretArn} password'$`,
                "m",
            ),
        );
        assert.match(script, /umask 077/);
        assert.match(script, /chmod 600/);
        assert.match(script, new RegExp(`DB_SECRET_ARN='${ctx.run.outputs.dbAppSecretArn}'`));
        assert.match(
            script,
            new RegExp(`GATEWAY_KEY_SECRET_ARN='${ctx.run.outputs.gatewayApiKeySecretArn}'`),
        );
    });

    it("web hosts: the RDS CA goes on the host, from Parameter Store, and into Open WebUI's container at the path PGSSLROOTCERT names", () => {
        const script = bootScript(ctx.run, "web");
        assert.match(script, new RegExp(`DATABASE_CA_FILE='${DATABASE_CA_FILE}'`));
        const ca = parameters(ctx.run)[`/ai-portal-${stack}/boot/rds-ca.pem`];
        assert.ok(ca, "a parameter holds the CA");
        // What the host writes: the value and a newline, i.e. the committed file.
        assert.strictEqual(`${ca.inputs.insecureValue}\n`, RDS_CA_BUNDLE);
        assert.deepStrictEqual(bootFileLines(script)[0], {
            parameter: `/ai-portal-${stack}/boot/rds-ca.pem`,
            sha256: createHash("sha256").update(RDS_CA_BUNDLE.trimEnd()).digest("hex"),
            path: DATABASE_CA_FILE,
            mode: "644",
        });
        assert.match(script, /--volume \$DATABASE_CA_FILE:\$DATABASE_CA_FILE:ro/);
    });

    it("web hosts: static files come from Parameter Store, each pinned in user data by the SHA-256 of its parameter's value", () => {
        const script = bootScript(ctx.run, "web");
        const declared = parameters(ctx.run);
        const lines = bootFileLines(script);
        assert.deepStrictEqual(
            lines.map((l) => [l.parameter, l.path, l.mode]),
            [
                [`/ai-portal-${stack}/boot/rds-ca.pem`, DATABASE_CA_FILE, "644"],
                TIER[stack] === "loadBalanced"
                    ? [`/ai-portal-${stack}/boot/migrate.py`, "/etc/ai-portal/migrate.py", "644"]
                    : [
                          `/ai-portal-${stack}/boot/signin-limit.py`,
                          "/usr/local/sbin/ai-portal-signin-limit",
                          "755",
                      ],
                [`/ai-portal-${stack}/boot/audit.sh`, "/usr/local/sbin/ai-portal-audit", "700"],
                [`/ai-portal-${stack}/boot/health.sh`, "/usr/local/sbin/ai-portal-health", "700"],
            ],
        );
        // The web hosts' own, and the gateway hosts' one (gateway-rds-ca.pem).
        assert.deepStrictEqual(
            Object.keys(declared).sort(),
            [
                ...lines.map((l) => l.parameter),
                `/ai-portal-${stack}/boot/gateway-rds-ca.pem`,
            ].sort(),
        );
        for (const line of lines) {
            const parameter = declared[line.parameter];
            // Standard tier: free, and up to 4 KB; String: not a secret (shown in previews).
            assert.deepStrictEqual(
                [parameter.inputs.type, parameter.inputs.tier, parameter.inputs.dataType],
                ["String", "Standard", "text"],
            );
            assert.strictEqual(
                parameter.inputs.value,
                undefined,
                "insecureValue, readable in diffs",
            );
            const value = parameter.inputs.insecureValue as string;
            assert.ok(Buffer.byteLength(value) <= 4096, `${line.parameter}: ${value.length}`);
            assert.strictEqual(
                line.sha256,
                createHash("sha256").update(value, "utf8").digest("hex"),
                line.parameter,
            );
        }
        // Neither file is in user data itself.
        const userData = userDataOf(ctx.run, "web");
        assert.ok(!userData.includes("BEGIN CERTIFICATE"), "no certificate in user data");
        assert.ok(!userData.includes("pg_advisory_lock"), "no migration script in user data");
        // Fetched by name, verified, and only then written (boot_file).
        assert.match(
            script,
            /aws ssm get-parameter --region "\$AWS_REGION" --name "\$1" --query Parameter\.Value --output text/,
        );
    });

    it("web hosts: their definition takes its boot files' names from the parameters, and their launch waits for them", () => {
        const parameterUrns = ofType(ctx.run, T.parameter)
            .filter((p) => p.name.startsWith("compute-web-boot-"))
            .map((p) => p.urn)
            .sort();
        // The RDS CA, the migration script (loadBalanced) or the sign-in limit (single), the
        // audit shipper and the health reporter.
        assert.strictEqual(parameterUrns.length, 4);
        assert.deepStrictEqual(
            [...(definition(ctx.run, "web").propertyDependencies.userData ?? [])]
                .filter((urn) => parameterUrns.includes(urn))
                .sort(),
            parameterUrns,
            "the user data comes after the parameters: a changed value is stored before a host boots with its hash",
        );
        for (const urn of parameterUrns) {
            assert.ok(launcher(ctx.run, "web").dependencies.includes(urn), urn);
        }
    });

    it("web hosts: LDAP by the private zone's name through the VPC resolver; no directory address in the script", () => {
        const script = bootScript(ctx.run, "web");
        assert.strictEqual(
            webSettings(ctx.run).LDAP_SERVER_HOST,
            `ldap.ai-portal-${stack}.internal`,
        );
        assert.doesNotMatch(script, /--dns/, "the container uses the host's (the VPC's) resolver");
        for (const ip of ctx.run.outputs.directoryDnsIps as string[]) {
            assert.ok(!script.includes(ip), `${ip} in the boot script`);
        }
        assert.match(script, /^OPEN_WEBUI_PORT='8080'$/m);
        assert.match(
            script,
            /--publish \$OPEN_WEBUI_PUBLISH:\$OPEN_WEBUI_PORT:\$OPEN_WEBUI_PORT"/,
            "Open WebUI's port is published where OPEN_WEBUI_PUBLISH says (tier blocks)",
        );
    });

    it("web hosts: the database's address is looked up at boot, by the instance's identifier, never rendered", () => {
        const script = bootScript(ctx.run, "web");
        const db = ofType(ctx.run, "aws:rds/instance:Instance")[0];
        assert.strictEqual(scriptValues(script).DB_INSTANCE_ID, `ai-portal-${stack}-postgres`);
        assert.strictEqual(db.inputs.identifier, `ai-portal-${stack}-postgres`);
        assert.ok(
            !script.includes(db.state.address),
            "the instance's address is not in the script",
        );
        assert.strictEqual(scriptValues(script).DB_WAIT_SECONDS, "2700");
        assert.match(
            script,
            /aws rds describe-db-instances --region "\$AWS_REGION" --db-instance-identifier "\$DB_INSTANCE_ID"/,
        );
        // The instance role may describe exactly that one instance, by its ARN.
        const describe = policyOf(ctx.run, "web").filter((st) =>
            st.Action.some((a) => a.startsWith("rds:")),
        );
        assert.deepStrictEqual(describe, [
            {
                Sid: "FindTheDatabase",
                Effect: "Allow",
                Action: ["rds:DescribeDBInstances"],
                Resource: [`arn:aws:rds:eu-west-2:123456789012:db:ai-portal-${stack}-postgres`],
            },
        ]);
    });

    it("web hosts: launched without waiting for the directory, the bind account, the portal group or the role bootstrap; for the database only through its pre-upgrade snapshot", () => {
        const deps = transitiveDependencies(ctx.run, launcher(ctx.run, "web"));
        const waitedFor = [
            ofType(ctx.run, T.directory)[0],
            named(ctx.run, T.command, "ldap-bind-account"),
            named(ctx.run, T.command, "portal-group-group"),
            named(ctx.run, "aws:route53/record:Record", "ldap-name-record"),
            ofType(ctx.run, T.invocation)[0],
        ].filter((r) => deps.has(r.urn));
        assert.deepStrictEqual(
            waitedFor.map((r) => r.name),
            [],
            "the hosts wait at boot instead (the role) or look up at sign-in (directory)",
        );
        // The snapshot taken before a new Open WebUI image migrates (compute/upgrade.ts) needs
        // the instance; nothing else of the hosts' does.
        const database = ofType(ctx.run, "aws:rds/instance:Instance")[0];
        const snapshot = named(ctx.run, "aws:rds/snapshot:Snapshot", "compute-web-pre-upgrade");
        assert.ok(deps.has(snapshot.urn));
        for (const r of ctx.run.resources.filter((x) => deps.has(x.urn) && x !== snapshot)) {
            assert.ok(
                !r.dependencies.includes(database.urn),
                `${r.name} waits for the database other than through the snapshot`,
            );
        }
        // Not through any registration either: the ALB's target group and listeners.
        for (const r of ctx.run.resources.filter((x) => deps.has(x.urn))) {
            assert.ok(
                !transitiveDependencies(ctx.run, r).has(ofType(ctx.run, T.directory)[0].urn),
                `${r.name} waits for the directory`,
            );
        }
    });

    it("web hosts: the boot script is told the stack's tier", () => {
        assert.strictEqual(scriptValues(bootScript(ctx.run, "web")).WEB_TIER, TIER[stack]);
    });

    it("gateway hosts: upstream's settings, the API key by secret ARN, the region set", () => {
        const script = bootScript(ctx.run, "gateway");
        const profile = defaultModelProfile(ctx.run);
        assert.match(profile.state.arn, /:application-inference-profile\/[a-z0-9]{12}$/);
        assert.deepStrictEqual(heredoc(script, "SETTINGS").split("\n"), [
            // Inside the host's Docker network only: the usage gate takes the gateway port.
            "PORT=8081",
            "AWS_REGION=eu-west-2",
            // boto3.client("secretsmanager") without a region reads this one, not AWS_REGION.
            "AWS_DEFAULT_REGION=eu-west-2",
            // The stack's tagged copy of the configured model, listed by the gateway by its ARN.
            `DEFAULT_MODEL=${profile.state.arn}`,
            "ENABLE_CROSS_REGION_INFERENCE=true",
            "ENABLE_APPLICATION_INFERENCE_PROFILES=true",
            `ALLOWED_ORIGINS=${ctx.run.outputs.portalUrl}`,
            `API_KEY_SECRET_ARN=${ctx.run.outputs.gatewayApiKeySecretArn}`,
            "DEBUG=false",
        ]);
        assert.match(script, /--health-cmd .*\/health/);
    });

    it("usage gate image: built from this repository's gate/Dockerfile on the pinned Node.js base, into an immutable, scanned ECR repository in the stack's key", () => {
        const repo = named(ctx.run, T.repo, "compute-gate-image-repo");
        const gatewayRepo = named(ctx.run, T.repo, "compute-gateway-image-repo");
        assert.strictEqual(repo.inputs.name, `ai-portal-${stack}/usage-gate`);
        assert.strictEqual(repo.inputs.imageTagMutability, "IMMUTABLE");
        assert.deepStrictEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.deepStrictEqual(
            repo.inputs.encryptionConfigurations,
            gatewayRepo.inputs.encryptionConfigurations,
        );
        assert.strictEqual(repo.inputs.forceDelete, stack === "dev");
        const lifecycle = ofType(ctx.run, T.lifecycle).filter(
            (l) => l.name === "compute-gate-image-lifecycle",
        );
        assert.strictEqual(lifecycle.length, 1);
        const build = named(ctx.run, T.build, "compute-gate-image-build");
        assert.deepStrictEqual(build.inputs.context, { location: "." });
        assert.deepStrictEqual(build.inputs.dockerfile, { location: "gate/Dockerfile" });
        assert.deepStrictEqual(build.inputs.platforms, ["linux/amd64"]);
        // prod pins node:24-alpine by digest in its stack file; dev resolves the tag at deploy time.
        assert.strictEqual(
            build.inputs.buildArgs.NODE_IMAGE,
            stack === "prod"
                ? "docker.io/library/node@sha256:d32cdf619f63fe0471182d08996dd516c6275bb5fd31ae06e55a570bd9e1ad43"
                : `docker.io/library/node@${mockDigest("library/node:24-alpine")}`,
        );
        assert.deepStrictEqual(build.inputs.tags, [
            `${repo.state.repositoryUrl}:${gateImageTag(build.inputs.buildArgs.NODE_IMAGE)}`,
        ]);
        assert.match(gateImageRef(ctx.run), /\/usage-gate@sha256:[0-9a-f]{64}$/);
    });

    it("gateway hosts: the usage gate's secrets, boot file, database lookup and image, exactly", () => {
        const statements = policyOf(ctx.run, "gateway");
        const sid = (name: string) => statements.find((s) => s.Sid === name);
        assert.deepStrictEqual(sid("ReadGateSecrets")!.Action, ["secretsmanager:GetSecretValue"]);
        // prod has no group limits: the bind account's secret is not readable.
        assert.deepStrictEqual(sid("ReadGateSecrets")!.Resource, [ctx.run.outputs.dbGateSecretArn]);
        assert.deepStrictEqual(sid("FindTheDatabase"), {
            Sid: "FindTheDatabase",
            Effect: "Allow",
            Action: ["rds:DescribeDBInstances"],
            Resource: [`arn:aws:rds:eu-west-2:123456789012:db:ai-portal-${stack}-postgres`],
        });
        assert.deepStrictEqual(sid("PullGateImage")!.Resource, [
            named(ctx.run, T.repo, "compute-gate-image-repo").state.arn,
        ]);
        const script = bootScript(ctx.run, "gateway");
        const values = scriptValues(script);
        assert.strictEqual(values.GATE_DB_SECRET_ARN, ctx.run.outputs.dbGateSecretArn);
        assert.strictEqual(values.GATEWAY_KEY_SECRET_ARN, ctx.run.outputs.gatewayApiKeySecretArn);
        assert.strictEqual(values.BIND_SECRET_ARN, "");
        assert.strictEqual(values.DB_INSTANCE_ID, `ai-portal-${stack}-postgres`);
        assert.strictEqual(values.UPSTREAM_PORT, "8081");
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
            bootScript(ctx.run, "gateway"),
            new RegExp(`GATEWAY_IMAGE='${ctx.run.outputs.gatewayImage}'`),
        );
    });

    it("uploads bucket: private, encrypted, versioned, TLS only; protected with the data in prod", () => {
        const bucket = ofType(ctx.run, T.bucket).find((b) => b.name === "compute-uploads-bucket")!;
        assert.ok(bucket, "the uploads bucket");
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
            // SSE-KMS under the stack's data key where it has one (prod), SSE-S3 otherwise.
            stack === "prod" ? "aws:kms" : "AES256",
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

    it("the gateway hosts wait for neither the database role nor the directory", () => {
        const gatewayDeps = transitiveDependencies(ctx.run, launcher(ctx.run, "gateway"));
        const invocation = ofType(ctx.run, T.invocation)[0];
        const command = named(ctx.run, T.command, "ldap-bind-account");
        const directory = ofType(ctx.run, T.directory)[0];
        for (const urn of [invocation.urn, command.urn, directory.urn]) {
            assert.ok(!gatewayDeps.has(urn), `gateway must not wait for ${urn}`);
        }
    });

    it("each role's hosts are in its own security group: web's and gateway's", () => {
        for (const role of ROLES) {
            assert.deepStrictEqual(definition(ctx.run, role).inputs.vpcSecurityGroupIds, [
                securityGroupId(ctx.run, role),
            ]);
        }
        // The gateway's group admits its API port from the web hosts' side of the matrix only.
        const gatewayIngress = ofType(ctx.run, T.ingress).filter(
            (r) => r.inputs.securityGroupId === securityGroupId(ctx.run, "gateway"),
        );
        assert.deepStrictEqual(
            gatewayIngress.map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId]),
            [[8000, securityGroupId(ctx.run, TIER[stack] === "single" ? "web" : "gatewayLb")]],
        );
    });
});

forEachStack(
    "compute tier: single web tier",
    (ctx) => {
        it("declares the two hosts and no fleet: no launch template, Auto Scaling group or load balancer", () => {
            assert.strictEqual(ofType(ctx.run, T.instance).length, 2);
            for (const type of [T.launchTemplate, T.group, T.scalingPolicy, T.loadBalancer]) {
                assert.deepStrictEqual(ofType(ctx.run, type), [], type);
            }
            assert.strictEqual(ctx.run.outputs.webInstanceId, definition(ctx.run, "web").id);
            assert.strictEqual(
                ctx.run.outputs.gatewayInstanceId,
                definition(ctx.run, "gateway").id,
            );
            assert.strictEqual(ctx.run.outputs.webAutoScalingGroupName, undefined);
            assert.strictEqual(ctx.run.outputs.gatewayAutoScalingGroupName, undefined);
        });

        it("a changed boot script is applied to the same hosts by a stop/start, not a replacement", () => {
            for (const role of ROLES) {
                assert.strictEqual(definition(ctx.run, role).inputs.userDataReplaceOnChange, false);
            }
        });

        it("web host: public subnet, a public address at launch, its Elastic IP attached", () => {
            const web = definition(ctx.run, "web");
            const subnet = byId(ctx.run, T.subnet, web.inputs.subnetId);
            assert.match(subnet.name, /^network-public-/);
            assert.strictEqual(web.inputs.associatePublicIpAddress, true);
            const association = ofType(ctx.run, T.eipAssociation)[0];
            assert.strictEqual(association.inputs.instanceId, web.id);
            const eip = ofType(ctx.run, T.eip).find(
                (e) => e.id === association.inputs.allocationId,
            )!;
            assert.strictEqual(eip.name, "compute-web-eip");
            assert.strictEqual(ctx.run.outputs.webPublicIp, eip.state.publicIp);
            // No domain in dev: the portal is served at the address (see the domain test below).
            assert.strictEqual(ctx.run.outputs.portalUrl, `https://${eip.state.publicIp}`);
        });

        it("web host: no launch hook to complete and no Auto Scaling rights (the same boot script)", () => {
            const values = scriptValues(bootScript(ctx.run, "web"));
            assert.deepStrictEqual([values.AUTO_SCALING_GROUP, values.LAUNCH_HOOK], ["", ""]);
            assert.ok(
                !policyOf(ctx.run, "web").some((st) =>
                    st.Action.some((a) => a.startsWith("autoscaling:")),
                ),
            );
        });

        it("gateway host: private subnet, no public address, reachable at an internal URL", () => {
            const gateway = definition(ctx.run, "gateway");
            const subnet = byId(ctx.run, T.subnet, gateway.inputs.subnetId);
            assert.match(subnet.name, /^network-private-/);
            assert.strictEqual(gateway.inputs.associatePublicIpAddress, false);
            assert.strictEqual(
                ctx.run.outputs.gatewayUrl,
                `http://${gateway.state.privateIp}:8000/api/v1`,
            );
        });

        it("web host: Open WebUI listens on localhost only, behind Caddy", () => {
            const script = bootScript(ctx.run, "web");
            assert.strictEqual(scriptValues(script).OPEN_WEBUI_PUBLISH, "127.0.0.1");
        });

        it("web host: Caddy serves HTTPS at the Elastic IP with its internal CA, with HSTS", () => {
            const script = bootScript(ctx.run, "web");
            const caddyfile = heredoc(script, "CADDYFILE");
            const host = ctx.run.outputs.webPublicIp as string;
            assert.match(caddyfile, new RegExp(`^https://${host.replace(/\./g, "\\.")} \\{`, "m"));
            assert.match(caddyfile, /tls internal/);
            assert.ok(caddyfile.includes(`default_sni ${host}`));
            assert.match(caddyfile, /header Strict-Transport-Security "max-age=31536000"/);
            assert.match(
                caddyfile,
                /path \/api\/v1\/auths\/signin \/api\/v1\/auths\/signin\/\n\t\}\n\trespond @localSignIn .* 403/,
                "no admin ranges: the local sign-in answers nobody",
            );
            assert.match(caddyfile, /reverse_proxy 127\.0\.0\.1:8080/);
            // Caddy's file and container are the single tier's: they are in its blocks.
            assert.match(outsideTierBlocks(script, "loadBalanced"), /run_container caddy /);
            assert.match(outsideTierBlocks(script, "loadBalanced"), /<<'CADDYFILE'/);
        });

        it("web host: one Open WebUI, no Redis, no websocket manager; migrations as upstream runs them", () => {
            const settings = webSettings(ctx.run);
            for (const key of [
                "ENABLE_WEBSOCKET_SUPPORT",
                "WEBSOCKET_MANAGER",
                "ENABLE_DB_MIGRATIONS",
                "REDIS_URL",
                "WEBSOCKET_REDIS_URL",
            ]) {
                assert.strictEqual(settings[key], undefined, key);
            }
            const script = bootScript(ctx.run, "web");
            const values = scriptValues(script);
            assert.deepStrictEqual([values.REDIS_SECRET_ARN, values.REDIS_ENDPOINT], ["", ""]);
            assert.deepStrictEqual(
                bootFileLines(script).map((l) => l.path),
                [
                    DATABASE_CA_FILE,
                    "/usr/local/sbin/ai-portal-signin-limit",
                    "/usr/local/sbin/ai-portal-audit",
                    "/usr/local/sbin/ai-portal-health",
                ],
                "no migration script",
            );
        });

        it("web host: every sign-in attempt is counted per address by the sign-in limit Caddy asks, at wafSignInRateLimitPer5Min", async () => {
            const run = await runProgram({
                stack: "dev",
                overrides: { wafSignInRateLimitPer5Min: 12 },
            });
            assert.ifError(run.error);
            const script = bootScript(run, "web");
            const values = scriptValues(script);
            assert.deepStrictEqual(
                [values.SIGN_IN_LIMIT, values.SIGN_IN_LIMIT_PORT],
                ["12", "9180"],
            );
            // The default (20) in the stack as committed.
            assert.strictEqual(scriptValues(bootScript(ctx.run, "web")).SIGN_IN_LIMIT, "20");
            const caddyfile = heredoc(script, "CADDYFILE");
            assert.ok(
                caddyfile.includes(
                    [
                        "\t@signIn path /api/v1/auths/signin* /api/v1/auths/ldap* /api/v1/auths/signup* /api/v1/auths/update/password* /api/v1/auths/mfa/verify*",
                        "\tforward_auth @signIn 127.0.0.1:9180 {",
                        "\t\turi /",
                        "\t\theader_up X-Portal-Client-Address {remote_host}",
                        "\t}",
                    ].join("\n"),
                ),
                caddyfile,
            );
            // The script the host runs: the repository's, without its comment lines, executable.
            const file = parameters(run)[`/ai-portal-dev/boot/signin-limit.py`];
            assert.strictEqual(
                file.inputs.insecureValue,
                withoutComments(readTemplate("signin-limit.py")).trimEnd(),
            );
            assert.match(file.inputs.insecureValue, /^#!\/usr\/bin\/python3\n/);
            // Run by systemd as a user of its own, from the boot file, before Caddy starts.
            const unit = /install_unit signin-limit <<UNIT\n([\s\S]*?)\nUNIT\n/.exec(script);
            assert.ok(unit, "the sign-in limit's unit");
            assert.match(
                unit[1],
                /^ExecStart=\/usr\/local\/sbin\/ai-portal-signin-limit \$SIGN_IN_LIMIT \$SIGN_IN_LIMIT_PORT$/m,
            );
            assert.match(unit[1], /^DynamicUser=yes$/m);
            assert.ok(
                script.indexOf("install_unit signin-limit") < script.indexOf("run_container caddy"),
            );
            assert.doesNotMatch(outsideTierBlocks(script, "single"), /install_unit signin-limit/);
        });

        it("web host: the secrets file holds the app's secrets and no Redis URL", () => {
            const script = bootScript(ctx.run, "web");
            const values = scriptValues(script);
            const file = secretsFile(script, {
                [values.DB_SECRET_ARN]: DB_CREDENTIALS,
                [values.WEB_SECRET_ARN]: { secret_key: "k", admin_password: "a" },
                [values.GATEWAY_KEY_SECRET_ARN]: { api_key: "g" },
                [ctx.run.outputs.directoryBindSecretArn as string]: { password: "b" },
            });
            // The URL as data/index.ts databaseUrl builds it, from the credentials and the address
            // found at boot, the password URL-encoded.
            const url = databaseUrl("openwebui", "p@ss/w:rd", DB_ADDRESS, 5432, "aiportal");
            assert.strictEqual(
                url,
                `postgresql://openwebui:p%40ss%2Fw%3Ard@${DB_ADDRESS}:5432/aiportal`,
            );
            assert.deepStrictEqual(file.trimEnd().split("\n"), [
                `DATABASE_URL=${url}`,
                `PGVECTOR_DB_URL=${url}`,
                "WEBUI_SECRET_KEY=k",
                "WEBUI_ADMIN_PASSWORD=a",
                "OPENAI_API_KEY=g",
                "LDAP_APP_PASSWORD=b",
            ]);
        });

        it("web host: the health probe reaches the portal through Caddy on the host", () => {
            const { curl, metric } = healthProbe(ctx.run);
            const host = ctx.run.outputs.webPublicIp as string;
            assert.deepStrictEqual(curl, [
                "--silent",
                "--fail",
                "--max-time",
                "10",
                "--resolve",
                `${host}:443:127.0.0.1`,
                "--insecure",
                `https://${host}/health`,
            ]);
            assert.deepStrictEqual(metric.slice(-4), ["--dimensions", "Stack=dev", "--value", "1"]);
        });
    },
    ["dev"],
);

forEachStack(
    "compute tier: load-balanced web tier",
    (ctx) => {
        const group = (role: Role) => named(ctx.run, T.group, `compute-${role}-group`);
        const gatewayLb = () => named(ctx.run, T.loadBalancer, "compute-gateway-lb-lb");
        const gatewayTargets = () => named(ctx.run, T.targetGroup, "compute-gateway-lb-targets");

        it("declares no instance and no Elastic IP: each role is an Auto Scaling group with the stack's sizes", () => {
            assert.deepStrictEqual(ofType(ctx.run, T.instance), []);
            assert.deepStrictEqual(
                ofType(ctx.run, T.eip)
                    .filter((e) => e.name.startsWith("compute-"))
                    .concat(ofType(ctx.run, T.eipAssociation)),
                [],
                "the NAT gateways' addresses only",
            );
            assert.deepStrictEqual(
                ROLES.map((role) => [
                    group(role).inputs.name,
                    group(role).inputs.minSize,
                    group(role).inputs.maxSize,
                ]),
                [
                    ["ai-portal-prod-web", 2, 4],
                    ["ai-portal-prod-gateway", 2, 4],
                ],
            );
            for (const role of ROLES) {
                const template = definition(ctx.run, role);
                assert.deepStrictEqual(group(role).inputs.launchTemplate, {
                    id: template.id,
                    version: String(template.state.latestVersion),
                });
            }
            assert.strictEqual(ctx.run.outputs.webAutoScalingGroupName, group("web").state.name);
            assert.strictEqual(
                ctx.run.outputs.gatewayAutoScalingGroupName,
                group("gateway").state.name,
            );
            for (const output of ["webInstanceId", "gatewayInstanceId", "webPublicIp"]) {
                assert.strictEqual(ctx.run.outputs[output], undefined, output);
            }
        });

        it("hosts run in the private subnets of every AZ, with no public address", () => {
            const subnets = privateSubnetIds(ctx.run);
            assert.strictEqual(subnets.length, 2, "one private subnet per AZ");
            for (const role of ROLES) {
                assert.deepStrictEqual([...group(role).inputs.vpcZoneIdentifiers].sort(), subnets);
                for (const id of group(role).inputs.vpcZoneIdentifiers as string[]) {
                    assert.notStrictEqual(
                        byId(ctx.run, T.subnet, id).inputs.mapPublicIpOnLaunch,
                        true,
                    );
                }
                // A launch template asks for a public address only in a network interface.
                assert.doesNotMatch(
                    JSON.stringify(definition(ctx.run, role).inputs),
                    /associatePublicIpAddress|networkInterfaces/,
                    role,
                );
            }
        });

        it("launch templates: the boot script base64-encoded, hosts and volumes tagged as every resource is", () => {
            for (const role of ROLES) {
                const inputs = definition(ctx.run, role).inputs;
                assert.match(inputs.userData, /^[A-Za-z0-9+/]+=*$/, "base64");
                assert.strictEqual(
                    Buffer.from(userDataOf(ctx.run, role), "utf8").toString("base64"),
                    inputs.userData,
                );
                // The provider's default tags stop at the template; what it launches gets these.
                const tags = {
                    Project: "ai-portal",
                    Stack: "prod",
                    ManagedBy: "pulumi",
                    Name: `ai-portal-prod-${role}`,
                };
                assert.deepStrictEqual(inputs.tagSpecifications, [
                    { resourceType: "instance", tags },
                    { resourceType: "volume", tags },
                ]);
            }
        });

        it("a new template version rolls out by instance refresh, half the hosts kept in service, each given its boot time", () => {
            for (const role of ROLES) {
                const g = group(role).inputs;
                assert.deepStrictEqual(
                    g.instanceRefresh,
                    {
                        strategy: "Rolling",
                        preferences: {
                            minHealthyPercentage: 50,
                            instanceWarmup: String(BOOT_SECONDS[role]),
                        },
                    },
                    role,
                );
                assert.strictEqual(g.defaultInstanceWarmup, BOOT_SECONDS[role], role);
            }
        });

        it("hosts are healthy when their load balancer says so, after a grace period that covers boot", () => {
            for (const role of ROLES) {
                const g = group(role).inputs;
                assert.deepStrictEqual(
                    [g.healthCheckType, g.healthCheckGracePeriod, g.minElbCapacity],
                    ["ELB", BOOT_SECONDS[role], g.minSize],
                    role,
                );
            }
        });

        it("web group: a launch hook holds new hosts until their boot script says Open WebUI answers; only that group's actions may be completed", () => {
            const hook = {
                name: "open-webui-ready",
                lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
                heartbeatTimeout: 3600,
                defaultResult: "ABANDON",
            };
            const g = group("web");
            // On the group, so its first hosts launch with it, and as a resource for a group
            // that exists already.
            assert.deepStrictEqual(g.inputs.initialLifecycleHooks, [hook]);
            const hooks = ofType(ctx.run, "aws:autoscaling/lifecycleHook:LifecycleHook");
            assert.deepStrictEqual(
                hooks.map((h) => h.inputs),
                [{ autoscalingGroupName: g.state.name, ...hook }],
            );
            // `pulumi up` waits out the hook's timeout and the boot time before giving up.
            assert.strictEqual(g.inputs.waitForCapacityTimeout, "75m");
            assert.strictEqual(group("gateway").inputs.initialLifecycleHooks, undefined);
            assert.strictEqual(group("gateway").inputs.waitForCapacityTimeout, "20m");
            const values = scriptValues(bootScript(ctx.run, "web"));
            assert.deepStrictEqual(
                [values.AUTO_SCALING_GROUP, values.LAUNCH_HOOK],
                [g.state.name, hook.name],
            );
            assert.deepStrictEqual(
                policyOf(ctx.run, "web").filter((st) =>
                    st.Action.some((a) => a.startsWith("autoscaling:")),
                ),
                [
                    {
                        Sid: "CompleteOwnLaunch",
                        Effect: "Allow",
                        Action: ["autoscaling:CompleteLifecycleAction"],
                        Resource: [
                            `arn:aws:autoscaling:eu-west-2:123456789012:autoScalingGroup:*:autoScalingGroupName/${g.state.name}`,
                        ],
                    },
                ],
            );
            assert.ok(
                String(g.state.arn).endsWith(`:autoScalingGroupName/${g.state.name}`),
                "the pattern matches the group's ARN",
            );
            assert.ok(
                !policyOf(ctx.run, "gateway").some((st) =>
                    st.Action.some((a) => a.startsWith("autoscaling:")),
                ),
            );
        });

        it("each fleet scales on average CPU between its sizes", () => {
            const policies = ofType(ctx.run, T.scalingPolicy);
            assert.deepStrictEqual(
                policies
                    .map((p) => [
                        p.inputs.autoscalingGroupName,
                        p.inputs.policyType,
                        p.inputs.targetTrackingConfiguration,
                    ])
                    .sort(),
                ROLES.map((role) => [
                    group(role).state.name,
                    "TargetTrackingScaling",
                    {
                        predefinedMetricSpecification: {
                            predefinedMetricType: "ASGAverageCPUUtilization",
                        },
                        targetValue: 60,
                    },
                ]).sort(),
            );
        });

        it("the web hosts register with the edge ALB's target group, on Open WebUI's port", () => {
            const targets = named(ctx.run, T.targetGroup, "edge-web-targets");
            assert.deepStrictEqual(group("web").inputs.targetGroupArns, [targets.state.arn]);
            assert.strictEqual(targets.inputs.port, 8080);
        });

        it("the gateway hosts register with the internal load balancer, and Open WebUI calls it by name", () => {
            const lb = gatewayLb();
            const targets = gatewayTargets();
            assert.deepStrictEqual(group("gateway").inputs.targetGroupArns, [targets.state.arn]);
            assert.deepStrictEqual(
                [lb.inputs.internal, [...lb.inputs.subnets].sort()],
                [true, privateSubnetIds(ctx.run)],
            );
            assert.deepStrictEqual(lb.inputs.securityGroups, [
                securityGroupId(ctx.run, "gatewayLb"),
            ]);
            const listener = ofType(ctx.run, T.listener).find(
                (l) => l.inputs.loadBalancerArn === lb.state.arn,
            )!;
            // HTTPS on 443 to the load balancer; plain HTTP on the gateway port only behind it.
            assert.deepStrictEqual(
                [listener.inputs.port, listener.inputs.protocol, listener.inputs.defaultActions],
                [443, "HTTPS", [{ type: "forward", targetGroupArn: targets.state.arn }]],
            );
            assert.strictEqual(targets.inputs.port, 8000);
            assert.strictEqual(
                ctx.run.outputs.gatewayUrl,
                "https://gateway.portal.example.com/api/v1",
            );
            assert.strictEqual(
                webSettings(ctx.run).OPENAI_API_BASE_URL,
                ctx.run.outputs.gatewayUrl,
            );
            // And verifies the gateway's certificate (upstream's default, stated).
            assert.strictEqual(webSettings(ctx.run).AIOHTTP_CLIENT_SESSION_SSL, "true");
        });

        it("the gateway hosts' group is created after the internal load balancer's listener that puts its target group to use", () => {
            const listener = ofType(ctx.run, T.listener).find(
                (l) => l.inputs.loadBalancerArn === gatewayLb().state.arn,
            )!;
            assert.ok(
                group("gateway").dependencies.includes(listener.urn),
                "compute-gateway-group waits for compute-gateway-lb-https",
            );
        });

        it("web hosts: Open WebUI listens on every interface for the ALB, whose group alone may connect", () => {
            assert.strictEqual(
                scriptValues(bootScript(ctx.run, "web")).OPEN_WEBUI_PUBLISH,
                "0.0.0.0",
            );
            const webIngress = ofType(ctx.run, T.ingress).filter(
                (r) => r.inputs.securityGroupId === securityGroupId(ctx.run, "web"),
            );
            assert.deepStrictEqual(
                webIngress.map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId]),
                [[8080, securityGroupId(ctx.run, "alb")]],
            );
        });

        it("web hosts: Open WebUI's replicas share sockets through Redis; the service never migrates the schema", () => {
            const settings = webSettings(ctx.run);
            assert.deepStrictEqual(
                [
                    settings.ENABLE_WEBSOCKET_SUPPORT,
                    settings.WEBSOCKET_MANAGER,
                    settings.ENABLE_DB_MIGRATIONS,
                    settings.UVICORN_WORKERS,
                ],
                ["true", "redis", "false", "1"],
            );
        });

        it("web hosts: the Redis URLs are built at boot from the endpoint and the token's secret, the token never in user data", () => {
            const script = bootScript(ctx.run, "web");
            const values = scriptValues(script);
            const redisSecret = ofType(ctx.run, T.secret).find(
                (s) => s.inputs.name === "ai-portal-prod/web/redis",
            )!;
            assert.ok(redisSecret, "the Redis token's secret");
            assert.deepStrictEqual(
                [values.REDIS_ENDPOINT, values.REDIS_SECRET_ARN],
                [`${ctx.run.outputs.redisEndpoint}:6379`, redisSecret.id],
            );
            const version = ofType(ctx.run, T.secretVersion).find(
                (v) => v.inputs.secretId === redisSecret.id,
            )!;
            assert.match(
                values.SECRET_VERSIONS,
                new RegExp(`(^| )redis:${version.state.versionId}( |$)`),
                "a new token is a new template version: the hosts roll and read it",
            );
            const token = "t0ken";
            const file = secretsFile(script, {
                [values.DB_SECRET_ARN]: DB_CREDENTIALS,
                [values.WEB_SECRET_ARN]: { secret_key: "k", admin_password: "a" },
                [values.GATEWAY_KEY_SECRET_ARN]: { api_key: "g" },
                [ctx.run.outputs.directoryBindSecretArn as string]: { password: "b" },
                [redisSecret.id]: { auth_token: token },
            });
            const url = `rediss://:${token}@${ctx.run.outputs.redisEndpoint}:6379/0`;
            assert.deepStrictEqual(file.trimEnd().split("\n").slice(-2), [
                `REDIS_URL=${url}`,
                `WEBSOCKET_REDIS_URL=${url}`,
            ]);
            const realToken = named(
                ctx.run,
                "random:index/randomPassword:RandomPassword",
                "session-store-auth-token",
            ).state.result;
            assert.ok(!userDataOf(ctx.run, "web").includes(realToken));
        });

        it("web hosts: no Caddy (the ALB terminates TLS): none runs, none is configured", () => {
            const script = bootScript(ctx.run, "web");
            assert.strictEqual(scriptValues(script).CADDY_IMAGE, "");
            assert.strictEqual(heredoc(script, "CADDYFILE"), "");
            const runs = outsideTierBlocks(script, "single")
                .split("\n")
                .filter((line) => /caddy/i.test(line) && line !== "CADDY_IMAGE=''");
            assert.deepStrictEqual(runs, [], "only the single tier's blocks mention Caddy");
        });

        it("web hosts: the schema is migrated by one host at a time, under an advisory lock, before Open WebUI's service is installed", () => {
            const script = bootScript(ctx.run, "web");
            const migrate = parameters(ctx.run)["/ai-portal-prod/boot/migrate.py"].inputs
                .insecureValue as string;
            assert.strictEqual(migrate, withoutComments(readTemplate("migrate.py")).trimEnd());
            assert.strictEqual(
                bootFileLines(script).find((l) => l.path === "/etc/ai-portal/migrate.py")!.sha256,
                createHash("sha256").update(migrate).digest("hex"),
            );
            assert.ok(
                script.indexOf("<<'BOOTFILES'") < script.indexOf("--name open-webui-migrate"),
                "fetched before it runs",
            );
            const lock = migrate.indexOf("SELECT pg_advisory_lock(");
            const migrates = migrate.indexOf("import open_webui.config");
            const unlock = migrate.indexOf("SELECT pg_advisory_unlock(");
            assert.ok(0 < lock && lock < migrates && migrates < unlock, "lock, migrate, unlock");
            const run = /^\s*docker run --rm --name open-webui-migrate .*\\\n.*$/m.exec(script);
            assert.ok(run, "a one-off migration container");
            assert.match(run[0], /\$open_webui_options --env ENABLE_DB_MIGRATIONS=true /);
            assert.match(run[0], /python3 \/opt\/ai-portal\/migrate\.py$/);
            assert.ok(
                run.index < script.indexOf("\nrun_container open-webui "),
                "migrated before the service starts",
            );
            // It runs in the load-balanced tier only.
            assert.doesNotMatch(outsideTierBlocks(script, "loadBalanced"), /open-webui-migrate/);
        });

        it("web hosts: the health probe goes through the ALB by the portal's name, as users do", () => {
            const { curl, metric } = healthProbe(ctx.run);
            assert.deepStrictEqual(curl, [
                "--silent",
                "--fail",
                "--max-time",
                "10",
                "https://portal.example.com/health",
            ]);
            assert.deepStrictEqual(metric.slice(-4), [
                "--dimensions",
                "Stack=prod",
                "--value",
                "1",
            ]);
        });

        it("the web role may read the Redis token's secret; the gateway's may not", () => {
            const redisSecretArn = ofType(ctx.run, T.secret).find(
                (s) => s.inputs.name === "ai-portal-prod/web/redis",
            )!.id;
            const reads = (role: Role) =>
                policyOf(ctx.run, role)
                    .filter((s) => s.Action.includes("secretsmanager:GetSecretValue"))
                    .flatMap((s) => [s.Resource].flat());
            assert.ok(reads("web").includes(redisSecretArn));
            assert.ok(!reads("gateway").includes(redisSecretArn));
        });
    },
    ["prod"],
);

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
        const actionsOf = (role: Role) => policyOf(run, role).flatMap((s) => s.Action);
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
                // The load-balanced tier's hosts read the Redis token too.
                ...(tierOf(run) === "loadBalanced"
                    ? [named(run, T.secret, "session-store-auth").id]
                    : []),
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
        const run = await runStack("prod");
        const resources = invokable(run);
        assert.deepStrictEqual(resources, [
            "arn:aws:bedrock:eu-*::foundation-model/*",
            "arn:aws:bedrock:eu-west-2:123456789012:inference-profile/eu.*",
            // The stack's own application profile only (not another stack's, nor any other
            // application profile in the account); it routes through the models above.
            defaultModelProfile(run).state.arn,
        ]);
        assert.ok(!resources.some((r) => r.includes("global.") || r.includes(":*::")));
        assert.ok(!resources.some((r) => r.includes("application-inference-profile/*")));
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
        assert.ok(resources.includes(defaultModelProfile(run).state.arn));
        assert.ok(!resources.some((r) => r.includes("application-inference-profile/*")));
    });

    it("the gateway may be filtered by the account's enforced guardrail, and do nothing else with guardrails", async () => {
        const run = await runStack("prod");
        const guardrailStatements = policyOf(run, "gateway").filter((s) =>
            ([] as string[]).concat(s.Action as string[]).some((a) => a.includes("Guardrail")),
        );
        assert.deepStrictEqual(guardrailStatements, [
            {
                Sid: "ApplyEnforcedGuardrail",
                Effect: "Allow",
                Action: ["bedrock:ApplyGuardrail"],
                Resource: ["arn:aws:bedrock:eu-west-2:123456789012:guardrail/*"],
            },
        ]);
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

forEachStack("compute tier: the default model's inference profile", (ctx) => {
    it("copies the configured eu. cross-region profile into an application profile of the stack's own", () => {
        const profile = defaultModelProfile(ctx.run);
        assert.strictEqual(profile.inputs.name, `ai-portal-${ctx.stack}-default-model`);
        assert.deepStrictEqual(profile.inputs.modelSource, {
            // This account's copy of the system profile, so prompts stay routed within the EU.
            copyFrom: `arn:aws:bedrock:eu-west-2:123456789012:inference-profile/${DEFAULT_MODEL_ID}`,
        });
        assert.strictEqual(ctx.run.outputs.defaultModelProfileArn, profile.state.arn);
    });

    it("is the default model of both the gateway and Open WebUI, by its ARN", () => {
        const arn = defaultModelProfile(ctx.run).state.arn as string;
        assert.strictEqual(settingsOf(ctx.run, "gateway").DEFAULT_MODEL, arn);
        assert.strictEqual(webSettings(ctx.run).DEFAULT_MODELS, arn);
        // Not the configured model id: calls through the id would carry no stack tag.
        for (const role of ROLES) {
            assert.doesNotMatch(
                heredoc(bootScript(ctx.run, role), "SETTINGS"),
                /^DEFAULT_MODELS?=eu\./m,
                role,
            );
        }
    });

    it("calls through it carry the stack's cost-allocation tag (the provider's default tags reach it)", () => {
        const profile = defaultModelProfile(ctx.run);
        const provider = ofType(ctx.run, "pulumi:providers:aws").find((p) =>
            profile.provider.startsWith(`${p.urn}::`),
        );
        assert.ok(provider, "the profile is managed by the stack's provider");
        assert.strictEqual(JSON.parse(provider.inputs.defaultTags).tags.Stack, ctx.stack);
    });
});

describe("compute tier: what the default model's profile copies", () => {
    const copied = async (overrides: Record<string, string>) => {
        const run = await runProgram({ stack: "prod", overrides });
        assert.ifError(run.error);
        return defaultModelProfile(run).inputs.modelSource.copyFrom as string;
    };

    it("a plain model id: the foundation model in the stack's region (no account in the ARN)", async () => {
        assert.strictEqual(
            await copied({ bedrockDefaultModel: "anthropic.claude-3-haiku-20240307-v1:0" }),
            "arn:aws:bedrock:eu-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        );
    });

    it("global residency with a global. profile: this account's copy of the global profile", async () => {
        assert.strictEqual(
            await copied({
                bedrockDataResidency: "global",
                bedrockDefaultModel: "global.anthropic.claude-sonnet-4-20250514-v1:0",
            }),
            "arn:aws:bedrock:eu-west-2:123456789012:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0",
        );
    });
});

describe("compute tier: what changes upstream do", () => {
    for (const stack of STACKS) {
        it(`${stack}: a new AL2023 release leaves both roles' host definitions as they are (the AMI is ignored)`, async () => {
            const before = await runStack(stack);
            const after = await runProgram(
                { stack },
                { mocks: { al2023AmiId: "ami-0123456789abcdef0" } },
            );
            assert.ifError(after.error);
            const ami = AMI_INPUT[tierOf(before)];
            for (const role of ROLES) {
                const [a, b] = [definition(before, role), definition(after, role)];
                assert.notStrictEqual(
                    b.inputs[ami],
                    a.inputs[ami],
                    "the program did see the new AMI",
                );
                assert.deepStrictEqual(
                    b.ignoreChanges,
                    [ami, ...KEY_KEPT[tierOf(before)]],
                    "and the engine is told to keep the old one",
                );
                const { [ami]: _a, ...restBefore } = a.inputs;
                const { [ami]: _b, ...restAfter } = b.inputs;
                assert.deepStrictEqual(restAfter, restBefore);
            }
        });

        it(`${stack}: a pinned AMI is used as given, and changing the pin is the deliberate way to roll a role's hosts`, async () => {
            const run = await runProgram({
                stack,
                overrides: { gatewayHostAmiId: "ami-0fedcba9876543210" },
            });
            assert.ifError(run.error);
            const ami = AMI_INPUT[tierOf(run)];
            assert.strictEqual(definition(run, "gateway").inputs[ami], "ami-0fedcba9876543210");
            const kept = KEY_KEPT[tierOf(run)];
            assert.deepStrictEqual(definition(run, "gateway").ignoreChanges, kept);
            assert.deepStrictEqual(definition(run, "web").ignoreChanges, [ami, ...kept]);
        });
    }

    /**
     * A stack's program run from a copy of the repository's program whose
     * compute/templates/migrate.py has one more line (the repository's own file is not touched).
     */
    let changedCopy: string | undefined;
    async function withChangedMigration(stack: string): Promise<ProgramRun> {
        const root = path.join(__dirname, "..", "..");
        if (!changedCopy) {
            changedCopy = fs.mkdtempSync(path.join(os.tmpdir(), "compute-migrate-"));
            const skip = new Set(["node_modules", ".git", ".stryker-tmp", "tests", "reports"]);
            for (const entry of fs.readdirSync(root)) {
                if (!skip.has(entry)) {
                    fs.cpSync(path.join(root, entry), path.join(changedCopy, entry), {
                        recursive: true,
                    });
                }
            }
            // The same packages (resolved to the same files, so the same Pulumi runtime and mocks).
            fs.symlinkSync(path.join(root, "node_modules"), path.join(changedCopy, "node_modules"));
            fs.appendFileSync(
                path.join(changedCopy, "compute", "templates", "migrate.py"),
                'print("ai-portal: migrated")\n',
            );
        }
        const run = await runProgram({ stack }, { projectDir: changedCopy });
        assert.ifError(run.error);
        return run;
    }
    after(() => {
        if (changedCopy) {
            fs.rmSync(changedCopy, { recursive: true, force: true });
        }
    });

    /** Asset paths (functions' code) of the copy as the repository's, which they are. */
    function sameProject(json: string): string {
        const root = path.join(__dirname, "..", "..");
        return changedCopy ? json.split(`${path.relative(root, changedCopy)}/`).join("") : json;
    }

    /** `<Type> <name>` of each resource whose inputs differ between two runs of the same stack. */
    function changedResources(before: ProgramRun, after: ProgramRun): string[] {
        assert.deepStrictEqual(
            after.resources.map((r) => r.urn).sort(),
            before.resources.map((r) => r.urn).sort(),
        );
        return before.resources
            .filter(
                (r) =>
                    JSON.stringify(r.inputs) !==
                    sameProject(
                        JSON.stringify(after.resources.find((a) => a.urn === r.urn)!.inputs),
                    ),
            )
            .map((r) => `${r.type.split(":").pop()} ${r.name}`)
            .sort();
    }

    it("prod: a changed migrate.py changes its parameter and the line of the web template's user data that pins it, so the fleet rolls", async () => {
        const before = await runStack("prod");
        const after = await withChangedMigration("prod");
        assert.deepStrictEqual(changedResources(before, after), [
            "LaunchTemplate compute-web-template",
            "Parameter compute-web-boot-migrate-py",
        ]);
        const [a, b] = [bootScript(before, "web"), bootScript(after, "web")].map((s) =>
            s.split("\n"),
        );
        const changed = b.filter((line, i) => line !== a[i]);
        const value = parameters(after)["/ai-portal-prod/boot/migrate.py"].inputs.insecureValue;
        assert.match(value, /print\("ai-portal: migrated"\)$/);
        assert.deepStrictEqual(changed, [
            `/ai-portal-prod/boot/migrate.py ${createHash("sha256").update(value).digest("hex")} /etc/ai-portal/migrate.py 644`,
        ]);
        // A new template version is what the group's instance refresh rolls out.
        assert.strictEqual(
            named(after, T.group, "compute-web-group").inputs.instanceRefresh.strategy,
            "Rolling",
        );
    });

    it("dev: a changed migrate.py changes nothing (the single host does not migrate)", async () => {
        assert.deepStrictEqual(
            changedResources(await runStack("dev"), await withChangedMigration("dev")),
            [],
        );
    });

    it("a moved upstream tag shows up as a new digest in the web host's boot script", async () => {
        const before = await runStack("dev");
        const after = await runProgram({ stack: "dev" }, { mocks: { registryRevision: "moved" } });
        const image = (run: ProgramRun) => scriptValues(bootScript(run, "web")).OPEN_WEBUI_IMAGE;
        assert.notStrictEqual(image(after), image(before));
        assert.match(image(after), /^ghcr\.io\/open-webui\/open-webui@sha256:/);
    });

    it("a configured gateway image is run as given, with no build and pull rights on its repository only", async () => {
        const image = `123456789012.dkr.ecr.eu-west-2.amazonaws.com/team/gateway@sha256:${"a".repeat(64)}`;
        const run = await runProgram({ stack: "dev", overrides: { gatewayImage: image } });
        assert.ifError(run.error);
        // Only the usage gate's own image is built (this repository's gate/Dockerfile).
        assert.deepStrictEqual(
            ofType(run, T.build).map((b) => b.name),
            ["compute-gate-image-build"],
        );
        assert.deepStrictEqual(
            ofType(run, T.repo).map((r) => r.inputs.name),
            ["ai-portal-dev/usage-gate"],
        );
        assert.strictEqual(scriptValues(bootScript(run, "gateway")).GATEWAY_IMAGE, image);
        assert.deepStrictEqual(
            policyOf(run, "gateway").find((s) => s.Sid === "PullGatewayImage")!.Resource,
            ["arn:aws:ecr:eu-west-2:123456789012:repository/team/gateway"],
        );
    });

    for (const stack of STACKS) {
        it(`${stack}: no ARN the program builds assumes the aws partition: it asks aws.getPartition`, async () => {
            const image = `123456789012.dkr.ecr.eu-west-2.amazonaws.com/team/gateway@sha256:${"a".repeat(64)}`;
            const run = await runProgram(
                { stack, overrides: { gatewayImage: image } },
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
    }

    it("Docker Hub images are looked up where the provider finds Docker Hub's API, and run by their canonical name", async () => {
        const run = await runStack("dev");
        assert.ifError(run.error);
        const script = bootScript(run, "web");
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
        assert.strictEqual(
            scriptValues(bootScript(run, "web")).CADDY_IMAGE,
            `docker.io/library/caddy@${digest}`,
        );
    });

    it("with a domain name, the portal URL is the domain and Caddy asks for a public certificate", async () => {
        const run = await runProgram({
            stack: "dev",
            overrides: { domainName: "portal.example.com" },
        });
        assert.strictEqual(run.outputs.portalUrl, "https://portal.example.com");
        const caddyfile = heredoc(bootScript(run, "web"), "CADDYFILE");
        assert.match(caddyfile, /^https:\/\/portal\.example\.com \{/m);
        assert.doesNotMatch(caddyfile, /tls internal/);
        assert.match(caddyfile, /Strict-Transport-Security/);
    });
});
