import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface JsonSecretArgs {
    /** Secrets Manager name, e.g. "ai-portal-dev/database/openwebui". */
    readonly secretName: string;
    /** What the secret holds and who reads it. Required. */
    readonly description: string;
    /** The JSON document to store; always sent as a secret. */
    readonly value: pulumi.Input<string>;
    /**
     * Keep the secret recoverable for 30 days after it is deleted (protected data); otherwise it
     * is deleted at once, so a destroyed dev stack can be re-created under the same names.
     */
    readonly keepOnDelete: boolean;
    /** The component that owns the secret. Required. */
    readonly parent: pulumi.Resource;
    /**
     * The stack's data key (security/dataKey.ts). Defaults to Secrets Manager's AWS-managed key
     * (`aws/secretsmanager`). A change is made in place (UpdateSecret), never a new secret.
     */
    readonly kmsKeyId?: pulumi.Input<string>;
}

/** A Secrets Manager secret holding one JSON document: the portal's one way to store a secret. */
export function jsonSecret(
    name: string,
    args: JsonSecretArgs,
): { secret: aws.secretsmanager.Secret; version: aws.secretsmanager.SecretVersion } {
    const secret = new aws.secretsmanager.Secret(
        name,
        {
            name: args.secretName,
            description: args.description,
            recoveryWindowInDays: args.keepOnDelete ? 30 : 0,
            kmsKeyId: args.kmsKeyId,
            tags: { Name: args.secretName.replace(/\//g, "-") },
        },
        { parent: args.parent },
    );
    const version = new aws.secretsmanager.SecretVersion(
        name,
        { secretId: secret.id, secretString: pulumi.secret(args.value) },
        { parent: args.parent },
    );
    return { secret, version };
}
