/** Operations: logs that expire, and the tags cost and ownership reports rely on. */
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { defaultTags } from "./common";

const REQUIRED_TAGS = ["Project", "Stack", "ManagedBy"];

export const logGroupRetention: ResourceValidationPolicy = {
    name: "log-group-retention",
    description: "Every CloudWatch log group has a retention period.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _, report) => {
        if (!((group.retentionInDays ?? 0) > 0)) {
            report("no retention: the logs would be kept (and billed) forever");
        }
    }),
};

export const requiredTags: ResourceValidationPolicy = {
    name: "required-tags",
    description: `Every taggable AWS resource carries ${REQUIRED_TAGS.join(", ")} (set once, through the provider's default tags).`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (
            !args.type.startsWith("aws:") ||
            (args.props.tags === undefined && args.props.tagsAll === undefined)
        ) {
            return;
        }
        const tags = {
            ...defaultTags(args),
            ...(args.props.tagsAll ?? {}),
            ...(args.props.tags ?? {}),
        };
        const missing = REQUIRED_TAGS.filter((t) => !tags[t]);
        if (missing.length > 0) {
            report(`missing tag(s) ${missing.join(", ")}`);
        }
    },
};
