/**
 * LDAP logins as Open WebUI performs them (tests/integration/python/ldap_login.py replays its
 * steps with ldap3, the library it uses), with exactly the LDAP settings and bind password the web
 * host's boot script wrote, against Samba as an Active Directory domain controller laid out like
 * AWS Managed AD.
 */
import * as assert from "assert";
import {
    bootedHost,
    BootedHost,
    directory,
    NESTED_GROUP,
    PEOPLE,
    python,
    STACKS,
} from "./support/fixtures";
import { parseEnvFile } from "./support/host";

interface Login {
    readonly ok: boolean;
    readonly email?: string;
    readonly stage?: string;
    readonly reason?: string;
}

for (const stack of STACKS) {
    describe(`LDAP logins (${stack}): Open WebUI's sign-in steps with the rendered settings`, () => {
        let host: BootedHost;
        let settings: Record<string, string>;
        let adminEmail: string;
        const login = (user: string, password: string): Promise<Login> =>
            python("ldap_login.py", { settings, user, password }, { python: "debian" });
        const editOwn = (
            user: string,
            password: string,
            attribute: string,
            value: string,
        ): Promise<{ changed: boolean; result: string }> =>
            python(
                "ldap_self_edit.py",
                { settings, user, password, attribute, value },
                { python: "debian" },
            );

        before(async () => {
            [host] = await Promise.all([bootedHost(`${stack}-web`), directory()]);
            const all = {
                ...parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.env")),
                ...parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.secrets.env")),
            };
            settings = Object.fromEntries(
                Object.entries(all).filter(([key]) => key.startsWith("LDAP_")),
            );
            adminEmail = all.WEBUI_ADMIN_EMAIL;
        });

        it("lets an enabled person in the portal's OU in, with their user principal name as the e-mail", async () => {
            assert.deepStrictEqual(await login("alice", PEOPLE.withMail.password), {
                ok: true,
                email: "alice@corp.aiportal.internal",
                name: "alice",
                dn: "CN=alice,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal",
            });
        });

        it(`lets a person without a mail attribute in as well (ds-data create-user sets none), a member through the nested group ${NESTED_GROUP}`, async () => {
            const result = await login("bob", PEOPLE.withoutMail.password);
            assert.strictEqual(result.ok, true, result.reason);
            assert.strictEqual(result.email, "bob@corp.aiportal.internal");
        });

        it("refuses an account without a user principal name, as Open WebUI refuses one without an e-mail", async () => {
            // ds-data and the AD console give every account one; only other tools can make such an account.
            assert.deepStrictEqual(await login("erin", PEOPLE.withoutUpn.password), {
                ok: false,
                stage: "mail",
                reason: "User does not have a valid email address.",
            });
        });

        it("refuses an enabled person in the portal's OU who is not in the portal's group", async () => {
            assert.deepStrictEqual(await login("grace", PEOPLE.notInGroup.password), {
                ok: false,
                stage: "search",
                reason: "User not found in the LDAP server",
            });
        });

        it("never signs a directory user in as the portal's administrator, even one whose mail is the admin's e-mail", async () => {
            assert.strictEqual(PEOPLE.mailIsAdmins.mail, adminEmail, "the attack is set up");
            const result = await login("mallory", PEOPLE.mailIsAdmins.password);
            assert.strictEqual(result.ok, true, result.reason);
            // Open WebUI attaches an LDAP login to the account with the same e-mail: this one is
            // mallory's own, because the e-mail comes from the user principal name.
            assert.strictEqual(result.email, "mallory@corp.aiportal.internal");
        });

        it("a directory user cannot set their own user principal name to the admin's e-mail (the mail attribute is not trusted)", async () => {
            assert.deepStrictEqual(
                await editOwn("alice", PEOPLE.withMail.password, "userPrincipalName", adminEmail),
                { changed: false, result: "insufficientAccessRights" },
            );
            assert.strictEqual(
                (await login("alice", PEOPLE.withMail.password)).email,
                "alice@corp.aiportal.internal",
            );
        });

        it("takes the login name in any case, as AD does", async () => {
            assert.strictEqual(
                (await login("ALICE", PEOPLE.withMail.password)).email,
                "alice@corp.aiportal.internal",
            );
        });

        it("refuses a disabled account before any password is tried", async () => {
            assert.deepStrictEqual(await login("carol", PEOPLE.disabled.password), {
                ok: false,
                stage: "search",
                reason: "User not found in the LDAP server",
            });
        });

        it("refuses an account outside the search base (not in the directory's own OU)", async () => {
            assert.deepStrictEqual(await login("dave", PEOPLE.outsideBase.password), {
                ok: false,
                stage: "search",
                reason: "User not found in the LDAP server",
            });
        });

        it("refuses a wrong password and an empty one", async () => {
            assert.deepStrictEqual(await login("alice", "not-her-password"), {
                ok: false,
                stage: "user-bind",
                reason: "Authentication failed.",
            });
            assert.deepStrictEqual(await login("alice", " "), {
                ok: false,
                stage: "form",
                reason: "empty password",
            });
        });

        it("refuses a filter injection in the login name", async () => {
            assert.strictEqual((await login("*", PEOPLE.withMail.password)).ok, false);
            assert.strictEqual(
                (await login("alice)(sAMAccountName=*", PEOPLE.withMail.password)).ok,
                false,
            );
        });
    });
}
