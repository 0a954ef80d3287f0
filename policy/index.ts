/**
 * The portal's policy pack: `pulumi preview --policy-pack policy` (and `policyPacks: policy` in
 * pulumi/actions). Only the constructor lives here: it starts a policy server, so the policies
 * themselves are in policies.ts, where tests load them.
 */
import { PolicyPack } from "@pulumi/policy";
import { portalPolicies } from "./policies";

new PolicyPack("ai-portal-guardrails", { policies: portalPolicies });
