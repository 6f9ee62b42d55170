"""200 tune/untune cycles in a process of their own, started the way a server starts, so that
its RSS is a server's: ``python -m tests.runtime_ops.cycles_run --isolation thread|process DIR``
prints one JSON line with what was left behind (``test_operation_cycles`` asserts on it)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import threading
from pathlib import Path

from retrovue.clock import FakeClock
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.isolation.launch import make_launcher
from retrovue.runtime.isolation.supervisor import NULL_PACKET
from retrovue.runtime.onair.operation import StationOperation
from retrovue.runtime.playout.channel import ChannelInfo
from retrovue.runtime.playout.profiles import OutputProfile
from retrovue.runtime.playout.timeline import ListTimeline, back_to_back
from retrovue.runtime.service import RuntimeStreamService
from retrovue.testing.databases import sqlite_database
from retrovue.testing.media import MediaSpec, make_media
from tests.runtime_ops.opskit import asrun_rows
from tests.runtime_ops.seed import add_channel

TINY = OutputProfile("tiny", 128, 72, video_bitrate=100_000)
RSS_WINDOW = 20  # RSS is compared as the median of the first and of the last 20 cycles


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


def _gone(pid: int) -> bool:
    try:
        return "zombie" in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True


async def _settle() -> None:
    async with asyncio.timeout(10):
        while _runtime_threads():
            await asyncio.sleep(0.02)


async def _cycle(service: RuntimeStreamService, index: int, pids: set[int]) -> None:
    session = await service.open("7", client=f"cycle {index}")
    live = service.live("7")
    chunks = 0
    async with asyncio.timeout(10):
        async for chunk in session:
            if chunk == NULL_PACKET:  # a worker still starting: the keep-alive, nothing on air
                continue
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


async def run(isolation: str, folder: Path, cycles: int, warm_up: int) -> dict[str, object]:
    launcher = make_launcher(isolation)  # first, as at a server's start
    clip = make_media(folder / "c.mp4", MediaSpec(duration_s=2.0, width=128, height=72))
    with sqlite_database(folder) as database:
        clock = FakeClock()
        channel_id = add_channel(database, "7", at_utc=clock.now_utc())
        items = back_to_back(clock.now_utc(), [(str(clip), 2.0, 0.0)] * 3)
        info = ChannelInfo("7", "Seven", TINY, x264_preset="ultrafast")
        directory = StaticDirectory({"7": ChannelSetup(info, ListTimeline(items), channel_id)})
        station = StationOperation(database, clock)
        service = RuntimeStreamService(
            directory, clock, linger_s=0.0, operation=station, launcher=launcher
        )
        pids: set[int] = set()
        for index in range(warm_up):
            await _cycle(service, index, pids)
        await _settle()
        station.recorder.flush()
        gc.collect()
        threads, fds = _thread_kinds(), _fds()
        samples_kb: list[int] = []  # after every cycle: one reading alone is noisy (a few %)
        for index in range(cycles):
            await _cycle(service, warm_up + index, pids)
            samples_kb.append(_rss_kb())
        await _settle()
        station.recorder.flush()
        gc.collect()
        window = max(1, min(RSS_WINDOW, cycles // 4))
        before_kb = statistics.median(samples_kb[:window])
        after_kb = statistics.median(samples_kb[-window:])
        result: dict[str, object] = {
            "runtime_threads": _runtime_threads(),
            "new_thread_kinds": sorted(_thread_kinds() - threads),
            "extra_fds": _fds() - fds,
            "rss_growth": (after_kb - before_kb) / before_kb,
            "rss_kb": [before_kb, after_kb],
            "workers": len(pids),
            "workers_alive": [pid for pid in pids if not _gone(pid)],
        }
        await service.close()
        rows = asrun_rows(database)
        result["asrun_rows"] = len(rows)
        result["asrun_statuses"] = sorted({r.status for r in rows})
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--isolation", choices=["thread", "process"], required=True)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--warm-up", type=int, default=50)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    result = asyncio.run(run(args.isolation, args.folder, args.cycles, args.warm_up))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
