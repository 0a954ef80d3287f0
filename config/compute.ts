/** Compute keys: the two hosts, who may reach them, the images they run and the Bedrock model. */
import { parseCidr } from "./cidr";
import { isEmail } from "./common";
import { ConfigReader, ConfigValueType } from "./reader";

export const COMPUTE_KEYS: Readonly<Record<string, ConfigValueType>> = {
    allowedCidrs: "array",
    sshKeyName: "string",
    sshCidrs: "array",
    domainName: "string",
    webInstanceType: "string",
    gatewayInstanceType: "string",
    hostRootVolumeGb: "integer",
    webHostAmiId: "string",
    gatewayHostAmiId: "string",
    openWebUiImage: "string",
    caddyImage: "string",
    gatewaySourceCommit: "string",
    gatewayImage: "string",
    gatewayPort: "integer",
    bedrockDefaultModel: "string",
    webDefaultUserRole: "string",
    webAdminEmail: "string",
};

export const WEB_USER_ROLES = ["user", "pending"] as const;
export type WebUserRole = (typeof WEB_USER_ROLES)[number];

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
    /** Image reference with a release tag; resolved to a digest at deploy time. */
    readonly openWebUiImage: string;
    readonly caddyImage: string;
    /** 40-hex commit of aws-samples/bedrock-access-gateway to build. */
    readonly gatewaySourceCommit: string;
    /** An existing gateway image pinned by digest, used instead of building one. */
    readonly gatewayImage?: string;
    readonly gatewayPort: number;
    readonly bedrockDefaultModel: string;
    readonly webDefaultUserRole: WebUserRole;
    /** E-mail of the local break-glass administrator Open WebUI creates on first start. */
    readonly webAdminEmail: string;
}

/** x86_64 families only: the hosts run the x86_64 AL2023 image and the gateway image is built for amd64. */
const X86_FAMILIES = ["t3", "t3a", "m5", "m5a", "m6i", "m6a", "m7i", "m7a", "c5", "c6i", "c6a", "c7i", "c7a", "r5", "r6i", "r6a", "r7i", "r7a"];
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
    return X86_FAMILIES.includes(family) ? undefined : "is not an instance family the portal supports";
}

