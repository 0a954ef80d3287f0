import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DatabaseConfig } from "../config";
import { PORTS } from "../lib/ports";
import { performanceInsightsFor } from "./engine";
import { jsonSecret } from "../lib/secret";
import type { DatabaseRestore } from "../config";
import { checkRestoredFrom, RESTORE_INPUTS, restoreInputs } from "./restore";

/** The database Open WebUI keeps its data in, and the role it connects as. */
export const DATABASE_NAME = "aiportal";
export const MASTER_USERNAME = "portal_admin";
export const APP_USERNAME = "openwebui";
/** The usage gate's role and the schema it owns (gate/store.ts; created by the role bootstrap). */
export const GATE_USERNAME = "usage_gate";
export const GATE_SCHEMA = "usage_gate";

/**
 * The CA that signs the instance's server certificate, set explicitly so that the one root the
 * clients trust (`RDS_CA_BUNDLE`) is the one in use. A change is applied in place (a reboot in the
 * maintenance window), never a replacement.
 */
export const RDS_CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1";

/**
 * "Amazon RDS eu-west-2 Root CA RSA2048 G1" (valid to 2061), from AWS's RDS trust store
 * (truststore.pki.rds.amazonaws.com/eu-west-2/eu-west-2-bundle.pem). Shipped with the program,
 * so clients verify the database's certificate without fetching anything at boot.
 */
export const RDS_CA_BUNDLE = fs.readFileSync(
    path.join(__dirname, "rds-ca", "eu-west-2-rsa2048-g1.pem"),
    "utf8",
);

export interface DatabaseArgs extends DatabaseConfig {
    /** Prefix for identifiers, secret names and `Name` tags, e.g. "ai-portal-dev". */
    readonly namePrefix: string;
    /** The VPC the database's security group belongs to. Required. */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets (two AZs or more) the DB subnet group spans. */
    readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Retention of the PostgreSQL log groups in CloudWatch Logs. */
    readonly logRetentionDays: number;
    /**
     * The stack's data key (security/dataKey.ts) for the storage, Performance Insights, the
     * master and Open WebUI secrets and the log groups. Defaults to the AWS-managed keys
     * (`aws/rds`, `aws/secretsmanager`). The instance keeps the keys it was created with
     * (`DATABASE_KEY_INPUTS`): moving it to another key is a snapshot copy and a restore.
     */
    readonly encryptionKeyArn?: pulumi.Input<string>;
    /**
     * Create the instance from this backup instead of empty (config `restoreFromSnapshot`,
     * `restoreToTime`; data/restore.ts). Read only when the instance is created. Defaults to none.
     */
    readonly restore?: DatabaseRestore;
}

/**
 * The instance's key inputs, fixed for its lifetime: a new storage key replaces the instance (the
 * provider's `kms_key_id` forces a new resource), and RDS refuses a new Performance Insights key
 * ("Once KMS key is set, it can never be changed", @pulumi/aws rds.Instance) or a new key for a
 * master secret it already manages (RDS API, ModifyDBInstance `MasterUserSecretKmsKeyId`). A new
 * instance is created with the stack's key; an existing one keeps its own when the stack moves to
 * another key (README, "Encryption keys": how to move the database deliberately).
 */
export const DATABASE_KEY_INPUTS = [
    "kmsKeyId",
    "performanceInsightsKmsKeyId",
    "masterUserSecretKmsKeyId",
] as const;

/**
 * `postgresql://` URL for Open WebUI's DATABASE_URL, password URL-encoded. No `sslmode` in it:
 * asyncpg (behind SQLAlchemy) rejects it as an unknown argument, and `require` would not verify
 * the server anyway. Clients get `PGSSLMODE=verify-full` and `PGSSLROOTCERT` from their
 * environment instead, which libpq, psycopg and asyncpg all read.
 */
