/**
 * The whole program: what a bad config does, how it is built of components, and what every stack
 * shares (provider, tags).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { named, ofType } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import { runProgram } from "../../offline/run";

describe("program: a bad config", () => {
    const badConfigs: Record<string, Record<string, unknown>> = {
        "an unknown NAT mode": { natGateways: "two" },
        "a subnet outside the VPC": { publicSubnetCidrs: ["10.0.0.0/24", "192.168.1.0/24"] },
        "a retention CloudWatch rejects": { flowLogRetentionDays: 31 },
        "a typo in a key": { vpcCidrs: "10.0.0.0/16" },
        "several problems together": {
            vpcCidr: "10.0.0.0/8",
            natGateways: "none",
            flowLogRetentionDays: "forever",
        },
    };

    for (const [what, overrides] of Object.entries(badConfigs)) {
        it(`with ${what}: fails with the key named and declares no resource`, async () => {
            const run = await runProgram({ stack: "dev", overrides });
            assert.ok(
                run.error instanceof pulumi.RunError,
                "the program stops with a RunError (printed without a stack trace)",
            );
            assert.deepStrictEqual(
                run.resources.map((r) => r.name),
                [],
            );
            for (const key of Object.keys(overrides)) {
                assert.match(
                    run.error!.message,
                    new RegExp(`ai-portal:${key}\\b`),
                    `the message names ${key}`,
                );
            }
        });
    }

    it("lists every problem in one message", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: badConfigs["several problems together"],
        });
        assert.match(
            run.error!.message,
            /Stack "prod" has an invalid configuration \(3 problems\)/,
        );
        assert.match(run.error!.message, /ai-portal:vpcCidr = "10\.0\.0\.0\/8"/);
        assert.match(run.error!.message, /ai-portal:natGateways = "none"/);
        assert.match(run.error!.message, /ai-portal:flowLogRetentionDays = "forever"/);
    });
});

/** The provider's own type definitions say which resources take tags, and which get default tags (tagsAll). */
function typeDefinition(type: string): string {
    const file = path.join(
        path.dirname(require.resolve("@pulumi/aws/package.json")),
        `${type.split(":")[1]}.d.ts`,
    );
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}
const takesDefaultTags = (type: string) => typeDefinition(type).includes("readonly tagsAll");
const takesTags = (type: string) => /\n {4}tags\?: pulumi\.Input</.test(typeDefinition(type));

/** Tags as a map: most resources take one, Auto Scaling groups a list of {key, value, propagateAtLaunch}. */
function tagsOf(tags: unknown): Record<string, string> {
    return Array.isArray(tags)
        ? Object.fromEntries(tags.map((t: { key: string; value: string }) => [t.key, t.value]))
        : ((tags ?? {}) as Record<string, string>);
}

forEachStack("program: structure", (ctx) => {
    it("declares every resource but the provider inside a component: type aiportal:<tier>:<Name>, parts named <component>-<part>", () => {
        const { run } = ctx;
        const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
        const components = run.resources.filter((r) => !r.custom);
        assert.ok(components.length >= 10, `${components.length} components`);
        for (const component of components) {
            assert.match(component.type, /^aiportal:[a-z]+:[A-Z][A-Za-z]+$/, component.name);
        }
        const topLevel = run.resources.filter((r) => !byUrn.has(r.parent));
        // The program's provider, and on stacks that copy backups off-site the DR region's.
        assert.deepStrictEqual(
            topLevel.filter((r) => r.custom).map((r) => `${r.type}::${r.name}`),
            run.config.raw["ai-portal:backupCrossRegionCopy"] === "true"
                ? ["pulumi:providers:aws::aws", "pulumi:providers:aws::aws-dr"]
                : ["pulumi:providers:aws::aws"],
        );
        for (const child of run.resources.filter((r) => byUrn.has(r.parent))) {
            const parent = byUrn.get(child.parent)!;
            assert.ok(!parent.custom, `${child.name}: its parent ${parent.name} is a component`);
            assert.ok(
                child.name.startsWith(`${parent.name}-`),
                `${child.name} is named after its component ${parent.name}`,
            );
        }
    });
});

