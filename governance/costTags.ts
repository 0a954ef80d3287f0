import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The tags cost reports and the budgets group spend by. */
export const COST_ALLOCATION_TAGS = ["Project", "Stack"] as const;

/**
 * Activates the Project and Stack tags as cost-allocation tags, so Cost Explorer and Budgets can
 * filter on them. One setting for the whole account: declared by the stack that owns the
 * account's settings, and kept when that stack goes (deleting it would deactivate them for every
 * stack). AWS lists a tag key for activation up to a day after it is first applied, and shows
 * costs by it from activation on (not backwards).
 */
export class CostAllocationTags extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:governance:CostAllocationTags", name, {}, opts);
        for (const key of COST_ALLOCATION_TAGS) {
            new aws.costexplorer.CostAllocationTag(
                `${name}-${key.toLowerCase()}`,
                { tagKey: key, status: "Active" },
                { parent: this, retainOnDelete: true },
            );
        }
        this.registerOutputs({ tagKeys: COST_ALLOCATION_TAGS });
    }
}
