"""update ids per bot

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Telegram numbers updates per bot, so two bots sharing one database (a test bot and the live one)
could skip each other's updates as already handled. (A Bot API server that restarts its numbering
for the same bot, as one test emulator does, still has its first updates skipped for up to 24 hours:
Telegram itself never does this.) The table only remembers the last 24 hours for de-duplication, so
it is recreated rather than copied: at worst an update redelivered during the upgrade is answered
twice, never lost.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _create(*key: str) -> None:
    columns = [sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False)]
    if "bot_id" in key:
        columns.insert(0, sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False))
    op.create_table(
        "processed_updates",
        *columns,
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_processed_updates")),
    )
    op.create_index(op.f("ix_processed_updates_at"), "processed_updates", ["at"], unique=False)


def _drop() -> None:
    op.drop_index(op.f("ix_processed_updates_at"), table_name="processed_updates")
    op.drop_table("processed_updates")


def upgrade() -> None:
    _drop()
    _create("bot_id", "update_id")


def downgrade() -> None:
    _drop()
    _create("update_id")
