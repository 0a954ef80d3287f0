/** Network keys: the VPC, its subnets, NAT layout and flow log retention. */
import { contains, Ipv4Cidr, overlaps, parseCidr } from "./cidr";
import { readRetentionDays, REGION, REGION_AZ_COUNT } from "./common";
import { ConfigReader, ConfigValueType } from "./reader";

export const NETWORK_KEYS: Readonly<Record<string, ConfigValueType>> = {
    vpcCidr: "string",
    publicSubnetCidrs: "array",
    privateSubnetCidrs: "array",
    natGateways: "string",
    flowLogRetentionDays: "integer",
};

export const NAT_GATEWAY_MODES = ["single", "onePerAz"] as const;
export type NatGatewayMode = (typeof NAT_GATEWAY_MODES)[number];

export interface NetworkConfig {
    readonly vpcCidr: string;
    /** One per Availability Zone, in AZ order. */
    readonly publicSubnetCidrs: readonly string[];
    /** One per Availability Zone, in AZ order; same length as the public list. */
    readonly privateSubnetCidrs: readonly string[];
    /** `single`: one NAT gateway shared by all AZs (cheaper). `onePerAz`: an AZ outage leaves the others' egress intact. */
    readonly natGateways: NatGatewayMode;
    readonly flowLogRetentionDays: number;
}

const VPC_PREFIX = { min: 16, max: 28 };

export function readNetwork(reader: ConfigReader): NetworkConfig | undefined {
    const vpcText = reader.string("vpcCidr", `an IPv4 CIDR block from /${VPC_PREFIX.min} to /${VPC_PREFIX.max}`, (v) => {
        const parsed = parseCidr(v);
        if (!parsed.ok) {
            return parsed.reason;
        }
        const { prefixLength } = parsed.cidr;
        return prefixLength < VPC_PREFIX.min || prefixLength > VPC_PREFIX.max ? `has prefix /${prefixLength}, outside what a VPC accepts` : undefined;
    });
    const publicSubnets = readSubnetList(reader, "publicSubnetCidrs");
    const privateSubnets = readSubnetList(reader, "privateSubnetCidrs");
    const natGateways = reader.oneOf("natGateways", NAT_GATEWAY_MODES);
    const flowLogRetentionDays = readRetentionDays(reader, "flowLogRetentionDays");

    if (publicSubnets && privateSubnets) {
        const vpc = vpcText === undefined ? undefined : parseCidr(vpcText);
        checkSubnetLayout(reader, vpc?.ok ? vpc.cidr : undefined, publicSubnets, privateSubnets);
    }
    if (vpcText === undefined || !publicSubnets || !privateSubnets || !natGateways || flowLogRetentionDays === undefined) {
        return undefined;
    }
    return {
        vpcCidr: vpcText,
        publicSubnetCidrs: publicSubnets.map((s) => s.text),
        privateSubnetCidrs: privateSubnets.map((s) => s.text),
        natGateways,
        flowLogRetentionDays,
    };
}

function readSubnetList(reader: ConfigReader, key: string): Ipv4Cidr[] | undefined {
    const allowed = `a list of 2 to ${REGION_AZ_COUNT} IPv4 CIDR blocks, one per Availability Zone`;
    const list = reader.stringList(key, allowed);
    if (!list) {
        return undefined;
    }
    let valid = true;
    if (list.length < 2 || list.length > REGION_AZ_COUNT) {
        reader.report(
            reader.qualified(key),
            JSON.stringify(list),
            `has ${list.length} subnet(s); the portal spans at least two Availability Zones and ${REGION} has ${REGION_AZ_COUNT}`,
            allowed,
        );
        valid = false;
    }
    const parsed: Ipv4Cidr[] = [];
    list.forEach((text, i) => {
        const result = parseCidr(text);
        if (!result.ok) {
            reader.report(`${reader.qualified(key)}[${i}]`, text, result.reason, "an IPv4 CIDR block such as 10.0.0.0/24");
            valid = false;
        } else if (result.cidr.prefixLength < VPC_PREFIX.min || result.cidr.prefixLength > VPC_PREFIX.max) {
            reader.report(`${reader.qualified(key)}[${i}]`, text, `has prefix /${result.cidr.prefixLength}, outside what a subnet accepts`, `a prefix from /${VPC_PREFIX.min} to /${VPC_PREFIX.max}`);
            valid = false;
        } else {
            parsed.push(result.cidr);
        }
    });
    return valid ? parsed : undefined;
}

function checkSubnetLayout(reader: ConfigReader, vpc: Ipv4Cidr | undefined, publicSubnets: Ipv4Cidr[], privateSubnets: Ipv4Cidr[]): void {
    if (publicSubnets.length !== privateSubnets.length) {
        reader.report(
            reader.qualified("privateSubnetCidrs"),
            JSON.stringify(privateSubnets.map((s) => s.text)),
            `has ${privateSubnets.length} subnet(s) but publicSubnetCidrs has ${publicSubnets.length}; each Availability Zone gets one of each`,
            "a list as long as publicSubnetCidrs",
        );
    }
    const all = [
        ...publicSubnets.map((cidr, i) => ({ key: `${reader.qualified("publicSubnetCidrs")}[${i}]`, cidr })),
        ...privateSubnets.map((cidr, i) => ({ key: `${reader.qualified("privateSubnetCidrs")}[${i}]`, cidr })),
    ];
    if (vpc) {
        for (const subnet of all) {
            if (!contains(vpc, subnet.cidr)) {
                reader.report(subnet.key, subnet.cidr.text, `lies outside the VPC ${vpc.text}`, `a block inside vpcCidr ${vpc.text}`);
            }
        }
    }
    for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) {
            if (overlaps(all[i].cidr, all[j].cidr)) {
                reader.report(all[j].key, all[j].cidr.text, `overlaps ${all[i].key} (${all[i].cidr.text})`, "subnets that share no address");
            }
        }
    }
}
