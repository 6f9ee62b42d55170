"""Guide entries from playlog events: grouping, fallbacks, new/previously-shown (pure)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.guide.entries import (
    NO_PROGRAMME_TEXT,
    STRETCH_MAX_S,
    build_entries,
    onscreen,
    slot_end_utc,
    xmltv_ns,
)
from retrovue.guide.model import GuideAsset, GuideChannel, GuideEvent, GuideSnapshot

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CH = GuideChannel(id=1, number="7", name="Retro Seven")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ev(kind: str, start: float, end: float, title: str = "", **kw: object) -> GuideEvent:
    return GuideEvent(1, kind, at(start), at(end), title, **kw)  # type: ignore[arg-type]


def snap(events: list[GuideEvent], **kw: object) -> GuideSnapshot:
    fields: dict[str, object] = {
        "window_start_utc": at(0),
        "window_end_utc": at(24 * 60),
        "channels": (CH,),
        "events": tuple(events),
        "assets": {},
        "first_aired_utc": {},
    }
    fields.update(kw)
    return GuideSnapshot(**fields)  # type: ignore[arg-type]


def test_filler_and_padding_belong_to_the_programme_until_the_next_programme() -> None:
    events = [
        ev("programme", 0, 22, "Show A", catalog_asset_id=10),
        ev("filler", 22, 23, "Bumper"),
        ev("filler", 23, 27, "Promo"),
        ev("slate", 27, 30, "Padding", extra={"slate": "padding"}),
        ev("programme", 30, 52, "Show B", catalog_asset_id=11),
        ev("filler", 52, 60, "Bumper"),
    ]
    entries = build_entries(snap(events, window_end_utc=at(60)))
    assert [(e.programme.title, e.start_utc, e.stop_utc) for e in entries] == [
        ("Show A", at(0), at(30)),
        ("Show B", at(30), at(60)),
    ]


def test_slate_only_stretch_appears_with_its_title_and_is_not_absorbed() -> None:
    events = [
        ev("programme", 0, 30, "Show A"),
        ev("slate", 30, 90, "Technical Difficulties", extra={"slate": "nothing eligible"}),
        ev("slate", 90, 120, "Technical Difficulties", extra={"slate": "nothing eligible"}),
        ev("programme", 120, 150, "Show B"),
    ]
    entries = build_entries(snap(events, window_end_utc=at(150)))
    assert [(e.programme.title, e.start_utc, e.stop_utc) for e in entries] == [
        ("Show A", at(0), at(30)),
        ("Technical Difficulties", at(30), at(120)),
        ("Show B", at(120), at(150)),
    ]
    assert entries[1].programme.new is None


def test_padding_beyond_the_slot_becomes_its_own_stretch() -> None:
    # programme ends 12:20, grid 30 min: its slot ends 12:30; a filler run starting 12:30
    # (a filler-only block) is not part of it
    events = [
        ev("programme", 0, 20, "Show A"),
        ev("filler", 20, 30, "Bumper"),
        ev("filler", 30, 90, "Music Video", block_name="Video Hour"),
        ev("programme", 90, 120, "Show B"),
    ]
    entries = build_entries(snap(events, window_end_utc=at(120)))
    assert [(e.programme.title, e.start_utc, e.stop_utc) for e in entries] == [
        ("Show A", at(0), at(30)),
        ("Video Hour", at(30), at(90)),
        ("Show B", at(90), at(120)),
    ]


def test_channel_without_playlogs_gets_slate_covering_the_window() -> None:
    other = GuideChannel(id=2, number="8", name="Empty Eight")
    entries = build_entries(snap([], channels=(CH, other), window_end_utc=at(3 * 24 * 60)))
    for channel in (CH, other):
        mine = [e for e in entries if e.channel_xmltv_id == channel.xmltv_id]
        assert mine[0].start_utc == at(0)
        assert mine[-1].stop_utc == at(3 * 24 * 60)
        for before, after in itertools.pairwise(mine):
            assert before.stop_utc == after.start_utc
        assert all((e.stop_utc - e.start_utc).total_seconds() <= STRETCH_MAX_S for e in mine)
        assert {e.programme.title for e in mine} == {channel.name}
        assert {e.programme.desc for e in mine} == {NO_PROGRAMME_TEXT}


def test_programme_cut_at_day_end_and_continued_is_one_entry() -> None:
    events = [
        ev("programme", 0, 60, "Long Film", catalog_asset_id=5, extra={"cut": True}),
        ev("programme", 60, 110, "Long Film", catalog_asset_id=5, extra={"continued": True}),
        ev("filler", 110, 120, "Bumper"),
    ]
    entries = build_entries(snap(events, window_end_utc=at(120)))
    assert [(e.programme.title, e.start_utc, e.stop_utc) for e in entries] == [
        ("Long Film", at(0), at(120))
    ]


def test_episode_fields_and_fallbacks() -> None:
    asset = GuideAsset(
        id=3,
        kind="episode",
        genres=("Comedy", "Family"),
        artwork_url="https://art/3.jpg",
        content_rating="TV-PG",
        aired_date=date(1994, 9, 22),
        duration_ms=22 * 60_000 + 30_000,
    )
    events = [
        ev(
            "programme",
            0,
            30,
            "Pilot",
            catalog_asset_id=3,
            series_title="Friends of Mine",
            season=1,
            episode=2,
            description="Two friends & a <couch>.",
        )
    ]
    entry = build_entries(snap(events, assets={3: asset}, window_end_utc=at(30)))[0]
    p = entry.programme
    assert p.title == "Friends of Mine"
    assert p.sub_title == "Pilot"
    assert p.categories == ("Series", "Comedy", "Family")
    assert (p.episode_ns, p.episode_onscreen) == ("0.1.", "S01E02")
    assert (p.date, p.length_s, p.icon_url) == ("19940922", 1350, "https://art/3.jpg")
    assert (p.rating, p.rating_system) == ("TV-PG", "VCHIP")
    assert p.new is True


def test_movie_has_no_episode_numbers_and_untitled_assets_fall_back_to_file_name() -> None:
    movie = GuideAsset(id=4, kind="movie", year=1982, genres=("Sci-Fi",), file_path="/m/Tron.mkv")
    events = [ev("programme", 0, 120, "   ", catalog_asset_id=4, season=None)]
    p = build_entries(snap(events, assets={4: movie}, window_end_utc=at(120)))[0].programme
    assert p.title == "Tron"
    assert p.categories == ("Movie", "Sci-Fi")
    assert (p.episode_ns, p.episode_onscreen, p.date) == (None, None, "1982")


def test_missing_asset_uses_the_playlog_snapshot_and_guide_json() -> None:
    events = [
        ev(
            "programme",
            0,
            30,
            "",
            catalog_asset_id=None,
            series_title="Lost Show",
            season=2,
            episode=5,
            extra={"genres": ["Drama"], "content_rating": "TV-14", "year": 1999},
        )
    ]
    p = build_entries(snap(events, window_end_utc=at(30)))[0].programme
    assert p.title == "Lost Show"
    assert p.categories == ("Series", "Drama")
    assert (p.rating, p.date, p.episode_onscreen) == ("TV-14", "1999", "S02E05")
    assert p.new is None


def test_new_only_on_the_first_airing_on_that_channel() -> None:
    events = [
        ev("programme", 0, 30, "Show", catalog_asset_id=9, season=1, episode=1),
        ev("programme", 30, 60, "Show", catalog_asset_id=9, season=1, episode=1),
        ev("programme", 60, 90, "Other", catalog_asset_id=8),
    ]
    first = {(1, 9): at(0), (1, 8): at(-3 * 24 * 60)}  # 8 aired three days ago (as-run)
    entries = build_entries(snap(events, first_aired_utc=first, window_end_utc=at(90)))
    assert [e.programme.new for e in entries] == [True, False, False]


def test_entries_outside_the_window_are_dropped() -> None:
    events = [ev("programme", -90, -60, "Old"), ev("programme", -60, 10, "Running")]
    entries = build_entries(snap(events, window_end_utc=at(10)))
    assert [e.programme.title for e in entries] == ["Running"]


def test_slot_end_follows_the_local_grid() -> None:
    ny = GuideChannel(id=1, number="1", name="NY", timezone="Asia/Kathmandu", grid_minutes=30)
    # Kathmandu is UTC+05:45: 12:20 UTC is 18:05 local, next local half hour is 18:30 = 12:45 UTC
    assert slot_end_utc(ny, at(20)) == at(45)
    offset = GuideChannel(id=1, number="1", name="x", grid_minutes=60, grid_offset_minutes=15)
    assert slot_end_utc(offset, at(20)) == at(75)
    assert slot_end_utc(offset, at(15)) == at(15)


def test_episode_number_formats() -> None:
    assert xmltv_ns(1, 1) == "0.0."
    assert xmltv_ns(3, 12) == "2.11."
    assert xmltv_ns(None, 4) == ".3."
    assert xmltv_ns(None, None) is None
    assert onscreen(1, 2) == "S01E02"
    assert onscreen(None, 7) == "E07"
    assert onscreen(None, None) is None


@settings(max_examples=200, deadline=None)
@given(
    at_s=st.integers(min_value=0, max_value=3 * 365 * 86400),
    zone=st.sampled_from(["UTC", "America/New_York", "Europe/London", "Asia/Kathmandu"]),
    grid=st.sampled_from([15, 30, 60]),
    offset=st.integers(min_value=0, max_value=59),
)
def test_slot_end_is_the_next_local_grid_line(at_s: int, zone: str, grid: int, offset: int) -> None:
    channel = GuideChannel(
        id=1, number="1", name="x", timezone=zone, grid_minutes=grid,
        grid_offset_minutes=offset % grid,
    )  # fmt: skip
    at_utc = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=at_s, milliseconds=at_s % 997)
    end = slot_end_utc(channel, at_utc)
    assert at_utc <= end < at_utc + timedelta(minutes=grid)
    local = end.astimezone(ZoneInfo(zone))
    minutes = local.hour * 60 + local.minute
    assert (local.second, local.microsecond) == (0, 0)
    assert minutes % grid == offset % grid


def test_a_programme_with_breaks_is_one_entry_for_its_whole_slot() -> None:
    part = {"catalog_asset_id": 10, "episode_title": "Pilot"}
    events = [
        ev("programme", 0, 7.7, "Show A", **part, extra={"part": 1}),
        ev("filler", 7.7, 7.8, "Bumper", extra={"break": 1}),
        ev("filler", 7.8, 10.7, "Soap", extra={"break": 1}),
        ev("programme", 10.7, 18, "Show A", **part, extra={"part": 2, "continued": True}),
        ev("filler", 18, 21, "Soap", extra={"break": 2}),
        ev("programme", 21, 28, "Show A", **part, extra={"part": 3, "continued": True}),
        ev("filler", 28, 29.8, "Promo"),
        ev(
            "slate",
            29.8,
            30,
            "Up next at 12:30: Show B",
            extra={"slate": "padding", "up_next": True},
        ),
        ev("programme", 30, 52, "Show B", catalog_asset_id=11),
        ev("filler", 52, 60, "Bumper"),
    ]
    entries = build_entries(snap(events, window_end_utc=at(60)))
    assert [(e.programme.title, e.start_utc, e.stop_utc) for e in entries] == [
        ("Show A", at(0), at(30)),
        ("Show B", at(30), at(60)),
    ]
