"""A fake Telegram Bot API server over real HTTP, for end-to-end tests and benchmarks (see server.py)."""

from tests.support.fake_bot_api.server import DEFAULT_BOT_ID, FakeBotAPI, Recorded

__all__ = ["DEFAULT_BOT_ID", "FakeBotAPI", "Recorded"]
