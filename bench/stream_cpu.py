"""CPU seconds per media minute for the 720p profile: RetroVue's producer vs the ffmpeg CLI.

    /work/venv/bin/python bench/stream_cpu.py [--seconds 60] [--presets ultrafast,veryfast] [--bug]

Both transcode the same ``seconds`` of the same source (1280x720 H.264 29.97 fps with B-frames,
AAC) to 1280x720 30 fps H.264 with 2 s closed GOPs and AAC stereo 48 kHz in MPEG-TS, as fast as
they can (no pacing). RetroVue runs in this process (CPU of all its threads from getrusage),
ffmpeg as a child process (CPU from wait4). The two alternate, ``--rounds`` times each.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from stream_media import ffmpeg_transcode_args, source_file

from retrovue.clock import SystemClock
from retrovue.runtime.playout.channel import BugSpec, ChannelInfo, ProducerOptions
from retrovue.runtime.playout.profiles import PROFILES
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem
from retrovue.runtime.producer import make_producer


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


BUG = BugSpec(None, "RVONE", "bottom-right", size_pct=10, opacity=0.7)


def run_retrovue(
    source: Path, seconds: float, preset: str, bug: BugSpec | None = None
) -> tuple[float, float, int]:
    clock = SystemClock()
    now = clock.now_utc()
    item = TimelineItem(now, now + timedelta(hours=1), "programme", "bench", str(source))
    sink = bytearray()
    frames = round(seconds * 30)
    producer = make_producer(
        ChannelInfo("1", "Bench", PROFILES["720p"], x264_preset=preset, bug=bug),
        ListTimeline([item]),
        clock,
        sink.extend,
        options=ProducerOptions(paced=False, max_frames=frames),
    )
    cpu, wall = cpu_self(), time.perf_counter()
    producer.start()
    producer.join()
    return cpu_self() - cpu, time.perf_counter() - wall, len(sink)


def run_ffmpeg(source: Path, seconds: float, preset: str) -> tuple[float, float, int]:
    args = ffmpeg_transcode_args(source, offset_s=0, preset=preset, duration_s=seconds)
    wall = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE)
    assert process.stdout is not None
    size = 0
    while chunk := os.read(process.stdout.fileno(), 1 << 16):
        size += len(chunk)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - wall, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--presets", default="ultrafast,veryfast")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--bug", action="store_true", help="also RetroVue with a station bug")
    args = parser.parse_args()
    source = source_file()
    minutes = args.seconds / 60
    print(f"{args.seconds:.0f} s of {source.name} -> 720p30; load {os.getloadavg()[0]:.1f}")
    for preset in args.presets.split(","):
        rows: dict[str, list[tuple[float, float, int]]] = {"retrovue": [], "ffmpeg": []}
        if args.bug:
            rows["with-bug"] = []
        for _ in range(args.rounds):
            rows["retrovue"].append(run_retrovue(source, args.seconds, preset))
            if args.bug:
                rows["with-bug"].append(run_retrovue(source, args.seconds, preset, BUG))
            rows["ffmpeg"].append(run_ffmpeg(source, args.seconds, preset))
        cpu = {name: statistics.median(r[0] for r in runs) for name, runs in rows.items()}
        for name, runs in rows.items():
            wall = statistics.median(r[1] for r in runs)
            size_mb = runs[-1][2] / 1e6
            print(
                f"{preset:9s} {name:9s} {cpu[name] / minutes:6.1f} CPU-s per media minute"
                f"  (wall {wall:.1f} s, {size_mb:.1f} MB)"
            )
        print(f"{preset:9s} ratio retrovue/ffmpeg CPU: {cpu['retrovue'] / cpu['ffmpeg']:.2f}")
        if args.bug:
            print(f"{preset:9s} ratio with bug / without: {cpu['with-bug'] / cpu['retrovue']:.3f}")


if __name__ == "__main__":
    main()
