/**
 * What the data tier decides from the database settings (pure, so config can check them without
 * loading Pulumi): the PostgreSQL majors it runs, and whether a class gets Performance Insights.
 */

/**
 * PostgreSQL majors RDS supports in standard support (checked against the RDS for PostgreSQL
 * release calendar). A major only: RDS retires minors (the seed's 15.4 is gone) and a pinned,
 * retired minor breaks the next `pulumi up`.
 */
export const POSTGRES_MAJORS: readonly string[] = ["14", "15", "16", "17"];

/** Classes too small for Performance Insights. */
const NO_PERFORMANCE_INSIGHTS = /^db\.(t2|t3|t4g)\.(micro|small)$/;

/** Performance Insights is on unless the class is too small for it. */
export function performanceInsightsFor(instanceClass: string): boolean {
    return !NO_PERFORMANCE_INSIGHTS.test(instanceClass);
}
