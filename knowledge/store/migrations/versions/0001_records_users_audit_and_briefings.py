"""records, users, audit and briefings

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Also seeds the default marker vocabulary of the contract; a force adds its own codes as rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


DEFAULT_MARKERS = [
    # (code, label, applies_to, severity): 3 officer safety, 2 risk to the person or others, 1 information
    ("FIREARMS", "Firearms", "person", 3),
    ("WEAPONS", "Weapons", "person", 3),
    ("VIOLENT", "Violent", "person", 3),
    ("EXPLOSIVES", "Explosives", "person", 3),
    ("CONTAGION", "Contagion risk", "person", 2),
    ("ESCAPER", "Escaper", "person", 2),
    ("DRUGS", "Drugs", "person", 2),
    ("SELF_HARM", "Self-harm", "person", 2),
    ("SUICIDAL", "Suicidal", "person", 2),
    ("MENTAL_HEALTH", "Mental health", "person", 2),
    ("ALLEGES", "Makes allegations", "person", 1),
    ("MISSING", "Missing person", "person", 2),
    ("STOLEN", "Reported stolen", "vehicle", 3),
    ("CLONED", "Cloned plates", "vehicle", 3),
    ("ANPR_INTEREST", "ANPR interest", "vehicle", 2),
    ("NO_INSURANCE", "No insurance", "vehicle", 2),
    ("NO_MOT", "No MOT", "vehicle", 1),
    ("NO_TAX", "No tax", "vehicle", 1),
    ("FIREARMS_AT_ADDRESS", "Firearms at address", "address", 3),
    ("OFFICER_SAFETY", "Officer safety", "address", 3),
    ("DANGEROUS_DOG", "Dangerous dog", "address", 3),
    ("VULNERABLE_OCCUPANT", "Vulnerable occupant", "address", 2),
]


def upgrade() -> None:
    op.create_table(
        "addresses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("town", sa.String(length=100), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("markers", sa.String(length=300), nullable=False),
        sa.Column("postcode_key", sa.String(length=8), nullable=False),
        sa.Column("house_number", sa.String(length=16), nullable=False),
        sa.Column("street_key", sa.String(length=120), nullable=False),
        sa.Column("street_code", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
    )
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.create_index("ix_addresses_lat_lon", ["latitude", "longitude"], unique=False)
        batch_op.create_index(batch_op.f("ix_addresses_postcode_key"), ["postcode_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_addresses_street_code"), ["street_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_addresses_street_key"), ["street_key"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("update_id", sa.BigInteger(), nullable=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=24), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("record_ids", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_telegram_user_id"), ["telegram_user_id"], unique=False)

    op.create_table(
        "briefings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sender_id", sa.BigInteger(), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("progress_message_id", sa.BigInteger(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefings")),
    )
    with op.batch_alter_table("briefings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefings_created_at"), ["created_at"], unique=False)

    op.create_table(
        "invites",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_invites")),
    )
    markers = op.create_table(
        "markers",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("applies_to", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_markers")),
    )
    op.bulk_insert(
        markers,
        [{"code": c, "label": lbl, "applies_to": a, "severity": sev} for c, lbl, a, sev in DEFAULT_MARKERS],
    )
    audit_head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # The chain starts from a known genesis value, so an emptied log is still detectable.
    op.bulk_insert(audit_head, [{"id": 1, "seq": 0, "last_hash": "0" * 64}])
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processed_updates_at"), ["at"], unique=False)

    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_events")),
    )
    with op.batch_alter_table("rate_events", schema=None) as batch_op:
        batch_op.create_index("ix_rate_events_user_at", ["telegram_id", "at"], unique=False)

    op.create_table(
        "users",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("changed_by", sa.String(length=80), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_users")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_team"), ["team"], unique=False)

    op.create_table(
        "briefing_deliveries",
        sa.Column("briefing_id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["briefing_id"],
            ["briefings.id"],
            name=op.f("fk_briefing_deliveries_briefing_id_briefings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("briefing_id", "telegram_id", name=op.f("pk_briefing_deliveries")),
    )
    op.create_table(
        "incidents",
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("address_id", sa.String(length=32), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["address_id"], ["addresses.id"], name=op.f("fk_incidents_address_id_addresses")
        ),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_address_id"), ["address_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "persons",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("forenames", sa.String(length=120), nullable=False),
        sa.Column("surname", sa.String(length=120), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("markers", sa.String(length=300), nullable=False),
        sa.Column("address_id", sa.String(length=32), nullable=True),
        sa.Column("name_key", sa.String(length=240), nullable=False),
        sa.ForeignKeyConstraint(
            ["address_id"], ["addresses.id"], name=op.f("fk_persons_address_id_addresses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_address_id"), ["address_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_persons_date_of_birth"), ["date_of_birth"], unique=False)

    op.create_table(
        "incident_persons",
        sa.Column("incident_ref", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_ref"],
            ["incidents.ref"],
            name=op.f("fk_incident_persons_incident_ref_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_incident_persons_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("incident_ref", "person_id", name=op.f("pk_incident_persons")),
    )
    with op.batch_alter_table("incident_persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_persons_person_id"), ["person_id"], unique=False)

    op.create_table(
        "person_keys",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_keys_person_id_persons"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("key", "person_id", name=op.f("pk_person_keys")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("person_keys", schema=None) as batch_op:
        batch_op.create_index("ix_person_keys_person_id", ["person_id"], unique=False)

    op.create_table(
        "vehicles",
        sa.Column("vrm", sa.String(length=10), nullable=False),
        sa.Column("make", sa.String(length=60), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("colour", sa.String(length=40), nullable=False),
        sa.Column("keeper_id", sa.String(length=32), nullable=True),
        sa.Column("markers", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["keeper_id"], ["persons.id"], name=op.f("fk_vehicles_keeper_id_persons")),
        sa.PrimaryKeyConstraint("vrm", name=op.f("pk_vehicles")),
    )
    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vehicles_keeper_id"), ["keeper_id"], unique=False)

    op.create_table(
        "warrants",
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("offence", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("court", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_warrants_person_id_persons")),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_warrants")),
    )
    with op.batch_alter_table("warrants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warrants_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("warrants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warrants_person_id"))

    op.drop_table("warrants")
    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicles_keeper_id"))

    op.drop_table("vehicles")
    with op.batch_alter_table("person_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_person_keys_person_id")

    op.drop_table("person_keys")
    with op.batch_alter_table("incident_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_persons_person_id"))

    op.drop_table("incident_persons")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_date_of_birth"))
        batch_op.drop_index(batch_op.f("ix_persons_address_id"))

    op.drop_table("persons")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_incidents_address_id"))

    op.drop_table("incidents")
    op.drop_table("briefing_deliveries")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_team"))

    op.drop_table("users")
    with op.batch_alter_table("rate_events", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_events_user_at")

    op.drop_table("rate_events")
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_updates_at"))

    op.drop_table("processed_updates")
    op.drop_table("audit_head")
    op.drop_table("markers")
    op.drop_table("invites")
    with op.batch_alter_table("briefings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefings_created_at"))

    op.drop_table("briefings")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_telegram_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor"))

    op.drop_table("audit_log")
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_addresses_street_key"))
        batch_op.drop_index(batch_op.f("ix_addresses_street_code"))
        batch_op.drop_index(batch_op.f("ix_addresses_postcode_key"))
        batch_op.drop_index("ix_addresses_lat_lon")

    op.drop_table("addresses")
