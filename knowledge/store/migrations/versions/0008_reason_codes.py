"""reason codes, the reason each user gave last, and questions waiting for one

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Every check now needs a reason. The force's codes are data, seeded with the default set of the
contract; a user's current reason and the questions held until a reason is tapped live in the
database, because the next message or the tap may reach another bot process.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The contract's default set, as it was when this revision was written (knowledge/access/reasons.py).
DEFAULT_REASONS = (
    ("STOP", "stop and account / stop and search"),
    ("ARREST", "arrest or detention"),
    ("INV", "investigation"),
    ("WELFARE", "welfare or safeguarding"),
    ("RTC", "road traffic"),
    ("INTEL", "intelligence"),
    ("TRAINING", "training (synthetic records only)"),
)


def upgrade() -> None:
    codes = op.create_table(
        "reason_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_reason_codes")),
    )
    op.bulk_insert(
        codes,
        [{"code": code, "label": label, "position": n} for n, (code, label) in enumerate(DEFAULT_REASONS, 1)],
    )
    op.create_table(
        "reason_choices",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_reason_choices")),
    )
    op.create_table(
        "pending_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("record", sa.String(length=64), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_questions")),
    )
    with op.batch_alter_table("pending_questions") as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_questions_telegram_id"), ["telegram_id"], unique=False)


def downgrade() -> None:
    op.drop_table("pending_questions")
    op.drop_table("reason_choices")
    op.drop_table("reason_codes")
