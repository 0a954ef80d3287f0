/**
 * Generated secrets stay secret: the values the random provider produced (the mock's results)
 * appear only in inputs sent as secrets, never in a plain input, a tag or a stack output.
 */
import * as assert from "assert";
import { ofType } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import { ProgramRun } from "../../offline/run";

/** Every string leaf of a value with its dotted path. */
function leaves(value: unknown, at = ""): [string, string][] {
    if (typeof value === "string") {
        return [[at, value]];
    }
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => leaves(item, `${at}[${i}]`));
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([k, v]) => leaves(v, at ? `${at}.${k}` : k));
    }
    return [];
}

function generatedSecrets(run: ProgramRun): string[] {
    const values = ofType(run, "random:index/randomPassword:RandomPassword").map(
        (r) => r.state.result as string,
    );
    assert.ok(values.length >= 2, "the program generates the database and directory passwords");
    return values;
}

forEachStack("secrets", (ctx) => {
    it("no generated secret appears in an input that is not sent as a secret (tags included)", () => {
        const secrets = generatedSecrets(ctx.run);
        const leaks: string[] = [];
        for (const resource of ctx.run.resources.filter((r) => !r.type.startsWith("random:"))) {
            for (const [path, text] of leaves(resource.inputs)) {
                const isSecretPath = resource.secretInputPaths.some(
                    (p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`),
                );
                if (!isSecretPath && secrets.some((s) => text.includes(s))) {
                    leaks.push(`${resource.type} ${resource.name}: ${path}`);
                }
            }
        }
        assert.deepStrictEqual(leaks, []);
    });

    it("the generated secrets are used somewhere (so the scan above is not vacuous)", () => {
        const secrets = generatedSecrets(ctx.run);
        const uses = ctx.run.resources.filter((r) =>
            leaves(r.inputs).some(([, text]) => secrets.some((s) => text.includes(s))),
        );
        assert.ok(uses.length >= 3, `found ${uses.length} resources using generated secrets`);
    });

    it("no stack output holds a generated secret, and none needs to be a secret", () => {
        const secrets = generatedSecrets(ctx.run);
        for (const [name, value] of Object.entries(ctx.run.outputs)) {
            for (const [, text] of leaves(value)) {
                assert.ok(!secrets.some((s) => text.includes(s)), `output ${name}`);
            }
        }
        assert.deepStrictEqual(ctx.run.secretOutputs, []);
    });
});
