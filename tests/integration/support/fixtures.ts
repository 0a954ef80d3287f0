/**
 * What the integration tests share, each built once per suite on first use: the database and the
 * directory laid out for the stacks' rendered artefacts, the packaged role bootstrap, and each
 * stack's web and gateway hosts booted twice from their real boot scripts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { scriptOf, sha256Hex } from "../../../compute/userData";
import { BIND_ACCOUNT } from "../../../directory/bindAccount";
import { DATABASE_NAME, MASTER_USERNAME, RDS_CA_BUNDLE } from "../../../data";
import { named } from "../../harness/query";
import { ProgramRun } from "../../../offline/run";
import { PROJECT_DIR } from "../../../offline/stackConfig";
import {
    DirectoryUser,
    DomainController,
    mapToLoopback,
    moto,
    once,
    PostgresServer,
    startDomainController,
    startPostgres,
    trustedCa,
    workDir,
} from "./components";
import { Boot, HostDisk } from "./host";
import { MASTER_PASSWORD, stackArtefacts, StackArtefacts, suiteCaValue } from "./portal";
import { Completed, run as exec } from "./process";

export const STACKS = ["dev", "prod"] as const;
export type Stack = (typeof STACKS)[number];

function memo<K, V>(build: (key: K) => Promise<V>): (key: K) => Promise<V> {
    const cache = new Map<K, Promise<V>>();
    return (key: K) => {
        let value = cache.get(key);
        if (!value) {
            value = build(key);
            cache.set(key, value);
        }
        return value;
    };
}

// --- the database -------------------------------------------------------------------------

/** PostgreSQL whose certificate names both stacks' RDS endpoints, which resolve to it. */
export const database = once(async (): Promise<PostgresServer> => {
    // The address the program knows (the role bootstrap's input) and the one RDS (moto) reports
    // to a booting host.
    const addresses = (
        await Promise.all(
            STACKS.map(async (stack) => {
                const a = await stackArtefacts(stack);
                return [a.dbAddress, a.bootDbAddress];
            }),
        )
    ).flat();
    mapToLoopback(addresses);
    return startPostgres({
        hostnames: addresses,
        masterUser: MASTER_USERNAME,
        masterPassword: MASTER_PASSWORD,
        database: DATABASE_NAME,
    });
});

// --- the role bootstrap, packaged as the program packages it ------------------------------

/** The function's code archive as the program declares it, copied file for file into a folder. */
export const packagedBootstrap = memo(async (stack: Stack): Promise<string> => {
    const { run } = await stackArtefacts(stack);
    const fn = named(run, "aws:lambda/function:Function", "db-role-function");
    const dir = workDir("lambda", stack, "task");
    const place = (entries: Record<string, any>, into: string) => {
        for (const [name, entry] of Object.entries(entries)) {
            const target = path.join(into, name);
            if (entry.file) {
                fs.mkdirSync(path.dirname(target), { recursive: true });
                fs.cpSync(path.join(PROJECT_DIR, entry.file), target, { recursive: true });
            } else if (entry.archive) {
                place(entry.archive, target);
            } else {
                throw new Error(
                    `unexpected asset in the function's code: ${JSON.stringify(entry)}`,
                );
            }
        }
    };
    assert.ok(fn.inputs.code.archive, "the function's code is an archive");
    place(fn.inputs.code.archive, dir);
    return dir;
});

/**
 * Node modules the Lambda Node.js runtime provides (the AWS SDK for JavaScript v3), and nothing
 * else: the function's own dependencies must come from its archive.
 */
const lambdaRuntimeModules = once(async (): Promise<string> => {
    const dir = workDir("lambda", "runtime", "node_modules", "@aws-sdk");
    const link = path.join(dir, "client-secrets-manager");
    if (!fs.existsSync(link)) {
        fs.symlinkSync(
            path.join(PROJECT_DIR, "node_modules", "@aws-sdk", "client-secrets-manager"),
            link,
        );
    }
    return path.dirname(dir);
});

export interface Invocation {
    readonly result: Completed;
    /** What the handler returned, when it did. */
    readonly returned?: any;
}

/**
 * Invokes the packaged handler with the event the program renders (the Invocation's input), as
 * Lambda would: Node.js, the runtime's AWS SDK, the function's environment, AWS reached at moto.
 * `NODE_EXTRA_CA_CERTS` names the suite's CA instead of the runtime's Amazon CA file.
 */
