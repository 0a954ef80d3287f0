/**
 * The database role bootstrap's SQL, without a database: idempotent statements that an RDS master
 * (not a superuser) may run, safe quoting. The integration suite runs the packaged handler against
 * a real PostgreSQL three times (tests/integration/roleBootstrap.test.ts).
 */
import * as assert from "assert";

// Plain JavaScript shipped as-is to Lambda; its AWS SDK and driver load only inside the handler.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const handler = require("../../data/bootstrap/handler.js");
const { roleStatements, quoteIdentifier, quoteLiteral } = handler;

const ORDINARY = { rolcanlogin: true, rolcreatedb: false, rolcreaterole: false };

describe("database role bootstrap: SQL", () => {
    it("creates a missing role as a plain login role", () => {
        const create = roleStatements("openwebui", "Secret123", "aiportal", undefined);
        assert.strictEqual(
            create[0],
            `CREATE ROLE "openwebui" WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD 'Secret123'`,
        );
    });

    it("sets only the password of a role that is already right, never naming SUPERUSER (RDS's master may not)", () => {
        const update = roleStatements("openwebui", "Secret123", "aiportal", ORDINARY);
        assert.strictEqual(update[0], `ALTER ROLE "openwebui" WITH PASSWORD 'Secret123'`);
        assert.doesNotMatch(update.join("\n"), /SUPERUSER/);
    });

    it("takes back only the attributes that differ from a plain login role", () => {
        assert.strictEqual(
            roleStatements("openwebui", "p", "aiportal", {
                rolcanlogin: false,
                rolcreatedb: true,
                rolcreaterole: true,
            })[0],
            `ALTER ROLE "openwebui" WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD 'p'`,
        );
        assert.strictEqual(
            roleStatements("openwebui", "p", "aiportal", { ...ORDINARY, rolcreatedb: true })[0],
            `ALTER ROLE "openwebui" WITH NOCREATEDB PASSWORD 'p'`,
        );
    });

    it("grants what Open WebUI needs in its database and nothing more, the same on every run", () => {
        const grants = [
            'GRANT CONNECT, TEMPORARY ON DATABASE "aiportal" TO "openwebui"',
            'GRANT USAGE, CREATE ON SCHEMA public TO "openwebui"',
            "CREATE EXTENSION IF NOT EXISTS vector",
        ];
        assert.deepStrictEqual(
            roleStatements("openwebui", "p", "aiportal", undefined).slice(1),
            grants,
        );
        assert.deepStrictEqual(
            roleStatements("openwebui", "p", "aiportal", ORDINARY).slice(1),
            grants,
        );
    });

    it("quotes identifiers and literals so input cannot break out of them", () => {
        assert.strictEqual(quoteIdentifier('we"ird'), '"we""ird"');
        assert.strictEqual(quoteLiteral("it's"), "'it''s'");
        assert.match(
            roleStatements("x", "a'; DROP TABLE users; --", "db", undefined)[0],
            /PASSWORD 'a''; DROP TABLE users; --'$/,
        );
    });
});
