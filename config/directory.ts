/** Directory keys: the AWS Managed Microsoft AD domain, NetBIOS name, edition and protection. */
import { DIRECTORY_EDITIONS, DirectoryEdition } from "../directory/editions";
import {
    DEFAULT_PORTAL_PASSWORD_POLICY,
    PASSWORD_POLICY_LIMITS,
    PortalPasswordPolicy,
} from "../directory/passwordPolicy";
import { ConfigReader } from "./reader";
import { allRead, bool, int, oneOf, readSpec, text } from "./spec";

export interface DirectoryConfig {
    /** Fully qualified domain, e.g. corp.aiportal.internal. */
    readonly domain: string;
    /** NetBIOS name, e.g. CORP. */
    readonly shortName: string;
    readonly edition: DirectoryEdition;
    /** Pulumi `protect` on the directory: it cannot be deleted or replaced until this is turned off. */
    readonly protect: boolean;
    /** The directory group whose members (direct or nested) may sign in to the portal. */
    readonly portalGroup: string;
    /** The portal group's fine-grained password policy (CustomerPSO-01). */
    readonly passwordPolicy: PortalPasswordPolicy;
}

/**
 * A group name that is safe as an AD sAMAccountName, inside a DN (CN=...) and inside an LDAP
 * filter without escaping: letters, digits, spaces, "-", "_" and ".", 1-64 characters.
 */
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}[A-Za-z0-9]$|^[A-Za-z0-9]$/;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
/** NetBIOS: 1-15 characters, no dot, none of the characters Windows forbids in it. */
const NETBIOS = /^[A-Za-z0-9][A-Za-z0-9-]{0,14}$/;

export const DIRECTORY_SPEC = {
    directoryDomain: text({
        allowed: "a DNS name of at least two labels, e.g. corp.aiportal.internal",
        default: "corp.aiportal.internal",
        check: (v) => {
            const labels = v.split(".");
            if (labels.length < 2) {
                return "is a single label; Managed AD needs a fully qualified domain";
            }
            if (v.length > 255 || !labels.every((l) => DNS_LABEL.test(l))) {
                return "is not a valid DNS name (labels of letters, digits and inner hyphens, 1-63 characters each)";
            }
            return /^[0-9]+$/.test(labels[labels.length - 1])
                ? "ends in a numeric label, which no DNS domain may"
                : undefined;
        },
    }),
    directoryShortName: text({
        allowed: "a NetBIOS name of 1-15 letters, digits or hyphens, no dot, e.g. CORP",
        default: "CORP",
        check: (v) =>
            v.includes(".")
                ? "contains a dot"
                : v.length > 15
                  ? `has ${v.length} characters`
                  : NETBIOS.test(v)
                    ? undefined
                    : "is not a NetBIOS name",
    }),
    directoryEdition: oneOf(DIRECTORY_EDITIONS, "Standard"),
    directoryProtect: bool(true),
    directoryPortalGroup: text({
        allowed:
            'a group name of 1-64 letters, digits, spaces, ".", "_" or "-", e.g. "AI Portal Users"',
        default: "AI Portal Users",
        check: (v) =>
            GROUP_NAME.test(v)
                ? undefined
                : "is not a group name the portal can put in a DN and an LDAP filter unescaped",
    }),
    directoryMinPasswordLength: int({
        ...PASSWORD_POLICY_LIMITS.minLength,
        allowed: `${PASSWORD_POLICY_LIMITS.minLength.min} to ${PASSWORD_POLICY_LIMITS.minLength.max} characters (AD allows up to 255; below 8 is weaker than NIST SP 800-63B's floor)`,
        outside: "is outside the range",
        default: DEFAULT_PORTAL_PASSWORD_POLICY.minLength,
    }),
    directoryLockoutThreshold: int({
        ...PASSWORD_POLICY_LIMITS.lockoutThreshold,
        allowed: `${PASSWORD_POLICY_LIMITS.lockoutThreshold.min} to ${PASSWORD_POLICY_LIMITS.lockoutThreshold.max} wrong passwords (AD's range; 0, never lock out, is refused: it leaves password guessing unlimited)`,
        outside: "is outside the range",
        default: DEFAULT_PORTAL_PASSWORD_POLICY.lockoutThreshold,
    }),
    directoryLockoutObservationMinutes: int({
        ...PASSWORD_POLICY_LIMITS.minutes,
        allowed: `${PASSWORD_POLICY_LIMITS.minutes.min} to ${PASSWORD_POLICY_LIMITS.minutes.max} minutes (AD's range), at most directoryLockoutDurationMinutes`,
        outside: "is outside the range",
        default: DEFAULT_PORTAL_PASSWORD_POLICY.lockoutObservationMinutes,
    }),
    directoryLockoutDurationMinutes: int({
        ...PASSWORD_POLICY_LIMITS.minutes,
        allowed: `${PASSWORD_POLICY_LIMITS.minutes.min} to ${PASSWORD_POLICY_LIMITS.minutes.max} minutes (AD's range; "until an administrator unlocks" is refused: anyone could lock every user out)`,
        outside: "is outside the range",
        default: DEFAULT_PORTAL_PASSWORD_POLICY.lockoutDurationMinutes,
    }),
    directoryConfirmedSettings: text({
        allowed: '"<edition> <domain> <short name>", repeating the three settings',
        default: "Standard corp.aiportal.internal CORP",
    }),
};

export function readDirectory(reader: ConfigReader): DirectoryConfig | undefined {
    const v = readSpec(reader, DIRECTORY_SPEC);
    if (!allRead(DIRECTORY_SPEC, v)) {
        return undefined;
    }
    // AWS cannot change these in place: a new value replaces the directory and loses every user,
    // group and password in it. Making the user restate them turns a typo into an error.
    const current = `${v.directoryEdition} ${v.directoryDomain} ${v.directoryShortName}`;
    let ok = true;
    // AD refuses a PSO whose lockout lasts less than its observation window.
    if (v.directoryLockoutDurationMinutes < v.directoryLockoutObservationMinutes) {
        reader.report(
            reader.qualified("directoryLockoutDurationMinutes"),
            String(v.directoryLockoutDurationMinutes),
            `is shorter than directoryLockoutObservationMinutes (${v.directoryLockoutObservationMinutes}), which AD refuses in a password policy`,
            `at least ${v.directoryLockoutObservationMinutes} minutes, or a shorter directoryLockoutObservationMinutes`,
        );
        ok = false;
    }
    if (v.directoryConfirmedSettings !== current) {
        reader.report(
            reader.qualified("directoryConfirmedSettings"),
            v.directoryConfirmedSettings,
            `does not match directoryEdition, directoryDomain and directoryShortName ("${current}"). Changing any of them REPLACES the directory: every user, group and password in it is lost (prod's protect stops the update until it is lifted). If that is intended, set directoryConfirmedSettings to "${current}"`,
            JSON.stringify(current),
        );
        return undefined;
    }
    if (!ok) {
        return undefined;
    }
    return {
        portalGroup: v.directoryPortalGroup,
        passwordPolicy: {
            minLength: v.directoryMinPasswordLength,
            lockoutThreshold: v.directoryLockoutThreshold,
            lockoutObservationMinutes: v.directoryLockoutObservationMinutes,
            lockoutDurationMinutes: v.directoryLockoutDurationMinutes,
        },
        domain: v.directoryDomain,
        shortName: v.directoryShortName,
        edition: v.directoryEdition,
        protect: v.directoryProtect,
    };
}