export async function invokeBootstrap(
    stack: Stack,
    environment: Readonly<Record<string, string>> = {},
): Promise<Invocation> {
    const [{ run }, taskDir, runtimeModules, aws, ca] = await Promise.all([
        stackArtefacts(stack),
        packagedBootstrap(stack),
        lambdaRuntimeModules(),
        moto(),
        trustedCa(),
    ]);
    await database();
    const fn = named(run, "aws:lambda/function:Function", "db-role-function");
    const invocation = named(run, "aws:lambda/invocation:Invocation", "db-role-run");
    const [file, exported] = fn.inputs.handler.split(".");
    // What the handler returns goes to a file of its own: its logs (stdout, stderr) stay logs.
    const resultFile = path.join(workDir("lambda", stack), "result.json");
    fs.rmSync(resultFile, { force: true });
    const driver = `require(${JSON.stringify(path.join(taskDir, file))}).${exported}(JSON.parse(process.env.EVENT)).then((r) => require("fs").writeFileSync(${JSON.stringify(resultFile)}, JSON.stringify(r)))`;
    const result = await exec(process.execPath, ["-e", driver], {
        cwd: taskDir,
        env: {
            PATH: process.env.PATH,
            NODE_PATH: runtimeModules,
            AWS_REGION: "eu-west-2",
            ...aws.env,
            ...fn.inputs.environment.variables,
            NODE_EXTRA_CA_CERTS: ca.certFile,
            EVENT: invocation.inputs.input,
            ...environment,
        },
        timeoutMs: fn.inputs.timeout * 1000,
    });
    return {
        result,
        returned: result.code === 0 ? JSON.parse(fs.readFileSync(resultFile, "utf8")) : undefined,
    };
}

// --- the directory ------------------------------------------------------------------------

/**
 * The people the LDAP tests log in as; passwords meet AD's complexity rules. All but `notInGroup`
 * are members of the portal's group, `withoutMail` through a nested group.
 */
export const PEOPLE = {
    withMail: {
        samAccountName: "alice",
        password: "Alice-Passw0rd",
        container: "OU=Users,OU=CORP",
        mail: "Alice.Smith@example.com",
    },
    withoutMail: {
        samAccountName: "bob",
        password: "Bob-Passw0rd1",
        container: "OU=Users,OU=CORP",
    },
    disabled: {
        samAccountName: "carol",
        password: "Carol-Passw0rd",
        container: "OU=Users,OU=CORP",
        mail: "carol@example.com",
        disabled: true,
    },
    outsideBase: {
        samAccountName: "dave",
        password: "Dave-Passw0rd",
        container: "CN=Users",
        mail: "dave@example.com",
    },
    withoutUpn: {
        samAccountName: "erin",
        password: "Erin-Passw0rd",
        container: "OU=Users,OU=CORP",
        mail: "erin@example.com",
        withoutUpn: true,
    },
    notInGroup: {
        samAccountName: "grace",
        password: "Grace-Passw0rd",
        container: "OU=Users,OU=CORP",
        mail: "grace@example.com",
    },
    /** Someone (or a helpdesk) set their mail to the portal administrator's e-mail. */
    mailIsAdmins: {
        samAccountName: "mallory",
        password: "Mallory-Passw0rd",
        container: "OU=Users,OU=CORP",
        mail: "portal-admin@example.com",
    },
    /** A member the password-policy tests lock out (nobody else signs in as her). */
    lockoutSubject: {
        samAccountName: "heidi",
        password: "Heidi-Passw0rd",
        container: "OU=Users,OU=CORP",
    },
    /**
     * A user-administrator set this member's user principal name to the portal administrator's
     * e-mail (in another case: AD and Open WebUI ignore case).
     */
    upnIsAdmins: {
        samAccountName: "judy",
        password: "Judy-Passw0rd",
        container: "OU=Users,OU=CORP",
        upn: "Portal-Admin@Example.com",
    },
} satisfies Record<string, DirectoryUser>;

/** The password settings objects AWS Managed AD pre-creates (admin guide, "Supported policy settings"). */
export const AWS_PSOS = [1, 2, 3, 4, 5].map((n) => ({
    name: `CustomerPSO-0${n}`,
    precedence: n * 10,
}));

/** A group inside the portal's group: its members may sign in too (AD's in-chain rule). */
export const NESTED_GROUP = "Portal Pilots";

/**
 * Samba with the stacks' directory (both stacks use the same domain and NetBIOS name), the bind
 * account with the password the program generated, the portal's group as the program names it,
 * and the people above.
 */
