"""The guide service on SQLite and PostgreSQL: what it reads, what it renders, when it rebuilds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from lxml import etree
from sqlalchemy import select, update

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel, PlaylogEvent
from retrovue.guide import store
from retrovue.guide.entries import build_entries
from retrovue.guide.model import GuideEvent, GuideSnapshot
from retrovue.guide.service import GuideService
from retrovue.testing.guide_station import seed_station
from tests.guide.factories import add_asrun, add_asset, add_channel, add_event
from tests.guide.helpers import validate_xmltv

BASE = "http://192.0.2.10:5004"


def _every_row(database: Database, snapshot: GuideSnapshot) -> GuideSnapshot:
    """The same snapshot with every playlog row read one by one (no filler runs)."""
    with database.transaction() as session:
        rows = session.scalars(
            select(PlaylogEvent).order_by(PlaylogEvent.channel_id, PlaylogEvent.start_utc)
        ).all()
        events = tuple(
            GuideEvent(
                r.channel_id,
                r.kind,
                r.start_utc,
                r.end_utc,
                r.title,
                r.episode_title,
                r.series_title,
                r.season,
                r.episode,
                r.description,
                r.catalog_asset_id,
                r.block_name,
                r.guide_json,
            )
            for r in rows
        )
    return GuideSnapshot(
        snapshot.window_start_utc,
        snapshot.window_end_utc,
        snapshot.channels,
        events,
        snapshot.assets,
        snapshot.first_aired_utc,
    )


def _summary(snapshot: GuideSnapshot) -> list[tuple[object, ...]]:
    return [
        (e.channel_xmltv_id, e.start_utc, e.stop_utc, e.programme.title, e.programme.new)
        for e in build_entries(snapshot)
    ]


def test_filler_runs_read_give_the_same_guide_as_every_row(db: Database, clock: FakeClock) -> None:
    start = clock.now_utc() - timedelta(days=1, hours=3)
    seed_station(db, start, channels=3, hours=30)
    channel = add_channel(db, clock.now_utc(), "50", name="Slates")
    t = clock.now_utc()
    add_event(db, channel, t - timedelta(hours=2), t, kind="slate", title="Off Air")
    add_event(db, channel, t, t + timedelta(minutes=10), kind="filler", title="Promo")
    add_event(db, channel, t + timedelta(minutes=10), t + timedelta(minutes=12), kind="filler")
    # the window ends after the data on every channel: trailing runs are read row by row
    for window_end in (t + timedelta(hours=2), t + timedelta(days=2)):
        snapshot = store.read_snapshot(db, t - timedelta(days=1), window_end)
        assert len(snapshot.events) < len(_every_row(db, snapshot).events) / 3
        assert _summary(snapshot) == _summary(_every_row(db, snapshot))
    slates = [s for s in _summary(snapshot) if s[0] == "50.retrovue"]
    assert [(s[3], s[2] - s[1]) for s in slates] == [
        ("Off Air", timedelta(hours=2)),
        ("Promo", timedelta(minutes=12)),
    ]


def test_only_enabled_channels_appear(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    now = clock.now_utc()
    add_channel(db, now, "3", name="On")
    add_channel(db, now, "4", name="Off", enabled=False)
    doc = etree.fromstring(GuideService(db, clock, days=1).xmltv(BASE).body)
    assert [c.get("id") for c in doc.findall("channel")] == ["3.retrovue"]
    assert {p.get("channel") for p in doc.findall("programme")} == {"3.retrovue"}
    m3u = GuideService(db, clock).m3u(BASE).body.decode()
    assert 'tvg-id="3.retrovue"' in m3u
    assert "Off" not in m3u


def test_new_only_when_never_aired_on_that_channel(db: Database, clock: FakeClock) -> None:
    now = clock.now_utc()
    one, two = add_channel(db, now, "1"), add_channel(db, now, "2")
    planned_before = add_asset(db, now, "Planned Before")
    aired_before = add_asset(db, now, "Aired Before")
    failed_before = add_asset(db, now, "Failed Before")
    fresh = add_asset(db, now, "Fresh")
    week_ago = now - timedelta(days=7)
    add_event(db, one, week_ago, week_ago + timedelta(minutes=30), catalog_asset_id=planned_before)
    add_asrun(db, one, aired_before, now - timedelta(days=30))
    add_asrun(db, one, failed_before, now - timedelta(days=30), status="failed")
    slot = now
    for channel in (one, two):
        for asset in (planned_before, aired_before, failed_before, fresh):
            add_event(db, channel, slot, slot + timedelta(minutes=30), catalog_asset_id=asset)
            slot += timedelta(minutes=30)
    doc = etree.fromstring(GuideService(db, clock, days=1).xmltv(BASE).body)
    marked = [
        (p.get("channel"), p.find("new") is not None)
        for p in doc.findall("programme")
        if p.find("new") is not None or p.find("previously-shown") is not None
    ]
    per_channel = {
        channel: [new for at, new in marked if at == channel]
        for channel in ("1.retrovue", "2.retrovue")
    }
    assert per_channel["1.retrovue"] == [False, False, True, True]
    assert per_channel["2.retrovue"] == [True, True, True, True]


def test_hostile_station_from_the_database_validates(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    seed_station(db, clock.now_utc() - timedelta(days=1), channels=5, hours=36, hostile=True)
    add_channel(db, clock.now_utc(), "99", name="Nothing & <Yet>")
    rendered = GuideService(db, clock, days=1).xmltv(BASE)
    output = validate_xmltv(rendered.body, tmp_path)
    assert "Validated ok" in output, output
    doc = etree.fromstring(rendered.body)
    assert len(doc.findall("channel")) == 6
    empty = [p for p in doc.findall("programme") if p.get("channel") == "99.retrovue"]
    assert empty[0].findtext("title") == "Nothing & <Yet>"
    assert empty[0].get("start") == (clock.now_utc() - timedelta(days=1)).strftime(
        "%Y%m%d%H%M%S +0000"
    )
    assert empty[-1].get("stop") == (clock.now_utc() + timedelta(days=1)).strftime(
        "%Y%m%d%H%M%S +0000"
    )
    titles = " ".join(p.findtext("title") or "" for p in doc.findall("programme"))
    assert "Tom & Jerry <Uncut>" in titles
    assert "📺🎬" in titles


def test_render_is_cached_until_something_changes(db: Database, clock: FakeClock) -> None:
    now = clock.now_utc()
    channel = add_channel(db, now, "5")
    add_event(db, channel, now, now + timedelta(minutes=30), title="First")
    guide = GuideService(db, clock, days=1)
    first = guide.xmltv(BASE)
    assert guide.xmltv(BASE) is first
    assert guide.renders == 1
    clock.advance(minutes=10)  # same hour: same window
    assert guide.xmltv(BASE) is first
    add_event(db, channel, now + timedelta(minutes=30), now + timedelta(hours=1), title="Second")
    second = guide.xmltv(BASE)
    assert guide.renders == 2
    assert second.etag != first.etag
    assert b"Second" in second.body
    with db.transaction() as session:
        session.execute(
            update(Channel)
            .where(Channel.id == channel)
            .values(name="Renamed", updated_utc=clock.now_utc())
        )
    third = guide.xmltv(BASE)
    assert guide.renders == 3
    assert b"Renamed" in third.body
    guide.invalidate()  # nothing changed: same bytes, same validators
    again = guide.xmltv(BASE)
    assert guide.renders == 4
    assert (again.etag, again.last_modified_utc) == (third.etag, third.last_modified_utc)
    clock.advance(hours=1)  # the window moves on the hour
    guide.xmltv(BASE)
    assert guide.renders == 5
    with db.transaction() as session:
        session.execute(PlaylogEvent.__table__.delete())
    assert b"Second" not in guide.xmltv(BASE).body


def test_local_logo_becomes_a_url_served_by_channel_number(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("no")
    now = clock.now_utc()
    add_channel(db, now, "6", logo=str(logo))
    add_channel(db, now, "7", logo="https://cdn.example/7.png")
    add_channel(db, now, "8", logo=str(secret))
    add_channel(db, now, "9", logo=str(tmp_path / "missing.png"))
    guide = GuideService(db, clock, days=1)
    doc = etree.fromstring(guide.xmltv(BASE).body)
    icons = {c.get("id"): c.find("icon") for c in doc.findall("channel")}
    icon6, icon7 = icons["6.retrovue"], icons["7.retrovue"]
    assert icon6 is not None
    assert icon7 is not None
    assert icon6.get("src") == f"{BASE}/guide/logo/6"
    assert icon7.get("src") == "https://cdn.example/7.png"
    assert icons["8.retrovue"] is None
    assert icons["9.retrovue"] is None
    assert guide.logo_file("6") == logo
    assert guide.logo_file("8") is None
    assert guide.logo_file("../6") is None
    assert f'tvg-logo="{BASE}/guide/logo/6"' in guide.m3u(BASE).body.decode()


def test_rows_rewritten_in_place_are_seen_within_the_deep_recheck(
    db: Database, clock: FakeClock
) -> None:
    now = clock.now_utc()
    channel = add_channel(db, now, "5")
    asset = add_asset(db, now, "Withdrawn Soon")
    event = add_event(
        db,
        channel,
        now,
        now + timedelta(minutes=30),
        title="Withdrawn Soon",
        catalog_asset_id=asset,
    )
    guide = GuideService(db, clock, days=1)
    assert b"Withdrawn Soon" in guide.xmltv(BASE).body
    with db.transaction() as session:  # what the scheduler does to an unairable event
        session.execute(
            update(PlaylogEvent)
            .where(PlaylogEvent.id == event)
            .values(
                kind="slate",
                title="Off Air",
                catalog_asset_id=None,
                built_utc=now + timedelta(seconds=5),
            )
        )
    assert b"Withdrawn Soon" in guide.xmltv(BASE).body  # ids unchanged: cached
    clock.advance(guide.deep_recheck_s)
    body = guide.xmltv(BASE).body
    assert b"Withdrawn Soon" not in body
    assert b"Off Air" in body
