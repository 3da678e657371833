"""What each user was last shown, so that "more", "the second one" or "his car" can follow it.

Held in the database, not in a process's memory: with several bot processes the follow-up may reach
another one. Kept per user and channel (the audit log's actor, and telegram or cli), never shared;
it lapses `TTL` after it was last used. It is written in the same transaction as the audit entry of
the answer that showed it (`disclosure.audited`'s `remember`), so it only ever names records the
user was shown and the audit log lists.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.answers.disclosure import Disclosed, Draft, Listing, Remember
from knowledge.store.audit import Caller
from knowledge.store.database import Database, utc
from knowledge.store.schema import Conversation as Row
from knowledge.store.vocabulary import Outcome, RecordKind

__all__ = ["LISTED", "TTL", "Conversation", "recall", "remembering"]

TTL = dt.timedelta(minutes=10)  # an officer's follow-up comes within minutes; after that "he" is anyone
LISTED = 100  # records of a shortlist kept for paging: beyond that, the officer narrows the search


@dataclass(frozen=True)
class Conversation:
    """Who "he" is, the one record last shown, the last shortlist, and which came last.

    The subject is the person or vehicle last asked about or picked: "his car", "her address" and "is he
    wanted" keep it, so "is he wanted" after "who lives there" is still about him. `last` is the record
    the last answer showed, which "more" details; after a list ("listed_last") "more" is more of it.
    """

    subject: Disclosed | None = None
    listing: Listing | None = None
    listed_last: bool = False
    last: Disclosed | None = None


async def recall(db: Database, caller: Caller, now: dt.datetime) -> Conversation:
    """This user's conversation on this channel; an empty one if there is none or it has lapsed.

    Read from Beatline's own database, wherever the records come from (the conversation is bot state).
    """
    async with db.reads() as session, session.begin():
        row = await session.get(Row, (caller.actor, caller.channel))
    return _from_row(row, now)


def remembering(caller: Caller, now: dt.datetime, *, follows: bool, keeps_subject: bool = False) -> Remember:
    """What `audited` calls to keep what an answer showed; `follows` when the answer is a follow-up,
    `keeps_subject` when it is about the subject ("his car") rather than a choice of a new one.

    A new question starts a new conversation; a follow-up (or a tap on a button) keeps the list it
    picked from, so that "the third one" can come after "the second one". Answers that showed no record
    (not found, a question back, small talk) leave the conversation as it was.
    """

    async def remember(session: AsyncSession, draft: Draft) -> None:
        if draft.outcome not in (Outcome.ANSWERED, Outcome.AMBIGUOUS) or not draft.records:
            return
        before = Conversation()
        if follows:
            mine = select(Row).where(Row.actor == caller.actor, Row.channel == caller.channel)
            before = _from_row(await session.scalar(mine.with_for_update()), now)
        await _save(session, caller, _following(before, draft, keeps_subject), now)

    return remember


def _following(before: Conversation, draft: Draft, keeps_subject: bool) -> Conversation:
    listing = draft.listing
    if listing is None and draft.choices:
        listing = Listing(tuple(Disclosed(c.kind, c.id) for c in draft.choices), len(draft.choices))
    if listing is not None:  # a new list: a new question's "he" is no one until one is chosen
        return Conversation(before.subject, listing, listed_last=True, last=before.last)
    shown = draft.records[0]
    subject = before.subject if keeps_subject and before.subject else shown
    return Conversation(subject, before.listing, last=shown)


def _from_row(row: Row | None, now: dt.datetime) -> Conversation:
    if row is None or now - utc(row.updated_at) >= TTL:
        return Conversation()
    subject = Disclosed(RecordKind(row.subject_kind), row.subject_id) if row.subject_kind else None
    last = Disclosed(RecordKind(row.last_kind), row.last_id) if row.last_kind else None
    listed = tuple(
        Disclosed(RecordKind(kind), record_id) for kind, record_id in json.loads(row.listed or "[]")
    )
    listing = Listing(listed, min(row.shown, len(listed))) if listed else None
    return Conversation(subject, listing, listed_last=row.listed_last and listing is not None, last=last)


async def _save(session: AsyncSession, caller: Caller, conversation: Conversation, now: dt.datetime) -> None:
    listing = conversation.listing
    listed = [[r.kind.value, r.id] for r in listing.records[:LISTED]] if listing else []
    values = {
        "actor": caller.actor,
        "channel": caller.channel,
        "subject_kind": conversation.subject.kind.value if conversation.subject else "",
        "subject_id": conversation.subject.id if conversation.subject else "",
        "listed": json.dumps(listed, ensure_ascii=False),
        "shown": min(listing.shown, LISTED) if listing else 0,
        "listed_last": conversation.listed_last,
        "last_kind": conversation.last.kind.value if conversation.last else "",
        "last_id": conversation.last.id if conversation.last else "",
        "updated_at": now,
    }
    # One statement whichever process writes first: two answers to one user at once never collide.
    insert = postgres_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Row).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Row.actor, Row.channel],
            set_={key: statement.excluded[key] for key in values if key not in ("actor", "channel")},
        )
    )
