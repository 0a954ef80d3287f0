/**
 * The output contract: each stack exports exactly the outputs of its web tier, every stack's values
 * fit the committed JSON Schema, the security group it publishes admits callers of the gateway URL
 * it publishes, and names, types and presence cannot change without a version bump.
 */
import * as assert from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { CONTRACT_VERSION, OUTPUTS, OutputDoc, outputsSchema } from "../../contract";
import { ofType } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import type { ProgramRun } from "../../offline/run";
import { PROJECT_DIR } from "../../offline/stackConfig";

/**
 * sha256 of "name:type" lines per published version, a tier-only output's line suffixed with
 * "@<tier>" (and "+waf") and, since 2.3.0, "?<condition>" for each configuration its presence
 * depends on: a changed contract needs a new version.
 */
const PUBLISHED: Record<string, string> = {
    "1.0.0": "5930af28b3f183859c80e896180ea3a4fcebd16e02dc8c604a4de88257dc0f9b",
    "1.1.0": "aeb5be75b96890886c941399c0ee01563448a8f3ea04955a5ba1ae0183496809",
    "2.0.0": "65df519720a85462ce5967650d281690717ae83237aa36d08de71fde69776b88",
    "2.1.0": "0a22d8b1800379f1d128ad4d12a69ed4e0f3c7ec1239f18bb4074af4a4c0061f",
    // gatewayUrl's value: HTTPS without a port in loadBalanced (names and types unchanged).
    "2.2.0": "0a22d8b1800379f1d128ad4d12a69ed4e0f3c7ec1239f18bb4074af4a4c0061f",
    "2.3.0": "f05d01fa411ed2ec33ac0ba0e204e94ce240164a8023ec74d184b172e46cfa8d",
};

const DOCS = Object.entries(OUTPUTS) as [string, OutputDoc][];

/** The configuration an output's presence depends on beyond the tier ("" for none, as before 2.3.0). */
function conditions(doc: OutputDoc): string {
    const flags: [boolean | undefined, string][] = [
        [doc.onlyWithGuardrail, "guardrail"],
        [doc.onlyWithDrCopy, "drCopy"],
        [doc.onlyWithDirectory, "directory"],
        [doc.onlyWithOidc, "oidc"],
        [doc.onlyWithScim, "scim"],
    ];
    return flags
        .filter(([on]) => on)
        .map(([, name]) => `?${name}`)
        .join("");
}

function fingerprint(): string {
    const lines = DOCS.map(
        ([name, doc]) =>
            `${name}:${doc.type}${doc.tier ? `@${doc.tier}${doc.onlyWithWaf ? "+waf" : ""}` : ""}${conditions(doc)}`,
    ).sort();
    return createHash("sha256").update(lines.join("\n")).digest("hex");
}

type Tier = "single" | "loadBalanced";

/** The identity setup of a stack: a directory (the default), OIDC, SCIM. */
interface IdentitySetup {
    readonly directory: boolean;
    readonly oidc: boolean;
    readonly scim: boolean;
}
const LDAP_ONLY: IdentitySetup = { directory: true, oidc: false, scim: false };

/** The outputs a stack of `tier` publishes, by the contract. */
function outputsOf(tier: Tier, waf: boolean, drCopy = true, identity = LDAP_ONLY): string[] {
    return DOCS.filter(([, doc]) => !doc.tier || (doc.tier === tier && (!doc.onlyWithWaf || waf)))
        .filter(([, doc]) => !doc.onlyWithDrCopy || drCopy)
        .filter(([, doc]) => !doc.onlyWithDirectory || identity.directory)
        .filter(([, doc]) => !doc.onlyWithOidc || identity.oidc)
        .filter(([, doc]) => !doc.onlyWithScim || identity.scim)
        .map(([name]) => name)
        .sort();
}

