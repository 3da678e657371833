"""A bot given another audit key than the log's refuses to start, rather than sign entries that fail."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.app import build_application
from bot.run import serve
from knowledge.errors import AuditUnusable
from knowledge.store.audit_key import AuditKey
from tests.support.bot import free_port, settings_for
from tests.support.fake_bot_api import FakeBotAPI


async def test_a_bot_with_another_audit_key_refuses_to_start(template_db: Path, tmp_path: Path) -> None:
    shutil.copy(template_db, tmp_path / "beatline.db")
    async with FakeBotAPI() as fake:
        settings = settings_for(
            fake, f"sqlite:///{tmp_path / 'beatline.db'}", free_port(), audit_key=AuditKey.generate()
        )
        application = build_application(settings, webhook=True)
        served = serve(application, settings, webhook=True, port=0, host="127.0.0.1", stop=asyncio.Event())
        with pytest.raises(AuditUnusable, match="not the one the audit log was sealed with"):
            await asyncio.wait_for(served, timeout=10)
        assert fake.webhook["url"] == ""  # it never took an update
