/**
 * The gate's settings, from its environment (the host's env file; secrets come in the same way,
 * never on a command line). Every problem is collected before the gate starts. Pure.
 */
import { LimitPolicy } from "./limits";
import { FailMode } from "./server";

export interface GateSettings {
    readonly listenHost: string;
    readonly listenPort: number;
    readonly upstream: URL;
    readonly apiKey: string;
    readonly apiPrefix: string;
    readonly policy: LimitPolicy;
    readonly failMode: FailMode;
    /** GATE_STACK: the stack's name, a dimension of every metric; undefined when not set. */
    readonly stack?: string;
    readonly modelAliases: Readonly<Record<string, string>>;
    readonly reserveOutputTokens: number;
    readonly db: {
        readonly host: string;
        readonly port: number;
        readonly database: string;
        readonly username: string;
        readonly password: string;
        readonly caFile: string;
        readonly schema: string;
    };
    /** Absent when no group has a limit (or the stack has no directory). */
    readonly ldap?: {
        readonly url: string;
        readonly bindDn: string;
        readonly bindPassword: string;
        readonly userBase: string;
        readonly groupBase: string;
        readonly userAttribute: string;
        readonly cacheSeconds: number;
    };
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the settings; throws one error listing every problem. */
export function readSettings(env: Env): GateSettings {
    const problems: string[] = [];
    const need = (name: string, what: string): string => {
        const v = env[name];
        if (v === undefined || v === "") {
            problems.push(`${name} is not set: ${what}`);
            return "";
        }
        return v;
    };
    const number = (name: string, fallback: number, min: number, what: string): number => {
        const raw = env[name];
        if (raw === undefined || raw === "") {
            return fallback;
        }
        const n = Number(raw);
        if (!Number.isFinite(n) || n < min) {
            problems.push(`${name} is ${JSON.stringify(raw)}: ${what}`);
            return fallback;
        }
        return n;
    };
    const json = (name: string): unknown => {
        const raw = env[name];
        if (raw === undefined || raw === "") {
            return {};
        }
        try {
            return JSON.parse(raw);
        } catch {
            problems.push(`${name} is not JSON: ${JSON.stringify(raw)}`);
            return {};
        }
    };
    const stringMap = (name: string, value: unknown, numbers: boolean): Record<string, never> => {
        if (!value || typeof value !== "object" || Array.isArray(value)) {
            problems.push(`${name} must be a JSON object`);
            return {};
        }
        for (const [k, v] of Object.entries(value)) {
            const good = numbers
                ? typeof v === "number" && v > 0
                : typeof v === "string" && v !== "";
            if (!good) {
                problems.push(
                    `${name}[${JSON.stringify(k)}] is ${JSON.stringify(v)}: ${numbers ? "a limit in USD above 0" : "a model id"}`,
                );
            }
        }
        return value as Record<string, never>;
    };

    let upstream = new URL("http://127.0.0.1");
    const upstreamRaw = need(
        "GATE_UPSTREAM_URL",
        "the gateway's base URL, e.g. http://127.0.0.1:8081",
    );
    if (upstreamRaw) {
        try {
            upstream = new URL(upstreamRaw);
            if (upstream.protocol !== "http:") {
                problems.push(
                    `GATE_UPSTREAM_URL is ${upstreamRaw}: an http:// URL (the gateway on this host)`,
                );
            }
        } catch {
            problems.push(`GATE_UPSTREAM_URL is ${JSON.stringify(upstreamRaw)}: not a URL`);
        }
    }
    const failMode = env.GATE_FAIL_MODE ?? "open";
    if (failMode !== "open" && failMode !== "closed") {
        problems.push(`GATE_FAIL_MODE is ${JSON.stringify(failMode)}: "open" or "closed"`);
    }
    const byGroup = stringMap("GATE_LIMITS_BY_GROUP", json("GATE_LIMITS_BY_GROUP"), true);
    const modelAliases = stringMap("GATE_MODEL_ALIASES", json("GATE_MODEL_ALIASES"), false);
    const settings: GateSettings = {
        listenHost: env.GATE_LISTEN_HOST || "0.0.0.0",
        listenPort: number("GATE_LISTEN_PORT", 8000, 1, "a port number"),
        upstream,
        apiKey: need("GATE_API_KEY", "the gateway's API key"),
        apiPrefix: env.GATE_API_PREFIX || "/api/v1",
        policy: {
            defaultUsd: number("GATE_LIMIT_DEFAULT_USD", 0, 0.01, "a limit in USD above 0"),
            byGroup,
        },
        failMode: failMode === "closed" ? "closed" : "open",
        stack: env.GATE_STACK || undefined,
        modelAliases,
        reserveOutputTokens: number("GATE_RESERVE_OUTPUT_TOKENS", 4096, 1, "a number of tokens"),
        db: {
            host: need("GATE_DB_HOST", "the database's host name (as its certificate names it)"),
            port: number("GATE_DB_PORT", 5432, 1, "a port number"),
            database: need("GATE_DB_NAME", "the database"),
            username: need("GATE_DB_USER", "the gate's role"),
            password: need("GATE_DB_PASSWORD", "the gate's role's password"),
            caFile: need(
                "GATE_DB_CA_FILE",
                "the CA bundle the database's certificate is checked against",
            ),
            schema: env.GATE_DB_SCHEMA || "usage_gate",
        },
        ldap:
            Object.keys(byGroup).length === 0
                ? undefined
                : {
                      url: need("GATE_LDAP_URL", "the directory (group limits are set)"),
                      bindDn: need("GATE_LDAP_BIND_DN", "the bind account's DN"),
                      bindPassword: need("GATE_LDAP_PASSWORD", "the bind account's password"),
                      userBase: need("GATE_LDAP_USER_BASE", "where people are searched for"),
                      groupBase: need("GATE_LDAP_GROUP_BASE", "where groups are searched for"),
                      userAttribute: env.GATE_LDAP_USER_ATTRIBUTE || "userPrincipalName",
                      cacheSeconds: number(
                          "GATE_GROUP_CACHE_SECONDS",
                          300,
                          0,
                          "seconds, 0 or more",
                      ),
                  },
    };
    if (env.GATE_LIMIT_DEFAULT_USD === undefined || env.GATE_LIMIT_DEFAULT_USD === "") {
        problems.push("GATE_LIMIT_DEFAULT_USD is not set: the monthly limit per person in USD");
    }
    if (problems.length) {
        throw new Error(`usage gate settings:\n- ${problems.join("\n- ")}`);
    }
    return settings;
}
