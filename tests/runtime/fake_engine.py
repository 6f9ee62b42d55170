"""A fake engine for the playout core: no PyAV, it records what the core asked it to air.

Files are described by :class:`FakeFile` (how long the pictures last, the duration the container
declares, a failure when opened); one step is one output frame, as with the encoder.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

from retrovue.clock import FakeClock
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.core import Playout
from retrovue.runtime.playout.engine import FileEnded, Slate
from retrovue.runtime.playout.frameclock import FrameClock
from retrovue.runtime.playout.hooks import FinalStatus, ItemHooks
from retrovue.runtime.playout.modes import NORMAL, DirectorState
from retrovue.runtime.playout.play import Play
from retrovue.runtime.playout.profiles import OutputProfile
from retrovue.runtime.playout.timeline import ListTimeline, Timeline, TimelineItem

FPS = 10
CHANNEL = ChannelInfo("7", "Seven", OutputProfile("fake", 64, 36, fps=FPS))


@dataclass(frozen=True)
class FakeFile:
    length_s: float = 3600.0  # pictures up to this file position
    declared_s: float | None = 3600.0
    open_error: str | None = None


class FakeSource:
    def __init__(self, file: FakeFile, position_s: float) -> None:
        self.file = file
        self.opened_at_s = position_s
        self.failed: str | None = file.open_error
        self.declared_s = file.declared_s
        self.closed = False

    def fail(self, reason: str) -> None:
        self.failed = self.failed or reason

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeEngine:
    files: Mapping[str, FakeFile]
    rate: Fraction = Fraction(FPS)
    frames_out: int = 0
    steps: list[tuple[str, str, float]] = field(default_factory=list)  # (what, title, position)
    opened: list[tuple[str, float]] = field(default_factory=list)  # (path, position)
    output: None = None
    output_broken: bool = False
    finished: bool | None = None
    released: bool = False
    cut_before_end_frames: int = 0  # like stream copy: end each item this many frames early
    open_gate: threading.Event | None = None  # when given: opening a file waits for it
    on_open: Callable[[], None] | None = None  # called as a file starts opening

    def start(self) -> None:
        self.steps.clear()

    def opener(self, item: TimelineItem, position_s: float) -> Callable[[], FakeSource]:
        assert item.file_path is not None
        path = item.file_path
        self.opened.append((path, round(position_s, 3)))

        def open_file() -> FakeSource:
            if self.on_open is not None:
                self.on_open()
            if self.open_gate is not None:
                self.open_gate.wait(5)
            return FakeSource(self.files.get(path, FakeFile(open_error="missing")), position_s)

        return open_file

    def play(
        self, play: Play[FakeSource], source: FakeSource, at_utc: datetime, clock: FrameClock
    ) -> FileEnded | None:
        play.begun = True
        position_s = play.item.file_position_s(at_utc)
        if position_s >= source.file.length_s:
            return FileEnded(position_s)
        end_frame = clock.first_frame_at(play.item.end_utc) - self.cut_before_end_frames
        if self.frames_out >= end_frame:
            play.done = play.cut = True  # the slot is over: the next step starts the next item
            return None
        self.steps.append(("file", play.item.title, round(position_s, 3)))
        self.frames_out += 1
        return None

    def slate(self, slate: Slate) -> None:
        self.steps.append((slate.kind, " / ".join(slate.lines), 0.0))
        self.frames_out += 1

    def finish(self, *, flush: bool) -> None:
        self.finished = flush

    def abort(self) -> None:
        self.finished = False

    def release(self) -> None:
        self.released = True


@dataclass
class Recorded:
    """Every as-run call: ("start"|"finish", title, seconds after the start, status, error)."""

    start_utc: datetime
    calls: list[tuple[str, str, float, str, str | None]] = field(default_factory=list)

    def item_started(self, item: TimelineItem, at_utc: datetime, file_offset_ms: int) -> None:
        self.calls.append(("start", item.title, self._s(at_utc), str(file_offset_ms), None))

    def item_finished(
        self, item: TimelineItem, at_utc: datetime, status: FinalStatus, error: str | None
    ) -> None:
        self.calls.append(("finish", item.title, self._s(at_utc), status, error))

    def _s(self, at_utc: datetime) -> float:
        return round((at_utc - self.start_utc).total_seconds(), 3)


class FakeOperation:
    """Director modes by output frame, and a gate that refuses the titles in ``refused``."""

    def __init__(self, hooks: ItemHooks, frames: Callable[[], int]) -> None:
        self._hooks = hooks
        self._frames = frames
        self.refused: set[str] = set()
        self.modes: list[tuple[int, int, DirectorState]] = []  # (first frame, last frame, mode)

    @property
    def hooks(self) -> ItemHooks:
        return self._hooks

    def state(self) -> DirectorState:
        frame = self._frames()
        for first, last, state in self.modes:
            if first <= frame < last:
                return state
        return NORMAL

    def refusal(self, item: TimelineItem) -> str | None:
        return "withdrawn from the catalog" if item.title in self.refused else None


def items(
    clock: FakeClock, plan: Sequence[tuple[str | None, str, float, float]]
) -> list[TimelineItem]:
    """Back-to-back items from ``(path, title, duration_s, file offset_s)``; a gap for path ''."""
    out: list[TimelineItem] = []
    cursor = clock.now_utc()
    for number, (path, title, duration_s, offset_s) in enumerate(plan, 1):
        end = cursor + timedelta(seconds=duration_s)
        if path != "":
            kind = "programme" if path else "slate"
            out.append(
                TimelineItem(cursor, end, kind, title, path, round(offset_s * 1000), number, number)
            )
        cursor = end
    return out


def run(
    engine: FakeEngine,
    timeline: Timeline | Sequence[TimelineItem],
    clock: FakeClock,
    *,
    frames: int,
    operation: Callable[[Recorded, Callable[[], int]], FakeOperation] | None = None,
    paced: bool = False,
) -> tuple[Playout[FakeSource], Recorded, FakeOperation | None]:
    recorded = Recorded(clock.now_utc())
    if not isinstance(timeline, ListTimeline) and isinstance(timeline, Sequence):
        timeline = ListTimeline(timeline)
    fake_operation = None
    if operation is not None:
        fake_operation = operation(recorded, lambda: engine.frames_out)
    playout = Playout(
        CHANNEL, timeline, clock, engine,
        options=ProducerOptions(paced=paced, max_frames=frames),
        hooks=recorded, operation=fake_operation,
    )  # fmt: skip
    playout.start()
    playout.join(30)
    assert not playout.running
    assert playout.error is None
    return playout, recorded, fake_operation
