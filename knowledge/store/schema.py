"""The records schema: what an officer can be told about, plus users, audit and briefings.

Search keys (normalised names, phonetic codes, VRM and postcode keys) are columns written at import
time, so that fuzzy search is a handful of indexed look-ups instead of a scan.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "NAME_CHARS",
    "TEAM_CHARS",
    "Address",
    "AnswerTime",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Briefing",
    "BriefingDelivery",
    "ChatMessage",
    "ConsoleLink",
    "ConsoleSession",
    "Conversation",
    "Follow",
    "FollowAlert",
    "Incident",
    "IncidentPerson",
    "Invite",
    "Marker",
    "PendingQuestion",
    "Person",
    "PersonKey",
    "ProcessedUpdate",
    "RateEvent",
    "ReasonChoice",
    "ReasonCode",
    "Schedule",
    "StepUp",
    "User",
    "Vehicle",
    "Warrant",
]

# A user's name and team, wherever they are stored; longer values are refused or cut before a write.
NAME_CHARS, TEAM_CHARS = 120, 60

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Marker(Base):
    """One warning code of the force's vocabulary; data, so a force can add its own."""

    __tablename__ = "markers"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    applies_to: Mapped[str] = mapped_column(String(16))  # person | vehicle | address
    severity: Mapped[int] = mapped_column(Integer)  # 3 officer safety, 2 risk, 1 information


class Address(Base):
    __tablename__ = "addresses"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    line1: Mapped[str] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[str] = mapped_column(String(10))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    markers: Mapped[str] = mapped_column(String(300), default="")  # ';'-joined marker codes
    # search keys
    postcode_key: Mapped[str] = mapped_column(String(8), index=True)  # no space
    house_number: Mapped[str] = mapped_column(String(16), default="")
    street_key: Mapped[str] = mapped_column(String(120), index=True)  # normalised street name
    street_code: Mapped[str] = mapped_column(String(40), index=True)  # phonetic code of street_key

    __table_args__ = (Index("ix_addresses_lat_lon", "latitude", "longitude"),)


class Person(Base):
    __tablename__ = "persons"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    forenames: Mapped[str] = mapped_column(String(120))
    surname: Mapped[str] = mapped_column(String(120))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date, index=True)
    sex: Mapped[str] = mapped_column(String(1), default="")
    aliases: Mapped[str] = mapped_column(Text, default="")  # ';'-joined full names
    markers: Mapped[str] = mapped_column(String(300), default="")
    address_id: Mapped[str | None] = mapped_column(ForeignKey("addresses.id"), index=True)


class PersonKey(Base):
    """A blocking key for a person's name or alias: many keys per person, each indexed."""

    __tablename__ = "person_keys"
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (
        Index("ix_person_keys_person_id", "person_id"),
        {"sqlite_with_rowid": False},
    )


class Vehicle(Base):
    __tablename__ = "vehicles"
    vrm: Mapped[str] = mapped_column(String(10), primary_key=True)  # upper case, no spaces
    make: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(60))
    colour: Mapped[str] = mapped_column(String(40))
    keeper_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id"), index=True)
    markers: Mapped[str] = mapped_column(String(300), default="")


class Incident(Base):
    __tablename__ = "incidents"
    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False), index=True)
    category: Mapped[str] = mapped_column(String(60))
    address_id: Mapped[str | None] = mapped_column(ForeignKey("addresses.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")


class IncidentPerson(Base):
    __tablename__ = "incident_persons"
    incident_ref: Mapped[str] = mapped_column(
        ForeignKey("incidents.ref", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))


class Warrant(Base):
    __tablename__ = "warrants"
    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), index=True)
    offence: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    court: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12))  # ACTIVE | EXECUTED | WITHDRAWN


