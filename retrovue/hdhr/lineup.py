"""The lineup: enabled channels as the tuner presents them (read-only, cached briefly)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel

HD_PROFILES = frozenset({"720p", "1080p"})
CACHE_TTL_S = 2.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LineupChannel:
    number: str  # GuideNumber
    name: str
    hd: bool
    video_codec: str = "H264"
    audio_codec: str = "AAC"


def _number_key(number: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (1 << 30, p) for p in re.split(r"[.\-]", number))


def read_lineup(database: Database) -> tuple[LineupChannel, ...]:
    """Enabled channels in guide-number order. Reads only; never writes configuration."""
    with database.transaction() as session:
        rows = session.execute(
            select(Channel.number, Channel.name, Channel.profile).where(Channel.enabled.is_(True))
        ).all()
    channels = []
    for number, name, profile in rows:
        if "_" in number:  # clients split on "_"; such a number cannot be presented
            log.warning("channel %s skipped: a GuideNumber may not contain '_'", number)
            continue
        channels.append(LineupChannel(number=number, name=name, hd=profile in HD_PROFILES))
    return tuple(sorted(channels, key=lambda c: _number_key(c.number)))


class LineupCache:
    """Serves the lineup from memory. After ``ttl_s`` the next request still gets the lineup in
    memory at once and a background read refreshes it, so no request waits for the database
    (only the very first read and an explicit :meth:`refresh` do)."""

    def __init__(
        self,
        reader: Callable[[], tuple[LineupChannel, ...]],
        clock: Clock,
        ttl_s: float = CACHE_TTL_S,
    ) -> None:
        self._reader = reader
        self._clock = clock
        self._ttl_s = ttl_s
        self._value: tuple[LineupChannel, ...] | None = None
        self._read_at_s = 0.0
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[tuple[LineupChannel, ...]] | None = None

    async def _reload(self) -> tuple[LineupChannel, ...]:
        async with self._lock:
            value = await asyncio.to_thread(self._reader)
            self._value, self._read_at_s = value, self._clock.monotonic_s()
            return value

    def _stale(self) -> bool:
        return self._clock.monotonic_s() - self._read_at_s >= self._ttl_s

    async def get(self) -> tuple[LineupChannel, ...]:
        if self._value is None:
            return await self._reload()
        if self._stale() and (self._background is None or self._background.done()):
            self._background = asyncio.ensure_future(self._reload())
            self._background.add_done_callback(_log_failure)
        return self._value

    async def refresh(self) -> tuple[LineupChannel, ...]:
        """Read the database now (a lineup scan)."""
        return await self._reload()

    def cached(self) -> tuple[LineupChannel, ...]:
        """The last lineup read (empty before the first), for synchronous callers."""
        return self._value or ()

    async def find(self, number: str) -> LineupChannel | None:
        return next((c for c in await self.get() if c.number == number), None)

    async def close(self) -> None:
        if self._background is not None:
            await asyncio.gather(self._background, return_exceptions=True)


def _log_failure(task: asyncio.Task[tuple[LineupChannel, ...]]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("lineup refresh failed: %s", task.exception())
