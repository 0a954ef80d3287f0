/**
 * How long `pulumi up` of a new stack takes, from the committed table of typical creation times
 * (plan/deploy-times.json) and the dependency graph the program declares, plus the waits AWS adds
 * that no declared dependency shows (an Auto Scaling group waiting for healthy hosts waits for a
 * listener of their target group): the critical path is the chain with the largest total. Pure.
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

type TimeEntry = {
    minutes: number;
    multiAzMinutes?: number;
    /** The first whose input matches replaces the type's figures. */
    variants?: ({ when: { input: string; matches: string } } & TimeEntry)[];
};

export function creationMinutes(r: Pick<DeployInput, "type" | "custom" | "inputs">): number {
    if (!r.custom) {
        return 0;
    }
    const byType = (times.byType as Record<string, TimeEntry>)[r.type];
    if (!byType) {
        return times.default.minutes;
    }
    const entry =
        byType.variants?.find((v) =>
            new RegExp(v.when.matches).test(String(r.inputs[v.when.input] ?? "")),
        ) ?? byType;
    const multiAz = r.inputs.multiAz === true || r.inputs.multiAzEnabled === true;
    return multiAz && entry.multiAzMinutes !== undefined ? entry.multiAzMinutes : entry.minutes;
}

const FORWARDING_TYPES = ["aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule"];

/** The target groups a listener or listener rule sends requests to. */
function forwardedTo(r: DeployInput): string[] {
    const actions = (r.inputs.defaultActions ?? r.inputs.actions ?? []) as Record<string, any>[];
    return actions.flatMap((a) => [
        ...(typeof a.targetGroupArn === "string" ? [a.targetGroupArn] : []),
        ...((a.forward?.targetGroups ?? []) as { arn?: string }[]).flatMap((t) =>
            typeof t.arn === "string" ? [t.arn] : [],
        ),
    ]);
}

/**
 * Waits no declared dependency shows, as alternatives: the resource finishes no earlier than one
 * resource of each set. A target group health-checks only once a listener (or a rule) forwards
 * to it, so a group that waits for healthy hosts (minElbCapacity) waits for one of those.
 */
function implicitWaits(
    r: DeployInput,
    forwarders: ReadonlyMap<string, readonly string[]>,
): string[][] {
    if (
        r.type !== "aws:autoscaling/group:Group" ||
        !(r.inputs.minElbCapacity > 0 || r.inputs.waitForElbCapacity > 0)
    ) {
        return [];
    }
    return ((r.inputs.targetGroupArns ?? []) as string[]).map((arn) => [
        ...(forwarders.get(arn) ?? []),
    ]);
}

const round = (n: number) => Math.round(n * 10) / 10;

export function estimateDeploy(resources: readonly DeployInput[]): DeployEstimate {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const forwarders = new Map<string, string[]>();
    for (const r of resources.filter((x) => FORWARDING_TYPES.includes(x.type))) {
        for (const arn of forwardedTo(r)) {
            forwarders.set(arn, [...(forwarders.get(arn) ?? []), r.urn].sort());
        }
    }
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
        let at = start + creationMinutes(r);
        for (const alternatives of implicitWaits(r, forwarders)) {
            // The earliest of the alternatives; none declared means nothing to wait for here.
            let first: { at: number; urn: string } | undefined;
            for (const other of alternatives) {
                const otherAt = finishOf(other);
                if (!first || otherAt < first.at) {
                    first = { at: otherAt, urn: other };
                }
            }
            if (first && first.at > at) {
                at = first.at;
                via = first.urn;
            }
        }
        visiting.delete(urn);
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
