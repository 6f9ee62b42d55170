"""A producer that dies while viewers watch is restarted at once; the viewers' streams go on
(same connections, same muxer and encoders: the TS stays continuous), new viewers tune normally,
and the as-run log finishes the interrupted item as failed and starts it again."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime
from pathlib import Path

import pytest

from retrovue.clock import FakeClock, SystemClock
from retrovue.db import Database
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.onair.operation import ChannelOperation, StationOperation
from retrovue.runtime.playout.channel import ChannelInfo
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem, back_to_back
from retrovue.runtime.service import RuntimeStreamService, ViewerSession
from retrovue.testing.media import MediaSpec, make_media
from retrovue.testing.tscheck import check_ts
from tests.runtime.helpers import TEST_PROFILE
from tests.runtime_ops.opskit import asrun_rows
from tests.runtime_ops.seed import add_channel


class PacedFakeClock(FakeClock):
    """Schedule time under the test's control; pacing on the real monotonic clock."""

    def __init__(self) -> None:
        super().__init__()
        self._real = SystemClock()

    def monotonic_s(self) -> float:
        return self._real.monotonic_s()


class DyingHooks:
    """As-run hooks that raise once, when the item titled ``victim`` starts: a producer bug."""

    def __init__(self, inner: object, victim: str, clock: SystemClock) -> None:
        self._inner = inner
        self._victim = victim
        self._clock = clock
        self.died_at_s: float | None = None

    def item_started(self, item: TimelineItem, at_utc: datetime, file_offset_ms: int) -> None:
        self._inner.item_started(item, at_utc, file_offset_ms)  # type: ignore[attr-defined]
        if item.title == self._victim and self.died_at_s is None:
            self.died_at_s = self._clock.monotonic_s()
            raise RuntimeError("injected producer failure")

    def item_finished(
        self, item: TimelineItem, at_utc: datetime, status: str, error: str | None
    ) -> None:
        self._inner.item_finished(item, at_utc, status, error)  # type: ignore[attr-defined]


class DyingStation(StationOperation):
    def __init__(self, database: Database, clock: FakeClock, victim: str) -> None:
        super().__init__(database, clock)
        self.wall = SystemClock()
        self.victim = victim
        self.dying: DyingHooks | None = None

    def for_channel(self, channel_id: int | None) -> ChannelOperation:
        normal = super().for_channel(channel_id)
        if self.dying is not None:  # only the first producer dies
            return normal
        self.dying = DyingHooks(normal.hooks, self.victim, self.wall)
        return ChannelOperation(self, channel_id, hooks=self.dying)  # type: ignore[arg-type]


async def _read(session: ViewerSession, at_least_bytes: int, arrivals: list[float]) -> bytes:
    wall = SystemClock()
    data = bytearray()
    async with asyncio.timeout(30):
        async for chunk in session:
            data += chunk
            arrivals.append(wall.monotonic_s())
            if len(data) >= at_least_bytes:
                break
    return bytes(data)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("restart-media")
    return make_media(folder / "r.mp4", MediaSpec(duration_s=2.0, width=320, height=180, tag=21))


async def test_a_dead_producer_is_restarted_without_dropping_its_viewers(
    clip: Path, sqlite_db: Database
) -> None:
    clock = PacedFakeClock()
    channel_id = add_channel(sqlite_db, "5", at_utc=clock.now_utc())
    items = back_to_back(clock.now_utc(), [(str(clip), 1.0, 0.0)] * 30, title="part")
    info = ChannelInfo("5", "Five", TEST_PROFILE, x264_preset="ultrafast")
    setup = ChannelSetup(info, ListTimeline(items), channel_id)
    station = DyingStation(sqlite_db, clock, victim="part 1")  # dies 1 s in
    service = RuntimeStreamService(StaticDirectory({"5": setup}), clock, operation=station)
    arrivals: list[float] = []
    first = await service.open("5", client="a")
    second = await service.open("5", client="b")
    channel = service.live("5")
    assert channel is not None
    before = await _read(first, 20_000, arrivals)
    async with asyncio.timeout(10):
        while channel.restarts == 0:
            await asyncio.sleep(0.02)
    assert station.dying is not None
    assert station.dying.died_at_s is not None
    after = await _read(first, 150_000, arrivals)
    late = await service.open("5", client="late")
    late_data, second_data = await asyncio.gather(
        _read(late, 60_000, []), _read(second, 200_000, [])
    )
    assert channel.restarts == 1
    assert service.live("5") is channel  # the same hub, the same viewers
    assert not channel.producer.output_broken
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert max(gaps) < 2.0, f"longest silence {max(gaps):.2f} s"
    for data in (before + after, second_data, late_data):
        whole = data[: len(data) - len(data) % 188]
        report = check_ts(whole, fps=TEST_PROFILE.fps, gop_s=TEST_PROFILE.gop_s)
        assert report.errors == []  # one continuous stream across the restart
    for session in (first, second, late):
        await session.close()
    await service.close()
    rows = asrun_rows(sqlite_db)
    victims = [r for r in rows if r.title == "part 1"]
    assert [r.status for r in victims][:1] == ["failed"]
    assert victims[0].error is not None
    assert "injected producer failure" in victims[0].error
    assert len(victims) == 2  # interrupted, then started again by the new producer
    assert victims[1].offset_ms >= 0
    assert all(r.status != "playing" for r in rows)  # shutdown finished every row
