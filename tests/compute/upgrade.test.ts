/**
 * Open WebUI upgrades (compute/upgrade.ts): an image change never lets two Open WebUI versions
 * serve against one database, and a snapshot named after the new image's digest exists before
 * any host of it starts. Asserted on what each committed stack declares, before and after a
 * digest bump and a configuration-only change: a new `replacementTrigger` value is what makes
 * Pulumi replace a resource, and `deleteBeforeReplace` what deletes the old one first.
 */
import * as assert from "assert";
import {
    DB_SNAPSHOT_IDENTIFIER,
    imageDigest,
    preUpgradeSnapshotIdentifier,
} from "../../compute/upgrade";
import { DeclaredResource, ProgramRun, runProgram, runStack } from "../../offline/run";
import { named } from "../harness/query";

const T = {
    snapshot: "aws:rds/snapshot:Snapshot",
    randomId: "random:index/randomId:RandomId",
    group: "aws:autoscaling/group:Group",
    instance: "aws:ec2/instance:Instance",
    database: "aws:rds/instance:Instance",
    template: "aws:ec2/launchTemplate:LaunchTemplate",
};

const PROD_DIGEST = "sha256:72c0ba641ba75e7aa52655cb242570906ececd09b1140fb736483038a22b3228";
const BUMPED_DIGEST = `sha256:${"9".repeat(64)}`;
const BUMPED_IMAGE = `ghcr.io/open-webui/open-webui:v0.11.1@${BUMPED_DIGEST}`;

describe("pre-upgrade snapshot identifiers (pure)", () => {
    it("takes the digest of a reference pinned by digest, and refuses one by tag only", () => {
        assert.strictEqual(
            imageDigest(`ghcr.io/open-webui/open-webui@${PROD_DIGEST}`),
            PROD_DIGEST,
        );
        assert.throws(
            () => imageDigest("ghcr.io/open-webui/open-webui:v0.11.0"),
            /not an image pinned by digest \(repository@sha256:\.\.\.\): ghcr\.io\/open-webui\/open-webui:v0\.11\.0/,
        );
    });

    it("names the snapshot after the instance, 12 hex digits of the digest and the suffix", () => {
        assert.strictEqual(
            preUpgradeSnapshotIdentifier(
                "ai-portal-prod-postgres",
                `ghcr.io/open-webui/open-webui@${PROD_DIGEST}`,
                "1a2b3c4d",
            ),
            "ai-portal-prod-postgres-pre-72c0ba641ba7-1a2b3c4d",
        );
    });

    it("holds to RDS's DBSnapshotIdentifier rule (letters, digits, hyphens; letter first; no trailing or double hyphen; 255 at most)", () => {
        for (const good of [
            "a",
            "ai-portal-prod-postgres-pre-72c0ba641ba7-1a2b3c4d",
            "a".repeat(255),
        ]) {
            assert.ok(DB_SNAPSHOT_IDENTIFIER.test(good), good);
        }
        for (const bad of ["", "1abc", "abc-", "a--b", "a_b", "a".repeat(256)]) {
            assert.ok(!DB_SNAPSHOT_IDENTIFIER.test(bad), bad);
        }
        assert.throws(
            () =>
                preUpgradeSnapshotIdentifier(
                    "x".repeat(240),
                    `ghcr.io/open-webui/open-webui@${PROD_DIGEST}`,
                    "1a2b3c4d",
                ),
            /RDS takes 1-255 letters, digits or hyphens/,
        );
    });
});

function webGroup(run: ProgramRun): DeclaredResource {
    return named(run, T.group, "compute-web-group");
}

function snapshot(run: ProgramRun): DeclaredResource {
    return named(run, T.snapshot, "compute-web-pre-upgrade");
}

