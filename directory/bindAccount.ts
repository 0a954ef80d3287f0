import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { jsonSecret } from "../lib/secret";
import { directoryDataCommand } from "./directoryData";

export const BIND_ACCOUNT = "svc-openwebui";

export interface BindAccountArgs {
    /** Prefix for the secret's name, e.g. "ai-portal-dev". Required. */
    readonly namePrefix: string;
    /** The Managed AD directory the account lives in. Required. */
    readonly directoryId: pulumi.Input<string>;
    /** The directory's DNS domain; the bind identity is the account's user principal name in it. */
    readonly domain: string;
    /** The region the AWS CLI calls (the directory's). Required. */
    readonly region: string;
    /** Secrets Manager recovery window for the account's secret. */
    readonly protect: boolean;
    /**
     * The stack's data key (security/dataKey.ts): the account's secret's; defaults to `aws/secretsmanager`.
     */
    readonly encryptionKeyArn?: pulumi.Input<string>;
}

/**
 * The least-privilege directory account Open WebUI binds with to look users up (never Admin).
 * Created at deploy time on the deploying machine through the Directory Service Data API, so the
 * internet-facing host never holds rights to create users or reset passwords. Its password is
 * generated and kept in Secrets Manager for the web host to read at boot.
 */
export class BindAccount extends pulumi.ComponentResource {
    /** How Open WebUI names the account in its LDAP bind (a user principal name). */
    public readonly bindIdentity: string;
    /** The account's sAMAccountName. */
    public readonly samAccountName = BIND_ACCOUNT;
    public readonly secretArn: pulumi.Output<string>;
    /** Changes whenever the account's password changes. */
    public readonly secretVersionId: pulumi.Output<string>;
    /** The command that creates the account: what must run before anything applies to it. */
    public readonly account: pulumi.Resource;

    constructor(name: string, args: BindAccountArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:directory:BindAccount", name, {}, opts);
        const parent = { parent: this };
        this.bindIdentity = `${BIND_ACCOUNT}@${args.domain}`;

        // Letters and digits only (three classes, as AD requires): nothing for LDAP, a shell or JSON to trip on.
        const password = new random.RandomPassword(
            `${name}-password`,
            { length: 40, special: false, minUpper: 2, minLower: 2, minNumeric: 2 },
            parent,
        );
        const secretPassword = pulumi.secret(password.result);

        const { secret, version } = jsonSecret(`${name}-credentials`, {
            secretName: `${args.namePrefix}/directory/openwebui-bind`,
            description: `LDAP bind account of Open WebUI in ${args.domain}; read by the web host at boot`,
            keepOnDelete: args.protect,
            parent: this,
            kmsKeyId: args.encryptionKeyArn,
            value: secretPassword.apply((value) =>
                JSON.stringify({
                    username: this.bindIdentity,
                    samAccountName: BIND_ACCOUNT,
                    password: value,
                }),
            ),
        });

        const environment = {
            DIRECTORY_ID: args.directoryId,
            BIND_USER: BIND_ACCOUNT,
            BIND_PASSWORD: secretPassword,
            AWS_REGION: args.region,
        };
        this.account = new command.local.Command(
            `${name}-account`,
            {
                interpreter: ["/bin/bash", "-c"],
                create: directoryDataCommand("create-bind-account"),
                update: directoryDataCommand("create-bind-account"),
                delete: directoryDataCommand("delete-bind-account"),
                // A new password or directory is an update, which runs the script again. No
                // `triggers`: a replacement would run the delete script after the create.
                environment,
                logging: "stdoutAndStderr",
            },
            parent,
        );

        this.secretArn = secret.arn;
        this.secretVersionId = version.versionId;
        this.registerOutputs({
            bindIdentity: this.bindIdentity,
            secretArn: this.secretArn,
            secretVersionId: this.secretVersionId,
        });
    }
}
