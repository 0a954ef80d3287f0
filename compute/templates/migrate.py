# Runs Open WebUI's schema migrations once across the web hosts (load-balanced tier), in a
# one-off Open WebUI container with the host's env files and ENABLE_DB_MIGRATIONS=true.
# Open WebUI migrates (alembic upgrade head) when open_webui.config is imported; this holds a
# PostgreSQL session-level advisory lock around that import, so hosts booting together migrate one
# after the other and the later ones find nothing to do. The lock goes with the session, also when
# this process dies. The hosts fetch it from Parameter Store (a boot file, pinned by SHA-256 in
# their user data), without its comment lines (compute/web.ts webBootFiles).
import os
import sys

# The image (open-webui/open-webui Dockerfile: `WORKDIR /app/backend`, `COPY ./backend .`, no
# PYTHONPATH) has open_webui only as a folder in its working directory, and `python3 <this file>`
# puts this file's folder on sys.path, not the working directory. Upstream imports its package the
# same way as here: start.sh runs uvicorn in that directory. The one-off container keeps the
# image's WORKDIR, so this follows the backend wherever the image puts it (no path written here).
sys.path.insert(0, os.getcwd())

# Imported after the path change on purpose (like open_webui below; a linter's E402).
import sqlalchemy
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

# A fixed key: every host's migration takes the same lock ("AIPortal" as a number).
LOCK_KEY = 0x4149506F7274616C


# The revisions Open WebUI ships (heads) and the ones the database is at, found as upstream's
# run_migrations() finds its scripts: the package's alembic.ini and migrations folder.
def revisions(connection):
    from open_webui.env import OPEN_WEBUI_DIR

    config = Config(str(OPEN_WEBUI_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(OPEN_WEBUI_DIR / "migrations"))
    shipped = set(ScriptDirectory.from_config(config).get_heads())
    current = set(MigrationContext.configure(connection).get_current_heads())
    return shipped, current


engine = sqlalchemy.create_engine(os.environ["DATABASE_URL"], poolclass=sqlalchemy.pool.NullPool)
with engine.connect() as connection:
    connection.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
    try:
        # Migrates on import, and only logs a failure (config.py's run_migrations catches every
        # exception): the import succeeding proves nothing, so compare the revisions afterwards.
        import open_webui.config

        shipped, current = revisions(connection)
    finally:
        connection.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
if current != shipped:
    sys.exit(
        f"ai-portal: Open WebUI's schema is at {sorted(current) or 'no revision'}, not at its "
        f"migrations' head {sorted(shipped)}: the migration failed (its error is logged above)"
    )
print("ai-portal: Open WebUI's schema is up to date")
