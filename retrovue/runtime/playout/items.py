"""Which item airs next, opened ahead of its boundary, and the play-time gate on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Generic

from retrovue.errors import RetrovueError
from retrovue.runtime.playout.frameclock import FrameClock
from retrovue.runtime.playout.hooks import Operation
from retrovue.runtime.playout.play import Play, S
from retrovue.runtime.playout.timeline import FALLBACK_SLATE, Timeline, TimelineItem

log = logging.getLogger(__name__)

PREFETCH_S = 5.0

Opener = Callable[[TimelineItem, float], Callable[[], S]]


class ItemPicker(Generic[S]):
    """Reads the timeline, opens files (in ``executor``, with the engine's ``opener``) and
    applies the gate when a file is opened and again at its boundary."""

    def __init__(
        self,
        channel_number: str,
        timeline: Timeline,
        operation: Operation | None,
        executor: ThreadPoolExecutor,
        opener: Opener[S],
    ) -> None:
        self._number = channel_number
        self._timeline = timeline
        self._operation = operation
        self._executor = executor
        self._opener = opener
        self.next: Play[S] | None = None  # opened ahead of its boundary

    def items(self, at_utc: datetime) -> list[TimelineItem]:
        """The item covering ``at_utc`` and the one after (an off-air slate when unreadable)."""
        try:
            items = self._timeline.items_from(at_utc, 2)
        except RetrovueError as err:  # the schedule is unreachable: keep the channel on air
            log.warning("channel %s: timeline unavailable: %s", self._number, err)
            items = []
        if not items or not items[0].covers(at_utc):
            items = [TimelineItem(at_utc, at_utc + FALLBACK_SLATE, "slate", "Off air")]
        return items

    def covering(self, at_utc: datetime) -> TimelineItem:
        return self.items(at_utc)[0]

    def take(self, at_utc: datetime) -> Play[S]:
        """The play of the item covering ``at_utc``: the one opened ahead if it is that item."""
        item = self.covering(at_utc)
        upcoming, self.next = self.next, None
        if upcoming is not None and upcoming.item == item:
            self._recheck_gate(upcoming)
            return upcoming
        if upcoming is not None:
            upcoming.close()
        return self.open(item, item.file_position_s(at_utc))

    def open(self, item: TimelineItem, position_s: float) -> Play[S]:
        play: Play[S] = Play(item, position_s)
        if item.file_path is None:
            return play
        if self._operation is not None:
            play.refused = self._operation.refusal(item)
        if play.refused is None:
            play.future = self._executor.submit(self._opener(item, position_s))
        return play

    def prefetch(self, current: Play[S] | None, at_utc: datetime, frames: FrameClock) -> None:
        """Open the next item when the current one ends within ``PREFETCH_S``, at the file
        position of the first output frame in it."""
        if self.next is not None or current is None:
            return
        if (current.item.end_utc - at_utc).total_seconds() > PREFETCH_S:
            return
        upcoming = [i for i in self.items(current.item.end_utc) if i != current.item]
        if not upcoming:
            return
        item = upcoming[0]
        first = frames.utc(frames.first_frame_at(item.start_utc))
        self.next = self.open(item, item.file_position_s(first))

    def _recheck_gate(self, play: Play[S]) -> None:
        """The gate again at the boundary: the asset was let through when the file was opened
        ahead of time (``PREFETCH_S``); it must still be canonical and available now."""
        if play.item.file_path is None or play.refused is not None or self._operation is None:
            return
        refused = self._operation.refusal(play.item)
        if refused is not None:
            play.close()
            play.refused = refused
