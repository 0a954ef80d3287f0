/**
 * Every declared resource's inputs, in both stacks, against the constraints AWS's own API models
 * state (botocore's service-2.json: pattern, min/max length and size, enum, numeric range). The
 * provider checks few of them, so a value AWS refuses otherwise passes every test and fails the
 * first `pulumi up` (an inference-profile description with a comma did). How each resource type
 * reaches its API request is in apiTable.ts; the validator is tests/support/apiModels.ts.
 */
import * as assert from "assert";
import { runStack } from "../../offline/run";
import { STACKS } from "../harness/stacks";
import {
    ApiMapping,
    checkResource,
    describeViolation,
    loadServiceModel,
    ServiceModel,
    Unplaced,
    Violation,
} from "../support/apiModels";
import { API_TABLE, isNotApplicable, SKIP_EVERYWHERE } from "./apiTable";

/** The share of declared AWS-calling resource types the table must map. */
const MIN_COVERAGE = 0.9;

/** Providers configure the others; they make no request of their own a model describes. */
function isProvider(type: string): boolean {
    return type.startsWith("pulumi:providers:");
}

interface Findings {
    /** Declared custom resource types (both stacks), providers excluded. */
    readonly declaredTypes: string[];
    readonly covered: string[];
    readonly notApplicable: string[];
    readonly uncovered: string[];
    readonly violations: Violation[];
    readonly unplaced: Unplaced[];
    /** Values checked against a shape, per covered type (a mapping that checks nothing is wrong). */
    readonly checkedPerType: Map<string, number>;
}

async function findings(): Promise<Findings> {
    const declared = new Set<string>();
    const violations: Violation[] = [];
    const unplaced: Unplaced[] = [];
    const checkedPerType = new Map<string, number>();
    // And the drill stack, whose database is created by a restore call (Pulumi.drill.yaml), and
    // prod-oidc, whose identity setup (OIDC, SCIM, no directory) declares values of its own.
    for (const stack of [...STACKS, "drill", "prod-oidc"]) {
        const run = await runStack(stack);
        assert.ifError(run.error);
        for (const resource of run.resources) {
            if (!resource.custom || isProvider(resource.type)) {
                continue;
            }
            declared.add(resource.type);
            const entry = API_TABLE[resource.type];
            if (!entry || isNotApplicable(entry)) {
                continue;
            }
            const mapping: ApiMapping = entry;
            const model: ServiceModel = loadServiceModel(mapping.service);
            const result = checkResource(
                { ...resource, name: `${stack}/${resource.name}` },
                mapping,
                model,
                SKIP_EVERYWHERE,
            );
            violations.push(...result.violations);
            unplaced.push(...result.unplaced);
            checkedPerType.set(
                resource.type,
                (checkedPerType.get(resource.type) ?? 0) + result.checked,
            );
        }
    }
    const declaredTypes = [...declared].sort();
    const entryOf = (t: string) => API_TABLE[t];
    return {
        declaredTypes,
        covered: declaredTypes.filter((t) => entryOf(t) && !isNotApplicable(entryOf(t))),
        notApplicable: declaredTypes.filter((t) => entryOf(t) && isNotApplicable(entryOf(t))),
        uncovered: declaredTypes.filter((t) => !entryOf(t)),
        violations,
        unplaced,
        checkedPerType,
    };
}

