import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The private zone the portal's LDAP name lives in: `<namePrefix>.internal`. Not the directory's
 * own domain: a private zone of that name would answer for the whole AD domain in the VPC (the
 * VPC resolver never asks the domain controllers), shadowing every name AD publishes itself.
 */
export function ldapZoneName(namePrefix: string): string {
    return `${namePrefix}.internal`;
}

/** The name Open WebUI binds to (LDAP_SERVER_HOST): known when the program starts, before AD exists. */
export function ldapHostName(namePrefix: string): string {
    return `ldap.${ldapZoneName(namePrefix)}`;
}

/**
 * Problems with the zone's name next to the directory's domain: one inside the other would make
 * the VPC resolver answer for (part of) the AD domain from the zone. Empty when there are none.
 */
export function ldapZoneProblems(namePrefix: string, directoryDomain: string): string[] {
    const zone = ldapZoneName(namePrefix).toLowerCase();
    const domain = directoryDomain.toLowerCase();
    if (zone === domain || zone.endsWith(`.${domain}`) || domain.endsWith(`.${zone}`)) {
        return [
            `directoryDomain: "${directoryDomain}" overlaps the portal's private zone "${zone}" ` +
                "(the VPC resolver would answer for the directory's names from the zone); " +
                `allowed: a domain that is neither "${zone}" nor inside it nor one of its parents`,
        ];
    }
    return [];
}

/**
 * Seconds a resolver may cache the record, and an answer that it does not exist (the zone's SOA:
 * its TTL and its minimum both, RFC 2308 takes the lower). Route 53's SOA default would let the
 * VPC resolver remember a lookup made before the record existed (a sign-in attempt during the
 * deploy) for 900 s; 60 s bounds that, and a new directory address reaches the hosts as fast.
 */
export const LDAP_NAME_TTL_SECONDS = 60;

export interface LdapNameArgs {
    /** Prefix for the zone's name and `Name` tags, e.g. "ai-portal-dev". Required. */
    readonly namePrefix: string;
    /** The VPC the zone answers in (through its resolver, 169.254.169.253). Required. */
    readonly vpcId: pulumi.Input<string>;
    /** The region of that VPC. Required. */
    readonly region: string;
    /** The directory's DNS domain: the zone must not overlap it (`ldapZoneProblems`). Required. */
    readonly directoryDomain: string;
    /** The domain controllers' addresses (the directory's `dnsIpAddresses`). Required. */
    readonly domainControllerIps: pulumi.Input<string[]>;
}

/**
 * The portal's LDAP host name, `ldap.<namePrefix>.internal`: a Route 53 private zone in the VPC,
 * created at once, and an A record of both domain controllers, created once the directory is.
 * The web hosts are told the name (known before anything exists) and resolve it through the VPC
 * resolver at each sign-in, so they boot and pass their health checks without waiting for the
 * directory's 20-40 minutes, and LDAP sign-in works as soon as the bind account exists, with no
 * host replaced. Both addresses in one record: ldap3 tries the next when one does not answer.
 *
 * LDAPS later: a certificate's names must include this one (a SAN on the domain controllers'
 * certificates), or LDAP_SERVER_HOST must go back to a name the certificates carry.
 */
export class LdapName extends pulumi.ComponentResource {
    /** The record's name, e.g. ldap.ai-portal-dev.internal. */
    public readonly hostName: string;
    public readonly zoneId: pulumi.Output<string>;
    /** The A record's FQDN once it exists (depends on the directory). */
    public readonly recordFqdn: pulumi.Output<string>;

    constructor(name: string, args: LdapNameArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:directory:LdapName", name, {}, opts);
        const problems = ldapZoneProblems(args.namePrefix, args.directoryDomain);
        if (problems.length > 0) {
            throw new Error(problems.join("\n"));
        }
        const zoneName = ldapZoneName(args.namePrefix);
        this.hostName = ldapHostName(args.namePrefix);

        const zone = new aws.route53.Zone(
            `${name}-zone`,
            {
                name: zoneName,
                comment: `Private names of ${args.namePrefix} (the portal's LDAP host)`,
                vpcs: [{ vpcId: args.vpcId, vpcRegion: args.region }],
                // Only this program's records are in it.
                forceDestroy: true,
                tags: { Name: `${args.namePrefix}-private-zone` },
            },
            { parent: this },
        );

        // Route 53 creates the SOA with the zone; only its TTL and minimum (the last field) change.
        // Route 53 developer guide, "SOA record": the minimum TTL bounds how long resolvers cache
        // NXDOMAIN. The SOA cannot be deleted, and goes with the zone: retained on delete.
        new aws.route53.Record(
            `${name}-soa`,
            {
                zoneId: zone.zoneId,
                name: zoneName,
                type: "SOA",
                ttl: LDAP_NAME_TTL_SECONDS,
                records: [
                    pulumi.interpolate`${zone.primaryNameServer} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 ${LDAP_NAME_TTL_SECONDS}`,
                ],
                allowOverwrite: true,
            },
            { parent: this, retainOnDelete: true },
        );

        const record = new aws.route53.Record(
            `${name}-record`,
            {
                zoneId: zone.zoneId,
                name: this.hostName,
                type: "A",
                ttl: LDAP_NAME_TTL_SECONDS,
                records: pulumi.output(args.domainControllerIps).apply((ips) => [...ips].sort()),
            },
            { parent: this },
        );

        this.zoneId = zone.zoneId;
        this.recordFqdn = record.fqdn;
        this.registerOutputs({
            hostName: this.hostName,
            zoneId: this.zoneId,
            recordFqdn: this.recordFqdn,
        });
    }
}
