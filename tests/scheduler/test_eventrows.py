"""The fast event writer stores what the ORM stores (SQLite executemany, PostgreSQL COPY)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select, text

from retrovue.db import Database
from retrovue.db.models import PlaylogEvent, SequenceCursor
from retrovue.scheduler.dayplan import DayPlan, PlannedEvent
from retrovue.scheduler.eventrows import COLUMNS, write_cursors, write_events
from tests.scheduler.dbseed import add_assets, add_channel

DAY = date(2026, 3, 2)
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
BUILT = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
KATHMANDU = timezone(timedelta(hours=5, minutes=45))
AWKWARD = 'Tab\there, line\nbreak, CR\r, back\\slash, \\N, "quotes", \u00e9t\u00e9 \U0001f4fa'


def _plan(asset_id: int) -> DayPlan:
    second = START + timedelta(minutes=22, microseconds=314000)
    third = (second + timedelta(seconds=90)).astimezone(KATHMANDU)  # aware, not in UTC
    events = (
        PlannedEvent(
            START,
            second,
            "programme",
            AWKWARD,
            asset_id,
            1500,
            "Pilot\\t",
            "Series\tX",
            1,
            2,
            AWKWARD,
            "Morning",
            {"genres": ["drama", AWKWARD], "cut": True, "year": 1987},
        ),
        PlannedEvent(second, third, "filler", "Promo", asset_id, block_name=None),
        PlannedEvent(third, START + timedelta(days=1), "slate", "Off Air", guide={"slate": "x"}),
    )
    return DayPlan(DAY, START, START + timedelta(days=1), events, {})


def _orm_rows(channel_id: int, plan: DayPlan) -> list[PlaylogEvent]:
    return [
        PlaylogEvent(
            channel_id=channel_id,
            broadcast_day=plan.day,
            start_utc=event.start_utc,
            end_utc=event.end_utc,
            catalog_asset_id=event.asset_id,
            kind=event.kind,
            offset_ms=event.offset_ms,
            title=event.title,
            episode_title=event.episode_title,
            series_title=event.series_title,
            season=event.season,
            episode=event.episode,
            description=event.description,
            block_name=event.block_name,
            guide_json=dict(event.guide),
            built_utc=BUILT,
        )
        for event in plan.events
    ]


def _stored(database: Database, channel_id: int) -> list[tuple[Any, ...]]:
    """The rows as the database holds them (raw SQL: no type processing on the way out)."""
    columns = ", ".join(c for c in COLUMNS if c != "channel_id")
    with database.transaction() as session:
        rows = session.execute(
            text(
                f"SELECT {columns} FROM broadcast_playlog_event "
                "WHERE channel_id = :channel ORDER BY start_utc"
            ),
            {"channel": channel_id},
        ).all()
    return [tuple(row) for row in rows]


def test_written_rows_equal_what_the_orm_stores(db: Database) -> None:
    fast, orm = add_channel(db, "2"), add_channel(db, "3")
    (asset_id,) = add_assets(db, [{"guide_title": "Show"}])
    plan = _plan(asset_id)
    with db.transaction(immediate=True) as session:
        assert write_events(session, fast, plan, BUILT) == 3
    with db.transaction(immediate=True) as session:
        session.add_all(_orm_rows(orm, plan))
    stored = _stored(db, fast)
    assert stored == _stored(db, orm)
    with db.transaction() as session:
        events = list(
            session.scalars(
                select(PlaylogEvent)
                .where(PlaylogEvent.channel_id == fast)
                .order_by(PlaylogEvent.start_utc)
            )
        )
    assert [e.title for e in events] == [AWKWARD, "Promo", "Off Air"]
    assert events[0].description == AWKWARD
    assert events[0].series_title == "Series\tX"
    assert events[0].guide_json == {"genres": ["drama", AWKWARD], "cut": True, "year": 1987}
    assert events[1].end_utc == plan.events[2].start_utc.astimezone(UTC)
    assert events[1].end_utc.tzinfo is not None
    assert events[1].end_utc.utcoffset() == timedelta(0)
    assert events[2].catalog_asset_id is None
    assert events[2].episode_title is None
    assert {e.built_utc for e in events} == {BUILT}


def test_a_naive_time_is_refused_and_nothing_is_written(db: Database) -> None:
    channel_id = add_channel(db)
    naive = PlannedEvent(START.replace(tzinfo=None), START + timedelta(hours=1), "slate", "x")
    plan = DayPlan(DAY, START, START + timedelta(hours=1), (naive,), {})
    with pytest.raises(ValueError, match="naive"), db.transaction(immediate=True) as session:
        write_events(session, channel_id, plan, BUILT)
    assert _stored(db, channel_id) == []


def test_cursor_states_equal_what_the_orm_stores(db: Database) -> None:
    fast, orm = add_channel(db, "2"), add_channel(db, "3")
    states = {
        "rule:abc": {"round": 2, "played": [3, 1, 2]},
        "carry": {"asset_id": 7, "offset_ms": 1500, "block": AWKWARD},
    }
    plan = DayPlan(DAY, START, START + timedelta(days=1), (), states)
    with db.transaction(immediate=True) as session:
        write_cursors(session, fast, plan, BUILT)
    with db.transaction(immediate=True) as session:
        session.add_all(
            SequenceCursor(
                channel_id=orm, cursor_key=k, broadcast_day=DAY, state=v, updated_utc=BUILT
            )
            for k, v in states.items()
        )
    query = (
        "SELECT cursor_key, broadcast_day, state, updated_utc FROM broadcast_sequence_cursor "
        "WHERE channel_id = :channel ORDER BY cursor_key"
    )
    with db.transaction() as session:
        stored = session.execute(text(query), {"channel": fast}).all()
        assert stored == session.execute(text(query), {"channel": orm}).all()
        assert len(stored) == 2
        read = session.scalars(select(SequenceCursor).where(SequenceCursor.channel_id == fast))
        assert {c.cursor_key: c.state for c in read} == states
