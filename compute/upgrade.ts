/**
 * Open WebUI upgrades. Open WebUI migrates its database schema when a new version starts, and its
 * releases ask for a database backup first and rule out two versions serving against one database
 * (open-webui/open-webui CHANGELOG.md, 0.11.0 of 2026-07-27: "we strongly recommend backing up
 * your database ... before upgrading"; "all instances must be updated simultaneously, rolling
 * updates are not supported and will cause application failures due to schema incompatibility").
 * So an image change here
 * - takes a manual RDS snapshot named after the new image's digest before any host of the new
 *   version exists (the hosts depend on it), kept when Pulumi lets go of it, and
 * - in the load-balanced tier replaces the web fleet whole: the old Auto Scaling group is drained
 *   and deleted before the new one is created (compute/fleet.ts `replaceWholeWhen`), so no host
 *   of the old version serves once a host of the new one migrates. A change that keeps the image
 *   still rolls by instance refresh, half the hosts in service.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { parseImageReference } from "../lib/images";

/** How many hex digits of the image's digest name its pre-upgrade snapshot (Docker's short id). */
export const SHORT_DIGEST_LENGTH = 12;

/** The `sha256:<64 hex>` digest of an image reference pinned by digest (`repository@sha256:...`). */
export function imageDigest(pinnedImage: string): string {
    const digest = parseImageReference(pinnedImage)?.digest;
    if (!digest) {
        throw new Error(`not an image pinned by digest (repository@sha256:...): ${pinnedImage}`);
    }
    return digest;
}

/**
 * RDS's rule for DBSnapshotIdentifier (botocore rds service-2.json, CreateDBSnapshot; the model
 * states it in words, not as a pattern): 1-255 letters, digits or hyphens, a letter first, no
 * hyphen last and no two in a row.
 */
export const DB_SNAPSHOT_IDENTIFIER = /^(?=.{1,255}$)[a-zA-Z](?!.*--)[a-zA-Z0-9-]*(?<!-)$/;

/**
 * The pre-upgrade snapshot's identifier: `<instance>-pre-<12 hex of the image digest>-<suffix>`.
 * The suffix is made with the digest and kept in state (`declarePreUpgradeSnapshot`): going back
 * to an earlier image (a rollback) takes a new snapshot under a new name, never the name of the
 * one kept from that image's first upgrade, which RDS would refuse (DBSnapshotAlreadyExists).
 */
export function preUpgradeSnapshotIdentifier(
    instanceIdentifier: string,
    pinnedImage: string,
    suffix: string,
): string {
    const hex = imageDigest(pinnedImage).slice(
        "sha256:".length,
        "sha256:".length + SHORT_DIGEST_LENGTH,
    );
    const identifier = `${instanceIdentifier}-pre-${hex}-${suffix}`;
    if (!DB_SNAPSHOT_IDENTIFIER.test(identifier)) {
        throw new Error(
            `pre-upgrade snapshot identifier ${identifier}: RDS takes 1-255 letters, digits or hyphens, a letter first, no hyphen last or doubled`,
        );
    }
    return identifier;
}

export interface PreUpgradeSnapshotArgs {
    /** Prefix for `Name` tags, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /**
     * The RDS instance's identifier as an output of the instance, so the snapshot is taken once
     * the instance exists. Required.
     */
    readonly instanceIdentifier: pulumi.Input<string>;
    /** The Open WebUI image the hosts run, `repository@sha256:...`. Required. */
    readonly openWebUiImage: pulumi.Input<string>;
}

/** The snapshot as declared, for the hosts' `dependsOn` and the stack's outputs. */
export interface PreUpgradeSnapshot {
    readonly snapshot: aws.rds.Snapshot;
    /** Its DBSnapshotIdentifier (`preUpgradeSnapshotIdentifier`). */
    readonly identifier: pulumi.Output<string>;
}

/**
 * Declares the snapshot of the database taken before the hosts of an Open WebUI image start:
 * `<name>-pre-upgrade`, a new one (under a new identifier) whenever the digest changes. It is
 * retained on delete: when the next upgrade replaces it, Pulumi forgets it and RDS keeps it, until
 * someone deletes it (README, "Upgrading Open WebUI"). The first `up` snapshots the new, empty
 * database: harmless, a few minutes before the first hosts launch.
 */
export function declarePreUpgradeSnapshot(
    name: string,
    args: PreUpgradeSnapshotArgs,
    parent: pulumi.Resource,
): PreUpgradeSnapshot {
    const digest = pulumi.output(args.openWebUiImage).apply(imageDigest);
    const suffix = new random.RandomId(
        `${name}-pre-upgrade-suffix`,
        { byteLength: 4, keepers: { openWebUiDigest: digest } },
        { parent },
    );
    const identifier = pulumi
        .all([args.instanceIdentifier, args.openWebUiImage, suffix.hex])
        .apply(([instance, image, hex]) => preUpgradeSnapshotIdentifier(instance, image, hex));
    const snapshot = new aws.rds.Snapshot(
        `${name}-pre-upgrade`,
        {
            dbInstanceIdentifier: args.instanceIdentifier,
            dbSnapshotIdentifier: identifier,
            tags: {
                Name: `${args.namePrefix}-pre-upgrade`,
                // What it protects: the data as it was before this image first migrated it.
                OpenWebUiImage: args.openWebUiImage,
            },
        },
        { parent, retainOnDelete: true },
    );
    return { snapshot, identifier: snapshot.dbSnapshotIdentifier };
}
