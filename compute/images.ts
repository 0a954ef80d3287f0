import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { parseImageReference } from "../config";

/**
 * `repository@sha256:...` for an image reference. A tag is resolved against its registry at
 * deploy time, so a tag that upstream moved shows up in `pulumi preview` as a changed digest
 * (and a changed boot script) instead of slipping in at the next reboot.
 */
export function pinnedImage(reference: string, opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    const ref = parseImageReference(reference);
    if (!ref) {
        throw new Error(`not an image reference: ${reference}`);
    }
    if (ref.digest) {
        return pulumi.output(`${ref.repository}@${ref.digest}`);
    }
    const image = docker.getRegistryImageOutput({ name: reference }, opts);
    return pulumi.interpolate`${ref.repository}@${image.sha256Digest}`;
}

export const GATEWAY_SOURCE_REPOSITORY = "https://github.com/aws-samples/bedrock-access-gateway";

export interface GatewayImageArgs {
    readonly namePrefix: string;
    /** 40-hex commit of aws-samples/bedrock-access-gateway. */
    readonly sourceCommit: string;
    /** Lets `pulumi destroy` of a disposable stack remove the repository with its images. */
    readonly forceDelete: boolean;
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
                encryptionConfigurations: [{ encryptionType: "AES256" }],
                forceDelete: args.forceDelete,
                tags: { Name: `${args.namePrefix}-bedrock-access-gateway` },
            },
            parent,
        );
        new aws.ecr.LifecyclePolicy(
            `${name}-lifecycle`,
            {
                repository: repository.name,
                policy: JSON.stringify({
                    rules: [
                        { rulePriority: 1, description: "Drop untagged layers after a day", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, action: { type: "expire" } },
                        { rulePriority: 2, description: "Keep the ten newest builds", selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 }, action: { type: "expire" } },
                    ],
                }),
            },
            parent,
        );

        const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, parent);
        const image = new dockerBuild.Image(
            `${name}-build`,
            {
                // Both pinned to the same commit: the context and the Dockerfile that builds it.
                context: { location: `${GATEWAY_SOURCE_REPOSITORY}.git#${args.sourceCommit}:src` },
                dockerfile: { location: `https://raw.githubusercontent.com/aws-samples/bedrock-access-gateway/${args.sourceCommit}/src/Dockerfile_ecs` },
                platforms: ["linux/amd64"],
                push: true,
                // Immutable tags: one tag per upstream commit.
                tags: [pulumi.interpolate`${repository.repositoryUrl}:${args.sourceCommit}`],
                registries: [{ address: repository.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) }],
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
