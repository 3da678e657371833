"""The allowlist on both backends."""

from __future__ import annotations

import pytest

from knowledge import users
from knowledge.db import Database
from knowledge.errors import BeatlineError
from tests.keys import AUDIT_KEY


async def test_the_last_admin_cannot_be_revoked_or_demoted(db_url: str) -> None:
    db = Database(db_url, audit_key=AUDIT_KEY)
    await users.enrol(db, 1, "admin", by="test")
    with pytest.raises(BeatlineError, match="last active admin"):
        await users.revoke(db, 1, by="test")
    with pytest.raises(BeatlineError, match="last active admin"):
        await users.enrol(db, 1, "officer", by="test")
    await users.enrol(db, 2, "admin", by="test")
    assert await users.revoke(db, 1, by="test")
    await db.dispose()
