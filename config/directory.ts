/** Directory keys: the AWS Managed Microsoft AD domain, NetBIOS name, edition and protection. */
import { ConfigReader, ConfigValueType } from "./reader";

export const DIRECTORY_KEYS: Readonly<Record<string, ConfigValueType>> = {
    directoryDomain: "string",
    directoryShortName: "string",
    directoryEdition: "string",
    directoryProtect: "boolean",
    directoryConfirmedSettings: "string",
};

export const DIRECTORY_EDITIONS = ["Standard", "Enterprise"] as const;
export type DirectoryEdition = (typeof DIRECTORY_EDITIONS)[number];

export interface DirectoryConfig {
    /** Fully qualified domain, e.g. corp.aiportal.internal. */
    readonly domain: string;
    /** NetBIOS name, e.g. CORP. */
    readonly shortName: string;
    readonly edition: DirectoryEdition;
    /** Pulumi `protect` on the directory: it cannot be deleted or replaced until this is turned off. */
    readonly protect: boolean;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
/** NetBIOS: 1-15 characters, no dot, none of the characters Windows forbids in it. */
const NETBIOS = /^[A-Za-z0-9][A-Za-z0-9-]{0,14}$/;

export function readDirectory(reader: ConfigReader): DirectoryConfig | undefined {
    const domain = reader.string("directoryDomain", "a DNS name of at least two labels, e.g. corp.aiportal.internal", (v) => {
        const labels = v.split(".");
        if (labels.length < 2) {
            return "is a single label; Managed AD needs a fully qualified domain";
        }
        if (v.length > 255 || !labels.every((l) => DNS_LABEL.test(l))) {
            return "is not a valid DNS name (labels of letters, digits and inner hyphens, 1-63 characters each)";
        }
        return /^[0-9]+$/.test(labels[labels.length - 1]) ? "ends in a numeric label, which no DNS domain may" : undefined;
    });
    const shortName = reader.string("directoryShortName", "a NetBIOS name of 1-15 letters, digits or hyphens, no dot, e.g. CORP", (v) =>
        v.includes(".") ? "contains a dot" : v.length > 15 ? `has ${v.length} characters` : NETBIOS.test(v) ? undefined : "is not a NetBIOS name",
    );
    const edition = reader.oneOf("directoryEdition", DIRECTORY_EDITIONS);
    const protect = reader.boolean("directoryProtect");
    const confirmed = reader.string("directoryConfirmedSettings", '"<edition> <domain> <short name>", repeating the three settings', () => undefined);
    if (domain === undefined || shortName === undefined || edition === undefined || protect === undefined || confirmed === undefined) {
        return undefined;
    }
    // AWS cannot change these in place: a new value replaces the directory and loses every user,
    // group and password in it. Making the user restate them turns a typo into an error.
    const current = `${edition} ${domain} ${shortName}`;
    if (confirmed !== current) {
        reader.report(
            reader.qualified("directoryConfirmedSettings"),
            confirmed,
            `does not match directoryEdition, directoryDomain and directoryShortName ("${current}"). Changing any of them REPLACES the directory: every user, group and password in it is lost (prod's protect stops the update until it is lifted). If that is intended, set directoryConfirmedSettings to "${current}"`,
            JSON.stringify(current),
        );
        return undefined;
    }
    return { domain, shortName, edition, protect };
}
