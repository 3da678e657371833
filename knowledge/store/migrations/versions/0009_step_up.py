"""step up: authenticator secrets and shift unlocks

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

One row per user who has been issued an authenticator secret: the secret sealed with a key derived
from the audit key, the shift's unlock and last activity, the replay guard and the recent failures.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "step_up",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=True),
        sa.Column("issued_by", sa.String(80), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unlocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("recent_failures", sa.String(120), nullable=False),
        sa.Column("locked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["telegram_id"], ["users.telegram_id"], name="fk_step_up_telegram_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("telegram_id", name="pk_step_up"),
    )


def downgrade() -> None:
    op.drop_table("step_up")
