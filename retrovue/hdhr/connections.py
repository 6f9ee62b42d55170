"""What one LAN client can hold of the HTTP server: connections per address and in all, accept
errors logged once in a while, malformed requests logged as one line.

Header and idle timeouts are aiohttp's keep-alive timer (``app.py``): it runs from the moment a
connection opens until a whole request has arrived, and again between requests, so a client
that sends half a request, or nothing, is closed when it fires.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

from retrovue.clock import Clock

log = logging.getLogger(__name__)

PER_CLIENT_MAX = 32  # a DVR holds a few streams and polls: far more is a broken or hostile client
FD_RESERVE = 256  # descriptors kept for the database, worker pipes, discovery and logs
REFUSAL_LOG_S = 10.0  # refusals and accept errors: one log line per this many seconds
ACCEPT_ERROR = "socket.accept() out of system resource"


def connection_limit(reserve: int = FD_RESERVE) -> int:
    """Connections the server may hold in all: the descriptor limit less a reserve."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 65536
    return max(16, int(soft) - reserve)


class RateLimitedLog:
    """One warning per ``every_s`` for a repeated event, with how often it happened."""

    def __init__(self, clock: Clock, every_s: float = REFUSAL_LOG_S) -> None:
        self._clock = clock
        self._every_s = every_s
        self._last_s: float | None = None
        self._missed = 0

    def event(self, text: str) -> bool:
        """Note one occurrence; True when it was logged."""
        now_s = self._clock.monotonic_s()
        if self._last_s is not None and now_s - self._last_s < self._every_s:
            self._missed += 1
            return False
        more = f" (and {self._missed} more like it since the last report)" if self._missed else ""
        log.warning("%s%s", text, more)
        self._last_s, self._missed = now_s, 0
        return True


class ConnectionGuard:
    """Admits a connection while its address holds fewer than ``per_client`` and the server
    fewer than ``total``; a refused one is closed at once."""

    def __init__(self, clock: Clock, *, per_client: int, total: int) -> None:
        self.per_client = per_client
        self.total = total
        self.open: Counter[str] = Counter()
        self._refusals = RateLimitedLog(clock)

    def admit(self, address: str) -> bool:
        if self.open[address] >= self.per_client:
            self._refusals.event(f"{address} holds {self.per_client} connections: more refused")
            return False
        if sum(self.open.values()) >= self.total:
            self._refusals.event(f"{self.total} connections open: {address} refused")
            return False
        self.open[address] += 1
        return True

    def release(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]

    def factory(self, inner: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        """A protocol factory for ``loop.create_server`` around aiohttp's."""
        return lambda: _Guarded(self, inner)


class _Guarded(asyncio.Protocol):
    """aiohttp's protocol, created only for an admitted connection."""

    def __init__(self, guard: ConnectionGuard, make: Callable[[], asyncio.Protocol]) -> None:
        self._guard = guard
        self._make = make
        self._inner: asyncio.Protocol | None = None
        self._address: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) and peer else "unknown"
        if not self._guard.admit(address):
            assert isinstance(transport, asyncio.Transport)
            transport.abort()
            return
        self._address = address
        self._inner = self._make()
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._inner is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._inner is not None else None

    def pause_writing(self) -> None:
        if self._inner is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner is not None:
            self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._address is not None:
            self._guard.release(self._address)
            self._address = None
        if self._inner is not None:
            self._inner.connection_lost(exc)


class AcceptErrors:
    """A loop exception handler: "out of system resource" on accept is logged once in a while
    (asyncio reports it for every retry); everything else goes to the previous handler."""

    def __init__(self, loop: asyncio.AbstractEventLoop, clock: Clock) -> None:
        self._loop = loop
        self.previous = loop.get_exception_handler()
        self._log = RateLimitedLog(clock)

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if str(context.get("message", "")).startswith(ACCEPT_ERROR):
            error = context.get("exception")
            self._log.event(f"cannot accept connections: {error or 'out of descriptors'}")
            return
        if self.previous is not None:
            self.previous(loop, context)
        else:
            loop.default_exception_handler(context)


class OneLineBadRequests(logging.Filter):
    """aiohttp logs a malformed request with its traceback; keep one line naming the problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            text = f"{record.getMessage()}: {error.code} {error.message}"
            record.msg = " ".join(text.split())[:500]
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def install_bad_request_filter() -> None:
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, OneLineBadRequests) for f in server_log.filters):
        server_log.addFilter(OneLineBadRequests())
