/** Operations keys: who hears about alarms and how strict the thresholds are. */
import { ALARM_PROFILES, AlarmProfile } from "../operations/alarms";
import { isEmail } from "./common";
import { ConfigReader } from "./reader";
import { allRead, oneOf, optionalText, readSpec } from "./spec";

export const OPERATIONS_SPEC = {
    alarmEmail: optionalText({
        allowed: 'an e-mail address, or "" for no subscription',
        check: (v) => (isEmail(v) ? undefined : "is not an e-mail address"),
    }),
    alarmProfile: oneOf(ALARM_PROFILES, "strict"),
};

export interface OperationsConfig {
    /** E-mail subscribed to the alarm topic, or undefined. */
    readonly alarmEmail?: string;
    readonly alarmProfile: AlarmProfile;
}

export function readOperations(reader: ConfigReader): OperationsConfig | undefined {
    const v = readSpec(reader, OPERATIONS_SPEC);
    return allRead(OPERATIONS_SPEC, v) ? v : undefined;
}
