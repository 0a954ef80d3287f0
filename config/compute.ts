/** Compute keys: the two hosts, who may reach them, the images they run and the Bedrock model. */
import { WEB_USER_ROLES, WebUserRole } from "../compute/settings";
import { parseImageReference } from "../lib/images";
import { PORTS } from "../lib/ports";
import { parseCidr } from "./cidr";
import { isEmail } from "./common";
import { ConfigReader } from "./reader";
import { allRead, bool, int, list, oneOf, optionalText, readSpec, text } from "./spec";

export interface ComputeConfig {
    /** Client ranges allowed to 443 (and 80, which only redirects) on the web host. */
    readonly allowedCidrs: readonly string[];
    /** EC2 key pair for SSH, or undefined: Session Manager is the way in. */
    readonly sshKeyName?: string;
    /** Ranges allowed to SSH to the web host; only with a key pair. */
    readonly sshCidrs: readonly string[];
    /** Public DNS name of the portal (a public certificate), or undefined (Caddy's internal CA on the Elastic IP). */
    readonly domainName?: string;
    readonly webInstanceType: string;
    readonly gatewayInstanceType: string;
    readonly hostRootVolumeGb: number;
    /** A pinned AMI for the web host; undefined keeps the AMI the host was created with. */
    readonly webHostAmiId?: string;
    readonly gatewayHostAmiId?: string;
    /** Image reference with a release tag (or a digest); resolved to a digest at deploy time. */
    readonly openWebUiImage: string;
    readonly caddyImage: string;
    /** The Node.js base image the usage gate (gate/Dockerfile) is built on; release tag or digest. */
    readonly usageGateNodeImage: string;
    /** 40-hex commit of aws-samples/bedrock-access-gateway to build. */
    readonly gatewaySourceCommit: string;
    /** An existing gateway image pinned by digest, used instead of building one. */
    readonly gatewayImage?: string;
    readonly gatewayPort: number;
    readonly bedrockDefaultModel: string;
    readonly webDefaultUserRole: WebUserRole;
    /** E-mail of the local break-glass administrator Open WebUI creates on first start. */
    readonly webAdminEmail: string;
    /** Client ranges the local administrator may sign in from; empty: nowhere. */
    readonly adminCidrs: readonly string[];
    /** Open WebUI's API keys (ENABLE_API_KEYS). */
    readonly webEnableApiKeys: boolean;
    /** How long a sign-in lasts (JWT_EXPIRES_IN), e.g. "8h". */
    readonly webJwtExpiresIn: string;
    /** Sharing chats to the public Open WebUI community (ENABLE_COMMUNITY_SHARING). */
    readonly webEnableCommunitySharing: boolean;
    /** Admins reading users' chats (ENABLE_ADMIN_CHAT_ACCESS). */
    readonly webEnableAdminChatAccess: boolean;
    /** Admins exporting every chat and user (ENABLE_ADMIN_EXPORT). */
    readonly webEnableAdminExport: boolean;
    /** Users adding Tools, which run Python on the host (USER_PERMISSIONS_WORKSPACE_TOOLS_ACCESS). */
    readonly webUserToolsAccess: boolean;
    /** Where Bedrock may process prompts: EU regions only, or anywhere (global profiles). */
    readonly bedrockDataResidency: BedrockDataResidency;
}

/** `eu`: EU inference profiles and models in EU regions only. `global`: global profiles too, which route worldwide. */
export const BEDROCK_DATA_RESIDENCIES = ["eu", "global"] as const;
export type BedrockDataResidency = (typeof BEDROCK_DATA_RESIDENCIES)[number];

/** Open WebUI's JWT_EXPIRES_IN: a positive duration of whole units (upstream utils/misc.py), at most a week. */
const JWT_DURATION = /^([0-9]+(ms|s|m|h|d|w))+$/;
const DURATION_MS: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60000,
    h: 3600000,
    d: 86400000,
    w: 604800000,
};

export function jwtDurationMs(value: string): number | undefined {
    if (!JWT_DURATION.test(value)) {
        return undefined;
    }
    return [...value.matchAll(/([0-9]+)(ms|s|m|h|d|w)/g)].reduce(
        (total, [, n, unit]) => total + Number(n) * DURATION_MS[unit],
        0,
    );
}

/** x86_64 families only: the hosts run the x86_64 AL2023 image and the gateway image is built for amd64. */
const X86_FAMILIES = [
    "t3",
    "t3a",
    "m5",
    "m5a",
    "m6i",
    "m6a",
    "m7i",
    "m7a",
    "c5",
    "c6i",
    "c6a",
    "c7i",
    "c7a",
    "r5",
    "r6i",
    "r6a",
    "r7i",
    "r7a",
];
const SIZES = /^(nano|micro|small|medium|large|xlarge|[1-9][0-9]?xlarge)$/;
/** Open WebUI needs a few GiB of memory; below medium (4 GiB on t3) it is swapped to death. */
const TOO_SMALL_FOR_WEB = ["nano", "micro", "small"];

