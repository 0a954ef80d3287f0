/**
 * What the policies share (policy/common.ts): how they read the provider's tags, policy documents
 * and CIDR ranges, and which resource is the web entry point. These are the answers every rule
 * builds on, so each is pinned down at its edges here.
 */
import * as assert from "assert";
import type { PolicyResource } from "@pulumi/policy";
import {
    defaultTags,
    fromProperty,
    isInternetLoadBalancer,
    isWebEntryPoint,
    list,
    onProductionStack,
    sid,
    statementsOf,
    webEntryPointIn,
    worldOpen,
} from "../../policy/common";

const TAGS = { Project: "ai-portal", Stack: "prod", ManagedBy: "pulumi" };
const provider = (defaultTagsProp: unknown) =>
    ({ provider: { props: { defaultTags: defaultTagsProp } } }) as unknown as Parameters<
        typeof defaultTags
    >[0];

describe("policy/common: the provider's default tags", () => {
    it("reads them as the JSON text the engine passes, or as an object", () => {
        assert.deepStrictEqual(defaultTags(provider(JSON.stringify({ tags: TAGS }))), TAGS);
        assert.deepStrictEqual(defaultTags(provider({ tags: TAGS })), TAGS);
    });

    it("has none when the provider sets none, its text is not JSON, or there is no provider", () => {
        assert.deepStrictEqual(defaultTags(provider(undefined)), {});
        assert.deepStrictEqual(defaultTags(provider("{not json")), {});
        assert.deepStrictEqual(defaultTags(provider(JSON.stringify({}))), {});
        assert.deepStrictEqual(defaultTags({ provider: undefined } as never), {});
        assert.deepStrictEqual(defaultTags({ provider: {} } as never), {});
    });

    it("a production stack is told by the provider's Stack tag, else the resource's own", () => {
        const on = (tags: unknown, own?: Record<string, string>) =>
            onProductionStack({
                ...provider(tags),
                props: own === undefined ? {} : { tags: own },
            } as never);
        assert.strictEqual(on({ tags: TAGS }), true);
        assert.strictEqual(on({ tags: { ...TAGS, Stack: "prod-eu" } }), true);
        assert.strictEqual(on({ tags: { ...TAGS, Stack: "dev" } }, { Stack: "prod" }), false);
        assert.strictEqual(on(undefined, { Stack: "prod" }), true);
        assert.strictEqual(on(undefined, { Stack: "staging" }), false);
        assert.strictEqual(on(undefined), false);
    });
});

describe("policy/common: policy documents", () => {
    it("reads the statements of JSON text or an object, one statement or several", () => {
        const one = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
        assert.deepStrictEqual(statementsOf(JSON.stringify({ Statement: one })), [one]);
        assert.deepStrictEqual(statementsOf({ Statement: [one, one] }), [one, one]);
        assert.deepStrictEqual(statementsOf(JSON.stringify({ Version: "2012-10-17" })), []);
    });

    it("a document not known yet has no statements to check (undefined, not [])", () => {
        assert.strictEqual(statementsOf(undefined), undefined);
        assert.strictEqual(statementsOf(null), undefined);
    });

    it("lists a value that may be one string or several, and names statements", () => {
        assert.deepStrictEqual(list(undefined), []);
        assert.deepStrictEqual(list("a"), ["a"]);
        assert.deepStrictEqual(list(["a", "b"]), ["a", "b"]);
        assert.strictEqual(sid({ Sid: "Read" }), "statement Read");
        assert.strictEqual(sid({}), "a statement");
    });

    it("a resource with no recorded dependencies was computed from nothing", () => {
        assert.deepStrictEqual(fromProperty({} as PolicyResource, "role"), []);
        assert.deepStrictEqual(
            fromProperty({ propertyDependencies: {} } as unknown as PolicyResource, "role"),
            [],
        );
    });
});

describe("policy/common: which ranges are open to the internet", () => {
    const cases: [string, boolean][] = [
        ["0.0.0.0/0", true],
        ["0.0.0.0/7", true],
        ["10.0.0.0/8", false],
        ["203.0.113.7/32", false],
        ["::/0", true],
        ["2001:db8::/15", true],
        ["2001:db8::/16", false],
        ["2001:db8::/128", false],
        // Not a CIDR range: AWS refuses it before it opens anything.
        ["pl-0123456789abcdef0", false],
        ["0.0.0.0/0 ", false],
        ["x0.0.0.0/0", false],
        ["", false],
    ];
    for (const [cidr, open] of cases) {
        it(`${JSON.stringify(cidr)} ${open ? "is" : "is not"} world-open`, () => {
            assert.strictEqual(worldOpen(cidr), open);
        });
    }
});

describe("policy/common: the web entry point", () => {
    const urn = (typeAndName: string) => `urn:pulumi:dev::ai-portal::${typeAndName}`;
    const web = {
        urn: urn("aiportal:compute:Host$aws:ec2/instance:Instance::compute-web-instance"),
    };
    const alb = (internal?: boolean) => ({
        type: "aws:lb/loadBalancer:LoadBalancer",
        props: internal === undefined ? {} : { internal },
    });

    it("is the single host's instance by its URN, whatever the stack", () => {
        assert.strictEqual(isWebEntryPoint(web), true);
        assert.strictEqual(isWebEntryPoint({ urn: web.urn.replace("dev::", "prod::") }), true);
        assert.strictEqual(
            isWebEntryPoint({ urn: urn("aws:ec2/instance:Instance::compute-web-instance") }),
            false,
        );
    });

    it("a load balancer faces the internet unless it says internal: true", () => {
        assert.strictEqual(isInternetLoadBalancer(alb()), true);
        assert.strictEqual(isInternetLoadBalancer(alb(false)), true);
        assert.strictEqual(isInternetLoadBalancer(alb(true)), false);
        assert.strictEqual(
            isInternetLoadBalancer({ type: "aws:ec2/instance:Instance", props: {} }),
            false,
        );
    });

    it("with an internet-facing load balancer no instance is the entry point", () => {
        assert.strictEqual(webEntryPointIn([alb(true)])(web), true);
        assert.strictEqual(webEntryPointIn([alb(true), alb()])(web), false);
    });
});
