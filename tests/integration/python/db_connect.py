#!/usr/bin/python3
"""Connects to PostgreSQL the ways Open WebUI does, with the URLs and the environment the program
renders for its container (this process's environment is exactly that, plus PATH).

Input (JSON in $AI_PORTAL_INPUT): {"DATABASE_URL": ..., "PGVECTOR_DB_URL": ...}.
Output (JSON): {driver: {"ok": bool, "ssl": bool, "user": ..., "error": ...}} for:
- psycopg2: the sync engine and the pgvector store (plain postgresql:// URLs);
- sqlalchemy+psycopg2: the pgvector store's engine;
- psycopg (3), async: Open WebUI 0.11's async engine (postgresql+psycopg://);
- asyncpg, and sqlalchemy+asyncpg (async): the async engine of earlier releases, where
  `sslmode` in the URL fails (open-webui#23854).
Each reports whether the session is encrypted (pg_stat_ssl) and as whom it logged in.
"""
import asyncio
import json
import os

QUERY = "select ssl, current_user from pg_stat_ssl where pid = pg_backend_pid()"


def outcome(row):
    return {"ok": True, "ssl": bool(row[0]), "user": row[1]}


def failure(error):
    return {"ok": False, "error": f"{type(error).__name__}: {error}".strip()}


def try_sync(connect):
    try:
        return outcome(connect())
    except Exception as error:  # a refused connection is a result here, not a crash
        return failure(error)


def try_async(connect):
    try:
        return outcome(asyncio.run(connect()))
    except Exception as error:
        return failure(error)


def main():
    urls = json.loads(os.environ["AI_PORTAL_INPUT"])
    results = {}

    import psycopg2

    def with_psycopg2(url):
        def go():
            connection = psycopg2.connect(url, connect_timeout=5)
            try:
                with connection.cursor() as cursor:
                    cursor.execute(QUERY)
                    return cursor.fetchone()
            finally:
                connection.close()
        return go

    results["psycopg2 (DATABASE_URL)"] = try_sync(with_psycopg2(urls["DATABASE_URL"]))
    results["psycopg2 (PGVECTOR_DB_URL)"] = try_sync(with_psycopg2(urls["PGVECTOR_DB_URL"]))

    import sqlalchemy

    def with_sqlalchemy_sync():
        engine = sqlalchemy.create_engine(urls["PGVECTOR_DB_URL"], connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as connection:
                return connection.execute(sqlalchemy.text(QUERY)).one()
        finally:
            engine.dispose()

    results["sqlalchemy+psycopg2 (PGVECTOR_DB_URL)"] = try_sync(with_sqlalchemy_sync)

    import psycopg

    async def with_psycopg3():
        connection = await psycopg.AsyncConnection.connect(urls["DATABASE_URL"], connect_timeout=5)
        try:
            cursor = await connection.execute(QUERY)
            return await cursor.fetchone()
        finally:
            await connection.close()

    results["psycopg 3, async (DATABASE_URL)"] = try_async(with_psycopg3)

    import asyncpg

    async def with_asyncpg():
        connection = await asyncpg.connect(dsn=urls["DATABASE_URL"], timeout=5)
        try:
            return tuple(await connection.fetchrow(QUERY))
        finally:
            await connection.close()

    results["asyncpg (DATABASE_URL)"] = try_async(with_asyncpg)

    from sqlalchemy.ext.asyncio import create_async_engine

    async def with_sqlalchemy_asyncpg():
        engine = create_async_engine(urls["DATABASE_URL"].replace("postgresql://", "postgresql+asyncpg://", 1))
        try:
            async with engine.connect() as connection:
                return (await connection.execute(sqlalchemy.text(QUERY))).one()
        finally:
            await engine.dispose()

    results["sqlalchemy+asyncpg, async (DATABASE_URL)"] = try_async(with_sqlalchemy_asyncpg)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
