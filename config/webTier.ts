/**
 * Web tier keys: one host (`single`) or a load-balanced tier (`loadBalanced`: an ALB with an ACM
 * certificate and WAF, Open WebUI and the gateway on several hosts across AZs, Redis between the
 * web hosts), and the sizes of the latter.
 */
import { ConfigReader } from "./reader";
import { allRead, bool, int, oneOf, optionalText, readSpec, text } from "./spec";

/**
 * `single`: one web host in a public subnet with an Elastic IP and Caddy (cheap, and what the
 * seeds describe). `loadBalanced`: an internet-facing ALB in front of web hosts in the private
 * subnets, the gateway behind an internal load balancer, Redis for Open WebUI's replicas.
 */
export const WEB_TIERS = ["single", "loadBalanced"] as const;
export type WebTierMode = (typeof WEB_TIERS)[number];

/** ElastiCache node types: cache.<family>.<size>, families with encryption in transit. */
const REDIS_NODE_TYPE =
    /^cache\.(t3|t4g|m5|m6g|m7g|r5|r6g|r7g)\.(micro|small|medium|large|[1-9][0-9]?xlarge)$/;

export const WEB_TIER_SPEC = {
    webTier: oneOf(WEB_TIERS, "single"),
    hostedZoneId: optionalText({
        allowed:
            'a Route 53 public hosted zone id (Z and up to 32 letters or digits), or "" for none',
        check: (v) =>
            /^Z[0-9A-Z]{1,32}$/.test(v) ? undefined : "is not a Route 53 hosted zone id",
    }),
    webMinHosts: int({
        min: 2,
        max: 10,
        allowed: "2 to 10 (at least one per Availability Zone)",
        outside: "is outside 2-10",
        default: 2,
    }),
    webMaxHosts: int({
        min: 2,
        max: 20,
        allowed: "2 to 20, at least webMinHosts",
        outside: "is outside 2-20",
        default: 4,
    }),
    gatewayMinHosts: int({
        min: 2,
        max: 10,
        allowed: "2 to 10 (at least one per Availability Zone)",
        outside: "is outside 2-10",
        default: 2,
    }),
    wafEnabled: bool(true),
    albAccessLogsRetentionDays: int({
        min: 1,
        max: 3653,
        allowed: "1 to 3653 days",
        outside: "is outside 1-3653 days",
        default: 90,
    }),
    redisNodeType: text({
        allowed:
            "an ElastiCache node type cache.<family>.<size> (t3, t4g, m5, m6g, m7g, r5, r6g, r7g), e.g. cache.t4g.small",
        default: "cache.t4g.small",
        check: (v) => (REDIS_NODE_TYPE.test(v) ? undefined : "is not an ElastiCache node type"),
    }),
};

export interface WebTierConfig {
    readonly mode: WebTierMode;
    /** The Route 53 public zone of `domainName` (certificate validation, the alias record). */
    readonly hostedZoneId?: string;
    readonly webMinHosts: number;
    readonly webMaxHosts: number;
    readonly gatewayMinHosts: number;
    readonly wafEnabled: boolean;
    readonly albAccessLogsRetentionDays: number;
    readonly redisNodeType: string;
}

export function readWebTier(reader: ConfigReader): WebTierConfig | undefined {
    const v = readSpec(reader, WEB_TIER_SPEC);
    const before = reader.problems.length;
    if (
        v.webMinHosts !== undefined &&
        v.webMaxHosts !== undefined &&
        v.webMaxHosts < v.webMinHosts
    ) {
        reader.report(
            reader.qualified("webMaxHosts"),
            String(v.webMaxHosts),
            `is below webMinHosts (${v.webMinHosts})`,
            "at least webMinHosts",
        );
    }
    if (!allRead(WEB_TIER_SPEC, v) || reader.problems.length !== before) {
        return undefined;
    }
    const { webTier, ...rest } = v;
    return { mode: webTier, ...rest };
}
