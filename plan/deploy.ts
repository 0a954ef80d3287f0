/**
 * How long `pulumi up` of a new stack takes, from the committed table of typical creation times
 * (plan/deploy-times.json) and the dependency graph the program declares: the critical path is
 * the chain of dependencies with the largest total. Pure.
 */
import times from "./deploy-times.json";
import { compareText } from "./order";

export interface DeployEstimate {
    readonly criticalPathMinutes: number;
    /** URNs of the critical path, first created first. */
    readonly path: readonly string[];
    /** Sum of all creation times, as if nothing ran in parallel. */
    readonly serialMinutes: number;
}

export interface DeployInput {
    readonly urn: string;
    readonly type: string;
    readonly custom: boolean;
    readonly dependencies: readonly string[];
    readonly inputs: Record<string, any>;
}

type TimeEntry = { minutes: number; multiAzMinutes?: number };

export function creationMinutes(r: Pick<DeployInput, "type" | "custom" | "inputs">): number {
    if (!r.custom) {
        return 0;
    }
    const entry = (times.byType as Record<string, TimeEntry>)[r.type];
    if (!entry) {
        return times.default.minutes;
    }
    return r.inputs.multiAz && entry.multiAzMinutes !== undefined
        ? entry.multiAzMinutes
        : entry.minutes;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function estimateDeploy(resources: readonly DeployInput[]): DeployEstimate {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const finish = new Map<string, { at: number; via?: string }>();
    const visiting = new Set<string>();

    const finishOf = (urn: string): number => {
        const known = finish.get(urn);
        if (known) {
            return known.at;
        }
        const r = byUrn.get(urn);
        if (!r) {
            return 0;
        }
        if (visiting.has(urn)) {
            throw new Error(`dependency cycle through ${urn}`);
        }
        visiting.add(urn);
        let start = 0;
        let via: string | undefined;
        for (const dep of [...r.dependencies].sort()) {
            const at = finishOf(dep);
            if (at > start) {
                start = at;
                via = dep;
            }
        }
        visiting.delete(urn);
        const at = start + creationMinutes(r);
        finish.set(urn, { at, via });
        return at;
    };

    let last: string | undefined;
    let longest = -1;
    for (const r of [...resources].sort((a, b) => compareText(a.urn, b.urn))) {
        const at = finishOf(r.urn);
        if (at > longest) {
            longest = at;
            last = r.urn;
        }
    }
    const path: string[] = [];
    for (let urn = last; urn; urn = finish.get(urn)?.via) {
        if (byUrn.get(urn)?.custom) {
            path.unshift(urn);
        }
    }
    return {
        criticalPathMinutes: round(Math.max(longest, 0)),
        path,
        serialMinutes: round(resources.reduce((sum, r) => sum + creationMinutes(r), 0)),
    };
}
