/** Small lookups over a program run's declared resources, for readable assertions. */
import * as assert from "assert";
import { DeclaredResource, ProgramRun } from "./run";

export function ofType(run: ProgramRun, type: string): DeclaredResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function named(run: ProgramRun, type: string, name: string): DeclaredResource {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    assert.strictEqual(found.length, 1, `expected exactly one ${type} named ${name}, found ${found.length}`);
    return found[0];
}

/** The resource of `type` whose physical id (as the mock assigned it) is `id`. */
export function byId(run: ProgramRun, type: string, id: string): DeclaredResource {
    const found = run.resources.filter((r) => r.type === type && r.id === id);
    assert.strictEqual(found.length, 1, `expected exactly one ${type} with id ${id}, found ${found.length}`);
    return found[0];
}

export function byUrn(run: ProgramRun, urn: string): DeclaredResource {
    const found = run.resources.find((r) => r.urn === urn);
    assert.ok(found, `no resource with urn ${urn}`);
    return found;
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

export function parseJson(text: unknown): any {
    assert.strictEqual(typeof text, "string", "expected a JSON document as a string");
    return JSON.parse(text as string);
}
