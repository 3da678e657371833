"""awaited briefing text

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

After a bare /brief, the sergeant's next message is the briefing's text. That wait lived in one bot
process's memory, so with several webhook processes the text could reach another process and be
taken for a records query. It is now a column of the user's row, which the gate reads on every update
anyway, so every process sees it at no extra cost.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("briefing_text_due", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("briefing_text_due")
