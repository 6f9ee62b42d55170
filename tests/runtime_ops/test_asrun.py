"""The as-run recorder: rows written from producer threads, never an exception into them."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from retrovue.clock import FakeClock, SystemClock
from retrovue.db import Database
from retrovue.db.models.broadcast import AsRun
from retrovue.runtime.onair.asrun import UNFINISHED_ERROR, AsRunRecorder, close_unfinished
from retrovue.runtime.onair.operation import StationOperation
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
    recorder = AsRunRecorder(db, clock=clock)
    done = recorder.started(
        channel_id, Item(now, now + timedelta(minutes=1), "programme", "A"), now, 0
    )
    recorder.finished(done, now + timedelta(minutes=1), "aired")
    recorder.started(channel_id, Item(now, now + timedelta(minutes=2), "programme", "B"), now, 0)
    recorder.close()
    assert close_unfinished(db) == 1
    aired, cut = _rows(db)
    assert aired.status == "aired"
    assert (cut.status, cut.error) == ("cut", UNFINISHED_ERROR)
    assert cut.actual_end_utc == now  # no heartbeat after its start: nothing more is known


def test_after_a_crash_rows_end_at_their_last_heartbeat_never_past_the_plan(
    db: Database, clock: FakeClock
) -> None:
    """Killed at 04:16:36, restarted 04:18:32: the 12 s bumper that started 04:16:20 aired
    until its last heartbeat (04:16:30), not until the restart; a programme stamped after its
    planned end (a late boundary) is closed at that end."""
    clock.set(datetime(2026, 3, 2, 4, 16, 20, tzinfo=UTC))
    start = clock.now_utc()
    channel_id = add_channel(db, "6", at_utc=start)
    recorder = AsRunRecorder(db, clock=clock)
    bumper = Item(start, start + timedelta(seconds=12), "filler", "Bumper")
    late = Item(start - timedelta(minutes=30), start + timedelta(seconds=5), "programme", "Late")
    recorder.started(channel_id, bumper, start, 0)
    recorder.started(channel_id, late, start, 1_800_000)
    clock.advance(10)
    recorder.beat()
    assert recorder.flush()
    recorder.close()  # what a SIGKILL leaves: rows playing, the last stamp at 04:16:30
    clock.set(datetime(2026, 3, 2, 4, 18, 32, tzinfo=UTC))
    StationOperation(db, clock).close()
    bumper_row, late_row = _rows(db)
    assert (bumper_row.status, bumper_row.error) == ("cut", UNFINISHED_ERROR)
    assert bumper_row.actual_end_utc == datetime(2026, 3, 2, 4, 16, 30, tzinfo=UTC)
    assert (late_row.status, late_row.error) == ("cut", UNFINISHED_ERROR)
    assert late_row.actual_end_utc == late.end_utc


def test_a_killed_server_leaves_rows_that_close_where_they_stopped_airing(
    sqlite_db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """A real SIGKILL: a process records a start and heartbeats (every 50 ms) until killed."""
    now = clock.now_utc()
    channel_id = add_channel(sqlite_db, "6", at_utc=now)
    script = (
        "import sys, time\n"
        "from datetime import datetime, timedelta\n"
        "from retrovue.db import Database\n"
        "from retrovue.runtime.onair.asrun import AsRunRecorder\n"
        "from tests.runtime_ops.test_asrun import Item\n"
        "recorder = AsRunRecorder(Database(sys.argv[1]), heartbeat_s=0.05)\n"
        "now = datetime.now().astimezone()\n"
        "item = Item(now, now + timedelta(hours=1), 'programme', 'Long')\n"
        "recorder.started(int(sys.argv[2]), item, now, 0)\n"
        "time.sleep(3600)\n"
    )
    url = sqlite_db.url.render_as_string(hide_password=False)
    child = subprocess.Popen([sys.executable, "-c", script, url, str(channel_id)])
    try:
        ticks = SystemClock()
        deadline = ticks.monotonic_s() + 60  # generous: only how long the child takes to start
        while not _stamped_after_start(sqlite_db):
            assert ticks.monotonic_s() < deadline, "no heartbeat from the child"
            time.sleep(0.05)
    finally:
        child.kill()
        child.wait()
    (row,) = _rows(sqlite_db)
    last_stamp = row.aired_until_utc
    assert row.status == "playing"
    assert last_stamp is not None
    assert close_unfinished(sqlite_db) == 1
    (row,) = _rows(sqlite_db)
    assert (row.status, row.actual_end_utc, row.error) == ("cut", last_stamp, UNFINISHED_ERROR)


def _stamped_after_start(database: Database) -> bool:
    rows = _rows(database)
    return bool(rows) and rows[0].aired_until_utc not in (None, rows[0].actual_start_utc)


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
