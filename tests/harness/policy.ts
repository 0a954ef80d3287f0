/**
 * Runs CrossGuard policies over the resources a program run declared, building the validation
 * arguments the way the policy analyzer would (props, options, provider, dependency graph), so
 * the pack is tested without the Pulumi CLI.
 */
import type {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeclaredResource, runUnderMocks } from "../../offline/run";
import { portalPolicies } from "../../policy/policies";

export interface Violation {
    readonly policy: string;
    readonly resource: string;
    readonly message: string;
}

class NotApplicable extends Error {}

type Policy = ResourceValidationPolicy | StackValidationPolicy;

function toPolicyResources(resources: readonly DeclaredResource[]): Map<string, PolicyResource> {
    const byUrn = new Map<string, PolicyResource>();
    const find = (urn: string) => byUrn.get(urn);
    for (const r of resources) {
        const resource = {
            type: r.type,
            props: r.inputs,
            urn: r.urn,
            name: r.name,
            opts: {
                protect: r.protect,
                ignoreChanges: [...r.ignoreChanges],
                deleteBeforeReplace: r.deleteBeforeReplace,
                aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: [],
                parent: r.parent || undefined,
            },
            isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === r.type,
            asType: (cls: { __pulumiType?: string }) =>
                cls.__pulumiType === r.type ? r.inputs : undefined,
            get provider() {
                const providerUrn = r.provider.split("::").slice(0, -1).join("::");
                const provider = find(providerUrn);
                return provider
                    ? {
                          type: provider.type,
                          props: provider.props,
                          urn: provider.urn,
                          name: provider.name,
                      }
                    : undefined;
            },
            get parent() {
                return r.parent ? find(r.parent) : undefined;
            },
            get dependencies() {
                return r.dependencies.map(find).filter((x): x is PolicyResource => x !== undefined);
            },
            get propertyDependencies() {
                return Object.fromEntries(
                    Object.entries(r.propertyDependencies).map(([k, urns]) => [
                        k,
                        urns.map(find).filter((x): x is PolicyResource => x !== undefined),
                    ]),
                );
            },
        };
        byUrn.set(r.urn, resource as unknown as PolicyResource);
    }
    return byUrn;
}

const common = {
    getConfig: <T>() => ({}) as T,
    notApplicable: (reason?: string): never => {
        throw new NotApplicable(reason);
    },
    stackTags: new Map<string, string>(),
};

/** Every violation the policies report for these resources. */
export async function checkPolicies(
    resources: readonly DeclaredResource[],
    policies: readonly Policy[],
): Promise<Violation[]> {
    const policyResources = toPolicyResources(resources);
    const violations: Violation[] = [];
    for (const policy of policies) {
        const report = (fallback: string) => (message: string, urn?: string) =>
            violations.push({ policy: policy.name, resource: urn ?? fallback, message });
        // As the analyzer does: "not applicable" ends one validation of one resource, no more.
        const applying = async (validate: () => unknown) => {
            try {
                await validate();
            } catch (e) {
                if (!(e instanceof NotApplicable)) {
                    throw e;
                }
            }
        };
        if ("validateResource" in policy && policy.validateResource) {
            const validations = [policy.validateResource].flat();
            for (const resource of policyResources.values()) {
                const args = { ...resource, ...common } as unknown as ResourceValidationArgs;
                for (const validate of validations) {
                    await applying(() => validate(args, report(resource.urn)));
                }
            }
        }
        if ("validateStack" in policy && policy.validateStack) {
            const validateStack = policy.validateStack;
            await applying(() =>
                validateStack(
                    { resources: [...policyResources.values()], ...common },
                    report("stack"),
                ),
            );
        }
    }
    return violations;
}

/** A copy of the resources with one resource's inputs changed, to show a policy catching it. */
export function withInputs(
    resources: readonly DeclaredResource[],
    name: string,
    change: (inputs: Record<string, any>) => Record<string, any>,
): DeclaredResource[] {
    let found = false;
    const result = resources.map((r) => {
        if (r.name !== name) {
            return r;
        }
        found = true;
        return { ...r, inputs: change(JSON.parse(JSON.stringify(r.inputs))) };
    });
    if (!found) {
        throw new Error(`no resource named ${name}`);
    }
    return result;
}

/**
 * Runs `build` as a program of its own on a stack tagged as `stack` (the provider's default tags,
 * as the portal sets them) and returns what the pack says, as "policy: resource: message".
 */
export async function objections(
    build: (opts: pulumi.CustomResourceOptions) => void,
    { stack = "dev", tags = true }: { stack?: string; tags?: boolean } = {},
): Promise<string[]> {
    const run = await runUnderMocks(() => {
        const provider = new aws.Provider("aws", {
            region: "eu-west-2",
            defaultTags: tags
                ? { tags: { Project: "ai-portal", Stack: stack, ManagedBy: "pulumi" } }
                : undefined,
        });
        build({ provider });
        return {};
    });
    assert.ifError(run.error);
    const name = (urn: string) => urn.split("::").pop();
    // Stack policies name the resource in their message already.
    return (await checkPolicies(run.resources, portalPolicies)).map(
        (v: Violation) =>
            `${v.policy}: ${name(v.resource)}: ${v.message.replace(`${name(v.resource)}: `, "")}`,
    );
}