export function instanceTypeProblem(value: string): string | undefined {
    const [family, size, extra] = value.split(".");
    if (extra !== undefined || size === undefined || !SIZES.test(size)) {
        return "is not an EC2 instance type of the form <family>.<size>";
    }
    if (/^[a-z][0-9]+g[a-z]*$/.test(family)) {
        return "is a Graviton (arm64) type; the hosts run the x86_64 image";
    }
    return X86_FAMILIES.includes(family)
        ? undefined
        : "is not an instance family the portal supports";
}

const MOVING_TAGS = ["latest", "main", "master", "dev", "nightly", "edge", "stable"];

function releaseImageProblem(value: string): string | undefined {
    const ref = parseImageReference(value);
    if (!ref) {
        return "is not a container image reference";
    }
    if (!ref.tag && !ref.digest) {
        return "has no tag, which means latest";
    }
    if (ref.tag && MOVING_TAGS.includes(ref.tag)) {
        return `uses the moving tag "${ref.tag}"`;
    }
    return undefined;
}

const DNS_NAME =
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** Bedrock model or inference profile ids usable from eu-west-2 (EU or global profiles, or a base model id). */
const BEDROCK_MODEL = /^((eu|global)\.)?[a-z0-9-]+\.[a-z0-9][a-z0-9.:-]*$/;
/** Cross-region inference profiles of other geographies. */
const OTHER_GEOGRAPHY = /^(us|us-gov|apac|ca|jp|au)\./;

function cidrList(
    key: string,
    options: {
        readonly allowed: string;
        readonly default?: readonly string[];
        readonly extra?: (cidr: string) => string | undefined;
    },
) {
    return list(key, {
        allowed: options.allowed,
        default: options.default,
        item: (entry) => {
            const parsed = parseCidr(entry);
            const reason = parsed.ok ? options.extra?.(parsed.cidr.text) : parsed.reason;
            return reason ? { reason } : undefined;
        },
    });
}

const INSTANCE_ALLOWED = `an x86_64 EC2 type <family>.<size> of the families ${X86_FAMILIES.join(", ")}`;
const AMI_ALLOWED =
    'an AMI id (ami- and 8 or 17 hex digits), or "" to keep the AMI each host was created with';
const amiCheck = (v: string) =>
    /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(v) ? undefined : "is not an AMI id";

