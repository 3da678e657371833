"""PostgreSQL connections that give up on a server that stops answering, instead of waiting forever.

A database (or a proxy, or a network path) can accept connections and then go silent: the sockets
stay open, so neither the driver nor TCP notices, and every query waits for ever. Three bounds:

- the server cancels any statement after the timeout (`statement_timeout`, which also bounds waits
  for a lock that another, stuck, client holds);
- a connection attempt is given up after the timeout;
- a connection that waits longer than that for any answer (a statement, a fetch, a commit, the pool's
  ping) is hung up: its socket is shut down, so the driver fails as it does for a dropped connection
  and SQLAlchemy discards it rather than returning it to the pool. It waits half a second more than
  the server's statement_timeout, so that a statement that is merely slow is cancelled by the server,
  which leaves the connection usable.

The last is ours because cancelling the waiting task is no good on a silent server: psycopg then sends
a cancel request over a new connection and waits for the query to end, up to 10 s more (measured:
11 s for a 1 s asyncio timeout) before it gives the connection up. A pooled connection whose ping
goes unanswered fails the checkout at once: SQLAlchemy would otherwise open a new connection in its
place, which a silent server holds for another timeout.

TCP keepalives run both ways: the client's find a server that vanished from the network while a
pooled connection sat idle; the server's find a client that vanished mid-transaction, so that the
locks it held (the audit chain's head, a user's rate-limit lock) are released within about a minute
rather than the operating system's two hours. An idle transaction is not cut short otherwise: an
audit export read slowly through a pager is idle, not gone.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Any

import psycopg
from sqlalchemy.engine import URL, Dialect, ExceptionContext

__all__ = ["Silent", "connect", "fail_fast_when_silent"]

log = logging.getLogger(__name__)

SERVER_FIRST = 0.5  # seconds the server's own statement_timeout has to arrive before we hang up

# A peer that vanished is noticed after about idle + interval * count = 60 seconds, on either side.
KEEPALIVE = {"idle": 30, "interval": 10, "count": 3}


class Silent(psycopg.OperationalError):
    """The server did not answer in time, and the connection was hung up."""


class _Answering(psycopg.AsyncConnection):
    """psycopg's connection, hanging up when the server has not answered within `answer_within` s."""

    answer_within: float  # set by connect()
    _hung_up = False

    async def wait(self, gen: Any, *args: Any, **kwargs: Any) -> Any:
        # Every exchange with the server (execute, fetch, commit, rollback) goes through wait().
        watchdog = asyncio.get_running_loop().call_later(self.answer_within, self._hang_up)
        try:
            return await super().wait(gen, *args, **kwargs)
        except psycopg.OperationalError:
            if self._hung_up:
                raise Silent(f"no answer within {self.answer_within:g} s") from None
            raise
        finally:
            watchdog.cancel()

    def _hang_up(self) -> None:
        log.warning("PostgreSQL did not answer within %g s; closing that connection", self.answer_within)
        self._hung_up = True
        try:
            with socket.socket(fileno=os.dup(self.fileno())) as sock:
                sock.shutdown(socket.SHUT_RDWR)  # the waiting read or write now fails at once
        except (OSError, psycopg.Error):
            pass  # already closed


def _options(timeout: float, given: str) -> str:
    """The server's side of the session: its statement time limit and its keepalives."""
    settings = {"statement_timeout": max(1, round(timeout * 1000))}
    settings |= {f"tcp_keepalives_{name}": value for name, value in KEEPALIVE.items()}
    ours = " ".join(f"-c {name}={value}" for name, value in settings.items())
    return f"{ours} {given}".strip()  # the URL's own options come last, and win


async def connect(dialect: Dialect, url: URL, within: float) -> psycopg.AsyncConnection:
    """A new connection with the URL's parameters and these bounds; OperationalError after `within` s."""
    _, params = dialect.create_connect_args(url)
    keepalives = {"keepalives": 1, **{f"keepalives_{name}": value for name, value in KEEPALIVE.items()}}
    params = {**keepalives, **params, "options": _options(within, params.get("options", ""))}
    # libpq's own connect_timeout counts whole seconds and at least 2.
    try:
        async with asyncio.timeout(within):
            connection = await _Answering.connect(**params)
    except TimeoutError:
        raise psycopg.errors.ConnectionTimeout(f"no connection within {within:g} s") from None
    connection.answer_within = within + SERVER_FIRST
    return connection


def fail_fast_when_silent(context: ExceptionContext) -> None:
    """SQLAlchemy's handle_error hook: an unanswered ping fails the checkout rather than reconnecting.

    The connection is discarded all the same (a checkout that fails invalidates it).
    """
    if context.is_pre_ping and isinstance(context.original_exception, Silent):
        context.is_disconnect = False
