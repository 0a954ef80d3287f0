import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parseImageReference } from "../lib/images";

/** Docker Hub's names for itself in image references; its registry API is at registry-1.docker.io. */
const DOCKER_HUB_ALIASES = ["docker.io", "index.docker.io"];

/**
 * The name to give `docker.getRegistryImage` for a tagged reference. The provider (the Terraform
 * docker provider's `parseImageOptions`) sends only names without a registry host to Docker Hub's
 * registry API, registry-1.docker.io; a name starting with `docker.io/` is looked up at
 * https://docker.io/v2/..., which serves no registry API, and `pulumi preview` stops. So Docker
 * Hub references lose their host (`docker.io/library/caddy:2.10-alpine` -> `library/caddy:2.10-alpine`);
 * every other registry (ghcr.io, public.ecr.aws, ECR, registry-1.docker.io) is asked as written.
 */
export function registryLookupName(reference: string): string {
    const ref = parseImageReference(reference);
    if (!ref || !ref.tag || ref.digest) {
        throw new Error(
            `registry lookups take a reference with a tag and no digest, not ${reference}`,
        );
    }
    const [first, ...rest] = ref.repository.split("/");
    const hasHost = rest.length > 0 && (/[.:]/.test(first) || first === "localhost");
    const hubPath = !hasHost
        ? [first, ...rest]
        : DOCKER_HUB_ALIASES.includes(first)
          ? rest
          : undefined;
    if (!hubPath) {
        return reference;
    }
    if (hubPath.length > 2) {
        throw new Error(`${reference}: Docker Hub repositories are <namespace>/<name>`);
    }
    // Official images live in the "library" namespace; say so, rather than rely on the provider adding it.
    return `${hubPath.length === 1 ? `library/${hubPath[0]}` : hubPath.join("/")}:${ref.tag}`;
}

/**
 * `repository@sha256:...` for an image reference, keeping the repository as configured (what the
 * host pulls and runs). A reference that carries its digest is used as it is. A tag is resolved
 * against its registry at deploy time, so a tag that upstream moved shows up in `pulumi preview`
 * as a changed digest (and a changed boot script) instead of slipping in at the next reboot.
 */
export function pinnedImage(
    reference: string,
    opts: pulumi.InvokeOutputOptions,
): pulumi.Output<string> {
    const ref = parseImageReference(reference);
    if (!ref) {
        throw new Error(`not an image reference: ${reference}`);
    }
    if (ref.digest) {
        return pulumi.output(`${ref.repository}@${ref.digest}`);
    }
    const image = docker.getRegistryImageOutput({ name: registryLookupName(reference) }, opts);
    return pulumi.interpolate`${ref.repository}@${image.sha256Digest}`;
}

export const GATEWAY_SOURCE_REPOSITORY = "https://github.com/aws-samples/bedrock-access-gateway";

export interface GatewayImageArgs {
    /** Prefix for the repository's name, e.g. "ai-portal-dev". Required. */
    readonly namePrefix: string;
    /** 40-hex commit of aws-samples/bedrock-access-gateway. */
    readonly sourceCommit: string;
    /** Lets `pulumi destroy` of a disposable stack remove the repository with its images. */
    readonly forceDelete: boolean;
    /**
     * The stack's data key (security/dataKey.ts) for the repository's images; undefined: ECR's
     * own AES-256. ECR fixes a repository's encryption when it creates it, so an existing
     * repository keeps what it was created with.
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
}

/**
 * The Bedrock Access Gateway image, which has no public build: built at deploy time from the
 * upstream source at a pinned commit (`src/Dockerfile_ecs`) and pushed to a private ECR
 * repository (scan on push, immutable tags, old images expire). Runs by digest.
 */
export class GatewayImage extends pulumi.ComponentResource {
    /** `repository@sha256:...` of the pushed image. */
    public readonly imageRef: pulumi.Output<string>;
    public readonly repositoryArn: pulumi.Output<string>;

