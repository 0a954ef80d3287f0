/**
 * What PostgreSQL writes to its log (RDS exports it to the `postgresql` log group, which operators
 * read) with the logging parameters the program renders into prod's parameter group: a slow
 * statement and a failing one, each carrying a chat message, must leave no statement text there.
 * The same statements under the settings the program rendered before (slow statements logged,
 * PostgreSQL's defaults otherwise) show that the check can see the text when it is there.
 */
import * as assert from "assert";
import * as fs from "fs";
import { ofType } from "../harness/query";
import { PostgresServer } from "./support/components";
import { database } from "./support/fixtures";
import { stackArtefacts } from "./support/portal";

const DATABASE = "aiportal";

/** The `log_*` parameters of the stack's parameter group (RDS-only `rds.*` ones do not apply here). */
async function renderedLogging(stack: string): Promise<[string, string][]> {
    const { run } = await stackArtefacts(stack);
    const groups = ofType(run, "aws:rds/parameterGroup:ParameterGroup");
    assert.strictEqual(groups.length, 1);
    return groups[0].inputs.parameters
        .filter((p: { name: string }) => p.name.startsWith("log_"))
        .map((p: { name: string; value: string }) => [p.name, p.value]);
}

/** Applies `settings` (on top of PostgreSQL's defaults), runs both statements, returns the log they left. */
async function logOf(pg: PostgresServer, settings: [string, string][], marker: string) {
    await pg.superuserSql(DATABASE, "ALTER SYSTEM RESET ALL");
    for (const [name, value] of settings) {
        await pg.superuserSql(DATABASE, `ALTER SYSTEM SET ${name} = '${value}'`);
    }
    await pg.superuserSql(DATABASE, "SELECT pg_reload_conf()");
    const from = fs.statSync(pg.logFile).size;
    // A chat message in a statement that runs longer than a second...
    await pg.superuserSql(DATABASE, `SELECT pg_sleep(1.1), 'slow ${marker}'`);
    // ...and in one that fails (a constraint, a dropped table: any error).
    await assert.rejects(
        pg.superuserSql(DATABASE, `INSERT INTO no_such_chat_table VALUES ('failing ${marker}')`),
    );
    // Let the server flush its log before it is read.
    await pg.superuserSql(DATABASE, "SELECT 1");
    const log = fs.readFileSync(pg.logFile, "utf8").slice(from);
    return log;
}

describe("database log (prod's parameter group): no statement text, so no chat content", () => {
    let pg: PostgresServer;
    before(async () => {
        pg = await database();
    });
    after(async () => {
        await pg.superuserSql(DATABASE, "ALTER SYSTEM RESET ALL");
        await pg.superuserSql(DATABASE, "SELECT pg_reload_conf()");
    });

    it("with the rendered settings: neither the slow nor the failing statement's text is logged, the error itself is", async () => {
        const settings = await renderedLogging("prod");
        assert.ok(settings.length > 0, "the parameter group sets the logging");
        const log = await logOf(pg, settings, "message-from-jane-rendered");
        assert.doesNotMatch(log, /message-from-jane-rendered/);
        // The failure is still reported, without its statement: operators see that it happened.
        assert.match(log, /ERROR: {2}relation "no_such_chat_table" does not exist/);
    });

    it("with the settings rendered before (slow statements logged, errors with their statement), both texts were in the log", async () => {
        const log = await logOf(
            pg,
            [["log_min_duration_statement", "1000"]],
            "message-from-jane-before",
        );
        assert.match(
            log,
            /duration: .* statement: SELECT pg_sleep\(1.1\), 'slow message-from-jane-before'/,
        );
        assert.match(
            log,
            /STATEMENT: {2}INSERT INTO no_such_chat_table VALUES \('failing message-from-jane-before'\)/,
        );
    });
});
