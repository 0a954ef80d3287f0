/**
 * AI governance on production stacks: every Bedrock call passes an enforced guardrail, and Open
 * WebUI keeps an audit trail. Both are read from what a preview knows: the guardrail, its
 * versions and the enforcement (and which of them each was computed from), the web hosts' user
 * data (Open WebUI's settings), the log groups.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ENFORCED_BY_TAG } from "../lib/guardrailTag";
import { defaultTags, fromProperty, onProductionStack } from "./common";

const T = {
    guardrail: "aws:bedrock/guardrail:Guardrail",
    version: "aws:bedrock/guardrailVersion:GuardrailVersion",
    enforcement: "aws-native:bedrock:EnforcedGuardrailConfiguration",
    instance: "aws:ec2/instance:Instance",
    template: "aws:ec2/launchTemplate:LaunchTemplate",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    inferenceProfile: "aws:bedrock/inferenceProfile:InferenceProfile",
};

/**
 * A production stack of the portal: production by its tags, and calling Bedrock (it declares the
 * portal's application inference profile, or a guardrail). Known in every preview, unlike the
 * hosts' user data. Other production stacks (another team's, a test program) are not judged.
 */
function productionPortal(resources: readonly PolicyResource[]): { name?: string } | undefined {
    const stack = stackOf(resources);
    const callsBedrock = resources.some(
        (r) => r.type === T.inferenceProfile || r.type === T.guardrail,
    );
    return stack.production && callsBedrock ? { name: stack.name } : undefined;
}

/** The stack's name and whether it is production, from its AWS resources' tags. */
function stackOf(resources: readonly PolicyResource[]): { name?: string; production: boolean } {
    const tagged = resources.find((r) => r.type.startsWith("aws:"));
    if (!tagged) {
        return { production: false };
    }
    return {
        name: defaultTags(tagged).Stack ?? tagged.props.tags?.Stack,
        production: onProductionStack(tagged),
    };
}

const derivesFrom = (resource: PolicyResource, key: string, from: PolicyResource) =>
    fromProperty(resource, key).some((r) => r.urn === from.urn);

export const prodGuardrailEnforced: StackValidationPolicy = {
    name: "prod-guardrail-enforced",
    description:
        "Production stacks of the portal (they call Bedrock) declare a Bedrock guardrail with a published version, enforced on every model through the account's enforced guardrail configuration: by this stack when its guardrail's GuardrailEnforcedBy tag names it (it owns the account's settings), otherwise by the stack the tag names.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const stack = productionPortal(args.resources);
        if (!stack) {
            return;
        }
        const guardrails = args.resources.filter((r) => r.type === T.guardrail);
        if (guardrails.length === 0) {
            report(
                "no Bedrock guardrail: a production stack's Bedrock calls must pass one (config guardrail: on)",
            );
            return;
        }
        const versions = args.resources.filter((r) => r.type === T.version);
        const enforcements = args.resources.filter((r) => r.type === T.enforcement);
        for (const guardrail of guardrails) {
            const published = versions.filter((v) => derivesFrom(v, "guardrailArn", guardrail));
            if (published.length === 0) {
                report(
                    `${guardrail.name}: no published version (an enforcement takes a numbered version, not the draft)`,
                    guardrail.urn,
                );
                continue;
            }
            const enforcedBy: unknown = guardrail.props.tags?.[ENFORCED_BY_TAG];
            if (typeof enforcedBy !== "string" || enforcedBy === "") {
                report(
                    `${guardrail.name}: no ${ENFORCED_BY_TAG} tag: nothing says which stack's guardrail the account enforces`,
                    guardrail.urn,
                );
                continue;
            }
            if (enforcedBy !== stack.name) {
                // The owner of the account's settings enforces its own: the plan says which.
                continue;
            }
            const mine = enforcements.filter(
                (e) =>
                    derivesFrom(e, "guardrailIdentifier", guardrail) &&
                    published.some((v) => derivesFrom(e, "guardrailVersion", v)),
            );
            if (mine.length === 0) {
                report(
                    `${guardrail.name}: not enforced: this stack owns the account's settings (${ENFORCED_BY_TAG}: ${enforcedBy}) but no enforced guardrail configuration uses a published version of it`,
                    guardrail.urn,
                );
                continue;
            }
            for (const e of mine) {
                const models = e.props.modelEnforcement as
                    { includedModels?: string[]; excludedModels?: string[] } | undefined;
                const partial =
                    models !== undefined &&
                    (!(models.includedModels ?? []).includes("ALL") ||
                        (models.excludedModels ?? []).length > 0);
                if (partial) {
                    report(
                        `${e.name}: enforced on some models only (included ${JSON.stringify(models.includedModels ?? [])}, excluded ${JSON.stringify(models.excludedModels ?? [])}), but the gateway may call any model`,
                        e.urn,
                    );
                }
            }
        }
    },
};

/** User data as cloud-init reads it: a launch template's is base64. */
function userDataText(resource: PolicyResource): string | undefined {
    const value: unknown = resource.props.userData;
    if (typeof value !== "string") {
        return undefined;
    }
    return resource.type === T.template ? Buffer.from(value, "base64").toString("utf8") : value;
}

/** Open WebUI's hosts: their user data writes its settings (WEBUI_URL is one). */
const OPEN_WEBUI_SETTING = /^WEBUI_URL=/m;
const AUDIT_LEVEL = /^AUDIT_LOG_LEVEL=([A-Z_]*)$/m;
const RECORDING = ["METADATA", "REQUEST", "REQUEST_RESPONSE"];

export const prodAuditTrail: StackValidationPolicy = {
    name: "prod-audit-trail",
    description:
        "Production stacks of the portal (they call Bedrock) keep Open WebUI's audit log on (AUDIT_LOG_LEVEL METADATA, REQUEST or REQUEST_RESPONSE on every web host) and declare its log group (/<prefix>/audit).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        if (!productionPortal(args.resources)) {
            return;
        }
        const hosts = args.resources.filter((r) => r.type === T.instance || r.type === T.template);
        for (const host of hosts) {
            const text = userDataText(host);
            // Unknown during a preview that creates what it is rendered from: checked next time.
            if (text === undefined || !OPEN_WEBUI_SETTING.test(text)) {
                continue;
            }
            const level = AUDIT_LEVEL.exec(text)?.[1];
            if (level === undefined || !RECORDING.includes(level)) {
                report(
                    `${host.name}: Open WebUI's audit log is off (AUDIT_LOG_LEVEL ${level === undefined ? "not set: upstream's default is NONE" : level}); set auditLogLevel to METADATA`,
                    host.urn,
                );
            }
        }
        const groups = args.resources.filter(
            (r) => r.type === T.logGroup && /\/audit$/.test(String(r.props.name ?? "")),
        );
        if (groups.length === 0) {
            report("no audit log group (/<prefix>/audit): Open WebUI's audit trail is not kept");
        }
    },
};
