/** Lookups over a program run's declared resources, shared by the plan and the tests. */
import type { DeclaredResource, ProgramRun } from "./run";

export function ofType(run: ProgramRun, type: string): DeclaredResource[] {
    return run.resources.filter((r) => r.type === type);
}

/**
 * Every URN the resource waits for: its dependencies and theirs, as the engine orders creation.
 * Parent links are not followed (a component's own options do not order its children).
 */
export function transitiveDependencies(run: ProgramRun, resource: DeclaredResource): Set<string> {
    const seen = new Set<string>();
    const pending = [...resource.dependencies];
    while (pending.length > 0) {
        const urn = pending.pop()!;
        if (seen.has(urn)) {
            continue;
        }
        seen.add(urn);
        const next = run.resources.find((r) => r.urn === urn);
        if (next) {
            pending.push(...next.dependencies);
        }
    }
    return seen;
}
