/**
 * The Bedrock guardrail (governance/guardrail.ts): its exact policies from the defaults and from
 * config, the published version, the account-level enforcement on the stack that owns the
 * account's settings only, and the config errors (off in production, bad topics and PII types).
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../../config";
import {
    DEFAULT_BLOCKED_INPUT_MESSAGE,
    DEFAULT_BLOCKED_OUTPUT_MESSAGE,
    GuardrailConfig,
    parseDeniedTopic,
} from "../../config/guardrail";
import { guardrailPolicies, policiesDigest } from "../../governance/guardrail";
import { runProgram } from "../../offline/run";
import { loadStackConfig } from "../../offline/stackConfig";
import { named, ofType } from "../harness/query";
import { forEachStack } from "../harness/stacks";

const T = {
    guardrail: "aws:bedrock/guardrail:Guardrail",
    version: "aws:bedrock/guardrailVersion:GuardrailVersion",
    enforcement: "aws-native:bedrock:EnforcedGuardrailConfiguration",
    nativeProvider: "pulumi:providers:aws-native",
};

/** What the defaults in Pulumi.yaml give every stack. */
const DEFAULTS: GuardrailConfig = {
    inputStrength: "HIGH",
    outputStrength: "HIGH",
    promptAttackStrength: "HIGH",
    blockPii: [
        "CREDIT_DEBIT_CARD_NUMBER",
        "CREDIT_DEBIT_CARD_CVV",
        "AWS_ACCESS_KEY",
        "AWS_SECRET_KEY",
    ],
    anonymisePii: ["EMAIL", "PHONE"],
    deniedTopics: [],
    blockedWords: [],
    profanityFilter: true,
    blockedInputMessage: DEFAULT_BLOCKED_INPUT_MESSAGE,
    blockedOutputMessage: DEFAULT_BLOCKED_OUTPUT_MESSAGE,
};

const DEFAULT_FILTERS = [
    { type: "HATE", inputStrength: "HIGH", outputStrength: "HIGH" },
    { type: "INSULTS", inputStrength: "HIGH", outputStrength: "HIGH" },
    { type: "SEXUAL", inputStrength: "HIGH", outputStrength: "HIGH" },
    { type: "VIOLENCE", inputStrength: "HIGH", outputStrength: "HIGH" },
    { type: "MISCONDUCT", inputStrength: "HIGH", outputStrength: "HIGH" },
    { type: "PROMPT_ATTACK", inputStrength: "HIGH", outputStrength: "NONE" },
];

const DEFAULT_PII = [
    ...[
        "CREDIT_DEBIT_CARD_NUMBER",
        "CREDIT_DEBIT_CARD_CVV",
        "AWS_ACCESS_KEY",
        "AWS_SECRET_KEY",
    ].map((type) => ({ type, action: "BLOCK", inputAction: "BLOCK", outputAction: "BLOCK" })),
    ...["EMAIL", "PHONE"].map((type) => ({
        type,
        action: "ANONYMIZE",
        inputAction: "NONE",
        outputAction: "ANONYMIZE",
    })),
];

function configOf(stack: "dev" | "prod", overrides: Record<string, unknown>) {
    return parseConfig({ stack, raw: loadStackConfig({ stack, overrides }).raw });
}

