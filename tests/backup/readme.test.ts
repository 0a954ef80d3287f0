/** The README's RPO/RTO table states what backup/recovery.ts computes from the stack files. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { formatMinutes, recoveryObjectives } from "../../backup/recovery";
import { parseWorkingHours, WorkingHours } from "../../config/governance";

const ROOT = path.join(__dirname, "..", "..");

/** The figures for a committed stack, from its stack file over Pulumi.yaml's defaults. */
function figures(stack: "dev" | "prod") {
    const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as any;
    const file = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as any;
    const value = (key: string) => file.config[`ai-portal:${key}`] ?? project.config[key].default;
    const schedule = value("schedule");
    return recoveryObjectives({
        backup: { crossRegionCopy: value("backupCrossRegionCopy"), drRegion: value("drRegion") },
        multiAz: value("dbMultiAz"),
        workingHours: schedule ? (parseWorkingHours(schedule) as WorkingHours) : undefined,
    });
}

describe("README: RPO and RTO", () => {
    it("has one row per store and scenario with prod's and dev's computed figures", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const [prod, dev] = [figures("prod"), figures("dev")];
        prod.forEach((p, i) => {
            const d = dev[i];
            const cells = [
                p.store,
                p.scenario,
                formatMinutes(p.rpoMinutes),
                formatMinutes(p.rtoMinutes),
                formatMinutes(d.rpoMinutes),
                formatMinutes(d.rtoMinutes),
            ];
            const row = `| ${cells.join(" | ")} |`;
            assert.ok(readme.includes(row), `README lacks the row ${row}`);
        });
    });
});
