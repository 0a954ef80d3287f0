"use strict";
/**
 * Creates or updates Open WebUI's PostgreSQL role, as the RDS master user, from inside the VPC.
 * Pulumi invokes it (aws.lambda.Invocation) when the role's credentials change; it is idempotent.
 * Input: { masterSecretArn, appSecretArn } - secret ARNs only, never values.
 */

function quoteIdentifier(name) {
    return `"${String(name).replace(/"/g, '""')}"`;
}

function quoteLiteral(value) {
    return `'${String(value).replace(/'/g, "''")}'`;
}

/** The statements run in one transaction; `roleExists` picks CREATE or ALTER. */
function roleStatements(role, password, database, roleExists) {
    const r = quoteIdentifier(role);
    return [
        `${roleExists ? "ALTER" : "CREATE"} ROLE ${r} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${quoteLiteral(password)}`,
        `GRANT CONNECT, TEMPORARY ON DATABASE ${quoteIdentifier(database)} TO ${r}`,
        `GRANT USAGE, CREATE ON SCHEMA public TO ${r}`,
        // Open WebUI keeps its RAG vectors in PostgreSQL (VECTOR_DB=pgvector); only the master may create the extension.
        "CREATE EXTENSION IF NOT EXISTS vector",
    ];
}

async function readSecretJson(client, command, arn) {
    const response = await client.send(new command({ SecretId: arn }));
    return JSON.parse(response.SecretString);
}

async function handler(event) {
    // Loaded here so the pure functions above can be tested without the Lambda runtime's SDK.
    const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");
    const postgres = require("postgres");
    const secrets = new SecretsManagerClient({});
    const master = await readSecretJson(secrets, GetSecretValueCommand, event.masterSecretArn);
    const app = await readSecretJson(secrets, GetSecretValueCommand, event.appSecretArn);

    const sql = postgres({
        host: app.host,
        port: app.port,
        database: app.dbname,
        username: master.username,
        password: master.password,
        ssl: "require",
        max: 1,
        connect_timeout: 15,
    });
    try {
        const existing = await sql`select 1 from pg_roles where rolname = ${app.username}`;
        await sql.begin(async (tx) => {
            for (const statement of roleStatements(app.username, app.password, app.dbname, existing.length > 0)) {
                await tx.unsafe(statement);
            }
        });
        return { role: app.username, database: app.dbname, action: existing.length > 0 ? "updated" : "created" };
    } finally {
        await sql.end({ timeout: 5 });
    }
}

module.exports = { handler, roleStatements, quoteIdentifier, quoteLiteral };
