"""Alembic environment: runs migrations on the blocking engine for the URL that init-db was given."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from knowledge.store.schema import Base

config = context.config
url = config.attributes["url"]
engine = create_engine(url, poolclass=pool.NullPool)

with engine.connect() as connection:
    if connection.dialect.name == "sqlite":
        # WAL is a property of the file: set it here, once, so that the bot's first connections never
        # race to switch the journal mode (which needs the whole file to itself) while others write.
        connection.exec_driver_sql("PRAGMA busy_timeout=5000")
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        connection.commit()  # end the pragmas' implicit transaction; the migrations open their own
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
