/**
 * The offline plan's document: what the program declares for a stack, with secret inputs and
 * outputs redacted. Inputs come from the harness as plain JSON, with assets described by their
 * project-relative paths, so the document is the same on every machine.
 */
import type { DeclaredResource, ProgramRun } from "../offline/run";
import { CostEstimate, estimateCost } from "./cost";
import { DeployEstimate, estimateDeploy } from "./deploy";
import { compareText } from "./order";

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
    readonly cost: CostEstimate;
    readonly deploy: DeployEstimate;
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

export function buildPlan(run: ProgramRun): PlanDocument {
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
        cost: estimateCost(run.resources),
        deploy: estimateDeploy(run.resources),
    };
}
