import { createHash } from "crypto";
import * as aws from "@pulumi/aws";
import * as native from "@pulumi/aws-native";
import * as pulumi from "@pulumi/pulumi";
import type { GuardrailConfig } from "../config/guardrail";
import { ENFORCED_BY_TAG } from "../lib/guardrailTag";

/** The content filters every guardrail has, on prompts and answers (Bedrock's category names). */
export const CONTENT_FILTERS = ["HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT"] as const;

/** A guardrail's policies as `aws.bedrock.Guardrail` takes them (its config blocks). */
export interface GuardrailPolicies {
    readonly contentPolicyConfig?: aws.types.input.bedrock.GuardrailContentPolicyConfig;
    readonly sensitiveInformationPolicyConfig?: aws.types.input.bedrock.GuardrailSensitiveInformationPolicyConfig;
    readonly topicPolicyConfig?: aws.types.input.bedrock.GuardrailTopicPolicyConfig;
    readonly wordPolicyConfig?: aws.types.input.bedrock.GuardrailWordPolicyConfig;
    readonly blockedInputMessaging: string;
    readonly blockedOutputsMessaging: string;
}

/**
 * The guardrail's policies from its config. Pure. A filter with both strengths NONE is left out,
 * and so is a policy with nothing in it (Bedrock's lists take at least one entry). The
 * prompt-attack filter has no output side: Bedrock requires its output strength to be NONE.
 * PII to block is blocked both ways; PII to anonymise is masked in answers and passes in prompts
 * (the model may need an address someone typed; people should not get others' from it).
 */
export function guardrailPolicies(c: GuardrailConfig): GuardrailPolicies {
    const filters = [
        ...CONTENT_FILTERS.map((type) => ({
            type,
            inputStrength: c.inputStrength,
            outputStrength: c.outputStrength,
        })),
        { type: "PROMPT_ATTACK", inputStrength: c.promptAttackStrength, outputStrength: "NONE" },
    ].filter((f) => f.inputStrength !== "NONE" || f.outputStrength !== "NONE");
    const pii = [
        ...c.blockPii.map((type) => ({
            type,
            action: "BLOCK",
            inputAction: "BLOCK",
            outputAction: "BLOCK",
        })),
        ...c.anonymisePii.map((type) => ({
            type,
            action: "ANONYMIZE",
            inputAction: "NONE",
            outputAction: "ANONYMIZE",
        })),
    ];
    return {
        contentPolicyConfig: filters.length > 0 ? { filtersConfigs: filters } : undefined,
        sensitiveInformationPolicyConfig: pii.length > 0 ? { piiEntitiesConfigs: pii } : undefined,
        topicPolicyConfig:
            c.deniedTopics.length > 0
                ? {
                      topicsConfigs: c.deniedTopics.map((t) => ({
                          name: t.name,
                          definition: t.definition,
                          type: "DENY",
                      })),
                  }
                : undefined,
        wordPolicyConfig:
            c.blockedWords.length > 0 || c.profanityFilter
                ? {
                      wordsConfigs:
                          c.blockedWords.length > 0
                              ? c.blockedWords.map((text) => ({ text }))
                              : undefined,
                      managedWordListsConfigs: c.profanityFilter
                          ? [{ type: "PROFANITY" }]
                          : undefined,
                  }
                : undefined,
        blockedInputMessaging: c.blockedInputMessage,
        blockedOutputsMessaging: c.blockedOutputMessage,
    };
}

/**
 * A short digest of the policies: the published version's description carries it, so a changed
 * policy publishes (and the enforcement moves to) a new version. Stable: keys in a fixed order.
 */
export function policiesDigest(policies: GuardrailPolicies): string {
    const canonical = (value: unknown): unknown =>
        Array.isArray(value)
            ? value.map(canonical)
            : value && typeof value === "object"
              ? Object.fromEntries(
                    Object.entries(value)
                        .filter(([, v]) => v !== undefined)
                        .sort(([a], [b]) => a.localeCompare(b))
                        .map(([k, v]) => [k, canonical(v)]),
                )
              : value;
    return createHash("sha256")
        .update(JSON.stringify(canonical(policies)))
        .digest("hex")
        .slice(0, 12);
}

/** The models the enforcement applies to: every model, as Bedrock spells it. */
export const ALL_MODELS = "ALL";

