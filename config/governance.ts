/**
 * Cost and usage governance keys: budgets, the account-wide Bedrock settings and who owns them,
 * the working-hours schedule, and the usage the plan estimates Bedrock spend from.
 */
import { ConfigReader } from "./reader";
import { allRead, bool, int, oneOf, optionalText, readSpec, text } from "./spec";

/** off: none; metadata: who called which model when, with token counts; full: prompts and completions too. */
export const INVOCATION_LOGGING = ["off", "metadata", "full"] as const;
export type InvocationLogging = (typeof INVOCATION_LOGGING)[number];

export const WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** When a stack runs: on these days, from `start` to `stop` (hours and minutes), in `timeZone`. */
export interface WorkingHours {
    readonly days: readonly Weekday[];
    readonly start: { readonly hour: number; readonly minute: number };
    readonly stop: { readonly hour: number; readonly minute: number };
    /** An IANA time zone, e.g. Europe/London (EventBridge Scheduler follows its daylight saving). */
    readonly timeZone: string;
    /** Hours it runs in a week, for the plan. */
    readonly hoursPerWeek: number;
}

const DAY = /^(mon|tue|wed|thu|fri|sat|sun)$/i;
const TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

function isTimeZone(zone: string): boolean {
    try {
        new Intl.DateTimeFormat("en-GB", { timeZone: zone });
        return zone.includes("/") || zone === "UTC";
    } catch {
        return false;
    }
}

/** Parses "Mon-Fri 07:00-19:00 Europe/London" (days as a range or a comma list); a reason when it cannot. */
export function parseWorkingHours(value: string): WorkingHours | string {
    const parts = value.trim().split(/\s+/);
    if (parts.length !== 3) {
        return "is not <days> <start>-<stop> <time zone>";
    }
    const [dayText, timeText, timeZone] = parts;
    const index = (d: string) => WEEKDAYS.indexOf(d.toUpperCase() as Weekday);
    let days: Weekday[];
    const range = /^([a-z]{3})-([a-z]{3})$/i.exec(dayText);
    if (range && DAY.test(range[1]) && DAY.test(range[2])) {
        const [from, to] = [index(range[1]), index(range[2])];
        if (to < from) {
            return "has a day range that runs backwards (weeks start on Monday)";
        }
        days = WEEKDAYS.slice(from, to + 1);
    } else {
        const list = dayText.split(",");
        if (!list.every((d) => DAY.test(d))) {
            return `has days "${dayText}" that are not Mon-Sun names`;
        }
        days = WEEKDAYS.filter((d) => list.some((x) => x.toUpperCase() === d));
    }
    const [startText, stopText] = timeText.split("-");
    const [start, stop] = [TIME.exec(startText ?? ""), TIME.exec(stopText ?? "")];
    if (!start || !stop) {
        return `has hours "${timeText}" that are not HH:MM-HH:MM`;
    }
    const minutes = (m: RegExpExecArray) => Number(m[1]) * 60 + Number(m[2]);
    if (minutes(stop) <= minutes(start)) {
        return "stops before it starts (overnight windows are not supported)";
    }
    if (minutes(stop) - minutes(start) < 60) {
        return "runs for less than an hour a day";
    }
    if (!isTimeZone(timeZone)) {
        return `has "${timeZone}", which is not an IANA time zone such as Europe/London`;
    }
    return {
        days,
        start: { hour: Number(start[1]), minute: Number(start[2]) },
        stop: { hour: Number(stop[1]), minute: Number(stop[2]) },
        timeZone,
        hoursPerWeek: (days.length * (minutes(stop) - minutes(start))) / 60,
    };
}

const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export const GOVERNANCE_SPEC = {
    monthlyBudgetUsd: int({
        min: 0,
        max: 10_000_000,
        allowed: "whole US dollars a month, 0 for no budget",
        outside: "is outside 0-10000000",
        default: 0,
    }),
    bedrockMonthlyBudgetUsd: int({
        min: 0,
        max: 10_000_000,
        allowed: "whole US dollars a month, 0 for no budget",
        outside: "is outside 0-10000000",
        default: 0,
    }),
    budgetActualAlertPercent: int({
        min: 1,
        max: 1000,
        allowed: "1 to 1000 (% of a budget actually spent)",
        outside: "is outside 1-1000",
        default: 80,
    }),
    budgetForecastAlertPercent: int({
        min: 1,
        max: 1000,
        allowed: "1 to 1000 (% of a budget forecast for the month)",
        outside: "is outside 1-1000",
        default: 100,
    }),
    bedrockInvocationLogging: oneOf(INVOCATION_LOGGING, "off"),
    activateCostAllocationTags: bool(false),
    accountSettingsStack: text({
        allowed:
            "the name of the one stack in this AWS account that owns its account-wide settings (Bedrock invocation logging, cost-allocation tag activation), e.g. prod",
        default: "prod",
        check: (v) => (STACK_NAME.test(v) ? undefined : "is not a stack name"),
    }),
    schedule: optionalText({
        allowed:
            'days, hours and an IANA time zone, e.g. "Mon-Fri 07:00-19:00 Europe/London", or "" to run always',
        check: (v) => {
            const parsed = parseWorkingHours(v);
            return typeof parsed === "string" ? parsed : undefined;
        },
    }),
    expectedUsers: int({
        min: 0,
        max: 1_000_000,
        allowed: "0 (no usage estimate) to 1000000 people",
        outside: "is outside 0-1000000",
        default: 0,
    }),
    inputTokensPerUserPerMonth: int({
        min: 0,
        max: 1_000_000_000,
        allowed: "0 to 1000000000 tokens",
        outside: "is outside 0-1000000000",
        default: 200_000,
    }),
    outputTokensPerUserPerMonth: int({
        min: 0,
        max: 1_000_000_000,
        allowed: "0 to 1000000000 tokens",
        outside: "is outside 0-1000000000",
        default: 50_000,
    }),
};

