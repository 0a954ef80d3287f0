/**
 * The pack's AI-governance rules (policy/governance.ts) over real program runs and changed copies
 * of them: a production stack without an enforced guardrail, or with Open WebUI's audit log off,
 * is a violation; a production stack whose guardrail the account settings' owner enforces is not;
 * development stacks are not judged. Exact messages, pass and fail cases.
 */
import * as assert from "assert";
import { ENFORCED_BY_TAG } from "../../lib/guardrailTag";
import { DeclaredResource, ProgramRun, runProgram, runStack } from "../../offline/run";
import { prodAuditTrail, prodGuardrailEnforced } from "../../policy/governance";
import { portalPolicies } from "../../policy/policies";
import { checkPolicies, Violation, withInputs } from "../harness/policy";

const RULES = [prodGuardrailEnforced, prodAuditTrail];

/** What the two rules say, as "policy: message". */
async function findings(resources: readonly DeclaredResource[]): Promise<string[]> {
    return (await checkPolicies(resources, RULES)).map(
        (v: Violation) => `${v.policy}: ${v.message}`,
    );
}

function without(run: ProgramRun, type: string): DeclaredResource[] {
    return run.resources.filter((r) => r.type !== type);
}

const T = {
    guardrail: "aws:bedrock/guardrail:Guardrail",
    version: "aws:bedrock/guardrailVersion:GuardrailVersion",
    enforcement: "aws-native:bedrock:EnforcedGuardrailConfiguration",
    template: "aws:ec2/launchTemplate:LaunchTemplate",
    instance: "aws:ec2/instance:Instance",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    inferenceProfile: "aws:bedrock/inferenceProfile:InferenceProfile",
};

/** The web launch template's user data with its AUDIT_LOG_LEVEL line replaced (or removed: null). */
function withAuditLevel(run: ProgramRun, level: string | null): DeclaredResource[] {
    return withInputs(run.resources, "compute-web-template", (inputs) => {
        const text = Buffer.from(inputs.userData, "base64").toString("utf8");
        assert.match(text, /^AUDIT_LOG_LEVEL=METADATA$/m);
        const changed = text.replace(
            /^AUDIT_LOG_LEVEL=METADATA\n/m,
            level === null ? "" : `AUDIT_LOG_LEVEL=${level}\n`,
        );
        return { ...inputs, userData: Buffer.from(changed, "utf8").toString("base64") };
    });
}

