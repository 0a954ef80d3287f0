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

/**
 * ElastiCache's AuthTokenUpdateStrategy when the token changes (ModifyReplicationGroup): ROTATE
 * adds the new token beside the old one, so hosts still on the old one keep working while the
 * fleet rolls; SET (allowed only after a ROTATE) makes the current token the only one. A rotation
 * is two `up`s: raise redisAuthTokenVersion with ROTATE, then, once the instance refresh has
 * finished, SET. DELETE (the move to RBAC) is not offered.
 */
export const REDIS_AUTH_TOKEN_STRATEGIES = ["ROTATE", "SET"] as const;
export type RedisAuthTokenStrategy = (typeof REDIS_AUTH_TOKEN_STRATEGIES)[number];

/**
 * What a WAF rate-based rule's limit may be: the WAFV2 API model's `RateLimit` (botocore
 * data/wafv2/2019-07-29/service-2.json: a long, min 10, max 2000000000), requests per address in
 * the rule's window (here 5 minutes).
 */
export const WAF_RATE_LIMIT = { min: 10, max: 2_000_000_000 } as const;

const wafRateLimit = (what: string, defaultValue: number) =>
    int({
        min: WAF_RATE_LIMIT.min,
        max: WAF_RATE_LIMIT.max,
        allowed: `${WAF_RATE_LIMIT.min} to ${WAF_RATE_LIMIT.max} ${what} per 5 minutes per address (WAF's RateLimit range)`,
        outside: `is outside ${WAF_RATE_LIMIT.min}-${WAF_RATE_LIMIT.max}, the limits WAF accepts`,
        default: defaultValue,
    });

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
    /** Must be true with webTier loadBalanced (readWebTier): WAF matches the decoded path. */
    wafEnabled: bool(true),
    /**
     * Everyone behind one NAT address shares it: Open WebUI's first page load is some 100 requests
     * and each chat turn several more, so 10000 lets about a hundred busy users work from one office
     * address while one scripted client (33 requests a second for 5 minutes) is still stopped.
     */
    wafRateLimitPer5Min: wafRateLimit("requests", 10000),
    /**
     * A person signs in once per session (config `jwtExpiresIn`); 20 tries per address in 5 minutes
     * stops password guessing against the directory (upstream does not limit its LDAP route). An
     * office whose people all sign in at once behind one address (a rollout morning) raises it.
     */
    wafSignInRateLimitPer5Min: wafRateLimit("sign-in requests", 20),
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
    redisAuthTokenVersion: int({
        min: 1,
        max: 9999,
        allowed: "a whole number from 1 to 9999; raise it by one to rotate the Redis auth token",
        outside: "is outside 1-9999",
        default: 1,
    }),
    redisAuthTokenStrategy: oneOf(REDIS_AUTH_TOKEN_STRATEGIES, "ROTATE"),
};

export interface WebTierConfig {
    readonly mode: WebTierMode;
    /** The Route 53 public zone of `domainName` (certificate validation, the alias record). */
    readonly hostedZoneId?: string;
    readonly webMinHosts: number;
    readonly webMaxHosts: number;
    readonly gatewayMinHosts: number;
    readonly wafEnabled: boolean;
    /** WAF: requests one address may make in five minutes before it is blocked. */
    readonly wafRateLimitPer5Min: number;
    /** WAF: requests one address may send to the sign-in routes in five minutes. */
    readonly wafSignInRateLimitPer5Min: number;
    readonly albAccessLogsRetentionDays: number;
    readonly redisNodeType: string;
    /** Raised by one to rotate the Redis auth token (1: the token the group was created with). */
    readonly redisAuthTokenVersion: number;
    /** How a token change lands: ROTATE (old and new accepted) or SET (only the current one). */
    readonly redisAuthTokenStrategy: RedisAuthTokenStrategy;
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
    if (
        v.wafRateLimitPer5Min !== undefined &&
        v.wafSignInRateLimitPer5Min !== undefined &&
        v.wafSignInRateLimitPer5Min > v.wafRateLimitPer5Min
    ) {
        reader.report(
            reader.qualified("wafSignInRateLimitPer5Min"),
            String(v.wafSignInRateLimitPer5Min),
            `is above wafRateLimitPer5Min (${v.wafRateLimitPer5Min}), which every request counts against, so it would never apply`,
            "at most wafRateLimitPer5Min",
        );
    }
    // The ALB's own path rules match the raw path, case-sensitively and without decoding it, while
    // uvicorn decodes it before Open WebUI routes it (`/api/v1/auths/sign%69n` and
    // `/api/v1/auths%2Fsignin` reach the sign-in): only WAF's rules, on the URL-decoded and
    // lower-cased path, keep the local sign-in to adminCidrs and limit sign-in attempts.
    if (v.webTier === "loadBalanced" && v.wafEnabled === false) {
        reader.report(
            reader.qualified("wafEnabled"),
            "false",
            "is off, but webTier is loadBalanced: the ALB's path rules miss encoded and upper-case spellings of the sign-in paths (/api/v1/auths/sign%69n reaches Open WebUI's sign-in), so without WAF the local sign-in answers every address and sign-in attempts are not limited",
            "true when webTier is loadBalanced (webTier single has no ALB; Caddy matches the decoded path)",
        );
    }
    if (!allRead(WEB_TIER_SPEC, v) || reader.problems.length !== before) {
        return undefined;
    }
    const { webTier, ...rest } = v;
    return { mode: webTier, ...rest };
}
