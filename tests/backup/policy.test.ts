/**
 * What the policy pack says about backups: a production vault must be under a key of the stack,
 * and AWS Backup's role, which AWS Backup assumes only when this account passes it, needs no
 * source condition while any other service principal still does.
 */
import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { objections } from "../harness/policy";

const TRUST = (service: string) =>
    JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });

describe("policy pack: backups", () => {
    it("catches a production vault under AWS Backup's AWS-managed key, not one under the stack's", async () => {
        const found = await objections(
            (opts) => {
                const key = new aws.kms.Key("backup-key", { enableKeyRotation: true }, opts);
                new aws.backup.Vault("keyed-vault", { name: "keyed", kmsKeyArn: key.arn }, opts);
                new aws.backup.Vault("plain-vault", { name: "plain" }, opts);
            },
            { stack: "prod" },
        );
        assert.deepStrictEqual(
            found.filter((f) => f.startsWith("prod-data-customer-managed-key")),
            [
                "prod-data-customer-managed-key: plain-vault: its recovery points is not under a customer-managed KMS key of this stack (kmsKeyArn: the AWS-managed key); set encryptionKey: customer-managed",
            ],
        );
    });

    it("lets AWS Backup's role trust backup.amazonaws.com alone, and still catches another service so trusted", async () => {
        const found = await objections((opts) => {
            new aws.iam.Role(
                "backup-role",
                { assumeRolePolicy: TRUST("backup.amazonaws.com") },
                opts,
            );
            new aws.iam.Role("s3-role", { assumeRolePolicy: TRUST("s3.amazonaws.com") }, opts);
        });
        assert.deepStrictEqual(
            found
                .filter((f) => f.startsWith("iam-trust-no-confused-deputy"))
                .map((f) => f.split(":")[1].trim()),
            ["s3-role"],
        );
    });
});
