/**
 * The directory's fine-grained password policies (password settings objects, PSOs), as pure data:
 * which of the PSOs AWS pre-creates the deployment takes, and the attribute values it writes.
 *
 * AWS Managed Microsoft AD does not let customers create PSOs. It pre-creates five,
 * CustomerPSO-01 to CustomerPSO-05 (precedence 10 to 50, not editable), in
 * `CN=Password Settings Container,CN=System,<domain DN>`; members of "AWS Delegated Fine Grained
 * Password Policy Administrators" may change their settings and whom they apply to. AWS Directory
 * Service admin guide, "Manage password policies for AWS Managed Microsoft AD"
 * (ms_ad_password_policies.html), "Supported policy settings" (supportedpolicysettings.html) and
 * "Assign password policies to your users" (assignpasswordpolicies.html).
 *
 * A PSO replaces the domain policy for everyone it applies to, every setting at once: what is not
 * tightened here keeps the default domain policy's value (24 passwords remembered, a 1-day minimum
 * age, 42-day maximum, complexity on, no reversible encryption), so no setting gets weaker.
 */

/** The portal group's policy: precedence 10, the strongest AWS offers. */
export const PORTAL_PSO = "CustomerPSO-01";
/** The bind account's policy. It is applied to the account itself, which beats any group's PSO. */
export const BIND_ACCOUNT_PSO = "CustomerPSO-02";

/** Where AD keeps a PSO (MS-ADTS 6.1.1.4.11.1, the Password Settings container). */
export function psoDn(domainDn: string, name: string): string {
    return `CN=${name},CN=Password Settings Container,CN=System,${domainDn}`;
}

/** What the portal group's PSO sets beyond the domain policy (config keys directory*). */
export interface PortalPasswordPolicy {
    /** Shortest password a member may set. */
    readonly minLength: number;
    /** Wrong passwords within the observation window that lock the account. */
    readonly lockoutThreshold: number;
    /** Minutes after which the count of wrong passwords starts again. */
    readonly lockoutObservationMinutes: number;
    /** Minutes an account stays locked (then AD unlocks it by itself). */
    readonly lockoutDurationMinutes: number;
}

export const DEFAULT_PORTAL_PASSWORD_POLICY: PortalPasswordPolicy = {
    minLength: 14,
    lockoutThreshold: 5,
    lockoutObservationMinutes: 15,
    lockoutDurationMinutes: 15,
};

/**
 * The values config accepts. AD's own bounds are 0-255 characters, 0-65535 attempts and (as the
 * Group Policy editor offers them) 1-99999 minutes; the portal refuses what would undo the fix:
 * fewer than 8 characters (NIST SP 800-63B's floor), a threshold of 0 (never lock out), and a
 * lockout "until an administrator unlocks" (anyone could then lock every portal user out).
 */
export const PASSWORD_POLICY_LIMITS = {
    minLength: { min: 8, max: 255 },
    lockoutThreshold: { min: 1, max: 65535 },
    minutes: { min: 1, max: 99999 },
} as const;

/** AD's "never" for an interval attribute (the most negative 64-bit integer). */
export const NEVER = "-9223372036854775808";

/** An AD interval attribute's value: negative, in 100-nanosecond units. */
export function minutesToInterval(minutes: number): string {
    return minutes === 0 ? "0" : `-${minutes * 60 * 10_000_000}`;
}

const DAY_MINUTES = 24 * 60;

/** What the domain policy already holds, and every PSO here keeps. */
const DOMAIN_POLICY_FLOOR = {
    "msDS-PasswordComplexityEnabled": "TRUE",
    "msDS-PasswordReversibleEncryptionEnabled": "FALSE",
    "msDS-PasswordHistoryLength": "24",
};

/** CustomerPSO-01's attributes for the portal group. Every msDS-PasswordSettings setting, so a re-run converges. */
export function portalPsoAttributes(p: PortalPasswordPolicy): Record<string, string> {
    return {
        ...DOMAIN_POLICY_FLOOR,
        "msDS-MinimumPasswordLength": String(p.minLength),
        "msDS-MinimumPasswordAge": minutesToInterval(DAY_MINUTES),
        // Kept at the domain's 42 days: members are used to it, and a changed password is the
        // only way a leaked one stops working (Open WebUI offers no second factor over LDAP).
        "msDS-MaximumPasswordAge": minutesToInterval(42 * DAY_MINUTES),
        "msDS-LockoutThreshold": String(p.lockoutThreshold),
        "msDS-LockoutObservationWindow": minutesToInterval(p.lockoutObservationMinutes),
        "msDS-LockoutDuration": minutesToInterval(p.lockoutDurationMinutes),
    };
}

/** The bind account's generated password has 40 characters; a rotated one must be as long as 32. */
export const BIND_ACCOUNT_MIN_LENGTH = 32;

/**
 * CustomerPSO-02's attributes for the bind account: its password never expires (else every LDAP
 * sign-in fails after 42 days) and it is never locked out (else anyone could lock the portal's
 * sign-in for everybody with a few wrong passwords for it). Its password is 40 random characters,
 * so guessing it is hopeless without a lockout; it changes only when the deployment rotates it.
 */
export function bindAccountPsoAttributes(): Record<string, string> {
    return {
        ...DOMAIN_POLICY_FLOOR,
        "msDS-MinimumPasswordLength": String(BIND_ACCOUNT_MIN_LENGTH),
        // A rotation may run twice in a day.
        "msDS-MinimumPasswordAge": "0",
        "msDS-MaximumPasswordAge": NEVER,
        "msDS-LockoutThreshold": "0",
        // Required attributes, unused with a threshold of 0; AD requires duration >= window.
        "msDS-LockoutObservationWindow": minutesToInterval(15),
        "msDS-LockoutDuration": minutesToInterval(15),
    };
}

/** Problems with a portal policy's combination of values (each value is checked on its own by config). */
export function portalPolicyProblems(p: PortalPasswordPolicy): string[] {
    // AD refuses a PSO whose lockout duration is shorter than its observation window.
    return p.lockoutDurationMinutes < p.lockoutObservationMinutes
        ? [
              `directoryLockoutDurationMinutes: ${p.lockoutDurationMinutes} is shorter than directoryLockoutObservationMinutes (${p.lockoutObservationMinutes}); allowed: a duration at least as long as the observation window (AD refuses the PSO otherwise)`,
          ]
        : [];
}
