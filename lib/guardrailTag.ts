/**
 * The tag a stack's Bedrock guardrail carries naming the stack whose guardrail the account
 * enforces (config `accountSettingsStack`): the program sets it (governance/guardrail.ts), the
 * policy pack reads it (policy/governance.ts) to tell a production stack that enforces its own
 * guardrail from one whose owner's guardrail is the enforced one.
 */
export const ENFORCED_BY_TAG = "GuardrailEnforcedBy";
