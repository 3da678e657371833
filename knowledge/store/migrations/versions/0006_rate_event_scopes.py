"""rate event scopes

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03

Strangers are throttled too: the refusals a stranger is sent are counted like an officer's queries,
but apart from them, so that a stranger who is then enrolled starts with a clean count and an officer
who is revoked is still told, once, that Beatline is for enrolled officers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rate_events") as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(16), nullable=False, server_default="query"))


def downgrade() -> None:
    with op.batch_alter_table("rate_events") as batch_op:
        batch_op.drop_column("scope")
