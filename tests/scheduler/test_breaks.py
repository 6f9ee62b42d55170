"""Breaks in the playlog (pure): where programmes stop, what fills the stops, the grid kept."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.broadcast.rules import BreakPolicy, parse_rule, rule_to_json
from retrovue.errors import ValidationError
from retrovue.scheduler.breaks import MIN_BREAK_MS, choose_cuts, plan_breaks
from retrovue.scheduler.dayplan import PlannedEvent
from retrovue.scheduler.playlog import build_day
from retrovue.scheduler.selection import Catalog, CatalogItem
from tests.scheduler.builders import MINUTE_MS, assert_contiguous, block, channel, fillers

MONDAY = date(2026, 1, 5)
SITCOM_MS = 22 * MINUTE_MS
BREAKS = {
    "fill": {"tags": ["commercial"]},
    "bumpers": {"out": {"tags": ["bumper"]}, "in": {"tags": ["bumper"]}},
    "min_spacing": "6m",
}


def sitcom(asset_id: int, points: tuple[int, ...] = (), **extra: object) -> CatalogItem:
    return CatalogItem(
        asset_id=asset_id, kind="episode", title="Cheers", series="Cheers", season=1,
        episode=asset_id, episode_title=f"Episode {asset_id}", duration_ms=SITCOM_MS,
        break_points_ms=points, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def station(items: list[CatalogItem]) -> Catalog:
    spots = fillers(30, 30, tags=("commercial",)) + fillers(
        8, 15, first_id=9500, tags=("commercial",)
    )
    bumpers = fillers(4, 5, first_id=9800, tags=("bumper",))
    idents = fillers(2, 10, first_id=9900, tags=("ident",))
    return Catalog(items + spots + bumpers + idents)


def programme_parts(events: tuple[PlannedEvent, ...]) -> dict[int, list[PlannedEvent]]:
    parts: dict[int, list[PlannedEvent]] = defaultdict(list)
    for event in events:
        if event.kind == "programme" and event.asset_id is not None:
            parts[event.asset_id].append(event)
    return parts


def test_a_sitcom_stops_at_its_chapters_and_its_slot_stays_on_the_grid() -> None:
    episodes = [sitcom(n, (7 * MINUTE_MS + 42_000, 15 * MINUTE_MS + 10_000)) for n in range(1, 5)]
    rule = {"series": "Cheers", "breaks": BREAKS}
    plan = build_day(channel(), MONDAY, [block("20:00", 60, rule, "Prime")], station(episodes), {})
    assert_contiguous(plan)
    prime = [e for e in plan.events if e.block_name == "Prime"]
    parts = programme_parts(tuple(prime))
    first, second = sorted(parts)[:2]
    one = parts[first]
    assert [p.offset_ms for p in one] == [0, 7 * MINUTE_MS + 42_000, 15 * MINUTE_MS + 10_000]
    assert sum(p.duration_ms for p in one) == SITCOM_MS  # every act whole, nothing twice
    assert one[0].start_utc.minute == 0  # each programme still starts on its grid line
    assert parts[second][0].start_utc.minute == 30
    assert [p.guide.get("continued") for p in one] == [None, True, True]
    between = [e for e in prime if one[0].end_utc <= e.start_utc < one[1].start_utc]
    assert between[0].title.startswith("Promo")
    assert {e.guide.get("break") for e in between} == {1}
    assert (between[0].asset_id or 0) >= 9800  # a bumper out first
    assert (between[-1].asset_id or 0) >= 9800  # a bumper back in last
    spots = [e.asset_id for e in between[1:-1]]
    assert len(spots) == len(set(spots))  # never the same spot twice in one break


def test_the_spare_time_is_shared_by_the_breaks_and_the_rest_ends_the_slot() -> None:
    item = sitcom(1, (8 * MINUTE_MS, 15 * MINUTE_MS))
    policy = parse_rule({"breaks": {**BREAKS, "spare": 0.75}}).breaks
    assert policy is not None
    plan = plan_breaks(item, policy, 30 * MINUTE_MS)
    assert plan.cuts_ms == (8 * MINUTE_MS, 15 * MINUTE_MS)
    assert sum(plan.lengths_ms) == 6 * MINUTE_MS  # three quarters of the 8 spare minutes
    assert max(plan.lengths_ms) - min(plan.lengths_ms) <= 1


def test_without_chapters_breaks_are_computed_evenly_and_avoid_the_credits() -> None:
    policy = BreakPolicy(max_per_programme=2, min_spacing_ms=3 * MINUTE_MS)
    plain = sitcom(1)
    assert choose_cuts(plain, policy, 2) == (SITCOM_MS // 3, 2 * SITCOM_MS // 3)
    credits = (14 * MINUTE_MS, 15 * MINUTE_MS)
    avoided = sitcom(2, no_break_ms=(credits,))
    assert choose_cuts(avoided, policy, 2)[1] == 15 * MINUTE_MS
    inside = sitcom(
        3, (30_000, 14 * MINUTE_MS + 30_000, 21 * MINUTE_MS + 30_000), no_break_ms=(credits,)
    )
    # none of its own points is usable (an edge, the credits): computed ones, out of the credits
    assert choose_cuts(inside, policy, 2) == (SITCOM_MS // 3, 15 * MINUTE_MS)


def test_short_programmes_full_slots_and_the_none_rule_play_whole() -> None:
    policy = BreakPolicy()
    assert (
        plan_breaks(replace(sitcom(1), duration_ms=5 * MINUTE_MS), policy, 30 * MINUTE_MS).cuts_ms
        == ()
    )
    assert plan_breaks(sitcom(1), policy, SITCOM_MS).cuts_ms == ()  # nothing to spare
    assert plan_breaks(sitcom(1), BreakPolicy(at="none"), 30 * MINUTE_MS).cuts_ms == ()
    tiny = plan_breaks(sitcom(1), policy, SITCOM_MS + MIN_BREAK_MS - 1)
    assert tiny.cuts_ms == ()  # not even one break worth stopping for


def test_an_up_next_card_and_a_station_id_close_the_slot_before_the_hour() -> None:
    episodes = [sitcom(n) for n in range(1, 5)]
    rule = {
        "series": "Cheers",
        "breaks": {**BREAKS, "up_next": "10s", "station_id": {"tags": ["ident"]}},
    }
    plan = build_day(channel(), MONDAY, [block("20:00", 90, rule, "Prime")], station(episodes), {})
    assert_contiguous(plan)
    at_nine = next(
        i for i, e in enumerate(plan.events) if e.end_utc.hour == 21 and e.end_utc.minute == 0
    )
    ident, card = plan.events[at_nine], plan.events[at_nine - 1]
    assert (ident.asset_id or 0) >= 9900
    assert card.kind == "slate"
    assert card.duration_ms == 10_000
    following = plan.events[at_nine + 1]
    assert card.title.startswith("Up next at 21:00: ")
    assert following.title in card.title
    half = [e for e in plan.events if e.guide.get("up_next") and e.end_utc.minute == 30]
    assert half
    assert half[0].title.startswith("Up next at 20:30: Cheers: Episode")


def test_a_spot_does_not_come_back_within_its_cooldown() -> None:
    episodes = [sitcom(n, (8 * MINUTE_MS, 15 * MINUTE_MS)) for n in range(1, 9)]
    rule = {"series": "Cheers", "breaks": {**BREAKS, "cooldown": "30m"}}
    plan = build_day(channel(), MONDAY, [block("18:00", 240, rule, "Prime")], station(episodes), {})
    last_end: dict[int, object] = {}
    for event in plan.events:
        if event.guide.get("break") and event.asset_id is not None and event.asset_id < 9800:
            previous = last_end.get(event.asset_id)
            assert previous is None or event.start_utc - previous >= timedelta(minutes=30)  # type: ignore[operator]
            last_end[event.asset_id] = event.end_utc


def test_break_rules_are_validated_and_round_trip() -> None:
    rule = parse_rule({"breaks": {**BREAKS, "max_per_hour": 6, "spare": 0.5, "up_next": 8}})
    assert rule.breaks is not None
    assert parse_rule(rule_to_json(rule)) == rule
    for bad, message in [
        ({"breaks": {"at": "acts"}}, "breaks.at: must be one of"),
        ({"breaks": {"fill": "slate"}}, "breaks.fill: a break holds spots"),
        ({"breaks": {"bumpers": {"middle": "any"}}}, "breaks.bumpers.middle: unknown key"),
        ({"breaks": {"spare": 2}}, "breaks.spare: must be from 0 to 1"),
        ({"breaks": {"when": 1}}, "breaks.when: unknown key"),
        ({"breaks": {"up_next": "5m"}}, "breaks.up_next: at most 60 s"),
        ({"align": "back_to_back", "breaks": {}}, "breaks: needs align 'grid'"),
    ]:
        with pytest.raises(ValidationError, match=message):
            parse_rule(bad)


@settings(max_examples=60, deadline=None)
@given(
    minutes=st.lists(st.integers(min_value=5, max_value=55), min_size=1, max_size=6),
    chapters=st.lists(st.integers(min_value=0, max_value=55 * 60), max_size=8),
    grid=st.sampled_from([30, 60]),
    spare=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_every_day_with_breaks_is_contiguous_on_grid_and_airs_each_file_exactly_once(
    minutes: list[int], chapters: list[int], grid: int, spare: float
) -> None:
    items = [
        replace(
            sitcom(n + 1, tuple(sorted({c * 1000 for c in chapters}))), duration_ms=m * MINUTE_MS
        )
        for n, m in enumerate(minutes)
    ]
    rule = {"series": "Cheers", "breaks": {**BREAKS, "spare": spare}}
    plan = build_day(
        channel(grid=grid), MONDAY, [block("18:00", 360, rule, "Evening")], station(items), {}
    )
    assert_contiguous(plan)
    starts = [e for e in plan.events if e.kind == "programme" and not e.guide.get("continued")]
    for event in starts:
        if event.block_name == "Evening":
            assert (event.start_utc.minute * 60 + event.start_utc.second) % (grid * 60) == 0
    by_airing: list[list[PlannedEvent]] = []
    for event in plan.events:
        if event.kind != "programme":
            continue
        if event.guide.get("continued"):
            by_airing[-1].append(event)
        else:
            by_airing.append([event])
    durations = {item.asset_id: item.duration_ms for item in items}
    for parts in by_airing:
        if parts[0].block_name != "Evening" or parts[-1].end_utc >= plan.end_utc:
            continue
        assert parts[0].offset_ms == 0
        for before, after in pairwise(parts):
            assert after.offset_ms == before.offset_ms + before.duration_ms  # no gap, no repeat
        assert parts[-1].offset_ms + parts[-1].duration_ms == durations[parts[0].asset_id or 0]