export interface GuardrailArgs {
    /** Prefix for names, e.g. "ai-portal-prod" (Bedrock: 1-50 of [0-9a-zA-Z-_]). Required. */
    readonly namePrefix: string;
    /** What the guardrail filters (config guardrail*). Required. */
    readonly config: GuardrailConfig;
    /** The region whose account-wide setting the enforcement is (eu-west-2). Required. */
    readonly region: string;
    /** The stack's name. Required. */
    readonly stack: string;
    /**
     * The stack that owns the account's settings (config `accountSettingsStack`): only its
     * guardrail is enforced on every Bedrock call in the account and region; the guardrail's
     * `GuardrailEnforcedBy` tag names it (the policy pack reads it). Required.
     */
    readonly accountSettingsStack: string;
}

/**
 * The stack's Bedrock guardrail, a published version of it, and, on the stack that owns the
 * account's settings, Bedrock's account-level enforced guardrail configuration pointing at that
 * version. The gateway sends no guardrail with its calls, so enforcement is the account's: it
 * applies to every Converse/InvokeModel call in the account and region (CloudFormation
 * AWS::Bedrock::EnforcedGuardrailConfiguration; @pulumi/aws-native, which declares it through
 * Cloud Control, with a provider of its own pinned to the region).
 *
 * Models: the gateway may call any model the account has (its role allows every EU foundation
 * model and inference profile, and people pick models in Open WebUI), so the only list that
 * covers every model the portal can reach is ALL. Naming fewer would leave the others unguarded.
 */
export class Guardrail extends pulumi.ComponentResource {
    public readonly guardrailId: pulumi.Output<string>;
    public readonly guardrailArn: pulumi.Output<string>;
    /** The published version the enforcement uses ("1", "2", ...). */
    public readonly version: pulumi.Output<string>;
    /** The enforcement's id; undefined on a stack that does not own the account's settings. */
    public readonly enforcementId?: pulumi.Output<string>;

    constructor(name: string, args: GuardrailArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:governance:Guardrail", name, {}, opts);
        const policies = guardrailPolicies(args.config);
        const digest = policiesDigest(policies);
        const guardrail = new aws.bedrock.Guardrail(
            `${name}-guardrail`,
            {
                name: `${args.namePrefix}-guardrail`,
                description: `Content, prompt-attack, PII and word filters on every Bedrock call of ${args.namePrefix}`,
                ...policies,
                tags: {
                    Name: `${args.namePrefix}-guardrail`,
                    [ENFORCED_BY_TAG]: args.accountSettingsStack,
                },
            },
            { parent: this },
        );
        // Bedrock has no call that changes a version: a new description (a new digest) is a new
        // version, created before the old one is deleted, so the enforcement never points at none.
        const version = new aws.bedrock.GuardrailVersion(
            `${name}-version`,
            {
                guardrailArn: guardrail.guardrailArn,
                description: `${args.namePrefix} guardrail, policies ${digest}`,
            },
            { parent: this, replaceOnChanges: ["description"] },
        );
        this.guardrailId = guardrail.guardrailId;
        this.guardrailArn = guardrail.guardrailArn;
        this.version = version.version;
        if (args.stack === args.accountSettingsStack) {
            const provider = new native.Provider(
                `${name}-aws-native`,
                { region: args.region as native.Region },
                { parent: this },
            );
            const enforcement = new native.bedrock.EnforcedGuardrailConfiguration(
                `${name}-enforcement`,
                {
                    guardrailIdentifier: guardrail.guardrailArn,
                    guardrailVersion: version.version,
                    modelEnforcement: { includedModels: [ALL_MODELS], excludedModels: [] },
                    // The whole conversation and the system prompt, not only the parts a caller
                    // marks: the gateway marks none.
                    selectiveContentGuarding: {
                        messages:
                            native.bedrock
                                .EnforcedGuardrailConfigurationSelectiveContentGuardingMessages
                                .Comprehensive,
                        system: native.bedrock
                            .EnforcedGuardrailConfigurationSelectiveContentGuardingSystem
                            .Comprehensive,
                    },
                },
                { parent: this, provider },
            );
            this.enforcementId = enforcement.configId;
        }
        this.registerOutputs({
            guardrailId: this.guardrailId,
            guardrailArn: this.guardrailArn,
            version: this.version,
        });
    }
}
