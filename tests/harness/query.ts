/** Assertions over a program run's declared resources, for readable tests. */
import * as assert from "assert";
import type { DeclaredResource, ProgramRun } from "../../offline/run";

export { ofType, transitiveDependencies } from "../../offline/query";

export function named(run: ProgramRun, type: string, name: string): DeclaredResource {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    assert.strictEqual(
        found.length,
        1,
        `expected exactly one ${type} named ${name}, found ${found.length}`,
    );
    return found[0];
}

/** The resource of `type` whose physical id (as the mock assigned it) is `id`. */
export function byId(run: ProgramRun, type: string, id: string): DeclaredResource {
    const found = run.resources.filter((r) => r.type === type && r.id === id);
    assert.strictEqual(
        found.length,
        1,
        `expected exactly one ${type} with id ${id}, found ${found.length}`,
    );
    return found[0];
}

export function byUrn(run: ProgramRun, urn: string): DeclaredResource {
    const found = run.resources.find((r) => r.urn === urn);
    assert.ok(found, `no resource with urn ${urn}`);
    return found;
}

export function parseJson(text: unknown): any {
    assert.strictEqual(typeof text, "string", "expected a JSON document as a string");
    return JSON.parse(text as string);
}