describe("AWS API constraints: both stacks' inputs as AWS's API models state them", () => {
    let found: Findings;

    before(async () => {
        found = await findings();
    });

    it(`maps at least ${MIN_COVERAGE * 100}% of the declared resource types that call AWS`, () => {
        const applicable = found.covered.length + found.uncovered.length;
        const coverage = found.covered.length / applicable;
        console.log(
            `      API-constraint coverage: ${found.covered.length}/${applicable} resource types ` +
                `(${(coverage * 100).toFixed(1)}%); not applicable: ${found.notApplicable.length}; ` +
                `uncovered: ${found.uncovered.join(", ") || "none"}`,
        );
        assert.ok(
            coverage >= MIN_COVERAGE,
            `only ${found.covered.length} of ${applicable} declared resource types are mapped in ` +
                `tests/aws/apiTable.ts; add: ${found.uncovered.join(", ")}`,
        );
    });

    it("places every input in its API request, or the table says why it is not checked", () => {
        const lines = found.unplaced.map(
            (u) => `${u.resource} (${u.type}): input ${u.field}: ${u.why}`,
        );
        assert.deepStrictEqual(
            [...new Set(lines)],
            [],
            "map these inputs (rename) or skip them with a reason in tests/aws/apiTable.ts",
        );
    });

    it("checks at least one value of every mapped type", () => {
        const idle = found.covered.filter((t) => !found.checkedPerType.get(t));
        assert.deepStrictEqual(idle, [], "these mappings check nothing");
    });

    it("declares no value AWS would refuse", () => {
        assert.deepStrictEqual(found.violations.map(describeViolation), []);
    });
});