describe("guardrail policies (pure)", () => {
    it("from the defaults: five content filters both ways at HIGH, prompt attacks on prompts, cards and keys blocked, e-mail and phone masked in answers, profanity, the messages", () => {
        assert.deepStrictEqual(guardrailPolicies(DEFAULTS), {
            contentPolicyConfig: { filtersConfigs: DEFAULT_FILTERS },
            sensitiveInformationPolicyConfig: { piiEntitiesConfigs: DEFAULT_PII },
            topicPolicyConfig: undefined,
            wordPolicyConfig: {
                wordsConfigs: undefined,
                managedWordListsConfigs: [{ type: "PROFANITY" }],
            },
            blockedInputMessaging: DEFAULT_BLOCKED_INPUT_MESSAGE,
            blockedOutputsMessaging: DEFAULT_BLOCKED_OUTPUT_MESSAGE,
        });
    });

    it("denied topics, words, other strengths; a filter off both ways and empty policies are left out", () => {
        const p = guardrailPolicies({
            ...DEFAULTS,
            inputStrength: "MEDIUM",
            outputStrength: "LOW",
            promptAttackStrength: "NONE",
            blockPii: [],
            anonymisePii: [],
            deniedTopics: [
                { name: "Investment advice", definition: "Advice on what to invest in." },
            ],
            blockedWords: ["Project Falcon"],
            profanityFilter: false,
        });
        assert.deepStrictEqual(p.contentPolicyConfig, {
            filtersConfigs: ["HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT"].map((type) => ({
                type,
                inputStrength: "MEDIUM",
                outputStrength: "LOW",
            })),
        });
        assert.strictEqual(p.sensitiveInformationPolicyConfig, undefined);
        assert.deepStrictEqual(p.topicPolicyConfig, {
            topicsConfigs: [
                {
                    name: "Investment advice",
                    definition: "Advice on what to invest in.",
                    type: "DENY",
                },
            ],
        });
        assert.deepStrictEqual(p.wordPolicyConfig, {
            wordsConfigs: [{ text: "Project Falcon" }],
            managedWordListsConfigs: undefined,
        });
    });

    it("every filter off: no content policy at all (Bedrock's list takes at least one)", () => {
        const p = guardrailPolicies({
            ...DEFAULTS,
            inputStrength: "NONE",
            outputStrength: "NONE",
            promptAttackStrength: "NONE",
            profanityFilter: false,
        });
        assert.strictEqual(p.contentPolicyConfig, undefined);
        assert.strictEqual(p.wordPolicyConfig, undefined);
    });

    it("the digest follows the policies, not the order keys were written in", () => {
        const a = guardrailPolicies(DEFAULTS);
        const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
        assert.strictEqual(policiesDigest(reordered), policiesDigest(a));
        assert.match(policiesDigest(a), /^[0-9a-f]{12}$/);
        assert.notStrictEqual(
            policiesDigest(guardrailPolicies({ ...DEFAULTS, blockedWords: ["x"] })),
            policiesDigest(a),
        );
    });

    it("a denied topic is '<name>: <definition>' within Bedrock's limits", () => {
        assert.deepStrictEqual(parseDeniedTopic("Legal advice: Opinions on legal matters."), {
            name: "Legal advice",
            definition: "Opinions on legal matters.",
        });
        assert.strictEqual(parseDeniedTopic("no colon"), 'is not "<name>: <definition>"');
        assert.strictEqual(
            parseDeniedTopic("Legal, tax: x"),
            'has the name "Legal, tax", which is not 1-100 letters, digits, spaces and - _ ! ? .',
        );
        assert.strictEqual(
            parseDeniedTopic("Legal:  "),
            "has a definition of 0 characters, not 1-200",
        );
        assert.strictEqual(
            parseDeniedTopic(`Legal: ${"x".repeat(201)}`),
            "has a definition of 201 characters, not 1-200",
        );
    });
});

