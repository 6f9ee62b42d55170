"""CPU seconds per media minute of the ``copy`` profile: RetroVue's copy producer vs the ffmpeg CLI.

    /work/venv/bin/python bench/stream_copy.py [--offset 10] [--rounds 3] [--item-s 30] [--tunes 8]

Source: ``stream_media.source_file()`` (150 s of 1280x720 H.264 High 29.97 fps with B-frames,
AAC stereo 48 kHz, in Matroska). Both remux the same media from ``--offset`` to the end of the
file into MPEG-TS as fast as they can (no pacing):

- ``retrovue``: a copy channel playing the file in one item (CopyProducer in this process: CPU
  of all its threads from getrusage);
- ``retrovue-cuts``: the same media as items of ``--item-s`` seconds (each a seek, a keyframe
  join and a boundary) with a 2 s gap slate between them: the cost of boundaries and slates;
- ``ffmpeg``: ``ffmpeg -ss OFFSET -i FILE -c copy -f mpegts -`` (a child process, CPU from wait4).

The three alternate, ``--rounds`` times each; medians are printed. Then ``--tunes`` paced tunes of
a copy channel joining a programme that started 37.3 s earlier: time from starting the producer
to the first byte and to the first complete IDR in the stream (the copy check, made when the
channel is looked up, is not included).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import av

sys.path.insert(0, str(Path(__file__).parent))

from stream_media import FFMPEG, source_file

from retrovue.clock import SystemClock
from retrovue.runtime.copy.check import check_copy
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.profiles import copy_profile
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem
from retrovue.runtime.producer import make_producer
from retrovue.testing.tscheck import check_ts

GAP_S = 2.0


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def duration_s(source: Path) -> float:
    with av.open(str(source)) as container:
        return float(container.duration or 0) / 1_000_000


def items_for(source: Path, offset_s: float, media_s: float, item_s: float) -> list[TimelineItem]:
    """The media from ``offset_s`` as items of ``item_s`` (gap slates between them)."""
    clock = SystemClock()
    at = clock.now_utc()
    items: list[TimelineItem] = []
    position_s = offset_s
    while position_s < offset_s + media_s - 0.5:
        length_s = min(item_s, offset_s + media_s - position_s)
        end = at + timedelta(seconds=length_s)
        offset_ms = round(position_s * 1000)
        items.append(TimelineItem(at, end, "programme", "bench", str(source), offset_ms))
        at, position_s = end + timedelta(seconds=GAP_S), position_s + length_s
    return items


def run_retrovue(source: Path, items: list[TimelineItem], frames: int) -> tuple[float, float, int]:
    verdict = check_copy([str(source)])
    assert verdict.ok, verdict.reason
    assert verdict.parameters is not None
    sink = bytearray()
    producer = make_producer(
        ChannelInfo("1", "Bench", copy_profile(verdict.parameters)),
        ListTimeline(items),
        SystemClock(),
        sink.extend,
        options=ProducerOptions(paced=False, max_frames=frames),
    )
    cpu, wall = cpu_self(), time.perf_counter()
    producer.start()
    producer.join()
    assert producer.error is None, producer.error
    return cpu_self() - cpu, time.perf_counter() - wall, len(sink)


def ffmpeg_copy_args(source: Path, offset_s: float) -> list[str]:
    return [
        FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin",
        "-ss", f"{offset_s:.3f}", "-i", str(source), "-c", "copy", "-f", "mpegts", "-",
    ]  # fmt: skip


def run_ffmpeg(source: Path, offset_s: float) -> tuple[float, float, int]:
    wall = time.perf_counter()
    process = subprocess.Popen(ffmpeg_copy_args(source, offset_s), stdout=subprocess.PIPE)
    assert process.stdout is not None
    size = 0
    while chunk := os.read(process.stdout.fileno(), 1 << 16):
        size += len(chunk)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - wall, size


def tune_once(source: Path) -> tuple[float, float]:
    verdict = check_copy([str(source)])
    assert verdict.parameters is not None
    clock = SystemClock()
    now = clock.now_utc()
    began = now - timedelta(seconds=37.3)
    item = TimelineItem(began, now + timedelta(seconds=60), "programme", "bench", str(source))
    data = bytearray()
    times: list[float] = []
    keyframe = threading.Event()

    def publish(chunk: bytes) -> None:
        times.append(time.perf_counter() - started)
        data.extend(chunk)
        whole = bytes(data[: len(data) - len(data) % 188])
        if not keyframe.is_set() and check_ts(whole).idr_pts:
            keyframe.set()

    producer = make_producer(
        ChannelInfo("1", "Bench", copy_profile(verdict.parameters)),
        ListTimeline([item]), clock, publish, options=ProducerOptions(),
    )  # fmt: skip
    started = time.perf_counter()
    producer.start()
    keyframe.wait(10)
    idr_s = times[-1]
    producer.stop()
    return times[0], idr_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offset", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--item-s", type=float, default=30.0)
    parser.add_argument("--tunes", type=int, default=8)
    args = parser.parse_args()
    source = source_file()
    media_s = duration_s(source) - args.offset
    minutes = media_s / 60
    frames = int(media_s * 30000 / 1001) - 2
    whole = items_for(source, args.offset, media_s, media_s + 1)
    cut = items_for(source, args.offset, media_s, args.item_s)
    cut_frames = frames + int(GAP_S * (len(cut) - 1) * 30000 / 1001)
    print(f"{media_s:.1f} s of {source.name} from {args.offset:.0f} s; copy to MPEG-TS")
    print("ffmpeg command:", " ".join(ffmpeg_copy_args(source, args.offset)))
    rows: dict[str, list[tuple[float, float, int]]] = {
        "retrovue": [], "retrovue-cuts": [], "ffmpeg": [],
    }  # fmt: skip
    for _ in range(args.rounds):
        rows["retrovue"].append(run_retrovue(source, whole, frames))
        rows["retrovue-cuts"].append(run_retrovue(source, cut, cut_frames))
        rows["ffmpeg"].append(run_ffmpeg(source, args.offset))
    print(f"load {os.getloadavg()[0]:.1f}; {len(cut)} items of {args.item_s:.0f} s with slates")
    for name, runs in rows.items():
        cpu = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        print(
            f"{name:14s} {cpu / minutes:5.2f} CPU-s per media minute"
            f"  (CPU {cpu:.2f} s, wall {wall:.2f} s, {runs[-1][2] / 1e6:.1f} MB)"
        )
    if args.tunes:
        tunes = [tune_once(source) for _ in range(args.tunes)]
        first, idr = [t[0] for t in tunes], [t[1] for t in tunes]
        print(
            f"tune ({args.tunes}x): first byte p50 {statistics.median(first):.3f} s "
            f"(max {max(first):.3f}); first IDR p50 {statistics.median(idr):.3f} s "
            f"(max {max(idr):.3f})"
        )


if __name__ == "__main__":
    main()
