/**
 * LDAP logins as Open WebUI performs them (tests/integration/python/ldap_login.py replays its
 * steps with ldap3, the library it uses), with exactly the LDAP settings and bind password the web
 * host's boot script wrote, against Samba as an Active Directory domain controller laid out like
 * AWS Managed AD.
 */
import * as assert from "assert";
import { bootedHost, BootedHost, directory, PEOPLE, python, STACKS } from "./support/fixtures";
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
        const login = (user: string, password: string): Promise<Login> =>
            python("ldap_login.py", { settings, user, password }, { python: "debian" });

        before(async () => {
            [host] = await Promise.all([bootedHost(`${stack}-web`), directory()]);
            const all = {
                ...parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.env")),
                ...parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.secrets.env")),
            };
            settings = Object.fromEntries(
                Object.entries(all).filter(([key]) => key.startsWith("LDAP_")),
            );
        });

        it("lets an enabled person in the portal's OU in, with their user principal name as the e-mail", async () => {
            assert.deepStrictEqual(await login("alice", PEOPLE.withMail.password), {
                ok: true,
                email: "alice@corp.aiportal.internal",
                name: "alice",
                dn: "CN=alice,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal",
            });
        });

        it("lets a person without a mail attribute in as well (ds-data create-user sets none)", async () => {
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
