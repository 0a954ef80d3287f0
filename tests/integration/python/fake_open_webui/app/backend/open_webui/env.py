"""Stands in for Open WebUI's open_webui/env.py: only the names the migration path reads, computed
as upstream computes them (backend/open_webui/env.py): the package folder, the data folder beside
it, the database URL (SQLite in the data folder when unset) and the ENABLE_DB_MIGRATIONS switch
(on unless set to something other than "true")."""
import logging
import os
from pathlib import Path

OPEN_WEBUI_DIR = Path(__file__).parent
BACKEND_DIR = OPEN_WEBUI_DIR.parent
DATA_DIR = Path(os.getenv("DATA_DIR", BACKEND_DIR / "data")).resolve()

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR}/webui.db")
if "postgres://" in DATABASE_URL:
    DATABASE_URL = DATABASE_URL.replace("postgres://", "postgresql://")

ENABLE_DB_MIGRATIONS = os.environ.get("ENABLE_DB_MIGRATIONS", "True").lower() == "true"

log = logging.getLogger(__name__)
