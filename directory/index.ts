import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DirectoryEdition } from "./editions";
import { jsonSecret } from "../lib/secret";

export interface DirectoryArgs {
    /** Prefix for secret names and `Name` tags, e.g. "ai-portal-dev". */
    readonly namePrefix: string;
    /** The VPC the domain controllers join. Required. */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets in AZ order; the two domain controllers go into the first two (two AZs). */
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** Fully qualified domain, e.g. corp.aiportal.internal. */
    readonly domain: string;
    /** NetBIOS name, e.g. CORP. */
    readonly shortName: string;
    /** `Standard` or `Enterprise`; a change replaces the directory. Required. */
    readonly edition: DirectoryEdition;
    /** Pulumi `protect`: no update may delete or replace the directory. */
    readonly protect: boolean;
    /**
     * The stack's data key (security/dataKey.ts): the admin secret's (Managed AD itself takes no key of ours); defaults to `aws/secretsmanager`.
     */
    readonly encryptionKeyArn?: pulumi.Input<string>;
}

export interface DirectoryNames {
    /** "DC=corp,DC=aiportal,DC=internal" */
    readonly domainDn: string;
    /** Where AWS Managed AD keeps the directory's users: "OU=Users,OU=CORP,DC=..." (the LDAP search base). */
    readonly usersOuDn: string;
    /** The built-in administrator: "CN=Admin,OU=Users,OU=CORP,DC=...". */
    readonly adminDn: string;
}

/** Distinguished names AWS Managed Microsoft AD uses for a domain and NetBIOS name. */
export function directoryNames(domain: string, shortName: string): DirectoryNames {
    const domainDn = domain
        .split(".")
        .map((label) => `DC=${label}`)
        .join(",");
    const usersOuDn = `OU=Users,OU=${shortName},${domainDn}`;
    return { domainDn, usersOuDn, adminDn: `CN=Admin,${usersOuDn}` };
}

/**
 * Characters allowed besides letters and digits in the Admin password: no "!" (it breaks Open
 * WebUI's LDAP bind), nothing a shell, a URL or an env file would interpret.
 */
export const ADMIN_PASSWORD_SPECIALS = "-_.~";

/**
 * AWS Managed Microsoft AD with two domain controllers in two private subnets. The Admin password
 * is generated and kept in Secrets Manager; it is the bootstrap credential only (the portal binds
 * with its own service account). Creation takes 20-40 minutes, so only what needs the directory
 * should depend on it.
 */
export class Directory extends pulumi.ComponentResource {
    public readonly directoryId: pulumi.Output<string>;
    public readonly domain: string;
    public readonly shortName: string;
    /** The domain controllers' addresses: DNS and LDAP servers of the domain. */
    public readonly dnsIpAddresses: pulumi.Output<string[]>;
    /** The security group AWS creates for the domain controllers. */
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly names: DirectoryNames;
    /** Secrets Manager secret with the Admin username and password. */
    public readonly adminSecretArn: pulumi.Output<string>;

    constructor(name: string, args: DirectoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:directory:Directory", name, {}, opts);
        const parent = { parent: this };
        this.domain = args.domain;
        this.shortName = args.shortName;
        this.names = directoryNames(args.domain, args.shortName);

        // Fixed parameters: a changed password input replaces the whole directory.
        const adminPassword = new random.RandomPassword(
            `${name}-admin-password`,
            {
                length: 32,
                special: true,
                overrideSpecial: ADMIN_PASSWORD_SPECIALS,
                minUpper: 2,
                minLower: 2,
                minNumeric: 2,
                minSpecial: 2,
            },
            parent,
        );
        const password = pulumi.secret(adminPassword.result);

        const directory = new aws.directoryservice.Directory(
            `${name}-ad`,
            {
                type: "MicrosoftAD",
                edition: args.edition,
                name: args.domain,
                shortName: args.shortName,
                password,
                // CreateMicrosoftAD's description allows no parentheses or commas:
                // ^([a-zA-Z0-9_])[\\a-zA-Z0-9_@#%*+=:?./!\s-]*$ (at most 128 characters).
                description: `AI Portal directory for ${args.namePrefix}`,
                // The Directory Service Data API creates the portal's LDAP bind account at deploy time.
                enableDirectoryDataAccess: true,
                vpcSettings: {
                    vpcId: args.vpcId,
                    subnetIds: pulumi.output(args.privateSubnetIds).apply((ids) => ids.slice(0, 2)),
                },
                tags: { Name: `${args.namePrefix}-directory` },
            },
            { parent: this, protect: args.protect },
        );

        const adminSecret = jsonSecret(`${name}-admin-credentials`, {
            secretName: `${args.namePrefix}/directory/admin`,
            description: `Bootstrap Admin credentials of ${args.domain} (${args.namePrefix}); not used by the portal at run time`,
            keepOnDelete: args.protect,
            parent: this,
            kmsKeyId: args.encryptionKeyArn,
            value: password.apply((value) =>
                JSON.stringify({
                    username: "Admin",
                    password: value,
                    domain: args.domain,
                    shortName: args.shortName,
                    dn: this.names.adminDn,
                }),
            ),
        }).secret;

        this.directoryId = directory.id;
        this.dnsIpAddresses = directory.dnsIpAddresses.apply((ips) => [...ips].sort());
        this.securityGroupId = directory.securityGroupId;
        this.adminSecretArn = adminSecret.arn;
        this.registerOutputs({
            directoryId: this.directoryId,
            domain: this.domain,
            shortName: this.shortName,
            dnsIpAddresses: this.dnsIpAddresses,
            securityGroupId: this.securityGroupId,
            names: this.names,
            adminSecretArn: this.adminSecretArn,
        });
    }
}
