/**
 * Each stack's rendered boot scripts, run twice (they run at every boot) on a disk of their own,
 * with the real AWS CLI and jq against moto and stubs for docker, dnf and systemctl: the files they
 * write and their modes, every setting and secret they place and nothing else, the units they
 * install (checked by systemd-analyze), and that the second boot changes nothing.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ldapSearchFilter } from "../../compute/settings";
import { sha256Hex } from "../../compute/userData";
import { databaseUrl } from "../../data";
import { moto, workDir } from "./support/components";
import { artefactsOf, BootedHost, bootedHost, STACKS } from "./support/fixtures";
import { HostDisk, parseEnvFile, WrittenFile } from "./support/host";
import { declaredParameters, isRdsCaParameter, suiteCaValue } from "./support/portal";
import { run } from "./support/process";

/** Checks units as systemd would load them, in a root holding what the host's disk holds. */
async function verifyUnits(
    disk: HostDisk,
    written: readonly WrittenFile[],
    units: readonly string[],
): Promise<string> {
    const root = workDir("systemd-roots", disk.name);
    fs.cpSync("/lib/systemd/system", path.join(root, "usr/lib/systemd/system"), {
        recursive: true,
        verbatimSymlinks: true,
    });
    // What Amazon Linux's docker package provides: the binary the units run and docker.service.
    fs.mkdirSync(path.join(root, "usr/bin"), { recursive: true });
    fs.writeFileSync(path.join(root, "usr/bin/docker"), "#!/bin/sh\n", { mode: 0o755 });
    fs.writeFileSync(
        path.join(root, "usr/lib/systemd/system/docker.service"),
        "[Unit]\nDescription=Docker\n[Service]\nExecStart=/usr/bin/docker\n",
    );
    for (const file of written.filter((w) => w.kind === "file")) {
        const target = path.join(root, file.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(disk.file(file.path), target);
        fs.chmodSync(target, parseInt(file.mode, 8));
    }
    const result = await run("systemd-analyze", ["verify", `--root=${root}`, ...units], {
        env: { PATH: process.env.PATH, SYSTEMD_LOG_LEVEL: "notice" },
    });
    // systemd-analyze verify exits 0 on many errors: any output is a finding.
    return (
        `${result.stdout}${result.stderr}`.trim() +
        (result.code === 0 ? "" : `\n(exit ${result.code})`)
    );
}

function expectSucceeded(host: BootedHost): void {
    for (const [which, boot] of [
        ["first", host.first],
        ["second", host.second],
    ] as const) {
        assert.strictEqual(
            boot.result.code,
            0,
            `${which} boot failed:\n${boot.result.stdout}${boot.result.stderr}`,
        );
    }
}

const modes = (written: readonly WrittenFile[]) =>
    written.map((w) => `${w.kind} ${w.mode} ${w.path}`);

/** What the audit shipper (a boot file) writes: the CloudWatch agent's configuration, root-only. */
const AGENT_FILES = [
    "dir 0700 /opt/aws",
    "dir 0700 /opt/aws/amazon-cloudwatch-agent",
    "dir 0700 /opt/aws/amazon-cloudwatch-agent/etc",
    "file 0600 /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json",
];

/** What the audit shipper asks of dnf and systemd at every boot (dnf's stub installs nothing). */
const AGENT_CALLS = [
    "dnf install -y amazon-cloudwatch-agent",
    "systemctl enable amazon-cloudwatch-agent",
    "systemctl restart amazon-cloudwatch-agent",
];

/** dev serves the single-host tier, prod the load-balanced one (Pulumi.<stack>.yaml). */
const LOAD_BALANCED: Record<(typeof STACKS)[number], boolean> = { dev: false, prod: true };

for (const stack of STACKS) {
    const loadBalanced = LOAD_BALANCED[stack];
    const tier = loadBalanced ? "loadBalanced, one of the hosts behind the ALB" : "single";
    describe(`boot scripts (${stack}): the web host (${tier})`, () => {
        let host: BootedHost;
        before(async () => {
            host = await bootedHost(`${stack}-web`);
        });

        it("boots twice without an error", () => {
            expectSucceeded(host);
        });

        it("writes exactly these files, secrets and settings root-only, the CA readable, the probe executable", () => {
            expectSucceeded(host);
            assert.deepStrictEqual(
                modes(host.first.written),
                loadBalanced
                    ? [
                          "dir 0700 /etc/ai-portal",
                          "file 0600 /etc/ai-portal/health.env",
                          "file 0644 /etc/ai-portal/migrate.py",
                          "file 0600 /etc/ai-portal/open-webui.env",
                          "file 0600 /etc/ai-portal/open-webui.secrets.env",
                          "file 0644 /etc/ai-portal/rds-ca.pem",
                          "file 0644 /etc/systemd/system/ai-portal-health.service",
                          "file 0644 /etc/systemd/system/ai-portal-health.timer",
                          "file 0644 /etc/systemd/system/ai-portal-open-webui.service",
                          "file 0700 /usr/local/sbin/ai-portal-audit",
                          "file 0700 /usr/local/sbin/ai-portal-health",
                          // The audit shipper's CloudWatch agent configuration (no agent here).
                          ...AGENT_FILES,
                      ]
                    : [
                          "dir 0700 /etc/ai-portal",
                          "file 0600 /etc/ai-portal/Caddyfile",
                          "file 0600 /etc/ai-portal/health.env",
                          "file 0600 /etc/ai-portal/open-webui.env",
                          "file 0600 /etc/ai-portal/open-webui.secrets.env",
                          "file 0644 /etc/ai-portal/rds-ca.pem",
                          "file 0644 /etc/systemd/system/ai-portal-caddy.service",
                          "file 0644 /etc/systemd/system/ai-portal-health.service",
                          "file 0644 /etc/systemd/system/ai-portal-health.timer",
                          "file 0644 /etc/systemd/system/ai-portal-open-webui.service",
                          "file 0644 /etc/systemd/system/ai-portal-signin-limit.service",
                          "file 0700 /usr/local/sbin/ai-portal-audit",
                          "file 0700 /usr/local/sbin/ai-portal-health",
                          "file 0755 /usr/local/sbin/ai-portal-signin-limit",
                          ...AGENT_FILES,
                      ],
            );
        });

        it("places each secret fetched from Secrets Manager, and nothing else, in the secrets file", async () => {
            const { secrets } = await artefactsOf(stack);
            const of = (name: string) => secrets[`ai-portal-${stack}/${name}`].json;
            assert.deepStrictEqual(
                parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.secrets.env")),
                {
                    // Built at boot from the credentials and the address RDS reports.
                    DATABASE_URL: databaseUrl(
                        of("database/openwebui").username,
                        of("database/openwebui").password,
                        (await artefactsOf(stack)).bootDbAddress,
                        5432,
                        "aiportal",
                    ),
                    PGVECTOR_DB_URL: databaseUrl(
                        of("database/openwebui").username,
                        of("database/openwebui").password,
                        (await artefactsOf(stack)).bootDbAddress,
                        5432,
                        "aiportal",
                    ),
                    WEBUI_SECRET_KEY: of("web/openwebui").secret_key,
                    WEBUI_ADMIN_PASSWORD: of("web/openwebui").admin_password,
                    OPENAI_API_KEY: of("gateway/api-key").api_key,
                    LDAP_APP_PASSWORD: of("directory/openwebui-bind").password,
                    // The Redis the hosts share, with its token, over TLS (loadBalanced only).
                    ...(loadBalanced
                        ? {
                              REDIS_URL: `rediss://:${of("web/redis").auth_token}@${(await artefactsOf(stack)).run.outputs.redisEndpoint}:6379/0`,
                              WEBSOCKET_REDIS_URL: `rediss://:${of("web/redis").auth_token}@${(await artefactsOf(stack)).run.outputs.redisEndpoint}:6379/0`,
                          }
                        : {}),
                },
            );
        });

        it("gives Open WebUI exactly the settings the program renders", async () => {
            const { run: program } = await artefactsOf(stack);
            const o = program.outputs;
            assert.deepStrictEqual(parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.env")), {
                ENABLE_PERSISTENT_CONFIG: "false",
                WEBUI_URL: o.portalUrl,
                WEBUI_SESSION_COOKIE_SECURE: "true",
                WEBUI_AUTH_COOKIE_SECURE: "true",
                CORS_ALLOW_ORIGIN: o.portalUrl,
                ENABLE_SIGNUP: "false",
                DEFAULT_USER_ROLE: "user",
                WEBUI_ADMIN_EMAIL: "portal-admin@example.com",
                WEBUI_ADMIN_NAME: "Portal administrator",
                ENABLE_OLLAMA_API: "false",
                ENABLE_OPENAI_API: "true",
                OPENAI_API_BASE_URL: o.gatewayUrl,
                // Who is asking, for the usage gate on the gateway hosts.
                ENABLE_FORWARD_USER_INFO_HEADERS: "true",
                // Open WebUI verifies the gateway's certificate (upstream's default, made explicit).
                AIOHTTP_CLIENT_SESSION_SSL: "true",
                DEFAULT_MODELS: o.defaultModelProfileArn,
                ENABLE_LDAP: "true",
                LDAP_SERVER_LABEL: "CORP directory",
                // The private zone's record, not the AD domain; no --dns for the container.
                LDAP_SERVER_HOST: `ldap.ai-portal-${stack}.internal`,
                LDAP_SERVER_PORT: "389",
                LDAP_USE_TLS: "false",
                LDAP_ATTRIBUTE_FOR_USERNAME: "sAMAccountName",
                LDAP_ATTRIBUTE_FOR_MAIL: "userPrincipalName",
                LDAP_APP_DN: `svc-openwebui@${o.directoryDomain}`,
                LDAP_SEARCH_BASE: o.directorySearchBase,
                LDAP_SEARCH_FILTER: ldapSearchFilter(
                    `CN=AI Portal Users,${o.directorySearchBase}`,
                    "portal-admin@example.com",
                ),
                // Open WebUI groups follow the directory's (memberOf, upstream's default attribute).
                ENABLE_LDAP_GROUP_MANAGEMENT: "true",
                STORAGE_PROVIDER: "s3",
                S3_BUCKET_NAME: o.uploadsBucketName,
                S3_REGION_NAME: "eu-west-2",
                VECTOR_DB: "pgvector",
                PGSSLMODE: "verify-full",
                PGSSLROOTCERT: "/etc/ai-portal/rds-ca.pem",
                ENABLE_API_KEYS: "false",
                JWT_EXPIRES_IN: "8h",
                ENABLE_COMMUNITY_SHARING: "false",
                ENABLE_ADMIN_CHAT_ACCESS: "false",
                ENABLE_ADMIN_EXPORT: "false",
                USER_PERMISSIONS_WORKSPACE_TOOLS_ACCESS: "false",
                UVICORN_WORKERS: "1",
                // Open WebUI's audit log (auditLogLevel), model calls and chats included.
                AUDIT_LOG_LEVEL: "METADATA",
                AUDIT_EXCLUDED_PATHS: "/folders",
                ...(loadBalanced
                    ? {
                          ENABLE_WEBSOCKET_SUPPORT: "true",
                          WEBSOCKET_MANAGER: "redis",
                          ENABLE_DB_MIGRATIONS: "false",
                      }
                    : {}),
            });
            assert.deepStrictEqual(parseEnvFile(host.disk.read("/etc/ai-portal/health.env")), {
                AWS_REGION: "eu-west-2",
                PORTAL_HOST: String(o.portalUrl).replace("https://", ""),
                PORTAL_STACK: stack,
                HEALTH_ROUTE: loadBalanced ? "alb" : "caddy",
                HEALTH_NAMESPACE: "AIPortal",
                HEALTH_METRIC: "PortalHealthy",
            });
        });

        it("runs Open WebUI and Caddy by digest from units that mount the CA where PGSSLROOTCERT points", async () => {
            const { run: program } = await artefactsOf(stack);
            const unit = host.disk.read("/etc/systemd/system/ai-portal-open-webui.service");
            const execStart = /^ExecStart=(.*)$/m.exec(unit)![1];
            assert.ok(
                execStart.startsWith("/usr/bin/docker run --rm --name open-webui "),
                execStart,
            );
            assert.ok(execStart.endsWith(` ${program.outputs.openWebUiImage}`), execStart);
            for (const option of [
                "--env-file /etc/ai-portal/open-webui.env",
                "--env-file /etc/ai-portal/open-webui.secrets.env",
                loadBalanced ? "--publish 0.0.0.0:8080:8080" : "--publish 127.0.0.1:8080:8080",
                "--volume /etc/ai-portal/rds-ca.pem:/etc/ai-portal/rds-ca.pem:ro",
                "--log-driver awslogs",
                `--log-opt awslogs-group=/ai-portal-${stack}/web`,
            ]) {
                assert.ok(execStart.includes(option), `${option} in ${execStart}`);
            }
            if (!loadBalanced) {
                assert.match(
                    host.disk.read("/etc/systemd/system/ai-portal-caddy.service"),
                    /ExecStart=\/usr\/bin\/docker run .* docker\.io\/library\/caddy@sha256:[0-9a-f]{64}$/m,
                );
            }
            assert.strictEqual(
                host.disk.read("/etc/ai-portal/rds-ca.pem"),
                fs.readFileSync(`${process.env.AI_PORTAL_IT_WORK}/pki/trusted/ca.pem`, "utf8"),
            );
        });

        it("writes each boot file as Parameter Store holds it, fetched by the name and checked against the SHA-256 its user data pins", async () => {
            expectSucceeded(host);
            const stored = declaredParameters((await artefactsOf(stack)).run);
            const expected: Record<string, string> = {
                [`/ai-portal-${stack}/boot/rds-ca.pem`]: "/etc/ai-portal/rds-ca.pem",
                ...(loadBalanced
                    ? { [`/ai-portal-${stack}/boot/migrate.py`]: "/etc/ai-portal/migrate.py" }
                    : {
                          [`/ai-portal-${stack}/boot/signin-limit.py`]:
                              "/usr/local/sbin/ai-portal-signin-limit",
                      }),
                [`/ai-portal-${stack}/boot/audit.sh`]: "/usr/local/sbin/ai-portal-audit",
                [`/ai-portal-${stack}/boot/health.sh`]: "/usr/local/sbin/ai-portal-health",
            };
            // Scripts run by root only are 700; the sign-in limit runs as a dynamic user.
            const mode = (file: string) =>
                file.endsWith("signin-limit") ? "755" : file.includes("/sbin/") ? "700" : "644";
            // The web hosts' own (the gateway hosts have theirs: gateway-rds-ca.pem).
            assert.deepStrictEqual(
                Object.keys(stored)
                    .filter((name) => !name.endsWith("/boot/gateway-rds-ca.pem"))
                    .sort(),
                Object.keys(expected).sort(),
            );
            for (const [name, file] of Object.entries(expected)) {
                // moto holds the suite's CA in place of the RDS CA (support/portal.ts).
                const value = isRdsCaParameter(name) ? await suiteCaValue() : stored[name];
                assert.strictEqual(host.disk.read(file), `${value}\n`, file);
                assert.ok(
                    host.script.includes(`\n${name} ${sha256Hex(value)} ${file} ${mode(file)}\n`),
                    `${name} pinned in the script`,
                );
            }
            assert.doesNotMatch(host.script, /BEGIN CERTIFICATE|pg_advisory_lock/);
        });

        it("a stored value that is not the one its user data pins stops the boot, saying which file and both hashes, before anything is pulled", async () => {
            // The user data of a newer CA than the one Parameter Store holds (or a value changed
            // behind the program's back): the same script with another hash pinned.
            const name = `/ai-portal-${stack}/boot/rds-ca.pem`;
            const held = sha256Hex(await suiteCaValue());
            const pinned = sha256Hex("a certificate the parameter does not hold");
            const script = host.script.replace(` ${held} `, ` ${pinned} `);
            assert.notStrictEqual(script, host.script);
            const disk = new HostDisk(`${stack}-web-stale-boot-file`, await moto());
            // The real AWS CLI behind a recorder, to see the lifecycle call the failure makes.
            const dir = workDir("stale-boot-file", stack);
            const awsLog = path.join(dir, "aws.log");
            fs.writeFileSync(awsLog, "");
            const realAws = (await run("bash", ["-c", "command -v aws"])).stdout.trim();
            fs.writeFileSync(
                path.join(dir, "aws"),
                `#!/bin/bash\nprintf '%s\\n' "$*" >>${awsLog}\nexec ${realAws} "$@"\n`,
                { mode: 0o755 },
            );
            const scriptFile = path.join(dir, "user-data.sh");
            fs.writeFileSync(scriptFile, script, { mode: 0o700 });
            const calls = path.join(dir, "calls.log");
            fs.writeFileSync(calls, "");
            const result = await disk.inside(["bash", scriptFile], {
                AI_PORTAL_STUB_LOG: calls,
                PATH: `${dir}:${path.join(__dirname, "stubs")}:${process.env.PATH}`,
            });
            assert.notStrictEqual(result.code, 0, "the boot stops");
            assert.ok(
                result.stdout.includes(
                    `ai-portal-boot: boot file ${name} has SHA-256 ${held}, but this user data pins ${pinned}: stopping the boot`,
                ),
                result.stdout + result.stderr,
            );
            assert.deepStrictEqual(
                fs.readFileSync(calls, "utf8").split("\n").filter(Boolean),
                ["systemctl enable --now docker"],
                "nothing pulled, written or started after the check",
            );
            assert.ok(
                !disk.written().some((w) => w.path === "/etc/ai-portal/rds-ca.pem"),
                "the unverified value is not written",
            );
            const lifecycle = fs
                .readFileSync(awsLog, "utf8")
                .split("\n")
                .filter((line) => line.startsWith("autoscaling complete-lifecycle-action"));
            assert.deepStrictEqual(
                lifecycle.map((line) => /--lifecycle-action-result (\S+)/.exec(line)?.[1]),
                // The launch is given up at once in the load-balanced tier; the single host has no hook.
                loadBalanced ? ["ABANDON"] : [],
            );
            if (loadBalanced) {
                assert.match(
                    lifecycle[0],
                    /--auto-scaling-group-name ai-portal-prod-web --lifecycle-hook-name open-webui-ready /,
                );
            }
        });

        it("installs units systemd accepts (systemd-analyze verify prints nothing)", async () => {
            const units = [
                "ai-portal-open-webui.service",
                ...(loadBalanced
                    ? []
                    : ["ai-portal-caddy.service", "ai-portal-signin-limit.service"]),
                "ai-portal-health.service",
                "ai-portal-health.timer",
            ];
            assert.strictEqual(await verifyUnits(host.disk, host.first.written, units), "");
        });

        it("pulls the pinned images and (re)starts its units, the same at every boot", async () => {
            const { run: program } = await artefactsOf(stack);
            const image = String(program.outputs.openWebUiImage);
            const unit = (name: string) => [
                `systemctl daemon-reload`,
                `systemctl enable ${name}`,
                `systemctl restart ${name}`,
            ];
            const service =
                /^ExecStart=\/usr\/bin\/docker run --rm --name open-webui (.*) \S+$/m.exec(
                    host.disk.read("/etc/systemd/system/ai-portal-open-webui.service"),
                )![1];
            // Before the migration and the service: the app's login, with the service's settings.
            const loginCheck = `docker run --rm ${service.replace(/ --publish \S+ --log-driver.*$/, "")} ${image} python3 -c import os,psycopg2;psycopg2.connect(os.environ["DATABASE_URL"])`;
            assert.doesNotMatch(service, /--dns/);
            const expected = loadBalanced
                ? [
                      "systemctl enable --now docker",
                      `docker pull ${image}`,
                      loginCheck,
                      // The schema is migrated by a one-off container under the advisory lock,
                      // with the service's settings and secrets, before the service starts.
                      `docker run --rm --name open-webui-migrate ${service.replace(/ --publish \S+ --log-driver.*$/, "")} --env ENABLE_DB_MIGRATIONS=true --volume /etc/ai-portal/migrate.py:/opt/ai-portal/migrate.py:ro ${image} python3 /opt/ai-portal/migrate.py`,
                      ...unit("ai-portal-open-webui.service"),
                      ...AGENT_CALLS,
                      // Only then is the launch hook completed.
                      "curl -sfo /dev/null -m 5 http://127.0.0.1:8080/health",
                      "systemctl daemon-reload",
                      "systemctl enable --now ai-portal-health.timer",
                  ]
                : [
                      "systemctl enable --now docker",
                      `docker pull ${image}`,
                      loginCheck,
                      ...unit("ai-portal-open-webui.service"),
                      ...AGENT_CALLS,
                      ...unit("ai-portal-signin-limit.service"),
                      `docker pull ${/^ExecStart=.* (\S+)$/m.exec(host.disk.read("/etc/systemd/system/ai-portal-caddy.service"))![1]}`,
                      ...unit("ai-portal-caddy.service"),
                      "systemctl daemon-reload",
                      "systemctl enable --now ai-portal-health.timer",
                  ];
            assert.deepStrictEqual(host.first.calls, expected);
            assert.deepStrictEqual(host.second.calls, expected);
        });

        it("the second boot leaves the disk exactly as the first left it", () => {
            assert.deepStrictEqual(host.second.written, host.first.written);
        });

        it("prints no secret value in its log", async () => {
            const { secrets } = await artefactsOf(stack);
            const log = [host.first, host.second]
                .map((b) => b.result.stdout + b.result.stderr)
                .join("\n");
            for (const [name, { json }] of Object.entries(secrets)) {
                for (const [field, value] of Object.entries(json)) {
                    if (/password|secret_key|api_key|url|token/.test(field)) {
                        assert.ok(
                            !log.includes(String(value)),
                            `${name}.${field} appears in the boot log`,
                        );
                    }
                }
            }
            assert.match(
                log,
                loadBalanced
                    ? /ai-portal-boot: secrets at versions bind:v-[0-9a-f]{32} database:v-[0-9a-f]{32} gateway-key:v-[0-9a-f]{32} redis:v-[0-9a-f]{32} web:v-[0-9a-f]{32}/
                    : /ai-portal-boot: secrets at versions bind:v-[0-9a-f]{32} database:v-[0-9a-f]{32} gateway-key:v-[0-9a-f]{32} web:v-[0-9a-f]{32}/,
            );
        });
    });

    describe(`boot scripts (${stack}): the gateway host`, () => {
        let host: BootedHost;
        before(async () => {
            host = await bootedHost(`${stack}-gateway`);
        });

        it("boots twice without an error and writes exactly its settings, the gate's secrets root-only, the CA and its two units", () => {
            expectSucceeded(host);
            assert.deepStrictEqual(modes(host.first.written), [
                "dir 0700 /etc/ai-portal",
                "file 0600 /etc/ai-portal/gateway.env",
                "file 0644 /etc/ai-portal/rds-ca.pem",
                "file 0600 /etc/ai-portal/usage-gate.env",
                "file 0600 /etc/ai-portal/usage-gate.secrets.env",
                "file 0644 /etc/systemd/system/ai-portal-bedrock-gateway.service",
                "file 0644 /etc/systemd/system/ai-portal-usage-gate.service",
            ]);
            assert.deepStrictEqual(host.second.written, host.first.written);
            // The CA the gate verifies PostgreSQL with: Parameter Store's value (the suite's CA here).
            assert.strictEqual(
                host.disk.read("/etc/ai-portal/rds-ca.pem"),
                fs.readFileSync(`${process.env.AI_PORTAL_IT_WORK}/pki/trusted/ca.pem`, "utf8"),
            );
        });

        it("gives the usage gate its settings and, root-only, exactly its three secrets' values read at boot (two without group limits)", async () => {
            const { secrets: stored, bootDbAddress } = await artefactsOf(stack);
            const of = (name: string) => stored[`ai-portal-${stack}/${name}`].json;
            const settings = parseEnvFile(host.disk.read("/etc/ai-portal/usage-gate.env"));
            assert.deepStrictEqual(
                {
                    port: settings.GATE_LISTEN_PORT,
                    upstream: settings.GATE_UPSTREAM_URL,
                    stack: settings.GATE_STACK,
                    failMode: settings.GATE_FAIL_MODE,
                    ca: settings.GATE_DB_CA_FILE,
                    ldap: Object.keys(settings).filter((k) => k.startsWith("GATE_LDAP")),
                },
                {
                    port: "8000",
                    upstream: "http://bedrock-gateway:8081",
                    stack,
                    failMode: "open",
                    ca: "/etc/ai-portal/rds-ca.pem",
                    ldap: [],
                },
            );
            const secrets = parseEnvFile(host.disk.read("/etc/ai-portal/usage-gate.secrets.env"));
            const gateDb = of("database/usage-gate");
            assert.deepStrictEqual(secrets, {
                GATE_API_KEY: of("gateway/api-key").api_key,
                // The address RDS reports at boot.
                GATE_DB_HOST: bootDbAddress,
                GATE_DB_NAME: "aiportal",
                GATE_DB_USER: "usage_gate",
                GATE_DB_PASSWORD: gateDb.password,
                GATE_DB_SCHEMA: "usage_gate",
            });
            assert.ok(!host.script.includes(gateDb.password), "no password in the script");
        });

        it("gives the gateway exactly the settings the program renders, its key by secret ARN only", async () => {
            const { run: program } = await artefactsOf(stack);
            assert.deepStrictEqual(parseEnvFile(host.disk.read("/etc/ai-portal/gateway.env")), {
                // Inside the host's Docker network only; the usage gate takes 8000.
                PORT: "8081",
                AWS_REGION: "eu-west-2",
                AWS_DEFAULT_REGION: "eu-west-2",
                // The stack's tagged application inference profile, by ARN.
                DEFAULT_MODEL: program.outputs.defaultModelProfileArn,
                ENABLE_CROSS_REGION_INFERENCE: "true",
                ENABLE_APPLICATION_INFERENCE_PROFILES: "true",
                ALLOWED_ORIGINS: program.outputs.portalUrl,
                API_KEY_SECRET_ARN: program.outputs.gatewayApiKeySecretArn,
                DEBUG: "false",
            });
        });

        it("logs in to its ECR registry with the password on stdin, pulls the pinned images, runs them from units systemd accepts", async () => {
            const { run: program } = await artefactsOf(stack);
            const image = String(program.outputs.gatewayImage);
            const gateImage = /^GATE_IMAGE='([^']+)'$/m.exec(host.script)![1];
            const registry = image.split("/")[0];
            assert.deepStrictEqual(
                host.first.calls.map((c) =>
                    c.replace(/<password on stdin: \d+ bytes>/, "<password on stdin>"),
                ),
                [
                    "systemctl enable --now docker",
                    `docker login --username AWS --password-stdin ${registry} <password on stdin>`,
                    `docker pull ${image}`,
                    `docker pull ${gateImage}`,
                    // The stub answers every inspect: the network exists (created on a real first boot).
                    "docker network inspect ai-portal-gateway",
                    "systemctl daemon-reload",
                    "systemctl enable ai-portal-bedrock-gateway.service",
                    "systemctl restart ai-portal-bedrock-gateway.service",
                    "systemctl daemon-reload",
                    "systemctl enable ai-portal-usage-gate.service",
                    "systemctl restart ai-portal-usage-gate.service",
                ],
            );
            assert.deepStrictEqual(host.second.calls, host.first.calls);
            assert.ok(
                !/password-stdin \S+ <password on stdin: 0 bytes>/.test(
                    host.first.calls.join("\n"),
                ),
                "a registry password was piped",
            );
            const unit = host.disk.read("/etc/systemd/system/ai-portal-bedrock-gateway.service");
            assert.match(
                unit,
                new RegExp(
                    `^ExecStart=/usr/bin/docker run --rm --name bedrock-gateway --env-file /etc/ai-portal/gateway.env --network ai-portal-gateway .* ${image.replace(/[.]/g, "\\.")}$`,
                    "m",
                ),
            );
            // The gateway publishes no port; the gate publishes the gateway port.
            assert.doesNotMatch(unit, /--publish/);
            assert.match(
                host.disk.read("/etc/systemd/system/ai-portal-usage-gate.service"),
                new RegExp(
                    `^ExecStart=/usr/bin/docker run --rm --name usage-gate --env-file /etc/ai-portal/usage-gate.env --env-file /etc/ai-portal/usage-gate.secrets.env --network ai-portal-gateway --publish 8000:8000 --volume /etc/ai-portal/rds-ca.pem:/etc/ai-portal/rds-ca.pem:ro .*--log-opt awslogs-stream=usage-gate ${gateImage.replace(/[.]/g, "\\.")}$`,
                    "m",
                ),
            );
            assert.strictEqual(
                await verifyUnits(host.disk, host.first.written, [
                    "ai-portal-bedrock-gateway.service",
                    "ai-portal-usage-gate.service",
                ]),
                "",
            );
            assert.strictEqual(
                program.resources.some(
                    (r) =>
                        r.type === "aws:ec2/instance:Instance" &&
                        r.name === "compute-gateway-instance",
                ),
                !loadBalanced,
                "the script ran is the single host's, or the gateway fleet's launch template's",
            );
        });
    });
}
