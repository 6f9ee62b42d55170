"""The small protocol between the playout core and an engine that makes the bytes.

The core decides, per output step, what airs: a step of a file (``Engine.play``) or a slate
(``Engine.slate``, described by a :class:`Slate` value). The engine writes it to its output and
says how far it got (``frames_out``). Files are opened ahead of time by the core's opener thread
with the work the engine hands it (``Engine.opener``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Literal, Protocol, TypeVar

from retrovue.runtime.playout.frameclock import FrameClock
from retrovue.runtime.playout.modes import DirectorState
from retrovue.runtime.playout.play import Play, Source
from retrovue.runtime.playout.timeline import TimelineItem

SlateKind = Literal["card", "black", "tuning", "fault", "emergency", "guide"]
S = TypeVar("S", bound=Source)


@dataclass(frozen=True)
class Slate:
    """A picture that is not a file: a card with text lines (slate events, gaps, the end of a
    short file), black (the first moments of a tune, as a real tuner shows), the tuning card,
    technical difficulties for ``lines[1]``, an emergency, the guide listing (page chosen by
    the wall-clock second ``wall_s``)."""

    kind: SlateKind
    lines: tuple[str, ...] = ()
    at_utc: datetime | None = None
    director: DirectorState | None = None
    wall_s: int = 0


@dataclass(frozen=True)
class FileEnded:
    """``Engine.play`` found no more pictures: the file played up to ``position_s``."""

    position_s: float


class ReusableOutput(Protocol):
    """An output a restarted producer continues (the channel closes it when none will)."""

    def close(self, *, flush: bool = True) -> None: ...


class Engine(Protocol[S]):
    @property
    def rate(self) -> Fraction:
        """Output frames per second."""
        ...

    @property
    def frames_out(self) -> int:
        """Output frames written since this producer started."""
        ...

    @property
    def output(self) -> ReusableOutput | None:
        """The open output (kept after a crash unless it was the cause), else None."""
        ...

    @property
    def output_broken(self) -> bool:
        """The output itself failed (a restart needs a new one)."""
        ...

    def start(self) -> None:
        """Open (or take over) the output; the viewers' first bytes go out now."""
        ...

    def opener(self, item: TimelineItem, position_s: float) -> Callable[[], S]:
        """The work that opens ``item``'s file at ``position_s`` (run in the opener thread)."""
        ...

    def play(
        self, play: Play[S], source: S, at_utc: datetime, clock: FrameClock
    ) -> FileEnded | None:
        """Write the next step of ``play``'s file; set ``play.cut`` when its slot is over."""
        ...

    def slate(self, slate: Slate) -> None:
        """Write the next step of ``slate``."""
        ...

    def finish(self, *, flush: bool) -> None:
        """End the stream: the loop ended cleanly (``flush``: drain the encoders) or stopped."""
        ...

    def abort(self) -> None:
        """The loop failed: close the output if it was the cause, else keep it for a restart."""
        ...

    def release(self) -> None:
        """Free what the engine holds besides its output (pictures, helper threads)."""
        ...
