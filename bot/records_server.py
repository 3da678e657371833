"""Running `beatline records-api`: the reference records API over this database, until interrupted."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
import sys

from aiohttp import web

from bot.records_api import MAX_LINE, records_api
from bot.settings import Settings, SettingsError
from knowledge.records.sql_store import SqlStore
from knowledge.store.database import Database

__all__ = ["serve"]

log = logging.getLogger(__name__)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(settings: Settings, *, host: str, port: int) -> int:
    """Serve until SIGINT or SIGTERM; without BEATLINE_RECORDS_TOKEN only on a loopback address."""
    if not settings.records_token and not _loopback(host):
        raise SettingsError("Set BEATLINE_RECORDS_TOKEN before serving records beyond this machine.")
    asyncio.run(_serve(settings, host, port))
    return 0


async def _serve(settings: Settings, host: str, port: int) -> None:
    db = Database(settings.database_url, timeout=settings.db_timeout)
    app = records_api(SqlStore(db), token=settings.records_token.reveal())
    runner = web.AppRunner(app, max_line_size=MAX_LINE, access_log=None)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        # The port on stdout, so a script or a test that asked for port 0 learns which one it got.
        print(f"records API listening on http://{host}:{bound}", flush=True, file=sys.stdout)
        await stop.wait()
    finally:
        await runner.cleanup()
        await db.dispose()
