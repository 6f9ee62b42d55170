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
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.orm import Session

from retrovue.db.models.broadcast import PlaylogEvent, SequenceCursor
from retrovue.scheduler.dayplan import DayPlan

Columns = tuple[str, ...]
TABLE = PlaylogEvent.__tablename__
CURSOR_TABLE = SequenceCursor.__tablename__
CURSOR_COLUMNS = ("channel_id", "cursor_key", "broadcast_day", "state", "updated_utc")
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


def _encoded_times(plan: DayPlan, encode: Callable[[datetime], str]) -> dict[datetime, str]:
    """Each instant of the day encoded once (one event ends where the next one starts)."""
    instants = {event.start_utc for event in plan.events}
    instants.update(event.end_utc for event in plan.events)
    return {instant: encode(instant) for instant in instants}


def sqlite_rows(channel_id: int, plan: DayPlan, built_utc: datetime) -> list[tuple[Any, ...]]:
    """The day's events as tuples in :data:`COLUMNS` order, as SQLite stores them."""
    times = _encoded_times(plan, _sqlite_time)
    day = plan.day.isoformat()
    built = _sqlite_time(built_utc)
    return [
        (
            channel_id,
            day,
            times[event.start_utc],
            times[event.end_utc],
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


def _write_sqlite(
    session: Session, rows: list[tuple[Any, ...]], table: str = TABLE, columns: Columns = COLUMNS
) -> None:
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    session.connection().exec_driver_sql(sql, rows)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _pg_time(value: datetime) -> str:
    """A ``timestamptz`` literal: ``YYYY-MM-DD HH:MM:SS.ffffff+00:00``."""
    return _utc(value).isoformat(" ", "microseconds")


def _escaper() -> Callable[[str | None], str]:
    """``COPY`` text of an optional string, memoised: titles, block names and guide texts repeat
    from event to event, and ``str.translate`` with multi-character replacements is slow."""
    done: dict[str | None, str] = {None: _NULL}

    def escape(value: str | None) -> str:
        found = done.get(value)
        if found is None:
            found = done[value] = cast(str, value).translate(_COPY_ESCAPES)
        return found

    return escape


def copy_text(channel_id: int, plan: DayPlan, built_utc: datetime) -> str:
    """The day's events in ``COPY``'s text format, columns in :data:`COLUMNS` order: tab
    separated, ``\\N`` for NULL, backslash, tab, newline and carriage return escaped. Made
    inline, field by field: psycopg's per-row ``write_row`` costs several times more."""
    times = _encoded_times(plan, _pg_time)
    head = f"{channel_id}\t{plan.day.isoformat()}\t"
    tail = f"\t{_pg_time(built_utc)}\n"
    q = _escaper()
    return "".join(
        f"{head}{times[e.start_utc]}\t{times[e.end_utc]}\t"
        f"{_NULL if e.asset_id is None else int(e.asset_id)}\t{q(e.kind)}\t"
        f"{int(e.offset_ms)}\t{q(e.title)}\t{q(e.episode_title)}\t{q(e.series_title)}\t"
        f"{_NULL if e.season is None else int(e.season)}\t"
        f"{_NULL if e.episode is None else int(e.episode)}\t"
        f"{q(e.description)}\t{q(e.block_name)}\t{q(_guide_text(e.guide))}{tail}"
        for e in plan.events
    )


def _write_postgresql(
    session: Session, text: str, table: str = TABLE, columns: Columns = COLUMNS
) -> None:
    """One ``COPY ... FROM STDIN`` per day, on the session's connection (its transaction)."""
    raw = session.connection().connection.driver_connection
    if raw is None:  # pragma: no cover - a pooled connection always has its driver connection
        raise RuntimeError("no driver connection for COPY")
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(text)


def write_events(session: Session, channel_id: int, plan: DayPlan, built_utc: datetime) -> int:
    """Insert the day's events in the session's transaction; returns how many."""
    if not plan.events:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        _write_sqlite(session, sqlite_rows(channel_id, plan, built_utc))
    elif dialect == "postgresql":
        _write_postgresql(session, copy_text(channel_id, plan, built_utc))
    else:  # pragma: no cover - Database accepts only these two
        raise RuntimeError(f"no event writer for {dialect}")
    return len(plan.events)


def write_cursors(session: Session, channel_id: int, plan: DayPlan, built_utc: datetime) -> None:
    """Insert the cursor states after the day (same encodings and path as the events)."""
    if not plan.cursors:
        return
    dialect = session.get_bind().dialect.name
    items = list(plan.cursors.items())
    if dialect == "sqlite":
        day, built = plan.day.isoformat(), _sqlite_time(built_utc)
        rows = [(channel_id, key, day, json.dumps(dict(state)), built) for key, state in items]
        _write_sqlite(session, rows, CURSOR_TABLE, CURSOR_COLUMNS)
    elif dialect == "postgresql":
        q = _escaper()
        head, tail = f"{channel_id}\t", f"\t{plan.day.isoformat()}\t"
        end = f"\t{_pg_time(built_utc)}\n"
        text = "".join(
            f"{head}{q(key)}{tail}{q(json.dumps(dict(state)))}{end}" for key, state in items
        )
        _write_postgresql(session, text, CURSOR_TABLE, CURSOR_COLUMNS)
    else:  # pragma: no cover - Database accepts only these two
        raise RuntimeError(f"no cursor writer for {dialect}")
