"""Engine factory and unit of work on both backends."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models import Channel
from retrovue.errors import DatabaseError


def _channel(clock: FakeClock, number: str) -> Channel:
    now = clock.now_utc()
    return Channel(
        number=number, name=f"Ch {number}", timezone="UTC", created_utc=now, updated_utc=now
    )


def _count(database: Database) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(Channel)) or 0


def test_commits_once_on_success(db: Database, clock: FakeClock) -> None:
    with db.transaction(immediate=True) as session:
        session.add(_channel(clock, "2"))
        session.add(_channel(clock, "3"))
    assert _count(db) == 2


def test_rolls_back_everything_on_error(db: Database, clock: FakeClock) -> None:
    with pytest.raises(RuntimeError), db.transaction(immediate=True) as session:
        session.add(_channel(clock, "2"))
        session.flush()
        raise RuntimeError("boom")
    assert _count(db) == 0


def test_constraints_are_enforced(db: Database, clock: FakeClock) -> None:
    with pytest.raises(IntegrityError), db.transaction() as session:
        bad = _channel(clock, "4")
        bad.grid_minutes = 0
        session.add(bad)
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(_channel(clock, "5"))
        session.add(_channel(clock, "5"))
    assert _count(db) == 0


def test_datetimes_come_back_aware_utc(db: Database, clock: FakeClock) -> None:
    with db.transaction() as session:
        session.add(_channel(clock, "9"))
    with db.transaction() as session:
        channel = session.scalars(select(Channel)).one()
    assert channel.created_utc == clock.now_utc()
    assert channel.created_utc.tzinfo is not None


def test_sqlite_pragmas(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000


def test_immediate_writers_queue_instead_of_failing(sqlite_db: Database, clock: FakeClock) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def writer(index: int) -> None:
        try:
            barrier.wait()
            with sqlite_db.transaction(immediate=True) as session:
                count = session.scalar(select(func.count()).select_from(Channel)) or 0
                session.add(_channel(clock, str(100 + index + count * 0)))
        except BaseException as err:  # collected for the assertion below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _count(sqlite_db) == 4


def test_unreachable_postgres_is_one_line() -> None:
    database = Database("postgresql://nobody@127.0.0.1:1/nothing")
    with pytest.raises(DatabaseError) as caught:
        database.check()
    assert "cannot connect to postgresql" in str(caught.value)
    assert "nobody@127.0.0.1:1/nothing" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_bad_urls(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="invalid database URL"):
        Database("::not a url::")
    with pytest.raises(DatabaseError, match="unsupported database 'mysql'"):
        Database("mysql://x/y")
    with pytest.raises(DatabaseError, match=r"SQLite folder .* does not exist"):
        Database(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
