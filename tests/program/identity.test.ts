/**
 * The identity modes through the whole program: prod-oidc (Pulumi.prod-oidc.yaml, OIDC sign-in
 * through Entra ID, no Managed AD, SCIM on) against prod (LDAP, the default). What a stack without
 * a directory does not deploy, what the web hosts are told and read from secrets, the edge's SCIM
 * rules, the contract's outputs, and the plan's figures.
 */
import * as assert from "assert";
import { scriptOf } from "../../compute/userData";
import { runProgram, runStack, ProgramRun } from "../../offline/run";
import Ajv from "ajv";
import { outputsSchema } from "../../contract";
import { creationMinutes } from "../../plan/deploy";
import { buildPlan } from "../../plan/model";
import { named, ofType } from "../harness/query";
import { checkPolicies } from "../harness/policy";
import { portalPolicies } from "../../policy/policies";
import { ownGroups, trafficMatrix } from "../../network/trafficMatrix";

const T = {
    directory: "aws:directoryservice/directory:Directory",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    ipSet: "aws:wafv2/ipSet:IpSet",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    role: "aws:iam/rolePolicy:RolePolicy",
} as const;

/** The web hosts' boot script (the launch template's user data, base64, in the load-balanced tier). */
function webScript(run: ProgramRun): string {
    const template = named(run, T.launchTemplate, "compute-web-template");
    return scriptOf(Buffer.from(template.inputs.userData as string, "base64").toString("utf8"));
}

