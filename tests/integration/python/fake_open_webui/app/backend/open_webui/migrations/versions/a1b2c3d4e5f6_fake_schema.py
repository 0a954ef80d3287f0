"""The fake package's one revision: creates a table, slowly enough that two hosts migrating at
once would overlap, and records in the data folder (the container's /app/backend/data volume)
when it starts and ends, with the process id."""
import os
import time

import sqlalchemy as sa
from alembic import op

from open_webui.env import DATA_DIR

revision = "a1b2c3d4e5f6"
down_revision = None
branch_labels = None
depends_on = None


def record(event):
    with open(DATA_DIR / "fake-migrations.log", "a") as log:
        log.write(f"{event} {os.getpid()} {time.monotonic():.3f}\n")


def upgrade():
    record("start")
    op.create_table("fake_open_webui_schema", sa.Column("id", sa.Integer, primary_key=True))
    time.sleep(1.5)
    record("end")


def downgrade():
    op.drop_table("fake_open_webui_schema")
