/**
 * Open WebUI's LDAP search filter (compute/settings.ts) and the RFC 4515 escaping it uses: only
 * enabled people in the portal group, never one whose user principal name is the local
 * administrator's e-mail (a directory user-administrator can set any UPN; Open WebUI would attach
 * that LDAP login to the administrator's account).
 */
import * as assert from "assert";
import { ldapSearchFilter } from "../../compute/settings";
import { escapeFilterValue } from "../../directory/ldapFilter";

const GROUP = "CN=AI Portal Users,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal";

describe("LDAP search filter", () => {
    it("excludes the administrator's e-mail as a user principal name, and keeps the in-chain group rule", () => {
        assert.strictEqual(
            ldapSearchFilter(GROUP, "portal-admin@example.com"),
            "(objectClass=user)(objectCategory=person)" +
                "(!(userAccountControl:1.2.840.113556.1.4.803:=2))" +
                "(!(userPrincipalName=portal-admin@example.com))" +
                `(memberOf:1.2.840.113556.1.4.1941:=${GROUP})`,
        );
    });

    it("escapes the e-mail as RFC 4515 requires, so it cannot widen or end the filter", () => {
        assert.match(
            ldapSearchFilter(GROUP, "a*b(c)d\\e@example.com"),
            /\(!\(userPrincipalName=a\\2ab\\28c\\29d\\5ce@example\.com\)\)/,
        );
    });

    it("escapeFilterValue: the five characters RFC 4515 names, and nothing else", () => {
        assert.strictEqual(escapeFilterValue("*()\\\0"), "\\2a\\28\\29\\5c\\00");
        assert.strictEqual(
            escapeFilterValue("Jane.O'Neil+x%y_z-1@ex-ample.com é"),
            "Jane.O'Neil+x%y_z-1@ex-ample.com é",
        );
    });
});
