"""The migrations build exactly the schema the models describe, and step down and up again cleanly."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from bot.cli import main
from knowledge.store.database import _alembic_config, schema_problem, sync_url
from knowledge.store.schema import Base


def differences(url: str) -> list[object]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        found = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    return found


def test_the_migrated_schema_is_the_models_schema(db_url: str) -> None:
    assert differences(db_url) == []


def test_every_migration_steps_down_and_up_again(db_url: str) -> None:
    config = _alembic_config(db_url)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    assert differences(db_url) == []


def test_an_old_or_empty_database_is_named_as_such(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'beatline.db'}"
    assert schema_problem(url) == "The database has no Beatline schema yet; run 'beatline init-db' first."
    command.upgrade(_alembic_config(url), "0002")
    assert "older than this version" in (schema_problem(url) or "")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BEATLINE_DATABASE_URL", url)
        assert main(["users", "list"]) == 1
        assert "run 'beatline init-db' to upgrade it" in capsys.readouterr().err
        assert main(["init-db"]) == 0
    assert schema_problem(url) is None
