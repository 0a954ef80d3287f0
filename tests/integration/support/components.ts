/**
 * The real components the integration suite runs the program's artefacts against, each started
 * on first use, once per suite, inside the suite's private namespaces (tests/integration/run.sh):
 *
 * - a throwaway certificate authority (openssl) standing in for the RDS CA;
 * - PostgreSQL 15 with TLS only, a master user that is not a superuser (like RDS's) and pgvector;
 * - moto as Secrets Manager, S3, CloudWatch and ECR;
 * - Samba as an Active Directory domain controller laid out like AWS Managed AD;
 * - Caddy.
 *
 * A component that cannot start throws with the reason and its log: the tests that need it fail.
 */
import * as fs from "fs";
import * as path from "path";
import { portOpen, run, runOk, startDaemon } from "./process";

/** The suite's scratch folder (a fresh temporary folder per run, removed by run.sh). */
export function workDir(...parts: string[]): string {
    const root = process.env.AI_PORTAL_IT_WORK;
    if (!root) {
        throw new Error(
            "the integration suite runs through `npm run test:integration` (it needs the private namespaces run.sh sets up)",
        );
    }
    const dir = path.join(root, ...parts);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
}

/** Makes `names` resolve to 127.0.0.1 inside the suite (its /etc/hosts is a private copy). */
export function mapToLoopback(names: readonly string[]): void {
    const hostsFile = process.env.AI_PORTAL_IT_HOSTS!;
    const known = fs.readFileSync(hostsFile, "utf8");
    const missing = names.filter(
        (name) => !new RegExp(`\\s${name.replace(/\./g, "\\.")}(\\s|$)`, "m").test(known),
    );
    if (missing.length > 0) {
        fs.appendFileSync(hostsFile, missing.map((name) => `127.0.0.1\t${name}\n`).join(""));
    }
}

/** Memoises a component's start, so every test shares one instance and a failure is reported to each. */
export function once<T>(start: () => Promise<T>): () => Promise<T> {
    let started: Promise<T> | undefined;
    return () => (started ??= start());
}

// --- certificates -------------------------------------------------------------------------

export interface CertificateAuthority {
    readonly certFile: string;
    readonly keyFile: string;
}

