/**
 * The portal's stack configuration: raw Pulumi config in, one typed and frozen object (or the full
 * list of problems) out. Pure, so every rule is tested without the Pulumi runtime; `load.ts` is the
 * thin layer that feeds it the real config and stops the program before any resource exists.
 *
 * Each key is declared once, in its tier's spec (type, default, what is allowed, how it is read);
 * `CONFIG_KEYS` is derived from the specs, and a test keeps Pulumi.yaml's `config:` schema (which the
 * Pulumi CLI reads) in agreement with them.
 */
import { BACKUP_SPEC, BackupConfig, readBackup } from "./backup";
import { isProductionStack, PROJECT, REGION, retentionDays } from "./common";
import { COMPUTE_SPEC, ComputeConfig, readCompute } from "./compute";
import { DATABASE_SPEC, DatabaseConfig, readDatabase } from "./database";
import { DIRECTORY_SPEC, DirectoryConfig, readDirectory } from "./directory";
import { GOVERNANCE_SPEC, GovernanceConfig, readGovernance } from "./governance";
import { IDENTITY_SPEC, IdentityConfig, readIdentity } from "./identity";
import { AUTH_MODES, AuthMode } from "../compute/settings";
import {
    AUDIT_SPEC,
    AuditConfig,
    GUARDRAIL_SPEC,
    GuardrailConfig,
    readGuardrailAndAudit,
} from "./guardrail";
import { NETWORK_SPEC, NetworkConfig, readNetwork } from "./network";
import { OPERATIONS_SPEC, OperationsConfig, readOperations } from "./operations";
import { ConfigProblem, ConfigReader, formatProblem, RawConfig } from "./reader";
import { readWebTier, WEB_TIER_SPEC, WebTierConfig } from "./webTier";
import { readUsageGate, USAGE_GATE_SPEC, UsageGateConfig } from "./usageGate";
import { readRestore, RESTORE_SPEC, RestoreConfig } from "./restore";
import { keyTypes, oneOf, readSpec, Spec } from "./spec";

export { BackupConfig, VaultLockMode } from "./backup";
export { ComputeConfig } from "./compute";
export {
    CLOUDWATCH_RETENTION_DAYS,
    isProductionStack,
    PROJECT,
    REGION,
    REGION_AZ_COUNT,
} from "./common";
export { DatabaseConfig } from "./database";
export { DirectoryConfig } from "./directory";
export { GovernanceConfig, InvocationLogging, WorkingHours } from "./governance";
export { DirectoryMode, IdentityConfig, OidcConfig } from "./identity";
export { AuditConfig, auditWarnings, GuardrailConfig } from "./guardrail";
export { NetworkConfig } from "./network";
export { OperationsConfig } from "./operations";
export { DatabaseRestore, RestoreConfig } from "./restore";
export { ConfigProblem, formatProblem, RawConfig } from "./reader";
export { WebTierConfig, WebTierMode } from "./webTier";
export { UsageGateConfig, UsageGateFailMode } from "./usageGate";

/**
 * Which KMS keys encrypt the stack's data at rest: `customer-managed` (one key of the stack's own,
 * security/dataKey.ts; the default, so production stacks have it) or `aws-managed` (each
 * service's AWS-managed key, free; dev's stack file sets it).
 */
export const ENCRYPTION_KEY_MODES = ["aws-managed", "customer-managed"] as const;
export type EncryptionKeyMode = (typeof ENCRYPTION_KEY_MODES)[number];

/** Keys shared by several tiers. */
export const SHARED_SPEC = {
    logRetentionDays: retentionDays(90),
    encryptionKey: oneOf(ENCRYPTION_KEY_MODES, "customer-managed"),
};

/** Every tier's spec, by tier: the one declaration of each `ai-portal:` key (type, default, rules). */
export const SPECS: Readonly<Record<string, Spec>> = Object.freeze({
    network: NETWORK_SPEC,
    database: DATABASE_SPEC,
    restore: RESTORE_SPEC,
    directory: DIRECTORY_SPEC,
    identity: IDENTITY_SPEC,
    compute: COMPUTE_SPEC,
    webTier: WEB_TIER_SPEC,
    governance: GOVERNANCE_SPEC,
    guardrail: GUARDRAIL_SPEC,
    audit: AUDIT_SPEC,
    operations: OPERATIONS_SPEC,
    backup: BACKUP_SPEC,
    usageGate: USAGE_GATE_SPEC,
    shared: SHARED_SPEC,
});

/** Every key of the `ai-portal:` namespace and its Pulumi.yaml type, derived from the specs. */
export const CONFIG_KEYS = keyTypes(...Object.values(SPECS));

