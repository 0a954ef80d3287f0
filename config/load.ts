/**
 * Feeds the real stack config to the pure parser and stops the program, before any resource is
 * declared, with one message that lists every problem.
 */
import * as pulumi from "@pulumi/pulumi";
import { auditWarnings, describeProblems, parseConfig, PortalConfig } from "./index";

export function loadConfig(): PortalConfig {
    const stack = pulumi.getStack();
    const result = parseConfig({
        project: pulumi.getProject(),
        stack,
        raw: pulumi.runtime.allConfig(),
    });
    if (!result.ok) {
        // RunError: Pulumi prints the message without a stack trace, which would only hide it.
        throw new pulumi.RunError(describeProblems(stack, result.problems));
    }
    // Allowed, but worth a second look in every preview: bodies in the audit log.
    for (const warning of auditWarnings(result.config.audit)) {
        pulumi.log.warn(warning);
    }
    return result.config;
}
