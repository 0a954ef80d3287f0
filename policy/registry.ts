/** Container images: scanned on push, tags that cannot move. */
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

export const ecrScannedImmutable: ResourceValidationPolicy = {
    name: "ecr-scan-on-push-immutable-tags",
    description: "ECR repositories scan images on push and keep tags immutable.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecr.Repository, (repository, _, report) => {
        if (repository.imageScanningConfiguration?.scanOnPush !== true) {
            report("images are not scanned on push (imageScanningConfiguration.scanOnPush)");
        }
        if (repository.imageTagMutability !== "IMMUTABLE") {
            report(
                `tags are ${repository.imageTagMutability ?? "MUTABLE"}: a pushed tag could be replaced by another image`,
            );
        }
    }),
};