    constructor(name: string, args: GatewayImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:compute:GatewayImage", name, {}, opts);
        const parent = { parent: this };

        const repository = builtImageRepository(
            name,
            {
                namePrefix: args.namePrefix,
                image: "bedrock-access-gateway",
                forceDelete: args.forceDelete,
                kmsKeyArn: args.kmsKeyArn,
            },
            this,
        );

        const auth = aws.ecr.getAuthorizationTokenOutput(
            { registryId: repository.registryId },
            parent,
        );
        const image = new dockerBuild.Image(
            `${name}-build`,
            {
                // Both pinned to the same commit: the context and the Dockerfile that builds it.
                context: { location: `${GATEWAY_SOURCE_REPOSITORY}.git#${args.sourceCommit}:src` },
                dockerfile: {
                    location: `https://raw.githubusercontent.com/aws-samples/bedrock-access-gateway/${args.sourceCommit}/src/Dockerfile_ecs`,
                },
                platforms: ["linux/amd64"],
                push: true,
                // Immutable tags: one tag per upstream commit.
                tags: [pulumi.interpolate`${repository.repositoryUrl}:${args.sourceCommit}`],
                registries: [
                    {
                        address: repository.repositoryUrl,
                        username: auth.userName,
                        password: pulumi.secret(auth.password),
                    },
                ],
                // Previews in pull requests need no Docker daemon.
                buildOnPreview: false,
            },
            parent,
        );

        this.imageRef = pulumi.interpolate`${repository.repositoryUrl}@${image.digest}`;
        this.repositoryArn = repository.arn;
        this.registerOutputs({ imageRef: this.imageRef, repositoryArn: this.repositoryArn });
    }
}

/** The repository's root: the usage gate's build context (its Dockerfile copies gate/ and plan/ files). */
const REPOSITORY_ROOT = path.resolve(__dirname, "..");

/**
 * What the gate's image is built from, relative to the repository's root: exactly the files
 * gate/Dockerfile copies (and the Dockerfile itself). Their hash is the image's tag.
 */
export function gateSourceFiles(root: string = REPOSITORY_ROOT): string[] {
    const gate = fs
        .readdirSync(path.join(root, "gate"))
        .filter((f) => f.endsWith(".ts") || f === "tsconfig.json")
        .map((f) => `gate/${f}`);
    return [
        "gate/Dockerfile",
        "gate/Dockerfile.dockerignore",
        "gate/package.json",
        "gate/package-lock.json",
        ...gate,
        "plan/modelPrices.ts",
        "plan/prices.json",
    ].sort();
}

/**
 * The gate image's tag: the first 32 hex of a SHA-256 over the base image (pinned by digest) and
 * each source file's name and bytes. The same sources give the same tag (the repository's tags are
 * immutable, so a rebuild of unchanged sources is not attempted); any change gives a new one.
 */
export function gateImageTag(nodeImage: string, root: string = REPOSITORY_ROOT): string {
    const hash = createHash("sha256").update(`${nodeImage}\n`);
    for (const file of gateSourceFiles(root)) {
        hash.update(`${file}\n`)
            .update(fs.readFileSync(path.join(root, file)))
            .update("\n");
    }
    return hash.digest("hex").slice(0, 32);
}

/** A private ECR repository for images this program builds: scan on push, immutable tags, expiry. */
function builtImageRepository(
    name: string,
    args: {
        namePrefix: string;
        image: string;
        forceDelete: boolean;
        kmsKeyArn?: pulumi.Input<string>;
    },
    parent: pulumi.Resource,
): aws.ecr.Repository {
    const repository = new aws.ecr.Repository(
        `${name}-repo`,
        {
            name: `${args.namePrefix}/${args.image}`,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [
                args.kmsKeyArn
                    ? { encryptionType: "KMS", kmsKey: args.kmsKeyArn }
                    : { encryptionType: "AES256" },
            ],
            forceDelete: args.forceDelete,
            tags: { Name: `${args.namePrefix}-${args.image}` },
        },
        // A new encryption setting replaces the repository, and a repository that holds images
        // cannot be deleted (forceDelete is off in prod): a running stack keeps the encryption it
        // was created with; a new one gets the data key. ECR creates its own grant on the key for
        // pushes and pulls (ECR user guide, "Encryption at rest").
        { parent, ignoreChanges: ["encryptionConfigurations"] },
    );
    new aws.ecr.LifecyclePolicy(
        `${name}-lifecycle`,
        {
            repository: repository.name,
            policy: JSON.stringify({
                rules: [
                    {
                        rulePriority: 1,
                        description: "Drop untagged layers after a day",
                        selection: {
                            tagStatus: "untagged",
                            countType: "sinceImagePushed",
                            countUnit: "days",
                            countNumber: 1,
                        },
                        action: { type: "expire" },
                    },
                    {
                        rulePriority: 2,
                        description: "Keep the ten newest builds",
                        selection: {
                            tagStatus: "any",
                            countType: "imageCountMoreThan",
                            countNumber: 10,
                        },
                        action: { type: "expire" },
                    },
                ],
            }),
        },
        { parent },
    );
    return repository;
}

export interface GateImageArgs {
    /** Prefix for the repository's name, e.g. "ai-portal-dev". Required. */
    readonly namePrefix: string;
    /** The Node.js base image, `repository@sha256:...` (pinnedImage of `usageGateNodeImage`). Required. */
    readonly nodeImage: pulumi.Input<string>;
    /** Lets `pulumi destroy` of a disposable stack remove the repository with its images. */
    readonly forceDelete: boolean;
    /** The stack's data key for the repository's images; undefined: ECR's own AES-256. */
    readonly kmsKeyArn?: pulumi.Input<string>;
}

/**
 * The usage gate's image (gate/Dockerfile), built at deploy time from this repository on the
 * pinned Node.js base and pushed to a private ECR repository like the gateway's (scan on push,
 * immutable tags, old images expire). Tagged by the hash of its sources (`gateImageTag`); runs by digest.
 */
export class GateImage extends pulumi.ComponentResource {
    /** `repository@sha256:...` of the pushed image. */
    public readonly imageRef: pulumi.Output<string>;
    public readonly repositoryArn: pulumi.Output<string>;

