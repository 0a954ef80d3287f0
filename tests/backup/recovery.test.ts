/** The backup plan's rules and the RPO/RTO figures, as pure functions of the configuration. */
import * as assert from "assert";
import { parseWorkingHours, WorkingHours } from "../../config/governance";
import {
    drCopyAgeMinutes,
    formatMinutes,
    recoveryObjectives,
    recoveryOutput,
} from "../../backup/recovery";
import { backupRules, longestBackupGapHours } from "../../backup/rules";

const DEV_HOURS = parseWorkingHours("Mon-Fri 07:00-19:00 Europe/London") as WorkingHours;

describe("backup rules", () => {
    it("backs an always-on stack up daily at 05:00 UTC and monthly on the 1st", () => {
        assert.deepStrictEqual(backupRules({ dailyRetentionDays: 35, monthlyRetentionDays: 365 }), [
            { name: "daily", schedule: "cron(0 5 ? * * *)", timeZone: "UTC", retentionDays: 35 },
            { name: "monthly", schedule: "cron(0 5 1 * ? *)", timeZone: "UTC", retentionDays: 365 },
        ]);
    });

    it("backs a sleeping stack up an hour after it wakes, on working days, with no monthly rule at 0", () => {
        assert.deepStrictEqual(
            backupRules({ dailyRetentionDays: 7, monthlyRetentionDays: 0 }, DEV_HOURS),
            [
                {
                    name: "daily",
                    schedule: "cron(0 8 ? * MON,TUE,WED,THU,FRI *)",
                    timeZone: "Europe/London",
                    retentionDays: 7,
                },
            ],
        );
        assert.strictEqual(
            backupRules({ dailyRetentionDays: 7, monthlyRetentionDays: 90 }, DEV_HOURS)[1].schedule,
            "cron(0 8 ? * MON#1 *)",
        );
    });

    it("measures the longest gap between backups: a day, or Friday to Monday", () => {
        assert.strictEqual(longestBackupGapHours(), 24);
        assert.strictEqual(longestBackupGapHours(DEV_HOURS), 72);
        const weekends = parseWorkingHours("Sat,Sun 09:00-17:00 UTC") as WorkingHours;
        assert.strictEqual(longestBackupGapHours(weekends), 144);
    });
});

describe("recovery objectives", () => {
    it("states prod's figures: PITR for the database, versioning for uploads, the DR copy's age off-site", () => {
        const figures = recoveryObjectives({
            backup: { crossRegionCopy: true, drRegion: "eu-west-1" },
            multiAz: true,
        });
        // 24 h between backups + 60 min start + 180 min completion + 60 min copy = 1,740 min.
        assert.strictEqual(drCopyAgeMinutes(), 1740);
        assert.deepStrictEqual(recoveryOutput(figures), [
            "database/in-region rpo=5 rto=40",
            "database/region-loss rpo=1740 rto=none",
            "uploads/in-region rpo=0 rto=60",
            "uploads/region-loss rpo=15 rto=none",
            "directory/in-region rpo=1440 rto=30",
            "directory/region-loss rpo=none rto=none",
        ]);
        assert.match(figures[1].basis, /the newest copy in eu-west-1/);
        assert.match(figures[3].basis, /the live replica in eu-west-1/);
    });

    it("states dev's: a single-AZ restore, and nothing off-site without the copy", () => {
        const figures = recoveryObjectives({
            backup: { crossRegionCopy: false, drRegion: "eu-west-1" },
            multiAz: false,
            workingHours: DEV_HOURS,
        });
        assert.deepStrictEqual(recoveryOutput(figures), [
            "database/in-region rpo=5 rto=30",
            "database/region-loss rpo=none rto=none",
            "uploads/in-region rpo=0 rto=60",
            "uploads/region-loss rpo=none rto=none",
            "directory/in-region rpo=1440 rto=30",
            "directory/region-loss rpo=none rto=none",
        ]);
        assert.match(figures[1].basis, /backupCrossRegionCopy is off/);
        // With the copy, a stack that sleeps over the weekend: 72 h + 5 h.
        assert.strictEqual(drCopyAgeMinutes(DEV_HOURS), 72 * 60 + 300);
    });

    it("formats minutes for people", () => {
        assert.deepStrictEqual(
            [5, 60, 90, 1740, 4620, undefined].map((m) => formatMinutes(m)),
            ["5 min", "1 h", "1 h 30 min", "1 d 5 h", "3 d 5 h", "none"],
        );
    });
});
