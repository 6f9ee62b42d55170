"""What the guide channel shows: now and next on every enabled channel, from the playlog.

Integration (a producer of a channel whose mode is ``guide``)::

    listing = read_listing(database, clock, guide_channel_id)   # every few seconds
    if listing != last_listing:                                  # frozen values: compare
        picture = slates.guide_listing(width, height, listing, page=page)

``at_utc`` is truncated to the minute, so the listing (and the picture) changes only when the
clock's minute or a programme changes. Guide channels themselves are not listed. Reads go through
the scheduler's query service (``on_air``/``events_from``); read-only, one transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel
from retrovue.errors import NotFoundError
from retrovue.runtime.slates.pictures import GuideListing, ListingEntry, ListingRow
from retrovue.scheduler.query import OnAir, events_from


def _entry(event: OnAir | None) -> ListingEntry | None:
    if event is None:
        return None
    return ListingEntry(event.title, event.start_utc, event.end_utc)


def _number_key(number: str) -> tuple[int, int, str]:
    major, _, minor = number.partition(".")
    return (int(major) if major.isdigit() else 0, int(minor) if minor.isdigit() else -1, number)


def now_and_next(session: Session, at_utc: datetime) -> tuple[ListingRow, ...]:
    """One row per enabled, non-guide channel (by guide number): what airs at ``at_utc``, next."""
    channels = session.scalars(
        select(Channel).where(Channel.enabled.is_(True), Channel.mode != "guide")
    ).all()
    rows: list[ListingRow] = []
    for channel in sorted(channels, key=lambda c: _number_key(c.number)):
        events = events_from(session, channel.id, at_utc, 2)
        airing = events[0] if events and events[0].start_utc <= at_utc else None
        later = events[1:] if airing else events
        rows.append(
            ListingRow(
                channel.number, channel.name, _entry(airing), _entry(next(iter(later), None))
            )
        )
    return tuple(rows)


def read_listing(database: Database, clock: Clock, guide_channel_id: int) -> GuideListing:
    """The listing as seen from guide channel ``guide_channel_id`` (its zone and name)."""
    at_utc = clock.now_utc().replace(second=0, microsecond=0)
    with database.transaction() as session:
        guide = session.get(Channel, guide_channel_id)
        if guide is None:
            raise NotFoundError(f"no channel with id {guide_channel_id}")
        rows = now_and_next(session, at_utc)
        return GuideListing(at_utc, guide.timezone, rows, title=guide.name)