describe("upgrades in the load-balanced tier (prod)", () => {
    let base: ProgramRun;
    let bumped: ProgramRun;
    let configOnly: ProgramRun;
    before(async () => {
        base = await runStack("prod");
        bumped = await runProgram({ stack: "prod", overrides: { openWebUiImage: BUMPED_IMAGE } });
        // A change of the hosts' definition that keeps the image: a larger instance type.
        configOnly = await runProgram({
            stack: "prod",
            overrides: { webInstanceType: "t3.xlarge" },
        });
        for (const run of [base, bumped, configOnly]) {
            assert.ifError(run.error);
        }
    });

    it("snapshots the database, under the image digest's name, before the web fleet exists, and keeps it when Pulumi lets go of it", () => {
        const s = snapshot(base);
        const suffix = named(base, T.randomId, "compute-web-pre-upgrade-suffix");
        assert.strictEqual(s.inputs.dbInstanceIdentifier, "ai-portal-prod-postgres");
        assert.strictEqual(
            s.inputs.dbSnapshotIdentifier,
            `ai-portal-prod-postgres-pre-72c0ba641ba7-${suffix.state.hex}`,
        );
        assert.match(String(s.inputs.dbSnapshotIdentifier), DB_SNAPSHOT_IDENTIFIER);
        assert.deepStrictEqual(s.inputs.tags, {
            Name: "ai-portal-prod-pre-upgrade",
            OpenWebUiImage: `ghcr.io/open-webui/open-webui@${PROD_DIGEST}`,
        });
        assert.strictEqual(s.retainOnDelete, true);
        assert.strictEqual(s.protect, false);
        // Of the instance once it exists: its identifier comes from the instance's outputs.
        assert.deepStrictEqual(s.propertyDependencies.dbInstanceIdentifier, [
            named(base, T.database, "data-postgres").urn,
        ]);
        // The suffix is made with the digest: a rollback to an earlier image gets a new name.
        assert.deepStrictEqual(suffix.inputs.keepers, { openWebUiDigest: PROD_DIGEST });
        assert.ok(webGroup(base).dependencies.includes(s.urn), "the web group waits for it");
        assert.strictEqual(
            base.outputs.preUpgradeSnapshotIdentifier,
            s.inputs.dbSnapshotIdentifier,
        );
    });

    it("replaces the web fleet whole on an image change: the old group drained and deleted before the new one is created", () => {
        const group = webGroup(base);
        assert.strictEqual(group.replacementTrigger, PROD_DIGEST);
        assert.strictEqual(group.deleteBeforeReplace, true);
        // Deleting waits for the hosts to terminate (forceDelete off).
        assert.strictEqual(group.inputs.forceDelete, false);
        const after = webGroup(bumped);
        assert.strictEqual(after.urn, group.urn);
        assert.strictEqual(after.replacementTrigger, BUMPED_DIGEST);
        assert.strictEqual(after.deleteBeforeReplace, true);
        assert.strictEqual(after.inputs.forceDelete, false);
    });

    it("takes a new snapshot named after the new digest, before the new fleet", () => {
        const s = snapshot(bumped);
        assert.match(
            String(s.inputs.dbSnapshotIdentifier),
            /^ai-portal-prod-postgres-pre-999999999999-[0-9a-f]{8}$/,
        );
        assert.notStrictEqual(
            s.inputs.dbSnapshotIdentifier,
            snapshot(base).inputs.dbSnapshotIdentifier,
        );
        assert.strictEqual(
            s.inputs.tags.OpenWebUiImage,
            `ghcr.io/open-webui/open-webui@${BUMPED_DIGEST}`,
        );
        assert.deepStrictEqual(
            named(bumped, T.randomId, "compute-web-pre-upgrade-suffix").inputs.keepers,
            { openWebUiDigest: BUMPED_DIGEST },
        );
        assert.ok(webGroup(bumped).dependencies.includes(s.urn));
        assert.strictEqual(s.retainOnDelete, true);
    });

    it("rolls a configuration-only change by instance refresh, half the hosts in service, with the same snapshot", () => {
        const before = webGroup(base);
        const after = webGroup(configOnly);
        assert.notStrictEqual(
            named(configOnly, T.template, "compute-web-template").inputs.instanceType,
            named(base, T.template, "compute-web-template").inputs.instanceType,
        );
        assert.strictEqual(after.replacementTrigger, before.replacementTrigger);
        assert.deepStrictEqual(after.inputs.instanceRefresh, {
            strategy: "Rolling",
            preferences: { minHealthyPercentage: 50, instanceWarmup: "900" },
        });
        assert.strictEqual(
            snapshot(configOnly).inputs.dbSnapshotIdentifier,
            snapshot(base).inputs.dbSnapshotIdentifier,
        );
    });

    it("leaves the gateway fleet rolling on every change (it holds no Open WebUI schema)", () => {
        const gateway = named(base, T.group, "compute-gateway-group");
        assert.strictEqual(gateway.replacementTrigger, undefined);
        assert.strictEqual(gateway.deleteBeforeReplace, false);
        assert.strictEqual(gateway.inputs.instanceRefresh.preferences.minHealthyPercentage, 50);
    });
});

describe("upgrades in the single tier (dev)", () => {
    let base: ProgramRun;
    let bumped: ProgramRun;
    before(async () => {
        base = await runStack("dev");
        bumped = await runProgram({ stack: "dev", overrides: { openWebUiImage: BUMPED_IMAGE } });
        assert.ifError(base.error);
        assert.ifError(bumped.error);
    });

    it("snapshots the database before the web host starts, under the image digest's name", () => {
        const s = snapshot(base);
        const host = named(base, T.instance, "compute-web-instance");
        assert.strictEqual(s.inputs.dbInstanceIdentifier, "ai-portal-dev-postgres");
        assert.match(
            String(s.inputs.dbSnapshotIdentifier),
            new RegExp(
                `^ai-portal-dev-postgres-pre-${imageDigest(String(base.outputs.openWebUiImage)).slice(7, 19)}-[0-9a-f]{8}$`,
            ),
        );
        assert.strictEqual(s.retainOnDelete, true);
        assert.ok(host.dependencies.includes(s.urn), "the web host waits for it");
        assert.strictEqual(
            base.outputs.preUpgradeSnapshotIdentifier,
            s.inputs.dbSnapshotIdentifier,
        );
        assert.strictEqual(base.resources.filter((r) => r.type === T.snapshot).length, 1);
    });

    it("takes a new one, before the host restarts, when the image changes", () => {
        const s = snapshot(bumped);
        assert.match(
            String(s.inputs.dbSnapshotIdentifier),
            /^ai-portal-dev-postgres-pre-999999999999-[0-9a-f]{8}$/,
        );
        assert.ok(named(bumped, T.instance, "compute-web-instance").dependencies.includes(s.urn));
    });
});
