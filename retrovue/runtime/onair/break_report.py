"""The break report of one channel's broadcast day: what aired in its breaks, and what repeated.

Read from the as-run log joined to the playlog events it aired (their ``guide_json`` says which
were spots in a break, bumpers, Up next cards and station IDs); :func:`summarise` is pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import AsRun, PlaylogEvent
from retrovue.runtime.onair.asrun_report import ChannelDay, find_channel_day


@dataclass(frozen=True)
class BreakItem:
    """One as-run row of a break, with the break it belongs to (as the playlog numbered it)."""

    title: str
    status: str
    after_part: int  # how many programme parts aired before it that day (tells breaks apart)
    break_number: int
    catalog_asset_id: int | None


@dataclass(frozen=True)
class BreakReport:
    channel: ChannelDay
    breaks: int  # breaks that aired something
    spots: int  # as-run rows inside breaks
    failed: int
    by_title: tuple[tuple[str, int], ...]  # most aired first
    up_next_cards: int
    station_ids: int

    @property
    def repeats(self) -> tuple[tuple[str, int], ...]:
        """Spots aired more than once that day."""
        return tuple((title, count) for title, count in self.by_title if count > 1)


def summarise(
    channel: ChannelDay, items: Iterable[BreakItem], up_next_cards: int, station_ids: int
) -> BreakReport:
    rows = list(items)
    counts = Counter(row.title for row in rows)
    breaks = {(row.after_part, row.break_number) for row in rows}
    return BreakReport(
        channel=channel,
        breaks=len(breaks),
        spots=len(rows),
        failed=sum(1 for row in rows if row.status == "failed"),
        by_title=tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        up_next_cards=up_next_cards,
        station_ids=station_ids,
    )


def break_report(
    database: Database, clock: Clock, number: str, day: date | None = None
) -> BreakReport:
    """The break report of channel ``number`` for broadcast day ``day`` (default: today)."""
    with database.transaction() as session:
        channel_id, when = find_channel_day(session, number, day, clock)
        rows = session.execute(
            select(AsRun.title, AsRun.status, AsRun.catalog_asset_id, PlaylogEvent.guide_json)
            .join(PlaylogEvent, PlaylogEvent.id == AsRun.playlog_event_id)
            .where(
                AsRun.channel_id == channel_id,
                AsRun.actual_start_utc >= when.start_utc,
                AsRun.actual_start_utc < when.end_utc,
            )
            .order_by(AsRun.actual_start_utc, AsRun.id)
        ).all()
    items: list[BreakItem] = []
    cards = idents = parts = 0
    for title, status, asset_id, guide_json in rows:
        guide = guide_json or {}
        if guide.get("up_next"):
            cards += 1
        elif guide.get("station_id"):
            idents += 1
        elif guide.get("break"):
            items.append(BreakItem(title, status, parts, int(guide["break"]), asset_id))
        elif guide.get("part"):
            parts += 1
    return summarise(when, items, cards, idents)
