/**
 * The Bedrock guardrail keys (governance/guardrail.ts) and Open WebUI's audit log keys
 * (governance/auditLog.ts, compute/settings.ts). Every string here reaches AWS or Open WebUI, so
 * each reader checks what the receiving API accepts (botocore bedrock 2023-04-20 CreateGuardrail:
 * topic names `[0-9a-zA-Z-_ !?.]+` up to 100, definitions up to 200, words up to 100, blocked
 * messages 1-500; PII types its GuardrailPiiEntityType enum).
 */
import { isProductionStack, retentionDays } from "./common";
import { ConfigReader } from "./reader";
import { allRead, bool, list, oneOf, readSpec, text } from "./spec";

/** on: a guardrail of the stack's own (enforced by the stack that owns the account's settings). */
export const GUARDRAIL_MODES = ["on", "off"] as const;
export type GuardrailMode = (typeof GUARDRAIL_MODES)[number];

/** Bedrock's filter strengths (GuardrailFilterStrength); NONE turns a filter off. */
export const FILTER_STRENGTHS = ["NONE", "LOW", "MEDIUM", "HIGH"] as const;
export type FilterStrength = (typeof FILTER_STRENGTHS)[number];

/** Bedrock's PII entity types (botocore GuardrailPiiEntityType). */
export const PII_TYPES = [
    "ADDRESS",
    "AGE",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "CA_HEALTH_NUMBER",
    "CA_SOCIAL_INSURANCE_NUMBER",
    "CREDIT_DEBIT_CARD_CVV",
    "CREDIT_DEBIT_CARD_EXPIRY",
    "CREDIT_DEBIT_CARD_NUMBER",
    "DRIVER_ID",
    "EMAIL",
    "INTERNATIONAL_BANK_ACCOUNT_NUMBER",
    "IP_ADDRESS",
    "LICENSE_PLATE",
    "MAC_ADDRESS",
    "NAME",
    "PASSWORD",
    "PHONE",
    "PIN",
    "SWIFT_CODE",
    "UK_NATIONAL_HEALTH_SERVICE_NUMBER",
    "UK_NATIONAL_INSURANCE_NUMBER",
    "UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER",
    "URL",
    "USERNAME",
    "US_BANK_ACCOUNT_NUMBER",
    "US_BANK_ROUTING_NUMBER",
    "US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER",
    "US_PASSPORT_NUMBER",
    "US_SOCIAL_SECURITY_NUMBER",
    "VEHICLE_IDENTIFICATION_NUMBER",
] as const;
export type PiiType = (typeof PII_TYPES)[number];

/**
 * Open WebUI's audit levels (backend/open_webui/utils/audit.py AuditLevel): NONE writes nothing;
 * METADATA who (id, name, e-mail, role), what (method, URL), from where (address, user agent);
 * REQUEST adds request bodies, REQUEST_RESPONSE response bodies too (prompts and answers).
 */
export const AUDIT_LOG_LEVELS = ["NONE", "METADATA", "REQUEST", "REQUEST_RESPONSE"] as const;
export type AuditLogLevel = (typeof AUDIT_LOG_LEVELS)[number];

const TOPIC_NAME = /^[0-9a-zA-Z_ !?.-]{1,100}$/;

/** A denied topic, "Name: definition": a reason when the text is not one. */
export function parseDeniedTopic(
    value: string,
): { readonly name: string; readonly definition: string } | string {
    const at = value.indexOf(":");
    if (at < 0) {
        return 'is not "<name>: <definition>"';
    }
    const name = value.slice(0, at).trim();
    const definition = value.slice(at + 1).trim();
    if (!TOPIC_NAME.test(name)) {
        return `has the name "${name}", which is not 1-100 letters, digits, spaces and - _ ! ? .`;
    }
    if (definition.length < 1 || definition.length > 200) {
        return `has a definition of ${definition.length} characters, not 1-200`;
    }
    return { name, definition };
}

