/**
 * The portal's guardrails as Pulumi CrossGuard policies, one module per concern, kept apart from
 * the `PolicyPack` (whose constructor starts a policy server) so tests can run each one over the
 * program's resources. Every policy is mandatory; controls.ts maps them to AWS's and CIS's ids.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    prodRdsProtected,
    rdsEncryptedPrivateBackedUp,
    rdsLogsAndUpgrades,
    rdsPerformanceInsightsKey,
    rdsTlsForced,
} from "./database";
import { prodDataCustomerManagedKey } from "./encryption";
import { lambdaWithDatabaseSecretsInVpc } from "./functions";
import { prodAuditTrail, prodGuardrailEnforced } from "./governance";
import {
    iamNoBroadManagedPolicies,
    iamNoWildcardActions,
    iamResourceStarReadOnly,
    iamTrustNoConfusedDeputy,
} from "./iam";
import { ebsEncrypted, imdsV2, publicAddressOnlyOnEntryPoint } from "./instances";
import {
    internetLoadBalancerBehindWaf,
    internetLoadBalancersHardened,
    loadBalancerListenersEncrypted,
} from "./loadBalancers";
import {
    defaultSecurityGroupClosed,
    vpcFlowLogs,
    worldIngressOnlyAtEntryPoint,
    worldIngressWebPortsOnly,
} from "./network";
import { logGroupRetention, requiredTags } from "./operations";
import { ecrScannedImmutable } from "./registry";
import { s3BucketsGuarded, s3PublicAccessBlocked, s3Versioning } from "./storage";

export const portalPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    imdsV2,
    ebsEncrypted,
    publicAddressOnlyOnEntryPoint,
    worldIngressWebPortsOnly,
    worldIngressOnlyAtEntryPoint,
    defaultSecurityGroupClosed,
    vpcFlowLogs,
    internetLoadBalancersHardened,
    internetLoadBalancerBehindWaf,
    loadBalancerListenersEncrypted,
    rdsEncryptedPrivateBackedUp,
    rdsLogsAndUpgrades,
    rdsPerformanceInsightsKey,
    prodRdsProtected,
    rdsTlsForced,
    prodDataCustomerManagedKey,
    s3PublicAccessBlocked,
    s3BucketsGuarded,
    s3Versioning,
    iamNoWildcardActions,
    iamResourceStarReadOnly,
    iamNoBroadManagedPolicies,
    iamTrustNoConfusedDeputy,
    ecrScannedImmutable,
    lambdaWithDatabaseSecretsInVpc,
    logGroupRetention,
    requiredTags,
    prodGuardrailEnforced,
    prodAuditTrail,
];