export function databaseUrl(
    username: string,
    password: string,
    host: string,
    port: number,
    database: string,
): string {
    return `postgresql://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
}

/**
 * PostgreSQL settings that keep statement text out of the server log (PostgreSQL 15 manual, "Error
 * Reporting and Logging"): a statement is logged when it runs long (log_min_duration_statement),
 * when it is of a logged class (log_statement) or when it fails at or above
 * log_min_error_statement (default `error`, so every failing INSERT of a chat message).
 */
export const STATEMENT_LOGGING_OFF: readonly (readonly [string, string])[] = [
    ["log_min_duration_statement", "-1"],
    ["log_statement", "none"],
    ["log_min_error_statement", "panic"],
];

/**
 * RDS for PostgreSQL in the private subnets: encrypted gp3 storage, TLS forced, automated backups,
 * an RDS-managed (rotating) master password in Secrets Manager, and a separate secret holding
 * Open WebUI's own credentials and URL. With `deletionProtection` the instance also gets a final
 * snapshot on delete and Pulumi `protect`, so neither a console click nor a `pulumi up` can drop it.
 *
 * Its security group has no rules here: the compute tier's traffic matrix adds the one ingress.
 */
export class Database extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    /** Host name of the instance (no port). */
    public readonly address: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    public readonly databaseName: string = DATABASE_NAME;
    /** RDS identifier, also the stem of the final snapshot and log group names. */
    public readonly identifier: string;
    /**
     * The same identifier as an output of the instance: what takes it waits for the instance to
     * exist (the pre-upgrade snapshot, compute/upgrade.ts).
     */
    public readonly createdIdentifier: pulumi.Output<string>;
    /** Secrets Manager secret RDS manages (and rotates) for the master user. */
    public readonly masterSecretArn: pulumi.Output<string>;
    /** Secrets Manager secret with Open WebUI's username, password, port and database name. */
    public readonly appSecretArn: pulumi.Output<string>;
    /** Changes whenever Open WebUI's credentials change. */
    public readonly appSecretVersionId: pulumi.Output<string>;
    /** Secrets Manager secret with the usage gate's username, password, schema, port and database. */
    public readonly gateSecretArn: pulumi.Output<string>;
    /** Changes whenever the gate's credentials change. */
    public readonly gateSecretVersionId: pulumi.Output<string>;
    /** Name of the snapshot RDS takes when the instance is deleted (protected stacks only). */
    public readonly finalSnapshotIdentifier: pulumi.Output<string> | undefined;
    /** The backup the instance was created from ("" when empty); fails on a restore that did not happen. */
    public readonly restoredFrom: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:data:Database", name, {}, opts);
        const parent = { parent: this };
        const protectData = args.deletionProtection;
        const performanceInsights = performanceInsightsFor(args.instanceClass);
        this.identifier = `${args.namePrefix}-postgres`;

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description:
                    "PostgreSQL for the AI Portal; ingress is declared by the traffic matrix",
                // Rules of other groups that reference this one would otherwise block its deletion.
                revokeRulesOnDelete: true,
                tags: { Name: `${args.namePrefix}-postgres` },
            },
            parent,
        );

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            {
                subnetIds: args.privateSubnetIds,
                description: `Private subnets of ${args.namePrefix}`,
                tags: { Name: `${args.namePrefix}-postgres` },
            },
            parent,
        );

        const parameterGroup = new aws.rds.ParameterGroup(
            `${name}-params`,
            {
                family: `postgres${args.engineMajorVersion}`,
                // The description is fixed at creation (a new one replaces the group, and the
                // instance then needs a reboot to take it up): it predates the logging below.
                description: `${args.namePrefix}: TLS required, slow statements logged`,
                parameters: [
                    // pending-reboot is accepted for static and dynamic parameters alike; a new
                    // instance starts with them applied.
                    { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
                    // No statement text in the exported `postgresql` log: statements carry chat
                    // messages and document chunks. Not for slow statements (-1: off), not for
                    // failing ones (their text is logged from log_min_error_statement's level;
                    // panic: never), and no statement classes. Durations and normalised
                    // statements are in Performance Insights. Dynamic, so applied at once.
                    ...STATEMENT_LOGGING_OFF.map(([name, value]) => ({
                        name,
                        value,
                        applyMethod: "immediate",
                    })),
                ],
                tags: { Name: `${args.namePrefix}-postgres` },
            },
            parent,
        );

        // RDS would create these on first export without a retention; creating them first keeps
        // the retention ours.
        const logGroups = ["postgresql", "upgrade"].map(
            (log) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${log}-logs`,
                    {
                        name: `/aws/rds/instance/${this.identifier}/${log}`,
                        retentionInDays: args.logRetentionDays,
                        kmsKeyId: args.encryptionKeyArn,
                        tags: { Name: `${args.namePrefix}-postgres-${log}` },
                    },
                    parent,
                ),
        );

        // A final snapshot needs a name no earlier deletion used: RDS refuses to delete an instance
        // whose final snapshot name exists. The suffix is made with the instance and kept in the
        // stack's state, so every run renders the same name; a new identifier gets a new suffix.
        const finalSnapshotSuffix = protectData
            ? new random.RandomId(
                  `${name}-final-snapshot-suffix`,
                  { byteLength: 4, keepers: { identifier: this.identifier } },
                  parent,
              )
            : undefined;
        this.finalSnapshotIdentifier =
            finalSnapshotSuffix &&
            pulumi.interpolate`${this.identifier}-final-${finalSnapshotSuffix.hex}`;

        const instance = new aws.rds.Instance(
            `${name}-postgres`,
            {
                identifier: this.identifier,
                engine: "postgres",
                // A major only: with auto minor upgrades the provider accepts the running minor.
                engineVersion: args.engineMajorVersion,
                autoMinorVersionUpgrade: true,
                allowMajorVersionUpgrade: false,
                instanceClass: args.instanceClass,
                storageType: "gp3",
                allocatedStorage: args.allocatedStorageGb,
                maxAllocatedStorage: args.maxAllocatedStorageGb,
                storageEncrypted: true,
                // A restore brings the database, the master user and the storage key with the data.
                // RDS takes no KmsKeyId on a restore (RestoreDBInstanceFromDBSnapshot,
                // RestoreDBInstanceToPointInTime), so none is declared. `dbName` and `username` stay:
                // they are this program's everywhere (a backup of its stacks has the same ones), the
                // provider sends neither on a snapshot restore of PostgreSQL (DBName "doesn't apply",
                // and MasterUsername is no restore parameter), and a change would replace the
                // instance (restore keys set on a stack that has a database change neither).
                ...restoreInputs(args.restore),
                kmsKeyId: args.restore ? undefined : args.encryptionKeyArn,
                dbName: DATABASE_NAME,
                port: PORTS.postgres,
                username: MASTER_USERNAME,
                // RDS keeps the master password in Secrets Manager and rotates it; it never enters
                // this program or its state.
                manageMasterUserPassword: true,
                masterUserSecretKmsKeyId: args.encryptionKeyArn,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [securityGroup.id],
                parameterGroupName: parameterGroup.name,
                publiclyAccessible: false,
                caCertIdentifier: RDS_CA_CERT_IDENTIFIER,
                multiAz: args.multiAz,
                backupRetentionPeriod: args.backupRetentionDays,
                backupWindow: args.backupWindow,
                maintenanceWindow: args.maintenanceWindow,
                copyTagsToSnapshot: true,
                deletionProtection: protectData,
                skipFinalSnapshot: !protectData,
                finalSnapshotIdentifier: this.finalSnapshotIdentifier,
                deleteAutomatedBackups: !protectData,
                // Protected stacks take disruptive changes (class, parameters) in the maintenance window.
                applyImmediately: !protectData,
                performanceInsightsEnabled: performanceInsights,
                // Named explicitly: the stack's key, or the key RDS would pick anyway (aws/rds), so
                // what encrypts the Performance Insights data is visible in code and to the pack.
                performanceInsightsKmsKeyId: performanceInsights
                    ? (args.encryptionKeyArn ??
                      aws.kms.getAliasOutput({ name: "alias/aws/rds" }, parent).targetKeyArn)
                    : undefined,
                performanceInsightsRetentionPeriod: performanceInsights ? 7 : undefined,
                enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                tags: { Name: `${args.namePrefix}-postgres` },
            },
            {
                parent: this,
                protect: protectData,
                dependsOn: logGroups,
                // Never replaced, nor failed, for a key change (DATABASE_KEY_INPUTS) or for restore
                // keys set or unset after creation (data/restore.ts; checked by restoredFrom).
                ignoreChanges: [...DATABASE_KEY_INPUTS, ...RESTORE_INPUTS],
            },
        );

        const appPassword = new random.RandomPassword(
            `${name}-openwebui-password`,
            // Letters and digits only: safe in a URL, a shell and an env file without quoting.
            { length: 40, special: false, minUpper: 2, minLower: 2, minNumeric: 2 },
            parent,
        );
        const appCredentials = jsonSecret(`${name}-openwebui-credentials`, {
            secretName: `${args.namePrefix}/database/openwebui`,
            description: `Open WebUI's PostgreSQL role and URL for ${args.namePrefix}; read by the web host at boot`,
            keepOnDelete: protectData,
            parent: this,
            kmsKeyId: args.encryptionKeyArn,
            // Nothing of the instance: this version exists minutes after the network, so the web
            // hosts (whose user data names it) need not wait for the database's creation; they
            // look the instance's address up at boot (compute/templates/web.sh).
            value: pulumi.secret(appPassword.result).apply((password) =>
                JSON.stringify({
                    engine: "postgres",
                    username: APP_USERNAME,
                    password,
                    port: PORTS.postgres,
                    dbname: DATABASE_NAME,
                }),
            ),
        });

        // The usage gate's own role (gate/, on the gateway hosts): a password of its own, so
        // neither role can act as the other; the role bootstrap creates the role and its schema.
        const gatePassword = new random.RandomPassword(
            `${name}-usage-gate-password`,
            { length: 40, special: false, minUpper: 2, minLower: 2, minNumeric: 2 },
            parent,
        );
        const gateCredentials = jsonSecret(`${name}-usage-gate-credentials`, {
            secretName: `${args.namePrefix}/database/usage-gate`,
            description: `The usage gate's PostgreSQL role and schema for ${args.namePrefix}; read by the gateway hosts at boot`,
            keepOnDelete: protectData,
            parent: this,
            kmsKeyId: args.encryptionKeyArn,
            value: pulumi.secret(gatePassword.result).apply((password) =>
                JSON.stringify({
                    engine: "postgres",
                    username: GATE_USERNAME,
                    password,
                    port: PORTS.postgres,
                    dbname: DATABASE_NAME,
                    schema: GATE_SCHEMA,
                }),
            ),
        });

        this.securityGroupId = securityGroup.id;
        this.address = instance.address;
        this.createdIdentifier = instance.identifier;
        this.port = instance.port;
        this.masterSecretArn = instance.masterUserSecrets.apply((secrets) => {
            if (secrets.length === 0) {
                throw new Error(`${this.identifier}: RDS reported no managed master user secret`);
            }
            return secrets[0].secretArn;
        });
        this.appSecretArn = appCredentials.secret.arn;
        this.restoredFrom = pulumi
            .all([instance.snapshotIdentifier, instance.restoreToPointInTime])
            .apply(([snapshotIdentifier, restoreToPointInTime]) =>
                checkRestoredFrom(this.identifier, args.restore, {
                    snapshotIdentifier,
                    restoreToPointInTime,
                }),
            );
        this.appSecretVersionId = appCredentials.version.versionId;
        this.gateSecretArn = gateCredentials.secret.arn;
        this.gateSecretVersionId = gateCredentials.version.versionId;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            address: this.address,
            port: this.port,
            databaseName: this.databaseName,
            identifier: this.identifier,
            createdIdentifier: this.createdIdentifier,
            masterSecretArn: this.masterSecretArn,
            appSecretArn: this.appSecretArn,
            appSecretVersionId: this.appSecretVersionId,
            gateSecretArn: this.gateSecretArn,
            gateSecretVersionId: this.gateSecretVersionId,
            finalSnapshotIdentifier: this.finalSnapshotIdentifier,
            restoredFrom: this.restoredFrom,
        });
    }
}