describe("guardrail config", () => {
    it("both committed stacks have the default guardrail and METADATA audit", () => {
        for (const stack of ["dev", "prod"] as const) {
            const result = configOf(stack, {});
            assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
            assert.deepStrictEqual(result.config.guardrail, DEFAULTS);
            assert.deepStrictEqual(result.config.audit, {
                level: "METADATA",
                retentionDays: stack === "prod" ? 400 : 30,
            });
        }
    });

    it("reads topics, words, strengths and messages from config", () => {
        const result = configOf("dev", {
            guardrailInputStrength: "LOW",
            guardrailDeniedTopics: ["Investment advice: Advice on what to invest in."],
            guardrailBlockedWords: ["Project Falcon"],
            guardrailProfanityFilter: false,
            guardrailBlockPii: ["UK_NATIONAL_INSURANCE_NUMBER"],
            guardrailBlockedInputMessage: "Blocked.",
        });
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        assert.deepStrictEqual(result.config.guardrail, {
            ...DEFAULTS,
            inputStrength: "LOW",
            deniedTopics: [
                { name: "Investment advice", definition: "Advice on what to invest in." },
            ],
            blockedWords: ["Project Falcon"],
            profanityFilter: false,
            blockPii: ["UK_NATIONAL_INSURANCE_NUMBER"],
            blockedInputMessage: "Blocked.",
        });
    });

    it("off is allowed on dev (no guardrail), refused on prod naming the key", () => {
        const dev = configOf("dev", { guardrail: "off" });
        assert.ok(dev.ok);
        assert.strictEqual(dev.config.guardrail, undefined);
        const prod = configOf("prod", { guardrail: "off" });
        assert.ok(!prod.ok);
        assert.deepStrictEqual(prod.problems, [
            {
                key: "ai-portal:guardrail",
                value: "off",
                reason: 'is off, but stack "prod" is a production stack (prod or prod-*): every Bedrock call of the portal must pass a guardrail',
                allowed: '"on" (off is for non-production stacks only)',
            },
        ]);
    });

    it("collects every bad guardrail value at once, each naming key, value and what is allowed", () => {
        const result = configOf("dev", {
            guardrail: "maybe",
            guardrailInputStrength: "STRONG",
            guardrailBlockPii: ["CREDIT_CARD", "EMAIL"],
            guardrailDeniedTopics: ["no colon here"],
            guardrailBlockedWords: [""],
            guardrailBlockedOutputMessage: "x".repeat(501),
        });
        assert.ok(!result.ok);
        assert.deepStrictEqual(
            result.problems.map((p) => [p.key, p.value, p.reason]),
            [
                ["ai-portal:guardrail", "maybe", "is not a recognised value"],
                ["ai-portal:guardrailInputStrength", "STRONG", "is not a recognised value"],
                ["ai-portal:guardrailBlockPii[0]", "CREDIT_CARD", "is not a Bedrock PII type"],
                [
                    "ai-portal:guardrailDeniedTopics[0]",
                    "no colon here",
                    'is not "<name>: <definition>"',
                ],
                ["ai-portal:guardrailBlockedWords[0]", "", "has 0 characters"],
                ["ai-portal:guardrailBlockedOutputMessage", "x".repeat(501), "has 501 characters"],
            ],
        );
    });

    it("a PII type both blocked and anonymised is refused (Bedrock takes one action per type)", () => {
        const result = configOf("dev", {
            guardrailBlockPii: ["EMAIL", "PHONE", "NAME"],
            guardrailAnonymisePii: ["EMAIL", "PHONE"],
        });
        assert.ok(!result.ok);
        assert.deepStrictEqual(result.problems, [
            {
                key: "ai-portal:guardrailAnonymisePii",
                value: '["EMAIL","PHONE"]',
                reason: "lists EMAIL, PHONE, which guardrailBlockPii blocks already (Bedrock takes one action per type)",
                allowed: "PII types not in guardrailBlockPii",
            },
        ]);
    });
});

