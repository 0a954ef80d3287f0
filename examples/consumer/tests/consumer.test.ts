/**
 * The consumer example under mocks, reading a StackReference that holds what the portal's own
 * stacks publish: dev (single web tier: the gateway host's address) and prod (loadBalanced: its
 * internal load balancer's DNS name), as the portal program exports them, checked against the
 * portal's JSON Schema.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { ofType } from "../../../offline/query";
import { ProgramRun, runProgram, runStack } from "../../../offline/run";

const CONSUMER = path.resolve(__dirname, "..");
const ROOT = path.resolve(CONSUMER, "..", "..");

const PORTAL_STACKS = ["dev", "prod"] as const;
type PortalStack = (typeof PORTAL_STACKS)[number];

/** What a portal stack publishes: Pulumi stores no output whose value is undefined. */
async function portalOutputs(stack: PortalStack): Promise<Record<string, unknown>> {
    const portal = await runStack(stack);
    assert.ifError(portal.error);
    return Object.fromEntries(Object.entries(portal.outputs).filter(([, v]) => v !== undefined));
}

/** The consumer, pointed at a portal stack whose outputs are `outputs`. */
function consume(stack: PortalStack, outputs: Record<string, unknown>): Promise<ProgramRun> {
    const name = `acme/ai-portal/${stack}`;
    return runProgram(
        // Its own Pulumi.dev.yaml names the dev portal; another portal stack by config.
        { stack: "dev", overrides: stack === "dev" ? {} : { portalStack: name } },
        { projectDir: CONSUMER, mocks: { stackOutputs: { [name]: outputs } } },
    );
}

const ingressOf = (r: ProgramRun) =>
    ofType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
const egressOf = (r: ProgramRun) =>
    ofType(r, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");

describe("consumer example", () => {
    it("is fed what the portal's stacks publish, one of each web tier, fitting its schema", async () => {
        const schema = JSON.parse(
            fs.readFileSync(path.join(ROOT, "contract/outputs.schema.json"), "utf8"),
        );
        const validate = new Ajv().compile(schema);
        const tiers: unknown[] = [];
        for (const stack of PORTAL_STACKS) {
            const outputs = await portalOutputs(stack);
            assert.ok(validate(outputs), `${stack}: ${JSON.stringify(validate.errors)}`);
            tiers.push(outputs.webTier);
        }
        assert.deepStrictEqual(tiers, ["single", "loadBalanced"]);
    });

    for (const stack of PORTAL_STACKS) {
        describe(`reading the portal's ${stack} stack`, () => {
            let portal: Record<string, unknown>;
            let r: ProgramRun;
            before(async () => {
                portal = await portalOutputs(stack);
                r = await consume(stack, portal);
                assert.ifError(r.error);
            });

            it("reads the portal stack named in its config", () => {
                assert.deepStrictEqual(
                    ofType(r, "pulumi:pulumi:StackReference").map((ref) => ref.inputs.name),
                    [`acme/ai-portal/${stack}`],
                );
            });

            it("puts its security group in the portal's VPC and lets it into the gateway's port only", () => {
                // dev: the host's own port; prod: HTTPS to the internal load balancer, no port in the URL.
                const port = ({ dev: 8000, prod: 443 } as Record<string, number>)[stack];
                assert.match(
                    String(portal.gatewayUrl),
                    stack === "prod"
                        ? /^https:\/\/[^:/]+\/api\/v1$/
                        : /^http:\/\/[^/]+:8000\/api\/v1$/,
                );
                const sg = ofType(r, "aws:ec2/securityGroup:SecurityGroup")[0];
                assert.strictEqual(sg.inputs.vpcId, portal.vpcId);
                assert.deepStrictEqual(
                    ingressOf(r).map((rule) => [
                        rule.inputs.securityGroupId,
                        rule.inputs.referencedSecurityGroupId,
                        rule.inputs.ipProtocol,
                        rule.inputs.fromPort,
                        rule.inputs.toPort,
                    ]),
                    [[portal.gatewaySecurityGroupId, sg.id, "tcp", port, port]],
                );
                assert.deepStrictEqual(
                    egressOf(r).map((rule) => [
                        rule.inputs.securityGroupId,
                        rule.inputs.referencedSecurityGroupId,
                        rule.inputs.fromPort,
                        rule.inputs.toPort,
                    ]),
                    [[sg.id, portal.gatewaySecurityGroupId, port, port]],
                );
            });

            it("may read the gateway key secret, by ARN, and nothing else", () => {
                const policy = JSON.parse(
                    ofType(r, "aws:iam/rolePolicy:RolePolicy")[0].inputs.policy,
                );
                assert.deepStrictEqual(policy.Statement, [
                    {
                        Sid: "ReadGatewayKey",
                        Effect: "Allow",
                        Action: ["secretsmanager:GetSecretValue"],
                        Resource: [portal.gatewayApiKeySecretArn],
                    },
                ]);
            });
        });
    }

    it("follows the gateway port the portal publishes, behind an address or a DNS name", async () => {
        const prod = await portalOutputs("prod");
        const cases: [string, number][] = [
            ["http://10.0.10.25:9443/api/v1", 9443],
            [
                "http://internal-ai-portal-prod-gateway-1.eu-west-2.elb.amazonaws.com:8443/api/v1",
                8443,
            ],
            // No port in the URL: HTTP's own.
            ["http://internal-ai-portal-prod-gateway-1.eu-west-2.elb.amazonaws.com/api/v1", 80],
            // The load-balanced gateway as the portal publishes it (contract 2.2): HTTPS's own.
            ["https://gateway.portal.example.com/api/v1", 443],
        ];
        for (const [gatewayUrl, port] of cases) {
            const r = await consume("prod", { ...prod, gatewayUrl });
            assert.ifError(r.error);
            assert.deepStrictEqual(
                [...ingressOf(r), ...egressOf(r)].map((rule) => [
                    rule.inputs.fromPort,
                    rule.inputs.toPort,
                ]),
                [
                    [port, port],
                    [port, port],
                ],
                gatewayUrl,
            );
        }
    });

    it("refuses a portal that publishes a contract major it was not written for", async () => {
        const prod = await portalOutputs("prod");
        for (const contractVersion of ["1.1.0", "3.0.0"]) {
            const r = await consume("prod", { ...prod, contractVersion });
            assert.match(
                String(r.error?.message),
                new RegExp(
                    `the portal publishes output contract ${contractVersion.replace(/\./g, "\\.")}; this program needs 2\\.x`,
                ),
            );
            const touched = r.resources.filter((res) => /SecurityGroup|RolePolicy/.test(res.type));
            assert.deepStrictEqual(
                touched.map((res) => res.name),
                [],
                "nothing that uses the portal's outputs is declared",
            );
        }
    });
});
