"""What the playout core reports and consults: as-run hooks and the channel's operation."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from retrovue.runtime.playout.modes import DirectorState
from retrovue.runtime.playout.timeline import TimelineItem

FinalStatus = Literal["aired", "cut", "failed"]


class ItemHooks(Protocol):
    """Where a producer reports each item it starts and ends (the as-run log); called in the
    producer's thread."""

    def item_started(self, item: TimelineItem, at_utc: datetime, file_offset_ms: int) -> None: ...

    def item_finished(
        self, item: TimelineItem, at_utc: datetime, status: FinalStatus, error: str | None
    ) -> None: ...


class Operation(Protocol):
    """What the core consults per frame and per item (``onair.operation.ChannelOperation``)."""

    @property
    def hooks(self) -> ItemHooks | None: ...

    def state(self) -> DirectorState:
        """The director's mode now (cheap: called per output step)."""
        ...

    def refusal(self, item: TimelineItem) -> str | None:
        """Why ``item``'s asset may not air now (one line), or None when it may."""
        ...
