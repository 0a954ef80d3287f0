/**
 * How long `pulumi up` of a new stack takes, from the committed table of typical creation times
 * (plan/deploy-times.json) and the dependency graph the program declares, plus the waits AWS adds
 * that no declared dependency shows (an Auto Scaling group waiting for healthy hosts waits for a
 * listener of their target group) and the waits the hosts' boot scripts make (the table's
 * `runtimeWaits`): the critical path is the chain with the largest total. Pure.
 */
import times from "./deploy-times.json";
import { compareText } from "./order";

export interface DeployEstimate {
    readonly criticalPathMinutes: number;
    /** URNs of the critical path, first created first. */
    readonly path: readonly string[];
    /** Sum of all creation times, as if nothing ran in parallel. */
    readonly serialMinutes: number;
    /** What a new Open WebUI image costs a running stack; null without web hosts. */
    readonly imageChange: ImageChangeEstimate | null;
}

/**
 * An Open WebUI image change (compute/upgrade.ts): the pre-upgrade snapshot, taken while the old
 * version serves, then the downtime while no host serves: the old fleet drained and the new one
 * booted whole (loadBalanced), or the single host stopped and started on the new image.
 */
export interface ImageChangeEstimate {
    readonly web: "fleetReplacedWhole" | "hostRestarted";
    readonly downtimeMinutes: number;
    readonly snapshotMinutes: number;
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
        byType.variants?.find((v) => {
            const value: unknown = r.inputs[v.when.input];
            // An object input (a block such as restoreToPointInTime) is matched as its JSON.
            const text =
                value !== null && typeof value === "object"
                    ? JSON.stringify(value)
                    : String(value ?? "");
            return new RegExp(v.when.matches).test(text);
        }) ?? byType;
    const multiAz = r.inputs.multiAz === true || r.inputs.multiAzEnabled === true;
    return multiAz && entry.multiAzMinutes !== undefined ? entry.multiAzMinutes : entry.minutes;
}

/**
 * A wait no declared dependency shows because it happens at run time, on the hosts: the waiter
 * finishes no earlier than `thenMinutes` after every resource `waitsFor` matches has finished.
 */
type RuntimeWait = {
    waiter: { type: string; input?: string; matches?: string };
    waitsFor: { type: string; name?: string };
    thenMinutes: number;
};

const RUNTIME_WAITS = (times as { runtimeWaits?: RuntimeWait[] }).runtimeWaits ?? [];

/** The name a resource was declared with: the last part of its URN. */
const declaredName = (urn: string) => {
    const at = urn.lastIndexOf("::");
    return at < 0 ? urn : urn.slice(at + 2);
};

/** Whether `pulumi up` waits for the group's hosts to be healthy (so for their boot). */
function waitsForHealthyHosts(r: DeployInput): boolean {
    return (
        r.type === "aws:autoscaling/group:Group" &&
        (r.inputs.minElbCapacity > 0 || r.inputs.waitForElbCapacity > 0)
    );
}

/** The runtime waits of `r`: what it waits for (URNs) and for how long after. */
function runtimeWaitsOf(
    r: DeployInput,
    resources: readonly DeployInput[],
): { urns: string[]; thenMinutes: number }[] {
    return RUNTIME_WAITS.filter(
        (w) =>
            w.waiter.type === r.type &&
            (w.waiter.input === undefined ||
                new RegExp(w.waiter.matches ?? "").test(String(r.inputs[w.waiter.input] ?? ""))) &&
            // A group that `pulumi up` does not wait for returns before its hosts have booted.
            (r.type !== "aws:autoscaling/group:Group" || waitsForHealthyHosts(r)),
    ).map((w) => ({
        urns: resources
            .filter(
                (o) =>
                    o.type === w.waitsFor.type &&
                    (w.waitsFor.name === undefined || declaredName(o.urn) === w.waitsFor.name),
            )
            .map((o) => o.urn)
            .sort(),
        thenMinutes: w.thenMinutes,
    }));
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
    if (!waitsForHealthyHosts(r)) {
        return [];
    }
    return ((r.inputs.targetGroupArns ?? []) as string[]).map((arn) => [
        ...(forwarders.get(arn) ?? []),
    ]);
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * When each resource finishes (minutes from the start of `pulumi up`) and what it waited for last
 * (`via`), by URN.
 */
export function deployTimeline(
    resources: readonly DeployInput[],
): ReadonlyMap<string, { readonly at: number; readonly via?: string }> {
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
        for (const wait of runtimeWaitsOf(r, resources)) {
            for (const other of wait.urns) {
                const otherAt = finishOf(other) + wait.thenMinutes;
                if (otherAt > at) {
                    at = otherAt;
                    via = other;
                }
            }
        }
        visiting.delete(urn);
        finish.set(urn, { at, via });
        return at;
    };

    for (const r of [...resources].sort((a, b) => compareText(a.urn, b.urn))) {
        finishOf(r.urn);
    }
    return finish;
}

const WEB_GROUP = /-web$/;

/** The image change's figures from the resources declared (the table's `imageChange`). */
export function estimateImageChange(resources: readonly DeployInput[]): ImageChangeEstimate | null {
    const snapshot = resources.find((r) => r.type === "aws:rds/snapshot:Snapshot");
    const group = resources.find(
        (r) => r.type === "aws:autoscaling/group:Group" && WEB_GROUP.test(String(r.inputs.name)),
    );
    const host = resources.find(
        (r) =>
            r.type === "aws:ec2/instance:Instance" &&
            declaredName(r.urn) === "compute-web-instance",
    );
    if (!snapshot || (!group && !host)) {
        return null;
    }
    const change = times.imageChange;
    return {
        web: group ? "fleetReplacedWhole" : "hostRestarted",
        downtimeMinutes: round(
            group ? change.fleetDrain.minutes + creationMinutes(group) : change.hostRestart.minutes,
        ),
        snapshotMinutes: round(creationMinutes(snapshot)),
    };
}

export function estimateDeploy(resources: readonly DeployInput[]): DeployEstimate {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const finish = deployTimeline(resources);
    let last: string | undefined;
    let longest = -1;
    for (const r of [...resources].sort((a, b) => compareText(a.urn, b.urn))) {
        const at = finish.get(r.urn)!.at;
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
        imageChange: estimateImageChange(resources),
    };
}
