import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../lib/ports";
import { scheduleGroupArn, serviceTrustPolicy } from "../lib/trust";
import {
    BIND_ACCOUNT_PSO,
    bindAccountPsoAttributes,
    PORTAL_PSO,
    PortalPasswordPolicy,
    portalPolicyProblems,
    portalPsoAttributes,
} from "./passwordPolicy";
import { ldapFunction, policyCodeVersion } from "./policyFunction";

export interface PasswordPoliciesArgs {
    /** Prefix for the function's name and `Name` tags, e.g. "ai-portal-dev". Required. */
    readonly namePrefix: string;
    /** Private subnets the function runs in (LDAP reaches the directory only inside the VPC). */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The traffic matrix's `directoryPolicy` group. Required. */
    readonly securityGroupId: pulumi.Input<string>;
    /** The domain controllers' addresses (the directory's `dnsIpAddresses`). Required. */
    readonly domainControllerIps: pulumi.Input<string[]>;
    /** The directory, by id: a new directory runs the function again. Required. */
    readonly directoryId: pulumi.Input<string>;
    /** e.g. "DC=corp,DC=aiportal,DC=internal". Required. */
    readonly domainDn: string;
    /** The directory's Admin credentials (Secrets Manager; JSON with `dn` and `password`). Required. */
    readonly adminSecretArn: pulumi.Input<string>;
    /** The portal group's DN (CustomerPSO-01 applies to it). Required. */
    readonly portalGroupDn: string;
    /** The bind account's sAMAccountName (CustomerPSO-02 applies to it). Required. */
    readonly bindAccountName: string;
    /** The portal group's lockout and length settings (config directory*). Required. */
    readonly policy: PortalPasswordPolicy;
    readonly logRetentionDays: number;
    /** The stack's data key (security/dataKey.ts) for the function's log group. */
    readonly encryptionKeyArn?: pulumi.Input<string>;
    /**
     * What must exist before a run: the group and the account (created through Directory Service
     * Data), the function's traffic-matrix rules and the private subnets' way out.
     */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * The portal group's fine-grained password policy (length, lockout) and the bind account's (no
 * expiry, no lockout), applied at deploy time like the bind account: AWS pre-creates the PSOs, and
 * they change only over LDAP, which the directory answers only inside the VPC. A Lambda function
 * there binds as Admin (its password read from Secrets Manager) and sets them; Pulumi invokes it
 * whenever the settings, the directory or the function's code change. It runs after the directory
 * exists, in parallel with everything else; the function itself is created while AD is.
 */
export class PasswordPolicies extends pulumi.ComponentResource {
    public readonly functionName: string;
    /** The function's role: it reads a secret (the data key's policy names it). */
    public readonly roleArn: pulumi.Output<string>;
    /** What the last run reported: each policy, its subject and the attributes it changed. */
    public readonly result: pulumi.Output<string>;

    constructor(name: string, args: PasswordPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:directory:PasswordPolicies", name, {}, opts);
        const problems = portalPolicyProblems(args.policy);
        if (problems.length > 0) {
            throw new Error(problems.join("\n"));
        }
        this.functionName = `${args.namePrefix}-directory-policy`;
        const {
            fn,
            secretPolicy,
            role: functionRole,
        } = ldapFunction(
            name,
            {
                functionName: this.functionName,
                handler: "index.apply",
                description: "Sets the portal's password policies in the directory (idempotent)",
                secretArn: args.adminSecretArn,
                privateSubnetIds: args.privateSubnetIds,
                securityGroupId: args.securityGroupId,
                logRetentionDays: args.logRetentionDays,
                // A subject just created may take a minute to replicate (the handler waits 65 s).
                timeoutSeconds: 180,
                encryptionKeyArn: args.encryptionKeyArn,
            },
            this,
        );
        const invocation = new aws.lambda.Invocation(
            `${name}-run`,
            {
                functionName: fn.name,
                // Settings and names only: the function reads the Admin password itself.
                input: pulumi.jsonStringify({
                    servers: args.domainControllerIps,
                    port: PORTS.ldap,
                    adminSecretArn: args.adminSecretArn,
                    domainDn: args.domainDn,
                    policies: [
                        {
                            name: PORTAL_PSO,
                            attributes: portalPsoAttributes(args.policy),
                            appliesTo: { dn: args.portalGroupDn },
                        },
                        {
                            name: BIND_ACCOUNT_PSO,
                            attributes: bindAccountPsoAttributes(),
                            appliesTo: { samAccountName: args.bindAccountName },
                        },
                    ],
                }),
                triggers: { directoryId: args.directoryId, code: policyCodeVersion() },
            },
            { parent: this, dependsOn: [secretPolicy, ...args.dependsOn] },
        );
        this.result = invocation.result;
        this.roleArn = functionRole.arn;
        this.registerOutputs({ functionName: this.functionName, result: this.result });
    }
}

/** How often the check runs. */
export const BIND_CHECK_SCHEDULE = "rate(5 minutes)";

export interface BindCheckArgs {
    readonly namePrefix: string;
    readonly stack: string;
    readonly region: string;
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The traffic matrix's `directoryPolicy` group. Required. */
    readonly securityGroupId: pulumi.Input<string>;
    readonly domainControllerIps: pulumi.Input<string[]>;
    /** The bind account's secret (JSON with `username` and `password`). Required. */
    readonly bindSecretArn: pulumi.Input<string>;
    /** The metric's namespace (the portal's, shared with the health metric). Required. */
    readonly namespace: string;
    /** The metric's name, which the operations tier alarms on. Required. */
    readonly metric: string;
    readonly logRetentionDays: number;
    /** The stack's data key (security/dataKey.ts) for the function's log group. */
    readonly encryptionKeyArn?: pulumi.Input<string>;
}

/**
 * Notices a failing bind before users do: every 5 minutes a function binds as the portal's bind
 * account on each domain controller and reports its metric (1 or 0); the operations
 * tier alarms when it is below 1 or missing. A separate function from the policies': it may read
 * the bind account's secret and nothing else.
 */
export class BindCheck extends pulumi.ComponentResource {
    public readonly functionName: string;
    /** The function's role: it reads a secret (the data key's policy names it). */
    public readonly roleArn: pulumi.Output<string>;
    public readonly metric: string;

