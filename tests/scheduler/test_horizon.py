"""The horizon service and the queries, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select, text

from retrovue.broadcast.catalog import revoke_catalog
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models import CatalogAsset, PlaylogEvent, SequenceCursor, TemplateBlock
from retrovue.errors import ScheduleError
from retrovue.scheduler.horizon import build_horizon, rebuild_after_catalog_change
from retrovue.scheduler.orchestrator import keep_horizon
from retrovue.scheduler.query import day_events, events_from, on_air
from tests.scheduler.dbseed import (
    add_assets,
    add_channel,
    add_template,
    assign,
    filler_rows,
    series_rows,
)

LOCK_SQL = "hashtext('retrovue.horizon' || '.' || current_schema())"
TODAY = date(2026, 3, 2)  # the clock fixture: Monday 2026-03-02 12:00 UTC


def _events(database: Database, channel_id: int) -> list[PlaylogEvent]:
    with database.transaction() as session:
        return list(
            session.scalars(
                select(PlaylogEvent)
                .where(PlaylogEvent.channel_id == channel_id)
                .order_by(PlaylogEvent.start_utc)
            )
        )


def _by_day(events: list[PlaylogEvent]) -> dict[date, list[PlaylogEvent]]:
    days: dict[date, list[PlaylogEvent]] = {}
    for event in events:
        days.setdefault(event.broadcast_day, []).append(event)
    return days


def _seed_station(database: Database) -> int:
    channel_id = add_channel(database)
    template = add_template(
        database,
        "weekday",
        [
            ("06:00", 720, {"order": "shuffle", "kind": "movie", "overrun": "skip"}, "Day"),
            ("18:00", 60, {"series": "Cheers"}, "Cheers"),
            ("19:00", 660, {"order": "random", "series": "Taxi"}, "Night"),
        ],
    )
    assign(database, channel_id, template)
    add_assets(database, series_rows("Cheers", 10, 22) + series_rows("Taxi", 30, 25))
    add_assets(
        database,
        [
            {"kind": "movie", "guide_title": f"Film {n}", "duration_ms": (80 + n) * 60_000}
            for n in range(12)
        ],
    )
    add_assets(database, filler_rows(8, 30))
    return channel_id


def test_build_fills_days_contiguously_once(db: Database, clock: FakeClock) -> None:
    channel_id = _seed_station(db)
    summary = build_horizon(db, clock, days=3)
    assert (summary.days_built, summary.days_kept, summary.channels) == (3, 0, 1)
    days = _by_day(_events(db, channel_id))
    assert sorted(days) == [TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=2)]
    for day, events in days.items():
        assert events[0].start_utc == datetime.combine(day, datetime.min.time(), UTC) + timedelta(
            hours=6
        )
        assert events[-1].end_utc - events[0].start_utc == timedelta(hours=24)
        for previous, following in pairwise(events):
            assert previous.end_utc == following.start_utc
    ids = [e.id for e in _events(db, channel_id)]
    again = build_horizon(db, clock, days=3)
    assert (again.days_built, again.days_kept, again.events_written) == (0, 3, 0)
    assert [e.id for e in _events(db, channel_id)] == ids


def test_sequential_cursor_continues_and_a_rebuild_uses_the_state_of_the_day_before(
    db: Database, clock: FakeClock
) -> None:
    channel_id = add_channel(db)
    assign(db, channel_id, add_template(db, "t", [("20:00", 30, {"series": "Cheers"}, None)]))
    add_assets(db, series_rows("Cheers", 9, 22))
    build_horizon(db, clock, days=4)

    def episodes() -> list[int | None]:
        return [e.episode for e in _events(db, channel_id) if e.kind == "programme"]

    assert episodes() == [1, 2, 3, 4]
    before = {e.id for e in _events(db, channel_id)}
    summary = build_horizon(db, clock, days=4, rebuild_from=TODAY + timedelta(days=2))
    assert summary.days_replaced == 2
    assert episodes() == [1, 2, 3, 4]
    after = _events(db, channel_id)
    assert {e.id for e in after if e.broadcast_day < TODAY + timedelta(days=2)} <= before
    assert not {e.id for e in after if e.broadcast_day >= TODAY + timedelta(days=2)} & before
    with db.transaction() as session:
        cursor_days = session.scalars(
            select(SequenceCursor.broadcast_day).where(SequenceCursor.channel_id == channel_id)
        ).all()
    assert sorted(cursor_days) == [TODAY + timedelta(days=n) for n in range(4)]


def test_rebuild_never_replaces_the_day_on_air(db: Database, clock: FakeClock) -> None:
    channel_id = _seed_station(db)
    build_horizon(db, clock, days=2)
    today_ids = [e.id for e in _events(db, channel_id) if e.broadcast_day == TODAY]
    summary = build_horizon(db, clock, days=2, rebuild_from=TODAY - timedelta(days=3))
    assert summary.days_replaced == 1
    assert any("is on air and is kept" in note for note in summary.notes)
    assert [e.id for e in _events(db, channel_id) if e.broadcast_day == TODAY] == today_ids


def test_assignment_precedence_and_slate_day_without_template(
    db: Database, clock: FakeClock
) -> None:
    channel_id = add_channel(db)
    add_assets(db, series_rows("Cheers", 5, 30) + series_rows("Taxi", 5, 30))
    weekday = add_template(db, "tue", [("06:00", 1440, {"series": "Taxi"}, None)])
    dated = add_template(db, "special", [("06:00", 1440, {"series": "Cheers"}, None)])
    assign(db, channel_id, weekday, weekday=1)  # Tuesday
    assign(db, channel_id, dated, on=datetime(2026, 3, 4, tzinfo=UTC))
    summary = build_horizon(db, clock, days=3)
    days = _by_day(_events(db, channel_id))
    assert [(e.kind, e.title) for e in days[TODAY]] == [("slate", "Off Air")]
    assert {e.series_title for e in days[TODAY + timedelta(days=1)] if e.kind == "programme"} == {
        "Taxi"
    }
    assert {e.series_title for e in days[TODAY + timedelta(days=2)] if e.kind == "programme"} == {
        "Cheers"
    }
    assert summary.slate_days == ["channel 2 2026-03-02: no template assigned"]


def test_empty_catalog_builds_slate_blocks_and_says_so(db: Database, clock: FakeClock) -> None:
    channel_id = add_channel(db)
    assign(db, channel_id, add_template(db, "t", [("18:00", 120, {}, "Movie Night")]))
    summary = build_horizon(db, clock, days=1)
    events = _events(db, channel_id)
    movie_night = [e for e in events if e.title == "Movie Night"]
    assert [(e.kind, e.guide_json) for e in movie_night] == [
        ("slate", {"slate": "nothing eligible"})
    ]
    assert movie_night[0].start_utc == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    assert movie_night[0].end_utc == datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    assert any("nothing cleared to air" in note for note in summary.notes)


def test_prune_keeps_history_days(db: Database, clock: FakeClock) -> None:
    channel_id = _seed_station(db)
    build_horizon(db, clock, days=2)
    clock.advance(days=10)
    summary = build_horizon(db, clock, days=2, history_days=3)
    assert summary.events_pruned > 0
    remaining = sorted(_by_day(_events(db, channel_id)))
    assert remaining == [TODAY + timedelta(days=10), TODAY + timedelta(days=11)]


def test_a_failing_day_leaves_no_partial_day(db: Database, clock: FakeClock) -> None:
    channel_id = _seed_station(db)
    bad = add_template(db, "broken", [("06:00", 60, {}, None)])
    with db.transaction() as session:
        block = session.scalars(select(TemplateBlock).where(TemplateBlock.template_id == bad)).one()
        block.rule_json = {"colour": "blue"}  # written behind the admin's back
    assign(db, channel_id, bad, on=datetime(2026, 3, 3, tzinfo=UTC))
    with pytest.raises(ScheduleError, match=r"template 'broken'.*colour"):
        build_horizon(db, clock, days=3)
    days = _by_day(_events(db, channel_id))
    assert sorted(days) == [TODAY]
    with db.transaction() as session:
        assert (
            session.scalar(
                select(SequenceCursor.id).where(
                    SequenceCursor.broadcast_day == TODAY + timedelta(days=1)
                )
            )
            is None
        )


def test_on_air_and_events_from(db: Database, clock: FakeClock) -> None:
    channel_id = _seed_station(db)
    build_horizon(db, clock, days=1)
    at = datetime(2026, 3, 2, 18, 10, tzinfo=UTC)
    with db.transaction() as session:
        current = on_air(session, channel_id, at)
        upcoming = events_from(session, channel_id, at, 5)
        assert on_air(session, channel_id, datetime(2026, 3, 9, tzinfo=UTC)) is None
        day = day_events(session, channel_id, TODAY)
    assert current is not None
    assert current.series == "Cheers"
    assert current.episode == 1
    assert current.offset_ms == 10 * 60_000
    assert current.asset_offset_ms == 10 * 60_000
    assert current.file_path is not None
    assert upcoming[0] == current
    assert len(upcoming) == 5
    assert [u.start_utc for u in upcoming[1:]] == [e.start_utc for e in day if e.start_utc > at][:4]


def test_revoked_assets_leave_every_future_event(db: Database, clock: FakeClock) -> None:
    channel_id = _seed_station(db)
    build_horizon(db, clock, days=4)
    with db.transaction() as session:
        aired = set(
            session.scalars(
                select(PlaylogEvent.catalog_asset_id).where(
                    PlaylogEvent.start_utc > clock.now_utc(),
                    PlaylogEvent.catalog_asset_id.is_not(None),
                )
            )
        )
    revoked = sorted(aired)[: len(aired) // 2]
    revoke_catalog(db, clock, revoked)
    with db.transaction() as session:
        session.execute(
            CatalogAsset.__table__.update()
            .where(CatalogAsset.id == sorted(aired)[-1])
            .values(available=False)
        )
    summary = rebuild_after_catalog_change(db, clock)
    assert summary.days_replaced == 3
    assert summary.events_slated > 0
    with db.transaction() as session:
        rows = session.execute(
            select(PlaylogEvent.catalog_asset_id, CatalogAsset.canonical, CatalogAsset.available)
            .join(CatalogAsset, CatalogAsset.id == PlaylogEvent.catalog_asset_id)
            .where(PlaylogEvent.start_utc > clock.now_utc())
        ).all()
    assert rows
    assert all(canonical and available for _, canonical, available in rows)
    for events in _by_day(_events(db, channel_id)).values():
        for previous, following in pairwise(events):
            assert previous.end_utc == following.start_utc


def test_a_plain_build_pass_also_replaces_withdrawn_assets(db: Database, clock: FakeClock) -> None:
    channel_id = _seed_station(db)
    build_horizon(db, clock, days=3)
    with db.transaction() as session:
        aired = session.scalars(
            select(PlaylogEvent.catalog_asset_id).where(
                PlaylogEvent.broadcast_day == TODAY + timedelta(days=2),
                PlaylogEvent.kind == "programme",
            )
        ).first()
        session.execute(
            CatalogAsset.__table__.update().where(CatalogAsset.id == aired).values(available=False)
        )
    summary = build_horizon(db, clock, days=3)
    assert summary.days_replaced >= 1
    assert any("may no longer air" in note for note in summary.notes)
    future = [e for e in _events(db, channel_id) if e.start_utc > clock.now_utc()]
    assert aired not in {e.catalog_asset_id for e in future}
    assert len(_by_day(_events(db, channel_id))) == 3


def test_withdrawn_assets_are_slated_on_the_day_on_air_and_rebuilt_on_later_days(
    db: Database, clock: FakeClock
) -> None:
    """A build of one channel slates the withdrawn asset's events still to come on the day on
    air of every channel; later days keep them until their own channel's pass rebuilds them (a
    slate there would never be repaired: no asset points at the withdrawal any more)."""
    _seed_station(db)
    other = add_channel(db, "3")
    assign(db, other, add_template(db, "taxi", [("06:00", 1440, {"series": "Taxi"}, "Taxi")]))
    build_horizon(db, clock, days=3)
    now = clock.now_utc()
    later = TODAY + timedelta(days=2)
    days = _by_day(_events(db, other))
    today_assets = {e.catalog_asset_id for e in days[TODAY] if e.start_utc > now}
    withdrawn = next(e.catalog_asset_id for e in days[later] if e.catalog_asset_id in today_assets)
    with db.transaction() as session:
        session.execute(
            CatalogAsset.__table__.update()
            .where(CatalogAsset.id == withdrawn)
            .values(available=False)
        )
    withdrawn_today = [
        (e.start_utc, e.end_utc) for e in days[TODAY] if e.catalog_asset_id == withdrawn
    ]
    summary = build_horizon(db, clock, channel_number="2", days=3)
    assert summary.events_slated >= len([s for s, _ in withdrawn_today if s > now]) > 0
    days = _by_day(_events(db, other))
    slated = [
        (e.start_utc, e.end_utc, e.title, e.guide_json)
        for e in days[TODAY]
        if e.guide_json == {"slate": "withdrawn"}
    ]
    assert slated == [(s, e, "Taxi", {"slate": "withdrawn"}) for s, e in withdrawn_today if s > now]
    assert withdrawn in {e.catalog_asset_id for e in days[later]}
    summary = build_horizon(db, clock, days=3)
    assert any(note.startswith("channel 3: days from") for note in summary.notes)
    after_today = [e for e in _events(db, other) if e.broadcast_day > TODAY]
    assert after_today
    assert withdrawn not in {e.catalog_asset_id for e in after_today}
    assert not [e for e in after_today if e.guide_json == {"slate": "withdrawn"}]


def test_blocks_off_the_grid_are_noted(db: Database, clock: FakeClock) -> None:
    channel_id = add_channel(db, grid_minutes=30)
    assign(db, channel_id, add_template(db, "odd", [("06:10", 60, {}, None)]))
    add_assets(db, series_rows("Cheers", 3, 22))
    summary = build_horizon(db, clock, days=1)
    assert any("06:10 is off the 30-minute grid" in note for note in summary.notes)


def test_advisory_lock_lets_one_appliance_build(pg_db: Database, clock: FakeClock) -> None:
    _seed_station(pg_db)
    with pg_db.engine.connect() as other:
        taken = other.execute(text(f"SELECT pg_try_advisory_lock({LOCK_SQL})")).scalar()
        other.commit()
        assert taken
        skipped = build_horizon(pg_db, clock, days=1)
        assert skipped.skipped is not None
        assert skipped.days_built == 0
        other.execute(text(f"SELECT pg_advisory_unlock({LOCK_SQL})"))
        other.commit()
    assert build_horizon(pg_db, clock, days=1).days_built == 1


async def test_keeper_extends_the_horizon_as_the_clock_moves(
    sqlite_db: Database, clock: FakeClock
) -> None:
    channel_id = _seed_station(sqlite_db)
    passes: asyncio.Queue[object] = asyncio.Queue()
    task = asyncio.create_task(
        keep_horizon(
            sqlite_db, clock, days=2, history_days=7, interval_s=3600, on_pass=passes.put_nowait
        )
    )
    try:
        first = await asyncio.wait_for(passes.get(), 60)
        assert first.days_built == 2  # type: ignore[attr-defined]
        clock.advance(days=1)
        second = await asyncio.wait_for(passes.get(), 60)
        assert second.days_built == 1  # type: ignore[attr-defined]
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert sorted(_by_day(_events(sqlite_db, channel_id))) == [
        TODAY,
        TODAY + timedelta(days=1),
        TODAY + timedelta(days=2),
    ]


def test_every_instant_of_the_horizon_has_one_event_and_an_offset_inside_it(
    db: Database, clock: FakeClock
) -> None:
    channel_id = _seed_station(db)
    build_horizon(db, clock, days=2)
    with db.transaction() as session:
        durations = dict(session.execute(select(CatalogAsset.id, CatalogAsset.duration_ms)).all())
        start = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
        for step in range(0, 48 * 3600, 977):  # an odd step: lands everywhere in events
            at = start + timedelta(seconds=step, milliseconds=step % 1000)
            found = on_air(session, channel_id, at)
            assert found is not None
            assert found.start_utc <= at < found.end_utc
            assert 0 <= found.offset_ms < found.duration_ms
            if found.catalog_asset_id is not None:
                assert 0 <= found.asset_offset_ms < durations[found.catalog_asset_id]
