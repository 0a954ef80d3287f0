/**
 * The default model's inference-profile description against Bedrock's own rule (botocore's
 * CreateInferenceProfile model), which the provider does not check: a description with a comma
 * passed every test and failed the first `pulumi up` of both stacks.
 */
import * as assert from "assert";
import { profileDescription } from "../../compute/modelProfile";
import { loadStackConfig } from "../../offline/stackConfig";
import { named } from "../harness/query";
import { forEachStack, STACKS } from "../harness/stacks";
import { loadServiceModel, patternRegExp, Shape } from "../support/apiModels";

function descriptionRule(): Shape {
    return loadServiceModel("bedrock").shapes.InferenceProfileDescription;
}

function assertAccepted(description: string): void {
    const rule = descriptionRule();
    assert.ok(
        patternRegExp(rule.pattern!).test(description),
        `${JSON.stringify(description)} does not match ${rule.pattern}`,
    );
    assert.ok(description.length >= rule.min! && description.length <= rule.max!);
}

describe("the default model profile's description", () => {
    it("is checked against the rule Bedrock publishes (1-200 characters, no commas)", () => {
        assert.deepStrictEqual(
            { ...descriptionRule(), documentation: undefined, sensitive: undefined },
            {
                type: "string",
                min: 1,
                max: 200,
                pattern: "([0-9a-zA-Z:.][ _-]?)+",
                documentation: undefined,
                sensitive: undefined,
            },
        );
    });

    // The model ids and prefixes the committed stacks configure.
    for (const stack of STACKS) {
        const config = loadStackConfig({ stack });
        const model = config.raw["ai-portal:bedrockDefaultModel"];
        const prefix = `${config.project}-${stack}`;
        it(`${stack}: ${model} for ${prefix}`, () => {
            const description = profileDescription(model, prefix);
            assert.strictEqual(description, `${model} for ${prefix} tagged for cost allocation`);
            assertAccepted(description);
        });
    }

    // Ids the config accepts (config/compute.ts) that would break the rule if copied verbatim.
    const cases: [string, string, string][] = [
        [
            "amazon.nova-pro-v1:0",
            "ai-portal-dev",
            "amazon.nova-pro-v1:0 for ai-portal-dev tagged for cost allocation",
        ],
        [
            "global.anthropic.claude--x-v1:0",
            "ai-portal-prod",
            "global.anthropic.claude-x-v1:0 for ai-portal-prod tagged for cost allocation",
        ],
        [
            "meta.x",
            "ai-portal-my_stack",
            "meta.x for ai-portal-my_stack tagged for cost allocation",
        ],
    ];
    for (const [model, prefix, expected] of cases) {
        it(`normalises ${model} for ${prefix}`, () => {
            assert.strictEqual(profileDescription(model, prefix), expected);
            assertAccepted(expected);
        });
    }

    it("is cut to 200 characters and still accepted", () => {
        const description = profileDescription(`amazon.${"a".repeat(250)}`, "ai-portal-dev");
        assert.strictEqual(description, `amazon.${"a".repeat(193)}`);
        assertAccepted(description);
    });
});

forEachStack("the declared inference profile", (ctx) => {
    it("has a description Bedrock accepts", () => {
        const profile = named(
            ctx.run,
            "aws:bedrock/inferenceProfile:InferenceProfile",
            "compute-default-model-profile",
        );
        assert.strictEqual(
            profile.inputs.description,
            `eu.anthropic.claude-sonnet-4-20250514-v1:0 for ai-portal-${ctx.stack} tagged for cost allocation`,
        );
        assertAccepted(profile.inputs.description);
    });
});
