/**
 * The backup keys on their own (config/backup.ts): defaults, and every wrong value named with its
 * key, value and what is allowed. No Pulumi runtime.
 */
import * as assert from "assert";
import { BACKUP_SPEC, BackupConfig, lockBounds, readBackup } from "../../config/backup";
import { ConfigProblem, ConfigReader } from "../../config/reader";
import { keyTypes } from "../../config/spec";

/** The Pulumi.yaml defaults of the backup keys, with `changes` over them. */
function read(
    changes: Record<string, string>,
    stack = "dev",
): { config?: BackupConfig; problems: readonly ConfigProblem[] } {
    const raw: Record<string, string> = {};
    for (const [key, spec] of Object.entries(BACKUP_SPEC)) {
        raw[`ai-portal:${key}`] = String(spec.default);
    }
    for (const [key, value] of Object.entries(changes)) {
        raw[`ai-portal:${key}`] = value;
    }
    const reader = new ConfigReader(raw, "ai-portal", keyTypes(BACKUP_SPEC));
    const config = readBackup(reader, stack);
    return { config, problems: reader.problems };
}

function onlyProblem(changes: Record<string, string>, stack = "dev"): ConfigProblem {
    const { config, problems } = read(changes, stack);
    assert.strictEqual(config, undefined);
    assert.strictEqual(problems.length, 1, JSON.stringify(problems));
    return problems[0];
}

describe("backup config", () => {
    it("defaults to prod's plan: 35 daily days, 365 monthly, copied to eu-west-1, governance lock", () => {
        assert.deepStrictEqual(read({}, "prod").config, {
            dailyRetentionDays: 35,
            monthlyRetentionDays: 365,
            drRegion: "eu-west-1",
            crossRegionCopy: true,
            vaultLock: "governance",
        });
    });

    it("locks each vault between the daily and the longest retention", () => {
        assert.deepStrictEqual(lockBounds({ dailyRetentionDays: 35, monthlyRetentionDays: 365 }), {
            minRetentionDays: 35,
            maxRetentionDays: 365,
        });
        assert.deepStrictEqual(lockBounds({ dailyRetentionDays: 7, monthlyRetentionDays: 0 }), {
            minRetentionDays: 7,
            maxRetentionDays: 7,
        });
    });

    it("refuses the portal's own region as the DR region", () => {
        const p = onlyProblem({ drRegion: "eu-west-2" });
        assert.strictEqual(p.key, "ai-portal:drRegion");
        assert.strictEqual(p.value, "eu-west-2");
        assert.match(p.reason, /does not survive the region's loss/);
        assert.match(p.allowed, /^an EU region other than eu-west-2: eu-west-1, eu-west-3/);
    });

    it("refuses a region outside the EU", () => {
        const p = onlyProblem({ drRegion: "us-east-1" });
        assert.strictEqual(p.key, "ai-portal:drRegion");
        assert.match(p.reason, /not an EU region/);
    });

    it("refuses daily retention under a week and monthly no longer than daily", () => {
        assert.strictEqual(
            onlyProblem({ backupDailyRetentionDays: "3" }).key,
            "ai-portal:backupDailyRetentionDays",
        );
        const p = onlyProblem({ backupDailyRetentionDays: "35", backupMonthlyRetentionDays: "30" });
        assert.strictEqual(p.key, "ai-portal:backupMonthlyRetentionDays");
        assert.strictEqual(p.allowed, "0, or more than 35");
    });

    it("refuses an unknown lock mode", () => {
        const p = onlyProblem({ backupVaultLock: "strict" });
        assert.strictEqual(p.key, "ai-portal:backupVaultLock");
        assert.strictEqual(p.allowed, '"off" or "governance" or "compliance"');
    });

    it("requires a production stack to lock its vaults and copy them off-site, both reported at once", () => {
        const { config, problems } = read(
            { backupVaultLock: "off", backupCrossRegionCopy: "false" },
            "prod",
        );
        assert.strictEqual(config, undefined);
        assert.deepStrictEqual(
            problems.map((p) => [p.key, p.value, p.allowed]),
            [
                ["ai-portal:backupVaultLock", "off", '"governance" or "compliance"'],
                ["ai-portal:backupCrossRegionCopy", "false", "true"],
            ],
        );
        // dev may do without either
        assert.ok(read({ backupVaultLock: "off", backupCrossRegionCopy: "false" }).config);
    });

    it("turns a compliance lock on only when confirmed with the stack and the retention bounds", () => {
        const p = onlyProblem({ backupVaultLock: "compliance" }, "prod");
        assert.strictEqual(p.key, "ai-portal:backupComplianceLockConfirmed");
        assert.strictEqual(p.allowed, '"prod 35-365"');
        assert.match(p.reason, /can NEVER be lifted/);
        const wrong = onlyProblem(
            { backupVaultLock: "compliance", backupComplianceLockConfirmed: "prod 35-730" },
            "prod",
        );
        assert.strictEqual(wrong.value, "prod 35-730");
        assert.strictEqual(
            read(
                { backupVaultLock: "compliance", backupComplianceLockConfirmed: "prod 35-365" },
                "prod",
            ).config?.vaultLock,
            "compliance",
        );
    });

    it("refuses a compliance confirmation left behind without a compliance lock", () => {
        const p = onlyProblem({ backupComplianceLockConfirmed: "prod 35-365" }, "prod");
        assert.strictEqual(p.key, "ai-portal:backupComplianceLockConfirmed");
        assert.match(p.reason, /backupVaultLock is "governance"/);
    });
});