const MESSAGE_ALLOWED = "1 to 500 characters people see when the guardrail blocks";
const message = (defaultValue: string) =>
    text({
        allowed: MESSAGE_ALLOWED,
        default: defaultValue,
        check: (v) =>
            v.trim().length === 0 || v.length > 500 ? `has ${v.length} characters` : undefined,
    });

const piiList = (key: string, defaultValue: readonly PiiType[]) =>
    list(key, {
        allowed: `Bedrock PII types: ${PII_TYPES.join(", ")}`,
        default: defaultValue,
        item: (v) =>
            (PII_TYPES as readonly string[]).includes(v)
                ? undefined
                : { reason: "is not a Bedrock PII type" },
        list: (values) =>
            new Set(values).size === values.length ? undefined : { reason: "lists a type twice" },
    });

export const DEFAULT_BLOCKED_INPUT_MESSAGE =
    "Sorry, this request was blocked by the portal's content policy. Please rephrase it, and do not include card numbers or access keys.";
export const DEFAULT_BLOCKED_OUTPUT_MESSAGE =
    "Sorry, the answer was withheld by the portal's content policy.";

export const GUARDRAIL_SPEC = {
    guardrail: oneOf(GUARDRAIL_MODES, "on"),
    guardrailInputStrength: oneOf(FILTER_STRENGTHS, "HIGH"),
    guardrailOutputStrength: oneOf(FILTER_STRENGTHS, "HIGH"),
    guardrailPromptAttackStrength: oneOf(FILTER_STRENGTHS, "HIGH"),
    guardrailBlockPii: piiList("guardrailBlockPii", [
        "CREDIT_DEBIT_CARD_NUMBER",
        "CREDIT_DEBIT_CARD_CVV",
        "AWS_ACCESS_KEY",
        "AWS_SECRET_KEY",
    ]),
    guardrailAnonymisePii: piiList("guardrailAnonymisePii", ["EMAIL", "PHONE"]),
    guardrailDeniedTopics: list("guardrailDeniedTopics", {
        allowed:
            'up to 30 topics, each "<name>: <definition>" (name 1-100 letters, digits, spaces, - _ ! ? .; definition 1-200 characters)',
        default: [],
        item: (v) => {
            const parsed = parseDeniedTopic(v);
            return typeof parsed === "string" ? { reason: parsed } : undefined;
        },
        list: (values) =>
            values.length > 30 ? { reason: `has ${values.length} topics` } : undefined,
    }),
    guardrailBlockedWords: list("guardrailBlockedWords", {
        allowed: "words or phrases of 1 to 100 characters (at most 10000)",
        default: [],
        item: (v) =>
            v.trim().length === 0 || v.length > 100
                ? { reason: `has ${v.length} characters` }
                : undefined,
        list: (values) =>
            values.length > 10000 ? { reason: `has ${values.length} entries` } : undefined,
    }),
    guardrailProfanityFilter: bool(true),
    guardrailBlockedInputMessage: message(DEFAULT_BLOCKED_INPUT_MESSAGE),
    guardrailBlockedOutputMessage: message(DEFAULT_BLOCKED_OUTPUT_MESSAGE),
};

export const AUDIT_SPEC = {
    auditLogLevel: oneOf(AUDIT_LOG_LEVELS, "METADATA"),
    auditLogRetentionDays: retentionDays(400),
};

export interface GuardrailConfig {
    /** The five content filters' strength on prompts and on answers. */
    readonly inputStrength: FilterStrength;
    readonly outputStrength: FilterStrength;
    /** The prompt-attack filter's strength (prompts only: Bedrock has no output side for it). */
    readonly promptAttackStrength: FilterStrength;
    /** PII blocked in prompts and answers. */
    readonly blockPii: readonly PiiType[];
    /** PII masked in answers (prompts pass unchanged). */
    readonly anonymisePii: readonly PiiType[];
    readonly deniedTopics: readonly { readonly name: string; readonly definition: string }[];
    readonly blockedWords: readonly string[];
    readonly profanityFilter: boolean;
    readonly blockedInputMessage: string;
    readonly blockedOutputMessage: string;
}