describe("policy: AI governance on the committed stacks", () => {
    let prod: ProgramRun;
    let dev: ProgramRun;

    before(async () => {
        prod = await runStack("prod");
        dev = await runStack("dev");
        assert.ifError(prod.error);
        assert.ifError(dev.error);
    });

    it("prod (the owner, enforcing its guardrail on every model, audit at METADATA) and dev pass the whole pack's two rules", async () => {
        assert.deepStrictEqual(await findings(prod.resources), []);
        assert.deepStrictEqual(await findings(dev.resources), []);
    });

    it("prod without a guardrail", async () => {
        assert.deepStrictEqual(
            await findings(
                without(prod, T.guardrail).filter(
                    (r) => r.type !== T.version && r.type !== T.enforcement,
                ),
            ),
            [
                "prod-guardrail-enforced: no Bedrock guardrail: a production stack's Bedrock calls must pass one (config guardrail: on)",
            ],
        );
    });

    it("prod without a published version", async () => {
        assert.deepStrictEqual(
            await findings(without(prod, T.version).filter((r) => r.type !== T.enforcement)),
            [
                "prod-guardrail-enforced: guardrail-guardrail: no published version (an enforcement takes a numbered version, not the draft)",
            ],
        );
    });

    it("prod, the owner, without the enforcement", async () => {
        assert.deepStrictEqual(await findings(without(prod, T.enforcement)), [
            "prod-guardrail-enforced: guardrail-guardrail: not enforced: this stack owns the account's settings (GuardrailEnforcedBy: prod) but no enforced guardrail configuration uses a published version of it",
        ]);
    });

    it("prod enforcing a guardrail that is not its own (the enforcement computed from something else)", async () => {
        const resources = prod.resources.map((r) =>
            r.type === T.enforcement
                ? {
                      ...r,
                      propertyDependencies: { ...r.propertyDependencies, guardrailIdentifier: [] },
                  }
                : r,
        );
        assert.deepStrictEqual(await findings(resources), [
            "prod-guardrail-enforced: guardrail-guardrail: not enforced: this stack owns the account's settings (GuardrailEnforcedBy: prod) but no enforced guardrail configuration uses a published version of it",
        ]);
    });

    it("prod enforcing on some models only", async () => {
        const resources = withInputs(prod.resources, "guardrail-enforcement", (inputs) => ({
            ...inputs,
            modelEnforcement: {
                includedModels: ["anthropic.claude-sonnet-4-20250514-v1:0"],
                excludedModels: [],
            },
        }));
        assert.deepStrictEqual(await findings(resources), [
            'prod-guardrail-enforced: guardrail-enforcement: enforced on some models only (included ["anthropic.claude-sonnet-4-20250514-v1:0"], excluded []), but the gateway may call any model',
        ]);
        const excluding = withInputs(prod.resources, "guardrail-enforcement", (inputs) => ({
            ...inputs,
            modelEnforcement: { includedModels: ["ALL"], excludedModels: ["amazon.nova-pro-v1:0"] },
        }));
        assert.deepStrictEqual(await findings(excluding), [
            'prod-guardrail-enforced: guardrail-enforcement: enforced on some models only (included ["ALL"], excluded ["amazon.nova-pro-v1:0"]), but the gateway may call any model',
        ]);
    });

    it("prod's guardrail without the tag naming the enforcing stack", async () => {
        const resources = withInputs(prod.resources, "guardrail-guardrail", (inputs) => ({
            ...inputs,
            tags: { Name: inputs.tags.Name },
        }));
        assert.deepStrictEqual(await findings(resources), [
            "prod-guardrail-enforced: guardrail-guardrail: no GuardrailEnforcedBy tag: nothing says which stack's guardrail the account enforces",
        ]);
    });

    it("prod with the audit log off, or not set (upstream's NONE), on its web hosts", async () => {
        assert.deepStrictEqual(await findings(withAuditLevel(prod, "NONE")), [
            "prod-audit-trail: compute-web-template: Open WebUI's audit log is off (AUDIT_LOG_LEVEL NONE); set auditLogLevel to METADATA",
        ]);
        assert.deepStrictEqual(await findings(withAuditLevel(prod, null)), [
            "prod-audit-trail: compute-web-template: Open WebUI's audit log is off (AUDIT_LOG_LEVEL not set: upstream's default is NONE); set auditLogLevel to METADATA",
        ]);
        assert.deepStrictEqual(await findings(withAuditLevel(prod, "REQUEST_RESPONSE")), []);
    });

    it("prod without the audit log group", async () => {
        const resources = prod.resources.filter(
            (r) => !(r.type === T.logGroup && r.inputs.name === "/ai-portal-prod/audit"),
        );
        assert.deepStrictEqual(await findings(resources), [
            "prod-audit-trail: no audit log group (/<prefix>/audit): Open WebUI's audit trail is not kept",
        ]);
    });

    it("dev is not judged: no guardrail, no version, audit off are all fine there", async () => {
        const resources = withInputs(
            dev.resources.filter(
                (r) =>
                    ![T.guardrail, T.version, T.enforcement].includes(r.type) &&
                    !(r.type === T.logGroup && r.inputs.name === "/ai-portal-dev/audit"),
            ),
            "compute-web-instance",
            (inputs) => ({
                ...inputs,
                userData: String(inputs.userData).replace(
                    /^AUDIT_LOG_LEVEL=METADATA$/m,
                    "AUDIT_LOG_LEVEL=NONE",
                ),
            }),
        );
        assert.deepStrictEqual(await findings(resources), []);
    });
});

describe("policy: AI governance, what is judged", () => {
    it("a production stack that calls no Bedrock (no inference profile, no guardrail) is not the portal: not judged", async () => {
        const prod = await runStack("prod");
        const resources = prod.resources.filter(
            (r) =>
                ![T.guardrail, T.version, T.enforcement, T.inferenceProfile].includes(r.type) &&
                !(r.type === T.logGroup && r.inputs.name === "/ai-portal-prod/audit"),
        );
        assert.deepStrictEqual(await findings(resources), []);
        // The profile alone makes it the portal again.
        const profile = prod.resources.filter((r) => r.type === T.inferenceProfile);
        assert.strictEqual(profile.length, 1);
        assert.deepStrictEqual(await findings([...resources, ...profile]), [
            "prod-guardrail-enforced: no Bedrock guardrail: a production stack's Bedrock calls must pass one (config guardrail: on)",
            "prod-audit-trail: no audit log group (/<prefix>/audit): Open WebUI's audit trail is not kept",
        ]);
    });
});

describe("policy: AI governance on a production stack that does not own the account's settings", () => {
    it("its guardrail tagged with the owner's name passes without an enforcement of its own; the whole pack finds nothing new", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { accountSettingsStack: "prod-shared" },
        });
        assert.ifError(run.error);
        const guardrail = run.resources.find((r) => r.type === T.guardrail)!;
        assert.strictEqual(guardrail.inputs.tags[ENFORCED_BY_TAG], "prod-shared");
        assert.deepStrictEqual(
            run.resources.filter((r) => r.type === T.enforcement),
            [],
        );
        assert.deepStrictEqual(await findings(run.resources), []);
        assert.deepStrictEqual(
            (await checkPolicies(run.resources, portalPolicies)).filter((v) =>
                ["prod-guardrail-enforced", "prod-audit-trail"].includes(v.policy),
            ),
            [],
        );
    });
});