export interface GovernanceConfig {
    /** The stack's monthly budget and its Bedrock budget, in USD; undefined: none. */
    readonly monthlyBudgetUsd?: number;
    readonly bedrockMonthlyBudgetUsd?: number;
    readonly budgetActualAlertPercent: number;
    readonly budgetForecastAlertPercent: number;
    readonly bedrockInvocationLogging: InvocationLogging;
    /** Activate the Project and Stack tags for cost allocation (the owning stack only). */
    readonly activateCostAllocationTags: boolean;
    /** Whether this stack owns the account's account-wide settings. */
    readonly ownsAccountSettings: boolean;
    readonly accountSettingsStack: string;
    /** When the stack runs; undefined: always. */
    readonly schedule?: WorkingHours;
    /** The plan's usage estimate; undefined when expectedUsers is 0. */
    readonly usage?: {
        readonly users: number;
        readonly inputTokensPerUser: number;
        readonly outputTokensPerUser: number;
    };
}

export function readGovernance(reader: ConfigReader, stack: string): GovernanceConfig | undefined {
    const v = readSpec(reader, GOVERNANCE_SPEC);
    const before = reader.problems.length;
    // Invocation logging is one setting per account and region: only the owning stack may set it,
    // so two stacks in one account can never both claim (and fight over, or delete) it.
    if (
        v.bedrockInvocationLogging &&
        v.bedrockInvocationLogging !== "off" &&
        v.accountSettingsStack !== undefined &&
        v.accountSettingsStack !== stack
    ) {
        reader.report(
            reader.qualified("bedrockInvocationLogging"),
            v.bedrockInvocationLogging,
            `is on, but Bedrock invocation logging is one setting for the whole account and region, and accountSettingsStack says stack "${v.accountSettingsStack}" owns it, not "${stack}"`,
            `"off" here (set it on stack ${v.accountSettingsStack}), or make accountSettingsStack "${stack}" and turn it off there`,
        );
    }
    // So is the activation of cost-allocation tags: a stack that is destroyed deactivates them.
    if (
        v.activateCostAllocationTags &&
        v.accountSettingsStack !== undefined &&
        v.accountSettingsStack !== stack
    ) {
        reader.report(
            reader.qualified("activateCostAllocationTags"),
            "true",
            `is set, but cost-allocation tags are activated once for the whole account, and accountSettingsStack says stack "${v.accountSettingsStack}" owns that, not "${stack}"`,
            `false here (set it on stack ${v.accountSettingsStack})`,
        );
    }
    if (!allRead(GOVERNANCE_SPEC, v) || reader.problems.length !== before) {
        return undefined;
    }
    const schedule = v.schedule ? parseWorkingHours(v.schedule) : undefined;
    return {
        monthlyBudgetUsd: v.monthlyBudgetUsd || undefined,
        bedrockMonthlyBudgetUsd: v.bedrockMonthlyBudgetUsd || undefined,
        budgetActualAlertPercent: v.budgetActualAlertPercent,
        budgetForecastAlertPercent: v.budgetForecastAlertPercent,
        bedrockInvocationLogging: v.bedrockInvocationLogging,
        activateCostAllocationTags: v.activateCostAllocationTags,
        ownsAccountSettings: v.accountSettingsStack === stack,
        accountSettingsStack: v.accountSettingsStack,
        schedule: typeof schedule === "object" ? schedule : undefined,
        usage:
            v.expectedUsers > 0
                ? {
                      users: v.expectedUsers,
                      inputTokensPerUser: v.inputTokensPerUserPerMonth,
                      outputTokensPerUser: v.outputTokensPerUserPerMonth,
                  }
                : undefined,
    };
}
