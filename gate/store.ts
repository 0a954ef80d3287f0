/**
 * Usage in PostgreSQL: per call (so a record retried after a lost reply is counted once), per
 * person, model and day, and per person and month (what limits are checked against). One
 * statement records a call into all three, atomically, with increments that concurrent writers
 * cannot lose (INSERT ... ON CONFLICT DO UPDATE). The gate's own role owns its own schema
 * (created by the role bootstrap); the gate creates its tables there on start.
 */
import postgres from "postgres";

export interface UsageRecord {
    /** Unique per call: a retried record is counted once. */
    readonly callId: string;
    /** Open WebUI's user id. */
    readonly person: string;
    readonly email: string;
    readonly model: string;
    /** YYYY-MM-DD (UTC), the day the call started. */
    readonly day: string;
    /** YYYY-MM-01, the month the call counts against. */
    readonly month: string;
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly costNanoUsd: number;
}

export interface UsageStore {
    /** What the person has spent in the month, in nano-dollars. */
    monthSpendNanoUsd(person: string, month: string): Promise<number>;
    /** Records calls, all or none; throws when it could not. */
    record(records: readonly UsageRecord[]): Promise<void>;
    close(): Promise<void>;
}

export interface PgOptions {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly username: string;
    readonly password: string;
    /** The CA that signed the server's certificate (the RDS CA bundle): verified, with its name. */
    readonly ca: string;
    readonly schema: string;
    /** Connections in the pool. */
    readonly max: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The tables, in `schema`; each statement can run again harmlessly. */
export function schemaSql(schema: string): string[] {
    const s = checkedSchema(schema);
    return [
        `create table if not exists ${s}.usage_call (
            call_id uuid primary key,
            person text not null,
            email text not null,
            model text not null,
            day date not null,
            input_tokens bigint not null,
            output_tokens bigint not null,
            cost_nanousd bigint not null,
            recorded_at timestamptz not null default now())`,
        `create table if not exists ${s}.usage_daily (
            person text not null,
            model text not null,
            day date not null,
            email text not null,
            calls bigint not null,
            input_tokens bigint not null,
            output_tokens bigint not null,
            cost_nanousd bigint not null,
            primary key (person, model, day))`,
        `create table if not exists ${s}.usage_monthly (
            person text not null,
            month date not null,
            cost_nanousd bigint not null,
            primary key (person, month))`,
    ];
}

function checkedSchema(schema: string): string {
    if (!SCHEMA_NAME.test(schema)) {
        throw new Error(
            `schema name ${JSON.stringify(schema)} is not a plain lower-case identifier`,
        );
    }
    return schema;
}

/**
 * Calls into all three tables in one statement: the calls (arrays, one element per call, in the
 * order of `recordParams`) and their sums by person, model and day, and by person and month. A call
 * whose id is already recorded adds nothing. Sums are grouped first: one statement may not touch a
 * row twice.
 */
export function recordSql(schema: string): string {
    const s = checkedSchema(schema);
    return `with call as (
        insert into ${s}.usage_call
            (call_id, person, email, model, day, input_tokens, output_tokens, cost_nanousd)
        select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[],
                             $6::bigint[], $7::bigint[], $8::bigint[])
        on conflict (call_id) do nothing
        returning person, email, model, day, input_tokens, output_tokens, cost_nanousd
    ), daily as (
        insert into ${s}.usage_daily as d
            (person, model, day, email, calls, input_tokens, output_tokens, cost_nanousd)
        select person, model, day, max(email), count(*), sum(input_tokens), sum(output_tokens),
               sum(cost_nanousd)
        from call group by person, model, day
        on conflict (person, model, day) do update set
            email = excluded.email,
            calls = d.calls + excluded.calls,
            input_tokens = d.input_tokens + excluded.input_tokens,
            output_tokens = d.output_tokens + excluded.output_tokens,
            cost_nanousd = d.cost_nanousd + excluded.cost_nanousd
        returning 1
    )
    insert into ${s}.usage_monthly as m (person, month, cost_nanousd)
    select person, date_trunc('month', day)::date, sum(cost_nanousd)
    from call group by person, date_trunc('month', day)
    on conflict (person, month) do update set cost_nanousd = m.cost_nanousd + excluded.cost_nanousd`;
}

/** The parameters of `recordSql` for these calls. */
export function recordParams(records: readonly UsageRecord[]): unknown[][] {
    const column = <T>(f: (r: UsageRecord) => T) => records.map(f);
    return [
        column((r) => r.callId),
        column((r) => r.person),
        column((r) => r.email),
        column((r) => r.model),
        column((r) => r.day),
        column((r) => r.inputTokens),
        column((r) => r.outputTokens),
        column((r) => r.costNanoUsd),
    ];
}

export class PgUsageStore implements UsageStore {
    private readonly sql: postgres.Sql;
    private readonly record_: string;
    private readonly spend: string;

    constructor(private readonly options: PgOptions) {
        this.sql = postgres({
            host: options.host,
            port: options.port,
            database: options.database,
            username: options.username,
            password: options.password,
            ssl: { ca: options.ca, rejectUnauthorized: true, servername: options.host },
            max: options.max,
            connect_timeout: 3,
            idle_timeout: 300,
            onnotice: () => undefined,
            connection: { application_name: "usage-gate" },
        });
        this.record_ = recordSql(options.schema);
        this.spend = `select cost_nanousd::text as spent from ${checkedSchema(options.schema)}.usage_monthly where person = $1 and month = $2::date`;
    }

    /** Creates the tables (the role owns the schema). */
    async migrate(): Promise<void> {
        for (const statement of schemaSql(this.options.schema)) {
            await this.sql.unsafe(statement);
        }
    }

    async monthSpendNanoUsd(person: string, month: string): Promise<number> {
        const rows = await this.sql.unsafe(this.spend, [person, month], { prepare: true });
        return rows.length ? Number(rows[0].spent) : 0;
    }

    async record(records: readonly UsageRecord[]): Promise<void> {
        await this.sql.unsafe(this.record_, recordParams(records) as never[], { prepare: true });
    }

    async close(): Promise<void> {
        await this.sql.end({ timeout: 5 });
    }
}
