"""The guide channel's listing: now and next on every enabled channel, from the playlog."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.errors import NotFoundError
from retrovue.runtime.onair.listing import read_listing
from retrovue.runtime.slates import pictures as slates
from tests.runtime_ops.seed import add_channel, add_events

T = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)


def _seed(db: Database) -> int:
    one = add_channel(db, "1", "One", at_utc=T)
    two = add_channel(db, "2", "Two", at_utc=T)
    off = add_channel(db, "3", "Dark", enabled=False, at_utc=T)
    add_channel(db, "10", "Ten", at_utc=T)  # nothing built: listed with nothing on
    guide = add_channel(
        db, "9", "Station Guide", mode="guide", timezone="America/New_York", at_utc=T
    )
    rows = [("programme", "Before", 30, None), ("programme", "News", 30, None)]
    add_events(db, one, DAY, T - timedelta(minutes=30), [*rows, ("programme", "Movie", 90, None)])
    add_events(db, two, DAY, T + timedelta(minutes=45), [("programme", "Late show", 30, None)])
    add_events(db, off, DAY, T, [("programme", "Hidden", 30, None)])
    return guide


def test_now_and_next_for_every_enabled_channel(db: Database, clock: FakeClock) -> None:
    guide = _seed(db)
    clock.set(T + timedelta(minutes=10, seconds=42))
    listing = read_listing(db, clock, guide)
    assert listing.at_utc == T + timedelta(minutes=10)
    assert (listing.timezone, listing.title) == ("America/New_York", "Station Guide")
    assert [(r.number, r.name) for r in listing.rows] == [("1", "One"), ("2", "Two"), ("10", "Ten")]
    one, two, ten = listing.rows
    assert one.now is not None
    assert one.next is not None
    assert (one.now.title, one.now.start_utc, one.next.title) == ("News", T, "Movie")
    assert two.now is None
    assert two.next is not None
    assert two.next.title == "Late show"
    assert (ten.now, ten.next) == (None, None)
    assert read_listing(db, clock, guide) == listing  # same minute, same programmes: equal
    clock.set(T + timedelta(minutes=30))
    later = read_listing(db, clock, guide)
    assert later != listing
    assert later.rows[0].now is not None
    assert later.rows[0].now.title == "Movie"
    picture = slates.guide_listing(640, 360, later)
    assert picture.y != slates.guide_listing(640, 360, listing).y


def test_unknown_guide_channel(db: Database, clock: FakeClock) -> None:
    with pytest.raises(NotFoundError):
        read_listing(db, clock, 12345)
