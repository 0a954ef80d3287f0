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
import { deployTimeline, estimateDeploy, estimateImageChange } from "../../plan/deploy";
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

    it("finishes within 5 minutes of the directory's creation (dev), or with the web group, which starts once the new database's pre-upgrade snapshot exists (prod)", () => {
        const timeline = deployTimeline(ctx.run.resources);
        const at = (type: string, name?: string) => {
            const r = ctx.run.resources.find(
                (x) => x.type === type && (name === undefined || x.name === name),
            )!;
            return timeline.get(r.urn)!.at;
        };
        const directoryDone = at("aws:directoryservice/directory:Directory");
        const minutes = plan.deploy.criticalPathMinutes;
        const names = plan.deploy.path.map((urn) => urn.split("::").pop());
        const tenths = (n: number) => Math.round(n * 10) / 10;
        // The hosts wait for the pre-upgrade snapshot (compute/upgrade.ts), which waits for the
        // database: on the first `up` a snapshot of the empty database, 4 minutes.
        const snapshot = at("aws:rds/snapshot:Snapshot", "compute-web-pre-upgrade");
        assert.strictEqual(tenths(snapshot - at("aws:rds/instance:Instance")), 4);
        if (ctx.run.config.raw["ai-portal:webTier"] === "loadBalanced") {
            // The group returns once its hosts pass the ALB's checks: they boot after the
            // snapshot, by when the role bootstrap has long run, so its own 12.5 minutes count.
            const group = at("aws:autoscaling/group:Group", "compute-web-group");
            const role = at("aws:lambda/invocation:Invocation", "db-role-run");
            assert.strictEqual(tenths(group - snapshot), 12.5);
            assert.ok(role >= at("aws:rds/instance:Instance") && role < snapshot);
            assert.deepStrictEqual(names.slice(-3), [
                "compute-web-pre-upgrade",
                "compute-web-group",
                "compute-web-launch-hook",
            ]);
            assert.strictEqual(minutes, tenths(group + 0.1));
        } else {
            assert.ok(
                minutes <= directoryDone + 5,
                `${minutes} min, directory at ${directoryDone}`,
            );
            assert.ok(
                !names.some((name) => /^compute-(web|gateway)-(instance|group)$/.test(name!)),
                names.join(" "),
            );
        }
    });
});

