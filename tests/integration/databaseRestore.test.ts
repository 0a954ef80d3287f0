/**
 * After a restore (README "Restore and drill"): the database comes from prod's backup, so Open
 * WebUI's role already exists in it, with prod's password, owning prod's tables; the stack's role
 * bootstrap then runs against it with the stack's own new password. What the program controls there
 * is tried here with real PostgreSQL 15 and pgvector: a "prod" cluster gets Open WebUI-like data
 * (users, a chat, an uploaded file's row, document chunks with a vector column and an HNSW index),
 * is dumped, and the dump restored into a fresh cluster laid out as the restored instance would be
 * (RDS-like master, the role as prod's bootstrap left it, with prod's password). The packaged
 * handler, invoked with the event the program renders (pointed at that cluster), must converge it:
 * the new password works and the old one does not, every row and vector is readable and writable
 * by the role, and no role attribute, membership, ownership or grant differs from before.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import postgres from "postgres";
import { DATABASE_NAME, MASTER_USERNAME } from "../../data";
import {
    mapToLoopback,
    moto,
    PostgresServer,
    startPostgres,
    trustedCa,
    workDir,
} from "./support/components";
import { artefactsOf, invokeBootstrap } from "./support/fixtures";
import { MASTER_PASSWORD } from "./support/portal";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the handler is CommonJS, as Lambda runs it
const { roleStatements } = require("../../data/bootstrap/handler.js");

const STACK = "dev";
/** The role's password in prod, which a restore brings along with the data. */
const PROD_PASSWORD = "Prod0penWebUiPassw0rdFromTheSnapshot";

/** What prod's data holds that the drill's checks look for. */
const KNOWN = {
    chatId: "3f1c2a9e-0000-4000-8000-000000000001",
    chatTitle: "Quarterly figures, draft 3",
    fileId: "7d4e8b10-0000-4000-8000-000000000002",
    filePath: "s3://ai-portal-prod-uploads-0a1b2c3d/uploads/7d4e8b10_report.pdf",
};

/** Open WebUI-like tables (its user, chat, file and pgvector document_chunk), created as the role. */
const OPEN_WEBUI_DATA = `
SET ROLE openwebui;
CREATE TABLE public."user" (id text PRIMARY KEY, name text NOT NULL, email text NOT NULL, role text NOT NULL);
CREATE TABLE public.chat (id text PRIMARY KEY, user_id text NOT NULL REFERENCES public."user"(id), title text NOT NULL, chat json NOT NULL, created_at bigint NOT NULL);
CREATE TABLE public.file (id text PRIMARY KEY, user_id text NOT NULL, filename text NOT NULL, path text NOT NULL);
CREATE TABLE public.document_chunk (id text PRIMARY KEY, vector vector(3), collection_name text NOT NULL, text text, vmetadata jsonb);
CREATE INDEX document_chunk_vector_idx ON public.document_chunk USING hnsw (vector vector_cosine_ops);
INSERT INTO public."user" VALUES ('u1', 'Alice', 'alice@corp.aiportal.internal', 'user');
INSERT INTO public.chat VALUES ('${KNOWN.chatId}', 'u1', '${KNOWN.chatTitle}', '{"messages":[{"role":"user","content":"Summarise Q3"}]}', 1765000000);
INSERT INTO public.file VALUES ('${KNOWN.fileId}', 'u1', 'report.pdf', '${KNOWN.filePath}');
INSERT INTO public.document_chunk VALUES
    ('c1', '[1,0,0]', 'file-${KNOWN.fileId}', 'Revenue rose.', '{"page":1}'),
    ('c2', '[0,1,0]', 'file-${KNOWN.fileId}', 'Costs fell.', '{"page":2}');
RESET ROLE;
`;

/**
 * Everything about the role and the database's privileges, as JSON: every role's attributes (not
 * passwords), memberships, the database's, schemas', relations' and default ACLs and owners, the
 * extensions and their owners, per-role settings.
 */