/** A container image reference: [registry/]repository[:tag][@sha256:digest]. */
export interface ImageReference {
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

const MOVING_TAGS = ["latest", "main", "master", "dev", "nightly", "edge", "stable"];

export function parseImageReference(value: string): ImageReference | undefined {
    const match = /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(value);
    return match ? { repository: match[1], tag: match[2], digest: match[3] } : undefined;
}

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

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** Bedrock model or inference profile ids usable from eu-west-2 (EU or global profiles, or a base model id). */
const BEDROCK_MODEL = /^((eu|global)\.)?[a-z0-9-]+\.[a-z0-9][a-z0-9.:-]*$/;
/** Cross-region inference profiles of other geographies. */
const OTHER_GEOGRAPHY = /^(us|us-gov|apac|ca|jp|au)\./;

function readCidrList(reader: ConfigReader, key: string, allowed: string, extra?: (cidr: string) => string | undefined): readonly string[] | undefined {
    const list = reader.stringList(key, allowed);
    if (!list) {
        return undefined;
    }
    let valid = true;
    list.forEach((text, i) => {
        const parsed = parseCidr(text);
        const reason = parsed.ok ? extra?.(parsed.cidr.text) : parsed.reason;
        if (reason) {
            reader.report(`${reader.qualified(key)}[${i}]`, text, reason, allowed);
            valid = false;
        }
    });
    return valid ? list : undefined;
}

function optional(value: string | undefined): string | undefined {
    return value === undefined || value === "" ? undefined : value;
}

export function readCompute(reader: ConfigReader): ComputeConfig | undefined {
    const allowedCidrs = readCidrList(reader, "allowedCidrs", "a non-empty list of IPv4 CIDR blocks, e.g. your corporate egress ranges or 0.0.0.0/0");
    if (allowedCidrs && allowedCidrs.length === 0) {
        reader.report(reader.qualified("allowedCidrs"), "[]", "is empty, so nobody could reach the portal", "at least one IPv4 CIDR block");
    }
    const sshKeyName = optional(reader.string("sshKeyName", 'an EC2 key pair name, or "" for none (Session Manager)', (v) =>
        v === "" || /^[\x20-\x7e]{1,255}$/.test(v) ? undefined : "is not an EC2 key pair name",
    ));
    const sshCidrs = readCidrList(reader, "sshCidrs", "a list of IPv4 CIDR blocks no wider than /8, never 0.0.0.0/0", (cidr) =>
        Number(cidr.split("/")[1]) < 8 ? "opens SSH to (nearly) the whole internet" : undefined,
    );
    if (sshCidrs && sshCidrs.length > 0 && reader.problems.every((p) => p.key !== reader.qualified("sshKeyName")) && !sshKeyName) {
        reader.report(reader.qualified("sshCidrs"), JSON.stringify(sshCidrs), "is set but sshKeyName is not, so port 22 would open to a host nobody can log in to", 'an empty list, or set sshKeyName too');
    }
    const domainName = optional(reader.string("domainName", 'a public DNS name you control, e.g. portal.example.com, or "" for none', (v) =>
        v === "" || DNS_NAME.test(v) ? undefined : "is not a fully qualified DNS name (lower case, two labels or more)",
    ));
    const instanceAllowed = `an x86_64 EC2 type <family>.<size> of the families ${X86_FAMILIES.join(", ")}`;
    const webInstanceType = reader.string("webInstanceType", `${instanceAllowed}; medium or larger`, (v) =>
        instanceTypeProblem(v) ?? (TOO_SMALL_FOR_WEB.includes(v.split(".")[1]) ? "is too small for Open WebUI (it needs about 4 GiB of memory)" : undefined),
    );
    const gatewayInstanceType = reader.string("gatewayInstanceType", instanceAllowed, instanceTypeProblem);
    const hostRootVolumeGb = reader.integer("hostRootVolumeGb", "20 to 1024 GiB", (v) => (v < 20 || v > 1024 ? "is outside 20-1024 GiB (the images need room)" : undefined));
    const amiAllowed = 'an AMI id (ami- and 8 or 17 hex digits), or "" to keep the AMI each host was created with';
    const amiCheck = (v: string) => (v === "" || /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(v) ? undefined : "is not an AMI id");
    const webHostAmiId = optional(reader.string("webHostAmiId", amiAllowed, amiCheck));
    const gatewayHostAmiId = optional(reader.string("gatewayHostAmiId", amiAllowed, amiCheck));
    const imageAllowed = "an image reference with a release tag, e.g. ghcr.io/open-webui/open-webui:v0.11.0 (it is pinned to its digest at deploy time)";
    const openWebUiImage = reader.string("openWebUiImage", imageAllowed, releaseImageProblem);
    const caddyImage = reader.string("caddyImage", "an image reference with a release tag, e.g. docker.io/library/caddy:2.10-alpine", releaseImageProblem);
    const gatewaySourceCommit = reader.string("gatewaySourceCommit", "a full 40-character lower-case hex commit of aws-samples/bedrock-access-gateway", (v) =>
        /^[0-9a-f]{40}$/.test(v) ? undefined : "is not a 40-character hex commit",
    );
    const gatewayImage = optional(reader.string("gatewayImage", 'an image pinned by digest (repository@sha256:<64 hex>), or "" to build it from gatewaySourceCommit', (v) => {
        if (v === "") {
            return undefined;
        }
        const ref = parseImageReference(v);
        return !ref ? "is not a container image reference" : !ref.digest ? "is not pinned by digest" : undefined;
    }));
    const gatewayPort = reader.integer("gatewayPort", "a port from 1024 to 65535", (v) => (v < 1024 || v > 65535 ? "is not an unprivileged port" : undefined));
    const bedrockDefaultModel = reader.string(
        "bedrockDefaultModel",
        "a Bedrock model id or an eu./global. inference profile id usable from eu-west-2, e.g. eu.anthropic.claude-sonnet-4-20250514-v1:0",
        (v) =>
            OTHER_GEOGRAPHY.test(v)
                ? `is an inference profile of another geography ("${v.split(".")[0]}."), not callable from eu-west-2`
                : BEDROCK_MODEL.test(v)
                  ? undefined
                  : "is not a Bedrock model or EU/global inference profile id",
    );
    const webDefaultUserRole = reader.oneOf("webDefaultUserRole", WEB_USER_ROLES);
    const webAdminEmail = reader.string("webAdminEmail", "an e-mail address, e.g. portal-admin@example.com", (v) =>
        isEmail(v) ? undefined : "is not an e-mail address",
    );

    if (
        !allowedCidrs ||
        allowedCidrs.length === 0 ||
        !sshCidrs ||
        webInstanceType === undefined ||
        gatewayInstanceType === undefined ||
        hostRootVolumeGb === undefined ||
        openWebUiImage === undefined ||
        caddyImage === undefined ||
        gatewaySourceCommit === undefined ||
        gatewayPort === undefined ||
        bedrockDefaultModel === undefined ||
        webDefaultUserRole === undefined ||
        webAdminEmail === undefined
    ) {
        return undefined;
    }
    return {
        allowedCidrs,
        sshKeyName,
        sshCidrs,
        domainName,
        webInstanceType,
        gatewayInstanceType,
        hostRootVolumeGb,
        webHostAmiId,
        gatewayHostAmiId,
        openWebUiImage,
        caddyImage,
        gatewaySourceCommit,
        gatewayImage,
        gatewayPort,
        bedrockDefaultModel,
        webDefaultUserRole,
        webAdminEmail,
    };
}
