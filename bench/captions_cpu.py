"""CPU per media minute of the 720p encode with CEA-608 captions on and off.

    .venv/bin/python bench/captions_cpu.py [--seconds 30] [--rounds 3] [--preset ultrafast]

Both runs air the same ``seconds`` of the bench source (1280x720 H.264 29.97 fps, AAC) on a
720p30 channel as fast as they can; the captioned one has a sidecar with a two-line cue every
2.5 s (so 608 data is being loaded most of the time, and every picture carries an A/53 SEI).
They alternate, ``--rounds`` times each (medians). Then the caption work alone is timed on the
packets of one 30 s encode: the feed's pair per picture plus the SEI inserted into each packet.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import av
from stream_media import source_file

from retrovue.clock import SystemClock
from retrovue.runtime.captions.feed import CaptionFeed
from retrovue.runtime.captions.inserter import SeiInserter
from retrovue.runtime.playout.captions import CaptionTrack
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.profiles import PROFILES
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem
from retrovue.runtime.producer import make_producer

LINES = ("Where were you last night?", "Out by the old mill, watching the lights.")


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write_sidecar(source: Path, seconds: float) -> Path:
    path = source.with_suffix(".bench.en.srt")
    cues = []
    for index in range(int(seconds / 2.5) + 1):
        start_ms, end_ms = index * 2500 + 300, index * 2500 + 2300

        def stamp(ms: int) -> str:
            return f"00:{ms // 60000:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

        text = f"{LINES[index % 2]}\n{LINES[(index + 1) % 2]} ({index})"
        cues.append(f"{index + 1}\n{stamp(start_ms)} --> {stamp(end_ms)}\n{text}\n")
    path.write_text("\n".join(cues), encoding="utf-8")
    return path


def run(source: Path, seconds: float, preset: str, sidecar: Path | None) -> float:
    clock = SystemClock()
    now = clock.now_utc()
    item = TimelineItem(now, now + timedelta(hours=1), "programme", "bench", str(source))
    if sidecar is not None:
        item = replace(item, captions=CaptionTrack("sidecar", path=str(sidecar), language="en"))
    channel = ChannelInfo(
        "1", "Bench", PROFILES["720p"], x264_preset=preset, captions=sidecar is not None
    )
    producer = make_producer(
        channel, ListTimeline([item]), clock, bytearray().extend,
        options=ProducerOptions(paced=False, max_frames=round(seconds * 30)),
    )  # fmt: skip
    cpu = cpu_self()
    producer.start()
    producer.join()
    assert producer.error is None
    return cpu_self() - cpu


def caption_work_alone(source: Path, sidecar: Path, seconds: float) -> float:
    """Seconds of CPU per picture for the feed and the SEI insertion, on real packets."""
    packets = []
    with av.open(str(source)) as container:
        for packet in container.demux(video=0):
            if packet.pts is not None and len(packets) < seconds * 30:
                packets.append(packet)
    now = SystemClock().now_utc()
    item = TimelineItem(now, now + timedelta(hours=1), "programme", "bench", str(source),
                        captions=CaptionTrack("sidecar", path=str(sidecar)))  # fmt: skip
    feed, inserter = CaptionFeed(30), SeiInserter(30)
    feed.request(item)
    time_base = packets[0].time_base
    start = time.process_time()
    for index, packet in enumerate(packets):
        inserter.note(round(packet.pts * time_base * 30), feed.item_pair(item, index / 30))
        inserter.tag([packet])
    return (time.process_time() - start) / len(packets)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--preset", default="ultrafast")
    args = parser.parse_args()
    source = source_file()
    sidecar = write_sidecar(source, args.seconds)
    minutes = args.seconds / 60
    print(f"{args.seconds:.0f} s of {source.name} -> 720p30 {args.preset}; "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    off: list[float] = []
    on: list[float] = []
    for _ in range(args.rounds):
        off.append(run(source, args.seconds, args.preset, None))
        on.append(run(source, args.seconds, args.preset, sidecar))
    cpu_off, cpu_on = statistics.median(off), statistics.median(on)
    print(f"captions off {cpu_off / minutes:6.2f} CPU-s per media minute  {off}")
    print(f"captions on  {cpu_on / minutes:6.2f} CPU-s per media minute  {on}")
    print(f"ratio on / off: {cpu_on / cpu_off:.3f}")
    alone = caption_work_alone(source, sidecar, args.seconds)
    print(f"caption work alone: {alone * 1e6:.0f} us per picture, "
          f"{alone * 30 * 60:.3f} CPU-s per media minute")  # fmt: skip


if __name__ == "__main__":
    main()