forEachStack("program: provider and tags", (ctx) => {
    const { stack } = ctx;
    it("uses one explicit AWS provider pinned to eu-west-2 with the project's default tags (and one for the DR region with the same tags, prod)", () => {
        const { run } = ctx;
        const providers = ofType(run, "pulumi:providers:aws");
        assert.deepStrictEqual(
            providers.map((p) => [p.name, p.inputs.region]),
            stack === "prod"
                ? [
                      ["aws", "eu-west-2"],
                      ["aws-dr", "eu-west-1"],
                  ]
                : [["aws", "eu-west-2"]],
        );
        for (const provider of providers) {
            assert.deepStrictEqual(JSON.parse(provider.inputs.defaultTags), {
                tags: { Project: "ai-portal", Stack: stack, ManagedBy: "pulumi" },
            });
        }
    });

    it("manages every AWS resource through that provider, but the DR vault and the uploads replica", () => {
        const { run } = ctx;
        const provider = named(run, "pulumi:providers:aws", "aws");
        const awsResources = run.resources.filter((r) => r.type.startsWith("aws:"));
        assert.ok(awsResources.length > 0);
        const inDrRegion = awsResources.filter((r) => r.provider.includes("::aws-dr::"));
        assert.deepStrictEqual(
            inDrRegion.map((r) => r.name).sort(),
            stack === "prod"
                ? [
                      "backup-dr-key",
                      "backup-dr-key-alias",
                      "backup-dr-vault",
                      "backup-dr-vault-lock",
                      "backup-uploads-replica-bucket",
                      "backup-uploads-replica-encryption",
                      "backup-uploads-replica-lifecycle",
                      "backup-uploads-replica-ownership",
                      "backup-uploads-replica-public-access",
                      "backup-uploads-replica-tls-only",
                      "backup-uploads-replica-versioning",
                  ]
                : [],
        );
        for (const r of awsResources.filter((r) => !inDrRegion.includes(r))) {
            assert.strictEqual(
                r.provider,
                `${provider.urn}::${provider.id}`,
                `${r.type} ${r.name}`,
            );
        }
    });

    it("sets tags on every resource type the AWS provider can tag (so the Name and default tags land)", () => {
        const { run } = ctx;
        const untagged = run.resources
            .filter(
                (r) =>
                    r.type.startsWith("aws:") &&
                    (takesDefaultTags(r.type) || takesTags(r.type)) &&
                    r.inputs.tags === undefined,
            )
            .map((r) => `${r.type} ${r.name}`);
        assert.deepStrictEqual(untagged, []);
    });

    it("gives every taggable resource a Name tag that says which stack it belongs to", () => {
        const { run } = ctx;
        const tagged = run.resources.filter(
            (r) => r.type.startsWith("aws:") && r.inputs.tags !== undefined,
        );
        assert.ok(tagged.length > 10);
        for (const r of tagged) {
            assert.match(
                tagsOf(r.inputs.tags).Name ?? "",
                new RegExp(`^ai-portal-${stack}-`),
                `${r.type} ${r.name}`,
            );
        }
    });

    it("tags what the provider's default tags do not reach (Auto Scaling groups, the hosts and volumes they launch) with the project's tags itself", () => {
        const { run } = ctx;
        const project = { Project: "ai-portal", Stack: stack, ManagedBy: "pulumi" };
        // Types that take tags but have no tagsAll: the provider merges no default tags into them.
        const unreached = run.resources.filter(
            (r) => r.type.startsWith("aws:") && takesTags(r.type) && !takesDefaultTags(r.type),
        );
        for (const r of unreached) {
            const tags = tagsOf(r.inputs.tags);
            for (const [key, value] of Object.entries(project)) {
                assert.strictEqual(tags[key], value, `${r.type} ${r.name}: ${key}`);
            }
        }
        const templates = ofType(run, "aws:ec2/launchTemplate:LaunchTemplate");
        for (const template of templates) {
            const specs = template.inputs.tagSpecifications as {
                resourceType: string;
                tags: Record<string, string>;
            }[];
            assert.deepStrictEqual(
                specs.map((s) => s.resourceType).sort(),
                ["instance", "volume"],
                template.name,
            );
            for (const spec of specs) {
                assert.deepStrictEqual(
                    spec.tags,
                    { ...project, Name: template.inputs.name },
                    `${template.name}: ${spec.resourceType}`,
                );
            }
        }
        // dev (single) has nothing of the kind; prod (loadBalanced) has both fleets.
        assert.deepStrictEqual(
            [...unreached, ...templates].map((r) => r.name).sort(),
            stack === "prod"
                ? [
                      "compute-gateway-group",
                      "compute-gateway-template",
                      "compute-web-group",
                      "compute-web-template",
                  ]
                : [],
        );
    });
});
