"""Writing one built day's playlog events: the hot path of a horizon build.

A 14-day horizon of 100 channels is about a quarter of a million event rows, so the rows skip
SQLAlchemy's per-row parameter handling: they are encoded here once, in plain tuples, the way the
columns' own types store them, and handed to the driver in one call per day: ``COPY ... FROM
STDIN`` on PostgreSQL (psycopg 3), one ``executemany`` on SQLite. Both run on the session's own
connection, inside the caller's transaction (one per channel-day), so nothing about atomicity
changes. The stored values are exactly what the ORM would store (``tests/scheduler`` reads them
back through the models).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from retrovue.db.models.broadcast import PlaylogEvent
from retrovue.scheduler.playlog import DayPlan

TABLE = PlaylogEvent.__tablename__
COLUMNS = (
    "channel_id",
    "broadcast_day",
    "start_utc",
    "end_utc",
    "catalog_asset_id",
    "kind",
    "offset_ms",
    "title",
    "episode_title",
    "series_title",
    "season",
    "episode",
    "description",
    "block_name",
    "guide_json",
    "built_utc",
)
_EMPTY_JSON = json.dumps({})


def _utc(value: datetime) -> datetime:
    """An aware instant in UTC (what ``UTCDateTime`` stores); naive values are refused."""
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC)


def _sqlite_time(value: datetime) -> str:
    """SQLAlchemy's SQLite ``DATETIME`` text: ``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC, no zone)."""
    return _utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _guide_text(guide: Mapping[str, Any]) -> str:
    return json.dumps(dict(guide)) if guide else _EMPTY_JSON


def encode_rows(
    channel_id: int,
    plan: DayPlan,
    built_utc: datetime,
    encode_time: Callable[[datetime], Any],
    encode_day: Callable[[date], Any],
) -> list[tuple[Any, ...]]:
    """The day's events as tuples in :data:`COLUMNS` order (times encoded once each: one event
    ends where the next one starts)."""
    times: dict[datetime, Any] = {}

    def at(value: datetime) -> Any:
        found = times.get(value)
        if found is None:
            found = times[value] = encode_time(value)
        return found

    day = encode_day(plan.day)
    built = encode_time(built_utc)
    return [
        (
            channel_id,
            day,
            at(event.start_utc),
            at(event.end_utc),
            event.asset_id,
            event.kind,
            event.offset_ms,
            event.title,
            event.episode_title,
            event.series_title,
            event.season,
            event.episode,
            event.description,
            event.block_name,
            _guide_text(event.guide),
            built,
        )
        for event in plan.events
    ]


def _write_sqlite(session: Session, rows: list[tuple[Any, ...]]) -> None:
    marks = ", ".join("?" for _ in COLUMNS)
    sql = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({marks})"
    session.connection().exec_driver_sql(sql, rows)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: Any) -> str:
    """One value in ``COPY``'s text format (``\\N`` is NULL; backslash and separators escaped)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


def _pg_time(value: datetime) -> str:
    """A ``timestamptz`` literal: ``YYYY-MM-DD HH:MM:SS.ffffff+00:00``."""
    return _utc(value).isoformat(" ", "microseconds")


def _write_postgresql(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """One ``COPY ... FROM STDIN`` per day, its text made here in one piece (psycopg's per-row
    ``write_row`` costs several times more client CPU than the insert costs the server)."""
    raw = session.connection().connection.driver_connection
    if raw is None:  # pragma: no cover - a pooled connection always has its driver connection
        raise RuntimeError("no driver connection for COPY")
    text = "".join("\t".join(map(_copy_field, row)) + "\n" for row in rows)
    sql = f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(text)


def write_events(session: Session, channel_id: int, plan: DayPlan, built_utc: datetime) -> int:
    """Insert the day's events in the session's transaction; returns how many."""
    if not plan.events:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        rows = encode_rows(channel_id, plan, built_utc, _sqlite_time, date.isoformat)
        _write_sqlite(session, rows)
    elif dialect == "postgresql":
        rows = encode_rows(channel_id, plan, built_utc, _pg_time, date.isoformat)
        _write_postgresql(session, rows)
    else:  # pragma: no cover - Database accepts only these two
        raise RuntimeError(f"no event writer for {dialect}")
    return len(rows)
