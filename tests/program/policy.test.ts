/**
 * The policy pack over everything dev and prod declare (no violation), and each policy catching a
 * deliberately bad resource.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { portalPolicies } from "../../policy/policies";
import { checkPolicies, withInputs } from "../harness/policy";
import { forEachStack } from "../harness/stacks";
import { DeclaredResource, runStack } from "../../offline/run";
import { PROJECT_DIR } from "../../offline/stackConfig";

forEachStack("policy pack", (ctx) => {
    it("no violation in anything the program declares", async () => {
        assert.deepStrictEqual(await checkPolicies(ctx.run.resources, portalPolicies), []);
    });
});

describe("policy pack: each policy catches a bad resource", () => {
    let prod: readonly DeclaredResource[];
    before(async () => {
        prod = (await runStack("prod")).resources;
    });

    /** The policies that object to the changed resources, and what they say. */
    async function objections(resources: readonly DeclaredResource[]): Promise<string[]> {
        return (await checkPolicies(resources, portalPolicies)).map(
            (v) => `${v.policy}: ${v.message}`,
        );
    }

    const cases: [string, (r: readonly DeclaredResource[]) => DeclaredResource[], RegExp][] = [
        [
            "HTTPS open to the world on the gateway's group",
            (r) =>
                withInputs(r, "sg-gateway-in-tcp8000-web", (i) => ({
                    ...i,
                    referencedSecurityGroupId: undefined,
                    cidrIpv4: "0.0.0.0/0",
                    fromPort: 443,
                    toPort: 443,
                })),
            /^no-world-ingress-except-web-https: sg-gateway-in-tcp8000-web: ports 443-443 are open to the world/,
        ],
        [
            "a world-open non-web port on the web host",
            (r) =>
                withInputs(r, "sg-web-in-tcp443-0-0-0-0-0", (i) => ({
                    ...i,
                    fromPort: 8080,
                    toPort: 8080,
                })),
            /^no-world-ingress-except-web-https: .*8080-8080/,
        ],
        [
            "SSH from the world",
            (r) =>
                withInputs(r, "sg-web-in-tcp80-0-0-0-0-0", (i) => ({
                    ...i,
                    fromPort: 22,
                    toPort: 22,
                })),
            /^no-ssh-from-world: SSH \(22\) is open to 0\.0\.0\.0\/0/,
        ],
        [
            "an inline world ingress on a group",
            (r) =>
                withInputs(r, "sg-gateway", (i) => ({
                    ...i,
                    ingress: [
                        {
                            protocol: "tcp",
                            fromPort: 3000,
                            toPort: 3000,
                            cidrBlocks: ["0.0.0.0/0"],
                        },
                    ],
                })),
            /^security-group-inline-world-ingress: inline ingress 3000-3000/,
        ],
        [
            "an unencrypted, public database with 1 day of backups",
            (r) =>
                withInputs(r, "data-postgres", (i) => ({
                    ...i,
                    storageEncrypted: false,
                    publiclyAccessible: true,
                    backupRetentionPeriod: 1,
                })),
            /^rds-encrypted-private-backed-up: storage is not encrypted/,
        ],
        [
            "a parameter group that does not force TLS",
            (r) =>
                withInputs(r, "data-params", (i) => ({
                    ...i,
                    parameters: i.parameters.filter((p: any) => p.name !== "rds.force_ssl"),
                })),
            /^rds-tls-forced: data-postgres: no parameter group of this stack forces TLS/,
        ],
        [
            "a single-AZ prod database without deletion protection",
            (r) =>
                withInputs(r, "data-postgres", (i) => ({
                    ...i,
                    multiAz: false,
                    deletionProtection: false,
                })),
            /^prod-rds-multi-az-deletion-protection: a production database must be Multi-AZ/,
        ],
        [
            "a host with IMDSv1 and an unencrypted root volume",
            (r) =>
                withInputs(r, "compute-gateway-instance", (i) => ({
                    ...i,
                    metadataOptions: { httpTokens: "optional" },
                    rootBlockDevice: { ...i.rootBlockDevice, encrypted: false },
                })),
            /^ec2-imdsv2-encrypted-no-public-ip: IMDSv2 is not required/,
        ],
        [
            "a public address on the gateway",
            (r) =>
                withInputs(r, "compute-gateway-instance", (i) => ({
                    ...i,
                    associatePublicIpAddress: true,
                })),
            /^ec2-imdsv2-encrypted-no-public-ip: a public IP address on an instance not tagged Exposure=public/,
        ],
        [
            "two exposed instances",
            (r) =>
                withInputs(r, "compute-gateway-instance", (i) => ({
                    ...i,
                    tags: { ...i.tags, Exposure: "public" },
                })),
            /^single-public-instance: 2 instances are exposed/,
        ],
        [
            "an incomplete public access block",
            (r) =>
                withInputs(r, "compute-uploads-public-access", (i) => ({
                    ...i,
                    restrictPublicBuckets: false,
                })),
            /^s3-public-access-block-complete: restrictPublicBuckets is not true/,
        ],
        [
            "a bucket policy that allows plain HTTP",
            (r) =>
                withInputs(r, "compute-uploads-tls-only", (i) => ({
                    ...i,
                    policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
                })),
            /^s3-private-encrypted-tls-only: compute-uploads-bucket: no bucket policy denies requests without TLS/,
        ],
        [
            "a wildcard IAM action",
            (r) =>
                withInputs(r, "compute-web-policy", (i) => ({
                    ...i,
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            { Sid: "Everything", Effect: "Allow", Action: ["s3:*"], Resource: "*" },
                        ],
                    }),
                })),
            /^iam-no-wildcard-actions: statement Everything allows the wildcard action "s3:\*"/,
        ],
        [
            "a log group kept forever",
            (r) => withInputs(r, "compute-web-logs", (i) => ({ ...i, retentionInDays: 0 })),
            /^log-group-retention: no retention/,
        ],
    ];

    for (const [what, change, expected] of cases) {
        it(`catches ${what}`, async () => {
            const found = await objections(change(prod));
            assert.ok(
                found.some((f) => expected.test(f)),
                `expected ${expected}, got ${JSON.stringify(found)}`,
            );
        });
    }

    it("catches a bucket without a public access block or default encryption", async () => {
        const found = await objections(
            prod.filter(
                (r) =>
                    r.name !== "compute-uploads-public-access" &&
                    r.name !== "compute-uploads-encryption",
            ),
        );
        assert.ok(
            found.includes(
                "s3-private-encrypted-tls-only: compute-uploads-bucket: no public access block",
            ),
        );
        assert.ok(
            found.includes(
                "s3-private-encrypted-tls-only: compute-uploads-bucket: no default encryption",
            ),
        );
    });

    it("catches a taggable resource without the project's tags (no default tags on its provider)", async () => {
        const untagged = withInputs(prod, "aws", (i) => ({ ...i, defaultTags: undefined }));
        const found = await objections(untagged);
        assert.ok(
            found.some((f) =>
                /^required-tags: missing tag\(s\) Project, Stack, ManagedBy$/.test(f),
            ),
            JSON.stringify(found.slice(0, 3)),
        );
    });

    it("every policy in the pack has a case above", () => {
        const tested = new Set([
            ...cases.map(([, , expected]) => expected.source.replace(/^\^/, "").split(":")[0]),
            "s3-private-encrypted-tls-only",
            "required-tags",
        ]);
        assert.deepStrictEqual(
            portalPolicies.map((p) => p.name).filter((name) => !tested.has(name)),
            [],
        );
    });

    it("the pack's entry only constructs the PolicyPack (the policies stay importable by tests)", () => {
        const entry = fs.readFileSync(path.join(PROJECT_DIR, "policy/index.ts"), "utf8");
        assert.match(
            entry,
            /new PolicyPack\("ai-portal-guardrails", \{ policies: portalPolicies \}\)/,
        );
        assert.doesNotMatch(
            fs.readFileSync(path.join(PROJECT_DIR, "policy/policies.ts"), "utf8"),
            /new PolicyPack/,
        );
    });
});
