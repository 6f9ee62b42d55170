"""How many real-time 720p channels this machine sustains, and the memory of a producer.

    /work/venv/bin/python bench/stream_channels.py [--counts 4,6,7,8] [--seconds 30]
                                                  [--preset ultrafast] [--source-size 640x480]

For each count N: N producers in this process, each paced at 1x (after its 1.5 s burst), each
playing the source from a different offset to 720p30; then, as the reference, N ffmpeg CLI
processes with ``-re`` doing the same transcode. A channel keeps up when it finishes no more
than 1 s after real time. Printed per N and method: the worst lag, how many kept up, and the
memory (RSS growth of this process per producer; peak RSS of each ffmpeg process).

The source (``stream_media.source_file``) is 1280x720 by default: a detailed moving test pattern,
a demanding case. ``--source-size 640x480`` makes the same kind of file in 4:3 standard
definition, what most retro programming is (pillarboxed and upscaled to 720p on output).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from stream_media import ffmpeg_transcode_args, source_file

from retrovue.clock import SystemClock
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.profiles import PROFILES
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem
from retrovue.runtime.producer import make_producer

BURST_S = ProducerOptions().burst_s  # held for the whole run (no decay), so lag is simple
KEEP_UP_S = 1.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Counter:
    def __init__(self) -> None:
        self.size = 0
        self.lock = threading.Lock()

    def add(self, chunk: bytes) -> None:
        with self.lock:
            self.size += len(chunk)


def run_retrovue(
    source: Path, count: int, seconds: float, preset: str
) -> tuple[list[float], float]:
    clock = SystemClock()
    now = clock.now_utc()
    before = rss_mb()
    producers = []
    for index in range(count):
        started = now - timedelta(seconds=7.0 * index)
        item = TimelineItem(started, started + timedelta(hours=1), "programme", "b", str(source))
        producers.append(
            make_producer(
                ChannelInfo(str(index), f"Bench {index}", PROFILES["720p"], x264_preset=preset),
                ListTimeline([item]),
                clock,
                Counter().add,
                options=ProducerOptions(max_frames=round(seconds * 30), lead_s=BURST_S),
            )
        )
    begin = time.perf_counter()
    for producer in producers:
        producer.start()
    time.sleep(seconds / 2)
    per_producer_mb = (rss_mb() - before) / count
    lags = []
    for producer in producers:
        producer.join()
        lags.append(time.perf_counter() - begin - (seconds - BURST_S))
    return lags, per_producer_mb


def run_ffmpeg(source: Path, count: int, seconds: float, preset: str) -> tuple[list[float], float]:
    begin = time.perf_counter()
    processes = []
    for index in range(count):
        args = ffmpeg_transcode_args(
            source, offset_s=7.0 * index, preset=preset, duration_s=seconds
        )
        args.insert(args.index("-i"), "-re")
        processes.append(subprocess.Popen(args, stdout=subprocess.DEVNULL))
    lags, peaks = [], []
    for process in processes:
        _, _, usage = os.wait4(process.pid, 0)
        lags.append(time.perf_counter() - begin - seconds)
        peaks.append(usage.ru_maxrss / 1024)
    return lags, max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="4,6,7,8")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--preset", default="ultrafast")
    parser.add_argument("--source-size", default="1280x720")
    args = parser.parse_args()
    source = source_file(size=args.source_size)
    print(
        f"{source.name} to 720p30 {args.preset}, {args.seconds:.0f} s per channel, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    for count in (int(c) for c in args.counts.split(",")):
        ours, mb = run_retrovue(source, count, args.seconds, args.preset)
        theirs, peak = run_ffmpeg(source, count, args.seconds, args.preset)
        for name, lags, memory in (
            ("retrovue", ours, f"RSS +{mb:.0f} MB per producer"),
            ("ffmpeg", theirs, f"peak RSS {peak:.0f} MB per process"),
        ):
            kept = sum(lag <= KEEP_UP_S for lag in lags)
            print(
                f"N={count} {name:9s} kept up {kept}/{count}  worst lag {max(lags):+.1f} s"
                f"  {memory}  (load {os.getloadavg()[0]:.1f})"
            )


if __name__ == "__main__":
    main()
