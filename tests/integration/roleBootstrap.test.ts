/**
 * The database role bootstrap, packaged exactly as the program packages it (the function's code
 * archive, file for file) and invoked with the event the program renders, against PostgreSQL 15
 * run as RDS runs it (TLS only; a master with CREATEROLE and CREATEDB that is not a superuser).
 * Three runs: the first creates the role, a second changes nothing, a third follows a new
 * password in Secrets Manager. After each, the role logs in over TLS with the server verified, has
 * no power over roles or databases, and can use pgvector's type.
 */
import * as assert from "assert";
import * as fs from "fs";
import {
    GetSecretValueCommand,
    PutSecretValueCommand,
    SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import postgres from "postgres";
import { moto, trustedCa, untrustedCa } from "./support/components";
import { artefactsOf, database, invokeBootstrap, Invocation } from "./support/fixtures";

const STACK = "dev";

interface RoleState {
    readonly ssl: boolean;
    readonly superuser: boolean;
    readonly createrole: boolean;
    readonly createdb: boolean;
    readonly vector: string;
}

/** Logs in as Open WebUI's role with full verification and reads what it is and can do. */
async function logInAsApp(host: string, password: string, caFile: string): Promise<RoleState> {
    const sql = postgres({
        host,
        port: 5432,
        database: "aiportal",
        username: "openwebui",
        password,
        ssl: { ca: fs.readFileSync(caFile, "utf8"), rejectUnauthorized: true, servername: host },
        max: 1,
        connect_timeout: 5,
        onnotice: () => undefined,
    });
    try {
        const [role] = await sql`
            select s.ssl, r.rolsuper, r.rolcreaterole, r.rolcreatedb
            from pg_roles r, pg_stat_ssl s
            where r.rolname = current_user and s.pid = pg_backend_pid()`;
        // What Open WebUI's vector store does: a table with a vector column in the public schema.
        const vector = await sql.begin(async (tx) => {
            await tx`create table public.bootstrap_probe (embedding vector(3))`;
            await tx`insert into public.bootstrap_probe values ('[1,2,3]')`;
            const [row] =
                await tx`select (embedding <-> '[1,2,4]')::text as distance from public.bootstrap_probe`;
            await tx`drop table public.bootstrap_probe`;
            return row.distance as string;
        });
        return {
            ssl: role.ssl,
            superuser: role.rolsuper,
            createrole: role.rolcreaterole,
            createdb: role.rolcreatedb,
            vector,
        };
    } finally {
        await sql.end({ timeout: 2 });
    }
}

function assertSucceeded(invocation: Invocation, action: string): void {
    assert.strictEqual(
        invocation.result.code,
        0,
        `the handler failed:\n${invocation.result.stderr}`,
    );
    assert.deepStrictEqual(invocation.returned, {
        role: "openwebui",
        database: "aiportal",
        action,
        // The usage gate's role and schema, from its own secret, in the same run.
        gateRole: "usage_gate",
        gateSchema: "usage_gate",
    });
}

const PLAIN_ROLE: RoleState = {
    ssl: true,
    superuser: false,
    createrole: false,
    createdb: false,
    vector: "1",
};

describe("role bootstrap: the packaged handler against PostgreSQL 15 as RDS runs it", () => {
    let host: string;
    let appSecretArn: string;
    let original: string;
    let secrets: SecretsManagerClient;
    let caFile: string;

    before(async () => {
        const [artefacts, aws, ca] = await Promise.all([artefactsOf(STACK), moto(), trustedCa()]);
        await database();
        host = artefacts.dbAddress;
        appSecretArn = artefacts.secrets[`ai-portal-${STACK}/database/openwebui`].arn;
        caFile = ca.certFile;
        secrets = new SecretsManagerClient({
            region: "eu-west-2",
            endpoint: aws.endpoint,
            credentials: { accessKeyId: "integration", secretAccessKey: "integration" },
        });
        original = (await secrets.send(new GetSecretValueCommand({ SecretId: appSecretArn })))
            .SecretString!;
    });

    after(async () => {
        // Leave the role as the rendered secret says, for the suites that connect with it.
        await secrets.send(
            new PutSecretValueCommand({ SecretId: appSecretArn, SecretString: original }),
        );
        assertSucceeded(await invokeBootstrap(STACK), "updated");
    });

    it("first run: creates the role; it logs in over verified TLS as a plain role that can use vectors", async () => {
        // Other suites may have bootstrapped the role already: start from a database without it.
        const db = await database();
        if (
            (
                await db.superuserSql(
                    "aiportal",
                    "select count(*) from pg_roles where rolname = 'openwebui'",
                )
            ).trim() === "1"
        ) {
            await db.superuserSql("aiportal", "DROP OWNED BY openwebui");
            await db.superuserSql("aiportal", "DROP ROLE openwebui");
        }
        assertSucceeded(await invokeBootstrap(STACK), "created");
        assert.deepStrictEqual(
            await logInAsApp(host, JSON.parse(original).password, caFile),
            PLAIN_ROLE,
        );
    });

    it("second run, nothing changed: succeeds (no ALTER ROLE the RDS master may not run) and changes nothing", async () => {
        const before = await (
            await database()
        ).superuserSql(
            "postgres",
            "select rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin from pg_roles where rolname = 'openwebui'",
        );
        assertSucceeded(await invokeBootstrap(STACK), "updated");
        const after = await (
            await database()
        ).superuserSql(
            "postgres",
            "select rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin from pg_roles where rolname = 'openwebui'",
        );
        assert.strictEqual(after, before);
        assert.deepStrictEqual(
            await logInAsApp(host, JSON.parse(original).password, caFile),
            PLAIN_ROLE,
        );
    });

    it("third run, after the password changed in Secrets Manager: the new password works, the old one is refused", async () => {
        const value = JSON.parse(original);
        const rotated = { ...value, password: "Rotated0penWebUiPassw0rdAbc123" };
        await secrets.send(
            new PutSecretValueCommand({
                SecretId: appSecretArn,
                SecretString: JSON.stringify(rotated),
            }),
        );
        assertSucceeded(await invokeBootstrap(STACK), "updated");
        assert.deepStrictEqual(await logInAsApp(host, rotated.password, caFile), PLAIN_ROLE);
        await assert.rejects(
            logInAsApp(host, value.password, caFile),
            /password authentication failed for user "openwebui"/,
        );
    });

    it("refuses a database whose certificate it cannot verify (the handler sends a password)", async () => {
        // The same server, but the handler is told to trust only a CA that did not sign it.
        const invocation = await invokeBootstrap(STACK, {
            NODE_EXTRA_CA_CERTS: (await untrustedCa()).certFile,
        });
        assert.notStrictEqual(invocation.result.code, 0);
        assert.match(
            invocation.result.stderr,
            /self[- ]signed certificate|unable to verify|unable to get local issuer/i,
        );
    });
});
