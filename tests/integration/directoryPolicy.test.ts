/**
 * The directory's password policies and bind check: the function's code archive as the program
 * packages it, invoked with the input the program renders (its domain controllers' addresses
 * replaced by a refused one and Samba's), against Samba as an AD domain controller laid out like
 * AWS Managed AD (CustomerPSO-01..05 pre-created, Admin allowed to change them). Then, with Open
 * WebUI's LDAP sign-in steps (python/ldap_login.py) and the rendered settings: a portal-group
 * member is locked out after the configured number of wrong passwords until the lockout passes,
 * users outside the group keep the domain policy, the bind account's password never expires, and
 * a member whose user principal name was set to the administrator's e-mail is not found.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Client } from "ldapts";
import { BIND_ACCOUNT } from "../../directory/bindAccount";
import { portalPsoAttributes } from "../../directory/passwordPolicy";
import { PROJECT_DIR } from "../../offline/stackConfig";
import { named } from "../harness/query";
import { moto, workDir } from "./support/components";
import { artefactsOf, bootedHost, directory, PEOPLE, python } from "./support/fixtures";
import { parseEnvFile } from "./support/host";
import { run as exec } from "./support/process";

const STACK = "dev";
const DOMAIN_DN = "DC=corp,DC=aiportal,DC=internal";
const USERS = `OU=Users,OU=CORP,${DOMAIN_DN}`;
const PSO = (n: number) =>
    `CN=CustomerPSO-0${n},CN=Password Settings Container,CN=System,${DOMAIN_DN}`;
/** Samba listens on 127.0.0.1 only: 127.0.0.2 refuses, as an unreachable controller would. */
const SERVERS = ["127.0.0.2", "127.0.0.1"];
/** AD's "never" for msDS-UserPasswordExpiryTimeComputed. */
const NEVER_EXPIRES = "9223372036854775807";
/** The test's config: the default threshold (5), a 1-minute lockout so the test can outwait it. */
const TEST_POLICY = {
    minLength: 14,
    lockoutThreshold: 5,
    lockoutObservationMinutes: 1,
    lockoutDurationMinutes: 1,
};

interface Invocation {
    readonly code: number | null;
    readonly stderr: string;
    readonly stdout: string;
    readonly returned?: any;
}

/** The function's archive, as the program declares it, copied into a folder. */
function unpack(archive: Record<string, any>, into: string): void {
    for (const [name, entry] of Object.entries(archive)) {
        const target = path.join(into, name);
        assert.ok(entry.file, `only files in the archive: ${name}`);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.cpSync(path.join(PROJECT_DIR, entry.file), target);
    }
}

/** Only what the Lambda Node.js runtime adds: the AWS SDK's Secrets Manager client. */
function runtimeModules(): string {
    const dir = workDir("lambda", "policy-runtime", "node_modules", "@aws-sdk");
    const link = path.join(dir, "client-secrets-manager");
    if (!fs.existsSync(link)) {
        fs.symlinkSync(
            path.join(PROJECT_DIR, "node_modules", "@aws-sdk", "client-secrets-manager"),
            link,
        );
    }
    return path.dirname(dir);
}

async function invoke(functionName: string, event: unknown): Promise<Invocation> {
    const [{ run }, aws] = await Promise.all([artefactsOf(STACK), moto()]);
    const fn = named(run, "aws:lambda/function:Function", functionName);
    const dir = workDir("lambda", "policy", functionName);
    unpack(fn.inputs.code.archive, dir);
    const [file, exported] = fn.inputs.handler.split(".");
    const resultFile = path.join(dir, "result.json");
    fs.rmSync(resultFile, { force: true });
    // No subject waits here: every subject exists before the first run.
    const driver = `require(${JSON.stringify(path.join(dir, file))}).${exported}(JSON.parse(process.env.EVENT), { subjectWaitsMs: [] }).then((r) => require("fs").writeFileSync(${JSON.stringify(resultFile)}, JSON.stringify(r)))`;
    const result = await exec(process.execPath, ["-e", driver], {
        cwd: dir,
        env: {
            PATH: process.env.PATH,
            NODE_PATH: runtimeModules(),
            AWS_REGION: "eu-west-2",
            ...aws.env,
            EVENT: JSON.stringify(event),
        },
        timeoutMs: fn.inputs.timeout * 1000,
    });
    return {
        code: result.code,
        stderr: result.stderr,
        stdout: result.stdout,
        returned: result.code === 0 ? JSON.parse(fs.readFileSync(resultFile, "utf8")) : undefined,
    };
}

/** The rendered invocation input with the suite's servers, and optionally the portal policy's values. */
async function policyEvent(policy?: typeof TEST_POLICY): Promise<any> {
    const { run } = await artefactsOf(STACK);
    const event = JSON.parse(
        named(run, "aws:lambda/invocation:Invocation", "directory-policy-run").inputs.input,
    );
    event.servers = SERVERS;
    if (policy) {
        event.policies[0].attributes = portalPsoAttributes(policy);
    }
    return event;
}