const PRIVILEGES = `
select json_build_object(
  'roles', (select json_agg(json_build_object('name', rolname, 'super', rolsuper, 'inherit', rolinherit,
      'createrole', rolcreaterole, 'createdb', rolcreatedb, 'login', rolcanlogin,
      'replication', rolreplication, 'bypassrls', rolbypassrls, 'connlimit', rolconnlimit,
      'validuntil', rolvaliduntil) order by rolname) from pg_roles where rolname !~ '^pg_'),
  'memberships', (select coalesce(json_agg(json_build_object('role', r.rolname, 'member', m.rolname,
      'admin', a.admin_option) order by r.rolname, m.rolname), '[]')
      from pg_auth_members a join pg_roles r on r.oid = a.roleid join pg_roles m on m.oid = a.member
      where r.rolname !~ '^pg_' or m.rolname !~ '^pg_'),
  'database', (select json_build_object('owner', pg_get_userbyid(datdba), 'acl', datacl::text)
      from pg_database where datname = current_database()),
  'schemas', (select json_agg(json_build_object('name', nspname, 'owner', pg_get_userbyid(nspowner),
      'acl', nspacl::text) order by nspname) from pg_namespace
      where nspname !~ '^pg_' and nspname <> 'information_schema'),
  'relations', (select json_agg(json_build_object('name', c.relname, 'kind', c.relkind,
      'owner', pg_get_userbyid(c.relowner), 'acl', c.relacl::text) order by c.relname)
      from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'),
  'defaultAcls', (select coalesce(json_agg(defaclacl::text order by defaclacl::text), '[]') from pg_default_acl),
  'extensions', (select json_agg(json_build_object('name', extname, 'owner', pg_get_userbyid(extowner),
      'version', extversion) order by extname) from pg_extension),
  'roleSettings', (select coalesce(json_agg(json_build_object('role', pg_get_userbyid(setrole),
      'config', setconfig)), '[]') from pg_db_role_setting)
)::text`;

async function privileges(server: PostgresServer): Promise<any> {
    return JSON.parse((await server.superuserSql(DATABASE_NAME, PRIVILEGES)).trim());
}

/** The usage gate's role, as the bootstrap creates it next to Open WebUI's (handler.js gateStatements). */
const GATE = "usage_gate";

/**
 * Privileges without what the bootstrap adds for the usage gate (its role, the master's membership
 * in it, CONNECT on the database, its own schema), and those additions on their own.
 */
function splitGate(p: any): { rest: any; gate: any } {
    const gateAcl = new RegExp(`,${GATE}=[a-zA-Z]*/${MASTER_USERNAME}`);
    return {
        rest: {
            ...p,
            roles: p.roles.filter((r: any) => r.name !== GATE),
            memberships: p.memberships.filter((m: any) => m.role !== GATE && m.member !== GATE),
            database: { ...p.database, acl: p.database.acl.replace(gateAcl, "") },
            schemas: p.schemas.filter((x: any) => x.name !== GATE),
        },
        gate: {
            role: p.roles.find((r: any) => r.name === GATE),
            memberships: p.memberships.filter((m: any) => m.role === GATE || m.member === GATE),
            databaseAcl: gateAcl.exec(p.database.acl)?.[0],
            schema: p.schemas.find((x: any) => x.name === GATE),
        },
    };
}

/** Exactly what the bootstrap adds for the gate: a plain login role owning its schema, nothing more. */
const GATE_ADDED = {
    role: {
        name: GATE,
        super: false,
        inherit: true,
        createrole: false,
        createdb: false,
        login: true,
        replication: false,
        bypassrls: false,
        connlimit: -1,
        validuntil: null,
    },
    memberships: [{ role: GATE, member: MASTER_USERNAME, admin: false }],
    databaseAcl: `,${GATE}=c/${MASTER_USERNAME}`,
    schema: { name: GATE, owner: GATE, acl: null },
};

/** Ends the probe transaction, carrying what it counted. */
class Rollback extends Error {
    constructor(readonly rows: number) {
        super("rollback");
    }
}

interface Read {
    readonly chatTitle: string;
    readonly filePath: string;
    readonly nearest: string;
    readonly vector: string;
    readonly written: number;
}

