import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface DefaultModelProfileArgs {
    /** Prefix for the profile's name, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The model or system-defined inference profile id it copies (config `bedrockDefaultModel`). Required. */
    readonly model: string;
    readonly partition: pulumi.Input<string>;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
}

/**
 * What an application inference profile copies: a system-defined (cross-region) profile such as
 * `eu.anthropic...` by its ARN in this account and region, or a foundation model by its ARN.
 */
export function profileSource(
    model: string,
    partition: string,
    region: string,
    accountId: string,
): string {
    return /^(eu|global)\./.test(model)
        ? `arn:${partition}:bedrock:${region}:${accountId}:inference-profile/${model}`
        : `arn:${partition}:bedrock:${region}::foundation-model/${model}`;
}

/** Bedrock's longest inference-profile description. */
const DESCRIPTION_MAX = 200;

/**
 * The profile's description, within what CreateInferenceProfile accepts: 1-200 characters of
 * `^([0-9a-zA-Z:.][ _-]?)+$` (letters, digits, `:` and `.`, each followed by at most one space,
 * `_` or `-`; no commas), which the provider does not check (it checks the length only), so a
 * description outside it fails `pulumi up`, not the preview.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateInferenceProfile.html
 * Model ids the config allows can hold runs such as `--`, so the text is normalised, not trusted.
 */
export function profileDescription(model: string, namePrefix: string): string {
    return `${model} for ${namePrefix} tagged for cost allocation`
        .replace(/[^0-9a-zA-Z:. _-]+/g, " ")
        .replace(/([ _-])[ _-]+/g, "$1")
        .replace(/^[ _-]+/, "")
        .slice(0, DESCRIPTION_MAX);
}

/**
 * The portal's default model as an application inference profile of its own: the same model
 * (copied from `bedrockDefaultModel`, so an eu. profile keeps routing within the EU), but every
 * call through it carries this stack's tags (Project, Stack) into the bill, so Bedrock spend is
 * attributed per stack. The gateway lists it by its ARN (ENABLE_APPLICATION_INFERENCE_PROFILES),
 * and Open WebUI offers it as the default model.
 */
export class DefaultModelProfile extends pulumi.ComponentResource {
    public readonly arn: pulumi.Output<string>;
    public readonly profileName: string;

    constructor(
        name: string,
        args: DefaultModelProfileArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("aiportal:compute:DefaultModelProfile", name, {}, opts);
        this.profileName = `${args.namePrefix}-default-model`;
        const profile = new aws.bedrock.InferenceProfile(
            `${name}-profile`,
            {
                name: this.profileName,
                description: profileDescription(args.model, args.namePrefix),
                modelSource: {
                    copyFrom: pulumi
                        .all([args.partition, args.accountId])
                        .apply(([partition, accountId]) =>
                            profileSource(args.model, partition, args.region, accountId),
                        ),
                },
                tags: { Name: this.profileName },
            },
            { parent: this },
        );
        this.arn = profile.arn;
        this.registerOutputs({ arn: this.arn, profileName: this.profileName });
    }
}
