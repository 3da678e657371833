"""The reason a check is made under: given with it, else carried from the asker's last one, else asked for.

Only people asking as a Telegram user (in Telegram, or `beatline ask --as`) are held to it; the console
operator at the server may omit a reason. Help, small talk and what was not understood never need one.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.access import reason_choices
from knowledge.access.reason_choices import ReasonRule
from knowledge.access.reasons import check_code, codes_sentence, reason_codes
from knowledge.access.roles import ROLES
from knowledge.answers.disclosure import Draft
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.vocabulary import Outcome
from knowledge.understanding.intents import Intent
from knowledge.understanding.reason_prefix import leading_code

__all__ = ["CHECKS", "Given", "asked_for", "given_reason", "noted", "recorded_under", "settle"]

CHECKS = frozenset({
    Intent.PERSON_CHECK, Intent.VEHICLE_CHECK, Intent.ADDRESS_CHECK, Intent.WARRANT_CHECK,
    Intent.INCIDENT_LOOKUP,
})  # fmt: skip


@dataclass(frozen=True)
class Given:
    question: str  # the text without a leading code
    code: str  # upper case, '' if none was given


async def given_reason(db: Database, text: str, reason: str) -> Given:
    """The question and the reason given with it: a leading known `CODE:` first, else `reason`.

    An unknown `reason` is a BeatlineError listing the codes; an unknown leading word is left as part
    of the question. The codes are read only when something looks like one.
    """
    prefixed = leading_code(text)
    if prefixed is None and not reason:
        return Given(text, "")
    known = await reason_codes(db)
    code = check_code(reason, known)
    if prefixed is not None and prefixed[0] in known:
        return Given(prefixed[1], prefixed[0])  # typed with the message: more particular than --reason
    return Given(text, code)


async def settle(
    db: Database, caller: Caller, code: str, intent: Intent, rule: ReasonRule, *, follows: bool = False
) -> str | None:
    """The code this request is recorded under ('' for none); None when a reason must be asked for first.

    A code given is kept for the asker's follow-ups, whatever was asked with it. A follow-up ("more",
    "2", "his car", a tapped button: `follows`) shows records as a check does, so it is held to one too.
    """
    user = caller.telegram_user_id
    if user is None or caller.role not in ROLES:
        return code  # the console operator may omit it; a stranger is refused before anything is read
    if code:
        await reason_choices.choose(db, user, code, rule)
        return code
    if intent not in CHECKS and not follows:
        return ""
    carried = await reason_choices.current(db, user, rule)
    return carried if carried or not rule.required else None


async def recorded_under(
    db: Database, caller: Caller, code: str, intent: Intent, rule: ReasonRule, *, follows: bool = False
) -> str | Draft:
    """The code to record the request under, or the `needs_reason` draft to answer it with instead."""
    settled = await settle(db, caller, code, intent, rule, follows=follows)
    return settled if settled is not None else await asked_for(db, caller, rule)


async def asked_for(db: Database, caller: Caller, rule: ReasonRule) -> Draft:
    """The `needs_reason` reply: nothing looked up, the codes listed (Telegram adds them as buttons)."""
    codes = await reason_codes(db)
    how = "Give --reason CODE" if caller.channel == "cli" else "Choose a reason"
    return Draft(
        Outcome.NEEDS_REASON,
        f"Why is this check needed? {how}: it covers your checks for the next {rule.minutes} minutes. "
        f"Or start the message with its code, e.g. 'stop: check plate AB12CDE'. "
        f"The codes: {codes_sentence(codes)}.",
    )


def noted(code: str, caller: Caller, rule: ReasonRule) -> Draft:
    """The reply to a code sent alone ('stop:'): what it covers."""
    if caller.telegram_user_id is None:
        return Draft(Outcome.ANSWERED, f"Reason {code} noted. Here a reason goes with each check: 'stop: …'.")
    covers = f"it covers your checks for the next {rule.minutes} minutes"
    return Draft(Outcome.ANSWERED, f"Reason {code} noted: {covers}.")
