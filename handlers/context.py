"""The typed context every Beatline handler receives: who is asking, and the long-lived services.

The gate fills `enrolment` and `caller` once per update; handlers in later groups see the same object
because PTB builds one context per update. `services` are opened in post_init and closed in post_shutdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from knowledge.access.users import Enrolment
from knowledge.store import audit
from knowledge.store.audit import Caller

if TYPE_CHECKING:
    from bot.services import Services

__all__ = ["BeatlineContext", "BotData", "context_types"]


class BotData:
    """What the application keeps for its whole life."""

    def __init__(self) -> None:
        self.services: Services | None = None


class BeatlineContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with the asker's enrolment, their audit identity and the services."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.enrolment: Enrolment | None = None  # None: a stranger, or no user at all
        self.caller = Caller(actor="", role="")

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are opened in post_init; the application was not started with it")
        return services

    @property
    def role(self) -> str:
        return self.enrolment.role if self.enrolment else ""

    async def audit(
        self, outcome: str, *, query: str, intent: str = "", record_ids: Sequence[str] = ()
    ) -> None:
        """Audit what did not go through the answer function: a refusal, an admin act, a briefing shown."""
        async with self.services.db.sessions() as session, session.begin():
            await audit.record(
                session, self.caller, query=query, intent=intent, outcome=outcome, record_ids=record_ids
            )


def context_types() -> ContextTypes[BeatlineContext, dict[Any, Any], dict[Any, Any], BotData]:
    return ContextTypes(context=BeatlineContext, bot_data=BotData)
