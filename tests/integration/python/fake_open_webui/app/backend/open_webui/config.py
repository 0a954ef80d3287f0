"""Stands in for Open WebUI's open_webui/config.py on import, as far as migrations go: upstream
defines run_migrations() (alembic upgrade head with the alembic.ini and migrations folder of the
package) and calls it at import when ENABLE_DB_MIGRATIONS is on. Like upstream, a failing
migration is only logged ("Error running migrations"): the import itself succeeds."""
from open_webui.env import ENABLE_DB_MIGRATIONS, OPEN_WEBUI_DIR, log


def run_migrations():
    log.info("Running migrations")
    try:
        from alembic import command
        from alembic.config import Config as AlembicConfig

        alembic_cfg = AlembicConfig(OPEN_WEBUI_DIR / "alembic.ini")
        alembic_cfg.set_main_option("script_location", str(OPEN_WEBUI_DIR / "migrations"))
        command.upgrade(alembic_cfg, "head")
    except Exception as e:
        log.exception(f"Error running migrations: {e}")


if ENABLE_DB_MIGRATIONS:
    run_migrations()