export interface PortalConfig {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    /** Tags every taggable resource carries, applied once through the AWS provider's default tags. */
    readonly tags: Readonly<Record<string, string>>;
    /** Retention of the application and database log groups (the flow log has its own). */
    readonly logRetentionDays: number;
    /** Which KMS keys encrypt data at rest (config `encryptionKey`). */
    readonly encryptionKey: EncryptionKeyMode;
    readonly network: NetworkConfig;
    readonly database: DatabaseConfig;
    /** Whether the database is created from a backup (config `restoreFromSnapshot`, `restoreToTime`). */
    readonly restore: RestoreConfig;
    /** The Managed AD; undefined when the stack has none (config `directory: none`). */
    readonly directory?: DirectoryConfig;
    /** How people sign in (config `authMode`, `oidc*`, `scim`). */
    readonly identity: IdentityConfig;
    readonly compute: ComputeConfig;
    readonly webTier: WebTierConfig;
    readonly governance: GovernanceConfig;
    /** The stack's Bedrock guardrail; undefined when config `guardrail` is off (not in production). */
    readonly guardrail?: GuardrailConfig;
    /** Open WebUI's audit log: its level and its log group's retention. */
    readonly audit: AuditConfig;
    readonly operations: OperationsConfig;
    /** AWS Backup: retention, the DR region and its copy, Vault Lock. */
    readonly backup: BackupConfig;
    /** The usage gate's limits and fail mode (config `usageLimit*`, `usageGateFailMode`). */
    readonly usageGate: UsageGateConfig;
}

export type ConfigResult =
    | { readonly ok: true; readonly config: PortalConfig }
    | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export interface ConfigInput {
    readonly project?: string;
    readonly stack: string;
    readonly raw: RawConfig;
}

/**
 * What a production stack must have. Read from the raw values, so each problem is reported even
 * when another key of the same tier is wrong:
 * - its data protected (deletion protection, Multi-AZ, the directory's protect);
 * - a login page with a publicly trusted certificate (a domain name), so nobody learns to click
 *   through a browser warning before typing a directory password;
 * - the images it runs pinned in the repository (repo:tag@sha256:...), so an upstream tag that
 *   moves cannot reach it without a reviewed commit.
 */
function checkProductionStack(reader: ConfigReader, stack: string, raw: RawConfig): void {
    if (!isProductionStack(stack)) {
        return;
    }
    const production = `stack "${stack}" is a production stack (prod or prod-*)`;
    for (const key of ["dbDeletionProtection", "dbMultiAz", "directoryProtect"]) {
        if (raw[reader.qualified(key)] === "false") {
            reader.report(reader.qualified(key), "false", `is off, but ${production}`, "true");
        }
    }
    if (raw[reader.qualified("domainName")] === "") {
        reader.report(
            reader.qualified("domainName"),
            "",
            `is not set, but ${production}: its login page needs a publicly trusted certificate, not Caddy's internal CA`,
            "a public DNS name you control, e.g. portal.example.com",
        );
    }
    for (const key of ["openWebUiImage", "caddyImage"]) {
        const value = raw[reader.qualified(key)];
        const alreadyWrong = reader.problems.some((p) => p.key === reader.qualified(key));
        if (value !== undefined && !alreadyWrong && !/@sha256:[0-9a-f]{64}$/.test(value)) {
            reader.report(
                reader.qualified(key),
                value,
                `is pinned by tag only, but ${production}: a moved upstream tag must not reach it without a reviewed commit`,
                "the image with its digest, repo:tag@sha256:<64 hex> (see the README on bumping a digest)",
            );
        }
    }
}

/**
 * An LDAP login attaches to the Open WebUI account with the same e-mail. The portal's e-mails for
 * directory users are their user principal names in the directory's domain, so an administrator
 * e-mail in that domain could become a directory user's: refuse it.
 */
function checkAdminEmail(
    reader: ConfigReader,
    compute: ComputeConfig,
    directory: DirectoryConfig,
): void {
    const domain = compute.webAdminEmail.split("@")[1].toLowerCase();
    const directoryDomain = directory.domain.toLowerCase();
    if (domain === directoryDomain || domain.endsWith(`.${directoryDomain}`)) {
        reader.report(
            reader.qualified("webAdminEmail"),
            compute.webAdminEmail,
            `is in the directory's domain ${directory.domain}, so a directory user with that user principal name would sign in as the administrator`,
            "an e-mail outside the directory's domain (directory users' e-mails are their UPNs there)",
        );
    }
}

/**
 * What signing in through an OpenID Connect provider needs of the rest of the stack:
 * - a stable https redirect URI registered with the provider (`https://<domainName>/oauth/oidc/callback`):
 *   an Elastic IP with Caddy's internal CA is neither stable nor trusted by the provider;
 * - DEFAULT_USER_ROLE `pending`: upstream gives people in none of the allowed groups the default
 *   role (utils/oauth.py get_user_role), so with `user` everyone the provider lets through would
 *   use the portal.
 */
