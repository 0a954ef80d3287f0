/** The database: encryption, exposure, backups, TLS, logs, upgrades, and data kept on deletion. */
import * as aws from "@pulumi/aws";
import {
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { fromProperty, onProductionStack } from "./common";

const T = {
    rds: "aws:rds/instance:Instance",
    parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
};

export const rdsEncryptedPrivateBackedUp: ResourceValidationPolicy = {
    name: "rds-encrypted-private-backed-up",
    description:
        "RDS instances are encrypted, not publicly accessible, and keep automated backups for 7 days or more.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.Instance, (db, _, report) => {
        if (db.storageEncrypted !== true) {
            report("storage is not encrypted (storageEncrypted must be true)");
        }
        if (db.publiclyAccessible === true) {
            report("the instance is publicly accessible");
        }
        if (!((db.backupRetentionPeriod ?? 0) >= 7)) {
            report(
                `backups are kept ${db.backupRetentionPeriod ?? 0} days; at least 7 are required`,
            );
        }
    }),
};

export const rdsLogsAndUpgrades: ResourceValidationPolicy = {
    name: "rds-logs-exported-minor-upgrades-on",
    description:
        "RDS instances export their engine logs to CloudWatch Logs and take automatic minor version upgrades (security fixes).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.Instance, (db, _, report) => {
        const exported = db.enabledCloudwatchLogsExports ?? [];
        if (db.engine === "postgres" && !exported.includes("postgresql")) {
            report(
                'the PostgreSQL log is not exported (enabledCloudwatchLogsExports lacks "postgresql")',
            );
        } else if (exported.length === 0) {
            report("no log is exported to CloudWatch Logs (enabledCloudwatchLogsExports is empty)");
        }
        if (db.autoMinorVersionUpgrade === false) {
            report("automatic minor version upgrades are off, so security fixes wait for someone");
        }
    }),
};

export const rdsPerformanceInsightsKey: ResourceValidationPolicy = {
    name: "rds-performance-insights-explicit-key",
    description:
        "Performance Insights, where on, names the KMS key that encrypts its data (queries hold data).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.Instance, (db, _, report) => {
        if (db.performanceInsightsEnabled === true && !db.performanceInsightsKmsKeyId) {
            report(
                "Performance Insights is on without performanceInsightsKmsKeyId: the key that encrypts captured queries is left to chance",
            );
        }
    }),
};

export const prodRdsProtected: ResourceValidationPolicy = {
    name: "prod-rds-multi-az-protected-final-snapshot",
    description:
        "On production stacks RDS instances are Multi-AZ, have deletion protection, and take a final snapshot when deleted.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.Instance, (db, args, report) => {
        if (!onProductionStack(args)) {
            return;
        }
        if (db.multiAz !== true) {
            report("a production database must be Multi-AZ");
        }
        if (db.deletionProtection !== true) {
            report("a production database must have deletion protection");
        }
        if (db.skipFinalSnapshot === true || !db.finalSnapshotIdentifier) {
            report(
                "a production database must take a final snapshot when deleted (skipFinalSnapshot false and a finalSnapshotIdentifier)",
            );
        }
    }),
};

export const rdsTlsForced: StackValidationPolicy = {
    name: "rds-tls-forced",
    description: "RDS for PostgreSQL instances use a parameter group with rds.force_ssl = 1.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const db of args.resources.filter(
            (r) => r.type === T.rds && r.props.engine === "postgres",
        )) {
            const groups = fromProperty(db, "parameterGroupName").filter(
                (g) => g.type === T.parameterGroup,
            );
            const forced = groups.some((g) =>
                // Stryker disable next-line ArrayDeclaration: a stray entry is no rds.force_ssl
                (g.props.parameters ?? []).some(
                    (p: { name: string; value: unknown }) =>
                        p.name === "rds.force_ssl" && String(p.value) === "1",
                ),
            );
            if (!forced) {
                report(
                    `${db.name}: no parameter group of this stack forces TLS (rds.force_ssl = 1)`,
                    db.urn,
                );
            }
        }
    },
};
