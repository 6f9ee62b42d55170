"""Stream-copy test kit: files sharing one codec setup, and a copy producer run to completion."""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from io import BytesIO
from pathlib import Path

import av

from retrovue.clock import Clock
from retrovue.runtime.copy.check import check_copy
from retrovue.runtime.copy.engine import CopyEngine
from retrovue.runtime.onair.operation import ChannelOperation
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.modes import GUIDE, NORMAL, DirectorState
from retrovue.runtime.playout.profiles import CopyProfile, copy_profile
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem
from retrovue.runtime.producer import Producer, make_producer
from retrovue.runtime.slates import pictures as slates
from retrovue.testing.media import MediaSpec, make_media, read_frame_code
from retrovue.testing.tscheck import CLOCK_HZ, TsReport, check_ts

FPS = 25
FRAME_TICKS = CLOCK_HZ // FPS
GOP = 25  # a keyframe every second at most in the copy clips
# H.264 with B-frames + AAC 48 kHz stereo, 25 fps: the same setup in two containers
COPY_SPEC = MediaSpec(duration_s=4.0, width=320, height=180, max_b_frames=2, gop=GOP)


@dataclass(frozen=True)
class CopyClips:
    mp4: str
    mkv: str
    ts: str  # H.264 already in Annex B form, AAC in ADTS
    tags: dict[str, int]  # path -> tag


def make_copy_clips(folder: Path) -> CopyClips:
    made = {
        tag: str(make_media(folder / f"copy-{tag}.{ext}", replace(COPY_SPEC, tag=tag)))
        for tag, ext in ((21, "mp4"), (22, "mkv"), (23, "ts"))
    }
    return CopyClips(made[21], made[22], made[23], {path: tag for tag, path in made.items()})


def copy_channel(paths: Sequence[str]) -> ChannelInfo:
    verdict = check_copy(paths)
    assert verdict.ok, verdict.reason
    assert verdict.parameters is not None
    return ChannelInfo("8", "Copy Eight", copy_profile(verdict.parameters))


@dataclass
class CopyRun:
    ts: bytes
    producer: Producer
    report: TsReport
    frames: list[tuple[float, int, int]]  # (output seconds from the start, tag, source frame)
    audio: list[float]  # left channel
    audio_start_s: float  # output seconds of the first audio sample

    def shown_at(self, seconds: float) -> tuple[int, int]:
        """(tag, source frame) of the picture on screen ``seconds`` after the start."""
        shown = [f for f in self.frames if f[0] <= seconds + 1e-6]
        return shown[-1][1:] if shown else (-1, -1)


class ScriptedOperation(ChannelOperation):
    """No station: an emergency between two output frame counts, normal otherwise."""

    def __init__(
        self,
        first: int = -1,
        last: int = -1,
        *,
        refused: frozenset[str] = frozenset(),
        mode: str = "emergency",
    ) -> None:
        super().__init__(None, None)
        self.window = (first, last)
        self.mode = mode
        self.message = "Severe weather warning"
        self.refused = refused  # titles the play-time gate refuses
        self.frames: Callable[[], int] = lambda: 0

    def refusal(self, item: TimelineItem) -> str | None:
        return "withdrawn from the catalog" if item.title in self.refused else None

    def state(self) -> DirectorState:
        if self.window[0] <= self.frames() < self.window[1]:
            if self.mode == "guide":
                return GUIDE
            return DirectorState("emergency", self.message, request_id=1)
        return NORMAL

    def listing(self) -> slates.GuideListing:
        return slates.GuideListing(datetime(2027, 1, 1, tzinfo=UTC), "UTC", ())


def run_copy(
    channel: ChannelInfo,
    items: Sequence[TimelineItem],
    clock: Clock,
    *,
    frames: int,
    paced: bool = False,
    operation: ScriptedOperation | None = None,
    publish: Callable[[bytes], None] | None = None,
) -> CopyRun:
    chunks: list[bytes] = []

    def sink(data: bytes) -> None:
        chunks.append(data)
        if publish is not None:
            publish(data)

    producer = make_producer(
        channel,
        ListTimeline(items),
        clock,
        sink,
        options=ProducerOptions(paced=paced, max_frames=frames),
        operation=operation,
    )
    assert isinstance(producer.engine, CopyEngine)
    assert isinstance(channel.profile, CopyProfile)
    if operation is not None:
        operation.frames = lambda: producer.frames_out
    producer.start()
    producer.join(60)
    assert producer.error is None
    data = b"".join(chunks)
    shown, audio, audio_start_s = decode_copy(data)
    return CopyRun(data, producer, check_ts(data), shown, audio, audio_start_s)


def decode_copy(data: bytes) -> tuple[list[tuple[float, int, int]], list[float], float]:
    shown: list[tuple[float, int, int]] = []
    with av.open(BytesIO(data), format="mpegts") as container:
        for frame in container.decode(video=0):
            assert frame.pts is not None
            shown.append((frame.pts / CLOCK_HZ, *read_frame_code(frame)))
    first = shown[0][0]
    left: list[float] = []
    audio_start = first
    with av.open(BytesIO(data), format="mpegts") as container:
        for index, frame in enumerate(container.decode(audio=0)):
            if index == 0 and frame.pts is not None:
                audio_start = frame.pts / CLOCK_HZ
            left.extend(array("f", bytes(frame.planes[0]))[: frame.samples])
    return [(t - first, tag, n) for t, tag, n in shown], left, audio_start - first


def pts_gaps(report: TsReport) -> list[int]:
    """Frames missing between consecutive pictures (sorted PTS), where any are."""
    ordered = sorted(report.video_pts)
    return [
        (after - before) // FRAME_TICKS - 1
        for before, after in itertools.pairwise(ordered)
        if after - before != FRAME_TICKS
    ]


def item_at(items: Sequence[TimelineItem], start: datetime, seconds: float) -> TimelineItem:
    at = start + timedelta(seconds=seconds)
    return next(i for i in items if i.covers(at))


def keyframe_before(path: str, position_s: float) -> int:
    """The source frame of ``path``'s keyframe at or before ``position_s``."""
    with av.open(path) as container:
        stream = container.streams.video[0]
        origin = stream.start_time or 0
        keys = [
            round((packet.pts - origin) * stream.time_base * FPS)
            for packet in container.demux(stream)
            if packet.is_keyframe and packet.pts is not None
        ]
    frame = int(Fraction(round(position_s * 1000), 1000) * FPS)
    return max(key for key in keys if key <= frame)
