/**
 * The CI-access program (ci-access/index.ts) under the mock runtime, run by the same runner as the
 * portal program: the roles it declares, their trust and policies, its config errors, its inputs
 * against the IAM API model, and cross-checks against what the portal program itself declares
 * (the names and tags the policies scope by, the services its roles are passed to, the services
 * `pulumi preview` reads).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { CI_KEYS } from "../../ci-access/config";
import {
    Account,
    deployPolicy,
    ENVIRONMENTS,
    githubTrustPolicy,
    PASSED_TO_SERVICES,
    PolicyDocument,
    previewPolicies,
    stackNamedArns,
} from "../../ci-access/policies";
import { PROJECT } from "../../config/common";
import { ACCOUNT_ID, REGION } from "../../offline/mocks";
import { ofType } from "../../offline/query";
import { DeclaredResource, ProgramRun, runProgram, runStack } from "../../offline/run";
import { PROJECT_DIR } from "../../offline/stackConfig";
import {
    ApiMapping,
    checkResource,
    describeViolation,
    loadServiceModel,
} from "../support/apiModels";
import { API_TABLE, SKIP_EVERYWHERE } from "../aws/apiTable";
import { STACKS } from "../harness/stacks";
import { evaluate, wildcardMatch } from "./iamEvaluator";

const CI_DIR = path.join(PROJECT_DIR, "ci-access");
const REPO = "acme/ai-portal";
const ACCOUNT: Account = { partition: "aws", region: REGION, accountId: ACCOUNT_ID };

function runCi(config: Record<string, unknown>): Promise<ProgramRun> {
    return runProgram({ stack: "shared", stackConfig: config }, { projectDir: CI_DIR });
}

const json = (r: DeclaredResource, input: string): PolicyDocument => JSON.parse(r.inputs[input]);
const byName = (run: ProgramRun, name: string) => {
    const found = run.resources.find((r) => r.custom && r.name === name);
    assert.ok(found, `${name} declared`);
    return found;
};

describe("CI-access program (ci-access/index.ts) under mocks", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runCi({ githubRepository: REPO });
        assert.ifError(run.error);
    });

    it("declares GitHub's OIDC provider (audience sts.amazonaws.com, no thumbprint) and one role per environment", () => {
        const providers = ofType(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        assert.strictEqual(providers.length, 1);
        assert.deepStrictEqual(
            { url: providers[0].inputs.url, clientIdLists: providers[0].inputs.clientIdLists },
            {
                url: "https://token.actions.githubusercontent.com",
                clientIdLists: ["sts.amazonaws.com"],
            },
        );
        assert.strictEqual(providers[0].inputs.thumbprintLists, undefined);
        assert.deepStrictEqual(
            ofType(run, "aws:iam/role:Role").map((r) => [
                r.name,
                r.inputs.name,
                r.inputs.maxSessionDuration,
            ]),
            [
                ["github-preview", "ai-portal-ci-preview", 3600],
                ["github-dev", "ai-portal-ci-dev", 3600],
                ["github-production", "ai-portal-ci-production", 3600],
            ],
        );
        assert.deepStrictEqual(
            ofType(run, "aiportal:ci:GitHubRole").map((r) => r.name),
            ["github-preview", "github-dev", "github-production"],
        );
        const roleArns = run.outputs.roleArns as Record<string, string>;
        assert.deepStrictEqual(Object.keys(roleArns), [...ENVIRONMENTS]);
        assert.strictEqual(
            roleArns.production,
            `arn:aws:iam::${ACCOUNT_ID}:role/github-production`,
        );
    });

    it("trusts each role to its environment's jobs through that provider", () => {
        const providerArn = ofType(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0]
            .state.arn;
        for (const environment of ENVIRONMENTS) {
            const role = byName(run, `github-${environment}`);
            assert.deepStrictEqual(
                json(role, "assumeRolePolicy"),
                githubTrustPolicy(providerArn, REPO, environment),
                environment,
            );
        }
    });

    it("attaches the preview role's read and deny policies, and PowerUserAccess plus the stack policy to each deploy role", () => {
        const inline = ofType(run, "aws:iam/rolePolicy:RolePolicy");
        const attached = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        assert.deepStrictEqual(
            inline.map((r) => [r.name, r.inputs.role, r.inputs.name]),
            [
                ["github-preview-read", "ai-portal-ci-preview", "read-configuration"],
                ["github-preview-deny", "ai-portal-ci-preview", "deny-data-and-other-stacks"],
                ["github-dev-stack", "ai-portal-ci-dev", "stack-iam-and-denials"],
                ["github-production-stack", "ai-portal-ci-production", "stack-iam-and-denials"],
            ],
        );
        assert.deepStrictEqual(
            json(byName(run, "github-preview-read"), "policy"),
            previewPolicies(ACCOUNT, "dev").read,
        );
        assert.deepStrictEqual(
            json(byName(run, "github-preview-deny"), "policy"),
            previewPolicies(ACCOUNT, "dev").deny,
        );
        assert.deepStrictEqual(
            json(byName(run, "github-dev-stack"), "policy"),
            deployPolicy(ACCOUNT, "dev"),
        );
        assert.deepStrictEqual(
            json(byName(run, "github-production-stack"), "policy"),
            deployPolicy(ACCOUNT, "prod"),
        );
        assert.deepStrictEqual(
            attached.map((r) => [r.inputs.role, r.inputs.policyArn]),
            [
                ["ai-portal-ci-dev", "arn:aws:iam::aws:policy/PowerUserAccess"],
                ["ai-portal-ci-production", "arn:aws:iam::aws:policy/PowerUserAccess"],
            ],
        );
    });

    it("tags nothing with a portal stack, so no deploy role may change the CI roles", () => {
        const provider = ofType(run, "pulumi:providers:aws")[0];
        assert.deepStrictEqual(JSON.parse(provider.inputs.defaultTags).tags, {
            Project: "ai-portal-ci-access",
            ManagedBy: "pulumi",
        });
        for (const r of run.resources) {
            assert.strictEqual(r.inputs.tags?.Stack, undefined, r.name);
        }
    });

    it("sends IAM only what its API model accepts (names, descriptions, documents)", () => {
        const mappings: Record<string, ApiMapping> = {
            "aws:iam/role:Role": API_TABLE["aws:iam/role:Role"] as ApiMapping,
            "aws:iam/rolePolicy:RolePolicy": API_TABLE[
                "aws:iam/rolePolicy:RolePolicy"
            ] as ApiMapping,
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
                service: "iam",
                operation: "CreateOpenIDConnectProvider",
                rename: { clientIdLists: "ClientIDList" },
            },
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
                service: "iam",
                operation: "AttachRolePolicy",
                rename: { role: "RoleName", policyArn: "PolicyArn" },
            },
        };
        const model = loadServiceModel("iam");
        let checked = 0;
        for (const resource of run.resources.filter((r) => r.type.startsWith("aws:iam/"))) {
            const mapping = mappings[resource.type];
            assert.ok(mapping, `${resource.type} has an API mapping`);
            const result = checkResource(resource, mapping, model, SKIP_EVERYWHERE);
            assert.deepStrictEqual(result.violations.map(describeViolation), [], resource.name);
            assert.deepStrictEqual(result.unplaced, [], resource.name);
            checked += result.checked;
        }
        assert.ok(checked >= 20, `checked ${checked} values`);
    });

    it("in a per-environment account: only the roles asked for, trusting the account's existing provider", async () => {
        const existing = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;
        const prodAccount = await runCi({
            githubRepository: REPO,
            environments: ["production"],
            oidcProviderArn: existing,
        });
        assert.ifError(prodAccount.error);
        assert.deepStrictEqual(
            ofType(prodAccount, "aws:iam/openIdConnectProvider:OpenIdConnectProvider"),
            [],
        );
        const roles = ofType(prodAccount, "aws:iam/role:Role");
        assert.deepStrictEqual(
            roles.map((r) => r.inputs.name),
            ["ai-portal-ci-production"],
        );
        assert.deepStrictEqual(
            json(roles[0], "assumeRolePolicy"),
            githubTrustPolicy(existing, REPO, "production"),
        );
    });

    it("stops on bad config before declaring anything, listing every problem", async () => {
        const bad = await runCi({ githubRepository: "not a repo", environments: ["staging"] });
        assert.ok(bad.error);
        assert.match(String(bad.error), /ci-access configuration has 2 problem\(s\)/);
        assert.match(String(bad.error), /ai-portal-ci-access:githubRepository = "not a repo"/);
        assert.match(String(bad.error), /ai-portal-ci-access:environments = "\[\\"staging\\"\]"/);
        assert.deepStrictEqual(bad.resources, []);
    });

    it("declares in Pulumi.yaml exactly the keys config.ts reads, with the same types, descriptions and defaults", () => {
        const doc = yaml.load(fs.readFileSync(path.join(CI_DIR, "Pulumi.yaml"), "utf8")) as {
            name: string;
            config: Record<string, any>;
        };
        assert.strictEqual(doc.name, "ai-portal-ci-access");
        const declared = Object.fromEntries(
            Object.entries(doc.config)
                .filter(([k]) => !k.includes(":"))
                .map(([k, v]) => [
                    k,
                    { type: v.type, description: v.description, default: v.default },
                ]),
        );
        const expected = Object.fromEntries(
            Object.entries(CI_KEYS).map(([k, v]) => [
                k,
                {
                    type: v.type,
                    description: v.description,
                    default: "default" in v ? v.default : undefined,
                },
            ]),
        );
        assert.deepStrictEqual(declared, expected);
        assert.strictEqual(doc.config["aws:region"], REGION);
    });
});

describe("CI roles against what the portal program declares", () => {
    const runs: Partial<Record<string, ProgramRun>> = {};
    before(async () => {
        for (const stack of STACKS) {
            runs[stack] = await runStack(stack);
            assert.ifError(runs[stack]!.error);
        }
    });

    it("the portal's project name and Stack tag are what the policies scope by", () => {
        const root = yaml.load(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
            name: string;
        };
        assert.strictEqual(root.name, PROJECT);
        for (const stack of STACKS) {
            const provider = ofType(runs[stack]!, "pulumi:providers:aws")[0];
            assert.strictEqual(JSON.parse(provider.inputs.defaultTags).tags.Stack, stack);
        }
    });

    it("every named resource of a stack falls under its own name patterns and never the other stack's", () => {
        const a = ACCOUNT_ID;
        const arnOf = (r: DeclaredResource): [string, string] | undefined => {
            const i = r.inputs;
            switch (r.type) {
                case "aws:secretsmanager/secret:Secret":
                    return [
                        "secrets",
                        `arn:aws:secretsmanager:${REGION}:${a}:secret:${i.name}-AbCdEf`,
                    ];
                case "aws:cloudwatch/logGroup:LogGroup":
                    return ["logGroups", `arn:aws:logs:${REGION}:${a}:log-group:${i.name}`];
                case "aws:lambda/function:Function":
                    return ["functions", `arn:aws:lambda:${REGION}:${a}:function:${i.name}`];
                case "aws:rds/instance:Instance":
                    return ["databases", `arn:aws:rds:${REGION}:${a}:db:${i.identifier}`];
                case "aws:ecr/repository:Repository":
                    return ["repositories", `arn:aws:ecr:${REGION}:${a}:repository/${i.name}`];
                case "aws:sns/topic:Topic":
                    return ["topics", `arn:aws:sns:${REGION}:${a}:${i.name}`];
                case "aws:cloudwatch/metricAlarm:MetricAlarm":
                    return ["alarms", `arn:aws:cloudwatch:${REGION}:${a}:alarm:${i.name}`];
                case "aws:cloudwatch/dashboard:Dashboard":
                    return ["dashboards", `arn:aws:cloudwatch::${a}:dashboard/${i.dashboardName}`];
                case "aws:scheduler/scheduleGroup:ScheduleGroup":
                    return [
                        "schedules",
                        `arn:aws:scheduler:${REGION}:${a}:schedule-group/${i.name}`,
                    ];
                case "aws:scheduler/schedule:Schedule":
                    return [
                        "schedules",
                        `arn:aws:scheduler:${REGION}:${a}:schedule/${i.groupName}/${i.name}`,
                    ];
                case "aws:budgets/budget:Budget":
                    return ["budgets", `arn:aws:budgets::${a}:budget/${i.name}`];
                default:
                    return undefined;
            }
        };
        let checked = 0;
        for (const stack of STACKS) {
            const other = STACKS.find((s) => s !== stack)!;
            const own = stackNamedArns(ACCOUNT, stack);
            const theirs = stackNamedArns(ACCOUNT, other);
            for (const resource of runs[stack]!.resources) {
                const found = arnOf(resource);
                if (!found) {
                    continue;
                }
                const [kind, arn] = found;
                assert.ok(
                    own[kind].some((p) => wildcardMatch(p, arn)),
                    `${stack} ${arn} under ${own[kind]}`,
                );
                assert.ok(
                    !theirs[kind].some((p) => wildcardMatch(p, arn)),
                    `${stack} ${arn} not ${other}'s`,
                );
                checked++;
            }
        }
        assert.ok(checked >= 40, `checked ${checked} resources`);
    });

    it("the deploy roles may pass the stack's roles to every service the portal's roles trust", () => {
        const trusted = new Set<string>();
        for (const stack of STACKS) {
            for (const role of ofType(runs[stack]!, "aws:iam/role:Role")) {
                for (const s of JSON.parse(role.inputs.assumeRolePolicy).Statement) {
                    [s.Principal?.Service ?? []].flat().forEach((svc: string) => trusted.add(svc));
                }
            }
            // A service-linked role the program creates is passed to its service (prod's data key).
            for (const role of ofType(
                runs[stack]!,
                "aws:iam/serviceLinkedRole:ServiceLinkedRole",
            )) {
                trusted.add(role.inputs.awsServiceName);
            }
        }
        assert.ok(trusted.size >= 3, [...trusted].join());
        for (const service of trusted) {
            assert.ok(
                PASSED_TO_SERVICES.includes(service),
                `${service} is not in PASSED_TO_SERVICES`,
            );
            const decision = evaluate([deployPolicy(ACCOUNT, "dev")], {
                action: "iam:PassRole",
                resource: `arn:aws:iam::${ACCOUNT_ID}:role/some-role-1a2b3c`,
                context: { "aws:ResourceTag/Stack": "dev", "iam:PassedToService": service },
            });
            assert.strictEqual(decision, "allowed", service);
        }
    });

    it("the preview role reads the configuration of every AWS service the portal declares", () => {
        // One configuration read per provider module the portal uses (what a refreshing preview
        // reads first for such a resource), on a dev resource of that service.
        const d = `${PROJECT}-dev`;
        const a = ACCOUNT_ID;
        const READS: Record<string, [string, string]> = {
            acm: ["acm:DescribeCertificate", `arn:aws:acm:${REGION}:${a}:certificate/1`],
            autoscaling: ["autoscaling:DescribeAutoScalingGroups", "*"],
            bedrock: [
                "bedrock:GetInferenceProfile",
                `arn:aws:bedrock:${REGION}:${a}:application-inference-profile/p1`,
            ],
            bedrockmodel: ["bedrock:GetModelInvocationLoggingConfiguration", "*"],
            budgets: ["budgets:ViewBudget", `arn:aws:budgets::${a}:budget/${d}-total`],
            cloudwatch: [
                "cloudwatch:DescribeAlarms",
                `arn:aws:cloudwatch:${REGION}:${a}:alarm:${d}-db-cpu`,
            ],
            costexplorer: ["ce:ListCostAllocationTags", "*"],
            directoryservice: ["ds:DescribeDirectories", "*"],
            ec2: ["ec2:DescribeInstances", "*"],
            ecr: [
                "ecr:DescribeRepositories",
                `arn:aws:ecr:${REGION}:${a}:repository/${d}/bedrock-access-gateway`,
            ],
            elasticache: ["elasticache:DescribeReplicationGroups", "*"],
            iam: ["iam:GetRole", `arn:aws:iam::${a}:role/compute-web-role-1a2b3c4`],
            kms: ["kms:DescribeKey", `arn:aws:kms:${REGION}:${a}:key/k1`],
            lambda: [
                "lambda:GetFunction",
                `arn:aws:lambda:${REGION}:${a}:function:${d}-db-role-bootstrap`,
            ],
            lb: ["elasticloadbalancing:DescribeLoadBalancers", "*"],
            rds: ["rds:DescribeDBInstances", `arn:aws:rds:${REGION}:${a}:db:${d}-postgres`],
            route53: ["route53:GetHostedZone", "arn:aws:route53:::hostedzone/Z1"],
            s3: ["s3:GetBucketPolicy", "arn:aws:s3:::compute-uploads-bucket-1a2b3c"],
            scheduler: [
                "scheduler:GetSchedule",
                `arn:aws:scheduler:${REGION}:${a}:schedule/${d}-working-hours/stop-hosts`,
            ],
            secretsmanager: [
                "secretsmanager:DescribeSecret",
                `arn:aws:secretsmanager:${REGION}:${a}:secret:${d}/web/openwebui-AbCdEf`,
            ],
            backup: ["backup:GetBackupPlan", `arn:aws:backup:${REGION}:${a}:backup-plan:1a2b3c4d`],
            sns: ["sns:GetTopicAttributes", `arn:aws:sns:${REGION}:${a}:${d}-alarms`],
            ssm: [
                "ssm:GetParameter",
                `arn:aws:ssm:${REGION}::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`,
            ],
            vpc: ["ec2:DescribeSecurityGroupRules", "*"],
            wafv2: ["wafv2:GetWebACL", `arn:aws:wafv2:${REGION}:${a}:regional/webacl/${d}-web/1`],
        };
        const { read, deny } = previewPolicies(ACCOUNT, "dev");
        const modules = new Set<string>();
        for (const stack of STACKS) {
            for (const r of runs[stack]!.resources) {
                if (r.custom && r.type.startsWith("aws:") && !r.type.startsWith("pulumi:")) {
                    modules.add(r.type.split(":")[1].split("/")[0]);
                }
            }
        }
        modules.add("ssm"); // the AL2023 AMI lookup
        for (const module of [...modules].sort()) {
            assert.ok(
                READS[module],
                `the portal declares aws:${module}/...: add its configuration read to the preview role and to this table`,
            );
            const [action, resource] = READS[module];
            const decision = evaluate([read, deny], {
                action,
                resource,
                context: { "aws:ResourceTag/Stack": "dev" },
            });
            assert.strictEqual(decision, "allowed", `${module}: ${action} on ${resource}`);
        }
    });
});
