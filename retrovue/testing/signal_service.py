"""A StreamService that serves the built-in test signal at a steady pace.

The station without the runtime: tests and benchmarks of the HDHomeRun side run it in place of
the producers (a steady stream that costs no encoding).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from retrovue.clock import Clock
from retrovue.testing.testsignal import PACKET_BYTES, TestSignal


class TestSignalSession:
    __test__ = False

    def __init__(self, clock: Clock, chunk_s: float, bitrate_bps: int) -> None:
        self._clock = clock
        packets = max(3, round(bitrate_bps * chunk_s / 8 / PACKET_BYTES))
        self._signal = TestSignal(chunk_s=chunk_s, packets_per_chunk=packets)
        self.closed = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        while not self.closed:
            yield self._signal.next_chunk()
            await self._clock.sleep_s(self._signal.chunk_s)

    async def dropped(self) -> None:
        await asyncio.Event().wait()  # a paced source never drops its viewer

    async def close(self) -> None:
        self.closed = True


class TestSignalService:
    __test__ = False

    def __init__(self, clock: Clock, chunk_s: float = 0.1, bitrate_bps: int = 1_000_000) -> None:
        self._clock = clock
        self._chunk_s = chunk_s
        self._bitrate_bps = bitrate_bps

    async def open(self, channel_number: str, *, client: str) -> TestSignalSession:
        return TestSignalSession(self._clock, self._chunk_s, self._bitrate_bps)
