/**
 * The Redis the load-balanced web hosts share (SessionStore): constructed alone under the mocks,
 * and as prod declares it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { ENGINE, SessionStore, SessionStoreArgs } from "../../data/sessionStore";
import { ProgramRun } from "../../offline/run";
import { childNames, runComponent } from "../harness/component";
import { named, ofType, parseJson } from "../harness/query";
import { forEachStack } from "../harness/stacks";

const T = {
    group: "aws:elasticache/replicationGroup:ReplicationGroup",
    subnets: "aws:elasticache/subnetGroup:SubnetGroup",
    secret: "aws:secretsmanager/secret:Secret",
    version: "aws:secretsmanager/secretVersion:SecretVersion",
    password: "random:index/randomPassword:RandomPassword",
};

const BASE: SessionStoreArgs = {
    namePrefix: "ai-portal-test",
    privateSubnetIds: ["subnet-a", "subnet-b"],
    securityGroupId: "sg-redis",
    nodeType: "cache.t4g.small",
    authToken: { version: 1, strategy: "ROTATE" },
    multiAz: false,
    keepSecretOnDelete: false,
};

function sessionStore(args: Partial<SessionStoreArgs> = {}): Promise<ProgramRun> {
    return runComponent((opts) => {
        const store = new SessionStore("store", { ...BASE, ...args }, opts);
        return {
            endpoint: store.endpoint,
            port: store.port,
            authSecretArn: store.authSecretArn,
            authSecretVersionId: store.authSecretVersionId,
            replicationGroupId: store.replicationGroupId,
        };
    });
}

describe("SessionStore (component)", () => {
    it("Valkey in the private subnets behind its own group, encrypted in transit and at rest", async () => {
        const run = await sessionStore();
        assert.ifError(run.error);
        const group = named(run, T.group, "store-redis").inputs;
        assert.deepStrictEqual(
            [
                group.engine,
                group.engineVersion,
                group.nodeType,
                group.port,
                group.transitEncryptionEnabled,
                group.atRestEncryptionEnabled,
                group.securityGroupIds,
            ],
            [ENGINE.engine, ENGINE.version, "cache.t4g.small", 6379, true, true, ["sg-redis"]],
        );
        assert.deepStrictEqual(ENGINE, { engine: "valkey", version: "8.0" });
        const subnets = named(run, T.subnets, "store-subnets");
        assert.deepStrictEqual(subnets.inputs.subnetIds, ["subnet-a", "subnet-b"]);
        assert.strictEqual(group.subnetGroupName, subnets.state.name);
        assert.strictEqual(run.outputs.replicationGroupId, "ai-portal-test-redis");
        assert.strictEqual(group.replicationGroupId, run.outputs.replicationGroupId);
    });

    it("requires the generated auth token, sent as a secret, rotated next to the old one; the same token is in the secret the hosts read", async () => {
        const run = await sessionStore();
        const redis = named(run, T.group, "store-redis");
        const token = named(run, T.password, "store-auth-token");
        assert.strictEqual(redis.inputs.authToken, token.state.result);
        assert.deepStrictEqual(redis.secretInputPaths, ["authToken"]);
        assert.strictEqual(redis.inputs.authTokenUpdateStrategy, "ROTATE");
        // ElastiCache takes 16-128 printable characters without / " @ or spaces.
        assert.match(token.state.result, /^[A-Za-z0-9]{16,128}$/);
        assert.deepStrictEqual(
            [token.inputs.length >= 16, token.inputs.length <= 128, token.inputs.special],
            [true, true, false],
        );

        const secret = named(run, T.secret, "store-auth");
        assert.strictEqual(secret.inputs.name, "ai-portal-test/web/redis");
        const version = named(run, T.version, "store-auth");
        assert.deepStrictEqual(version.secretInputPaths, ["secretString"]);
        assert.deepStrictEqual(parseJson(version.inputs.secretString), {
            auth_token: token.state.result,
        });
        assert.strictEqual(run.outputs.authSecretArn, secret.state.arn);
        assert.strictEqual(run.outputs.authSecretVersionId, version.state.versionId);
    });

    describe("rotating the auth token", () => {
        /** What `pulumi.log.warn` says while the component is declared. */
        async function warningsOf(args: Partial<SessionStoreArgs>): Promise<string[]> {
            const said: string[] = [];
            const warn = pulumi.log.warn;
            pulumi.log.warn = async (message: string) => {
                said.push(message);
            };
            try {
                assert.ifError((await sessionStore(args)).error);
            } finally {
                pulumi.log.warn = warn;
            }
            return said;
        }

        it("version 1 is the token the group was created with: no keeper, so nothing is replaced on stacks that predate versions", async () => {
            const token = named(await sessionStore(), T.password, "store-auth-token");
            assert.strictEqual(token.inputs.keepers, undefined);
        });

        it("a new version is a new token (a keeper of the password), and lands with the strategy configured", async () => {
            for (const strategy of ["ROTATE", "SET"] as const) {
                const run = await sessionStore({ authToken: { version: 2, strategy } });
                assert.deepStrictEqual(named(run, T.password, "store-auth-token").inputs.keepers, {
                    version: "2",
                });
                assert.strictEqual(
                    named(run, T.group, "store-redis").inputs.authTokenUpdateStrategy,
                    strategy,
                );
            }
        });

        it("a rotation left at ROTATE is named by every preview until SET retires the old token", async () => {
            const rotating = await warningsOf({ authToken: { version: 3, strategy: "ROTATE" } });
            assert.strictEqual(rotating.length, 1);
            assert.match(
                rotating[0],
                /redisAuthTokenVersion 3 with redisAuthTokenStrategy ROTATE: Redis still accepts the previous auth token.*set redisAuthTokenStrategy to SET/,
            );
            assert.deepStrictEqual(
                await warningsOf({ authToken: { version: 3, strategy: "SET" } }),
                [],
            );
            assert.deepStrictEqual(
                await warningsOf({ authToken: { version: 1, strategy: "ROTATE" } }),
                [],
            );
        });
    });

    it("exposes the primary's address (TLS, 6379), not a reader's", async () => {
        const run = await sessionStore();
        const state = named(run, T.group, "store-redis").state;
        assert.strictEqual(run.outputs.endpoint, state.primaryEndpointAddress);
        assert.notStrictEqual(run.outputs.endpoint, state.readerEndpointAddress);
        assert.strictEqual(run.outputs.port, 6379);
    });

    it("multiAz off: one node, no failover", async () => {
        const group = named(await sessionStore({ multiAz: false }), T.group, "store-redis").inputs;
        assert.deepStrictEqual(
            [group.numCacheClusters, group.automaticFailoverEnabled, group.multiAzEnabled],
            [1, false, false],
        );
    });

    it("multiAz on: a replica in another AZ with automatic failover", async () => {
        const group = named(await sessionStore({ multiAz: true }), T.group, "store-redis").inputs;
        assert.deepStrictEqual(
            [group.numCacheClusters, group.automaticFailoverEnabled, group.multiAzEnabled],
            [2, true, true],
        );
    });

    it("keeps no snapshots and is not protected (it holds only what reconnecting browsers rebuild); its secret follows keepSecretOnDelete", async () => {
        for (const keep of [false, true]) {
            const run = await sessionStore({ keepSecretOnDelete: keep });
            const group = named(run, T.group, "store-redis");
            assert.deepStrictEqual(
                [group.inputs.snapshotRetentionLimit, group.protect],
                [0, false],
            );
            assert.strictEqual(
                named(run, T.secret, "store-auth").inputs.recoveryWindowInDays,
                keep ? 30 : 0,
            );
        }
    });

    it("declares exactly these children", async () => {
        assert.deepStrictEqual(childNames(await sessionStore()), [
            "store",
            "store-auth",
            "store-auth",
            "store-auth-token",
            "store-redis",
            "store-subnets",
        ]);
    });
});

