/**
 * The offline plan's document: what the program declares for a stack, with secret inputs and
 * outputs redacted, what it costs (always on, and on its working hours when it has them), the
 * budgets it declares, what its expected Bedrock usage might cost (apart from the infrastructure)
 * and how long it takes to deploy. Inputs come from the harness as plain JSON, with assets
 * described by their project-relative paths, so the document is the same on every machine.
 */
import { RecoveryFigure, recoveryObjectives } from "../backup/recovery";
import { describeProblems, parseConfig, PortalConfig } from "../config";
import type { DeclaredResource, ProgramRun } from "../offline/run";
import { BudgetsSummary, summariseBudgets } from "./budgets";
import { withGuardrail } from "./guardrailEstimate";
import { CostEstimate, estimateCost } from "./cost";
import { DeployEstimate, estimateDeploy } from "./deploy";
import { compareText } from "./order";
import { estimateUsage, UsageEstimate } from "./usageEstimate";

export const REDACTED = "[secret]";

export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly dependencies: readonly string[];
    readonly protect: boolean;
    readonly inputs: Record<string, unknown>;
}

export interface PlanDocument {
    readonly stack: string;
    readonly resources: readonly PlanResource[];
    readonly outputs: Record<string, unknown>;
    /** The infrastructure a month; Bedrock usage is never in it (see usageEstimate). */
    readonly cost: CostEstimate;
    readonly budgets: BudgetsSummary;
    /** Bedrock tokens a month for the expected users; null when expectedUsers is 0. */
    readonly usageEstimate: UsageEstimate | null;
    readonly deploy: DeployEstimate;
    /** RPO and RTO per store and scenario, from the configuration (backup/recovery.ts). */
    readonly recovery: readonly RecoveryFigure[];
}

/** A deep, JSON-safe copy of `value` with every path in `secretPaths` replaced by "[secret]". */
export function redact(value: unknown, secretPaths: readonly string[], at = ""): unknown {
    if (secretPaths.includes(at) && at !== "") {
        return REDACTED;
    }
    if (Array.isArray(value)) {
        return value.map((item, i) => redact(item, secretPaths, `${at}[${i}]`));
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [
                    k,
                    redact(
                        (value as Record<string, unknown>)[k],
                        secretPaths,
                        at ? `${at}.${k}` : k,
                    ),
                ]),
        );
    }
    return value;
}

export function planResource(r: DeclaredResource): PlanResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent || null,
        dependencies: [...r.dependencies].sort(),
        protect: r.protect,
        inputs: redact(r.inputs, r.secretInputPaths) as Record<string, unknown>,
    };
}

/** The stack's config as the program read it (the run succeeded, so it parses). */
function stackConfig(run: ProgramRun): PortalConfig {
    const parsed = parseConfig({
        project: run.config.project,
        stack: run.config.stack,
        raw: run.config.raw,
    });
    if (!parsed.ok) {
        throw new Error(describeProblems(run.config.stack, parsed.problems));
    }
    return parsed.config;
}

export function buildPlan(run: ProgramRun): PlanDocument {
    const config = stackConfig(run);
    const gov = config.governance;
    const cost = estimateCost(run.resources, {
        schedule: gov.schedule,
        account: { ownsSettings: gov.ownsAccountSettings, settingsStack: gov.accountSettingsStack },
    });
    const tokens = gov.usage ? estimateUsage(gov.usage, config.compute.bedrockDefaultModel) : null;
    // The guardrail bills the text of the same prompts and answers.
    const usageEstimate =
        tokens && gov.usage && config.guardrail
            ? withGuardrail(tokens, gov.usage, config.guardrail, {
                  stack: gov.accountSettingsStack,
                  own: gov.ownsAccountSettings,
              })
            : tokens;
    const budgets = summariseBudgets(run.resources, gov, {
        infrastructureUsd: cost.scheduled?.monthlyUsd ?? cost.monthlyUsd,
        infrastructureOf: cost.scheduled
            ? "the infrastructure on its schedule"
            : "the infrastructure always on",
        bedrockUsd: usageEstimate?.monthlyUsd ?? null,
    });
    const resources = run.resources.map(planResource).sort((a, b) => compareText(a.urn, b.urn));
    const outputs = Object.fromEntries(
        Object.keys(run.outputs)
            .sort()
            .map((name) => [name, run.secretOutputs.includes(name) ? REDACTED : run.outputs[name]]),
    );
    return {
        stack: run.config.stack,
        resources,
        outputs,
        cost,
        budgets,
        usageEstimate,
        deploy: estimateDeploy(run.resources),
        recovery: recoveryObjectives({
            backup: config.backup,
            multiAz: config.database.multiAz,
            workingHours: gov.schedule,
        }),
    };
}
