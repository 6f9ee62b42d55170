"""What the pages and the API show, read from the station (database calls; run off the loop).

Each function returns plain values; the API turns them into JSON, the pages into HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from retrovue.db import Database
from retrovue.errors import NotFoundError, ValidationError
from retrovue.guide import store
from retrovue.guide.entries import build_entries
from retrovue.guide.model import GuideChannel, GuideEntry
from retrovue.library.review import AssetFilter, list_assets
from retrovue.scheduler.query import OnAir, events_from

MAX_GUIDE_SPAN = timedelta(days=15)
MAX_PAGE = 500
DEFAULT_PAGE = 50


@dataclass(frozen=True)
class ChannelNow:
    channel: GuideChannel
    now: OnAir | None
    next: OnAir | None

    def progress(self, at_utc: datetime) -> float:
        """How far the current programme has come, 0.0 to 1.0 (0 when nothing is on)."""
        if self.now is None:
            return 0.0
        total_s = (self.now.end_utc - self.now.start_utc).total_seconds()
        done_s = (at_utc - self.now.start_utc).total_seconds()
        return 0.0 if total_s <= 0 else min(1.0, max(0.0, done_s / total_s))


def channels(database: Database) -> tuple[GuideChannel, ...]:
    return store.read_channels(database)


def find_channel(database: Database, number: str) -> GuideChannel:
    for channel in store.read_channels(database):
        if channel.number == number:
            return channel
    raise NotFoundError(f"no channel {number!r}")


def guide(
    database: Database, start_utc: datetime, end_utc: datetime, channel: str | None = None
) -> tuple[tuple[GuideChannel, ...], list[GuideEntry]]:
    """The guide's channels and entries (the same as the XMLTV's) between two instants."""
    if end_utc <= start_utc:
        raise ValidationError("end must be after start")
    if end_utc - start_utc > MAX_GUIDE_SPAN:
        raise ValidationError(f"the guide spans at most {MAX_GUIDE_SPAN.days} days per request")
    snapshot = store.read_snapshot(database, start_utc, end_utc)
    chosen = snapshot.channels
    if channel is not None:
        chosen = tuple(c for c in snapshot.channels if c.number == channel)
        if not chosen:
            raise NotFoundError(f"no channel {channel!r}")
    wanted = {c.xmltv_id for c in chosen}
    entries = [e for e in build_entries(snapshot) if e.channel_xmltv_id in wanted]
    return chosen, entries


def on_now(database: Database, at_utc: datetime) -> list[ChannelNow]:
    listed = store.read_channels(database)
    found: list[ChannelNow] = []
    with database.transaction() as session:
        for channel in listed:
            events = events_from(session, channel.id, at_utc, 2)
            current = events[0] if events and events[0].start_utc <= at_utc else None
            upcoming = [e for e in events if e is not current]
            found.append(ChannelNow(channel, current, upcoming[0] if upcoming else None))
    return found


def on_air_item(database: Database, number: str, at_utc: datetime) -> OnAir | None:
    channel = find_channel(database, number)
    with database.transaction() as session:
        events = events_from(session, channel.id, at_utc, 1)
    return events[0] if events and events[0].start_utc <= at_utc else None


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


def assets_page(database: Database, filters: AssetFilter, limit: int, offset: int) -> Page:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"limit must be 1..{MAX_PAGE}")
    if offset < 0:
        raise ValidationError("offset must not be negative")
    rows = list_assets(database, filters)
    return Page(rows[offset : offset + limit], len(rows), limit, offset)


def local_time(instant: datetime | None, zone_name: str) -> str:
    """``HH:MM`` in the channel's zone (an empty string for no instant)."""
    if instant is None:
        return ""
    return instant.astimezone(zone_of(zone_name)).strftime("%H:%M")


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