/** Signs in as the role with the server verified (as Open WebUI does) and reads what it will need. */
async function readAsOpenWebUi(host: string, port: number, password: string): Promise<Read> {
    const sql = postgres({
        host,
        port,
        database: DATABASE_NAME,
        username: "openwebui",
        password,
        ssl: {
            ca: fs.readFileSync((await trustedCa()).certFile, "utf8"),
            rejectUnauthorized: true,
            servername: host,
        },
        max: 1,
        connect_timeout: 5,
        onnotice: () => undefined,
    });
    try {
        const [chat] = await sql`select title from public.chat where id = ${KNOWN.chatId}`;
        const [file] = await sql`select path from public.file where id = ${KNOWN.fileId}`;
        // What the vector store does: nearest chunk by cosine distance, through the HNSW index.
        const [nearest] = await sql`
            select id, vector::text as vector from public.document_chunk
            order by vector <=> '[0.9,0.1,0]' limit 1`;
        // And what a new chat does: write (in a transaction rolled back, so runs stay alike).
        const written = await sql
            .begin(async (tx) => {
                await tx`insert into public.chat values ('probe', 'u1', 'probe', '{}', 1)`;
                await tx`insert into public.document_chunk values ('probe', '[0,0,1]', 'probe', null, null)`;
                const [row] = await tx`select count(*)::int as n from public.document_chunk`;
                throw new Rollback(row.n as number);
            })
            .then(
                () => assert.fail("the probe transaction was committed"),
                (e: unknown) => {
                    if (e instanceof Rollback) {
                        return e.rows;
                    }
                    throw e;
                },
            );
        return {
            chatTitle: chat.title,
            filePath: file.path,
            nearest: nearest.id,
            vector: nearest.vector,
            written,
        };
    } finally {
        await sql.end({ timeout: 2 });
    }
}