function checkOidc(reader: ConfigReader, compute: ComputeConfig, authMode: AuthMode): void {
    if (authMode === "ldap") {
        return;
    }
    const domainAlreadyReported = reader.problems.some(
        (p) => p.key === reader.qualified("domainName"),
    );
    if (!compute.domainName && !domainAlreadyReported) {
        reader.report(
            reader.qualified("domainName"),
            "",
            `is not set, but authMode is ${authMode}: the provider needs a stable https redirect URI (https://<domainName>/oauth/oidc/callback), which an Elastic IP with Caddy's internal CA is not`,
            "a public DNS name you control, e.g. portal.example.com",
        );
    }
    if (compute.webDefaultUserRole !== "pending") {
        reader.report(
            reader.qualified("webDefaultUserRole"),
            compute.webDefaultUserRole,
            `is ${compute.webDefaultUserRole}, but authMode is ${authMode}: Open WebUI gives people in none of oidcAllowedGroups the default role, so they would use the portal`,
            '"pending" (people outside the allowed groups wait, and cannot chat)',
        );
    }
}

/**
 * The load-balanced tier serves the portal's domain through an ALB with an ACM certificate, which
 * is validated, and pointed at, in the domain's Route 53 zone: both must be given.
 */
function checkLoadBalanced(
    reader: ConfigReader,
    compute: ComputeConfig,
    webTier: WebTierConfig,
): void {
    if (webTier.mode !== "loadBalanced") {
        return;
    }
    const why =
        "webTier is loadBalanced: the ALB's certificate is validated and its alias record created there";
    const domainAlreadyReported = reader.problems.some(
        (p) => p.key === reader.qualified("domainName"),
    );
    if (!compute.domainName && !domainAlreadyReported) {
        reader.report(
            reader.qualified("domainName"),
            "",
            `is not set, but ${why.replace("there", "for it")}`,
            "a public DNS name in hostedZoneId's zone, e.g. portal.example.com",
        );
    }
    if (!webTier.hostedZoneId) {
        reader.report(
            reader.qualified("hostedZoneId"),
            "",
            `is not set, but ${why}`,
            "the id of the Route 53 public hosted zone of domainName, e.g. Z0123456789ABCDEFGHIJ",
        );
    }
    // SSH reaches only a host with a public address; the load-balanced hosts have none.
    if (compute.sshCidrs.length > 0) {
        reader.report(
            reader.qualified("sshCidrs"),
            JSON.stringify(compute.sshCidrs),
            "is set, but webTier is loadBalanced: the web hosts are private and have no address to SSH to",
            "an empty list (Session Manager reaches every host)",
        );
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
        reader.report(
            "aws:region",
            region,
            `the portal is built, priced and tested for ${REGION} only`,
            JSON.stringify(REGION),
        );
    }
    const network = readNetwork(reader);
    const database = readDatabase(reader);
    // The instance identifier data/index.ts gives the stack's database.
    const restore = readRestore(reader, `${project}-${input.stack}-postgres`);
    const directoryRead = readDirectory(reader);
    const identity = readIdentity(reader);
    const compute = readCompute(reader);
    const webTier = readWebTier(reader);
    const governance = readGovernance(reader, input.stack);
    const { guardrail, audit } = readGuardrailAndAudit(reader, input.stack);
    const operations = readOperations(reader);
    const backup = readBackup(reader, input.stack);
    const usageGate = readUsageGate(reader, identity);
    const { logRetentionDays, encryptionKey } = readSpec(reader, SHARED_SPEC);
    checkProductionStack(reader, input.stack, input.raw);
    // With `directory: none` the directory keys keep their defaults and nothing reads them.
    const directory = identity?.directory === "none" ? undefined : directoryRead;
    if (compute && directory) {
        checkAdminEmail(reader, compute, directory);
    }
    // Also when another identity key is wrong: every problem at once.
    const rawAuthMode = reader.raw("authMode");
    const authMode =
        identity?.authMode ??
        ((AUTH_MODES as readonly string[]).find((m) => m === rawAuthMode) as AuthMode | undefined);
    if (compute && authMode) {
        checkOidc(reader, compute, authMode);
    }
    if (compute && webTier) {
        checkLoadBalanced(reader, compute, webTier);
    }

    if (
        reader.problems.length > 0 ||
        !network ||
        !database ||
        !restore ||
        !directoryRead ||
        !identity ||
        !compute ||
        !webTier ||
        !governance ||
        !audit ||
        !operations ||
        !backup ||
        !usageGate ||
        logRetentionDays === undefined ||
        encryptionKey === undefined
    ) {
        return { ok: false, problems: [...reader.problems] };
    }
    return {
        ok: true,
        config: deepFreeze({
            project,
            stack: input.stack,
            region: REGION,
            tags: { Project: project, Stack: input.stack, ManagedBy: "pulumi" },
            logRetentionDays,
            encryptionKey,
            network,
            database,
            restore,
            directory,
            identity,
            compute,
            webTier,
            governance,
            guardrail,
            audit,
            operations,
            backup,
            usageGate,
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