forEachStack("guardrail in the committed stacks", (ctx) => {
    it("one guardrail named after the stack, with the default policies and messages", () => {
        const g = named(ctx.run, T.guardrail, "guardrail-guardrail");
        assert.strictEqual(g.inputs.name, `ai-portal-${ctx.stack}-guardrail`);
        assert.deepStrictEqual(g.inputs.contentPolicyConfig, { filtersConfigs: DEFAULT_FILTERS });
        assert.deepStrictEqual(g.inputs.sensitiveInformationPolicyConfig, {
            piiEntitiesConfigs: DEFAULT_PII,
        });
        assert.deepStrictEqual(g.inputs.wordPolicyConfig, {
            managedWordListsConfigs: [{ type: "PROFANITY" }],
        });
        assert.strictEqual(g.inputs.topicPolicyConfig, undefined);
        assert.strictEqual(g.inputs.blockedInputMessaging, DEFAULT_BLOCKED_INPUT_MESSAGE);
        assert.strictEqual(g.inputs.blockedOutputsMessaging, DEFAULT_BLOCKED_OUTPUT_MESSAGE);
    });

    it("a published version of it, replaced (not updated) when the policies change", () => {
        const g = named(ctx.run, T.guardrail, "guardrail-guardrail");
        const v = named(ctx.run, T.version, "guardrail-version");
        assert.strictEqual(v.inputs.guardrailArn, g.state.guardrailArn);
        assert.strictEqual(
            v.inputs.description,
            `ai-portal-${ctx.stack} guardrail, policies ${policiesDigest(guardrailPolicies(DEFAULTS))}`,
        );
        assert.deepStrictEqual(v.replaceOnChanges, ["description"]);
    });

    it("enforced account-wide by prod, the owner of the account's settings, on every model, through an aws-native provider pinned to eu-west-2; dev enforces nothing", () => {
        const enforcement = ofType(ctx.run, T.enforcement);
        if (ctx.stack === "dev") {
            assert.deepStrictEqual(enforcement, []);
            assert.deepStrictEqual(ofType(ctx.run, T.nativeProvider), []);
            return;
        }
        assert.strictEqual(enforcement.length, 1);
        const e = enforcement[0];
        const g = named(ctx.run, T.guardrail, "guardrail-guardrail");
        const v = named(ctx.run, T.version, "guardrail-version");
        assert.deepStrictEqual(e.inputs, {
            guardrailIdentifier: g.state.guardrailArn,
            guardrailVersion: v.state.version,
            modelEnforcement: { includedModels: ["ALL"], excludedModels: [] },
            selectiveContentGuarding: { messages: "COMPREHENSIVE", system: "COMPREHENSIVE" },
        });
        const provider = named(ctx.run, T.nativeProvider, "guardrail-aws-native");
        assert.strictEqual(provider.inputs.region, "eu-west-2");
        assert.ok(e.provider?.startsWith(provider.urn), e.provider);
    });

    it("exports the guardrail's id, ARN and version, and the audit log group", () => {
        const g = named(ctx.run, T.guardrail, "guardrail-guardrail");
        const v = named(ctx.run, T.version, "guardrail-version");
        assert.match(String(ctx.run.outputs.guardrailId), /^[a-z0-9]{12}$/);
        assert.match(
            String(ctx.run.outputs.guardrailArn),
            /^arn:aws:bedrock:eu-west-2:123456789012:guardrail\/[a-z0-9]{12}$/,
        );
        assert.strictEqual(ctx.run.outputs.guardrailVersion, "1");
        assert.strictEqual(ctx.run.outputs.guardrailId, g.state.guardrailId);
        assert.strictEqual(ctx.run.outputs.guardrailArn, g.state.guardrailArn);
        assert.strictEqual(ctx.run.outputs.guardrailVersion, v.state.version);
        assert.strictEqual(ctx.run.outputs.auditLogGroupName, `/ai-portal-${ctx.stack}/audit`);
    });
});

