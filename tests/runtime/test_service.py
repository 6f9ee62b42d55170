"""The StreamService: one producer per live channel, shared by viewers, lingering, fan-out."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest

from retrovue.clock import FakeClock, SystemClock
from retrovue.errors import NotFoundError
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.hub import Hub
from retrovue.runtime.playout.channel import ChannelInfo
from retrovue.runtime.playout.timeline import ListTimeline, back_to_back
from retrovue.runtime.service import RuntimeStreamService, ViewerSession
from retrovue.testing.tscheck import check_ts
from tests.runtime.conftest import Clip
from tests.runtime.helpers import TEST_PROFILE

LINGER_S = 15.0


class PacedFakeClock(FakeClock):
    """Schedule time and sleeps under the test's control; pacing on the real monotonic clock."""

    def __init__(self) -> None:
        super().__init__()
        self._real = SystemClock()

    def monotonic_s(self) -> float:
        return self._real.monotonic_s()


@pytest.fixture
def clock() -> PacedFakeClock:
    return PacedFakeClock()


@pytest.fixture
def service(clips: dict[str, Clip], clock: PacedFakeClock) -> RuntimeStreamService:
    items = back_to_back(
        clock.now_utc() - timedelta(seconds=1),
        [(clips["mp4"].path, 3.0, 0.0), (clips["mkv_bframes"].path, 3.0, 0.0)] * 4,
    )
    info = ChannelInfo("5", "Five", TEST_PROFILE, x264_preset="ultrafast")
    directory = StaticDirectory({"5": ChannelSetup(info, ListTimeline(items))})
    return RuntimeStreamService(directory, clock, linger_s=LINGER_S)


async def _read(session: ViewerSession, at_least_bytes: int) -> bytes:
    data = bytearray()
    async with asyncio.timeout(20):
        async for chunk in session:
            data += chunk
            if len(data) >= at_least_bytes:
                break
    return bytes(data)


async def test_viewers_share_one_producer_and_a_late_one_starts_on_a_keyframe(
    service: RuntimeStreamService,
) -> None:
    wall = SystemClock()
    asked_s = wall.monotonic_s()
    first = await service.open("5", client="a")
    channel = service.live("5")
    assert channel is not None
    tables = await _read(first, 1)
    tuned_s = wall.monotonic_s() - asked_s
    assert tuned_s < 5.0, f"{tuned_s:.2f} s to the first bytes"  # sanity only; see bench/
    early = tables + await _read(first, 60_000)
    second = await service.open("5", client="b")
    assert service.live("5") is channel  # the same producer
    late, more = await asyncio.gather(_read(second, 60_000), _read(first, 60_000))
    for data in (early + more, late):
        whole = data[: len(data) - len(data) % 188]
        report = check_ts(whole, fps=TEST_PROFILE.fps, gop_s=TEST_PROFILE.gop_s)
        assert report.errors == []
        assert report.idr_pts, "no keyframe"
    assert check_ts(late[: 188 * 40]).video_pid == 0x100  # fresh PAT/PMT at the join
    (stats,) = service.channel_stats()
    assert (stats.number, stats.viewers, stats.faults) == ("5", 2, 0)
    assert stats.bytes_sent >= len(early + more)
    assert stats.speed > 0
    await first.close()
    await second.close()
    await service.close()


async def test_last_viewer_leaving_stops_the_producer_after_the_linger(
    service: RuntimeStreamService, clock: PacedFakeClock
) -> None:
    session = await service.open("5", client="a")
    await _read(session, 10_000)
    channel = service.live("5")
    assert channel is not None
    await session.close()
    await asyncio.sleep(0.1)
    assert service.live("5") is channel
    assert channel.producer.running
    back = await service.open("5", client="a-again")  # back within the linger: same producer
    assert service.live("5") is channel
    await back.close()
    await asyncio.sleep(0.1)  # the linger timer starts sleeping
    clock.advance(LINGER_S + 1)
    async with asyncio.timeout(10):
        await channel.stopped.wait()
        while channel.producer.running:
            await asyncio.sleep(0.05)
    assert service.live("5") is None
    fresh = await service.open("5", client="c")  # a new producer starts on demand
    assert service.live("5") is not channel
    assert len(await _read(fresh, 5_000)) >= 5_000
    await fresh.close()
    await service.close()


async def test_an_unknown_channel_is_not_found(service: RuntimeStreamService) -> None:
    with pytest.raises(NotFoundError):
        await service.open("404", client="x")
    assert service.live("404") is None


async def test_a_slow_viewer_is_dropped_without_holding_back_the_others() -> None:
    hub = Hub(asyncio.get_running_loop(), viewer_bytes=5 * 188)
    fast, slow = hub.add_viewer("fast"), hub.add_viewer("slow")
    received: list[bytes] = []

    async def read_fast() -> None:
        async for chunk in fast.chunks():
            received.append(chunk)

    reader = asyncio.create_task(read_fast())

    def produce() -> None:
        pause = threading.Event()
        for index in range(50):
            hub.publish(bytes([index]) * 188)
            pause.wait(0.005)  # a steady stream: the fast reader keeps up
        hub.finish()

    producer = threading.Thread(target=produce)
    producer.start()
    async with asyncio.timeout(10):
        await reader
    producer.join(5)
    assert len(received) == 50
    assert slow.ended
    assert slow not in hub.viewers
    leftovers = [chunk async for chunk in slow.chunks()]
    assert len(leftovers) <= 5


async def test_tune_and_untune_leaves_no_threads_behind(service: RuntimeStreamService) -> None:
    def runtime_threads() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name.startswith(("producer-", "open-"))]

    async def settle() -> None:
        async with asyncio.timeout(10):
            while runtime_threads():
                await asyncio.sleep(0.05)

    await settle()  # helper threads of earlier tests wind down
    for round_index in range(3):
        session = await service.open("5", client=f"cycle {round_index}")
        await _read(session, 2_000)
        await session.close()
        await service.close()
    await settle()
    assert runtime_threads() == []
    assert service.live("5") is None