describe("restore: the role bootstrap converges a database restored from prod's data", () => {
    let host: string;
    let restored: PostgresServer;
    let appPassword: string;
    let event: Record<string, unknown>;
    let asRestored: any;
    let passwordHashBefore: string;

    before(async () => {
        const [artefacts, aws] = await Promise.all([artefactsOf(STACK), moto()]);
        host = artefacts.dbAddress;
        mapToLoopback([host]);
        const secrets = new SecretsManagerClient({
            region: "eu-west-2",
            endpoint: aws.endpoint,
            credentials: { accessKeyId: "integration", secretAccessKey: "integration" },
        });
        const appSecretArn = artefacts.secrets[`ai-portal-${STACK}/database/openwebui`].arn;
        appPassword = JSON.parse(
            (await secrets.send(new GetSecretValueCommand({ SecretId: appSecretArn })))
                .SecretString!,
        ).password;
        assert.notStrictEqual(appPassword, PROD_PASSWORD);

        // "prod": the role as its bootstrap made it (the same statements, as the RDS master),
        // then Open WebUI's data, created by the role as Open WebUI's migrations create it.
        const prod = await startPostgres({
            hostnames: ["prod.restore.invalid"],
            masterUser: MASTER_USERNAME,
            masterPassword: "Prod-Master-Password-9x",
            database: DATABASE_NAME,
            port: 5433,
            name: "postgres-restore-source",
        });
        const bootstrapAsMaster = (password: string) =>
            [
                `SET ROLE ${MASTER_USERNAME};`,
                ...roleStatements("openwebui", password, DATABASE_NAME, undefined).map(
                    (s: string) => `${s};`,
                ),
                "RESET ROLE;",
            ].join("\n");
        await prod.superuserSql(DATABASE_NAME, bootstrapAsMaster(PROD_PASSWORD));
        await prod.superuserSql(DATABASE_NAME, OPEN_WEBUI_DATA);
        const dump = await prod.superuserTool("pg_dump", ["--format=plain", "-d", DATABASE_NAME]);
        assert.match(dump, /CREATE EXTENSION IF NOT EXISTS vector/);
        assert.match(dump, /ALTER TABLE public\.document_chunk OWNER TO openwebui;/);

        // The restored instance: a fresh cluster with RDS's layout (the master secret's password),
        // the role with prod's password and prod's grants, then prod's data with its owners.
        restored = await startPostgres({
            hostnames: [host],
            masterUser: MASTER_USERNAME,
            masterPassword: MASTER_PASSWORD,
            database: DATABASE_NAME,
            port: 5434,
            name: "postgres-restored",
        });
        await restored.superuserSql(DATABASE_NAME, bootstrapAsMaster(PROD_PASSWORD));
        const dumpFile = path.join(workDir("postgres-restored"), "prod.sql");
        fs.writeFileSync(dumpFile, dump, { mode: 0o644 });
        await restored.superuserTool("psql", [
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            DATABASE_NAME,
            "-f",
            dumpFile,
        ]);
        asRestored = await privileges(restored);
        passwordHashBefore = await restored.superuserSql(
            "postgres",
            "select rolpassword from pg_authid where rolname = 'openwebui'",
        );
        // The event the program renders, at the restored cluster's port.
        const { run } = artefacts;
        const invocation = run.resources.find(
            (r) => r.type === "aws:lambda/invocation:Invocation" && r.name === "db-role-run",
        )!;
        event = { ...JSON.parse(invocation.inputs.input), port: restored.port };
    });

    it("before the bootstrap, the restored role signs in with prod's password only, and reads prod's data", async () => {
        assert.strictEqual(
            (await readAsOpenWebUi(host, restored.port, PROD_PASSWORD)).chatTitle,
            KNOWN.chatTitle,
        );
        await assert.rejects(
            readAsOpenWebUi(host, restored.port, appPassword),
            /password authentication failed for user "openwebui"/,
        );
    });

    it("the packaged bootstrap updates the existing role: the stack's password works, prod's is refused", async () => {
        const invocation = await invokeBootstrap(STACK, { EVENT: JSON.stringify(event) });
        assert.strictEqual(
            invocation.result.code,
            0,
            `the handler failed:\n${invocation.result.stderr}`,
        );
        assert.deepStrictEqual(invocation.returned, {
            role: "openwebui",
            database: DATABASE_NAME,
            action: "updated",
            gateRole: GATE,
            gateSchema: GATE,
        });
        await assert.rejects(
            readAsOpenWebUi(host, restored.port, PROD_PASSWORD),
            /password authentication failed for user "openwebui"/,
        );
        assert.notStrictEqual(
            await restored.superuserSql(
                "postgres",
                "select rolpassword from pg_authid where rolname = 'openwebui'",
            ),
            passwordHashBefore,
        );
    });

    it("the role reads every restored row and vector and writes as Open WebUI does", async () => {
        assert.deepStrictEqual(await readAsOpenWebUi(host, restored.port, appPassword), {
            chatTitle: KNOWN.chatTitle,
            filePath: KNOWN.filePath,
            nearest: "c1",
            vector: "[1,0,0]",
            written: 3,
        });
    });

    it("no privilege was widened: roles, memberships, owners and every ACL are exactly as restored, plus the usage gate's own role and schema", async () => {
        const after = splitGate(await privileges(restored));
        assert.deepStrictEqual(after.rest, asRestored);
        assert.deepStrictEqual(after.gate, GATE_ADDED);
        // And what they are: a plain login role that owns Open WebUI's tables, nothing more.
        const role = asRestored.roles.find((r: any) => r.name === "openwebui");
        assert.deepStrictEqual(role, {
            name: "openwebui",
            super: false,
            inherit: true,
            createrole: false,
            createdb: false,
            login: true,
            replication: false,
            bypassrls: false,
            connlimit: -1,
            validuntil: null,
        });
        assert.deepStrictEqual(
            asRestored.memberships.filter(
                (m: any) => m.member === "openwebui" || m.role === "openwebui",
            ),
            [],
        );
        assert.deepStrictEqual(
            asRestored.relations.map((r: any) => [r.name, r.owner]),
            [
                ["chat", "openwebui"],
                ["chat_pkey", "openwebui"],
                ["document_chunk", "openwebui"],
                ["document_chunk_pkey", "openwebui"],
                ["document_chunk_vector_idx", "openwebui"],
                ["file", "openwebui"],
                ["file_pkey", "openwebui"],
                ["user", "openwebui"],
                ["user_pkey", "openwebui"],
            ],
        );
        assert.match(asRestored.database.acl, new RegExp(`openwebui=Tc/${MASTER_USERNAME}`));
    });

    it("a second run changes nothing either (the stack's next `pulumi up` with new credentials)", async () => {
        const invocation = await invokeBootstrap(STACK, { EVENT: JSON.stringify(event) });
        assert.strictEqual(invocation.result.code, 0, invocation.result.stderr);
        const after = splitGate(await privileges(restored));
        assert.deepStrictEqual(after.rest, asRestored);
        assert.deepStrictEqual(after.gate, GATE_ADDED);
        assert.strictEqual(
            (await readAsOpenWebUi(host, restored.port, appPassword)).chatTitle,
            KNOWN.chatTitle,
        );
    });
});