forEachStack(
    "session store",
    (ctx) => {
        it("prod: Multi-AZ with failover (as the database), in the private subnets and the `redis` group, its secret kept on delete", () => {
            const group = named(ctx.run, T.group, "session-store-redis").inputs;
            assert.deepStrictEqual(
                [group.numCacheClusters, group.automaticFailoverEnabled, group.multiAzEnabled],
                [2, true, true],
            );
            assert.deepStrictEqual(
                named(ctx.run, T.subnets, "session-store-subnets").inputs.subnetIds,
                ctx.run.outputs.privateSubnetIds,
            );
            assert.deepStrictEqual(group.securityGroupIds, [
                named(ctx.run, "aws:ec2/securityGroup:SecurityGroup", "sg-redis").id,
            ]);
            assert.strictEqual(group.nodeType, "cache.t4g.small");
            assert.strictEqual(
                named(ctx.run, T.secret, "session-store-auth").inputs.recoveryWindowInDays,
                30,
            );
            assert.strictEqual(
                ctx.run.outputs.redisEndpoint,
                named(ctx.run, T.group, "session-store-redis").state.primaryEndpointAddress,
            );
        });

        it("prod: the web hosts may read the auth token's secret, and only they", () => {
            const arn = named(ctx.run, T.secret, "session-store-auth").state.arn;
            const readers = ofType(ctx.run, "aws:iam/rolePolicy:RolePolicy")
                .filter((p) =>
                    parseJson(p.inputs.policy).Statement.some((s: any) =>
                        [s.Resource].flat().includes(arn),
                    ),
                )
                .map((p) => p.name);
            assert.deepStrictEqual(readers, ["compute-web-policy"]);
        });
    },
    ["prod"],
);

forEachStack(
    "session store",
    (ctx) => {
        it("dev (single host): no Redis, no auth token", () => {
            assert.deepStrictEqual(ofType(ctx.run, T.group), []);
            assert.ok(!ctx.run.resources.some((r) => r.name.startsWith("session-store")));
            assert.strictEqual(ctx.run.outputs.redisEndpoint, undefined);
        });
    },
    ["dev"],
);
