/**
 * What the portal alarms on, and at which thresholds: one pure table per profile, so the
 * thresholds are reviewed in one place and prod's stricter profile is visible side by side.
 */

export const ALARM_PROFILES = ["strict", "relaxed"] as const;
export type AlarmProfile = (typeof ALARM_PROFILES)[number];

/** The custom metric the web host publishes every minute: 1 when HTTPS through Caddy to Open WebUI's /health works. */
export const HEALTH_NAMESPACE = "AIPortal";
export const HEALTH_METRIC = "PortalHealthy";

export interface Thresholds {
    /** Average CPU % over 3 x 5 minutes. */
    readonly dbCpuPercent: number;
    /** Free storage below this many GiB for 2 x 5 minutes (autoscaling should have acted). */
    readonly dbFreeStorageGb: number;
    /** Connections above this for 3 x 5 minutes (db.t3.medium allows about 400). */
    readonly dbConnections: number;
    /** Minutes of failed (or missing) health checks before the portal counts as down. */
    readonly webUnhealthyMinutes: number;
}

export const THRESHOLDS: Readonly<Record<AlarmProfile, Thresholds>> = {
    strict: { dbCpuPercent: 70, dbFreeStorageGb: 5, dbConnections: 150, webUnhealthyMinutes: 3 },
    relaxed: { dbCpuPercent: 90, dbFreeStorageGb: 2, dbConnections: 300, webUnhealthyMinutes: 10 },
};
