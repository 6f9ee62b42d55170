"""Producers in worker processes: a segmentation fault or a hang ends that worker only; the
server keeps the viewers' connections, starts another worker, and records what happened; director
modes reach the worker; nothing is left running after the channel stops."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from retrovue.broadcast.director import request_clear, request_emergency
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.isolation.launch import ProcessLauncher
from retrovue.runtime.mpegts import psi_preamble
from retrovue.runtime.onair.operation import StationOperation
from retrovue.runtime.playout.channel import ChannelInfo
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem, back_to_back
from retrovue.runtime.service import LiveChannel, RuntimeStreamService, ViewerSession
from retrovue.testing.media import MediaSpec, make_media
from retrovue.testing.tscheck import check_ts
from tests.runtime.helpers import TEST_PROFILE
from tests.runtime_ops.opskit import asrun_rows
from tests.runtime_ops.seed import add_channel
from tests.runtime_ops.test_operation_director import _red_heads

NAME = "Five"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("worker-media")
    return make_media(folder / "w.mp4", MediaSpec(duration_s=2.0, width=320, height=180, tag=23))


def _service(database: Database, clip: Path, clock: SystemClock) -> RuntimeStreamService:
    channel_id = add_channel(database, "5", NAME, at_utc=clock.now_utc())
    start = clock.now_utc() - timedelta(seconds=0.5)
    items = back_to_back(start, [(str(clip), 1.0, 0.0)] * 120, title="part")
    info = ChannelInfo("5", NAME, TEST_PROFILE, x264_preset="ultrafast")
    setup = ChannelSetup(info, ListTimeline(items), channel_id)
    return RuntimeStreamService(
        StaticDirectory({"5": setup}),
        clock,
        operation=StationOperation(database, clock),
        launcher=ProcessLauncher(warm=False),
    )


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


def _worker_pid(channel: LiveChannel) -> int:
    pid = getattr(channel.producer, "pid", None)
    assert isinstance(pid, int)
    return pid


async def _read_across_restart(
    session: ViewerSession, channel: LiveChannel, after_bytes: int, arrivals: list[float]
) -> tuple[bytes, bytes]:
    """Read without pause (so silences are the stream's, not ours) until the channel has
    restarted its producer and ``after_bytes`` more arrived: (bytes before, bytes after)."""
    wall = SystemClock()
    data = bytearray()
    cut: int | None = None
    async with asyncio.timeout(30):
        async for chunk in session:
            data += chunk
            arrivals.append(wall.monotonic_s())
            if cut is None and channel.restarts:  # this chunk may be the new worker's first
                cut = len(data) - len(chunk)
            if cut is not None and len(data) - cut >= after_bytes:
                break
    assert cut is not None
    return bytes(data[:cut]), bytes(data[cut:])


def _new_worker_part(data: bytes) -> bytes:
    """The bytes from the last fresh PAT/PMT preamble on (a new worker's stream)."""
    at = data.rfind(psi_preamble(NAME))
    assert at >= 0, "no fresh PAT/PMT after the restart"
    part = data[at:]
    return part[: len(part) - len(part) % 188]


async def _gone(pid: int, within_s: float) -> bool:
    """The process has exited (a zombie not yet reaped by the fork server counts as gone)."""
    status = Path(f"/proc/{pid}/status")
    async with asyncio.timeout(within_s):
        while True:
            try:
                if "zombie" in status.read_text():
                    return True
            except FileNotFoundError:
                return True
            await asyncio.sleep(0.05)


async def test_a_worker_killed_by_sigsegv_is_replaced_and_its_viewers_stay(
    clip: Path, sqlite_db: Database
) -> None:
    clock = SystemClock()
    service = _service(sqlite_db, clip, clock)
    arrivals: list[float] = []
    viewer = await service.open("5", client="a")
    channel = service.live("5")
    assert channel is not None
    before = await _read(viewer, 30_000, arrivals)
    victim = _worker_pid(channel)
    assert victim != os.getpid()
    # ps/top show which channel a worker plays
    assert Path(f"/proc/{victim}/comm").read_text().strip() == "retrovue-ch5"
    os.kill(victim, signal.SIGSEGV)  # what a crash in FFmpeg or x264 does to the process
    more, after = await _read_across_restart(viewer, channel, 120_000, arrivals)
    assert channel.restarts == 1
    assert service.live("5") is channel  # same hub, same viewer connection
    assert _worker_pid(channel) != victim
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert max(gaps) < 2.0, f"longest silence {max(gaps):.2f} s"
    report = check_ts(_new_worker_part(after), fps=TEST_PROFILE.fps, gop_s=TEST_PROFILE.gop_s)
    assert report.errors == []
    assert report.video_frames > 30
    assert len(before + more) >= 30_000
    assert [s.restarts for s in service.channel_stats()] == [1]  # for /metrics
    await viewer.close()
    await service.close()
    failed = [r for r in asrun_rows(sqlite_db) if r.status == "failed"]
    assert failed, "the item on air when the worker died is not recorded as failed"
    assert failed[0].error is not None
    assert "SIGSEGV" in failed[0].error
    assert all(r.status != "playing" for r in asrun_rows(sqlite_db))


async def test_a_hung_worker_is_killed_and_replaced_while_null_packets_keep_viewers_fed(
    clip: Path, sqlite_db: Database
) -> None:
    clock = SystemClock()
    service = _service(sqlite_db, clip, clock)
    arrivals: list[float] = []
    viewer = await service.open("5", client="a")
    channel = service.live("5")
    assert channel is not None
    await _read(viewer, 30_000, arrivals)
    victim = _worker_pid(channel)
    os.kill(victim, signal.SIGSTOP)  # a native call that never returns
    _more, after = await _read_across_restart(viewer, channel, 120_000, arrivals)
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert max(gaps) < 2.0, f"longest silence {max(gaps):.2f} s"
    report = check_ts(_new_worker_part(after), fps=TEST_PROFILE.fps, gop_s=TEST_PROFILE.gop_s)
    assert report.errors == []
    await viewer.close()
    await service.close()
    assert await _gone(victim, within_s=5.0)
    errors = [r.error or "" for r in asrun_rows(sqlite_db) if r.status == "failed"]
    assert any("hung" in e for e in errors), errors


async def test_an_emergency_reaches_the_worker_and_clearing_it_resumes_programming(
    clip: Path, sqlite_db: Database
) -> None:
    clock = SystemClock()
    service = _service(sqlite_db, clip, clock)
    viewer = await service.open("5", client="a")
    channel = service.live("5")
    assert channel is not None
    data = bytearray(await _read(viewer, 20_000, []))
    await asyncio.to_thread(request_emergency, sqlite_db, clock, "5", "Storm warning")
    data += await _read(viewer, 60_000, [])
    await asyncio.to_thread(request_clear, sqlite_db, clock, "5")
    data += await _read(viewer, 100_000, [])
    await viewer.close()
    await service.close()
    whole = bytes(data[: len(data) - len(data) % 188])
    heads = _red_heads(whole)
    first_red = heads.index(True)
    assert not any(heads[:first_red])
    assert heads[-1] is False  # programming again after the clear
    rows = asrun_rows(sqlite_db)
    assert any(r.title.startswith("Emergency: Storm warning") for r in rows)


async def test_a_stopped_channel_leaves_no_worker_behind(clip: Path, sqlite_db: Database) -> None:
    clock = SystemClock()
    service = _service(sqlite_db, clip, clock)
    pids: list[int] = []
    for _ in range(5):
        viewer = await service.open("5", client="a")
        channel = service.live("5")
        assert channel is not None
        await _read(viewer, 10_000, [])
        pids.append(_worker_pid(channel))
        await viewer.close()
        await channel.stop()
    for _ in range(3):  # stopped at once, maybe before its worker has even started
        await service.open("5", client="b")
        channel = service.live("5")
        assert channel is not None
        await channel.stop()
        pid = getattr(channel.producer, "pid", None)
        if pid is not None:
            pids.append(pid)
    await service.close()
    assert len(set(pids)) == len(pids) >= 5
    for pid in pids:
        assert await _gone(pid, within_s=5.0)


class SlowStartTimeline:
    """A timeline whose first read takes ``delay_s``: a worker's cold start on a loaded machine
    (fork, imports, first database read) as seen by the server. Pickled into the worker."""

    def __init__(self, items: list[TimelineItem], delay_s: float) -> None:
        self._timeline = ListTimeline(items)
        self._delay_s = delay_s

    def items_from(self, at_utc: datetime, count: int) -> list[TimelineItem]:
        if self._delay_s:
            time.sleep(self._delay_s)
            self._delay_s = 0.0
        return self._timeline.items_from(at_utc, count)


def _slow_start_service(
    clip: Path, clock: SystemClock, delay_s: float, *, hang_s: float, start_s: float
) -> RuntimeStreamService:
    items = back_to_back(clock.now_utc(), [(str(clip), 1.0, 0.0)] * 120, title="part")
    info = ChannelInfo("5", NAME, TEST_PROFILE, x264_preset="ultrafast")
    setup = ChannelSetup(info, SlowStartTimeline(items, delay_s))
    launcher = ProcessLauncher(warm=False, hang_s=hang_s, start_s=start_s)
    return RuntimeStreamService(StaticDirectory({"5": setup}), clock, launcher=launcher)


@contextlib.contextmanager
def _cpu_load(processes: int = 2) -> Iterator[None]:
    """Busy processes (niced) for the block: the loaded machine of a cold start."""
    burn = "while True: pass"
    burners = [subprocess.Popen(["nice", sys.executable, "-c", burn]) for _ in range(processes)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


async def test_a_worker_slow_to_start_is_not_taken_for_a_hung_one(clip: Path) -> None:
    """Under load, its start takes three times the hang bound: the start-up bound applies."""
    clock = SystemClock()
    service = _slow_start_service(clip, clock, 1.5, hang_s=0.5, start_s=60.0)
    with _cpu_load():
        viewer = await service.open("5", client="a")
        channel = service.live("5")
        assert channel is not None
        data = await _read(viewer, 60_000, [])
    assert channel.restarts == 0
    assert channel.producer.error is None
    report = check_ts(_new_worker_part(data), fps=TEST_PROFILE.fps, gop_s=TEST_PROFILE.gop_s)
    assert report.errors == []
    await viewer.close()
    await service.close()


async def test_a_worker_that_never_starts_is_killed_at_the_start_up_bound(clip: Path) -> None:
    clock = SystemClock()
    service = _slow_start_service(clip, clock, 3600.0, hang_s=0.5, start_s=1.0)
    viewer = await service.open("5", client="a")
    channel = service.live("5")
    assert channel is not None
    first = channel.producer
    async with asyncio.timeout(60):  # generous: the bound is 1 s
        while first.error is None:
            await asyncio.sleep(0.05)
    assert "hung: no output since its start for" in str(first.error)
    await viewer.close()
    await service.close()