class User(Base):
    """An enrolled Telegram user; only active users get past the gate."""

    __tablename__ = "users"
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(NAME_CHARS), default="")
    role: Mapped[str] = mapped_column(String(16))  # officer | sergeant | admin
    team: Mapped[str] = mapped_column(String(TEAM_CHARS), default="", index=True)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | revoked
    changed_by: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # After a bare /brief: until when the user's next message is that briefing's text. Kept here, not
    # in a process's memory, because the next message may reach another bot process.
    briefing_text_due: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class StepUp(Base):
    """A user's second factor and shift: their sealed TOTP secret, and whether they are unlocked now.

    In the database, not a process's memory, so that any bot process answers any message alike: the
    last accepted time-step is the replay guard, and the recent failures count across processes.
    """

    __tablename__ = "step_up"
    telegram_id: Mapped[int] = mapped_column(
        ForeignKey("users.telegram_id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # AES-GCM nonce and ciphertext of the base32 secret (knowledge/access/authenticator.py); NULL: none.
    secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    issued_by: Mapped[str] = mapped_column(String(80), default="")
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    unlocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_step: Mapped[int | None] = mapped_column(BigInteger)  # the TOTP time-step last accepted
    # Unix times of the wrong codes of the last 15 minutes, space-separated: at most five.
    recent_failures: Mapped[str] = mapped_column(String(120), default="")
    locked_out_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Invite(Base):
    """A one-time, expiring enrolment code; only its hash is stored."""

    __tablename__ = "invites"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str] = mapped_column(String(TEAM_CHARS), default="")
    created_by: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One line of the hash-chained, keyed audit log: who asked what, and which records they were shown."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 1, 2, 3… no gaps
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)  # "tg:<id>" or "console:<os user>"
    channel: Mapped[str] = mapped_column(String(16))  # telegram | cli | briefing
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    update_id: Mapped[int | None] = mapped_column(BigInteger)
    query: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str] = mapped_column(String(24), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(24), default="")
    record_ids: Mapped[str] = mapped_column(Text, default="")  # "kind:id" joined by ' '
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # HMAC with the audit key, over the hash and the head it was appended to; NULL before the key existed.
    mac: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """The single row that serialises audit writers: whoever updates it first holds the chain."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    # The first entry written with the audit key (set once, when init-db seals the log); the key's HMAC
    # over seq, last_hash and keyed_from; and its HMAC of a constant, which tells a process whether it
    # holds the log's key whatever state the head is in. NULL until the log is sealed.
    keyed_from: Mapped[int | None] = mapped_column(Integer)
    mac: Mapped[str | None] = mapped_column(String(64))
    key_check: Mapped[str | None] = mapped_column(String(64))


class ProcessedUpdate(Base):
    """Telegram update ids already handled, so that several processes answer each update once.

    Telegram numbers updates per bot, so the key includes the bot's id: two bots may share a database.
    """

    __tablename__ = "processed_updates"
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class RateEvent(Base):
    """One counted attempt for a rate limit when no Redis is configured.

    `scope` keeps the counts apart: an enrolled user's queries, and the refusals a stranger is sent.
    """

    __tablename__ = "rate_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    scope: Mapped[str] = mapped_column(String(16), default="query", server_default="query")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_rate_events_user_at", "telegram_id", "at"),)


class Briefing(Base):
    """A sergeant's message to a team; its status is the claim that lets one worker send it."""

    __tablename__ = "briefings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[int] = mapped_column(BigInteger)
    team: Mapped[str] = mapped_column(String(60))  # "*" for all teams
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))  # draft | scheduled | sending | sent | cancelled
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    send_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The worker sending it holds a lease it renews; a crashed worker's lease lapses and another resumes.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class BriefingDelivery(Base):
    """One recipient's copy, written before and after sending so a restart resumes without repeats."""

    __tablename__ = "briefing_deliveries"
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"), primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(12))  # pending | sending | sent | failed | blocked | skipped
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    acked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class ConsoleLink(Base):
    """A one-time sign-in link to the web console for one admin; only its hash is stored."""

    __tablename__ = "console_links"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ConsoleSession(Base):
    """A signed-in console session; only the hash of its cookie is stored.

    `user_changed_at` is the admin's row as it was at sign-in: any change to that row since (a
    revocation, a demotion, even one undone) ends the session.
    """

    __tablename__ = "console_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    user_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class ReasonCode(Base):
    """One reason the force accepts for a check; data, so a force can add its own or relabel them."""

    __tablename__ = "reason_codes"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)  # upper case, as the audit stores it
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)  # the order of the buttons and of every list


