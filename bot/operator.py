"""The local console operator: who `beatline` commands act as when no Telegram user is named."""

from __future__ import annotations

import getpass

from knowledge.store.audit import Caller

__all__ = ["console_caller"]


def console_caller() -> Caller:
    """The operator at this terminal: an admin, audited as console:<os user>."""
    return Caller(actor=f"console:{getpass.getuser()}", role="admin", channel="cli")