export const directory = once(async (): Promise<DomainController> => {
    const { secrets, directoryDomain, run } = await stackArtefacts("dev");
    const bind = secrets[`ai-portal-dev/directory/openwebui-bind`].json;
    // AWS's Admin account, with the password the program generated (the password-policy function binds as it).
    const admin = secrets[`ai-portal-dev/directory/admin`].json;
    assert.strictEqual(bind.samAccountName, BIND_ACCOUNT);
    const group = named(run, "command:local:Command", "portal-group-group").inputs.environment;
    const usersOu = `OU=Users,OU=${run.outputs.directoryShortName}`;
    // The web hosts reach the domain controllers by the private zone's record (directory/ldapName.ts).
    const ldapHosts = await Promise.all(
        STACKS.map(async (stack) => {
            const { run: r } = await stackArtefacts(stack);
            return named(r, "aws:route53/record:Record", "ldap-name-record").inputs.name as string;
        }),
    );
    mapToLoopback([directoryDomain, ...ldapHosts]);
    return startDomainController({
        domain: directoryDomain,
        shortName: String(run.outputs.directoryShortName),
        users: [
            { samAccountName: BIND_ACCOUNT, password: bind.password, container: usersOu },
            { samAccountName: admin.username, password: admin.password, container: usersOu },
            ...Object.values(PEOPLE),
        ],
        domainAdmins: [admin.username],
        psos: AWS_PSOS,
        groups: [
            {
                name: group.GROUP_NAME,
                container: usersOu,
                members: [
                    ...Object.values(PEOPLE)
                        .filter(
                            (person) =>
                                person !== PEOPLE.notInGroup && person !== PEOPLE.withoutMail,
                        )
                        .map((person) => person.samAccountName),
                    NESTED_GROUP,
                ],
            },
            {
                name: NESTED_GROUP,
                container: usersOu,
                members: [PEOPLE.withoutMail.samAccountName],
            },
        ],
    });
});

// --- the hosts ----------------------------------------------------------------------------

export interface BootedHost {
    readonly disk: HostDisk;
    /** The boot script as run: the program's, with the suite's CA in place of the RDS CA. */
    readonly script: string;
    readonly first: Boot;
    readonly second: Boot;
}

/**
 * The one change made to a rendered boot script: the SHA-256 it pins for the RDS CA boot file
 * becomes that of the suite's CA, which signed the test database's certificate and which moto's
 * parameter holds instead (support/portal.ts). Everything else runs as rendered.
 */
async function withSuiteCa(script: string): Promise<string> {
    const rds = sha256Hex(RDS_CA_BUNDLE.trimEnd());
    const at = script.indexOf(` ${rds} `);
    if (at === -1) {
        return script;
    }
    assert.strictEqual(script.indexOf(` ${rds} `, at + 1), -1, "the RDS CA is pinned once");
    return (
        script.slice(0, at + 1) +
        sha256Hex(await suiteCaValue()) +
        script.slice(at + 1 + rds.length)
    );
}

/**
 * A role's user data as EC2 receives it: the single host's instance input, or, in the
 * load-balanced tier, its launch template's (base64, as the template stores it).
 */
export function userDataOf(run: ProgramRun, role: "web" | "gateway"): string {
    const instance = run.resources.find(
        (r) => r.type === "aws:ec2/instance:Instance" && r.name === `compute-${role}-instance`,
    );
    if (instance) {
        return instance.inputs.userData;
    }
    const template = named(
        run,
        "aws:ec2/launchTemplate:LaunchTemplate",
        `compute-${role}-template`,
    );
    return Buffer.from(template.inputs.userData, "base64").toString("utf8");
}

export const bootedHost = memo(
    async (key: `${Stack}-${"web" | "gateway"}`): Promise<BootedHost> => {
        const [stack, role] = key.split("-") as [Stack, "web" | "gateway"];
        const [artefacts, aws] = await Promise.all([stackArtefacts(stack), moto()]);
        const script = await withSuiteCa(scriptOf(userDataOf(artefacts.run, role)));
        const disk = new HostDisk(key, aws);
        const first = await disk.boot(script);
        const second = await disk.boot(script);
        return { disk, script, first, second };
    },
);

export function artefactsOf(stack: Stack): Promise<StackArtefacts> {
    return stackArtefacts(stack);
}

export interface PythonOptions {
    /** "debian": /usr/bin/python3 with Debian's ldap3, psycopg2, psycopg, asyncpg, SQLAlchemy;
     * "image": the machine image's python3, which has boto3 (and moto). */
    readonly python: "debian" | "image";
    /** The process's whole environment (PATH is added). */
    readonly env?: Readonly<Record<string, string>>;
    /** Run on this host's disk, so the paths its boot script wrote resolve. */
    readonly on?: HostDisk;
}

/** Runs a script of tests/integration/python with `input` as JSON in $AI_PORTAL_INPUT; returns its JSON output. */
export async function python(script: string, input: unknown, options: PythonOptions): Promise<any> {
    const file = path.join(__dirname, "..", "python", script);
    const interpreter = options.python === "debian" ? "/usr/bin/python3" : "python3";
    const env = {
        PATH: options.python === "debian" ? "/usr/bin:/bin" : process.env.PATH!,
        LANG: "C.UTF-8",
        ...options.env,
        AI_PORTAL_INPUT: JSON.stringify(input),
    };
    const result = options.on
        ? await options.on.inside([interpreter, file], env)
        : await exec(interpreter, [file], { env, timeoutMs: 60_000 });
    if (result.code !== 0) {
        throw new Error(
            `${script} failed (${result.code ?? result.signal}):\n${result.stdout}${result.stderr}`,
        );
    }
    return JSON.parse(result.stdout);
}
