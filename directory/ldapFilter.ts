/** LDAP filter values, escaped as RFC 4515 (section 3) requires. Pure. */

/**
 * A value for an LDAP filter's assertion: "*", "(", ")", "\" and NUL become "\2a", "\28", "\29",
 * "\5c" and "\00", so the value matches itself and nothing else (no wildcard, no injected term).
 */
export function escapeFilterValue(value: string): string {
    return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
