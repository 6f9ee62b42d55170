"""As-run show and diff for a broadcast day, on both databases, and the pure comparison."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.errors import NotFoundError
from retrovue.runtime.onair.asrun_report import (
    AsRunEntry,
    PlannedEntry,
    compare,
    diff_day,
    show_day,
)
from tests.runtime_ops.daydata import DAY, NUMBER, START, seed_day


def test_show_lists_the_broadcast_day_in_the_channels_zone(db: Database, clock: FakeClock) -> None:
    seed_day(db)
    day = show_day(db, clock, NUMBER, DAY)
    assert day.channel.start_utc == datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # 06:00 EST
    assert day.channel.end_utc == datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    assert [e.title for e in day.entries] == [
        "A",
        "B",
        "C",
        "D",
        "Technical difficulties",
        "E",
        "Other",
        "Off air",
    ]
    assert [e.status for e in day.entries][:5] == ["aired", "aired", "aired", "failed", "aired"]
    before = show_day(db, clock, NUMBER, date(2026, 3, 1))
    assert [e.title for e in before.entries] == ["Off air"]


def test_show_defaults_to_the_day_on_air_now(db: Database, clock: FakeClock) -> None:
    seed_day(db)
    clock.set(datetime(2026, 3, 3, 10, 59, tzinfo=UTC))  # 05:59 in New York: still Mar 2
    assert show_day(db, clock, NUMBER).channel.day == DAY
    clock.set(datetime(2026, 3, 3, 11, 0, tzinfo=UTC))
    assert show_day(db, clock, NUMBER).channel.day == date(2026, 3, 3)


def test_diff_finds_every_kind_of_difference(db: Database, clock: FakeClock) -> None:
    events = seed_day(db)
    report = diff_day(db, clock, NUMBER, DAY)
    assert report.planned_count == 7
    assert report.clean_count == 2  # A, and C (joined mid-programme at the right offset)
    found = {(d.kind, d.title) for d in report.differences}
    assert found == {
        ("late", "B"),
        ("failed", "D"),
        ("substituted", "D"),
        ("cut", "E"),
        ("missing", "F"),
        ("substituted", "G"),
        ("unplanned", "Off air"),
    }
    assert report.counts == {
        "missing": 1,
        "late": 1,
        "early": 0,
        "cut": 1,
        "failed": 1,
        "substituted": 2,
        "unplanned": 1,
    }
    failed = next(d for d in report.differences if d.kind == "failed")
    assert failed.detail == "cannot open /m/d.mkv: No such file"
    assert failed.event_id == events[3].event_id
    cut = next(d for d in report.differences if d.kind == "cut")
    assert "600.0 s before" in cut.detail
    loose = diff_day(db, clock, NUMBER, DAY, tolerance_ms=15_000)
    assert "late" not in {d.kind for d in loose.differences}


def test_unknown_channel(db: Database, clock: FakeClock) -> None:
    with pytest.raises(NotFoundError, match="no channel '99'"):
        show_day(db, clock, "99", DAY)
    with pytest.raises(NotFoundError):
        diff_day(db, clock, "99", DAY)


def _planned(event_id: int, minutes: int) -> PlannedEntry:
    start = START + timedelta(minutes=minutes)
    return PlannedEntry(
        event_id, "programme", f"P{event_id}", start, start + timedelta(minutes=30), 5
    )


def _entry(
    row_id: int, event_id: int | None, start: datetime, offset_ms: int, status: str = "aired"
) -> AsRunEntry:
    return AsRunEntry(
        row_id, "programme", "x", status, None, None, start, None, offset_ms, None, event_id, 5
    )


def test_compare_early_late_and_still_playing() -> None:
    planned = [_planned(1, 0), _planned(2, 30), _planned(3, 60)]
    entries = [
        _entry(1, 1, START - timedelta(seconds=5), 0),
        _entry(2, 2, START + timedelta(minutes=30, seconds=1), 0),  # within tolerance
        _entry(3, 3, START + timedelta(minutes=61), 60_000, status="playing"),  # joined, on air
    ]
    differences, clean = compare(planned, entries, 2000)
    assert [(d.kind, d.event_id) for d in differences] == [("early", 1)]
    assert clean == 2
    other_day = _entry(4, 99, START, 0)  # an event of another broadcast day: not counted here
    assert compare(planned, [*entries, other_day], 2000) == (differences, clean)
    none, clean_none = compare(planned, [], 2000)
    assert [d.kind for d in none] == ["missing"] * 3
    assert clean_none == 0
