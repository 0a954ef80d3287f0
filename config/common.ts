/** Facts shared by every tier's config: the region and what CloudWatch Logs accepts. */
import { intIn, KeyReader } from "./spec";

export const PROJECT = "ai-portal";
/** The only region the portal is built, priced and tested for (EU Bedrock inference profiles). */
export const REGION = "eu-west-2";
/** Standard Availability Zones in eu-west-2; subnets are spread over the first N of them. */
export const REGION_AZ_COUNT = 3;

/** Retention values CloudWatch Logs accepts (0, "never expire", is deliberately not allowed). */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = Object.freeze([
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
]);

/** A retention period in days that CloudWatch Logs accepts. */
export function retentionDays(defaultValue: number): KeyReader<number> {
    return intIn(CLOUDWATCH_RETENTION_DAYS, {
        reason: "is not a retention period CloudWatch Logs accepts",
        default: defaultValue,
    });
}

export { isProductionStack } from "../lib/stacks";

/** A plausible e-mail address (Open WebUI and SNS check further). */
export function isEmail(value: string): boolean {
    return /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(value);
}
