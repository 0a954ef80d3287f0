/** Network keys: the VPC, its subnets, NAT layout and flow log retention. */
import { NAT_GATEWAY_MODES, NatGatewayMode } from "../network/natGateways";
import { contains, Ipv4Cidr, overlaps, parseCidr } from "./cidr";
import { REGION, REGION_AZ_COUNT, retentionDays } from "./common";
import { ConfigReader } from "./reader";
import { allRead, list, oneOf, readSpec, text } from "./spec";

const VPC_PREFIX = { min: 16, max: 28 };

function prefixProblem(cidrText: string, what: "VPC" | "subnet"): string | undefined {
    const parsed = parseCidr(cidrText);
    if (!parsed.ok) {
        return parsed.reason;
    }
    const { prefixLength } = parsed.cidr;
    return prefixLength < VPC_PREFIX.min || prefixLength > VPC_PREFIX.max
        ? `has prefix /${prefixLength}, outside what a ${what} accepts`
        : undefined;
}

function subnetList(key: string, defaultValue: readonly string[]) {
    const allowed = `a list of 2 to ${REGION_AZ_COUNT} IPv4 CIDR blocks, one per Availability Zone`;
    return list(key, {
        allowed,
        default: defaultValue,
        list: (entries) =>
            entries.length < 2 || entries.length > REGION_AZ_COUNT
                ? {
                      reason: `has ${entries.length} subnet(s); the portal spans at least two Availability Zones and ${REGION} has ${REGION_AZ_COUNT}`,
                      allowed,
                  }
                : undefined,
        item: (entry) => {
            const parsed = parseCidr(entry);
            if (!parsed.ok) {
                return { reason: parsed.reason, allowed: "an IPv4 CIDR block such as 10.0.0.0/24" };
            }
            const reason = prefixProblem(entry, "subnet");
            return reason
                ? { reason, allowed: `a prefix from /${VPC_PREFIX.min} to /${VPC_PREFIX.max}` }
                : undefined;
        },
    });
}

export const NETWORK_SPEC = {
    vpcCidr: text({
        allowed: `an IPv4 CIDR block from /${VPC_PREFIX.min} to /${VPC_PREFIX.max}`,
        default: "10.0.0.0/16",
        check: (v) => prefixProblem(v, "VPC"),
    }),
    publicSubnetCidrs: subnetList("publicSubnetCidrs", ["10.0.0.0/24", "10.0.1.0/24"]),
    privateSubnetCidrs: subnetList("privateSubnetCidrs", ["10.0.10.0/24", "10.0.11.0/24"]),
    natGateways: oneOf(NAT_GATEWAY_MODES, "onePerAz"),
    flowLogRetentionDays: retentionDays(365),
};

export interface NetworkConfig {
    readonly vpcCidr: string;
    /** One per Availability Zone, in AZ order. */
    readonly publicSubnetCidrs: readonly string[];
    /** One per Availability Zone, in AZ order; same length as the public list. */
    readonly privateSubnetCidrs: readonly string[];
    readonly natGateways: NatGatewayMode;
    readonly flowLogRetentionDays: number;
}

export function readNetwork(reader: ConfigReader): NetworkConfig | undefined {
    const values = readSpec(reader, NETWORK_SPEC);
    const before = reader.problems.length;
    if (values.publicSubnetCidrs && values.privateSubnetCidrs) {
        checkSubnetLayout(
            reader,
            values.vpcCidr,
            values.publicSubnetCidrs,
            values.privateSubnetCidrs,
        );
    }
    return allRead(NETWORK_SPEC, values) && reader.problems.length === before ? values : undefined;
}

/** Cross-field rules: as many private subnets as public ones, inside the VPC (when it read), none overlapping. */
function checkSubnetLayout(
    reader: ConfigReader,
    vpcCidr: string | undefined,
    publicCidrs: readonly string[],
    privateCidrs: readonly string[],
): void {
    const cidr = (text: string) => (parseCidr(text) as { ok: true; cidr: Ipv4Cidr }).cidr;
    const [vpc, publicSubnets, privateSubnets] = [
        vpcCidr === undefined ? undefined : cidr(vpcCidr),
        publicCidrs.map(cidr),
        privateCidrs.map(cidr),
    ];
    if (publicSubnets.length !== privateSubnets.length) {
        reader.report(
            reader.qualified("privateSubnetCidrs"),
            JSON.stringify(privateSubnets.map((s) => s.text)),
            `has ${privateSubnets.length} subnet(s) but publicSubnetCidrs has ${publicSubnets.length}; each Availability Zone gets one of each`,
            "a list as long as publicSubnetCidrs",
        );
    }
    const all = [
        ...publicSubnets.map((subnet, i) => ({
            key: `${reader.qualified("publicSubnetCidrs")}[${i}]`,
            cidr: subnet,
        })),
        ...privateSubnets.map((subnet, i) => ({
            key: `${reader.qualified("privateSubnetCidrs")}[${i}]`,
            cidr: subnet,
        })),
    ];
    for (const subnet of vpc ? all : []) {
        if (!contains(vpc!, subnet.cidr)) {
            reader.report(
                subnet.key,
                subnet.cidr.text,
                `lies outside the VPC ${vpc!.text}`,
                `a block inside vpcCidr ${vpc!.text}`,
            );
        }
    }
    for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) {
            if (overlaps(all[i].cidr, all[j].cidr)) {
                reader.report(
                    all[j].key,
                    all[j].cidr.text,
                    `overlaps ${all[i].key} (${all[i].cidr.text})`,
                    "subnets that share no address",
                );
            }
        }
    }
}
