/**
 * What the portal's policies share: how they read the provider's tags, IAM documents, CIDR ranges
 * and the dependency graph, and which resource is the designated web entry point. Policies read
 * only what a `pulumi preview` knows: inputs, the provider's settings and, in stack policies, the
 * dependency graph (new resources' ids are unknown until they exist).
 */
import type { PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import { isProductionStack } from "../lib/stacks";

/** The provider's default tags, as the provider resource carries them. */
export function defaultTags(
    args: Pick<ResourceValidationArgs, "provider">,
): Record<string, string> {
    let value = args.provider?.props?.defaultTags;
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return {};
        }
    }
    return (value as { tags?: Record<string, string> } | undefined)?.tags ?? {};
}

/** The stack a resource belongs to, from the provider's default tags (or its own). */
export function onProductionStack(
    args: Pick<ResourceValidationArgs, "provider" | "props">,
): boolean {
    return isProductionStack(defaultTags(args).Stack ?? args.props.tags?.Stack ?? "");
}

export interface Statement {
    readonly Sid?: string;
    readonly Effect?: string;
    readonly Action?: string | string[];
    readonly NotAction?: string | string[];
    readonly Resource?: string | string[];
    readonly NotResource?: string | string[];
    readonly Principal?: string | Record<string, string | string[]>;
    readonly Condition?: Record<string, Record<string, unknown>>;
}

/**
 * The statements of an IAM policy document, given as JSON text or as the object the provider's
 * `PolicyDocument` type allows, or undefined when the document is not known yet (during a preview
 * it may be computed from resources still to be created: checked next time).
 */
export function statementsOf(document: unknown): Statement[] | undefined {
    const parsed = (typeof document === "string" ? JSON.parse(document) : document) as
        { Statement?: Statement | Statement[] } | undefined;
    if (typeof parsed !== "object" || parsed === null) {
        return undefined;
    }
    return ([] as Statement[]).concat(parsed.Statement ?? []);
}

export const list = (value: string | string[] | undefined): string[] =>
    value === undefined ? [] : ([] as string[]).concat(value);

/** A statement's name in messages. */
export const sid = (s: Statement) => (s.Sid ? `statement ${s.Sid}` : "a statement");

/** Resources that `resource`'s property `key` was computed from (stack policies only). */
export function fromProperty(resource: PolicyResource, key: string): PolicyResource[] {
    return resource.propertyDependencies?.[key] ?? [];
}

/**
 * A range that opens a port to (nearly) the whole internet: anything broader than a /8 in IPv4
 * (0.0.0.0/0, but also 0.0.0.0/1 and its like) or a /16 in IPv6 (::/0).
 */
export function worldOpen(cidr: string): boolean {
    const match = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(cidr);
    if (!match) {
        return false;
    }
    const prefix = Number(match[2]);
    return match[1].includes(":") ? prefix < 16 : prefix < 8;
}

/** Ports the internet may reach on the web entry point: HTTPS, and HTTP for ACME and the redirect. */
export const WEB_PORTS = [80, 443];

/**
 * The one resource designated to face the internet with its own address: the web host of the
 * single-host web tier, as the program declares it (its URN without stack and project: the
 * parent's type, its own type and name). Designated here, in the reviewed pack, rather than by a
 * tag a resource could declare about itself.
 */
export const WEB_ENTRY_POINTS = [
    "aiportal:compute:Host$aws:ec2/instance:Instance::compute-web-instance",
];

export function isWebEntryPoint(resource: Pick<PolicyResource, "urn">): boolean {
    return WEB_ENTRY_POINTS.includes(resource.urn.split("::").slice(2).join("::"));
}

/** A load balancer reachable from the internet (`internal` unset counts as internet-facing). */
export function isInternetLoadBalancer(resource: Pick<PolicyResource, "type" | "props">): boolean {
    return resource.type === "aws:lb/loadBalancer:LoadBalancer" && resource.props.internal !== true;
}

/**
 * Which of the stack's resources is the designated web entry point. In the load-balanced tier
 * none is: the hosts are fleets behind an internet-facing load balancer, which `network.ts`
 * treats as the entry point, so any public address on an instance there is a violation, even
 * on one at the single host's URN.
 */
export function webEntryPointIn(
    resources: readonly Pick<PolicyResource, "type" | "props">[],
): (resource: Pick<PolicyResource, "urn">) => boolean {
    // Stryker disable next-line ArrowFunction: undefined is as false as false to every caller
    return resources.some(isInternetLoadBalancer) ? () => false : isWebEntryPoint;
}
