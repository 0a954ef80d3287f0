/** Locale-independent ordering: `localeCompare` follows the machine's locale, this does not. */
export function compareText(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
