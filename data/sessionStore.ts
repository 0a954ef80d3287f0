import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { RedisAuthTokenStrategy } from "../config/webTier";
import { PORTS } from "../lib/ports";
import { jsonSecret } from "../lib/secret";

export interface SessionStoreArgs {
    /** Prefix for names and `Name` tags, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** The private subnets, one per AZ. Required. */
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** Its security group (the traffic matrix's `redis`: from the web hosts only). Required. */
    readonly securityGroupId: pulumi.Input<string>;
    /** ElastiCache node type (config `redisNodeType`). Required. */
    readonly nodeType: string;
    /**
     * The auth token's generation and how a new one lands (config `redisAuthTokenVersion`,
     * `redisAuthTokenStrategy`). Required.
     */
    readonly authToken: {
        readonly version: number;
        readonly strategy: RedisAuthTokenStrategy;
    };
    /** A replica in the second AZ with automatic failover (prod). */
    readonly multiAz: boolean;
    /** Keep the auth token's secret recoverable on delete, as the other secrets of a protected stack. */
    readonly keepSecretOnDelete: boolean;
    /**
     * The stack's data key (security/dataKey.ts) for the data at rest and the auth token's secret.
     * Defaults to the AWS-managed keys. A group keeps the key it was created with: ElastiCache
     * sets the at-rest key at creation only (the provider's `kms_key_id` forces a new group).
     */
    readonly encryptionKeyArn?: pulumi.Input<string>;
}

/** Valkey: the open-source Redis fork ElastiCache prices below Redis OSS; redis-py speaks to it unchanged. */
export const ENGINE = { engine: "valkey", version: "8.0" } as const;

/**
 * Redis for Open WebUI's replicas (socket.io's manager, shared sessions, models and locks):
 * ElastiCache Valkey in the private subnets, TLS in transit, encrypted at rest, an auth token kept
 * in Secrets Manager, and in prod a replica in the second AZ with automatic failover. It holds
 * only what a reconnecting browser rebuilds, so it keeps no snapshots and is not protected.
 */
export class SessionStore extends pulumi.ComponentResource {
    /** The primary's address (TLS, port 6379). */
    public readonly endpoint: pulumi.Output<string>;
    public readonly port: number;
    /** `{"auth_token": ...}`: the web hosts read it at boot. */
    public readonly authSecretArn: pulumi.Output<string>;
    public readonly authSecretVersionId: pulumi.Output<string>;
    /** The `ReplicationGroupId`/`CacheClusterId` prefix of its CloudWatch metrics. */
    public readonly replicationGroupId: string;

    constructor(name: string, args: SessionStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:data:SessionStore", name, {}, opts);
        const parent = { parent: this };
        this.replicationGroupId = `${args.namePrefix}-redis`;
        this.port = PORTS.redis;

        // ElastiCache takes 16-128 printable characters without / " @ or spaces: letters and digits.
        // A new version is a new token. Version 1 has no keeper, so the token a group was created
        // with (before versions existed) is version 1 and stays as it is.
        const version = args.authToken.version;
        const token = pulumi.secret(
            new random.RandomPassword(
                `${name}-auth-token`,
                {
                    length: 64,
                    special: false,
                    minUpper: 2,
                    minLower: 2,
                    minNumeric: 2,
                    keepers: version > 1 ? { version: String(version) } : undefined,
                },
                parent,
            ).result,
        );
        if (version > 1 && args.authToken.strategy === "ROTATE") {
            // Shown by every preview and up until the rotation is finished, so it cannot be forgotten.
            pulumi.log.warn(
                `redisAuthTokenVersion ${version} with redisAuthTokenStrategy ROTATE: Redis still accepts ` +
                    "the previous auth token. Once the web fleet's instance refresh has finished, set " +
                    "redisAuthTokenStrategy to SET and run `pulumi up` to retire it.",
                this,
            );
        }
        const secret = jsonSecret(`${name}-auth`, {
            secretName: `${args.namePrefix}/web/redis`,
            description:
                'Auth token of the web tier\'s Redis ({"auth_token": ...}); read by the web hosts at boot',
            value: token.apply((t) => JSON.stringify({ auth_token: t })),
            keepOnDelete: args.keepSecretOnDelete,
            parent: this,
            kmsKeyId: args.encryptionKeyArn,
        });
        const subnets = new aws.elasticache.SubnetGroup(
            `${name}-subnets`,
            {
                name: `${args.namePrefix}-redis`,
                description: `Private subnets of ${args.namePrefix}'s Redis`,
                subnetIds: args.privateSubnetIds,
                tags: { Name: `${args.namePrefix}-redis` },
            },
            parent,
        );
        const group = new aws.elasticache.ReplicationGroup(
            `${name}-redis`,
            {
                replicationGroupId: this.replicationGroupId,
                description: `Open WebUI's shared state for ${args.namePrefix}`,
                engine: ENGINE.engine,
                engineVersion: ENGINE.version,
                nodeType: args.nodeType,
                port: this.port,
                numCacheClusters: args.multiAz ? 2 : 1,
                automaticFailoverEnabled: args.multiAz,
                multiAzEnabled: args.multiAz,
                subnetGroupName: subnets.name,
                securityGroupIds: [args.securityGroupId],
                transitEncryptionEnabled: true,
                atRestEncryptionEnabled: true,
                kmsKeyId: args.encryptionKeyArn,
                authToken: token,
                // ROTATE: a new token is added next to the old one, so hosts still on it keep
                // working while the fleet rolls; SET (after the roll) leaves only the current one.
                // The provider sends ModifyReplicationGroup when either the token or the strategy
                // changes, so the switch to SET alone retires the old token. ElastiCache user
                // guide, "Modifying the AUTH token on an existing cluster".
                authTokenUpdateStrategy: args.authToken.strategy,
                autoMinorVersionUpgrade: true,
                snapshotRetentionLimit: 0,
                maintenanceWindow: "sun:04:30-sun:05:30",
                tags: { Name: `${args.namePrefix}-redis` },
            },
            // A new at-rest key would replace the group (and drop every session): a group keeps
            // the key it was created with; a new group (e.g. another node type's replacement by
            // hand) gets the stack's key.
            { parent: this, ignoreChanges: ["kmsKeyId"] },
        );

        this.endpoint = group.primaryEndpointAddress;
        this.authSecretArn = secret.secret.arn;
        this.authSecretVersionId = secret.version.versionId;
        this.registerOutputs({
            endpoint: this.endpoint,
            port: this.port,
            authSecretArn: this.authSecretArn,
            authSecretVersionId: this.authSecretVersionId,
            replicationGroupId: this.replicationGroupId,
        });
    }
}
