"""The guide grid's layout, pure: where each programme sits in a channels x time grid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from retrovue.guide.model import GuideChannel, GuideEntry
from retrovue.web.reads import local_time, zone_of

COLUMN = timedelta(minutes=30)
PX_PER_MINUTE = 4


@dataclass(frozen=True)
class Cell:
    entry: GuideEntry
    left_px: int
    width_px: int
    start_local: str
    stop_local: str
    on_now: bool


@dataclass(frozen=True)
class Row:
    channel: GuideChannel
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Column:
    label: str  # HH:MM in the grid's zone
    left_px: int


@dataclass(frozen=True)
class Grid:
    start_utc: datetime
    end_utc: datetime
    zone: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    width_px: int
    now_px: int | None  # where the now line is, None when now is outside the window


def _px(delta: timedelta) -> int:
    return round(delta.total_seconds() / 60 * PX_PER_MINUTE)


def layout(
    channels: tuple[GuideChannel, ...],
    entries: list[GuideEntry],
    start_utc: datetime,
    end_utc: datetime,
    now_utc: datetime,
    zone: str,
) -> Grid:
    columns = []
    at = start_utc
    while at < end_utc:
        columns.append(Column(local_time(at, zone), _px(at - start_utc)))
        at += COLUMN
    by_channel: dict[str, list[GuideEntry]] = {c.xmltv_id: [] for c in channels}
    for entry in entries:
        if entry.stop_utc > start_utc and entry.start_utc < end_utc:
            by_channel.setdefault(entry.channel_xmltv_id, []).append(entry)
    rows = tuple(
        Row(c, tuple(_cell(e, c, start_utc, end_utc, now_utc) for e in by_channel[c.xmltv_id]))
        for c in channels
    )
    inside = start_utc <= now_utc < end_utc
    return Grid(
        start_utc,
        end_utc,
        zone,
        tuple(columns),
        rows,
        _px(end_utc - start_utc),
        _px(now_utc - start_utc) if inside else None,
    )


def _cell(
    entry: GuideEntry, channel: GuideChannel, start: datetime, end: datetime, now: datetime
) -> Cell:
    shown_start, shown_stop = max(entry.start_utc, start), min(entry.stop_utc, end)
    return Cell(
        entry,
        _px(shown_start - start),
        max(1, _px(shown_stop - shown_start)),
        local_time(entry.start_utc, channel.timezone),
        local_time(entry.stop_utc, channel.timezone),
        entry.start_utc <= now < entry.stop_utc,
    )


def day_starts(now_utc: datetime, zone: str, days: int) -> list[datetime]:
    """Local midnights (as UTC instants) of today and the ``days - 1`` days after it."""
    tz = zone_of(zone)
    today = now_utc.astimezone(tz).date()
    starts = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        local = datetime(day.year, day.month, day.day, tzinfo=tz)
        starts.append(local.astimezone(UTC))
    return starts
