"""What a handler's registration guarantees is checked explicitly, so it holds under `python -O` too."""

from __future__ import annotations

import pytest

from handlers.guaranteed import NotGuaranteed, guaranteed


def test_a_present_value_is_handed_back_and_a_missing_one_is_named() -> None:
    assert guaranteed("text", "text") == "text"
    assert guaranteed(0, "count") == 0  # only None is missing
    with pytest.raises(NotGuaranteed, match="the update has no button press"):
        guaranteed(None, "button press")
