/**
 * The database role bootstrap's SQL, without a database: idempotent statements, safe quoting.
 */
import * as assert from "assert";

// Plain JavaScript shipped as-is to Lambda; its AWS SDK and driver load only inside the handler.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { roleStatements, quoteIdentifier, quoteLiteral } = require("../data/bootstrap/handler.js");

describe("database role bootstrap: SQL", () => {
    it("creates the role once, then only changes its password", () => {
        const create = roleStatements("openwebui", "Secret123", "aiportal", false);
        const update = roleStatements("openwebui", "Secret123", "aiportal", true);
        assert.match(create[0], /^CREATE ROLE "openwebui" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'Secret123'$/);
        assert.match(update[0], /^ALTER ROLE "openwebui" WITH LOGIN/);
        assert.deepStrictEqual(create.slice(1), update.slice(1));
    });

    it("grants what Open WebUI needs in its database and nothing more", () => {
        assert.deepStrictEqual(roleStatements("openwebui", "p", "aiportal", false).slice(1), [
            'GRANT CONNECT, TEMPORARY ON DATABASE "aiportal" TO "openwebui"',
            'GRANT USAGE, CREATE ON SCHEMA public TO "openwebui"',
            "CREATE EXTENSION IF NOT EXISTS vector",
        ]);
    });

    it("quotes identifiers and literals so input cannot break out of them", () => {
        assert.strictEqual(quoteIdentifier('we"ird'), '"we""ird"');
        assert.strictEqual(quoteLiteral("it's"), "'it''s'");
        assert.match(roleStatements("x", "a'; DROP TABLE users; --", "db", false)[0], /PASSWORD 'a''; DROP TABLE users; --'$/);
    });
});
