"""Briefings in Telegram: the commands and buttons, the delivery engine's Telegram side, the texts.

`commands` handles /brief, /briefings and the briefing buttons; `delivery` sends copies and edits
progress messages for the engine in `knowledge.briefings`; `render` writes what officers read.
"""

from handlers.briefing.commands import register

__all__ = ["register"]
