"""A TCP proxy that misbehaves on demand, to put between the bot and its database.

It forwards 127.0.0.1:`port` to a target, and can be switched at any time to:

- `passing`: forward both ways, optionally adding `delay` seconds before each chunk (a slow database);
- `refusing`: stop listening, so a connection attempt is refused, and reset the open connections
  (a database that is down);
- `resetting`: accept, then reset, every connection, new and open (a database that drops its clients);
- `hanging`: accept new connections but never answer, and stop forwarding on the open ones, holding
  what was sent (a database, or a network path, that stops answering but leaves the sockets open).

Switching back to `passing` releases what a hang held, as a network path that recovers would.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Literal

from sqlalchemy.engine import make_url

__all__ = ["Mode", "TcpProxy"]

Mode = Literal["passing", "refusing", "resetting", "hanging"]


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST rather than a FIN, as a peer that crashed or a firewall does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class TcpProxy:
    """Forwards 127.0.0.1:port to target_host:target_port, until told to misbehave."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode: Mode = "passing"
        self.delay = 0.0  # seconds added before each forwarded chunk, while passing
        self.port = 0
        self.accepted = 0  # connections accepted so far, in any mode
        self._server: asyncio.Server | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._links: set[tuple[asyncio.StreamWriter, ...]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1 (the same one again after `refuse`)."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listener and every connection."""
        await self._close_listener()
        self._reset_links()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self) -> TcpProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @classmethod
    def in_front_of(cls, url: str) -> TcpProxy:
        """A proxy to the database server of this URL (PostgreSQL's port unless it names one)."""
        target = make_url(url)
        return cls(target.host or "127.0.0.1", target.port or 5432)

    def url_for(self, url: str) -> str:
        """A database URL with its host and port replaced by the proxy's."""
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    # -- faults --------------------------------------------------------------------------------

    async def passing(self, *, delay: float = 0.0) -> None:
        """Forward again (listening again if refusing); release what a hang held."""
        self.mode, self.delay = "passing", delay
        if self._server is None:
            await self.start()
        self._flowing.set()

    async def refuse(self) -> None:
        """Connection attempts are refused; open connections are reset."""
        self.mode = "refusing"
        await self._close_listener()
        self._reset_links()
        self._flowing.set()

    def reset(self) -> None:
        """Every connection, open or new, is reset."""
        self.mode = "resetting"
        self._reset_links()
        self._flowing.set()

    def hang(self) -> None:
        """Nothing more is forwarded, and new connections are accepted but never answered."""
        self.mode = "hanging"
        self._flowing.clear()

    # -- forwarding ----------------------------------------------------------------------------

    async def _close_listener(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def _reset_links(self) -> None:
        for link in list(self._links):
            for writer in link:
                _reset(writer)
        self._links.clear()

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        if self.mode == "resetting":
            _reset(writer)
            return
        await self._flowing.wait()  # a hang holds a new connection before it even reaches the target
        if self.mode != "passing":
            _reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _reset(writer)
            return
        link = (writer, up_writer)
        self._links.add(link)
        done = asyncio.Event()
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            self._spawn(self._pipe(source, sink, done.set))
        await done.wait()
        self._links.discard(link)
        for end in link:
            end.close()

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, finished: Callable[[], None]
    ) -> None:
        try:
            while data := await source.read(65536):
                await self._flowing.wait()
                if self.delay:
                    await asyncio.sleep(self.delay)
                await self._flowing.wait()
                sink.write(data)
                await sink.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            finished()