    constructor(name: string, args: BindCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:directory:BindCheck", name, {}, opts);
        const parent = { parent: this };
        this.functionName = `${args.namePrefix}-directory-bind-check`;
        this.metric = args.metric;
        const {
            fn,
            secretPolicy,
            role: functionRole,
        } = ldapFunction(
            name,
            {
                functionName: this.functionName,
                handler: "index.checkBind",
                description: "Checks that the portal's LDAP bind account can bind",
                secretArn: args.bindSecretArn,
                privateSubnetIds: args.privateSubnetIds,
                securityGroupId: args.securityGroupId,
                logRetentionDays: args.logRetentionDays,
                timeoutSeconds: 60,
                encryptionKeyArn: args.encryptionKeyArn,
            },
            this,
        );

        const groupName = `${args.namePrefix}-directory-bind-check`;
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const group = new aws.scheduler.ScheduleGroup(
            `${name}-group`,
            { name: groupName, tags: { Name: groupName } },
            parent,
        );
        const role = new aws.iam.Role(
            `${name}-scheduler-role`,
            {
                description: `EventBridge Scheduler runs ${this.functionName}`,
                // Scheduler assumes the role as the schedule GROUP (lib/trust.ts cites its page).
                assumeRolePolicy: serviceTrustPolicy(
                    "scheduler.amazonaws.com",
                    identity.accountId,
                    pulumi
                        .all([partition.partition, identity.accountId])
                        .apply(([p, account]) =>
                            scheduleGroupArn(p, args.region, account, groupName),
                        ),
                    "ArnEquals",
                ),
                tags: { Name: groupName },
            },
            parent,
        );
        const invoke = new aws.iam.RolePolicy(
            `${name}-scheduler-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "InvokeTheCheck",
                            Effect: "Allow",
                            Action: ["lambda:InvokeFunction"],
                            Resource: [fn.arn],
                        },
                    ],
                }),
            },
            parent,
        );
        new aws.scheduler.Schedule(
            `${name}-schedule`,
            {
                name: groupName,
                groupName: group.name,
                description: `Binds as the LDAP bind account of ${args.namePrefix}`,
                scheduleExpression: BIND_CHECK_SCHEDULE,
                flexibleTimeWindow: { mode: "OFF" },
                target: {
                    arn: fn.arn,
                    roleArn: role.arn,
                    input: pulumi.jsonStringify({
                        servers: args.domainControllerIps,
                        port: PORTS.ldap,
                        bindSecretArn: args.bindSecretArn,
                        namespace: args.namespace,
                        metric: args.metric,
                        stack: args.stack,
                        // Scheduler's context attribute, replaced by the invocation's scheduled
                        // time (EventBridge Scheduler user guide, "Adding context attributes").
                        scheduledTime: "<aws.scheduler.scheduled-time>",
                    }),
                    // A missed run shows as a missing data point, which the alarm counts as failing.
                    retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 300 },
                },
            },
            { parent: this, dependsOn: [invoke, secretPolicy] },
        );
        this.roleArn = functionRole.arn;
        this.registerOutputs({ functionName: this.functionName, metric: this.metric });
    }
}
