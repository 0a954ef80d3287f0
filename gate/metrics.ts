/**
 * One structured log line per call, in CloudWatch's embedded metric format: CloudWatch Logs turns
 * the line's metric fields into metrics by model and by group (never by person, so the number of
 * metrics stays bounded by models × groups), and the line itself stays queryable with Logs
 * Insights (who spent what). No AWS call is made: the host's log shipping carries the line.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * Pure.
 */

/** The metric namespace the gate's metrics appear under. */
export const METRIC_NAMESPACE = "AIPortal/UsageGate";

/** What happened to a call. */
export type Outcome =
    "completed" | "rejected-limit" | "rejected-unavailable" | "upstream-error" | "aborted";

export interface CallLog {
    /** Milliseconds since the epoch, when the call ended. */
    readonly timestamp: number;
    readonly callId: string;
    readonly route: string;
    readonly outcome: Outcome;
    readonly status: number;
    readonly model: string;
    /** The group whose limit applied ("default" when none), the metric dimension. */
    readonly group: string;
    /** Open WebUI's user id, e-mail and chat id; "unattributed" when the caller sent none. */
    readonly person: string;
    readonly email: string;
    readonly chatId: string;
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly costUsd: number;
    readonly unpriced: boolean;
    /** Spent this month (USD) and the limit, when they were read. */
    readonly monthSpentUsd: number | null;
    readonly limitUsd: number | null;
    /** True when usage could not be read and the call went ahead anyway (fail open). */
    readonly failOpen: boolean;
    /** True when the call produced no usage figure (client went away, upstream error). */
    readonly usageMissing: boolean;
    readonly durationMs: number;
    /**
     * The stack the gate serves (GATE_STACK), a dimension of every metric: stacks that share an
     * account (and so the namespace) keep apart. Absent: no Stack dimension.
     */
    readonly stack?: string;
}

const METRICS = [
    { Name: "Calls", Unit: "Count" },
    { Name: "InputTokens", Unit: "Count" },
    { Name: "OutputTokens", Unit: "Count" },
    { Name: "CostUsd", Unit: "None" },
    { Name: "Rejected", Unit: "Count" },
    { Name: "FailOpen", Unit: "Count" },
    { Name: "UsageMissing", Unit: "Count" },
    { Name: "DurationMs", Unit: "Milliseconds" },
];

/** The call as one JSON line with its metric directive. */
export function emfLine(call: CallLog): string {
    return JSON.stringify({
        _aws: {
            Timestamp: call.timestamp,
            CloudWatchMetrics: [
                {
                    Namespace: METRIC_NAMESPACE,
                    // Per model, per group, and in total (the alarm on fail-open events reads the
                    // total), each within the stack when it is named.
                    Dimensions:
                        call.stack === undefined
                            ? [["Model"], ["Group"], []]
                            : [["Stack", "Model"], ["Stack", "Group"], ["Stack"]],
                    Metrics: METRICS,
                },
            ],
        },
        ...(call.stack === undefined ? {} : { Stack: call.stack }),
        Model: call.model,
        Group: call.group,
        Calls: 1,
        InputTokens: call.inputTokens,
        OutputTokens: call.outputTokens,
        CostUsd: call.costUsd,
        Rejected: call.outcome.startsWith("rejected") ? 1 : 0,
        FailOpen: call.failOpen ? 1 : 0,
        UsageMissing: call.usageMissing ? 1 : 0,
        DurationMs: call.durationMs,
        event: "usage-gate-call",
        callId: call.callId,
        route: call.route,
        outcome: call.outcome,
        status: call.status,
        person: call.person,
        email: call.email,
        chatId: call.chatId,
        unpriced: call.unpriced,
        monthSpentUsd: call.monthSpentUsd,
        limitUsd: call.limitUsd,
    });
}