/** Reads entries as Samba's own administrator (provisioned by the suite), not as the portal. */
async function readEntry(dn: string, attributes: string[]): Promise<Record<string, any>> {
    const client = new Client({ url: "ldap://127.0.0.1:389" });
    try {
        await client.bind("Administrator@corp.aiportal.internal", "Provision-CORP-9x");
        const { searchEntries } = await client.search(dn, { scope: "base", attributes });
        return searchEntries[0];
    } finally {
        await client.unbind();
    }
}

async function binds(dn: string, password: string): Promise<boolean> {
    const client = new Client({ url: "ldap://127.0.0.1:389" });
    try {
        await client.bind(dn, password);
        return true;
    } catch {
        return false;
    } finally {
        await client.unbind().catch(() => undefined);
    }
}

function assertRan(invocation: Invocation): any {
    assert.strictEqual(invocation.code, 0, `the handler failed:\n${invocation.stderr}`);
    assert.doesNotMatch(
        invocation.stdout + invocation.stderr,
        /password"|Passw0rd|Provision-/,
        "no secret in the logs",
    );
    return invocation.returned;
}

describe("directory password policies: the packaged function against Samba as Managed AD", () => {
    let settings: Record<string, string>;
    let adminEmail: string;
    const login = (user: string, password: string) =>
        python("ldap_login.py", { settings, user, password }, { python: "debian" });

    before(async () => {
        const [host] = await Promise.all([bootedHost(`${STACK}-web`), directory()]);
        const all = {
            ...parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.env")),
            ...parseEnvFile(host.disk.read("/etc/ai-portal/open-webui.secrets.env")),
        };
        settings = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith("LDAP_")));
        adminEmail = all.WEBUI_ADMIN_EMAIL;
    });

    after(async () => {
        // Leave the directory as the program's own settings make it, for the suites after this one.
        assertRan(await invoke("directory-policy-function", await policyEvent()));
    });

    it("first run: sets CustomerPSO-01 on the portal group and CustomerPSO-02 on the bind account, through the controller that answers", async () => {
        const returned = assertRan(
            await invoke("directory-policy-function", await policyEvent(TEST_POLICY)),
        );
        assert.strictEqual(returned.server, "127.0.0.1");
        // Samba's PSOs start from its domain policy (42 days, 24 remembered, 30-minute lockout
        // windows, no threshold): the run writes what differs from the program's settings.
        assert.deepStrictEqual(
            returned.policies.map((p: any) => [p.policy, p.appliesTo, p.changed]),
            [
                [
                    "CustomerPSO-01",
                    `CN=AI Portal Users,${USERS}`,
                    [
                        "msDS-MinimumPasswordLength",
                        "msDS-LockoutThreshold",
                        "msDS-LockoutObservationWindow",
                        "msDS-LockoutDuration",
                        "msDS-PSOAppliesTo",
                    ],
                ],
                [
                    "CustomerPSO-02",
                    `CN=${BIND_ACCOUNT},${USERS}`,
                    [
                        "msDS-MinimumPasswordLength",
                        "msDS-MinimumPasswordAge",
                        "msDS-MaximumPasswordAge",
                        "msDS-LockoutObservationWindow",
                        "msDS-LockoutDuration",
                        "msDS-PSOAppliesTo",
                    ],
                ],
            ],
        );
        const pso = await readEntry(PSO(1), [
            "msDS-MinimumPasswordLength",
            "msDS-LockoutThreshold",
            "msDS-LockoutDuration",
            "msDS-PasswordSettingsPrecedence",
        ]);
        assert.deepStrictEqual(
            [
                pso["msDS-MinimumPasswordLength"],
                pso["msDS-LockoutThreshold"],
                pso["msDS-LockoutDuration"],
                pso["msDS-PasswordSettingsPrecedence"],
            ],
            ["14", "5", "-600000000", "10"],
        );
    });

    it("a second run changes nothing", async () => {
        const returned = assertRan(
            await invoke("directory-policy-function", await policyEvent(TEST_POLICY)),
        );
        assert.deepStrictEqual(
            returned.policies.map((p: any) => p.changed),
            [[], []],
        );
    });

    it("members get the portal policy, the bind account its own (its password never expires), others the domain policy", async () => {
        const resultant = async (name: string, container = USERS) =>
            (await readEntry(`CN=${name},${container}`, ["msDS-ResultantPSO"]))[
                "msDS-ResultantPSO"
            ];
        assert.strictEqual(await resultant(PEOPLE.lockoutSubject.samAccountName), PSO(1));
        assert.strictEqual(
            await resultant(PEOPLE.withoutMail.samAccountName),
            PSO(1),
            "nested member",
        );
        assert.strictEqual(await resultant(BIND_ACCOUNT), PSO(2));
        // ldapts gives an attribute the entry lacks as an empty list.
        assert.deepStrictEqual(await resultant(PEOPLE.notInGroup.samAccountName), []);
        const expiry = async (name: string) =>
            (await readEntry(`CN=${name},${USERS}`, ["msDS-UserPasswordExpiryTimeComputed"]))[
                "msDS-UserPasswordExpiryTimeComputed"
            ];
        assert.strictEqual(await expiry(BIND_ACCOUNT), NEVER_EXPIRES);
        assert.notStrictEqual(await expiry(PEOPLE.lockoutSubject.samAccountName), NEVER_EXPIRES);
    });

    it("a member is locked out after 5 wrong passwords, the right one refused until the lockout passes; others keep the domain policy", async function () {
        this.timeout(180_000);
        const heidi = PEOPLE.lockoutSubject;
        const outsider = PEOPLE.notInGroup;
        assert.strictEqual((await login(heidi.samAccountName, heidi.password)).ok, true);
        for (let n = 0; n < 5; n++) {
            assert.strictEqual(
                (await login(heidi.samAccountName, `Wrong-${n}-Passw0rd`)).stage,
                "user-bind",
            );
            assert.strictEqual(
                await binds(`CN=${outsider.samAccountName},${USERS}`, `Wrong-${n}-Passw0rd`),
                false,
            );
        }
        const lockedAt = Date.now();
        assert.deepStrictEqual(await login(heidi.samAccountName, heidi.password), {
            ok: false,
            stage: "user-bind",
            reason: "Authentication failed.",
        });
        const lockout = await readEntry(`CN=${heidi.samAccountName},${USERS}`, ["lockoutTime"]);
        assert.notStrictEqual(lockout.lockoutTime ?? "0", "0", "AD records the lockout");
        // Outside the group: the domain policy, which locks nobody out.
        assert.strictEqual(
            await binds(`CN=${outsider.samAccountName},${USERS}`, outsider.password),
            true,
        );
        // Still locked half-way through the minute, free once it has passed.
        await new Promise((resolve) => setTimeout(resolve, 30_000));
        assert.strictEqual((await login(heidi.samAccountName, heidi.password)).ok, false);
        await new Promise((resolve) =>
            setTimeout(resolve, Math.max(0, lockedAt + 65_000 - Date.now())),
        );
        const after = await login(heidi.samAccountName, heidi.password);
        assert.strictEqual(after.ok, true, after.reason);
    });

    it("a member whose user principal name is the administrator's e-mail is not found by the rendered filter", async () => {
        const judy = PEOPLE.upnIsAdmins;
        assert.strictEqual(judy.upn.toLowerCase(), adminEmail, "the attack is set up");
        assert.deepStrictEqual(await login(judy.samAccountName, judy.password), {
            ok: false,
            stage: "search",
            reason: "User not found in the LDAP server",
        });
        // Without the exclusion Open WebUI would sign her in as the administrator's e-mail.
        const clause = `(!(userPrincipalName=${adminEmail}))`;
        assert.ok(settings.LDAP_SEARCH_FILTER.includes(clause));
        const unguarded = await python(
            "ldap_login.py",
            {
                settings: {
                    ...settings,
                    LDAP_SEARCH_FILTER: settings.LDAP_SEARCH_FILTER.replace(clause, ""),
                },
                user: judy.samAccountName,
                password: judy.password,
            },
            { python: "debian" },
        );
        assert.deepStrictEqual([unguarded.ok, unguarded.email], [true, adminEmail]);
    });

    it("the bind check reports 1 when the bind account binds on every controller, 0 when one refuses", async () => {
        const { run } = await artefactsOf(STACK);
        const scheduled = JSON.parse(
            named(run, "aws:scheduler/schedule:Schedule", "directory-bind-check-schedule").inputs
                .target.input,
        );
        // What EventBridge Scheduler puts in place of its context attribute.
        assert.strictEqual(scheduled.scheduledTime, "<aws.scheduler.scheduled-time>");
        const input = { ...scheduled, scheduledTime: "2026-12-07T10:05:00Z" };
        const metric = (invocation: Invocation) => {
            const line = invocation.stdout
                .split("\n")
                .find((l) => l.includes('"CloudWatchMetrics"'));
            assert.ok(line, invocation.stdout);
            const parsed = JSON.parse(line!);
            return [
                parsed._aws.CloudWatchMetrics[0].Namespace,
                parsed._aws.Timestamp,
                parsed.Stack,
                parsed[input.metric],
            ];
        };
        const healthy = await invoke("directory-bind-check-function", {
            ...input,
            servers: ["127.0.0.1"],
        });
        assert.deepStrictEqual(assertRan(healthy).healthy, true);
        assert.deepStrictEqual(metric(healthy), ["AIPortal", 1796637900000, STACK, 1]);
        const failing = await invoke("directory-bind-check-function", {
            ...input,
            servers: SERVERS,
        });
        assert.deepStrictEqual(assertRan(failing).healthy, false);
        assert.deepStrictEqual(metric(failing), ["AIPortal", 1796637900000, STACK, 0]);
    });
});
