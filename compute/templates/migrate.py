"""Runs Open WebUI's schema migrations once across the web hosts (load-balanced tier).

Run in a one-off Open WebUI container with the host's env files and ENABLE_DB_MIGRATIONS=true.
Open WebUI migrates (alembic upgrade head) when open_webui.config is imported; this holds a
PostgreSQL session-level advisory lock around that import, so hosts booting together migrate one
after the other and the later ones find nothing to do. The lock goes with the session, also when
this process dies.
"""
import os

import sqlalchemy

# A fixed key: every host's migration takes the same lock ("AIPortal" as a number).
LOCK_KEY = 0x4149506F7274616C

engine = sqlalchemy.create_engine(os.environ["DATABASE_URL"], poolclass=sqlalchemy.pool.NullPool)
with engine.connect() as connection:
    connection.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
    try:
        import open_webui.config  # noqa: F401  (migrates on import)
    finally:
        connection.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
print("ai-portal: Open WebUI's schema is up to date")
