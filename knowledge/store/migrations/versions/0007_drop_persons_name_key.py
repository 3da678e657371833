"""drop persons.name_key

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10

`persons.name_key` (the normalised full name) was written by every import and read by nothing:
search blocks on `person_keys` and scores the names themselves. Dropping it saves the work and the
space of a million normalised names.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch_op:
        batch_op.drop_column("name_key")


def downgrade() -> None:
    # Nothing ever read the column, so the older schema gets it back empty rather than recomputed.
    with op.batch_alter_table("persons") as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(240), nullable=False, server_default=""))
