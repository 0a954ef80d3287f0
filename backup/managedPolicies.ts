/**
 * The managed policies AWS Backup documents for a service role that backs up and restores RDS and
 * S3 (AWS Backup Developer Guide, "Managed policies for AWS Backup"; AWS Managed Policy Reference):
 * the first two are under `service-role/`, the S3 ones are not. Pure: the deploy roles
 * (ci-access/) may attach exactly these.
 */
export const BACKUP_ROLE_POLICIES = [
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
] as const;

/** Their ARNs in `partition`. */
export function backupRolePolicyArns(partition: string): string[] {
    return BACKUP_ROLE_POLICIES.map((policy) => `arn:${partition}:iam::aws:policy/${policy}`);
}