/** A stack's outputs as its consumers see them: Pulumi stores no output whose value is undefined. */
function published(run: ProgramRun): Record<string, unknown> {
    return Object.fromEntries(Object.entries(run.outputs).filter(([, v]) => v !== undefined));
}

/** The contract's examples as a stack of `tier` would publish them. */
function sample(tier: Tier): Record<string, unknown> {
    return {
        ...Object.fromEntries(
            outputsOf(tier, true).map((name) => [
                name,
                OUTPUTS[name as keyof typeof OUTPUTS].example,
            ]),
        ),
        webTier: tier,
    };
}

const schema = JSON.parse(
    fs.readFileSync(path.join(PROJECT_DIR, "contract/outputs.schema.json"), "utf8"),
);
const validate = new Ajv({ allErrors: true }).compile(schema);

describe("output contract", () => {
    it("names, types and presence match what was published as this contractVersion", () => {
        assert.strictEqual(
            PUBLISHED[CONTRACT_VERSION],
            fingerprint(),
            `the outputs' names, types or presence changed: bump CONTRACT_VERSION (contract/index.ts), add a README changelog line, and publish the new fingerprint ${fingerprint()}`,
        );
    });

    it("the README's changelog has an entry for this version", () => {
        assert.match(
            fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8"),
            new RegExp(
                `### Contract changelog[\\s\\S]*\\*\\*${CONTRACT_VERSION.replace(/\./g, "\\.")}\\*\\*`,
            ),
        );
    });

    it("the committed JSON Schema is the one contract/index.ts describes", () => {
        assert.deepStrictEqual(schema, outputsSchema(), "run npm run docs");
    });

    it("the schema rejects a missing, mistyped or foreign output (so the checks below can fail)", () => {
        for (const tier of ["single", "loadBalanced"] as const) {
            const outputs = sample(tier);
            assert.ok(validate(outputs), `${tier}: ${JSON.stringify(validate.errors)}`);
            const { vpcId: _dropped, ...missing } = outputs;
            assert.ok(!validate(missing), `${tier}: without vpcId`);
            assert.ok(!validate({ ...outputs, dbPort: "5432" }), `${tier}: dbPort as text`);
            assert.ok(!validate({ ...outputs, extra: 1 }), `${tier}: an undeclared output`);
        }
        // A tier's own outputs are required, the other tier's refused; WAF's is optional.
        const { webInstanceId: _instance, ...single } = sample("single");
        assert.ok(!validate(single), "single without webInstanceId");
        assert.ok(!validate({ ...sample("single"), albArn: OUTPUTS.albArn.example }));
        const { redisEndpoint: _redis, ...balanced } = sample("loadBalanced");
        assert.ok(!validate(balanced), "loadBalanced without redisEndpoint");
        assert.ok(!validate({ ...sample("loadBalanced"), webPublicIp: "18.130.10.20" }));
        const { wafAclArn: _waf, ...withoutWaf } = sample("loadBalanced");
        assert.ok(validate(withoutWaf), JSON.stringify(validate.errors));
        assert.ok(!validate({ ...sample("single"), webTier: "cluster" }));
    });
});

