"""Director modes in the playout core: when the channel leaves its timeline, and back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from retrovue.runtime.playout.engine import Slate
from retrovue.runtime.playout.hooks import FinalStatus, ItemHooks, Operation
from retrovue.runtime.playout.timeline import TimelineItem

log = logging.getLogger(__name__)

ModeKey = tuple[str, int | None]


class SpecialModes:
    """Follows the director's mode of one channel. ``slate`` answers the emergency or guide
    slate to air at an instant (None: play the timeline); on every change of mode the item on
    air is cut (``leave``) and the as-run log gets one row for the whole special stretch."""

    def __init__(
        self,
        channel_number: str,
        operation: Operation | None,
        hooks: ItemHooks | None,
        wall_s: Callable[[], int],
    ) -> None:
        self._number = channel_number
        self._operation = operation
        self._hooks = hooks
        self._wall_s = wall_s
        self._key: ModeKey | None = None
        self.item: TimelineItem | None = None  # the as-run row of the special stretch

    def slate(self, at_utc: datetime, leave: Callable[[datetime], TimelineItem]) -> Slate | None:
        operation = self._operation
        if operation is None:
            return None
        state = operation.state()
        key = None if state.mode == "normal" else (state.mode, state.request_id)
        if key != self._key:
            self._switch(key, state.message, at_utc, leave)
        if key is None:
            return None
        if state.mode == "emergency":
            return Slate("emergency", director=state)
        return Slate("guide", wall_s=self._wall_s())

    def _switch(
        self,
        key: ModeKey | None,
        message: str | None,
        at_utc: datetime,
        leave: Callable[[datetime], TimelineItem],
    ) -> None:
        self.finish(at_utc, "aired")
        self._key = key
        if key is None:
            log.info("channel %s: back to the schedule", self._number)
            return  # the next step opens the item airing now at its scheduled offset
        log.info("channel %s: %s mode", self._number, key[0])
        replaced = leave(at_utc)
        if self._hooks is not None:
            title = f"Emergency: {message or ''}" if key[0] == "emergency" else "Channel guide"
            self.item = TimelineItem(
                replaced.start_utc, replaced.end_utc, "slate", title[:200],
                event_id=replaced.event_id,
            )  # fmt: skip
            self._hooks.item_started(self.item, at_utc, 0)

    def finish(self, at_utc: datetime, status: FinalStatus) -> None:
        """End the special stretch's as-run row (a mode change, or the producer ending)."""
        if self.item is not None and self._hooks is not None:
            self._hooks.item_finished(self.item, at_utc, status, None)
        self.item = None
