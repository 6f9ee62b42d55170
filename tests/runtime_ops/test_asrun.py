"""The as-run recorder: rows written from producer threads, never an exception into them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.broadcast import AsRun
from retrovue.runtime.onair.asrun import UNFINISHED_ERROR, AsRunRecorder, close_unfinished
from tests.runtime_ops.seed import add_asset, add_channel, add_events


@dataclass(frozen=True)
class Item:
    start_utc: datetime
    end_utc: datetime
    kind: str
    title: str
    event_id: int | None = None
    catalog_asset_id: int | None = None


def _rows(database: Database) -> list[AsRun]:
    with database.transaction() as session:
        return list(session.scalars(select(AsRun).order_by(AsRun.id)))


@pytest.fixture
def recorder(db: Database) -> Iterator[AsRunRecorder]:
    recorder = AsRunRecorder(db)
    yield recorder
    recorder.close()


def test_started_then_finished_writes_one_row(
    db: Database, clock: FakeClock, recorder: AsRunRecorder
) -> None:
    now = clock.now_utc()
    channel_id = add_channel(db, "2", at_utc=now)
    asset_id = add_asset(db, "Cheers", at_utc=now)
    event = add_events(
        db, channel_id, date(2026, 3, 2), now, [("programme", "Cheers", 30, asset_id)]
    )[0]
    handle = recorder.started(channel_id, event, now + timedelta(minutes=5, seconds=1), 300_000)
    assert recorder.flush()
    (row,) = _rows(db)
    assert row.status == "playing"
    assert recorder.row_id(handle) == row.id
    recorder.finished(handle, event.end_utc, "aired")
    assert recorder.flush()
    (row,) = _rows(db)
    assert (row.channel_id, row.playlog_event_id, row.catalog_asset_id) == (
        channel_id,
        event.id,
        asset_id,
    )
    assert (row.kind, row.title, row.status, row.error) == ("programme", "Cheers", "aired", None)
    assert row.planned_start_utc == event.start_utc
    assert row.planned_end_utc == event.end_utc
    assert row.actual_start_utc == now + timedelta(minutes=5, seconds=1)
    assert row.actual_end_utc == event.end_utc
    assert row.offset_ms == 300_000


def test_failed_with_error_and_a_substitute_slate(
    db: Database, clock: FakeClock, recorder: AsRunRecorder
) -> None:
    now = clock.now_utc()
    channel_id = add_channel(db, "3", at_utc=now)
    event = add_events(db, channel_id, date(2026, 3, 2), now, [("programme", "Taxi", 30, None)])[0]
    first = recorder.started(channel_id, event, now, 0)
    recorder.finished(
        first, now + timedelta(seconds=1), "failed", error="cannot open\n/m/taxi.mkv: gone"
    )
    slate = Item(event.start_utc, event.end_utc, "slate", "Technical difficulties", event.id)
    second = recorder.started(channel_id, slate, now + timedelta(seconds=1), 1000)
    recorder.finished(second, event.end_utc, "aired")
    assert recorder.flush()
    failed, substitute = _rows(db)
    assert (failed.status, failed.error) == ("failed", "cannot open /m/taxi.mkv: gone")
    assert (substitute.kind, substitute.status, substitute.playlog_event_id) == (
        "slate",
        "aired",
        event.id,
    )
    assert substitute.offset_ms == 1000


def test_links_to_missing_rows_are_dropped_not_refused(
    db: Database, clock: FakeClock, recorder: AsRunRecorder
) -> None:
    now = clock.now_utc()
    channel_id = add_channel(db, "4", at_utc=now)
    item = Item(
        now,
        now + timedelta(minutes=1),
        "filler",
        "Promo",
        event_id=999_999,
        catalog_asset_id=888_888,
    )
    handle = recorder.started(channel_id, item, now, -50)
    recorder.finished(handle, now + timedelta(minutes=1), "cut")
    assert recorder.flush()
    (row,) = _rows(db)
    assert (row.playlog_event_id, row.catalog_asset_id, row.offset_ms) == (None, None, 0)
    assert (row.kind, row.status) == ("filler", "cut")


def test_unknown_status_is_kept_as_failed(
    db: Database, clock: FakeClock, recorder: AsRunRecorder
) -> None:
    now = clock.now_utc()
    channel_id = add_channel(db, "5", at_utc=now)
    handle = recorder.started(
        channel_id, Item(now, now + timedelta(minutes=1), "slate", "Off air"), now, 0
    )
    recorder.finished(handle, now, "exploded")
    assert recorder.flush()
    (row,) = _rows(db)
    assert row.status == "failed"
    assert row.error is not None
    assert "exploded" in row.error


def test_many_producer_threads_at_once(
    db: Database, clock: FakeClock, recorder: AsRunRecorder
) -> None:
    now = clock.now_utc()
    channels = [add_channel(db, str(10 + n), at_utc=now) for n in range(4)]

    def producer(channel_id: int) -> None:
        for index in range(25):
            start = now + timedelta(minutes=index)
            item = Item(start, start + timedelta(minutes=1), "programme", f"P{index}")
            handle = recorder.started(channel_id, item, start, 0)
            recorder.finished(handle, start + timedelta(minutes=1), "aired")

    threads = [threading.Thread(target=producer, args=(c,)) for c in channels]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert recorder.flush(30)
    rows = _rows(db)
    assert len(rows) == 100
    assert {r.status for r in rows} == {"aired"}
    assert {r.channel_id for r in rows} == set(channels)


def test_a_broken_database_never_raises_into_the_producer(
    tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Database(f"sqlite:///{tmp_path / 'no-schema.db'}")  # no tables at all
    recorder = AsRunRecorder(broken)
    now = clock.now_utc()
    item = Item(now, now + timedelta(minutes=1), "programme", "Lost")
    with caplog.at_level(logging.WARNING, logger="retrovue.runtime.onair.asrun"):
        handle = recorder.started(7, item, now, 0)
        recorder.finished(handle, now, "aired")
        assert recorder.flush()
        recorder.close()
        after = recorder.started(7, item, now, 0)  # closed: dropped, still no exception
        recorder.finished(after, now, "aired")
    broken.dispose()
    assert recorder.row_id(handle) is None
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "cannot write" in messages
    assert "recorder closed" in messages


def test_close_unfinished_marks_playing_rows_cut(db: Database, clock: FakeClock) -> None:
    now = clock.now_utc()
    channel_id = add_channel(db, "6", at_utc=now)
    recorder = AsRunRecorder(db)
    done = recorder.started(
        channel_id, Item(now, now + timedelta(minutes=1), "programme", "A"), now, 0
    )
    recorder.finished(done, now + timedelta(minutes=1), "aired")
    recorder.started(channel_id, Item(now, now + timedelta(minutes=2), "programme", "B"), now, 0)
    recorder.close()
    assert close_unfinished(db, now + timedelta(minutes=3)) == 1
    aired, cut = _rows(db)
    assert aired.status == "aired"
    assert (cut.status, cut.error, cut.actual_end_utc) == (
        "cut",
        UNFINISHED_ERROR,
        now + timedelta(minutes=3),
    )


def test_calls_return_while_the_database_is_locked(sqlite_db: Database, clock: FakeClock) -> None:
    """The producer's calls only queue: they return even while another writer holds the lock
    (a synchronous write here would wait for this very transaction and never succeed)."""
    now = clock.now_utc()
    channel_id = add_channel(sqlite_db, "8", at_utc=now)
    recorder = AsRunRecorder(sqlite_db)
    item = Item(now, now + timedelta(minutes=1), "programme", "Locked out")
    with sqlite_db.transaction(immediate=True):  # SQLite's write lock, held by "the CLI"
        handle = recorder.started(channel_id, item, now, 0)
        recorder.finished(handle, now + timedelta(minutes=1), "aired")
        assert recorder.row_id(handle) is None  # nothing could be written yet
    assert recorder.flush(30)
    recorder.close()
    (row,) = _rows(sqlite_db)
    assert (row.title, row.status) == ("Locked out", "aired")