/** openssl req's arguments for a new, unencrypted P-256 key (the CA's and the servers'). */
const NEW_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export async function newCa(dir: string, commonName: string): Promise<CertificateAuthority> {
    fs.mkdirSync(dir, { recursive: true });
    const ca = { certFile: path.join(dir, "ca.pem"), keyFile: path.join(dir, "ca.key") };
    await runOk("openssl", [
        "req",
        "-x509",
        ...NEW_EC_KEY,
        "-keyout",
        ca.keyFile,
        "-out",
        ca.certFile,
        "-days",
        "2",
        "-subj",
        `/CN=${commonName}`,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    return ca;
}

/** A server certificate for `dnsNames`, signed by `ca`; returns [cert, key] files. */
export async function serverCertificate(
    ca: CertificateAuthority,
    dir: string,
    dnsNames: readonly string[],
): Promise<{ certFile: string; keyFile: string }> {
    fs.mkdirSync(dir, { recursive: true });
    const keyFile = path.join(dir, "server.key");
    const csrFile = path.join(dir, "server.csr");
    const certFile = path.join(dir, "server.pem");
    const extFile = path.join(dir, "server.ext");
    fs.writeFileSync(
        extFile,
        [
            `subjectAltName=${dnsNames.map((name) => `DNS:${name}`).join(",")}`,
            "basicConstraints=CA:FALSE",
            "keyUsage=critical,digitalSignature",
            "extendedKeyUsage=serverAuth",
        ].join("\n"),
    );
    await runOk("openssl", [
        "req",
        ...NEW_EC_KEY,
        "-keyout",
        keyFile,
        "-out",
        csrFile,
        "-subj",
        `/CN=${dnsNames[0]}`,
    ]);
    await runOk("openssl", [
        "x509",
        "-req",
        "-in",
        csrFile,
        "-CA",
        ca.certFile,
        "-CAkey",
        ca.keyFile,
        "-CAcreateserial",
        "-out",
        certFile,
        "-days",
        "2",
        "-extfile",
        extFile,
    ]);
    return { certFile, keyFile };
}

/** The CA the suite trusts in place of the RDS CA. */
export const trustedCa = once(() =>
    newCa(workDir("pki", "trusted"), "AI Portal integration CA (stands in for the RDS CA)"),
);
/** A CA nobody should trust: a server certificate from it is what a man in the middle would show. */
export const untrustedCa = once(() => newCa(workDir("pki", "untrusted"), "Untrusted CA"));

// --- PostgreSQL ---------------------------------------------------------------------------

const PG_BIN = "/usr/lib/postgresql/15/bin";

export interface PostgresServer {
    readonly port: number;
    /** The server's log (its stderr), as RDS exports it to the `postgresql` log group. */
    readonly logFile: string;
    /** Runs SQL as the cluster's superuser (over the Unix socket), for setup and inspection only. */
    superuserSql(database: string, sql: string): Promise<string>;
    /** Runs a PostgreSQL client tool (pg_dump, psql) as the cluster's superuser; its stdout. */
    superuserTool(tool: string, args: readonly string[]): Promise<string>;
}

export interface PostgresOptions {
    /** Names the server certificate carries (the RDS endpoints the program rendered). */
    readonly hostnames: readonly string[];
    /** The RDS-like master user and the database it owns. */
    readonly masterUser: string;
    readonly masterPassword: string;
    readonly database: string;
    /** Defaults to 5432, the port RDS serves on; a second cluster takes another. */
    readonly port?: number;
    /** Its folder under the suite's scratch folder; defaults to "postgres". */
    readonly name?: string;
}

function postgresIds(): { uid: number; gid: number } {
    const line = fs
        .readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .find((l) => l.startsWith("postgres:"));
    if (!line) {
        throw new Error("no postgres system user: is postgresql-15 installed?");
    }
    const [, , uid, gid] = line.split(":");
    return { uid: Number(uid), gid: Number(gid) };
}

/**
 * PostgreSQL 15 as RDS runs it for the portal: TLS only (`hostssl` accepted, `hostnossl`
 * rejected, as `rds.force_ssl=1` does), a master user with LOGIN, CREATEROLE and CREATEDB that owns
 * the database but is not a superuser, and the `vector` extension created beforehand, as RDS's
 * `rds_superuser` would.
 */
export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
    const port = options.port ?? 5432;
    const ids = postgresIds();
    const dir = workDir(options.name ?? "postgres");
    const dataDir = path.join(dir, "data");
    const socketDir = path.join(dir, "socket");
    fs.mkdirSync(socketDir, { recursive: true });
    fs.chownSync(dir, ids.uid, ids.gid);
    fs.chownSync(socketDir, ids.uid, ids.gid);
    const asPostgres = {
        uid: ids.uid,
        gid: ids.gid,
        cwd: dir,
        env: { ...process.env, LC_ALL: "C.UTF-8", PGHOST: socketDir, PGPORT: String(port) },
    };

    const ca = await trustedCa();
    const cert = await serverCertificate(ca, path.join(dir, "tls"), options.hostnames);
    for (const file of [cert.certFile, cert.keyFile]) {
        fs.chownSync(file, ids.uid, ids.gid);
        fs.chmodSync(file, 0o600);
    }

    await runOk(
        `${PG_BIN}/initdb`,
        [
            "-D",
            dataDir,
            "-U",
            "postgres",
            "--auth-local=peer",
            "--auth-host=reject",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        asPostgres,
    );
    fs.appendFileSync(
        path.join(dataDir, "postgresql.conf"),
        [
            "listen_addresses = '127.0.0.1'",
            `port = ${port}`,
            `unix_socket_directories = '${socketDir}'`,
            "ssl = on",
            `ssl_cert_file = '${cert.certFile}'`,
            `ssl_key_file = '${cert.keyFile}'`,
            "ssl_min_protocol_version = 'TLSv1.2'",
            "password_encryption = 'scram-sha-256'",
            "fsync = off",
            "",
        ].join("\n"),
    );
    fs.writeFileSync(
        path.join(dataDir, "pg_hba.conf"),
        [
            "local all postgres peer",
            "hostssl all all 127.0.0.1/32 scram-sha-256",
            "hostnossl all all 0.0.0.0/0 reject",
            "",
        ].join("\n"),
    );
    const logFile = path.join(dir, "postgres.log");
    await startDaemon("PostgreSQL 15", `${PG_BIN}/postgres`, ["-D", dataDir], {
        ...asPostgres,
        logFile,
        ready: async () => (await run(`${PG_BIN}/pg_isready`, ["-q"], asPostgres)).code === 0,
    });

    const superuserTool = (tool: string, args: readonly string[]) =>
        runOk(`${PG_BIN}/${tool}`, args, asPostgres);
    const superuserSql = (database: string, sql: string) =>
        superuserTool("psql", [
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            database,
            "-c",
            sql,
        ]);
    const master = options.masterUser.replace(/"/g, '""');
    await superuserSql(
        "postgres",
        `CREATE ROLE "${master}" WITH LOGIN CREATEROLE CREATEDB PASSWORD '${options.masterPassword.replace(/'/g, "''")}'`,
    );
    await superuserSql("postgres", `CREATE DATABASE "${options.database}" OWNER "${master}"`);
    await superuserSql(options.database, "CREATE EXTENSION vector");
    return { port, logFile, superuserSql, superuserTool };
}

// --- moto ---------------------------------------------------------------------------------

export interface AwsEmulator {
    readonly endpoint: string;
    /** Environment for an AWS CLI or SDK process: the emulator's endpoint and throwaway credentials. */
    readonly env: Readonly<Record<string, string>>;
}

/** moto from this machine image's Python, as one server for every AWS API the tests call. */
export const moto = once(async (): Promise<AwsEmulator> => {
    const port = 5000;
    const python = (await runOk("bash", ["-c", "command -v python3"])).trim();
    const probe = await run(python, ["-c", "import moto.server"]);
    if (probe.code !== 0) {
        throw new Error(
            `moto is not importable by ${python} (it ships in this machine image's Python; PyPI is not reachable):\n${probe.stderr}`,
        );
    }
    await startDaemon(
        "moto",
        python,
        ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
        {
            logFile: path.join(workDir("moto"), "moto.log"),
            ready: () => portOpen(port),
        },
    );
    const endpoint = `http://127.0.0.1:${port}`;
    return {
        endpoint,
        env: {
            AWS_ENDPOINT_URL: endpoint,
            AWS_ACCESS_KEY_ID: "integration",
            AWS_SECRET_ACCESS_KEY: "integration",
            AWS_EC2_METADATA_DISABLED: "true",
        },
    };
});

/** Runs the AWS CLI against moto and parses its JSON answer. */
export async function awsCli(args: readonly string[], input?: string): Promise<any> {
    const aws = await moto();
    const out = await runOk("aws", [...args, "--region", "eu-west-2", "--output", "json"], {
        env: { ...process.env, ...aws.env },
        input,
    });
    return out.trim() ? JSON.parse(out) : {};
}

// --- Samba as an AD domain controller -----------------------------------------------------

export interface DirectoryUser {
    readonly samAccountName: string;
    readonly password: string;
    /** Where the user lives, relative to the domain, e.g. "OU=Users,OU=CORP" or "CN=Users". */
    readonly container: string;
    readonly mail?: string;
    readonly disabled?: boolean;
    /** Remove the user principal name Samba gives every new account. */
    readonly withoutUpn?: boolean;
    /** Set this user principal name directly (any value, as a user-administrator can). */
    readonly upn?: string;
}

export interface DirectoryGroup {
    readonly name: string;
    /** Where the group lives, relative to the domain, like a user's container. */
    readonly container: string;
    /** Account or group names; a group may be a member of another. */
    readonly members: readonly string[];
}

export interface DirectoryOptions {
    /** The stack's directoryDomain and directoryShortName. */
    readonly domain: string;
    readonly shortName: string;
    readonly users: readonly DirectoryUser[];
    readonly groups: readonly DirectoryGroup[];
    /** Accounts put in Domain Admins (standing in for AWS's delegated administrator groups). */
    readonly domainAdmins?: readonly string[];
    /** Password settings objects to pre-create, as AWS Managed AD does (name, precedence). */
    readonly psos?: readonly { readonly name: string; readonly precedence: number }[];
}

export interface DomainController {
    readonly port: number;
    readonly domain: string;
}

const PYTHON_DIR = path.join(__dirname, "..", "python");

/**
 * Samba provisioned with the stack's domain and NetBIOS name, its users laid out as AWS Managed AD
 * keeps them (OU=<short name>, OU=Users under it), serving LDAP on 127.0.0.1:389. Samba refuses
 * simple binds without TLS unless `ldap server require strong auth = no`; Managed AD accepts them.
 */
export async function startDomainController(options: DirectoryOptions): Promise<DomainController> {
    const dir = workDir("samba");
    const realm = options.domain.toUpperCase();
    const provision = await run(
        "samba-tool",
        [
            "domain",
            "provision",
            `--targetdir=${dir}`,
            `--realm=${realm}`,
            `--domain=${options.shortName}`,
            "--server-role=dc",
            "--dns-backend=NONE",
            `--adminpass=Provision-${options.shortName}-9x`,
            "--option=interfaces=127.0.0.1",
            "--option=bind interfaces only=yes",
        ],
        { timeoutMs: 60_000 },
    );
    if (provision.code !== 0) {
        throw new Error(
            `samba-tool domain provision failed (${provision.code ?? provision.signal}):\n${provision.stdout}${provision.stderr}`.trimEnd(),
        );
    }
    // Only the LDAP server, simple binds without TLS (as Managed AD accepts them), logs in the work dir.
    const conf = path.join(dir, "etc", "smb.conf");
    const global = fs
        .readFileSync(conf, "utf8")
        .replace(/^\tserver services = .*$/m, "\tserver services = ldap")
        .replace(/^\tlog file = .*$/m, `\tlog file = ${path.join(dir, "log.%m")}`)
        .replace(/^\[global\]$/m, "[global]\n\tldap server require strong auth = no");
    fs.writeFileSync(conf, global);
    await runOk(
        "/usr/bin/python3",
        [path.join(PYTHON_DIR, "samba_directory.py"), path.join(dir, "private", "sam.ldb"), conf],
        {
            input: JSON.stringify(options),
        },
    );
    // Created with the domain policy's settings, as AWS's CustomerPSO-01..05 start out.
    for (const pso of options.psos ?? []) {
        await runOk(
            "samba-tool",
            [
                "domain",
                "passwordsettings",
                "pso",
                "create",
                pso.name,
                String(pso.precedence),
                // samba-tool wants one setting; the rest come from the domain policy.
                "--complexity=on",
                `--configfile=${conf}`,
                `-H`,
                path.join(dir, "private", "sam.ldb"),
            ],
            { timeoutMs: 60_000 },
        );
    }
    const port = 389;
    await startDaemon("Samba AD DC", "samba", ["-F", "-s", conf, "--debug-stdout", "-d", "1"], {
        logFile: path.join(dir, "samba.log"),
        ready: () => portOpen(port),
    });
    return { port, domain: options.domain };
}

// --- Redis (ElastiCache's stand-in) -----------------------------------------------------------

export interface RedisOptions {
    /** The names its certificate carries (the endpoint the program renders). */
    readonly hostnames: readonly string[];
    /** The auth token clients must send (ElastiCache's AUTH token; Redis's requirepass). */
    readonly password: string;
    /** Who signs its certificate. */
    readonly ca: CertificateAuthority;
}

export interface RedisServer {
    readonly port: number;
}

/**
 * Debian's redis-server as ElastiCache with encryption in transit and an auth token runs it:
 * TLS only on 127.0.0.1:6379 (no plain port), clients not asked for certificates, AUTH required.
 * The token goes in its config file (mode 0600), never on a command line.
 */
export async function startRedis(options: RedisOptions): Promise<RedisServer> {
    const dir = workDir("redis", options.hostnames[0]);
    const cert = await serverCertificate(options.ca, path.join(dir, "tls"), options.hostnames);
    const port = 6379;
    const conf = path.join(dir, "redis.conf");
    fs.writeFileSync(
        conf,
        [
            "bind 127.0.0.1",
            "port 0",
            `tls-port ${port}`,
            `tls-cert-file ${cert.certFile}`,
            `tls-key-file ${cert.keyFile}`,
            `tls-ca-cert-file ${options.ca.certFile}`,
            "tls-auth-clients no",
            `requirepass ${options.password}`,
            `dir ${dir}`,
            'save ""',
            "appendonly no",
            "daemonize no",
            `logfile ${path.join(dir, "redis.log")}`,
        ].join("\n") + "\n",
        { mode: 0o600 },
    );
    await startDaemon("Redis (TLS)", "redis-server", [conf], {
        logFile: path.join(dir, "redis-stdout.log"),
        ready: () => portOpen(port),
    });
    return { port };
}

// --- Caddy --------------------------------------------------------------------------------

/** `caddy validate` on a Caddyfile; returns what it printed when it refuses. */
export async function caddyValidate(caddyfile: string): Promise<{ ok: boolean; output: string }> {
    const dir = workDir("caddy", "validate");
    const file = path.join(dir, `Caddyfile-${fs.readdirSync(dir).length}`);
    fs.writeFileSync(file, caddyfile);
    const result = await run("caddy", ["validate", "--config", file, "--adapter", "caddyfile"], {
        env: caddyEnv(dir),
    });
    return { ok: result.code === 0, output: result.stdout + result.stderr };
}

export function caddyEnv(dir: string): NodeJS.ProcessEnv {
    return {
        ...process.env,
        HOME: dir,
        XDG_DATA_HOME: path.join(dir, "data"),
        XDG_CONFIG_HOME: path.join(dir, "config"),
    };
}
