"""Alembic's environment for the fake package, online only, as upstream's migrations/env.py
connects: to open_webui.env's DATABASE_URL."""
from alembic import context
from sqlalchemy import create_engine, pool

from open_webui.env import DATABASE_URL

engine = create_engine(DATABASE_URL, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
