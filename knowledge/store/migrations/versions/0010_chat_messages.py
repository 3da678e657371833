"""chat messages

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

The ledger of Beatline's messages in users' chats (and the questions its record replies answered),
with the deletion schedule: replies that show records vanish after BEATLINE_REPLY_TTL_SECONDS, and a
revoked user's chat is wiped. No message text is stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("from_bot", sa.Boolean(), nullable=False),
        sa.Column("shows_records", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("delete_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_messages")),
    )
    op.create_index(
        "uq_chat_messages_chat_id_message_id", "chat_messages", ["chat_id", "message_id"], unique=True
    )
    op.create_index("ix_chat_messages_status_delete_at", "chat_messages", ["status", "delete_at"])
    op.create_index(op.f("ix_chat_messages_sent_at"), "chat_messages", ["sent_at"])


def downgrade() -> None:
    op.drop_table("chat_messages")
