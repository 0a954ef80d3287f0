import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
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

        const repository = new aws.ecr.Repository(
            `${name}-repo`,
            {
                name: `${args.namePrefix}/bedrock-access-gateway`,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [
                    args.kmsKeyArn
                        ? { encryptionType: "KMS", kmsKey: args.kmsKeyArn }
                        : { encryptionType: "AES256" },
                ],
                forceDelete: args.forceDelete,
                tags: { Name: `${args.namePrefix}-bedrock-access-gateway` },
            },
            // A new encryption setting replaces the repository, and a repository that holds
            // images cannot be deleted (forceDelete is off in prod): a running stack keeps the
            // encryption it was created with; a new one gets the data key. ECR creates its own
            // grant on the key for pushes and pulls (ECR user guide, "Encryption at rest").
            { ...parent, ignoreChanges: ["encryptionConfigurations"] },
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
            parent,
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
