"""Run a producer to completion and read back what it aired: frame codes, audio, TS structure."""

from __future__ import annotations

import itertools
import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

import av

from retrovue.clock import Clock
from retrovue.runtime.playout.channel import BugSpec, ChannelInfo, ProducerOptions
from retrovue.runtime.playout.profiles import OutputProfile
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem
from retrovue.runtime.producer import Producer, make_producer
from retrovue.testing.media import read_frame_code
from retrovue.testing.tscheck import TsReport, check_ts

# Small, cheap and 16:9 like the test clips, so frame codes stay readable after scaling.
TEST_PROFILE = OutputProfile("test", 256, 144, video_bitrate=400_000)


@dataclass
class Aired:
    ts: bytes
    producer: Producer
    codes: list[tuple[int, int]]  # (tag, source frame index) per output frame
    audio: list[float]  # left channel, 48 kHz
    report: TsReport

    def frame_utc(self, index: int) -> datetime:
        assert self.producer.start_utc is not None
        return self.producer.frame_utc(index)


def run_producer(
    items: Sequence[TimelineItem],
    clock: Clock,
    *,
    frames: int,
    language: str | None = None,
    profile: OutputProfile = TEST_PROFILE,
    paced: bool = False,
    bug: BugSpec | None = None,
) -> Aired:
    chunks: list[bytes] = []
    channel = ChannelInfo("9", "Test Nine", profile, language, x264_preset="ultrafast", bug=bug)
    producer = make_producer(
        channel,
        ListTimeline(items),
        clock,
        chunks.append,
        options=ProducerOptions(paced=paced, max_frames=frames),
    )
    producer.start()
    producer.join(60)
    assert producer.error is None
    data = b"".join(chunks)
    codes, audio = decode(data)
    return Aired(data, producer, codes, audio, check_ts(data, fps=profile.fps, gop_s=profile.gop_s))


def decode(data: bytes) -> tuple[list[tuple[int, int]], list[float]]:
    codes: list[tuple[int, int]] = []
    with av.open(BytesIO(data), format="mpegts") as container:
        for frame in container.decode(video=0):
            codes.append(read_frame_code(frame))
    left: list[float] = []
    with av.open(BytesIO(data), format="mpegts") as container:
        for frame in container.decode(audio=0):
            samples = array("f", bytes(frame.planes[0]))[: frame.samples]
            left.extend(samples)
    return codes, left


def expected_code(item: TimelineItem, fps: float, at_utc: datetime, tag: int) -> tuple[int, int]:
    position_s = item.file_position_s(at_utc)
    return tag, math.floor(position_s * fps + 1e-6)


def dominant_hz(samples: Sequence[float], rate: int = 48000) -> float:
    """Frequency from zero crossings (the test tones are pure sines)."""
    crossings = sum(1 for a, b in itertools.pairwise(samples) if a < 0 <= b)
    return crossings * rate / max(1, len(samples))


def rms(samples: Sequence[float]) -> float:
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))
