"use strict";
/**
 * Creates or updates Open WebUI's PostgreSQL role, as the RDS master user, from inside the VPC.
 * Pulumi invokes it (aws.lambda.Invocation) when the role's credentials change; it is idempotent.
 * Input: { host, port, masterSecretArn, appSecretArn, gateSecretArn? } - the instance's address and
 * secret ARNs, never secret values. With gateSecretArn, the usage gate's role and schema too
 * (gateStatements), in the same transaction.
 *
 * The RDS master user is not a superuser: it may create roles and change their ordinary
 * attributes, but PostgreSQL refuses any ALTER ROLE that names SUPERUSER or NOSUPERUSER ("must be
 * superuser to alter superuser roles or change superuser attribute"). So an existing role is only
 * told what differs, and SUPERUSER is never mentioned: a role the master creates cannot be one.
 */

function quoteIdentifier(name) {
    return `"${String(name).replace(/"/g, '""')}"`;
}

function quoteLiteral(value) {
    return `'${String(value).replace(/'/g, "''")}'`;
}

/**
 * The statements run in one transaction. `existing` is the role's row in pg_roles (rolcanlogin,
 * rolcreatedb, rolcreaterole), or undefined when there is no such role.
 */
function roleStatements(role, password, database, existing) {
    const r = quoteIdentifier(role);
    let first;
    if (existing === undefined) {
        first = `CREATE ROLE ${r} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD ${quoteLiteral(password)}`;
    } else {
        const fixes = [
            existing.rolcanlogin ? "" : "LOGIN",
            existing.rolcreatedb ? "NOCREATEDB" : "",
            existing.rolcreaterole ? "NOCREATEROLE" : "",
        ].filter(Boolean);
        // The password is always set: this function runs because the credentials changed.
        first = `ALTER ROLE ${r} WITH ${[...fixes, `PASSWORD ${quoteLiteral(password)}`].join(" ")}`;
    }
    return [
        first,
        `GRANT CONNECT, TEMPORARY ON DATABASE ${quoteIdentifier(database)} TO ${r}`,
        `GRANT USAGE, CREATE ON SCHEMA public TO ${r}`,
        // Open WebUI keeps its RAG vectors in PostgreSQL (VECTOR_DB=pgvector); on RDS only the
        // master (rds_superuser) may create the extension.
        "CREATE EXTENSION IF NOT EXISTS vector",
    ];
}

/**
 * The usage gate's role and schema (gate/store.ts): a login role with no other powers, owning one
 * schema of its own where it creates its tables; Open WebUI's role gets nothing in it. The master
 * joins the role first: PostgreSQL 15 lets a non-superuser create a schema for a role only as a
 * member of it. `existing` as for roleStatements.
 */
function gateStatements(role, password, database, schema, existing) {
    const r = quoteIdentifier(role);
    const first =
        existing === undefined
            ? `CREATE ROLE ${r} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD ${quoteLiteral(password)}`
            : `ALTER ROLE ${r} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD ${quoteLiteral(password)}`;
    return [
        first,
        `GRANT CONNECT ON DATABASE ${quoteIdentifier(database)} TO ${r}`,
        `GRANT ${r} TO CURRENT_USER`,
        `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)} AUTHORIZATION ${r}`,
    ];
}

async function readSecretJson(client, command, arn) {
    const response = await client.send(new command({ SecretId: arn }));
    return JSON.parse(response.SecretString);
}

async function handler(event) {
    // Loaded here so the pure functions above can be tested without the Lambda runtime's SDK.
    const {
        SecretsManagerClient,
        GetSecretValueCommand,
    } = require("@aws-sdk/client-secrets-manager");
    const postgres = require("postgres");
    const secrets = new SecretsManagerClient({});
    const master = await readSecretJson(secrets, GetSecretValueCommand, event.masterSecretArn);
    const app = await readSecretJson(secrets, GetSecretValueCommand, event.appSecretArn);
    const gate = event.gateSecretArn
        ? await readSecretJson(secrets, GetSecretValueCommand, event.gateSecretArn)
        : undefined;

    const sql = postgres({
        host: event.host,
        port: event.port,
        database: app.dbname,
        username: master.username,
        password: master.password,
        // TLS with the server's certificate and name verified: the statements carry a password.
        // The function's NODE_EXTRA_CA_CERTS adds the RDS CAs to Node's trust store.
        ssl: "verify-full",
        max: 1,
        connect_timeout: 15,
        onnotice: () => undefined,
    });
    try {
        const [existing] =
            await sql`select rolcanlogin, rolcreatedb, rolcreaterole from pg_roles where rolname = ${app.username}`;
        await sql.begin(async (tx) => {
            for (const statement of roleStatements(
                app.username,
                app.password,
                app.dbname,
                existing,
            )) {
                await tx.unsafe(statement);
            }
            if (gate) {
                const [gateRole] =
                    await tx`select rolcanlogin from pg_roles where rolname = ${gate.username}`;
                for (const statement of gateStatements(
                    gate.username,
                    gate.password,
                    app.dbname,
                    gate.schema,
                    gateRole,
                )) {
                    await tx.unsafe(statement);
                }
            }
        });
        return {
            role: app.username,
            database: app.dbname,
            action: existing ? "updated" : "created",
            ...(gate ? { gateRole: gate.username, gateSchema: gate.schema } : {}),
        };
    } finally {
        await sql.end({ timeout: 5 });
    }
}

module.exports = { handler, roleStatements, gateStatements, quoteIdentifier, quoteLiteral };
