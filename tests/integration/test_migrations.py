"""The migrations build exactly the schema the models describe, and step down and up again cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from knowledge.db import _MIGRATIONS, sync_url
from knowledge.models import Base


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["url"] = sync_url(url)
    return config


def differences(url: str) -> list[object]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        found = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    return found


def test_the_migrated_schema_is_the_models_schema(db_url: str) -> None:
    assert differences(db_url) == []


def test_every_migration_steps_down_and_up_again(db_url: str) -> None:
    config = alembic_config(db_url)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    assert differences(db_url) == []
