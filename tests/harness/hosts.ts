/**
 * A role's hosts, whichever web tier declares them: the single host (an `aws.ec2.Instance`) or
 * the fleet's launch template (its user data base64-encoded, as EC2 takes it).
 */
import * as assert from "assert";
import type { DeclaredResource, ProgramRun } from "../../offline/run";

export type Role = "web" | "gateway";

/** The resource that carries the role's boot script: `compute-<role>-instance` or `-template`. */
export function hostDeclaration(run: ProgramRun, role: Role): DeclaredResource {
    const found = run.resources.filter(
        (r) =>
            (r.type === "aws:ec2/instance:Instance" && r.name === `compute-${role}-instance`) ||
            (r.type === "aws:ec2/launchTemplate:LaunchTemplate" &&
                r.name === `compute-${role}-template`),
    );
    assert.strictEqual(found.length, 1, `one ${role} host or launch template`);
    return found[0];
}

/** The role's user data as the instance reads it (a launch template's decoded from base64). */
export function hostUserData(run: ProgramRun, role: Role): string {
    const host = hostDeclaration(run, role);
    const userData = host.inputs.userData as string;
    return host.type === "aws:ec2/launchTemplate:LaunchTemplate"
        ? Buffer.from(userData, "base64").toString("utf8")
        : userData;
}