forEachStack("guardrail: alarm and dashboard", (ctx) => {
    it("an alarm on a sudden rise of its interventions (anomaly band, 3 of 3 five-minute sums), to the alarm topic", () => {
        const g = named(ctx.run, T.guardrail, "guardrail-guardrail");
        const v = named(ctx.run, T.version, "guardrail-version");
        const topic = named(ctx.run, "aws:sns/topic:Topic", "ops-alarms");
        const alarm = named(
            ctx.run,
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "guardrail-alarm-alarm",
        );
        const { alarmDescription, ...inputs } = alarm.inputs;
        assert.match(alarmDescription, /intervenes far more often than usual/);
        assert.deepStrictEqual(inputs, {
            name: `ai-portal-${ctx.stack}-guardrail-interventions`,
            comparisonOperator: "GreaterThanUpperThreshold",
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            thresholdMetricId: "band",
            treatMissingData: "notBreaching",
            metricQueries: [
                {
                    id: "interventions",
                    returnData: true,
                    metric: {
                        namespace: "AWS/Bedrock/Guardrails",
                        metricName: "InvocationsIntervened",
                        dimensions: {
                            GuardrailArn: g.state.guardrailArn,
                            GuardrailVersion: v.state.version,
                        },
                        period: 300,
                        stat: "Sum",
                    },
                },
                {
                    id: "band",
                    expression: "ANOMALY_DETECTION_BAND(interventions, 3)",
                    label: "usual interventions",
                    returnData: true,
                },
            ],
            alarmActions: [topic.state.arn],
            okActions: [topic.state.arn],
            tags: { Name: `ai-portal-${ctx.stack}-guardrail-interventions` },
        });
    });

    it("the dashboard draws its calls and interventions, and the account's interventions by policy and text units by source", () => {
        const g = named(ctx.run, T.guardrail, "guardrail-guardrail");
        const body = JSON.parse(
            named(ctx.run, "aws:cloudwatch/dashboard:Dashboard", "dashboard-dashboard").inputs
                .dashboardBody,
        );
        const widgets = body.widgets.filter((w: { properties: { title?: string } }) =>
            /^Guardrail/.test(w.properties.title ?? ""),
        );
        assert.deepStrictEqual(
            widgets.map((w: { properties: { title: string; metrics: unknown[] } }) => [
                w.properties.title,
                w.properties.metrics,
            ]),
            [
                [
                    "Guardrail (version 1): calls checked and interventions",
                    ["Invocations", "InvocationsIntervened"].map((metric, i) => [
                        "AWS/Bedrock/Guardrails",
                        metric,
                        "GuardrailArn",
                        g.state.guardrailArn,
                        "GuardrailVersion",
                        "1",
                        { stat: "Sum", label: ["calls checked", "interventions"][i] },
                    ]),
                ],
                [
                    "Guardrails in the account: interventions by policy",
                    [
                        [
                            {
                                expression: `SEARCH('{AWS/Bedrock/Guardrails,GuardrailPolicyType} MetricName="InvocationsIntervened"', 'Sum', 300)`,
                                id: "bypolicy",
                            },
                        ],
                    ],
                ],
                [
                    "Guardrails in the account: text units by source (prompts, answers)",
                    [
                        [
                            {
                                expression: `SEARCH('{AWS/Bedrock/Guardrails,GuardrailContentSource} MetricName="TextUnitCount"', 'Sum', 300)`,
                                id: "bysource",
                            },
                        ],
                    ],
                ],
            ],
        );
    });
});

describe("guardrail: other stacks and owners", () => {
    it("dev as the owner enforces its own guardrail", async () => {
        const run = await runProgram({ stack: "dev", overrides: { accountSettingsStack: "dev" } });
        assert.ifError(run.error);
        assert.strictEqual(ofType(run, T.enforcement).length, 1);
    });

    it("guardrail off on dev: no guardrail, version, enforcement or outputs", async () => {
        const run = await runProgram({ stack: "dev", overrides: { guardrail: "off" } });
        assert.ifError(run.error);
        for (const type of Object.values(T)) {
            assert.deepStrictEqual(ofType(run, type), [], type);
        }
        assert.strictEqual(run.outputs.guardrailArn, undefined);
        // No alarm on it, and no guardrail widgets.
        assert.ok(
            !ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").some((a) =>
                /guardrail/.test(a.inputs.name),
            ),
        );
        assert.doesNotMatch(
            named(run, "aws:cloudwatch/dashboard:Dashboard", "dashboard-dashboard").inputs
                .dashboardBody,
            /Guardrails/,
        );
    });

    it("guardrail off on prod: a config error, nothing declared", async () => {
        const run = await runProgram({ stack: "prod", overrides: { guardrail: "off" } });
        assert.ok(run.error instanceof pulumi.RunError, String(run.error));
        assert.match(run.error.message, /ai-portal:guardrail = "off": is off, but stack "prod"/);
        assert.deepStrictEqual(run.resources, []);
    });
});
