"""200 tune/untune cycles of a real producer (smallest profile, a real file, the station's as-run
and director wired in) leave no threads, file descriptors or worker processes behind, and every
tune is in the as-run log. Memory: the aim is under 5 % RSS growth of the server. With producers
in worker processes (what ``retrovue serve`` runs) the server does no media work and meets it;
with producers in threads it grows more (native memory, the Python heap stays flat), so that
variant reports it as an expected failure with the number."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from pathlib import Path

import pytest

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.launch import Launcher, ProcessLauncher, ThreadLauncher
from retrovue.runtime.operation import StationOperation
from retrovue.runtime.producer import ChannelInfo
from retrovue.runtime.profiles import OutputProfile
from retrovue.runtime.service import RuntimeStreamService
from retrovue.runtime.timeline import ListTimeline, back_to_back
from retrovue.testing.media import MediaSpec, make_media
from tests.runtime_ops.opskit import asrun_rows
from tests.runtime_ops.seed import add_channel

CYCLES = 200
MAX_RSS_GROWTH = 0.05
WARM_UP = 50
TINY = OutputProfile("tiny", 128, 72, video_bitrate=100_000)


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _runtime_threads() -> list[str]:
    prefixes = ("producer-", "open-", "guide-listing", "worker-")
    return [t.name for t in threading.enumerate() if t.name.startswith(prefixes)]


def _thread_kinds() -> set[str]:
    """Live threads by kind (pool threads numbered by their pool count as one kind)."""
    return {t.name.rstrip("0123456789_") for t in threading.enumerate()}


async def _settle() -> None:
    async with asyncio.timeout(10):
        while _runtime_threads():
            await asyncio.sleep(0.02)


def _gone(pid: int) -> bool:
    try:
        return "zombie" in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True


@pytest.mark.parametrize("isolation", ["process", "thread"])
async def test_tune_untune_cycles_leak_nothing(
    sqlite_db: Database, tmp_path: Path, isolation: str
) -> None:
    clip = make_media(tmp_path / "c.mp4", MediaSpec(duration_s=2.0, width=128, height=72))
    clock = FakeClock()
    channel_id = add_channel(sqlite_db, "7", at_utc=clock.now_utc())
    items = back_to_back(clock.now_utc(), [(str(clip), 2.0, 0.0)] * 3)
    info = ChannelInfo("7", "Seven", TINY, x264_preset="ultrafast")
    directory = StaticDirectory({"7": ChannelSetup(info, ListTimeline(items), channel_id)})
    station = StationOperation(sqlite_db, clock)
    launcher: Launcher = ProcessLauncher(warm=False) if isolation == "process" else ThreadLauncher()
    service = RuntimeStreamService(
        directory, clock, linger_s=0.0, operation=station, launcher=launcher
    )
    pids: set[int] = set()

    async def cycle(index: int) -> None:
        session = await service.open("7", client=f"cycle {index}")
        live = service.live("7")
        chunks = 0
        async with asyncio.timeout(10):
            async for _chunk in session:
                chunks += 1
                if chunks == 2:  # the tables, then encoded output: something is on air
                    break
        pid = getattr(live.producer, "pid", None) if live is not None else None
        if pid is not None:  # a worker process (it has sent bytes, so it has started)
            pids.add(pid)
        await session.close()
        async with asyncio.timeout(10):
            while service.live("7") is not None:
                await asyncio.sleep(0.005)
        channel = service._live.pop("7", None)
        if channel is not None:
            await channel.stop()

    for index in range(WARM_UP):
        await cycle(index)
    await _settle()
    station.recorder.flush()
    gc.collect()
    threads, fds, rss_kb = _thread_kinds(), _fds(), _rss_kb()
    for index in range(CYCLES):
        await cycle(WARM_UP + index)
    await _settle()
    station.recorder.flush()
    gc.collect()
    assert _runtime_threads() == []
    assert len(pids) == (WARM_UP + CYCLES if isolation == "process" else 0)
    assert [pid for pid in pids if not _gone(pid)] == []
    assert _thread_kinds() <= threads
    assert _fds() <= fds
    growth = (_rss_kb() - rss_kb) / rss_kb
    await service.close()
    rows = asrun_rows(sqlite_db)
    assert len(rows) >= WARM_UP + CYCLES  # every tune aired something, and it was recorded
    assert all(r.status in ("aired", "cut") for r in rows)
    if isolation == "process":
        assert growth < MAX_RSS_GROWTH, f"server RSS grew {growth:.1%} over {CYCLES} cycles"
    elif growth >= MAX_RSS_GROWTH:
        # Known and open: native memory (not the Python heap: tracemalloc shows < 1 MB, no
        # object type accumulates) grows by 20-50 % over 200 cycles, with or without the
        # operation layer. Most of it is freed memory glibc keeps (a malloc_trim(0) after each
        # cycle brought it to 6-13 %); TsOutput or MediaSource alone, opened and closed 400
        # times in threads, level off. The same 200 cycles with a slate-only timeline (no file
        # opened) stay under 5 %: the growth follows the file-reading path inside a producer.
        pytest.xfail(f"RSS grew {growth:.1%} over {CYCLES} cycles (aim < 5 %)")
