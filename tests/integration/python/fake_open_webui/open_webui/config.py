"""Stands in for Open WebUI's open_webui.config in the migration test: importing it "migrates"
(as upstream's runs alembic upgrade head at import), recording when it starts and ends in
$MIGRATION_LOG, and taking long enough that two hosts migrating at once would overlap."""
import os
import time

with open(os.environ["MIGRATION_LOG"], "a") as log:
    log.write(f"start {os.getpid()} {time.monotonic():.3f}\n")
time.sleep(1.5)
with open(os.environ["MIGRATION_LOG"], "a") as log:
    log.write(f"end {os.getpid()} {time.monotonic():.3f}\n")
