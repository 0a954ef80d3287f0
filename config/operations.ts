/** Operations keys: who hears about alarms and how strict the thresholds are. */
import { ALARM_PROFILES, AlarmProfile } from "../operations/alarms";
import { isEmail } from "./common";
import { ConfigReader, ConfigValueType } from "./reader";

export const OPERATIONS_KEYS: Readonly<Record<string, ConfigValueType>> = {
    alarmEmail: "string",
    alarmProfile: "string",
};

export interface OperationsConfig {
    /** E-mail subscribed to the alarm topic, or undefined. */
    readonly alarmEmail?: string;
    readonly alarmProfile: AlarmProfile;
}

export function readOperations(reader: ConfigReader): OperationsConfig | undefined {
    const alarmEmail = reader.string("alarmEmail", 'an e-mail address, or "" for no subscription', (v) =>
        v === "" || isEmail(v) ? undefined : "is not an e-mail address",
    );
    const alarmProfile = reader.oneOf("alarmProfile", ALARM_PROFILES);
    if (alarmEmail === undefined || alarmProfile === undefined) {
        return undefined;
    }
    return { alarmEmail: alarmEmail === "" ? undefined : alarmEmail, alarmProfile };
}
