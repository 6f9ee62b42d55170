"""Emergency latency: from ``retrovue director emergency`` to the emergency slate on screen.

A real SQLite station (migrated), one channel playing a generated clip through the runtime's
StreamService with one viewer reading; ``request_emergency`` is called at random moments
(then ``request_clear``), as the CLI does. The latency of one request is the as-run row's actual
start of the emergency slate (the output instant of its first frame; a client playing in real
time shows it then) minus the request's ``requested_utc``. Both launchers, threads and worker
processes, in the same run. No ffmpeg reference: the ffmpeg CLI has no director.

    /work/venv/bin/python bench/emergency_latency.py --requests 8
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
from pathlib import Path

from sqlalchemy import select

from retrovue.broadcast.director import request_clear, request_emergency
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.db.migrate import upgrade
from retrovue.db.models.broadcast import AsRun, Channel, DirectorRequest
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.isolation.launch import Launcher, ProcessLauncher, ThreadLauncher
from retrovue.runtime.onair.operation import StationOperation
from retrovue.runtime.playout.channel import ChannelInfo
from retrovue.runtime.playout.profiles import profile_named
from retrovue.runtime.playout.timeline import ListTimeline, back_to_back
from retrovue.runtime.service import RuntimeStreamService
from retrovue.testing.media import MediaSpec, make_media


def station(folder: Path, clock: SystemClock) -> tuple[Database, int]:
    database = Database(f"sqlite:///{folder / 'bench.db'}")
    upgrade(database)
    now = clock.now_utc()
    with database.transaction() as session:
        row = Channel(
            number="1", name="Bench", timezone="UTC", mode="normal", enabled=True,
            created_utc=now, updated_utc=now,
        )  # fmt: skip
        session.add(row)
        session.flush()
        return database, row.id


async def drain(session: object) -> None:
    async for _chunk in session:  # type: ignore[attr-defined]
        pass


async def measure(launcher: Launcher, folder: Path, clip: Path, requests: int) -> list[float]:
    clock = SystemClock()
    database, channel_id = station(folder, clock)
    items = back_to_back(clock.now_utc(), [(str(clip), 10.0, 0.0)] * 200, title="show")
    info = ChannelInfo("1", "Bench", profile_named("480p"), x264_preset="ultrafast")
    setup = ChannelSetup(info, ListTimeline(items), channel_id)
    operation = StationOperation(database, clock)
    service = RuntimeStreamService(
        StaticDirectory({"1": setup}), clock, operation=operation, launcher=launcher
    )
    viewer = await service.open("1", client="bench")
    reader = asyncio.create_task(drain(viewer))
    await asyncio.sleep(12.0)  # past the tune burst: the steady lead
    rng = random.Random(7)
    for _ in range(requests):
        await asyncio.sleep(rng.uniform(1.0, 2.0))
        await asyncio.to_thread(request_emergency, database, clock, "1", "Bench warning")
        await asyncio.sleep(rng.uniform(1.5, 2.5))
        await asyncio.to_thread(request_clear, database, clock, "1")
    await asyncio.sleep(2.0)
    await viewer.close()
    reader.cancel()
    await service.close()
    with database.transaction() as session:
        asked = [r.requested_utc for r in session.scalars(select(DirectorRequest))
                 if r.mode == "emergency"]  # fmt: skip
        aired = [r.actual_start_utc for r in session.scalars(select(AsRun).order_by(AsRun.id))
                 if r.title.startswith("Emergency:")]  # fmt: skip
    database.dispose()
    return [(a - q).total_seconds() for q, a in zip(sorted(asked), sorted(aired), strict=True)]


def report(name: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    print(
        f"{name:10s} requests {len(ordered):2d}  p50 {statistics.median(ordered):.3f} s  "
        f"max {ordered[-1]:.3f} s  min {ordered[0]:.3f} s"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clip = make_media(folder / "clip.mp4", MediaSpec(duration_s=10.0, width=640, height=360))
        for name, launcher in (("thread", ThreadLauncher()), ("process", ProcessLauncher())):
            run = folder / name
            run.mkdir()
            report(name, await measure(launcher, run, clip, args.requests))


if __name__ == "__main__":
    asyncio.run(main())