describe("the API-constraint validator (pure, a model of its own)", () => {
    const MODEL: ServiceModel = {
        service: "example",
        version: "2020-01-01",
        operations: {
            CreateThing: { input: { shape: "CreateThingRequest" } },
            UpdateThing: { input: { shape: "UpdateThingRequest" } },
        },
        shapes: {
            CreateThingRequest: {
                type: "structure",
                members: {
                    ThingName: { shape: "Name" },
                    description: { shape: "Description" },
                    Mode: { shape: "Mode" },
                    Size: { shape: "Size" },
                    Tags: { shape: "TagList" },
                    Listeners: { shape: "ListenerList" },
                },
            },
            UpdateThingRequest: {
                type: "structure",
                members: { RetentionDays: { shape: "Size" } },
            },
            Name: { type: "string", min: 1, max: 8 },
            // Bedrock's, as botocore stores it: unanchored.
            Description: { type: "string", min: 1, max: 200, pattern: "([0-9a-zA-Z:.][ _-]?)+" },
            Mode: { type: "string", enum: ["ON", "OFF"] },
            Size: { type: "integer", min: 1, max: 10 },
            TagList: { type: "list", member: { shape: "Tag" }, max: 50 },
            Tag: {
                type: "structure",
                members: { Key: { shape: "TagKey" }, Value: { shape: "TagValue" } },
            },
            TagKey: { type: "string", min: 1, max: 128 },
            TagValue: { type: "string", pattern: "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$" },
            ListenerList: { type: "list", member: { shape: "Listener" }, min: 1 },
            Listener: { type: "structure", members: { Port: { shape: "Size" } } },
        },
    };
    const MAPPING: ApiMapping = {
        service: "example",
        operation: "CreateThing",
        rename: { name: "ThingName", retentionDays: "UpdateThing:RetentionDays" },
        skip: { forceDelete: "read by the provider only" },
    };
    const VALID = {
        name: "thing",
        description: "eu.model-v1:0 for ai-portal-dev",
        mode: "ON",
        size: 3,
        listeners: [{ port: 8 }],
    };

    function check(inputs: Record<string, unknown>, secretInputPaths: string[] = []) {
        return checkResource(
            { name: "dev/thing", type: "example:index:Thing", inputs, secretInputPaths },
            MAPPING,
            MODEL,
            { tags: "not here" },
        );
    }

    function onlyViolation(inputs: Record<string, unknown>): string {
        const result = check(inputs);
        assert.deepStrictEqual(result.unplaced, []);
        assert.strictEqual(result.violations.length, 1, JSON.stringify(result.violations));
        return describeViolation(result.violations[0]);
    }

    it("passes valid inputs, having checked each value", () => {
        const result = check({ ...VALID, tags: { Stack: "dev" }, forceDelete: true });
        assert.deepStrictEqual(result.violations, []);
        assert.deepStrictEqual(result.unplaced, []);
        assert.strictEqual(result.checked, 7, "5 inputs, the tag's key and value");
    });

    it("a pattern violation: the whole value must match (a comma in a Bedrock description)", () => {
        assert.strictEqual(
            onlyViolation({ ...VALID, description: "eu.model-v1:0 for ai-portal-dev, tagged" }),
            'dev/thing (example:index:Thing): description = "eu.model-v1:0 for ai-portal-dev, ' +
                'tagged" breaks pattern ([0-9a-zA-Z:.][ _-]?)+ of example Description (whole value)',
        );
    });

    it("a string too long", () => {
        assert.strictEqual(
            onlyViolation({ ...VALID, name: "thing-one" }),
            'dev/thing (example:index:Thing): name = "thing-one" breaks length 9 > max 8 of ' +
                "example Name",
        );
    });

    it("an enum miss", () => {
        assert.strictEqual(
            onlyViolation({ ...VALID, mode: "on" }),
            'dev/thing (example:index:Thing): mode = "on" breaks one of [ON, OFF] of example Mode',
        );
    });

    it("a number out of range, inside a list, and in another operation's request", () => {
        assert.strictEqual(
            onlyViolation({ ...VALID, listeners: [{ port: 8 }, { port: 11 }] }),
            "dev/thing (example:index:Thing): listeners[1].port = 11 breaks number > max 10 of " +
                "example Size",
        );
        assert.strictEqual(
            onlyViolation({ ...VALID, retentionDays: 0 }),
            "dev/thing (example:index:Thing): retentionDays = 0 breaks number < min 1 of example Size",
        );
    });

    it("a list too short, and a tag map checked as the Key/Value list the API takes", () => {
        assert.strictEqual(
            onlyViolation({ ...VALID, listeners: [] }),
            "dev/thing (example:index:Thing): listeners = [] breaks list of 0 < min 1 of " +
                "example ListenerList",
        );
        assert.strictEqual(
            onlyViolation({ ...VALID, tags: { Owner: "Open WebUI's team" } }),
            'dev/thing (example:index:Thing): tags.Owner.Value = "Open WebUI\'s team" breaks ' +
                "pattern ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$ of example TagValue (whole value)",
        );
    });

    it("withholds a secret's value, skips values unknown until deployment", () => {
        const secret = check({ ...VALID, description: "no, never" }, ["description"]);
        assert.deepStrictEqual(
            secret.violations.map((v) => v.value),
            ["[secret]"],
        );
        const unknown = check({ ...VALID, description: "[unknown until deployed]" });
        assert.deepStrictEqual(unknown.violations, []);
    });

    it("reports an input it cannot place, so the table has to map or skip it", () => {
        assert.deepStrictEqual(check({ ...VALID, colour: "blue" }).unplaced, [
            {
                resource: "dev/thing",
                type: "example:index:Thing",
                field: "colour",
                why: 'example CreateThingRequest has no member "colour"',
            },
        ]);
    });
});

describe("the API-constraint check on the real models", () => {
    it("refuses the Bedrock inference-profile description the program once declared", () => {
        const result = checkResource(
            {
                name: "prod/compute-default-model-profile",
                type: "aws:bedrock/inferenceProfile:InferenceProfile",
                inputs: {
                    name: "ai-portal-prod-default-model",
                    description:
                        "eu.anthropic.claude-sonnet-4-20250514-v1:0 for ai-portal-prod, tagged for cost allocation",
                },
            },
            API_TABLE["aws:bedrock/inferenceProfile:InferenceProfile"] as ApiMapping,
            loadServiceModel("bedrock"),
        );
        assert.deepStrictEqual(
            result.violations.map((v) => [v.field, v.rule]),
            [
                [
                    "description",
                    "pattern ([0-9a-zA-Z:.][ _-]?)+ of bedrock InferenceProfileDescription (whole value)",
                ],
            ],
        );
    });

    it("knows every service and operation the table names", () => {
        for (const [type, entry] of Object.entries(API_TABLE)) {
            if (isNotApplicable(entry)) {
                continue;
            }
            const model = loadServiceModel(entry.service);
            assert.ok(model.operations[entry.operation], `${type}: ${entry.operation}`);
        }
    });
});
