"""Alembic environment: runs migrations on the blocking engine for the URL that init-db was given."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from knowledge.models import Base

config = context.config
url = config.attributes["url"]
engine = create_engine(url, poolclass=pool.NullPool)

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
