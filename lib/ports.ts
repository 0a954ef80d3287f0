/**
 * Every port the portal uses, in one place: the traffic matrix opens them, the settings name them
 * and the boot scripts publish them. The gateway's port is configurable (`gatewayPort`); this is
 * its default.
 */
export const PORTS = {
    https: 443,
    http: 80,
    ssh: 22,
    postgres: 5432,
    ldap: 389,
    dns: 53,
    /** Open WebUI: on the single host's loopback (Caddy in front), or to the ALB in the load-balanced tier. */
    openWebUi: 8080,
    /**
     * The single web host's sign-in limit (templates/signin-limit.py), on its loopback only:
     * Caddy asks it about each sign-in attempt.
     */
    signInLimit: 9180,
    /** Redis (ElastiCache), TLS, in the load-balanced tier. */
    redis: 6379,
    /** The Bedrock gateway's API (default of `gatewayPort`). */
    gateway: 8000,
} as const;
