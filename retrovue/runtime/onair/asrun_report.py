"""Reading the as-run log: one channel's broadcast day, and how it differs from the playlog.

``show_day`` lists what aired during a broadcast day (in the channel's zone and day start);
``diff_day`` compares the day's playlog with it. The comparison itself is :func:`compare`, a pure
function over plain values. Read-only: one read transaction per call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import AsRun, Channel, PlaylogEvent
from retrovue.errors import NotFoundError
from retrovue.scheduler.timegrid import DayClock, broadcast_day_of, day_bounds

DEFAULT_TOLERANCE_MS = 2000
DIFF_KINDS = ("missing", "late", "early", "cut", "failed", "substituted", "unplanned")


@dataclass(frozen=True)
class AsRunEntry:
    id: int
    kind: str
    title: str
    status: str
    planned_start_utc: datetime | None
    planned_end_utc: datetime | None
    actual_start_utc: datetime
    actual_end_utc: datetime | None
    offset_ms: int
    error: str | None
    playlog_event_id: int | None
    catalog_asset_id: int | None

    @classmethod
    def of(cls, row: AsRun) -> AsRunEntry:
        return cls(
            row.id,
            row.kind,
            row.title,
            row.status,
            row.planned_start_utc,
            row.planned_end_utc,
            row.actual_start_utc,
            row.actual_end_utc,
            row.offset_ms,
            row.error,
            row.playlog_event_id,
            row.catalog_asset_id,
        )


@dataclass(frozen=True)
class PlannedEntry:
    event_id: int
    kind: str
    title: str
    start_utc: datetime
    end_utc: datetime
    catalog_asset_id: int | None


@dataclass(frozen=True)
class Difference:
    kind: str  # one of DIFF_KINDS
    title: str
    planned_start_utc: datetime | None
    event_id: int | None
    asrun_id: int | None
    detail: str


@dataclass(frozen=True)
class ChannelDay:
    number: str
    name: str
    timezone: str
    day: date
    start_utc: datetime
    end_utc: datetime


@dataclass(frozen=True)
class AsRunDay:
    channel: ChannelDay
    entries: tuple[AsRunEntry, ...]


@dataclass(frozen=True)
class DiffReport:
    channel: ChannelDay
    tolerance_ms: int
    planned_count: int
    clean_count: int
    differences: tuple[Difference, ...]

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(d.kind for d in self.differences)
        return {kind: found.get(kind, 0) for kind in DIFF_KINDS}


def find_channel_day(
    session: Session, number: str, day: date | None, clock: Clock
) -> tuple[int, ChannelDay]:
    row = session.scalars(select(Channel).where(Channel.number == number)).one_or_none()
    if row is None:
        raise NotFoundError(f"no channel {number!r} (see: retrovue channel list)")
    day_clock = DayClock(row.timezone, row.day_start_minutes)
    chosen = day if day is not None else broadcast_day_of(clock.now_utc(), day_clock)
    start_utc, end_utc = day_bounds(chosen, day_clock)
    return row.id, ChannelDay(row.number, row.name, row.timezone, chosen, start_utc, end_utc)


def _entries(session: Session, channel_id: int, day: ChannelDay) -> tuple[AsRunEntry, ...]:
    rows = session.scalars(
        select(AsRun)
        .where(
            AsRun.channel_id == channel_id,
            AsRun.actual_start_utc >= day.start_utc,
            AsRun.actual_start_utc < day.end_utc,
        )
        .order_by(AsRun.actual_start_utc, AsRun.id)
    )
    return tuple(AsRunEntry.of(row) for row in rows)


def show_day(database: Database, clock: Clock, number: str, day: date | None = None) -> AsRunDay:
    """What aired on channel ``number`` during broadcast day ``day`` (default: the current one)."""
    with database.transaction() as session:
        channel_id, channel_day = find_channel_day(session, number, day, clock)
        return AsRunDay(channel_day, _entries(session, channel_id, channel_day))


def _planned(session: Session, channel_id: int, day: ChannelDay) -> list[PlannedEntry]:
    rows = session.scalars(
        select(PlaylogEvent)
        .where(PlaylogEvent.channel_id == channel_id, PlaylogEvent.broadcast_day == day.day)
        .order_by(PlaylogEvent.start_utc)
    )
    return [
        PlannedEntry(r.id, r.kind, r.title, r.start_utc, r.end_utc, r.catalog_asset_id)
        for r in rows
    ]


def _linked_outside(
    session: Session, event_ids: set[int], inside: Sequence[AsRunEntry]
) -> tuple[AsRunEntry, ...]:
    """Rows of this day's events that started outside the day (a join just after day end)."""
    if not event_ids:
        return ()
    seen = {e.id for e in inside}
    rows = session.scalars(select(AsRun).where(AsRun.playlog_event_id.in_(event_ids)))
    return tuple(AsRunEntry.of(r) for r in rows if r.id not in seen)


