/**
 * What the portal alarms on, and at which thresholds: one pure table per profile, so the
 * thresholds are reviewed in one place and prod's stricter profile is visible side by side.
 */

export const ALARM_PROFILES = ["strict", "relaxed"] as const;
export type AlarmProfile = (typeof ALARM_PROFILES)[number];

/**
 * The custom metric the web hosts publish every minute: 1 when Open WebUI's /health answers over
 * HTTPS through Caddy (single) or through the ALB by the portal's name (loadBalanced).
 */
export const HEALTH_NAMESPACE = "AIPortal";
export const HEALTH_METRIC = "PortalHealthy";

/**
 * The metric the directory's bind check publishes every 5 minutes (directory/passwordPolicies.ts,
 * BindCheck), in the same namespace and with the same `Stack` dimension: 1 when the portal's LDAP
 * bind account could bind on every domain controller.
 */
export const DIRECTORY_BIND_METRIC = "DirectoryBindHealthy";

export interface Thresholds {
    /** Average CPU % over 3 x 5 minutes. */
    readonly dbCpuPercent: number;
    /** Free storage below this many GiB for 2 x 5 minutes (autoscaling should have acted). */
    readonly dbFreeStorageGb: number;
    /** Connections above this for 3 x 5 minutes (db.t3.medium allows about 400). */
    readonly dbConnections: number;
    /** Minutes of failed (or missing) health checks before the portal counts as down. */
    readonly webUnhealthyMinutes: number;
    /** loadBalanced: 5xx answers (the ALB's and the hosts') as % of requests, over 2 x 5 minutes. */
    readonly alb5xxPercent: number;
    /** loadBalanced: p95 seconds until a host starts answering, over 3 x 5 minutes. */
    readonly albResponseSecondsP95: number;
    /** loadBalanced: requests WAF blocked in 5 minutes (an attack, or a rule blocking users). */
    readonly wafBlockedPer5Min: number;
    /** loadBalanced: Redis engine CPU % and memory used %, over 3 x 5 minutes. */
    readonly redisCpuPercent: number;
    readonly redisMemoryPercent: number;
}

export const THRESHOLDS: Readonly<Record<AlarmProfile, Thresholds>> = {
    strict: {
        dbCpuPercent: 70,
        dbFreeStorageGb: 5,
        dbConnections: 150,
        webUnhealthyMinutes: 3,
        alb5xxPercent: 5,
        albResponseSecondsP95: 5,
        wafBlockedPer5Min: 500,
        redisCpuPercent: 70,
        redisMemoryPercent: 80,
    },
    relaxed: {
        dbCpuPercent: 90,
        dbFreeStorageGb: 2,
        dbConnections: 300,
        webUnhealthyMinutes: 10,
        alb5xxPercent: 10,
        albResponseSecondsP95: 10,
        wafBlockedPer5Min: 2000,
        redisCpuPercent: 90,
        redisMemoryPercent: 90,
    },
};
