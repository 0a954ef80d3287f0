/**
 * The portal's stack configuration: raw Pulumi config in, one typed and frozen object (or the full
 * list of problems) out. Pure, so every rule is tested without the Pulumi runtime; `load.ts` is the
 * thin layer that feeds it the real config and stops the program before any resource exists.
 *
 * Key names, types and defaults are declared once, in Pulumi.yaml; `CONFIG_KEYS` mirrors the names
 * and types so the reader can check them, and a test keeps the two in step.
 */
import { contains, Ipv4Cidr, overlaps, parseCidr } from "./cidr";
import { ConfigProblem, ConfigReader, ConfigValueType, formatProblem, RawConfig } from "./reader";

export { ConfigProblem, RawConfig, formatProblem } from "./reader";

export const PROJECT = "ai-portal";
/** The only region the portal is built, priced and tested for (EU Bedrock inference profiles). */
export const REGION = "eu-west-2";
/** Standard Availability Zones in eu-west-2; subnets are spread over the first N of them. */
export const REGION_AZ_COUNT = 3;

/** Every key of the `ai-portal:` namespace and its Pulumi.yaml type. */
export const CONFIG_KEYS: Readonly<Record<string, ConfigValueType>> = Object.freeze({
    vpcCidr: "string",
    publicSubnetCidrs: "array",
    privateSubnetCidrs: "array",
    natGateways: "string",
    flowLogRetentionDays: "integer",
});

/** Retention values CloudWatch Logs accepts (0, "never expire", is deliberately not allowed). */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = Object.freeze([
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);

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

export interface PortalConfig {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    /** Tags every taggable resource carries, applied once through the AWS provider's default tags. */
    readonly tags: Readonly<Record<string, string>>;
    readonly network: NetworkConfig;
}

export type ConfigResult =
    | { readonly ok: true; readonly config: PortalConfig }
    | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export interface ConfigInput {
    readonly project?: string;
    readonly stack: string;
    readonly raw: RawConfig;
}

const retentionAllowed = `one of ${CLOUDWATCH_RETENTION_DAYS.join(", ")}`;
const VPC_PREFIX = { min: 16, max: 28 };

function readNetwork(reader: ConfigReader): NetworkConfig | undefined {
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
    const flowLogRetentionDays = reader.integer("flowLogRetentionDays", retentionAllowed, (v) =>
        CLOUDWATCH_RETENTION_DAYS.includes(v) ? undefined : "is not a retention period CloudWatch Logs accepts",
    );

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

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
        for (const child of Object.values(value)) {
            deepFreeze(child);
        }
        Object.freeze(value);
    }
    return value;
}

/**
 * Turns raw config into the typed, frozen portal config, or returns every problem found.
 * Never throws for bad user input.
 */
export function parseConfig(input: ConfigInput): ConfigResult {
    const project = input.project ?? PROJECT;
    const reader = new ConfigReader(input.raw, project, CONFIG_KEYS);
    reader.rejectUnknownKeys();

    const region = input.raw["aws:region"];
    if (region !== REGION) {
        reader.report("aws:region", region, `the portal is built, priced and tested for ${REGION} only`, JSON.stringify(REGION));
    }
    const network = readNetwork(reader);

    if (reader.problems.length > 0 || !network) {
        return { ok: false, problems: [...reader.problems] };
    }
    return {
        ok: true,
        config: deepFreeze({
            project,
            stack: input.stack,
            region: REGION,
            tags: { Project: project, Stack: input.stack, ManagedBy: "pulumi" },
            network,
        }),
    };
}

/** One message listing every problem, for the error that stops the program. */
export function describeProblems(stack: string, problems: readonly ConfigProblem[]): string {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return [
        `Stack "${stack}" has an invalid configuration (${count}); nothing was deployed:`,
        ...problems.map((p) => `  - ${formatProblem(p)}`),
        `Fix the values with \`pulumi config set\` or in Pulumi.${stack}.yaml; Pulumi.yaml lists every key with its type and default.`,
    ].join("\n");
}
