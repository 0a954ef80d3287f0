/** The plan's price of the backup plan: warm storage in each region and the copies' transfer. */
import * as assert from "assert";
import { backupStoredGb, CostInput, estimateCost } from "../../plan/cost";

const DB: CostInput = {
    type: "aws:rds/instance:Instance",
    name: "data-postgres",
    custom: true,
    inputs: { instanceClass: "db.t3.medium", allocatedStorage: 20, multiAz: true },
};

function plan(rules: object[]): CostInput {
    return { type: "aws:backup/plan:Plan", name: "backup-plan", custom: true, inputs: { rules } };
}

const DR_VAULT = "arn:aws:backup:eu-west-1:123456789012:backup-vault:ai-portal-prod-backup-dr";

function backupLines(resources: CostInput[]) {
    return estimateCost(resources)
        .lines.filter((l) => l.resource === "backup-plan")
        .map((l) => [l.item, l.quantity, l.unitUsd, l.monthlyUsd]);
}

describe("plan: backup pricing", () => {
    it("keeps a store once plus 2% a daily point and 20% a monthly one beyond the dailies", () => {
        assert.strictEqual(backupStoredGb(20, 35, 365), 78); // 20 x (1 + 0.7 + 11 x 0.2)
        assert.strictEqual(backupStoredGb(20, 7, 0).toFixed(3), "22.800");
    });

    it("prices prod: both stores in eu-west-2 and in eu-west-1, and the daily changes sent there", () => {
        const copy = (days: number) => [
            { destinationVaultArn: DR_VAULT, lifecycle: { deleteAfter: days } },
        ];
        const lines = backupLines([
            DB,
            plan([
                { ruleName: "daily", lifecycle: { deleteAfter: 35 }, copyActions: copy(35) },
                { ruleName: "monthly", lifecycle: { deleteAfter: 365 }, copyActions: copy(365) },
            ]),
        ]);
        const retention = "35 daily, 365 monthly days (assumed)";
        assert.deepStrictEqual(lines, [
            [
                `AWS Backup cross-Region copy transfer to eu-west-1 (assumed daily changes)`,
                24,
                0.02,
                0.48,
            ],
            [
                `AWS Backup warm storage, database (RDS snapshots) copied to eu-west-1, ${retention}`,
                78,
                0.095,
                7.41,
            ],
            [`AWS Backup warm storage, database (RDS snapshots), ${retention}`, 78, 0.1, 7.8],
            [
                `AWS Backup warm storage, uploads (S3 backups) copied to eu-west-1, ${retention}`,
                78,
                0.05,
                3.9,
            ],
            [`AWS Backup warm storage, uploads (S3 backups), ${retention}`, 78, 0.06, 4.68],
        ]);
    });

    it("prices dev: a week of dailies in eu-west-2 only", () => {
        assert.deepStrictEqual(
            backupLines([
                { ...DB, inputs: { ...DB.inputs, multiAz: false } },
                plan([{ ruleName: "daily", lifecycle: { deleteAfter: 7 }, copyActions: [] }]),
            ]),
            [
                [
                    "AWS Backup warm storage, database (RDS snapshots), 7 days (assumed)",
                    22.8,
                    0.1,
                    2.28,
                ],
                [
                    "AWS Backup warm storage, uploads (S3 backups), 7 days (assumed)",
                    22.8,
                    0.06,
                    1.37,
                ],
            ],
        );
    });

    it("reports a copy to a region without prices as unpriced, never as free", () => {
        const estimate = estimateCost([
            DB,
            plan([
                {
                    ruleName: "daily",
                    lifecycle: { deleteAfter: 7 },
                    copyActions: [
                        { destinationVaultArn: DR_VAULT.replace("eu-west-1", "eu-north-1") },
                    ],
                },
            ]),
        ]);
        assert.deepStrictEqual(estimate.unpriced, [
            {
                resource: "backup-plan",
                type: "aws:backup/plan:Plan",
                reason: "no AWS Backup price for eu-north-1",
            },
        ]);
    });
});
