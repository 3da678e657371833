"""Log lines never carry the token, other libraries' values, or exception messages."""

from __future__ import annotations

import logging
import sys

from bot.logs import Scrubbed

TOKEN = "424242:SECRET-token_value"


def line(name: str, msg: str, *args: object, error: BaseException | None = None) -> str:
    exc_info = None
    if error is not None:
        try:
            raise error
        except type(error):
            exc_info = sys.exc_info()
    record = logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, exc_info)
    return Scrubbed([TOKEN]).format(record)


def test_the_token_is_replaced_wherever_it_appears() -> None:
    written = line("bot.run", "Set Bot API URL: http://127.0.0.1:8081/bot%s", TOKEN)
    assert TOKEN not in written and "/bot***" in written


def test_other_libraries_keep_their_wording_but_not_their_values() -> None:
    update = ["SMITH, John"]
    written = line("telegram.ext.Updater", "Error while parsing updates! Received data was %r", update)
    assert "Error while parsing updates! Received data was '<…>'" in written and "SMITH" not in written


def test_our_own_values_are_kept() -> None:
    assert "update 7 failed: TypeError" in line("beatline.errors", "update %s failed: %s", 7, "TypeError")


def test_tracebacks_say_where_but_not_what() -> None:
    error = ValueError("SMITH, John, 03/04/1985")
    written = line("knowledge.briefings.delivery", "delivery failed", error=error)
    assert "test_logs.py" in written and "ValueError (message withheld)" in written
    assert "SMITH" not in written


def test_a_libraries_preformatted_lines_keep_only_their_first_line() -> None:
    # asyncio's handler for a task that failed unobserved: the repr carries the exception's message.
    message = "Task exception was never retrieved\nfuture: <Task exception=ValueError('SMITH, John')>"
    written = line("asyncio", message)
    assert "Task exception was never retrieved" in written and "SMITH" not in written
    assert "SMITH" not in line("somelib", ValueError("SMITH, John"))  # type: ignore[arg-type]


def test_exc_info_without_an_exception_and_a_cached_traceback() -> None:
    record = logging.LogRecord("bot.run", logging.ERROR, __file__, 1, "failed", (), (None, None, None))
    assert Scrubbed([TOKEN]).format(record).endswith("bot.run: failed")
    record.exc_text = "Traceback ...\nValueError: SMITH, John"  # as another handler's formatter left it
    assert "SMITH" not in Scrubbed([TOKEN]).format(record)
