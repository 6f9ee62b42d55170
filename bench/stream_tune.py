"""Tune latency: time to the first byte and to the first keyframe, RetroVue vs the ffmpeg CLI.

    /work/venv/bin/python bench/stream_tune.py [--tunes 10] [--preset veryfast] [--offset 37.3]

Each round is a cold tune: RetroVue builds a new StreamService (new producer, new encoders) and
opens a 720p channel whose programme started ``offset`` seconds ago, with the producer in a thread
(``retrovue``) and in a worker process forked from the already running fork server, as
``retrovue serve`` runs it (``retrovue-process``); the reference starts
``ffmpeg -ss OFFSET -i FILE ... -f mpegts -`` (same profile). All read the TS from the start and
stop at the first H.264 IDR. They alternate; printed: p50 and max per method.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
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
from retrovue.testing.tscheck import PACKET, check_ts


def has_idr(data: bytes) -> bool:
    usable = len(data) - len(data) % PACKET
    return bool(check_ts(data[:usable]).idr_pts)


async def tune_retrovue(
    source: Path, offset_s: float, preset: str, launcher: Launcher
) -> tuple[float, float]:
    clock = SystemClock()
    now = clock.now_utc()
    started = now - timedelta(seconds=offset_s)
    item = TimelineItem(started, started + timedelta(hours=1), "programme", "bench", str(source))
    info = ChannelInfo("1", "Bench", PROFILES["720p"], x264_preset=preset)
    service = RuntimeStreamService(
        StaticDirectory({"1": ChannelSetup(info, ListTimeline([item]))}),
        clock,
        linger_s=0,
        launcher=launcher,
    )
    begin = time.perf_counter()
    session = await service.open("1", client="bench")
    data = bytearray()
    first_byte = first_key = float("nan")
    async for chunk in session:
        if not data:
            first_byte = time.perf_counter() - begin
        data += chunk
        if has_idr(bytes(data)):
            first_key = time.perf_counter() - begin
            break
    await session.close()
    await service.close()
    return first_byte, first_key


def tune_ffmpeg(source: Path, offset_s: float, preset: str) -> tuple[float, float]:
    begin = time.perf_counter()
    process = subprocess.Popen(
        ffmpeg_transcode_args(source, offset_s=offset_s, preset=preset), stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    data = bytearray()
    first_byte = first_key = float("nan")
    while True:
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            break
        if not data:
            first_byte = time.perf_counter() - begin
        data += chunk
        if has_idr(bytes(data)):
            first_key = time.perf_counter() - begin
            break
    process.kill()
    process.wait()
    return first_byte, first_key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tunes", type=int, default=10)
    parser.add_argument("--preset", default="veryfast")
    parser.add_argument("--offset", type=float, default=37.3)
    args = parser.parse_args()
    source = source_file()
    launchers: dict[str, Launcher] = {
        "retrovue": ThreadLauncher(),
        "retrovue-process": ProcessLauncher(warm=False),
    }
    warm_up()  # retrovue serve starts the fork server when it starts
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in [*launchers, "ffmpeg"]}
    for _ in range(args.tunes):
        for name, launcher in launchers.items():
            tuned = asyncio.run(tune_retrovue(source, args.offset, args.preset, launcher))
            results[name].append(tuned)
        results["ffmpeg"].append(tune_ffmpeg(source, args.offset, args.preset))
    load = os.getloadavg()[0]
    print(f"source {source.name}, join at {args.offset} s, 720p {args.preset}, load {load:.1f}")
    for name, rows in results.items():
        bytes_s = [r[0] for r in rows]
        keys_s = [r[1] for r in rows]
        print(
            f"{name:16s} first byte p50 {statistics.median(bytes_s):.3f} s (max {max(bytes_s):.3f})"
            f"  first keyframe p50 {statistics.median(keys_s):.3f} s (max {max(keys_s):.3f})"
        )


if __name__ == "__main__":
    main()
