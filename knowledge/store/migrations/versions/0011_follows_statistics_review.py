"""follows, answer times and schedules

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

Officers follow records and are told when someone else checks them (`follows`, and the outbox
`follow_alerts` written in the same transaction as the check's audit entry); each answer's time is
kept beside its audit entry (`answer_times`), outside the entry's MAC, so that logs written before
still verify; `schedules` holds the next run of the weekly review digest, shared by every process.

On PostgreSQL, statistics on the audit log's UTC hour (the expression knowledge/review/periods.py
groups by) and on how many actors, intents, outcomes and reasons occur together let the planner see
that a month has 720 hours and a force a few thousand such groups, not a million: it then counts a
million entries with parallel hash aggregates instead of sorting them on disk (bench/stats.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_times",
        sa.Column("audit_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_answer_times")),
    )
    op.create_table(
        "follows",
        sa.Column("follower_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("record_id", sa.String(40), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("follower_id", "kind", "record_id", name=op.f("pk_follows")),
    )
    op.create_index("ix_follows_kind_record_id", "follows", ["kind", "record_id"])
    op.create_table(
        "follow_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("follower_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("record_id", sa.String(40), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("checker_actor", sa.String(80), nullable=False),
        sa.Column("checker_id", sa.BigInteger(), nullable=True),
        sa.Column("checker_name", sa.String(120), nullable=False),
        sa.Column("checker_team", sa.String(60), nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_alerts")),
    )
    op.create_index("ix_follow_alerts_at", "follow_alerts", ["at"])
    op.create_index("ix_follow_alerts_status", "follow_alerts", ["status"])
    op.create_index(
        "ix_follow_alerts_follower_id_record_id_at", "follow_alerts", ["follower_id", "record_id", "at"]
    )
    op.create_table(
        "schedules",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("spec", sa.String(32), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_schedules")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE STATISTICS st_audit_log_hour ON (date_trunc('hour', timezone('UTC', at))) FROM audit_log"
        )
        op.execute(
            "CREATE STATISTICS st_audit_log_kinds (ndistinct) ON actor, intent, outcome, reason "
            "FROM audit_log"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_audit_log_kinds")
        op.execute("DROP STATISTICS IF EXISTS st_audit_log_hour")
    op.drop_table("schedules")
    op.drop_index("ix_follow_alerts_follower_id_record_id_at", "follow_alerts")
    op.drop_index("ix_follow_alerts_status", "follow_alerts")
    op.drop_index("ix_follow_alerts_at", "follow_alerts")
    op.drop_table("follow_alerts")
    op.drop_index("ix_follows_kind_record_id", "follows")
    op.drop_table("follows")
    op.drop_table("answer_times")
