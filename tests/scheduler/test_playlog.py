"""The pure playlog builder: no database, plain values in, a contiguous day out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.scheduler.playlog import build_day
from retrovue.scheduler.selection import Catalog, CatalogItem
from retrovue.scheduler.timegrid import day_grid
from tests.scheduler.builders import (
    MINUTE_MS,
    assert_contiguous,
    block,
    build_days,
    channel,
    episodes,
    fillers,
)

MONDAY = date(2026, 1, 5)


def programmes(plan_events: tuple[object, ...]) -> list[object]:
    return [e for e in plan_events if getattr(e, "kind", None) == "programme"]


def test_day_is_contiguous_from_start_to_end_with_blocks_and_gaps() -> None:
    catalog = Catalog(episodes("Cheers", 20, 22) + fillers(10, 30))
    blocks = [block("18:00", 120, {"series": "Cheers"}, "Prime"), block("08:00", 60, {}, "Morning")]
    plan = build_day(channel(), MONDAY, blocks, catalog, {})
    assert_contiguous(plan)
    assert plan.start_utc == datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    assert plan.end_utc == datetime(2026, 1, 6, 6, 0, tzinfo=UTC)
    kinds = {e.kind for e in plan.events}
    assert kinds == {"programme", "filler"}  # 30 s fillers pad every gap exactly


def test_dst_days_are_23_and_25_hours_and_still_contiguous() -> None:
    catalog = Catalog(episodes("Taxi", 50, 25) + fillers(4, 60))
    blocks = [block("06:00", 1440, {"order": "shuffle"}, "All day")]
    plan_ny = channel("America/New_York")
    spring = build_day(plan_ny, date(2026, 3, 7), blocks, catalog, {})
    autumn = build_day(plan_ny, date(2026, 10, 31), blocks, catalog, {})
    assert_contiguous(spring)
    assert_contiguous(autumn)
    assert spring.end_utc - spring.start_utc == timedelta(hours=23)
    assert autumn.end_utc - autumn.start_utc == timedelta(hours=25)
    grid = day_grid(date(2026, 3, 7), plan_ny.clock)
    for event in programmes(spring.events):
        assert event.start_utc in grid.boundaries  # type: ignore[attr-defined]


def test_sequential_continues_across_days() -> None:
    catalog = Catalog(episodes("Cheers", 5, 30))
    blocks = [block("20:00", 30, {"series": "Cheers"})]
    days = list(build_days(channel(), MONDAY, 7, blocks, catalog))
    aired = [p.episode for d in days for p in programmes(d.events)]  # type: ignore[attr-defined]
    assert aired == [1, 2, 3, 4, 5, 1, 2]


def test_same_rule_in_two_blocks_continues_within_a_day() -> None:
    catalog = Catalog(episodes("Cheers", 9, 30))
    rule = {"series": "Cheers"}
    blocks = [block("20:00", 60, rule), block("07:00", 30, rule)]
    plan = build_day(channel(), MONDAY, blocks, catalog, {})
    assert [p.episode for p in programmes(plan.events)] == [1, 2, 3]  # type: ignore[attr-defined]


def test_shuffle_airs_every_item_once_before_repeats() -> None:
    catalog = Catalog(episodes("Mash", 7, 30))
    blocks = [block("20:00", 60, {"order": "shuffle"})]
    days = list(build_days(channel(), MONDAY, 7, blocks, catalog))
    aired = [p.asset_id for d in days for p in programmes(d.events)]  # type: ignore[attr-defined]
    assert len(aired) == 14
    assert sorted(aired[:7]) == list(range(1, 8))
    assert sorted(aired[7:14]) == list(range(1, 8))
    assert aired[:7] != sorted(aired[:7]) or aired[7:] != sorted(aired[7:])  # it shuffles


def test_random_respects_no_repeat_days_and_is_deterministic() -> None:
    catalog = Catalog(episodes("Movies", 12, 60))
    blocks = [block("20:00", 120, {"order": "random", "no_repeat_days": 3})]
    first = list(build_days(channel(), MONDAY, 10, blocks, catalog))
    again = list(build_days(channel(), MONDAY, 10, blocks, catalog))
    assert [d.events for d in first] == [d.events for d in again]
    per_day = [[p.asset_id for p in programmes(d.events)] for d in first]  # type: ignore[attr-defined]
    for index, ids in enumerate(per_day):
        assert len(ids) == 2
        window = [i for day_ids in per_day[max(0, index - 2) : index] for i in day_ids]
        assert not set(ids) & set(window)
        assert len(set(ids)) == 2
    other_channel = replace(channel(), channel_id=8)
    other = list(build_days(other_channel, MONDAY, 10, blocks, catalog))
    assert [d.events for d in other] != [d.events for d in first]


def test_grid_alignment_pads_with_several_fillers_then_slate() -> None:
    catalog = Catalog(
        episodes("Taxi", 10, 22)
        + fillers(3, 45, tags=("promo",))
        + fillers(3, 20, first_id=9500, tags=("bumper",))
    )
    blocks = [block("18:00", 120, {"series": "Taxi", "filler": {"tags": ["promo"]}}, "Taxi Hour")]
    plan = build_day(channel(), MONDAY, blocks, catalog, {})
    assert_contiguous(plan)
    start = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
    in_block = [e for e in plan.events if start <= e.start_utc < start + timedelta(hours=2)]
    shows = [e for e in in_block if e.kind == "programme"]
    assert [e.start_utc for e in shows] == [start + timedelta(minutes=30 * n) for n in range(4)]
    pads = [e for e in in_block if e.kind == "filler"]
    assert all(e.asset_id is not None and e.asset_id < 9500 for e in pads)  # promo tag only
    assert len(pads) == 4 * (8 * 60 // 45)  # 8 min gaps hold ten 45 s promos each
    slates = [e for e in in_block if e.kind == "slate"]
    assert all(e.duration_ms == 8 * MINUTE_MS - 10 * 45_000 for e in slates)


def test_back_to_back_pads_only_at_the_block_end() -> None:
    catalog = Catalog(episodes("Taxi", 10, 22))
    blocks = [block("18:00", 120, {"align": "back_to_back", "filler": "slate"})]
    plan = build_day(channel(), MONDAY, blocks, catalog, {})
    start = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
    in_block = [e for e in plan.events if start <= e.start_utc < start + timedelta(hours=2)]
    assert [e.kind for e in in_block] == ["programme"] * 6  # 6 x 22 = 132 min: the last runs over
    assert in_block[-1].end_utc == start + timedelta(minutes=132)


def test_empty_pool_is_one_slate_titled_for_the_guide() -> None:
    catalog = Catalog(episodes("Cheers", 3, 30))
    blocks = [block("18:00", 120, {"series": "Nobody"}, "Late Movie")]
    plan = build_day(channel(), MONDAY, blocks, catalog, {})
    slate = [e for e in plan.events if e.block_name == "Late Movie"]
    assert len(slate) == 1
    assert slate[0].kind == "slate"
    assert slate[0].title == "Late Movie"
    assert slate[0].duration_ms == 120 * MINUTE_MS
    unnamed = build_day(channel(), MONDAY, [block("18:00", 60, {"series": "Nobody"})], catalog, {})
    assert any(e.title == "Off Air" and e.duration_ms == 60 * MINUTE_MS for e in unnamed.events)


def test_overrun_truncate_cuts_at_the_block_end() -> None:
    catalog = Catalog(episodes("Epic", 2, 45))
    blocks = [block("18:00", 30, {"overrun": "truncate"}), block("18:30", 30, {"kind": "movie"})]
    plan = build_day(channel(), MONDAY, blocks, catalog, {})
    shows = programmes(plan.events)
    assert len(shows) == 1
    assert shows[0].end_utc == datetime(2026, 1, 5, 18, 30, tzinfo=UTC)  # type: ignore[attr-defined]
    assert shows[0].guide["cut"] is True  # type: ignore[attr-defined]


def test_overrun_skip_picks_what_fits_and_allow_pushes_the_next_block() -> None:
    catalog = Catalog(episodes("Mixed", 1, 45) + episodes("Mixed", 1, 25, first_id=50))
    skip = build_day(channel(), MONDAY, [block("18:00", 30, {"overrun": "skip"})], catalog, {})
    assert [p.asset_id for p in programmes(skip.events)] == [50]  # type: ignore[attr-defined]
    allow_blocks = [block("18:00", 30, {}), block("18:30", 60, {}, "Next")]
    allow = build_day(channel(), MONDAY, allow_blocks, catalog, {})
    shows = programmes(allow.events)
    assert shows[0].end_utc == datetime(2026, 1, 5, 18, 45, tzinfo=UTC)  # type: ignore[attr-defined]
    nxt = [e for e in allow.events if e.block_name == "Next" and e.kind == "programme"]
    assert nxt[0].start_utc == datetime(2026, 1, 5, 19, 0, tzinfo=UTC)  # next grid line


def test_a_programme_cut_at_the_day_end_continues_the_next_day_with_an_offset() -> None:
    catalog = Catalog(episodes("Film", 1, 150, first_id=42))
    blocks = [block("05:00", 60, {}, "Late")]
    days = list(build_days(channel(), MONDAY, 2, blocks, catalog))
    last = days[0].events[-1]
    assert last.asset_id == 42
    assert last.end_utc == days[0].end_utc
    first = days[1].events[0]
    assert first.asset_id == 42
    assert first.offset_ms == 60 * MINUTE_MS
    assert first.duration_ms == 90 * MINUTE_MS
    assert first.guide["continued"] is True


def test_episodes_per_slot_airs_several_then_aligns() -> None:
    catalog = Catalog(episodes("Cartoons", 10, 7))
    blocks = [block("07:00", 60, {"episodes_per_slot": 3, "filler": "slate"})]
    plan = build_day(channel(), MONDAY, blocks, catalog, {})
    starts = [p.start_utc.strftime("%H:%M") for p in programmes(plan.events)]  # type: ignore[attr-defined]
    assert starts == ["07:00", "07:07", "07:14", "07:30", "07:37", "07:44"]


def test_no_template_is_a_slate_day() -> None:
    plan = build_day(channel(), MONDAY, None, Catalog(episodes("X", 1, 30)), {})
    assert plan.no_template
    assert len(plan.events) == 1
    assert plan.events[0].kind == "slate"
    assert plan.events[0].duration_ms == 24 * 60 * MINUTE_MS


def test_non_canonical_and_unavailable_items_never_air() -> None:
    good = episodes("Good", 3, 30)
    revoked = [
        replace(i, asset_id=i.asset_id + 100, canonical=False) for i in episodes("Bad", 3, 30)
    ]
    gone = [replace(i, asset_id=i.asset_id + 200, available=False) for i in episodes("Bad", 3, 30)]
    bad_filler = [replace(f, canonical=False) for f in fillers(5, 30)]
    catalog = Catalog(good + revoked + gone + bad_filler)
    plan = build_day(channel(), MONDAY, [block("06:00", 1440, {})], catalog, {})
    aired = {e.asset_id for e in plan.events if e.asset_id is not None}
    assert aired == {1, 2, 3}


@st.composite
def random_days(draw: st.DrawFn) -> tuple[object, ...]:
    grid = draw(st.sampled_from([15, 30, 60]))
    zone = draw(
        st.sampled_from(["UTC", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"])
    )
    plan = channel(zone, grid, draw(st.integers(0, grid - 1)), draw(st.sampled_from([0, 300, 360])))
    starts = sorted(draw(st.lists(st.integers(0, 47), min_size=1, max_size=5, unique=True)))
    blocks = []
    for index, slot in enumerate(starts):
        room = ((starts[index + 1] if index + 1 < len(starts) else 48) - slot) * 30
        rule = {
            "order": draw(st.sampled_from(["sequential", "shuffle", "random"])),
            "align": draw(st.sampled_from(["grid", "back_to_back"])),
            "overrun": draw(st.sampled_from(["allow", "truncate", "skip"])),
            "episodes_per_slot": draw(st.integers(1, 3)),
        }
        start = f"{slot // 2:02d}:{slot % 2 * 30:02d}"
        blocks.append(block(start, draw(st.integers(1, room // 30)) * 30, rule))
    items = [
        CatalogItem(
            n,
            "episode",
            f"Show {n}",
            draw(st.integers(60_000, 200 * MINUTE_MS)),
            canonical=draw(st.booleans()) or n % 2 == 0,
        )
        for n in range(1, draw(st.integers(0, 12)) + 1)
    ] + fillers(draw(st.integers(0, 4)), draw(st.integers(5, 400)))
    day = draw(st.sampled_from([MONDAY, date(2026, 3, 7), date(2026, 10, 3), date(2026, 4, 4)]))
    return plan, day, blocks, Catalog(items), items


@settings(max_examples=80, deadline=None)
@given(case=random_days())
def test_any_day_is_contiguous_and_airs_only_canonical_items(case: tuple[object, ...]) -> None:
    plan, day, blocks, catalog, items = case
    for day_plan in build_days(plan, day, 2, blocks, catalog):  # type: ignore[arg-type]
        assert_contiguous(day_plan)
        airable = {i.asset_id for i in items if i.canonical}  # type: ignore[attr-defined]
        assert {e.asset_id for e in day_plan.events if e.asset_id is not None} <= airable
