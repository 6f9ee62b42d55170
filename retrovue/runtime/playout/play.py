"""One timeline item being played: its file (opening in the background) or a slate."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Generic, Protocol, TypeVar

from retrovue.runtime.playout.timeline import TimelineItem


class Source(Protocol):
    """What the core needs of an engine's open file."""

    @property
    def failed(self) -> str | None: ...

    @property
    def declared_s(self) -> float | None: ...

    def fail(self, reason: str) -> None: ...

    def close(self) -> None: ...


S = TypeVar("S", bound=Source)


class Play(Generic[S]):
    def __init__(self, item: TimelineItem, first_position_s: float) -> None:
        self.item = item
        self.first_position_s = first_position_s
        self.future: Future[S] | None = None
        self.source: S | None = None
        self.begun = False  # the engine has placed the file on the output
        self.done = False  # the file's part is over: a slate for the rest of the slot
        self.cut = False  # the slot is over (a few frames early at most): the next item follows
        self.fault_counted = False
        self.refused: str | None = None  # the play-time gate's reason: a slate airs instead
        self.asrun_item: TimelineItem = item  # what the as-run log records for this play

    def ready(self) -> S | None:
        if self.source is None and self.future is not None and self.future.done():
            self.source = self.future.result()
        return self.source

    @property
    def failed(self) -> str | None:
        return self.source.failed if self.source is not None else None

    def close(self) -> None:
        if self.source is not None:
            self.source.close()
        elif self.future is not None:
            self.future.add_done_callback(_close_when_opened)


def _close_when_opened(done: Future[S]) -> None:
    if not done.cancelled() and done.exception() is None:
        done.result().close()
