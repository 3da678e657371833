"""What a handler's registration guarantees about its update, checked explicitly: an assert would
vanish under `python -O` and leave an AttributeError further on."""

from __future__ import annotations

from typing import TypeVar

__all__ = ["NotGuaranteed", "guaranteed"]

T = TypeVar("T")


class NotGuaranteed(RuntimeError):
    """An update lacks what its handler's filter promised: a wiring mistake of ours, reported as any error."""


def guaranteed(value: T | None, what: str) -> T:
    """The value, or NotGuaranteed naming what the update lacks."""
    if value is None:
        raise NotGuaranteed(f"the update has no {what}, which this handler's registration guarantees")
    return value