def diff_day(
    database: Database,
    clock: Clock,
    number: str,
    day: date | None = None,
    *,
    tolerance_ms: int = DEFAULT_TOLERANCE_MS,
) -> DiffReport:
    """The differences between channel ``number``'s playlog and as-run log for one broadcast day."""
    with database.transaction() as session:
        channel_id, channel_day = find_channel_day(session, number, day, clock)
        planned = _planned(session, channel_id, channel_day)
        entries = _entries(session, channel_id, channel_day)
        entries += _linked_outside(session, {p.event_id for p in planned}, entries)
    differences, clean = compare(planned, entries, tolerance_ms)
    return DiffReport(channel_day, tolerance_ms, len(planned), clean, tuple(differences))


def _ms(delta_s: float) -> int:
    return round(delta_s * 1000)


def _event_differences(
    event: PlannedEntry, rows: Sequence[AsRunEntry], tolerance_ms: int
) -> list[Difference]:
    def diff(kind: str, row: AsRunEntry | None, detail: str) -> Difference:
        return Difference(
            kind, event.title, event.start_utc, event.event_id, row.id if row else None, detail
        )

    if not rows:
        return [diff("missing", None, "no as-run record (not on air: no viewer, or not played)")]
    found: list[Difference] = []
    first = rows[0]
    lateness_ms = _ms((first.actual_start_utc - event.start_utc).total_seconds()) - first.offset_ms
    if lateness_ms > tolerance_ms:
        found.append(diff("late", first, f"started {lateness_ms / 1000:.1f} s late"))
    elif lateness_ms < -tolerance_ms:
        found.append(diff("early", first, f"started {-lateness_ms / 1000:.1f} s early"))
    for row in rows:
        if row.status == "failed":
            found.append(diff("failed", row, row.error or "failed (no error recorded)"))
        elif row.status == "cut":
            end = row.actual_end_utc
            short_ms = _ms((event.end_utc - end).total_seconds()) if end else 0
            found.append(diff("cut", row, f"cut {short_ms / 1000:.1f} s before the planned end"))
        asset_differs = (
            row.catalog_asset_id is not None
            and event.catalog_asset_id is not None
            and row.catalog_asset_id != event.catalog_asset_id
        )
        if row.kind != event.kind or asset_differs:
            found.append(diff("substituted", row, f"{row.kind} {row.title!r} played instead"))
    return found


def compare(
    planned: Sequence[PlannedEntry], entries: Sequence[AsRunEntry], tolerance_ms: int
) -> tuple[list[Difference], int]:
    """Pure: each planned event against the as-run rows linked to it, plus rows linked to none.

    Returns the differences (in planned order, unplanned rows last) and how many planned events
    aired without any difference. A row still 'playing' is not a difference by itself.
    """
    by_event: dict[int, list[AsRunEntry]] = {}
    for entry in entries:
        if entry.playlog_event_id is not None:
            by_event.setdefault(entry.playlog_event_id, []).append(entry)
    differences: list[Difference] = []
    clean = 0
    for event in planned:
        rows = sorted(by_event.get(event.event_id, []), key=lambda r: (r.actual_start_utc, r.id))
        found = _event_differences(event, rows, tolerance_ms)
        clean += not found
        differences.extend(found)
    for entry in entries:  # rows of another day's events belong to that day's comparison
        if entry.playlog_event_id is None:
            differences.append(
                Difference(
                    "unplanned",
                    entry.title,
                    entry.planned_start_utc,
                    entry.playlog_event_id,
                    entry.id,
                    f"{entry.kind} {entry.status}, not in the playlog (gap, or event rebuilt)",
                )
            )
    return differences, clean
