"""Program director: the pure rule, the write path's semantics, and the poller's cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrovue.broadcast.director import request_clear, request_emergency
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.errors import NotFoundError, ValidationError
from retrovue.runtime.onair.director import (
    DirectorPoller,
    RequestView,
    director_status,
    effective_mode,
)
from tests.runtime_ops.seed import add_channel

T = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _request(
    rid: int, channel: int | None, mode: str, minutes: int, cleared: int | None = None
) -> RequestView:
    cleared_utc = None if cleared is None else T + timedelta(minutes=cleared)
    return RequestView(rid, channel, mode, f"m{rid}", T + timedelta(minutes=minutes), cleared_utc)


def test_effective_mode_most_recent_covering_request_wins() -> None:
    assert effective_mode([], 1, T).mode == "normal"
    assert effective_mode([], 1, T, "guide").mode == "guide"
    station = _request(1, None, "emergency", 0)
    assert effective_mode([station], 1, T).message == "m1"
    assert effective_mode([station], 1, T).station_wide
    assert effective_mode([station], 2, T, "guide").mode == "emergency"  # emergency beats guide
    exempt = _request(2, 1, "normal", 1)
    assert effective_mode([station, exempt], 1, T).mode == "normal"
    assert effective_mode([station, exempt], 2, T).mode == "emergency"
    own = _request(3, 2, "emergency", 2)
    assert effective_mode([station, exempt, own], 2, T).message == "m3"
    assert not effective_mode([station, exempt, own], 2, T).station_wide
    newer_station = _request(4, None, "emergency", 3)
    assert effective_mode([own, newer_station], 2, T).message == "m4"
    cleared = _request(5, 3, "emergency", 0, cleared=5)
    assert effective_mode([cleared], 3, T + timedelta(minutes=4)).mode == "emergency"
    assert effective_mode([cleared], 3, T + timedelta(minutes=5)).mode == "normal"
    other_channel = _request(6, 9, "emergency", 0)
    assert effective_mode([other_channel], 3, T).mode == "normal"


def _modes(db: Database, clock: FakeClock, *channel_ids: int) -> list[str]:
    by_number = {s.number: s.state.mode for s in director_status(db, clock)}
    return [by_number[str(c)] for c in channel_ids]


def test_emergency_and_clear_per_channel_and_station(db: Database, clock: FakeClock) -> None:
    for number in ("1", "2", "3"):
        add_channel(db, number, at_utc=clock.now_utc(), mode="guide" if number == "3" else "normal")
    assert _modes(db, clock, 1, 2, 3) == ["normal", "normal", "guide"]
    request_emergency(db, clock, "1", "  Storm   warning ")
    clock.advance(1)
    (first,) = [s for s in director_status(db, clock) if s.number == "1"]
    assert (first.state.mode, first.state.message) == ("emergency", "Storm warning")
    assert _modes(db, clock, 1, 2, 3) == ["emergency", "normal", "guide"]
    change = request_emergency(db, clock, None, "Station off the air shortly")
    assert change.cleared_count == 1
    clock.advance(1)
    assert _modes(db, clock, 1, 2, 3) == ["emergency"] * 3
    request_clear(db, clock, "2")  # channel 2 back while the station stays in emergency
    clock.advance(1)
    assert _modes(db, clock, 1, 2, 3) == ["emergency", "normal", "emergency"]
    assert request_clear(db, clock, None).cleared_count == 2  # station request + the exemption
    clock.advance(1)
    assert _modes(db, clock, 1, 2, 3) == ["normal", "normal", "guide"]


def test_bad_requests_write_nothing(db: Database, clock: FakeClock) -> None:
    add_channel(db, "1", at_utc=clock.now_utc())
    with pytest.raises(ValidationError, match="--message is empty"):
        request_emergency(db, clock, "1", "   ")
    with pytest.raises(ValidationError, match="at most 500"):
        request_emergency(db, clock, "1", "x" * 501)
    with pytest.raises(NotFoundError, match="no channel '9'"):
        request_emergency(db, clock, "9", "hello")
    with pytest.raises(NotFoundError):
        request_clear(db, clock, "9")
    assert _modes(db, clock, 1) == ["normal"]


def test_poller_caches_and_refreshes_within_half_a_second(db: Database, clock: FakeClock) -> None:
    channel_id = add_channel(db, "1", at_utc=clock.now_utc())
    poller = DirectorPoller(db, clock, refresh_s=0.5)
    assert poller.state(channel_id).mode == "normal"
    request_emergency(db, clock, "1", "Now")
    clock.advance(0.2)
    assert poller.state(channel_id).mode == "normal"  # cached
    clock.advance(0.3)
    state = poller.state(channel_id)
    assert (state.mode, state.message) == ("emergency", "Now")
    request_clear(db, clock, "1")
    clock.advance(0.5)
    assert poller.state(channel_id).mode == "normal"


def test_poller_keeps_the_last_states_when_the_database_fails(
    sqlite_db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    channel_id = add_channel(sqlite_db, "1", at_utc=clock.now_utc())
    request_emergency(sqlite_db, clock, "1", "Hold")
    poller = DirectorPoller(sqlite_db, clock)
    assert poller.state(channel_id).mode == "emergency"
    sqlite_db.engine.dispose()
    path = Path(str(sqlite_db.url.database))
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()  # the next connection opens a new, empty file: no tables
    clock.advance(1)
    assert poller.refresh() is False
    assert poller.state(channel_id).mode == "emergency"
    assert "keeping the last known modes" in caplog.text
