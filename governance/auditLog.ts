import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The audit log group's name: beside the hosts' (`/<prefix>/web`), apart from them. */
export function auditLogGroupName(namePrefix: string): string {
    return `/${namePrefix}/audit`;
}

export interface AuditLogArgs {
    /** Prefix for names, e.g. "ai-portal-prod". Required. */
    readonly namePrefix: string;
    /** Days records are kept (config `auditLogRetentionDays`), not the application logs'. Required. */
    readonly retentionDays: number;
    /**
     * The stack's data key (security/dataKey.ts), whose policy lets CloudWatch Logs use it for the
     * stack's `/<prefix>/*` groups; undefined: CloudWatch Logs' own encryption (dev).
     */
    readonly encryptionKeyArn?: pulumi.Input<string>;
    /** Protect the group from deletion (production: the records are evidence). Defaults to false. */
    readonly protect?: boolean;
}

/**
 * Open WebUI's audit trail in CloudWatch Logs: a log group of its own, so its retention and who
 * may read it differ from the application log's. The web hosts ship the audit file into it
 * (compute/templates/audit-shipper.sh); one stream per host.
 */
export class AuditLog extends pulumi.ComponentResource {
    public readonly logGroupName: string;
    public readonly logGroupArn: pulumi.Output<string>;

    constructor(name: string, args: AuditLogArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:governance:AuditLog", name, {}, opts);
        this.logGroupName = auditLogGroupName(args.namePrefix);
        const group = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            {
                name: this.logGroupName,
                retentionInDays: args.retentionDays,
                kmsKeyId: args.encryptionKeyArn,
                tags: { Name: `${args.namePrefix}-audit` },
            },
            { parent: this, protect: args.protect ?? false },
        );
        this.logGroupArn = group.arn;
        this.registerOutputs({ logGroupName: this.logGroupName, logGroupArn: this.logGroupArn });
    }
}
