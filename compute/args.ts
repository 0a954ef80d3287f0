/** The compute tier's arguments, apart from its class so each role's module can read them. */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ComputeConfig, UsageGateConfig, WebTierConfig } from "../config";
import type { AuditLogLevel } from "../config/guardrail";
import type { HostEncryption } from "./host";
import type { AuthMode } from "./settings";

export interface ComputeArgs extends ComputeConfig {
    /** The usage gate's limits and fail mode (config `usageLimit*`, `usageGateFailMode`). */
    readonly usageGate: UsageGateConfig;
    /** Prefix for names and `Name` tags, e.g. "ai-portal-dev". */
    readonly namePrefix: string;
    /** The stack's name: the dimension of the web host's health metric. */
    readonly stack: string;
    /** The region (eu-west-2): the containers' AWS region. Required. */
    readonly region: string;
    /** Public subnets in AZ order; the web host runs in the first. */
    readonly publicSubnetIds: pulumi.Input<string[]>;
    /** Private subnets in AZ order; the gateway host runs in the first. */
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** The web host's security group (traffic matrix). Required. */
    readonly webSecurityGroupId: pulumi.Input<string>;
    /** The gateway host's security group (traffic matrix). Required. */
    readonly gatewaySecurityGroupId: pulumi.Input<string>;
    /** Retention of the hosts' log groups. */
    readonly logRetentionDays: number;
    /** Keep data (uploads bucket, Elastic IP, secrets) on delete, as the database does. */
    readonly protectData: boolean;
    /** Live replication of the uploads bucket to the DR region (backup/index.ts); defaults to none. */
    readonly uploadsReplication?: pulumi.Input<aws.types.input.s3.BucketReplicationConfiguration>;
    /**
     * The stack's data key (security/dataKey.ts) for the secrets, the uploads bucket, the hosts'
     * log groups and root volumes. Defaults to each service's AWS-managed key.
     */
    readonly encryption?: HostEncryption;
    /** What the web host needs of the data tier. Required. */
    readonly database: {
        /** Open WebUI's database credentials (engine, username, password, port, dbname; no address). */
        readonly appSecretArn: pulumi.Input<string>;
        /** Changes with Open WebUI's database credentials: the web host restarts to read them. */
        readonly appSecretVersionId: pulumi.Input<string>;
        /**
         * The RDS instance's identifier (known before it exists): the hosts look its address up
         * at boot, waiting while it is being created.
         */
        readonly instanceIdentifier: string;
        /**
         * The same identifier as an output of the instance: the pre-upgrade snapshot
         * (compute/upgrade.ts) is taken of it once the instance exists.
         */
        readonly createdIdentifier: pulumi.Input<string>;
        /** The usage gate's database credentials (username, password, dbname, schema; no address). */
        readonly gateSecretArn: pulumi.Input<string>;
        /** Changes with the gate's credentials: the gateway hosts restart to read them. */
        readonly gateSecretVersionId: pulumi.Input<string>;
    };
    /**
     * What the web host needs of the directory tier; undefined when the stack has no directory
     * (config `directory: none`, authMode oidc).
     */
    readonly directory?: {
        /** The directory's DNS domain (the bind identity's suffix). */
        readonly domain: string;
        /** The directory's NetBIOS name (the login page's label). */
        readonly shortName: string;
        /**
         * The domain controllers' name in the VPC's private zone (LDAP_SERVER_HOST), known before
         * the directory exists: the hosts resolve it at sign-in, so they need not wait for AD.
         */
        readonly ldapHost: string;
        /** Where the directory's users are (LDAP_SEARCH_BASE). */
        readonly searchBase: string;
        /** The bind account's user principal name (LDAP_APP_DN). */
        readonly bindIdentity: string;
        /** The bind account's credentials. */
        readonly bindSecretArn: pulumi.Input<string>;
        /** Changes with the bind account's password: the web host restarts to read it. */
        readonly bindSecretVersionId: pulumi.Input<string>;
        /** DN of the group whose members may sign in (LDAP_SEARCH_FILTER). */
        readonly portalGroupDn: string;
    };
    /** How people sign in (config `authMode`, `oidc*`, `ldapGroupManagement`, `scim`). Required. */
    readonly identity: ComputeIdentity;
    /**
     * What must exist before the web hosts are launched. Neither the database nor the directory:
     * the hosts wait at boot for the database and its role, and resolve the directory by name.
     */
    readonly webDependsOn: pulumi.Resource[];
    /**
     * Open WebUI's audit log: its level (config `auditLogLevel`) and the log group the web hosts
     * ship it to (governance/auditLog.ts). Required.
     */
    readonly audit: {
        readonly level: AuditLogLevel;
        readonly logGroupName: string;
        readonly logGroupArn: pulumi.Input<string>;
    };
    /** The web tier's shape and sizes (config `webTier`, `webMinHosts`, ...). Required. */
    readonly webTier: WebTierConfig;
    /** The VPC (the gateway's internal load balancer's target group). Required. */
    readonly vpcId: pulumi.Input<string>;
    /** Tags the hosts of the load-balanced tier carry (the default tags do not reach them). Required. */
    readonly tags: Readonly<Record<string, string>>;
    /** loadBalanced only: what the edge and the data tier give the web and gateway hosts. */
    readonly loadBalanced?: {
        /** The portal's URL (its domain, served by the ALB). */
        readonly portalUrl: pulumi.Input<string>;
        /** The ALB's target group the web hosts register with. */
        readonly webTargetGroupArn: pulumi.Input<string>;
        /**
         * The ALB's HTTPS listener, which forwards to that target group: the web hosts' group waits
         * for it (the target group health-checks only once a listener uses it, and the group's
         * deploy waits for healthy hosts).
         */
        readonly webListener?: pulumi.Resource;
        /** The internal load balancer's security group (`gatewayLb`). */
        readonly gatewayLbSecurityGroupId: pulumi.Input<string>;
        /**
         * The stack sleeps on a schedule (config `schedule`), which then owns the Auto Scaling
         * groups' sizes (compute/fleet.ts `sizeOwnedBySchedule`). Defaults to false.
         */
        readonly sizeOwnedBySchedule?: boolean;
        /** The Redis the web hosts share. */
        readonly redis: {
            readonly endpoint: pulumi.Input<string>;
            readonly port: number;
            readonly authSecretArn: pulumi.Input<string>;
            readonly authSecretVersionId: pulumi.Input<string>;
        };
    };
}

/** How people sign in, as the compute tier needs it. */
export interface ComputeIdentity {
    readonly authMode: AuthMode;
    /** The OIDC client (authMode oidc or both); its secret is stored in Secrets Manager here. */
    readonly oidc?: {
        readonly issuerUrl: string;
        readonly clientId: string;
        /** The client secret (a stack secret): stored in Secrets Manager, read by the hosts. */
        readonly clientSecret: pulumi.Input<string>;
        readonly scopes: readonly string[];
        readonly providerName: string;
        readonly groupsClaim: string;
        readonly allowedGroups: readonly string[];
        readonly adminGroups: readonly string[];
    };
    readonly ldapGroupManagement: boolean;
    /** SCIM 2.0: a generated token in Secrets Manager, ENABLE_SCIM on the hosts. */
    readonly scim: boolean;
    /** With SCIM: the identity provider's ranges, the only ones its endpoint answers. */
    readonly scimAllowedCidrs: readonly string[];
}