/** The env file of Open WebUI's settings the boot script writes, as a map. */
function webSettings(run: ProgramRun): Record<string, string> {
    const block = /<<'SETTINGS'\n([\s\S]*?)\nSETTINGS\n/.exec(webScript(run));
    assert.ok(block, "the boot script writes Open WebUI's settings");
    return Object.fromEntries(
        block[1]
            .split("\n")
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
}

const CLIENT_SECRET = "client-secret-2f9c1e7a-not-for-user-data";

describe("identity: prod-oidc (OIDC sign-in, no directory) against prod (LDAP)", () => {
    let oidc: ProgramRun;
    let prod: ProgramRun;
    before(async function () {
        this.timeout(120000);
        // The stack file's secret stands as a placeholder offline; a recognisable value here.
        oidc = await runProgram({
            stack: "prod-oidc",
            overrides: { oidcClientSecret: CLIENT_SECRET },
        });
        assert.ifError(oidc.error);
        prod = await runStack("prod");
        assert.ifError(prod.error);
    });

    it("declares no directory, bind account, portal group, password policies, bind check or LDAP name", () => {
        assert.deepStrictEqual(ofType(oidc, T.directory), []);
        const directoryTier = oidc.resources.filter((r) => /^aiportal:directory:/.test(r.type));
        assert.deepStrictEqual(
            directoryTier.map((r) => r.type),
            [],
        );
        // prod has each of them, so the filter above is not vacuous.
        assert.deepStrictEqual(
            [
                ...new Set(
                    prod.resources
                        .filter((r) => /^aiportal:directory:/.test(r.type))
                        .map((r) => r.type),
                ),
            ].sort(),
            [
                "aiportal:directory:BindAccount",
                "aiportal:directory:BindCheck",
                "aiportal:directory:Directory",
                "aiportal:directory:LdapName",
                "aiportal:directory:PasswordPolicies",
                "aiportal:directory:PortalGroup",
            ],
        );
        assert.ok(!oidc.resources.some((r) => /^(ldap-|directory-|portal-group)/.test(r.name)));
    });

    it("the traffic matrix has no LDAP or directory DNS rows, and no directory-policy group", () => {
        const rules = [...ofType(oidc, T.ingress), ...ofType(oidc, T.egress)].map((r) => r.name);
        assert.deepStrictEqual(
            rules.filter((n) => /directory|tcp389|directoryPolicy/.test(n)),
            [],
        );
        assert.deepStrictEqual(
            ofType(oidc, T.securityGroup)
                .map((g) => g.name)
                .sort(),
            [
                "data-sg",
                "sg-alb",
                "sg-dbBootstrap",
                "sg-gateway",
                "sg-gatewayLb",
                "sg-redis",
                "sg-web",
            ],
        );
        // prod's web hosts reach the directory on 389 and 53 (udp, tcp).
        const prodWebToDirectory = ofType(prod, T.egress)
            .map((r) => r.name)
            .filter((n) => n.startsWith("sg-web-out-") && n.endsWith("-directory"))
            .sort();
        assert.deepStrictEqual(prodWebToDirectory, [
            "sg-web-out-tcp389-directory",
            "sg-web-out-tcp53-directory",
            "sg-web-out-udp53-directory",
        ]);
    });

    it("no bind-check alarm without a bind account", () => {
        const names = (run: ProgramRun) => ofType(run, T.alarm).map((a) => a.name);
        assert.ok(names(prod).includes("ops-directory-bind"));
        assert.ok(!names(oidc).includes("ops-directory-bind"));
    });

    it("Open WebUI is told the OIDC client, with LDAP off, SCIM on and people outside the groups pending", () => {
        const s = webSettings(oidc);
        assert.deepStrictEqual(
            Object.fromEntries(
                Object.entries(s).filter(([k]) =>
                    /^(LDAP_|ENABLE_LDAP|OAUTH_|OPENID_|ENABLE_OAUTH|ENABLE_LOGIN_FORM|ENABLE_SCIM|DEFAULT_USER_ROLE)/.test(
                        k,
                    ),
                ),
            ),
            {
                DEFAULT_USER_ROLE: "pending",
                ENABLE_LDAP: "false",
                OPENID_PROVIDER_URL:
                    "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration",
                OAUTH_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
                OAUTH_SCOPES: "openid email profile",
                OAUTH_PROVIDER_NAME: "Microsoft Entra ID",
                OPENID_REDIRECT_URI: "https://sso.portal.example.com/oauth/oidc/callback",
                OAUTH_CODE_CHALLENGE_METHOD: "S256",
                ENABLE_OAUTH_SIGNUP: "true",
                OAUTH_MERGE_ACCOUNTS_BY_EMAIL: "false",
                ENABLE_OAUTH_ROLE_MANAGEMENT: "true",
                OAUTH_ROLES_CLAIM: "groups",
                OAUTH_ALLOWED_ROLES: "22222222-2222-2222-2222-222222222222",
                OAUTH_ADMIN_ROLES: "33333333-3333-3333-3333-333333333333",
                ENABLE_OAUTH_GROUP_MANAGEMENT: "true",
                OAUTH_GROUP_CLAIM: "groups",
                ENABLE_LOGIN_FORM: "false",
                ENABLE_SCIM: "true",
            },
        );
    });

    it("prod keeps LDAP and now syncs the directory's groups; no OIDC", () => {
        const s = webSettings(prod);
        assert.strictEqual(s.ENABLE_LDAP, "true");
        assert.strictEqual(s.ENABLE_LDAP_GROUP_MANAGEMENT, "true");
        assert.strictEqual(s.LDAP_ATTRIBUTE_FOR_GROUPS, undefined, "upstream's memberOf");
        assert.deepStrictEqual(
            Object.keys(s).filter((k) => /OAUTH|OPENID|SCIM/.test(k)),
            [],
        );
    });

    it("the client secret and SCIM token are in Secrets Manager, read at boot; never in user data", () => {
        const secrets = Object.fromEntries(
            ofType(oidc, T.secret).map((s) => [s.name, s.inputs.name as string]),
        );
        assert.strictEqual(secrets["compute-oidc-client"], "ai-portal-prod-oidc/web/oidc-client");
        assert.strictEqual(secrets["compute-scim-token"], "ai-portal-prod-oidc/web/scim-token");
        const version = named(oidc, T.secretVersion, "compute-oidc-client");
        assert.deepStrictEqual(JSON.parse(version.inputs.secretString), {
            client_secret: CLIENT_SECRET,
        });
        assert.deepStrictEqual(version.secretInputPaths, ["secretString"]);
        // The boot script names the secrets by ARN, and holds no value.
        const script = webScript(oidc);
        const arn = (name: string) =>
            ofType(oidc, T.secret).find((s) => s.name === name)!.state.arn as string;
        assert.match(
            script,
            new RegExp(
                `^SECRET_SETTINGS='OAUTH_CLIENT_SECRET ${arn("compute-oidc-client")} client_secret SCIM_TOKEN ${arn("compute-scim-token")} token'$`,
                "m",
            ),
        );
        assert.ok(!script.includes(CLIENT_SECRET));
        // Nowhere but in the secret's own value.
        const leaks = oidc.resources.filter(
            (r) => r !== version && JSON.stringify(r.inputs).includes(CLIENT_SECRET),
        );
        assert.deepStrictEqual(
            leaks.map((r) => `${r.type} ${r.name}`),
            [],
        );
        assert.ok(!JSON.stringify(oidc.outputs).includes(CLIENT_SECRET));
    });

    it("the web hosts may read exactly their secrets: no bind secret, the client secret and the SCIM token", () => {
        const policy = oidc.resources.find(
            (r) => r.type === T.role && JSON.stringify(r.inputs.policy).includes("ReadOwnSecrets"),
        );
        assert.ok(policy, "the web hosts' policy");
        const statement = JSON.parse(policy.inputs.policy).Statement.find(
            (s: { Sid: string }) => s.Sid === "ReadOwnSecrets",
        );
        const names = (statement.Resource as string[]).map(
            (arn) => ofType(oidc, T.secret).find((s) => s.state.arn === arn)?.name ?? arn,
        );
        assert.deepStrictEqual(names.slice(3), [
            "compute-oidc-client",
            "compute-scim-token",
            "session-store-auth",
        ]);
        assert.ok(!names.some((n) => /bind/.test(n)));
    });

    it("SCIM answers only the provider's ranges: WAF (decoded path) and the ALB", () => {
        const ipSet = named(oidc, T.ipSet, "edge-waf-scim-cidrs");
        assert.deepStrictEqual(ipSet.inputs.addresses, ["20.190.128.0/18", "40.126.0.0/18"]);
        const acl = ofType(oidc, T.webAcl)[0];
        const rule = (acl.inputs.rules as any[]).find(
            (r) => r.name === "scim-from-provider-ranges-only",
        );
        assert.strictEqual(rule.priority, 2);
        assert.deepStrictEqual(rule.action, { block: {} });
        const [path, notProvider] = rule.statement.andStatement.statements;
        assert.strictEqual(path.byteMatchStatement.searchString, "/api/v1/scim");
        assert.strictEqual(path.byteMatchStatement.positionalConstraint, "STARTS_WITH");
        assert.strictEqual(
            notProvider.notStatement.statement.ipSetReferenceStatement.arn,
            ipSet.state.arn,
        );
        const listenerRules = Object.fromEntries(
            ofType(oidc, T.listenerRule)
                .filter((r) => r.name.includes("scim"))
                .map((r) => [
                    r.name,
                    [r.inputs.priority, r.inputs.conditions, r.inputs.actions[0].type],
                ]),
        );
        assert.deepStrictEqual(listenerRules, {
            "edge-scim-provider-1": [
                200,
                [
                    { pathPattern: { values: ["/api/v1/scim*"] } },
                    { sourceIp: { values: ["20.190.128.0/18"] } },
                ],
                "forward",
            ],
            "edge-scim-provider-2": [
                200 + 1,
                [
                    { pathPattern: { values: ["/api/v1/scim*"] } },
                    { sourceIp: { values: ["40.126.0.0/18"] } },
                ],
                "forward",
            ],
            "edge-scim-refused": [
                300,
                [{ pathPattern: { values: ["/api/v1/scim*"] } }],
                "fixed-response",
            ],
        });
        // prod has no SCIM: neither rule.
        assert.ok(!prod.resources.some((r) => r.name.includes("scim")));
    });

    it("the policy pack finds nothing against a production stack without a directory", async () => {
        assert.deepStrictEqual(await checkPolicies(oidc.resources, portalPolicies), []);
    });

    it("the contract: authMode and directoryMode say which outputs exist", () => {
        const o = oidc.outputs;
        assert.strictEqual(o.authMode, "oidc");
        assert.strictEqual(o.directoryMode, "none");
        assert.strictEqual(o.oidcRedirectUri, "https://sso.portal.example.com/oauth/oidc/callback");
        assert.strictEqual(o.scimEndpoint, "https://sso.portal.example.com/api/v1/scim/v2");
        assert.match(String(o.oidcClientSecretArn), /^arn:aws:secretsmanager:eu-west-2:/);
        assert.match(String(o.scimTokenSecretArn), /^arn:aws:secretsmanager:eu-west-2:/);
        // Absent (undefined) in a stack without a directory, as the other tier's outputs are.
        assert.deepStrictEqual(
            Object.entries(o).filter(
                ([k, v]) => k.startsWith("directory") && k !== "directoryMode" && v !== undefined,
            ),
            [],
        );
        assert.strictEqual(typeof prod.outputs.directoryId, "string");
        // Every published value fits the contract's schema (as contract/index.ts describes it).
        const published = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
        const validate = new Ajv({ allErrors: true }).compile(outputsSchema());
        assert.ok(validate(published), JSON.stringify(validate.errors, null, 2));
        assert.ok(
            !validate({ ...published, directoryId: "d-9c67a1b2c3" }),
            "directoryId without a directory",
        );
        const { oidcRedirectUri: _uri, ...withoutUri } = published;
        assert.ok(!validate(withoutUri), "oidc without oidcRedirectUri");
        assert.strictEqual(prod.outputs.authMode, "ldap");
        assert.strictEqual(prod.outputs.directoryMode, "managed");
        assert.deepStrictEqual(
            Object.entries(prod.outputs).filter(
                ([k, v]) => /^(oidc|scim)/.test(k) && v !== undefined,
            ),
            [],
        );
    });

    it("the plan: Managed AD's $213.16 and the LDAP name's private zone gone; the directory off the serial sum", () => {
        const withDirectory = buildPlan(prod);
        const without = buildPlan(oidc);
        const item = (plan: ReturnType<typeof buildPlan>, prefix: string) =>
            plan.cost.lines.filter((l) => l.item.startsWith(prefix)).map((l) => l.monthlyUsd);
        assert.deepStrictEqual(item(withDirectory, "Managed Microsoft AD"), [213.16]);
        assert.deepStrictEqual(item(without, "Managed Microsoft AD"), []);
        assert.deepStrictEqual(item(withDirectory, "Route 53 hosted zone"), [0.5]);
        assert.deepStrictEqual(item(without, "Route 53 hosted zone"), []);
        // One more custom WAF rule (SCIM from the provider's ranges only), $1 a month.
        assert.deepStrictEqual(item(withDirectory, "WAF rules"), [7]);
        assert.deepStrictEqual(item(without, "WAF rules"), [8]);
        assert.ok(
            withDirectory.cost.monthlyUsd - without.cost.monthlyUsd > 210,
            `${withDirectory.cost.monthlyUsd} against ${without.cost.monthlyUsd}`,
        );
        // prod's critical path is its Multi-AZ database either way; the directory (and what waits
        // for it: policies, group, bind account) leaves the serial sum.
        const directoryMinutes = creationMinutes(ofType(prod, T.directory)[0]);
        assert.ok(directoryMinutes >= 30, `${directoryMinutes}`);
        assert.strictEqual(
            without.deploy.criticalPathMinutes,
            withDirectory.deploy.criticalPathMinutes,
        );
        assert.ok(!withDirectory.deploy.path.some((urn) => urn.includes("directoryservice")));
        assert.ok(
            withDirectory.deploy.serialMinutes - without.deploy.serialMinutes >= directoryMinutes,
            `${withDirectory.deploy.serialMinutes} against ${without.deploy.serialMinutes}`,
        );
    });
});

describe("identity: a dev stack without a directory deploys sooner", () => {
    it("the directory leaves dev's critical path, which is then the database's", async function () {
        this.timeout(120000);
        const dev = await runStack("dev");
        const devOidc = await runProgram({
            stack: "dev",
            overrides: {
                domainName: "sso.dev.example.com",
                authMode: "oidc",
                directory: "none",
                webDefaultUserRole: "pending",
                oidcIssuerUrl: "https://example.okta.com",
                oidcClientId: "0oa1b2c3d4e5f6g7h8i9",
                oidcClientSecret: CLIENT_SECRET,
                oidcAllowedGroups: ["portal-users"],
                oidcAdminGroups: ["portal-admins"],
            },
        });
        assert.ifError(devOidc.error);
        const before = buildPlan(dev).deploy;
        const after = buildPlan(devOidc).deploy;
        assert.ok(before.path.some((urn) => urn.includes("directoryservice/directory:Directory")));
        assert.ok(!after.path.some((urn) => urn.includes("directoryservice")));
        assert.ok(
            before.criticalPathMinutes - after.criticalPathMinutes >= 10,
            `${before.criticalPathMinutes} against ${after.criticalPathMinutes}`,
        );
        assert.ok(
            !buildPlan(devOidc).cost.lines.some((l) => l.item.startsWith("Managed Microsoft AD")),
        );
    });
});

describe("identity: the traffic matrix without a directory (pure)", () => {
    const input = { allowedCidrs: ["0.0.0.0/0"], sshCidrs: [], gatewayPort: 8000 };
    for (const webTier of ["single", "loadBalanced"] as const) {
        it(`${webTier}: exactly the directory's rows go, and the directory-policy group`, () => {
            const rows = (directory?: boolean) =>
                trafficMatrix({ ...input, webTier, natAddresses: 2, directory }).map(
                    (r) =>
                        `${r.group} ${r.direction} ${r.protocol}/${r.port} ${JSON.stringify(r.peer)}`,
                );
            const withDirectory = rows();
            const without = rows(false);
            assert.deepStrictEqual(
                withDirectory.filter((r) => !without.includes(r)),
                [
                    'web egress tcp/389 {"group":"directory"}',
                    'web egress udp/53 {"group":"directory"}',
                    'web egress tcp/53 {"group":"directory"}',
                    // The usage gate's group lookups (group limits need a directory).
                    'gateway egress tcp/389 {"group":"directory"}',
                    'directoryPolicy egress tcp/389 {"group":"directory"}',
                    'directoryPolicy egress tcp/443 {"cidr":"0.0.0.0/0"}',
                ],
            );
            assert.deepStrictEqual(
                without.filter((r) => !withDirectory.includes(r)),
                [],
            );
            assert.deepStrictEqual(rows(true), withDirectory, "true is the default");
            assert.deepStrictEqual(
                ownGroups(webTier, true).filter((g) => !ownGroups(webTier, false).includes(g)),
                ["directoryPolicy"],
            );
        });
    }
});
