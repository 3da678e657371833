"""The reference records API on an ephemeral port, in the test's own loop, and a faulty one in front.

`serving_records` serves a database's records as `beatline records-api` does. `FaultyRecords` stands
between the gateway and it, as a real HTTP server that forwards each request unless told to
misbehave: refuse connections, answer slowly, answer 500, send garbage, or send a wrong type.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from bot.records_api import MAX_LINE, records_api
from knowledge.records.sql_store import SqlStore
from knowledge.store.database import Database

__all__ = ["TOKEN", "FaultyRecords", "serving", "serving_records"]

TOKEN = "records-test-token"


@asynccontextmanager
async def serving(app: web.Application, tls: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """`app` on 127.0.0.1 on a free port, for as long as the block runs; its base URL."""
    runner = web.AppRunner(app, max_line_size=MAX_LINE, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
    await site.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def serving_records(
    url: str, token: str = TOKEN, tls: ssl.SSLContext | None = None
) -> AsyncIterator[str]:
    """The records of the database at `url`, served as `beatline records-api` serves them."""
    db = Database(url)
    try:
        async with serving(records_api(SqlStore(db), token=token), tls) as base:
            yield base
    finally:
        await db.dispose()


class FaultyRecords:
    """A records system that misbehaves on demand: mode is pass, 500, garbage, wrong-type, slow,
    padded (2 MB of an unknown field in every document) or huge (9 MiB of it)."""

    def __init__(self, upstream: str) -> None:
        self.upstream, self.mode, self.requests = upstream, "pass", 0
        self.seen: list[dict[str, str]] = []
        self._client: aiohttp.ClientSession | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        self.seen.append(dict(request.headers))
        if self.mode == "500":
            return web.Response(status=500, text="Internal Server Error")
        if self.mode == "garbage":
            return web.Response(
                body=b'{"PersonMatches": [{"PersonID": "P1", "Match', content_type="application/json"
            )
        if self.mode == "slow":
            await asyncio.sleep(2.5)  # well past the gateway's 1 s deadline in the tests
        assert self._client is not None
        async with self._client.get(self.upstream + request.path_qs, headers=request.headers) as upstream:
            body = await upstream.read()
        if self.mode in ("padded", "huge") and body.endswith(b"}"):  # an extra field: ignored, but big
            size = 2_000_000 if self.mode == "padded" else 9 * 1024 * 1024
            body = body[:-1] + b',"Padding":"' + b"x" * size + b'"}'
        if self.mode == "wrong-type" and upstream.status == 200:
            body = body.replace(b'"PersonSurName":"', b'"PersonSurName":7,"x":"', 1)
            body = body.replace(b'"MatchScore":', b'"MatchScore":"high","y":', 1)
        return web.Response(status=upstream.status, body=body, content_type="application/json")

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[str]:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        async with aiohttp.ClientSession() as client:
            self._client = client
            async with serving(app) as base:
                yield base
