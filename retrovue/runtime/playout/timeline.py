"""What a producer plays: a timeline of items it pulls from, one channel at a time.

A :class:`Timeline` answers "which items air from ``at_utc`` on" (the first one covers ``at_utc``).
The producer never does time math of its own beyond "which output frame falls in which item".
Gaps between items are filled with slate items here, so the producer always has something to air.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from retrovue.runtime.playout.captions import CaptionTrack
from retrovue.runtime.playout.loudness import db_to_linear

ItemKind = Literal["programme", "filler", "slate"]
GAP_SLATE_TITLE = "Off air"
FALLBACK_SLATE = timedelta(minutes=5)


@dataclass(frozen=True)
class TimelineItem:
    """One thing on air from ``start_utc`` to ``end_utc``.

    ``file_path`` None means a slate. ``asset_offset_ms`` is the position in the FILE at
    ``start_utc`` (non-zero when a playlog event starts mid-file, e.g. a resumed movie).
    """

    start_utc: datetime
    end_utc: datetime
    kind: ItemKind
    title: str
    file_path: str | None = None
    asset_offset_ms: int = 0
    event_id: int | None = None
    catalog_asset_id: int | None = None
    fade_in_ms: int = 0  # the sound rises over this much after the start (back from a break)
    fade_out_ms: int = 0  # and falls over this much before the end (into a break)
    loudness_gain_db: float = 0.0  # brings the file to the channel's loudness target
    captions: CaptionTrack | None = None  # the subtitles shown as captions (channels with them)
    burn_stream: int | None = None  # the image subtitle stream burnt into the picture

    @property
    def duration_ms(self) -> int:
        return round((self.end_utc - self.start_utc).total_seconds() * 1000)

    def covers(self, at_utc: datetime) -> bool:
        return self.start_utc <= at_utc < self.end_utc

    def gain(self, at_utc: datetime) -> float:
        """The sound's gain at ``at_utc``: the loudness gain, but within a fade falling
        linearly to 0 at the item's edge."""
        gain = 1.0
        if self.fade_in_ms:
            since_ms = (at_utc - self.start_utc).total_seconds() * 1000
            gain = min(gain, max(0.0, since_ms / self.fade_in_ms))
        if self.fade_out_ms:
            until_ms = (self.end_utc - at_utc).total_seconds() * 1000
            gain = min(gain, max(0.0, until_ms / self.fade_out_ms))
        return gain * db_to_linear(self.loudness_gain_db) if self.loudness_gain_db else gain

    def file_position_s(self, at_utc: datetime) -> float:
        """Where in the file the instant ``at_utc`` lies (seconds)."""
        return self.asset_offset_ms / 1000 + (at_utc - self.start_utc).total_seconds()


class Timeline(Protocol):
    def items_from(self, at_utc: datetime, count: int) -> list[TimelineItem]:
        """Up to ``count`` items in time order; the first covers ``at_utc`` (gaps as slates)."""
        ...


def fill_gaps(items: Sequence[TimelineItem], at_utc: datetime) -> list[TimelineItem]:
    """Sort, drop what ended before ``at_utc``, and put slate items into every gap."""
    ordered = sorted((i for i in items if i.end_utc > at_utc), key=lambda i: i.start_utc)
    result: list[TimelineItem] = []
    cursor = at_utc
    for item in ordered:
        if item.start_utc > cursor:
            result.append(TimelineItem(cursor, item.start_utc, "slate", GAP_SLATE_TITLE))
        if item.end_utc > cursor:
            result.append(item)
            cursor = max(cursor, item.end_utc)
    if not result:
        result.append(TimelineItem(at_utc, at_utc + FALLBACK_SLATE, "slate", GAP_SLATE_TITLE))
    return result


class ListTimeline:
    """An in-memory timeline (tests, benchmarks, the demo)."""

    def __init__(self, items: Sequence[TimelineItem]) -> None:
        self._items = sorted(items, key=lambda i: i.start_utc)

    def items_from(self, at_utc: datetime, count: int) -> list[TimelineItem]:
        relevant = [i for i in self._items if i.end_utc > at_utc]
        return fill_gaps(relevant[: count + 1], at_utc)[:count]


def back_to_back(
    start_utc: datetime, entries: Sequence[tuple[str | None, float, float]], *, title: str = "item"
) -> list[TimelineItem]:
    """Items one after another: ``(file_path, duration_s, asset_offset_s)`` each."""
    items: list[TimelineItem] = []
    cursor = start_utc
    for index, (path, duration_s, offset_s) in enumerate(entries):
        end = cursor + timedelta(seconds=duration_s)
        kind: ItemKind = "programme" if path else "slate"
        items.append(
            TimelineItem(
                cursor, end, kind, f"{title} {index}", path, round(offset_s * 1000), index + 1
            )
        )
        cursor = end
    return items