    constructor(name: string, args: GateImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:compute:GateImage", name, {}, opts);
        const parent = { parent: this };
        const repository = builtImageRepository(
            name,
            {
                namePrefix: args.namePrefix,
                image: "usage-gate",
                forceDelete: args.forceDelete,
                kmsKeyArn: args.kmsKeyArn,
            },
            this,
        );
        const auth = aws.ecr.getAuthorizationTokenOutput(
            { registryId: repository.registryId },
            parent,
        );
        const image = new dockerBuild.Image(
            `${name}-build`,
            {
                // Relative to the project's directory (where Pulumi runs the program), so the
                // inputs do not depend on where the repository is checked out.
                context: { location: "." },
                dockerfile: { location: "gate/Dockerfile" },
                buildArgs: { NODE_IMAGE: args.nodeImage },
                platforms: ["linux/amd64"],
                push: true,
                tags: [
                    pulumi
                        .all([repository.repositoryUrl, args.nodeImage])
                        .apply(([url, node]) => `${url}:${gateImageTag(node)}`),
                ],
                registries: [
                    {
                        address: repository.repositoryUrl,
                        username: auth.userName,
                        password: pulumi.secret(auth.password),
                    },
                ],
                buildOnPreview: false,
            },
            parent,
        );
        this.imageRef = pulumi.interpolate`${repository.repositoryUrl}@${image.digest}`;
        this.repositoryArn = repository.arn;
        this.registerOutputs({ imageRef: this.imageRef, repositoryArn: this.repositoryArn });
    }
}