describe("offline plan: stacks compared", () => {
    let dev: PlanDocument["cost"];
    let prod: PlanDocument["cost"];
    before(async () => {
        [dev, prod] = [
            buildPlan(await runStack("dev")).cost,
            buildPlan(await runStack("prod")).cost,
        ];
    });
    const items = (cost: PlanDocument["cost"], pattern: RegExp) =>
        cost.lines.filter((l) => pattern.test(l.item));

    it("prod costs more than dev, for the reasons its stack file gives", () => {
        assert.ok(prod.monthlyUsd > dev.monthlyUsd);
        const item = (cost: typeof dev, pattern: RegExp) => items(cost, pattern).map((l) => l.item);
        assert.deepStrictEqual(item(dev, /^RDS PostgreSQL/), [
            "RDS PostgreSQL db.t3.medium Single-AZ",
        ]);
        assert.deepStrictEqual(item(prod, /^RDS PostgreSQL/), [
            "RDS PostgreSQL db.t3.medium Multi-AZ",
        ]);
        assert.strictEqual(item(dev, /^NAT gateway$/).length, 1);
        assert.strictEqual(item(prod, /^NAT gateway$/).length, 2);
    });

    it("prices prod's load-balanced tier: hosts at their minimum, both ALBs, WAF, Redis, access logs", () => {
        const monthly = (cost: typeof dev, pattern: RegExp) =>
            items(cost, pattern).reduce((sum, l) => sum + l.monthlyUsd, 0);
        // webMinHosts 2 and gatewayMinHosts 2 t3.large hosts (Pulumi.prod.yaml), 730 hours each.
        assert.deepStrictEqual(
            items(prod, /^EC2 /).map((l) => [l.resource, l.item, l.quantity]),
            [
                ["compute-gateway-group", "EC2 t3.large", 1460],
                ["compute-web-group", "EC2 t3.large", 1460],
            ],
        );
        assert.deepStrictEqual(
            items(prod, /^Application Load Balancer/).map((l) => l.item),
            ["Application Load Balancer (internal)", "Application Load Balancer (internet-facing)"],
        );
        assert.strictEqual(items(prod, /^ALB LCUs/).length, 2, "LCUs of both ALBs");
        // Two NAT gateways' addresses, and the internet-facing ALB's node in each of two AZs.
        assert.strictEqual(
            items(prod, /^public IPv4/).reduce((sum, l) => sum + l.quantity, 0),
            4 * 730,
        );
        assert.deepStrictEqual(
            items(prod, /^WAF rules/).map((l) => [l.item, l.quantity]),
            // Two rate-based rules (per address, sign-in routes), two custom (break-glass, the
            // chat body rules outside the chat paths), AWS's three groups.
            [["WAF rules (2 rate-based, 2 custom, 3 managed rule groups)", 7]],
        );
        assert.deepStrictEqual(
            items(prod, /^ElastiCache/).map((l) => [l.item, l.quantity]),
            [["ElastiCache Valkey cache.t4g.small Multi-AZ", 1460]],
        );
        assert.deepStrictEqual(
            items(prod, /^ALB access logs/).map((l) => l.item),
            ["ALB access logs in S3 (assumed, kept 90 days)"],
        );
        // Each tier's own spending: none of the other's.
        for (const pattern of [/^(Application Load Balancer|ALB|WAF|ElastiCache)/]) {
            assert.deepStrictEqual(items(dev, pattern), []);
        }
        assert.ok(monthly(prod, /^EC2 /) > monthly(dev, /^EC2 /));
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

    const resource = (
        type: string,
        name: string,
        inputs: Record<string, unknown>,
        extra: { id?: string; state?: Record<string, unknown> } = {},
    ) => ({ type, name, custom: true, inputs, ...extra });

    it("prices an Auto Scaling group's hosts and root volumes at its minimum size, from its launch template", () => {
        const cost = estimateCost([
            resource(
                "aws:ec2/launchTemplate:LaunchTemplate",
                "template",
                {
                    instanceType: "t3.large",
                    blockDeviceMappings: [
                        { deviceName: "/dev/xvda", ebs: { volumeType: "gp3", volumeSize: 30 } },
                    ],
                },
                { id: "lt-1" },
            ),
            resource("aws:autoscaling/group:Group", "group", {
                minSize: 3,
                maxSize: 6,
                launchTemplate: { id: "lt-1", version: "1" },
            }),
        ]);
        assert.deepStrictEqual(
            cost.lines.map((l) => [l.resource, l.item, l.quantity, l.monthlyUsd]),
            [
                ["group", "EBS gp3 root volume", 90, 8.35],
                ["group", "EC2 t3.large", 3 * hours, 206.74],
            ],
        );
        assert.deepStrictEqual(cost.unpriced, []);
        assert.ok(cost.assumptions.some((a) => /minimum size/.test(a)));
    });

    it("lists a group whose launch template it cannot see as unpriced, not as zero", () => {
        const cost = estimateCost([
            resource("aws:autoscaling/group:Group", "group", {
                minSize: 2,
                mixedInstancesPolicy: {},
            }),
        ]);
        assert.deepStrictEqual(cost.lines, []);
        assert.deepStrictEqual(
            cost.unpriced.map((u) => u.resource),
            ["group"],
        );
    });

    it("charges an internet-facing ALB its hours, LCUs and a public IPv4 address per AZ; an internal one no address", () => {
        const cost = estimateCost([
            resource("aws:lb/loadBalancer:LoadBalancer", "public", {
                loadBalancerType: "application",
                internal: false,
                subnets: ["subnet-a", "subnet-b", "subnet-c"],
            }),
            resource("aws:lb/loadBalancer:LoadBalancer", "private", {
                loadBalancerType: "application",
                internal: true,
                subnets: ["subnet-d", "subnet-e"],
            }),
            resource("aws:lb/loadBalancer:LoadBalancer", "nlb", { loadBalancerType: "network" }),
        ]);
        const of = (name: string) =>
            cost.lines.filter((l) => l.resource === name).map((l) => [l.item, l.quantity]);
        assert.deepStrictEqual(of("public"), [
            ["ALB LCUs (assumed, internet-facing)", hours],
            ["Application Load Balancer (internet-facing)", hours],
            ["public IPv4 address (ALB nodes, one per AZ)", 3 * hours],
        ]);
        assert.deepStrictEqual(of("private"), [
            ["ALB LCUs (assumed, internal)", hours / 2],
            ["Application Load Balancer (internal)", hours],
        ]);
        assert.deepStrictEqual(
            cost.unpriced.map((u) => [u.resource, u.reason]),
            [["nlb", "no price for a network load balancer"]],
        );
    });

    it("charges WAF per web ACL, per rule or rule group and per request; a paid rule group is unpriced", () => {
        const managed = (name: string) => ({
            statement: { managedRuleGroupStatement: { name, vendorName: "AWS" } },
        });
        const cost = estimateCost([
            resource("aws:wafv2/webAcl:WebAcl", "acl", {
                rules: [
                    { statement: { byteMatchStatement: {} } },
                    managed("AWSManagedRulesCommonRuleSet"),
                    managed("AWSManagedRulesBotControlRuleSet"),
                    { statement: { rateBasedStatement: { limit: 100 } } },
                ],
            }),
        ]);
        assert.deepStrictEqual(
            cost.lines.map((l) => [l.item, l.quantity, l.monthlyUsd]),
            [
                ["WAF requests (assumed)", 5, 3],
                ["WAF rules (1 custom, 2 managed rule groups, 1 rate-based)", 4, 4],
                ["WAF web ACL", 1, 5],
            ],
        );
        assert.deepStrictEqual(
            cost.unpriced.map((u) => u.reason),
            ["no price for the subscription of AWSManagedRulesBotControlRuleSet"],
        );
    });

    it("charges ElastiCache per node-hour at the engine's price, and knows no price it was not given", () => {
        const cost = estimateCost([
            resource("aws:elasticache/replicationGroup:ReplicationGroup", "valkey", {
                engine: "valkey",
                nodeType: "cache.t4g.small",
                numCacheClusters: 2,
                multiAzEnabled: true,
            }),
            resource("aws:elasticache/replicationGroup:ReplicationGroup", "redis", {
                engine: "redis",
                nodeType: "cache.t4g.small",
                numCacheClusters: 1,
            }),
            resource("aws:elasticache/replicationGroup:ReplicationGroup", "big", {
                engine: "valkey",
                nodeType: "cache.r7g.16xlarge",
                numCacheClusters: 2,
            }),
        ]);
        const valkey = cost.lines.find((l) => l.resource === "valkey")!;
        const redis = cost.lines.find((l) => l.resource === "redis")!;
        assert.strictEqual(valkey.item, "ElastiCache Valkey cache.t4g.small Multi-AZ");
        assert.strictEqual(valkey.quantity, 2 * hours);
        assert.strictEqual(redis.quantity, hours);
        assert.ok(valkey.unitUsd < redis.unitUsd, "Valkey nodes are listed below Redis OSS");
        assert.deepStrictEqual(
            cost.unpriced.map((u) => [u.resource, u.reason]),
            [["big", "no price for valkey cache.r7g.16xlarge"]],
        );
    });

    it("prices the ALB's log bucket as logs kept until its lifecycle expires them, other buckets as uploads", () => {
        const cost = estimateCost([
            resource(
                "aws:s3/bucket:Bucket",
                "logs",
                { bucketPrefix: "p-alb-logs-" },
                { id: "logs-id", state: { bucket: "p-alb-logs-123" } },
            ),
            resource(
                "aws:s3/bucket:Bucket",
                "uploads",
                { bucketPrefix: "p-uploads-" },
                { id: "uploads-id", state: { bucket: "p-uploads-456" } },
            ),
            resource("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "expiry", {
                bucket: "logs-id",
                rules: [{ status: "Enabled", expiration: { days: 60 } }],
            }),
            resource("aws:lb/loadBalancer:LoadBalancer", "alb", {
                internal: true,
                subnets: [],
                accessLogs: { bucket: "p-alb-logs-123", enabled: true },
            }),
        ]);
        const of = (name: string) =>
            cost.lines.filter((l) => l.resource === name).map((l) => [l.item, l.quantity]);
        assert.deepStrictEqual(of("logs"), [["ALB access logs in S3 (assumed, kept 60 days)", 2]]);
        assert.deepStrictEqual(of("uploads"), [["S3 Standard storage (assumed)", 20]]);
    });

    it("charges an alarm per metric it reads, and a target-tracking policy for the two alarms it makes", () => {
        const cost = estimateCost([
            resource("aws:cloudwatch/metricAlarm:MetricAlarm", "plain", { metricName: "CPU" }),
            resource("aws:cloudwatch/metricAlarm:MetricAlarm", "math", {
                metricQueries: [
                    { id: "a", metric: { metricName: "A" } },
                    { id: "b", metric: { metricName: "B" } },
                    { id: "rate", expression: "a / b" },
                ],
            }),
            resource("aws:autoscaling/policy:Policy", "tracking", {
                policyType: "TargetTrackingScaling",
            }),
            resource("aws:autoscaling/policy:Policy", "step", { policyType: "StepScaling" }),
        ]);
        assert.deepStrictEqual(
            cost.lines.map((l) => [l.resource, l.quantity, l.monthlyUsd]),
            [
                ["math", 2, 0.2],
                ["plain", 1, 0.1],
                ["tracking", 2, 0.2],
            ],
        );
        assert.deepStrictEqual(cost.unpriced, []);
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

    it("takes a Multi-AZ ElastiCache replication group as slower", () => {
        const group = (multiAzEnabled: boolean) =>
            estimateDeploy([
                r("redis", "aws:elasticache/replicationGroup:ReplicationGroup", [], {
                    multiAzEnabled,
                }),
            ]).criticalPathMinutes;
        assert.ok(group(true) > group(false), `${group(true)} vs ${group(false)}`);
        assert.ok(group(true) >= 10 && group(true) <= 15);
    });

    it("waits longer for the web hosts' group (image pull, migrations) than for the gateway's", () => {
        const group = (name: string) =>
            estimateDeploy([r(name, "aws:autoscaling/group:Group", [], { name })])
                .criticalPathMinutes;
        assert.ok(group("ai-portal-prod-web") >= 10 && group("ai-portal-prod-web") <= 15);
        assert.ok(group("ai-portal-prod-gateway") < group("ai-portal-prod-web"));
    });

    it("has a group that waits for healthy hosts wait for a listener of their target group", () => {
        // The hosts' target group health-checks only once a listener forwards to it; here the
        // listener waits for a slow directory that the group itself does not depend on.
        const resources = (minElbCapacity?: number) => [
            r("tg", "aws:lb/targetGroup:TargetGroup"),
            r("ad", "aws:directoryservice/directory:Directory"),
            r("listener", "aws:lb/listener:Listener", ["ad", "tg"], {
                defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }],
            }),
            r("group", "aws:autoscaling/group:Group", ["tg"], {
                name: "x-gateway",
                targetGroupArns: ["arn:tg"],
                minElbCapacity,
            }),
        ];
        const waiting = estimateDeploy(resources(2));
        assert.deepStrictEqual(waiting.path, ["ad", "listener", "group"]);
        assert.strictEqual(waiting.criticalPathMinutes, 30.1);
        // Without minElbCapacity, `pulumi up` does not wait for health: the group is quick.
        const returning = estimateDeploy(resources(undefined));
        assert.deepStrictEqual(returning.path, ["ad", "listener"]);
    });

    it("has the web group wait for what its hosts wait for at boot (runtimeWaits), only when `pulumi up` waits for their health", () => {
        const resources = (minElbCapacity?: number) => [
            r("db", "aws:rds/instance:Instance"),
            r("db-role-run", "aws:lambda/invocation:Invocation", ["db"]),
            r("group", "aws:autoscaling/group:Group", [], { name: "x-web", minElbCapacity }),
        ];
        const waiting = estimateDeploy(resources(2));
        assert.deepStrictEqual(waiting.path, ["db", "db-role-run", "group"]);
        assert.strictEqual(waiting.criticalPathMinutes, 19.3);
        // Its own boot (12.5) runs meanwhile: a quick database leaves the group's time as it was.
        const quick = estimateDeploy([
            r("db-role-run", "aws:lambda/invocation:Invocation"),
            r("group", "aws:autoscaling/group:Group", [], { name: "x-web", minElbCapacity: 2 }),
        ]);
        assert.strictEqual(quick.criticalPathMinutes, 12.5);
        assert.deepStrictEqual(estimateDeploy(resources(undefined)).path, ["db", "db-role-run"]);
        // The gateway's hosts wait for nothing at boot.
        assert.strictEqual(
            estimateDeploy([
                r("db-role-run", "aws:lambda/invocation:Invocation", ["db"]),
                r("db", "aws:rds/instance:Instance"),
                r("gw", "aws:autoscaling/group:Group", [], {
                    name: "x-gateway",
                    minElbCapacity: 2,
                }),
            ]).criticalPathMinutes,
            15.3,
        );
    });

    it("refuses a dependency cycle", () => {
        assert.throws(() => estimateDeploy([r("a", "x", ["b"]), r("b", "x", ["a"])]), /cycle/);
    });

    it("states what an Open WebUI image change costs: the fleet drained and booted whole, or the single host restarted, after the pre-upgrade snapshot", () => {
        const snapshot = r("urn::compute-web-pre-upgrade", "aws:rds/snapshot:Snapshot");
        const fleet = estimateImageChange([
            snapshot,
            r("urn::compute-web-group", "aws:autoscaling/group:Group", [], {
                name: "ai-portal-prod-web",
            }),
        ]);
        // 3 min to drain the old fleet (deregistration delay, shutdown) + 12.5 to boot the new.
        assert.deepStrictEqual(fleet, {
            web: "fleetReplacedWhole",
            downtimeMinutes: 15.5,
            snapshotMinutes: 4,
        });
        assert.deepStrictEqual(
            estimateImageChange([
                snapshot,
                r("urn::compute-web-instance", "aws:ec2/instance:Instance"),
            ]),
            { web: "hostRestarted", downtimeMinutes: 10, snapshotMinutes: 4 },
        );
        // The gateway's fleet alone is not the web tier.
        assert.strictEqual(
            estimateImageChange([
                snapshot,
                r("urn::compute-gateway-group", "aws:autoscaling/group:Group", [], {
                    name: "ai-portal-prod-gateway",
                }),
            ]),
            null,
        );
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
        // dev sleeps outside its working hours: both figures, its budgets, and no usage estimate.
        assert.match(
            result.stdout,
            /: \$\d+\.\d\d always on, \$\d+\.\d\d on its schedule \(Mon-Fri/,
        );
        assert.match(result.stdout, /^Budgets:\n {2}ai-portal-dev-bedrock: \$100\.00 monthly/m);
        assert.match(result.stdout, /^Bedrock usage estimate .*: none \(expectedUsers is 0\)$/m);
        assert.match(result.stdout, /Deploy estimate: critical path \d+(\.\d)? min/);
        assert.match(
            result.stdout,
            /^Open WebUI image change: the web host is stopped and started on the new image: ~10 min of downtime, after a 4 min pre-upgrade snapshot taken while the old version serves\.$/m,
        );
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
