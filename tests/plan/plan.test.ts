/**
 * The offline plan: its JSON document against the committed schema, redaction, the cost and
 * deploy estimates, and the generated documentation being up to date.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Ajv from "ajv";
import { estimateCost } from "../../plan/cost";
import { estimateDeploy } from "../../plan/deploy";
import { generatedDocs } from "../../plan/docs";
import { buildPlan, PlanDocument, REDACTED } from "../../plan/model";
import { ofType } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import { runStack } from "../../offline/run";
import { PROJECT_DIR } from "../../offline/stackConfig";

const planSchema = JSON.parse(
    fs.readFileSync(path.join(PROJECT_DIR, "plan/plan.schema.json"), "utf8"),
);
const validatePlan = new Ajv({ allErrors: true }).compile(planSchema);

forEachStack("offline plan", (ctx) => {
    let plan: PlanDocument;
    before(() => {
        plan = buildPlan(ctx.run);
    });

    it("is a document the committed JSON Schema accepts", () => {
        const doc = JSON.parse(JSON.stringify(plan)) as { resources: unknown[] };
        assert.ok(validatePlan(doc), JSON.stringify(validatePlan.errors, null, 2));
        assert.strictEqual(doc.resources.length, ctx.run.resources.length);
    });

    it("redacts every secret input and never contains a generated secret", () => {
        const text = JSON.stringify(plan);
        for (const secret of ofType(ctx.run, "random:index/randomPassword:RandomPassword").map(
            (r) => r.state.result as string,
        )) {
            assert.ok(!text.includes(secret), "a generated secret leaked into the plan");
        }
        const directory = plan.resources.find(
            (r) => r.type === "aws:directoryservice/directory:Directory",
        )!;
        assert.strictEqual(directory.inputs.password, REDACTED);
        const version = plan.resources.find(
            (r) => r.name === "data-openwebui-credentials" && r.type.endsWith("SecretVersion"),
        )!;
        assert.strictEqual(version.inputs.secretString, REDACTED);
    });

    it("describes assets by project-relative path, so the document is the same on every machine", () => {
        const fn = plan.resources.find((r) => r.type === "aws:lambda/function:Function")!;
        assert.deepStrictEqual(fn.inputs.code, {
            archive: {
                "index.js": { file: "data/bootstrap/handler.js" },
                "node_modules/postgres/cjs": { file: "node_modules/postgres/cjs" },
                "node_modules/postgres/package.json": {
                    file: "node_modules/postgres/package.json",
                },
            },
        });
        assert.ok(!JSON.stringify(plan).includes(PROJECT_DIR), "no absolute path of this machine");
    });

    it("prices every resource that costs money (nothing unpriced) and names each line's source", () => {
        assert.deepStrictEqual(plan.cost.unpriced, []);
        assert.ok(plan.cost.lines.every((l) => l.source.startsWith("https://aws.amazon.com/")));
        assert.strictEqual(plan.cost.priceDate, "2026-11-25");
        assert.match(plan.cost.outOfScope, /Bedrock/);
    });

    it("puts the directory on the critical path, and the gateway host off it", () => {
        const types = plan.deploy.path.map((urn) => urn.split("::")[2].split("$").pop());
        assert.ok(types.includes("aws:directoryservice/directory:Directory"));
        assert.ok(!plan.deploy.path.some((urn) => urn.endsWith("::compute-gateway-instance")));
        assert.ok(
            plan.deploy.criticalPathMinutes >= 30 && plan.deploy.criticalPathMinutes < 40,
            `${plan.deploy.criticalPathMinutes} min`,
        );
    });
});

describe("offline plan: stacks compared", () => {
    it("prod costs more than dev, for the reasons its stack file gives", async () => {
        const [dev, prod] = [
            buildPlan(await runStack("dev")).cost,
            buildPlan(await runStack("prod")).cost,
        ];
        assert.ok(prod.monthlyUsd > dev.monthlyUsd);
        const item = (cost: typeof dev, pattern: RegExp) =>
            cost.lines.filter((l) => pattern.test(l.item)).map((l) => l.item);
        assert.deepStrictEqual(item(dev, /^RDS PostgreSQL/), [
            "RDS PostgreSQL db.t3.medium Single-AZ",
        ]);
        assert.deepStrictEqual(item(prod, /^RDS PostgreSQL/), [
            "RDS PostgreSQL db.t3.medium Multi-AZ",
        ]);
        assert.strictEqual(item(dev, /^NAT gateway$/).length, 1);
        assert.strictEqual(item(prod, /^NAT gateway$/).length, 2);
    });
});

describe("offline plan: cost rules", () => {
    const hours = 730;
    it("multiplies hourly prices by 730 hours and doubles RDS for Multi-AZ", () => {
        const cost = estimateCost([
            {
                type: "aws:rds/instance:Instance",
                name: "db",
                custom: true,
                inputs: { instanceClass: "db.t3.medium", multiAz: true, allocatedStorage: 100 },
            },
        ]);
        const instance = cost.lines.find((l) => l.item.startsWith("RDS PostgreSQL"))!;
        assert.strictEqual(instance.quantity, hours);
        assert.strictEqual(instance.unitUsd, 0.158);
        assert.strictEqual(instance.monthlyUsd, 115.34);
        assert.strictEqual(cost.lines.find((l) => l.item.startsWith("RDS gp3"))!.monthlyUsd, 26.6);
    });

    it("lists a size or a type it has no price for as unpriced, not as zero", () => {
        const cost = estimateCost([
            {
                type: "aws:ec2/instance:Instance",
                name: "big",
                custom: true,
                inputs: { instanceType: "m7a.48xlarge", rootBlockDevice: { volumeSize: 10 } },
            },
            { type: "aws:elasticache/cluster:Cluster", name: "cache", custom: true, inputs: {} },
            { type: "aws:ec2/vpc:Vpc", name: "vpc", custom: true, inputs: {} },
        ]);
        assert.deepStrictEqual(cost.unpriced, [
            {
                resource: "big",
                type: "aws:ec2/instance:Instance",
                reason: "no price for m7a.48xlarge",
            },
            {
                resource: "cache",
                type: "aws:elasticache/cluster:Cluster",
                reason: "no entry in plan/prices.json",
            },
        ]);
        assert.deepStrictEqual(
            cost.lines.map((l) => l.item),
            ["EBS gp3 root volume"],
        );
    });
});

describe("offline plan: deploy estimate", () => {
    const r = (
        urn: string,
        type: string,
        dependencies: string[] = [],
        inputs: Record<string, unknown> = {},
    ) => ({ urn, type, custom: true, dependencies, inputs });

    it("walks the longest chain of declared dependencies", () => {
        const estimate = estimateDeploy([
            r("vpc", "aws:ec2/vpc:Vpc"),
            r("ad", "aws:directoryservice/directory:Directory", ["vpc"]),
            r("db", "aws:rds/instance:Instance", ["vpc"]),
            r("web", "aws:ec2/instance:Instance", ["ad", "db"]),
        ]);
        assert.strictEqual(estimate.criticalPathMinutes, 31.2);
        assert.deepStrictEqual(estimate.path, ["vpc", "ad", "web"]);
        assert.strictEqual(estimate.serialMinutes, 46.2);
    });

    it("takes Multi-AZ databases as slower", () => {
        assert.strictEqual(
            estimateDeploy([r("db", "aws:rds/instance:Instance", [], { multiAz: true })])
                .criticalPathMinutes,
            25,
        );
    });

    it("refuses a dependency cycle", () => {
        assert.throws(() => estimateDeploy([r("a", "x", ["b"]), r("b", "x", ["a"])]), /cycle/);
    });
});

describe("generated documentation", () => {
    it("the committed schema, diagrams and README sections are what the program generates now", async () => {
        const files = await generatedDocs();
        for (const [file, content] of files) {
            assert.strictEqual(
                fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"),
                content,
                `${file} is stale: run npm run docs`,
            );
        }
        assert.match(files.get("docs/architecture-prod.mmd")!, /web -->\|"5432\/tcp"\| database/);
    });
});

describe("offline plan: the command", () => {
    it("npm run plan prints the tree, outputs, cost and deploy estimate, and writes the JSON and the graph", function () {
        this.timeout(60000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        const result = spawnSync(
            "npm",
            [
                "run",
                "--silent",
                "plan",
                "--",
                "--stack",
                "dev",
                "--json",
                path.join(dir, "plan.json"),
                "--graph",
                path.join(dir, "graph.mmd"),
            ],
            {
                cwd: PROJECT_DIR,
                encoding: "utf8",
            },
        );
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(result.stdout, /^Offline plan for stack "dev": \d+ resources/);
        assert.match(result.stdout, /▸ aiportal:Network network/);
        assert.match(result.stdout, /Monthly cost estimate .*: \$\d+\.\d\d/);
        assert.match(result.stdout, /Deploy estimate: critical path \d+(\.\d)? min/);
        assert.ok(validatePlan(JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8"))));
        assert.strictEqual(
            fs.readFileSync(path.join(dir, "graph.mmd"), "utf8"),
            fs.readFileSync(path.join(PROJECT_DIR, "docs/architecture-dev.mmd"), "utf8"),
        );
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("refuses an unknown or missing option with the usage line", () => {
        for (const args of [
            ["--stak", "dev"],
            ["--json", "x.json"],
            ["--stack", "nosuch"],
        ]) {
            const result = spawnSync("npm", ["run", "--silent", "plan", "--", ...args], {
                cwd: PROJECT_DIR,
                encoding: "utf8",
            });
            assert.strictEqual(result.status, 2, args.join(" "));
            assert.match(result.stderr, /usage: npm run plan -- --stack <dev\|prod>/);
        }
    });
});
