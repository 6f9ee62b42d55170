"""A small real StreamService for tests: valid MPEG-TS at a steady pace, with a record of use."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from retrovue.clock import Clock, SystemClock
from retrovue.errors import NotFoundError, StreamError
from retrovue.testing.testsignal import PACKET_BYTES, TestSignal


@dataclass
class FakeSession:
    channel_number: str
    client: str
    clock: Clock
    chunk_s: float
    stall_after: int | None = None  # chunks before the source goes silent (None: never)
    closed: bool = False
    bytes_sent: int = 0
    _signal: TestSignal = field(default_factory=TestSignal)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        sent = 0
        while not self.closed:
            if self.stall_after is not None and sent >= self.stall_after:
                await self.clock.sleep_s(3600)
            sent += 1
            chunk = self._signal.next_chunk()
            self.bytes_sent += len(chunk)
            yield chunk
            await self.clock.sleep_s(self.chunk_s)

    async def dropped(self) -> None:
        await asyncio.Event().wait()  # a paced source never drops its viewer

    async def close(self) -> None:
        self.closed = True


@dataclass
class FakeStreamService:
    """Opens a paced test-signal session per viewer; ``broken`` channels fail to start."""

    clock: Clock = field(default_factory=SystemClock)
    chunk_s: float = 0.05
    broken: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    stall_after: int | None = None
    sessions: list[FakeSession] = field(default_factory=list)

    async def open(self, channel_number: str, *, client: str) -> FakeSession:
        if channel_number in self.missing:
            raise NotFoundError(f"channel {channel_number} has nothing scheduled")
        if channel_number in self.broken:
            raise StreamError(f"channel {channel_number} cannot start")
        session = FakeSession(
            channel_number, client, self.clock, self.chunk_s, stall_after=self.stall_after
        )
        self.sessions.append(session)
        return session

    def open_count(self) -> int:
        return sum(not s.closed for s in self.sessions)


def ts_packets(data: bytes) -> list[bytes]:
    """Split whole 188-byte packets, asserting every one starts with the sync byte."""
    usable = len(data) - len(data) % PACKET_BYTES
    packets = [data[i : i + PACKET_BYTES] for i in range(0, usable, PACKET_BYTES)]
    assert packets, "no whole TS packet received"
    assert all(p[0] == 0x47 for p in packets), "lost TS sync"
    return packets


def pids(packets: list[bytes]) -> set[int]:
    return {((p[1] & 0x1F) << 8) | p[2] for p in packets}
