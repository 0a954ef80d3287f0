/** Which stacks are production: the one rule the config, the program and the policy pack share. */

/** Stacks named `prod` or `prod-...` hold real data: they must keep it protected. */
export function isProductionStack(stack: string): boolean {
    return stack === "prod" || stack.startsWith("prod-");
}