export const COMPUTE_SPEC = {
    allowedCidrs: cidrList("allowedCidrs", {
        allowed:
            "a non-empty list of IPv4 CIDR blocks, e.g. your corporate egress ranges or 0.0.0.0/0",
    }),
    sshKeyName: optionalText({
        allowed: 'an EC2 key pair name, or "" for none (Session Manager)',
        check: (v) => (/^[\x20-\x7e]{1,255}$/.test(v) ? undefined : "is not an EC2 key pair name"),
    }),
    sshCidrs: cidrList("sshCidrs", {
        allowed: "a list of IPv4 CIDR blocks no wider than /8, never 0.0.0.0/0",
        default: [],
        extra: (cidr) =>
            Number(cidr.split("/")[1]) < 8 ? "opens SSH to (nearly) the whole internet" : undefined,
    }),
    domainName: optionalText({
        allowed: 'a public DNS name you control, e.g. portal.example.com, or "" for none',
        check: (v) =>
            DNS_NAME.test(v)
                ? undefined
                : "is not a fully qualified DNS name (lower case, two labels or more)",
    }),
    webInstanceType: text({
        allowed: `${INSTANCE_ALLOWED}; medium or larger`,
        default: "t3.large",
        check: (v) =>
            instanceTypeProblem(v) ??
            (TOO_SMALL_FOR_WEB.includes(v.split(".")[1])
                ? "is too small for Open WebUI (it needs about 4 GiB of memory)"
                : undefined),
    }),
    gatewayInstanceType: text({
        allowed: INSTANCE_ALLOWED,
        default: "t3.large",
        check: instanceTypeProblem,
    }),
    hostRootVolumeGb: int({
        min: 20,
        max: 1024,
        allowed: "20 to 1024 GiB",
        outside: "is outside 20-1024 GiB (the images need room)",
        default: 30,
    }),
    webHostAmiId: optionalText({ allowed: AMI_ALLOWED, check: amiCheck }),
    gatewayHostAmiId: optionalText({ allowed: AMI_ALLOWED, check: amiCheck }),
    openWebUiImage: text({
        allowed:
            "an image reference with a release tag, e.g. ghcr.io/open-webui/open-webui:v0.11.0 (it is pinned to its digest at deploy time)",
        default: "ghcr.io/open-webui/open-webui:v0.11.0",
        check: releaseImageProblem,
    }),
    caddyImage: text({
        allowed: "an image reference with a release tag, e.g. docker.io/library/caddy:2.10-alpine",
        default: "docker.io/library/caddy:2.10-alpine",
        check: releaseImageProblem,
    }),
    usageGateNodeImage: text({
        allowed:
            "a Node.js 22+ image reference with a release tag, e.g. docker.io/library/node:24-alpine (pinned to its digest at deploy time)",
        default: "docker.io/library/node:24-alpine",
        check: releaseImageProblem,
    }),
    gatewaySourceCommit: text({
        allowed: "a full 40-character lower-case hex commit of aws-samples/bedrock-access-gateway",
        default: "95794585db942cf7ce9660f71edefe63ce6c9910",
        check: (v) => (/^[0-9a-f]{40}$/.test(v) ? undefined : "is not a 40-character hex commit"),
    }),
    gatewayImage: optionalText({
        allowed:
            'an image pinned by digest (repository@sha256:<64 hex>), or "" to build it from gatewaySourceCommit',
        check: (v) => {
            const ref = parseImageReference(v);
            return !ref
                ? "is not a container image reference"
                : !ref.digest
                  ? "is not pinned by digest"
                  : undefined;
        },
    }),
    gatewayPort: int({
        min: 1024,
        max: 65535,
        allowed: "a port from 1024 to 65535",
        outside: "is not an unprivileged port",
        default: PORTS.gateway,
    }),
    bedrockDefaultModel: text({
        allowed:
            "a Bedrock model id or an eu./global. inference profile id usable from eu-west-2, e.g. eu.anthropic.claude-sonnet-4-20250514-v1:0",
        default: "eu.anthropic.claude-sonnet-4-20250514-v1:0",
        check: (v) =>
            OTHER_GEOGRAPHY.test(v)
                ? `is an inference profile of another geography ("${v.split(".")[0]}."), not callable from eu-west-2`
                : BEDROCK_MODEL.test(v)
                  ? undefined
                  : "is not a Bedrock model or EU/global inference profile id",
    }),
    webDefaultUserRole: oneOf(WEB_USER_ROLES, "user"),
    adminCidrs: cidrList("adminCidrs", {
        allowed:
            "a list of IPv4 CIDR blocks no wider than /8 the break-glass administrator signs in from, or [] for nowhere",
        default: [],
        extra: (cidr) =>
            Number(cidr.split("/")[1]) < 8
                ? "lets (nearly) the whole internet try the local administrator's password"
                : undefined,
    }),
    webEnableApiKeys: bool(false),
    webJwtExpiresIn: text({
        allowed:
            'a duration of whole units (ms, s, m, h, d, w) from 5 minutes to 1 week, e.g. "8h" (a working day)',
        default: "8h",
        check: (v) => {
            const ms = jwtDurationMs(v);
            return ms === undefined
                ? "is not a duration Open WebUI reads"
                : ms < 300000 || ms > 604800000
                  ? "is outside 5 minutes to 1 week"
                  : undefined;
        },
    }),
    webEnableCommunitySharing: bool(false),
    webEnableAdminChatAccess: bool(false),
    webEnableAdminExport: bool(false),
    webUserToolsAccess: bool(false),
    bedrockDataResidency: oneOf(BEDROCK_DATA_RESIDENCIES, "eu"),
    webAdminEmail: text({
        allowed: "an e-mail address, e.g. portal-admin@example.com",
        default: "portal-admin@example.com",
        check: (v) => (isEmail(v) ? undefined : "is not an e-mail address"),
    }),
};

export function readCompute(reader: ConfigReader): ComputeConfig | undefined {
    const v = readSpec(reader, COMPUTE_SPEC);
    const before = reader.problems.length;
    // With EU residency, prompts stay in EU regions: global profiles route anywhere in the world.
    if (v.bedrockDataResidency === "eu" && v.bedrockDefaultModel?.startsWith("global.")) {
        reader.report(
            reader.qualified("bedrockDefaultModel"),
            v.bedrockDefaultModel,
            "is a global inference profile, which may process prompts outside the EU, but bedrockDataResidency is eu",
            "an eu. inference profile or a model id (or set bedrockDataResidency to global, deliberately)",
        );
    }
    if (v.allowedCidrs && v.allowedCidrs.length === 0) {
        reader.report(
            reader.qualified("allowedCidrs"),
            "[]",
            "is empty, so nobody could reach the portal",
            "at least one IPv4 CIDR block",
        );
    }
    // Port 22 would open to a host nobody can log in to (only when sshKeyName itself read cleanly).
    if (v.sshCidrs && v.sshCidrs.length > 0 && "sshKeyName" in v && !v.sshKeyName) {
        reader.report(
            reader.qualified("sshCidrs"),
            JSON.stringify(v.sshCidrs),
            "is set but sshKeyName is not, so port 22 would open to a host nobody can log in to",
            "an empty list, or set sshKeyName too",
        );
    }
    return allRead(COMPUTE_SPEC, v) && reader.problems.length === before ? v : undefined;
}
