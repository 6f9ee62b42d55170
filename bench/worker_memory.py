"""Memory per live channel: producers in threads, in worker processes, and the ffmpeg CLI.

    /work/venv/bin/python bench/worker_memory.py [--channels 2] [--settle-s 10]

For each shape, N 720p channels (x264 ``ultrafast``, the 150 s 720p B-frame source of
``stream_media``, joined at different offsets) run paced for ``settle-s`` seconds with one
in-process reader each, then memory is read from ``/proc``:

- ``thread``: the growth of this process's RSS (the producers run in it);
- ``process``: the growth of this process's RSS, plus each worker's RSS and PSS (PSS splits the
  pages a worker shares with the fork server and its siblings, so it is the worker's real cost);
- ``ffmpeg``: each ``ffmpeg ... -f mpegts -`` process's RSS and PSS (``-re``: paced too).

Each shape runs in a fresh child interpreter so one does not inherit the other's heap.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from stream_media import ffmpeg_transcode_args, source_file

from retrovue.clock import SystemClock
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.isolation.launch import Launcher, ProcessLauncher, ThreadLauncher
from retrovue.runtime.isolation.supervisor import warm_up
from retrovue.runtime.playout.channel import ChannelInfo
from retrovue.runtime.playout.profiles import PROFILES
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem
from retrovue.runtime.service import RuntimeStreamService


def memory_mb(pid: int | str = "self") -> tuple[float, float]:
    """(RSS, PSS) of a process in MB."""
    rss = pss = float("nan")
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("Pss:"):
            pss = int(line.split()[1]) / 1024
    return rss, pss


async def drain(session: object) -> None:
    async for _chunk in session:  # type: ignore[attr-defined]
        pass


async def run_retrovue(launcher: Launcher, source: Path, count: int, settle_s: float) -> None:
    clock = SystemClock()
    now = clock.now_utc()
    setups = {}
    for index in range(count):
        started = now - timedelta(seconds=7.0 * index + 5.0)
        item = TimelineItem(started, started + timedelta(hours=1), "programme", "b", str(source))
        info = ChannelInfo(str(index), f"Bench {index}", PROFILES["720p"], x264_preset="ultrafast")
        setups[str(index)] = ChannelSetup(info, ListTimeline([item]))
    service = RuntimeStreamService(StaticDirectory(setups), clock, launcher=launcher)
    before, _ = memory_mb()
    sessions = [await service.open(number, client="bench") for number in setups]
    readers = [asyncio.create_task(drain(session)) for session in sessions]
    await asyncio.sleep(settle_s)
    server, _ = memory_mb()
    workers = []
    for number in setups:
        channel = service.live(number)
        pid = getattr(channel.producer, "pid", None) if channel is not None else None
        if pid is not None:
            workers.append(memory_mb(pid))
    line = f"server +{(server - before) / count:6.1f} MB/channel"
    if workers:
        rss = sum(w[0] for w in workers) / len(workers)
        pss = sum(w[1] for w in workers) / len(workers)
        line += f"   worker RSS {rss:6.1f} MB  PSS {pss:6.1f} MB"
    print(line, flush=True)
    for session in sessions:
        await session.close()
    for reader in readers:
        reader.cancel()
    await service.close()


def run_ffmpeg(source: Path, count: int, settle_s: float) -> None:
    processes = []
    for index in range(count):
        args = ffmpeg_transcode_args(source, offset_s=7.0 * index + 5.0, preset="ultrafast")
        args.insert(args.index("-i"), "-re")
        processes.append(subprocess.Popen(args, stdout=subprocess.DEVNULL))
    time.sleep(settle_s)
    sizes = [memory_mb(p.pid) for p in processes]
    for process in processes:
        process.kill()
        process.wait()
    rss = sum(s[0] for s in sizes) / len(sizes)
    pss = sum(s[1] for s in sizes) / len(sizes)
    print(f"ffmpeg process RSS {rss:6.1f} MB  PSS {pss:6.1f} MB", flush=True)


def child(shape: str, count: int, settle_s: float) -> None:
    source = source_file()
    if shape == "ffmpeg":
        run_ffmpeg(source, count, settle_s)
        return
    launcher: Launcher = ThreadLauncher()
    if shape == "process":
        launcher = ProcessLauncher(warm=False)
        warm_up()
    asyncio.run(run_retrovue(launcher, source, count, settle_s))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=2)
    parser.add_argument("--settle-s", type=float, default=10.0)
    parser.add_argument("--shape", choices=["thread", "process", "ffmpeg"])
    args = parser.parse_args()
    if args.shape:
        child(args.shape, args.channels, args.settle_s)
        return
    source_file()  # made once, before any shape runs
    print(f"{args.channels} channel(s), 720p ultrafast, after {args.settle_s:.0f} s")
    for shape in ("thread", "process", "ffmpeg"):
        print(f"{shape:8s}", end=" ", flush=True)
        subprocess.run(
            [sys.executable, __file__, "--shape", shape, "--channels", str(args.channels),
             "--settle-s", str(args.settle_s)],
            check=True,
        )  # fmt: skip


if __name__ == "__main__":
    main()