forEachStack("output contract", (ctx) => {
    /** The stack's web tier and WAF as its config (not its outputs) says. */
    const configured = () => ({
        tier: ctx.run.config.raw["ai-portal:webTier"] as Tier,
        waf: ctx.run.config.raw["ai-portal:wafEnabled"] === "true",
        drCopy: ctx.run.config.raw["ai-portal:backupCrossRegionCopy"] === "true",
        identity: {
            directory: ctx.run.config.raw["ai-portal:directory"] !== "none",
            oidc: ctx.run.config.raw["ai-portal:authMode"] !== "ldap",
            scim: ctx.run.config.raw["ai-portal:scim"] === "true",
        },
    });

    it("exports exactly the contract's outputs of its web tier", () => {
        const { tier, waf, drCopy, identity } = configured();
        const outputs = published(ctx.run);
        assert.deepStrictEqual(Object.keys(outputs).sort(), outputsOf(tier, waf, drCopy, identity));
        assert.strictEqual(outputs.webTier, tier);
        // index.ts declares every output (its type says so); the other tier's are left undefined.
        assert.deepStrictEqual(Object.keys(ctx.run.outputs).sort(), Object.keys(OUTPUTS).sort());
        const absent =
            tier === "single"
                ? [
                      "albArn",
                      "albDnsName",
                      "albZoneId",
                      "gatewayAutoScalingGroupName",
                      "redisEndpoint",
                      "wafAclArn",
                      "webAutoScalingGroupName",
                  ]
                : ["gatewayInstanceId", "webInstanceId", "webPublicIp"];
        for (const name of absent) {
            assert.ok(!(name in outputs), `${name} in a ${tier} stack`);
        }
    });

    it("every output value fits the committed JSON Schema", () => {
        const outputs = published(ctx.run);
        assert.ok(validate(outputs), JSON.stringify(validate.errors, null, 2));
        assert.strictEqual(outputs.contractVersion, CONTRACT_VERSION);
    });

    it("gatewaySecurityGroupId is the group of what gatewayUrl reaches, listening on its port", () => {
        const { run } = ctx;
        const url = new URL(String(run.outputs.gatewayUrl));
        // `URL` leaves a scheme's default port empty: HTTPS's is 443.
        const port = Number(url.port || { "http:": 80, "https:": 443 }[url.protocol]);
        const group = String(run.outputs.gatewaySecurityGroupId);
        if (configured().tier === "loadBalanced") {
            assert.strictEqual(url.protocol, "https:", "the gateway is called over TLS");
            // The name is an alias record (in the portal's zone) of the internal load balancer.
            const alias = ofType(run, "aws:route53/record:Record").find(
                (r) => r.inputs.name === url.hostname,
            );
            assert.ok(alias, `no record named ${url.hostname}`);
            const lb = ofType(run, "aws:lb/loadBalancer:LoadBalancer").find(
                (r) => r.state.dnsName === alias.inputs.aliases?.[0]?.name,
            );
            assert.ok(lb, `${url.hostname} names no load balancer`);
            assert.strictEqual(lb.inputs.internal, true, "the gateway stays inside the VPC");
            assert.deepStrictEqual(lb.inputs.securityGroups, [group]);
            const listeners = ofType(run, "aws:lb/listener:Listener").filter(
                (l) => l.inputs.loadBalancerArn === lb.state.arn,
            );
            assert.deepStrictEqual(
                listeners.map((l) => l.inputs.port),
                [port],
            );
        } else {
            const host = ofType(run, "aws:ec2/instance:Instance").find(
                (r) => r.state.privateIp === url.hostname,
            );
            assert.ok(host, `no instance at ${url.hostname}`);
            assert.deepStrictEqual(host.inputs.vpcSecurityGroupIds, [group]);
        }
        // Whoever the portal lets call the gateway comes in through this group on this port.
        const ingress = ofType(
            run,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ).filter((rule) => rule.inputs.securityGroupId === group);
        assert.ok(ingress.length > 0);
        for (const rule of ingress) {
            assert.deepStrictEqual([rule.inputs.fromPort, rule.inputs.toPort], [port, port]);
        }
    });

    it("secrets appear as ARNs only, and no output is a secret", () => {
        const { run } = ctx;
        assert.deepStrictEqual(run.secretOutputs, []);
        const outputs = published(run);
        for (const name of Object.keys(OUTPUTS).filter((n) => /Secret/.test(n))) {
            // An output of another identity setup (OIDC's, SCIM's) is absent, not a secret.
            if (name in outputs || !/^(oidc|scim)/.test(name)) {
                assert.match(String(run.outputs[name]), /^arn:aws:secretsmanager:/, name);
            }
        }
    });
});
