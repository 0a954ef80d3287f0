/**
 * The GitHub workflows as a reviewer checks them: actions pinned by commit, pull requests that
 * can reach dev only, prod behind the protected environment, the policy pack on every preview and
 * up. (Their syntax is checked by action-validator in .ci/run.)
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { PROJECT_DIR } from "../../offline/stackConfig";
import { ciRoleName, ENVIRONMENTS } from "../../ci-access/policies";

interface Step {
    readonly name?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly with?: Record<string, unknown>;
}
interface Job {
    readonly name?: string;
    readonly needs?: string | string[];
    readonly environment?: string;
    readonly permissions?: Record<string, string>;
    readonly steps: Step[];
}
interface Workflow {
    readonly on: Record<string, unknown>;
    readonly permissions?: Record<string, string>;
    readonly jobs: Record<string, Job>;
}

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const workflow = (name: string) => yaml.load(read(`.github/workflows/${name}`)) as Workflow;
const CLOUD_ACCESS = "./.github/actions/cloud-access";
const pulumiSteps = (job: Job) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));

describe("GitHub workflows", () => {
    const files = [
        ...fs
            .readdirSync(path.join(PROJECT_DIR, ".github/workflows"))
            .map((f) => `.github/workflows/${f}`),
        ".github/actions/cloud-access/action.yml",
    ];

    it("run on Node.js 24, a maintained LTS line, as package.json's engines say (20 reached end of life on 2026-04-30)", () => {
        // nodejs/Release README: 24.x "Krypton" is LTS until 2028-04-30 (Maintenance from
        // 2026-10-20); 26.x became Active LTS on 2026-10-28. Renovate proposes the next line.
        const majors = files.flatMap((file) => {
            const doc = yaml.load(read(file)) as {
                jobs?: Record<string, Job>;
                runs?: { steps: Step[] };
            };
            const steps = [
                ...Object.values(doc.jobs ?? {}).flatMap((job) => job.steps),
                ...(doc.runs?.steps ?? []),
            ];
            return steps
                .filter((step) => step.uses?.startsWith("actions/setup-node@"))
                .map((step) => `${file}: ${String(step.with?.["node-version"])}`);
        });
        assert.ok(majors.length >= 3, "the workflows set up Node.js");
        for (const major of majors) {
            assert.match(major, /: 24$/);
        }
        const engines = JSON.parse(read("package.json")).engines;
        assert.deepStrictEqual(engines, { node: ">=24" });
    });

    it("pin every action by its full commit, with the release in a comment", () => {
        const uses = files.flatMap((file) =>
            read(file)
                .split("\n")
                .filter((line) => /^\s*(- )?uses: /.test(line))
                .map((line) => ({ file, line: line.trim() })),
        );
        assert.ok(uses.length >= 10, "the workflows use actions");
        for (const { file, line } of uses) {
            if (line.includes("uses: ./")) {
                continue; // this repository's own action, at the checked-out commit
            }
            assert.match(
                line,
                /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/,
                `${file}: ${line}`,
            );
        }
    });

    it("pull requests preview dev only, in the preview environment, and never prod", () => {
        const pr = workflow("pull-request.yml");
        const previews = Object.values(pr.jobs).filter((job) => pulumiSteps(job).length > 0);
        assert.strictEqual(previews.length, 1);
        for (const job of previews) {
            assert.strictEqual(job.environment, "preview");
            for (const step of pulumiSteps(job)) {
                assert.strictEqual(step.with?.command, "preview");
                assert.match(String(step.with?.["stack-name"]), /\/ai-portal\/dev$/);
                assert.strictEqual(step.with?.policyPacks, "policy");
            }
        }
        assert.doesNotMatch(
            read(".github/workflows/pull-request.yml"),
            /ai-portal\/prod|environment: (production|dev)\b/,
        );
    });

    it("credentials come from the job's environment only, and only jobs with an environment get an OIDC token", () => {
        for (const name of ["pull-request.yml", "deploy.yml"]) {
            const wf = workflow(name);
            assert.deepStrictEqual(wf.permissions, { contents: "read" }, name);
            for (const [id, job] of Object.entries(wf.jobs)) {
                const usesCloud = job.steps.some((s) => s.uses === CLOUD_ACCESS);
                assert.strictEqual(
                    job.permissions?.["id-token"] === "write",
                    usesCloud,
                    `${name} ${id}`,
                );
                if (usesCloud) {
                    assert.ok(job.environment, `${name} ${id} runs in an environment`);
                }
                for (const step of job.steps) {
                    const text = JSON.stringify(step);
                    if (text.includes("secrets.PULUMI_ACCESS_TOKEN")) {
                        assert.ok(
                            job.environment,
                            `${name} ${id}: the fallback token is an environment secret`,
                        );
                    }
                    assert.doesNotMatch(
                        text,
                        /AWS_SECRET_ACCESS_KEY|aws-secret-access-key/,
                        `${name} ${id}: no stored AWS keys`,
                    );
                }
            }
        }
    });

    it("after merge: dev up, then prod preview and prod up, each approved in the production environment", () => {
        const deploy = workflow("deploy.yml");
        assert.deepStrictEqual(deploy.on, { push: { branches: ["main"] } });
        const chain = Object.entries(deploy.jobs).map(([id, job]) => ({
            id,
            environment: job.environment,
            needs: job.needs,
            steps: pulumiSteps(job).map(
                (s) => `${s.with?.command} ${String(s.with?.["stack-name"]).split("/").pop()}`,
            ),
        }));
        assert.deepStrictEqual(chain, [
            { id: "dev", environment: "dev", needs: undefined, steps: ["up dev"] },
            {
                id: "prod-preview",
                environment: "production",
                needs: "dev",
                steps: ["preview prod"],
            },
            { id: "prod", environment: "production", needs: "prod-preview", steps: ["up prod"] },
        ]);
    });

    it("each environment has its own AWS role and Pulumi team: previews get Read on dev, never the dev deploy's Write", () => {
        // The README's setup table is what an administrator follows (roles from ci-access/, teams
        // in Pulumi Cloud). Pulumi's "Stack Read" permission set "allows for running previews"
        // (stack:read, stack:decrypt, ...; Pulumi Cloud docs, RBAC "Permission sets"); Write adds
        // stack:write, which could rewrite dev's state from a pull request.
        const rows = read("README.md")
            .split("\n")
            .filter((line) => /^\s*\| `(preview|dev|production)` \|/.test(line))
            .map((line) =>
                line
                    .split("|")
                    .slice(1, -1)
                    .map((cell) => cell.trim().replace(/`/g, "")),
            );
        const table = Object.fromEntries(
            rows.map(([environment, role, team, permission]) => [
                environment,
                { role, team, permission },
            ]),
        );
        assert.deepStrictEqual(table, {
            preview: {
                role: ciRoleName("preview"),
                team: "ai-portal-preview",
                permission: "Read on ai-portal/dev",
            },
            dev: {
                role: ciRoleName("dev"),
                team: "ai-portal-dev",
                permission: "Write on ai-portal/dev",
            },
            production: {
                role: ciRoleName("production"),
                team: "ai-portal-prod",
                permission: "Write on ai-portal/prod",
            },
        });
        // The workflows take role and team from the job's environment, never a literal.
        const used = new Set<string>();
        for (const name of ["pull-request.yml", "deploy.yml"]) {
            for (const job of Object.values(workflow(name).jobs)) {
                for (const step of job.steps.filter((s) => s.uses === CLOUD_ACCESS)) {
                    assert.ok(job.environment && ENVIRONMENTS.includes(job.environment as never));
                    used.add(job.environment);
                    assert.strictEqual(step.with?.["pulumi-team"], "${{ vars.PULUMI_TEAM }}");
                    assert.strictEqual(step.with?.["aws-role-arn"], "${{ vars.AWS_ROLE_ARN }}");
                }
            }
        }
        assert.deepStrictEqual([...used].sort(), [...ENVIRONMENTS].sort());
    });

    it("run the policy pack on every preview and every up", () => {
        for (const name of ["pull-request.yml", "deploy.yml"]) {
            for (const job of Object.values(workflow(name).jobs)) {
                for (const step of pulumiSteps(job)) {
                    assert.strictEqual(step.with?.policyPacks, "policy", `${name} ${job.name}`);
                }
            }
        }
    });
});
