"""keyed audit chain

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

A plain SHA-256 chain proves the order of the audit log, not who wrote it: anyone with write access to
the database could edit an entry and recompute every later hash. Each entry and the head now carry an
HMAC made with the audit key, which lives outside the database. Entries written before stay as they
are (mac NULL); `beatline init-db` seals the head with the key and records where the keyed part begins,
so `beatline audit verify` can say honestly which entries are hash-chained only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.add_column(sa.Column("keyed_from", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("key_check", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch_op:
        batch_op.drop_column("key_check")
        batch_op.drop_column("mac")
        batch_op.drop_column("keyed_from")
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_column("mac")
