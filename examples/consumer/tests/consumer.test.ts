/**
 * The consumer example under mocks, reading a StackReference shaped exactly like the portal's
 * contract (its declared examples, checked against the portal's JSON Schema).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { OUTPUTS } from "../../../contract";
import { ofType } from "../../../offline/query";
import { runProgram } from "../../../offline/run";

const CONSUMER = path.resolve(__dirname, "..");
const ROOT = path.resolve(CONSUMER, "..", "..");

/** Portal outputs as the contract describes them. */
function contractOutputs(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        ...Object.fromEntries(Object.entries(OUTPUTS).map(([name, doc]) => [name, doc.example])),
        ...overrides,
    };
}

function run(overrides: Record<string, unknown> = {}) {
    return runProgram(
        { stack: "dev" },
        {
            projectDir: CONSUMER,
            mocks: { stackOutputs: { "acme/ai-portal/dev": contractOutputs(overrides) } },
        },
    );
}

describe("consumer example", () => {
    it("is fed outputs that satisfy the portal's published schema", () => {
        const schema = JSON.parse(
            fs.readFileSync(path.join(ROOT, "contract/outputs.schema.json"), "utf8"),
        );
        const validate = new Ajv().compile(schema);
        assert.ok(validate(contractOutputs()), JSON.stringify(validate.errors));
    });

    it("reads the portal stack named in its own config", async () => {
        const r = await run();
        assert.ifError(r.error);
        const refs = ofType(r, "pulumi:pulumi:StackReference");
        assert.deepStrictEqual(
            refs.map((ref) => ref.inputs.name),
            ["acme/ai-portal/dev"],
        );
    });

    it("puts its security group in the portal's VPC and lets it into the gateway port only", async () => {
        const r = await run();
        const sg = ofType(r, "aws:ec2/securityGroup:SecurityGroup")[0];
        assert.strictEqual(sg.inputs.vpcId, OUTPUTS.vpcId.example);
        const ingress = ofType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepStrictEqual(
            ingress.map((rule) => [
                rule.inputs.securityGroupId,
                rule.inputs.referencedSecurityGroupId,
                rule.inputs.fromPort,
                rule.inputs.toPort,
            ]),
            [[OUTPUTS.gatewaySecurityGroupId.example, sg.id, 8000, 8000]],
        );
        const egress = ofType(r, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");
        assert.deepStrictEqual(
            egress.map((rule) => [
                rule.inputs.securityGroupId,
                rule.inputs.referencedSecurityGroupId,
                rule.inputs.fromPort,
            ]),
            [[sg.id, OUTPUTS.gatewaySecurityGroupId.example, 8000]],
        );
    });

    it("follows the gateway port the portal publishes", async () => {
        const r = await run({ gatewayUrl: "http://10.0.10.25:9443/api/v1" });
        assert.strictEqual(
            ofType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")[0].inputs
                .fromPort,
            9443,
        );
    });

    it("may read the gateway key secret, by ARN, and nothing else", async () => {
        const r = await run();
        const policy = JSON.parse(ofType(r, "aws:iam/rolePolicy:RolePolicy")[0].inputs.policy);
        assert.deepStrictEqual(policy.Statement, [
            {
                Sid: "ReadGatewayKey",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: [OUTPUTS.gatewayApiKeySecretArn.example],
            },
        ]);
    });

    it("refuses a portal that publishes a contract major it was not written for", async () => {
        const r = await run({ contractVersion: "2.0.0" });
        assert.match(
            String(r.error?.message),
            /the portal publishes output contract 2\.0\.0; this program needs 1\.x/,
        );
        const touched = r.resources.filter((res) => /SecurityGroup|RolePolicy/.test(res.type));
        assert.deepStrictEqual(
            touched.map((res) => res.name),
            [],
            "nothing that uses the portal's outputs is declared",
        );
    });
});