export interface AuditConfig {
    readonly level: AuditLogLevel;
    /** Retention of the audit log group, separate from the application logs'. */
    readonly retentionDays: number;
}

/** Why a config value deserves a warning although it is allowed; none for the safe defaults. */
export function auditWarnings(audit: AuditConfig): string[] {
    return audit.level === "REQUEST" || audit.level === "REQUEST_RESPONSE"
        ? [
              `ai-portal:auditLogLevel = "${audit.level}": the audit log keeps ${audit.level === "REQUEST" ? "what people send (prompts, uploads' metadata)" : "what people send and what they get back (prompts and answers)"} for ${audit.retentionDays} days; METADATA records who did what without them`,
          ]
        : [];
}

/**
 * Reads the guardrail and audit keys. A production stack must keep both: `guardrail: off` or
 * `auditLogLevel: NONE` there is an error naming the key (collected with the others).
 */
export function readGuardrailAndAudit(
    reader: ConfigReader,
    stack: string,
): { guardrail?: GuardrailConfig; audit?: AuditConfig } {
    const g = readSpec(reader, GUARDRAIL_SPEC);
    const a = readSpec(reader, AUDIT_SPEC);
    const production = `stack "${stack}" is a production stack (prod or prod-*)`;
    if (isProductionStack(stack) && g.guardrail === "off") {
        reader.report(
            reader.qualified("guardrail"),
            "off",
            `is off, but ${production}: every Bedrock call of the portal must pass a guardrail`,
            '"on" (off is for non-production stacks only)',
        );
    }
    if (isProductionStack(stack) && a.auditLogLevel === "NONE") {
        reader.report(
            reader.qualified("auditLogLevel"),
            "NONE",
            `is NONE, but ${production}: its audit trail must record who did what`,
            '"METADATA" (or REQUEST / REQUEST_RESPONSE, deliberately)',
        );
    }
    if (
        g.guardrailBlockPii &&
        g.guardrailAnonymisePii &&
        g.guardrailBlockPii.some((t) => g.guardrailAnonymisePii!.includes(t))
    ) {
        const both = g.guardrailBlockPii.filter((t) => g.guardrailAnonymisePii!.includes(t));
        reader.report(
            reader.qualified("guardrailAnonymisePii"),
            JSON.stringify(g.guardrailAnonymisePii),
            `lists ${both.join(", ")}, which guardrailBlockPii blocks already (Bedrock takes one action per type)`,
            "PII types not in guardrailBlockPii",
        );
    }
    const audit =
        allRead(AUDIT_SPEC, a) && a.auditLogLevel !== undefined
            ? { level: a.auditLogLevel, retentionDays: a.auditLogRetentionDays }
            : undefined;
    if (!allRead(GUARDRAIL_SPEC, g) || g.guardrail === "off") {
        return { audit };
    }
    return {
        audit,
        guardrail: {
            inputStrength: g.guardrailInputStrength,
            outputStrength: g.guardrailOutputStrength,
            promptAttackStrength: g.guardrailPromptAttackStrength,
            blockPii: g.guardrailBlockPii as readonly PiiType[],
            anonymisePii: g.guardrailAnonymisePii as readonly PiiType[],
            deniedTopics: g.guardrailDeniedTopics.map(
                (t) => parseDeniedTopic(t) as { name: string; definition: string },
            ),
            blockedWords: g.guardrailBlockedWords,
            profanityFilter: g.guardrailProfanityFilter,
            blockedInputMessage: g.guardrailBlockedInputMessage,
            blockedOutputMessage: g.guardrailBlockedOutputMessage,
        },
    };
}
