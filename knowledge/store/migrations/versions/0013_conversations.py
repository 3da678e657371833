"""conversations

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01

What each user was last shown (who "he" is, the one record last shown, the shortlist and how far it
was paged), so that a follow-up ("more", "the second one", "his car") is understood by whichever bot
process receives it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("last_kind", sa.String(16), nullable=False),
        sa.Column("last_id", sa.String(64), nullable=False),
        sa.Column("listed", sa.Text(), nullable=False),
        sa.Column("shown", sa.Integer(), nullable=False),
        sa.Column("listed_last", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("actor", "channel", name=op.f("pk_conversations")),
    )


def downgrade() -> None:
    op.drop_table("conversations")