class ReasonChoice(Base):
    """The reason a user last gave, and when: it covers their follow-ups for BEATLINE_REASON_MINUTES.

    In the database rather than a process's memory, because the next message may reach another process.
    """

    __tablename__ = "reason_choices"
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(16))
    chosen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PendingQuestion(Base):
    """A check held until its asker taps a reason: the button's 64 bytes carry only this row's id."""

    __tablename__ = "pending_questions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    question: Mapped[str] = mapped_column(Text, default="")  # the question as sent, or '' for a record
    record: Mapped[str] = mapped_column(String(64), default="")  # a record button's payload
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ChatMessage(Base):
    """A message in a user's private chat that Beatline may have to delete: one it sent, or the question
    one of its replies answered. It holds no text; `status` is the claim that lets one worker delete it.

    `answers` is the message (in the same chat) that this one was sent in reply to, so that the question
    behind a button's prompt goes with the record the button then shows.
    """

    __tablename__ = "chat_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    from_bot: Mapped[bool] = mapped_column(Boolean)
    shows_records: Mapped[bool] = mapped_column(Boolean)
    answers: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(12))  # kept | scheduled | deleting | deleted | failed
    delete_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # the next attempt
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("uq_chat_messages_chat_id_message_id", "chat_id", "message_id", unique=True),
        Index("ix_chat_messages_status_delete_at", "status", "delete_at"),
    )


class AnswerTime(Base):
    """How long one answer took, beside its audit entry: performance data, outside the entry's MAC."""

    __tablename__ = "answer_times"
    audit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ms: Mapped[int] = mapped_column(Integer)


class Follow(Base):
    """An officer's interest in a record: they are told when someone else checks it, until it lapses."""

    __tablename__ = "follows"
    follower_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # person | vehicle
    record_id: Mapped[str] = mapped_column(String(40), primary_key=True)  # as the audit log names it
    label: Mapped[str] = mapped_column(String(200), default="")  # the record's name when followed
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_follows_kind_record_id", "kind", "record_id"),)


class FollowAlert(Base):
    """The outbox of follow alerts: written with the check's audit entry, sent by a background sender."""

    __tablename__ = "follow_alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    follower_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200), default="")
    audit_id: Mapped[int] = mapped_column(Integer)  # the check's audit entry
    checker_actor: Mapped[str] = mapped_column(String(80))
    checker_id: Mapped[int | None] = mapped_column(BigInteger)
    checker_name: Mapped[str] = mapped_column(String(NAME_CHARS), default="")
    checker_team: Mapped[str] = mapped_column(String(TEAM_CHARS), default="")
    reason: Mapped[str] = mapped_column(String(24), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sending | sent | dropped

    __table_args__ = (
        Index("ix_follow_alerts_status", "status"),
        Index("ix_follow_alerts_follower_id_record_id_at", "follower_id", "record_id", "at"),
    )


class Schedule(Base):
    """A job that runs at set times (the weekly review digest): its next run, claimed by one process."""

    __tablename__ = "schedules"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    spec: Mapped[str] = mapped_column(String(32))  # as configured, e.g. "mon 07:00"
    next_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Conversation(Base):
    """What one user was last shown, so that "more", "the second one" or "his car" can follow it.

    Kept here, not in a process's memory, because the follow-up may reach another bot process. One row
    per user and channel, replaced by each answer; `updated_at` ages it out (answers/conversation.py).
    """

    __tablename__ = "conversations"
    actor: Mapped[str] = mapped_column(String(80), primary_key=True)  # the audit log's "tg:<id>"...
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)  # telegram | cli
    subject_kind: Mapped[str] = mapped_column(String(16), default="")  # who "he" is: asked about, picked
    subject_id: Mapped[str] = mapped_column(String(64), default="")
    last_kind: Mapped[str] = mapped_column(String(16), default="")  # the one record last shown ("more")
    last_id: Mapped[str] = mapped_column(String(64), default="")
    listed: Mapped[str] = mapped_column(Text, default="")  # the last shortlist: JSON [[kind, id], ...]
    shown: Mapped[int] = mapped_column(Integer, default=0)  # how many of it have been shown
    listed_last: Mapped[bool] = mapped_column(Boolean, default=False)  # the list came after the subject
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
