"""Properties of the broadcast day and the grid, DST days included, in zones with odd offsets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.errors import ScheduleError
from retrovue.scheduler.timegrid import (
    DayClock,
    _grid_lines_by_wall_time,
    block_bounds,
    broadcast_day_of,
    day_bounds,
    day_grid,
    grid_lines,
    local_to_utc,
    zone,
)

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Lord_Howe",  # DST shifts by 30 minutes
    "Asia/Kathmandu",  # +05:45
    "Asia/Kolkata",  # +05:30
    "America/St_Johns",  # -03:30 with DST
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/Santiago",  # changes at midnight
    "Africa/Casablanca",  # several changes a year
]
GRIDS = [1, 5, 10, 15, 20, 30, 60, 120, 180, 1440]

# Days with a DST change in the chosen zones, so the properties meet them often.
DST_DAYS = [
    date(2026, 3, 8),
    date(2026, 11, 1),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2026, 4, 5),
    date(2026, 10, 4),
    date(2026, 4, 4),
    date(2026, 9, 5),
    date(2026, 9, 27),
    date(2025, 3, 9),
    date(2025, 11, 2),
]


@st.composite
def day_clocks(draw: st.DrawFn) -> DayClock:
    grid = draw(st.sampled_from(GRIDS))
    return DayClock(
        timezone=draw(st.sampled_from(ZONES)),
        day_start_minutes=draw(st.integers(0, 1439)),
        grid_minutes=grid,
        grid_offset_minutes=draw(st.integers(0, grid - 1)),
    )


days = st.one_of(
    st.sampled_from(DST_DAYS),
    st.sampled_from(DST_DAYS).map(lambda d: d - timedelta(days=1)),
    st.dates(date(2000, 1, 1), date(2037, 12, 31)),
)


def _on_grid(instant: datetime, clock: DayClock) -> bool:
    wall = instant.astimezone(clock.tz)
    minutes = wall.hour * 60 + wall.minute
    return wall.second == 0 and (minutes - clock.grid_offset_minutes) % clock.grid_minutes == 0


@settings(max_examples=150, deadline=None)
@given(clock=day_clocks(), day=days)
def test_days_follow_each_other_and_last_23_to_25_hours(clock: DayClock, day: date) -> None:
    start, end = day_bounds(day, clock)
    next_start, _ = day_bounds(day + timedelta(days=1), clock)
    assert end == next_start
    assert timedelta(hours=22) <= end - start <= timedelta(hours=26)
    wall = start.astimezone(clock.tz)
    if end - start == timedelta(days=1):
        assert wall.date() == day
        assert wall.hour * 60 + wall.minute == clock.day_start_minutes


@settings(max_examples=150, deadline=None)
@given(clock=day_clocks(), day=days)
def test_slots_tile_the_day_and_are_aligned(clock: DayClock, day: date) -> None:
    grid = day_grid(day, clock)
    slots = grid.slots()
    assert slots[0][0] == grid.start_utc
    assert slots[-1][1] == grid.end_utc
    for (_, end), (start, _) in pairwise(slots):
        assert end == start  # no gap, no overlap
    for start, end in slots:
        assert start < end
    inner = grid.boundaries[1:-1]
    assert all(_on_grid(line, clock) for line in inner)
    assert sum((end - start for start, end in slots), timedelta()) == grid.end_utc - grid.start_utc
    if grid.end_utc - grid.start_utc == timedelta(days=1) and len(inner) >= 2:
        # without a DST change every whole slot is exactly one grid long
        lengths = {end - start for start, end in pairwise(inner)}
        assert lengths == {timedelta(minutes=clock.grid_minutes)}


@settings(max_examples=150, deadline=None)
@given(clock=day_clocks(), day=days, fraction=st.floats(0, 1, exclude_max=True))
def test_every_grid_wall_time_inside_the_day_is_a_boundary(
    clock: DayClock, day: date, fraction: float
) -> None:
    grid = day_grid(day, clock)
    length_s = int((grid.end_utc - grid.start_utc).total_seconds())
    instant = grid.start_utc + timedelta(minutes=int(fraction * length_s) // 60)
    if instant > grid.start_utc and _on_grid(instant, clock):
        assert instant in grid.boundaries


@settings(max_examples=200, deadline=None)
@given(
    clock=day_clocks(),
    instant=st.datetimes(
        datetime(2000, 1, 2),  # noqa: DTZ001 (hypothesis wants naive bounds)
        datetime(2037, 12, 30),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_an_instant_lies_in_exactly_one_day_and_one_slot(
    clock: DayClock, instant: datetime
) -> None:
    day = broadcast_day_of(instant, clock)
    start, end = day_bounds(day, clock)
    assert start <= instant < end
    for other in (day - timedelta(days=1), day + timedelta(days=1)):
        other_start, other_end = day_bounds(other, clock)
        assert not other_start <= instant < other_end
    grid = day_grid(day, clock)
    containing = [s for s in grid.slots() if s[0] <= instant < s[1]]
    assert containing == [grid.slot_of(instant)]
    assert grid.floor(instant) <= instant <= grid.ceil(instant)
    assert grid.floor(instant) == containing[0][0]


@settings(max_examples=200, deadline=None)
@given(
    clock=day_clocks(),
    day=days,
    cuts=st.lists(st.integers(1, 1439), min_size=0, max_size=6, unique=True),
)
def test_adjacent_blocks_meet_exactly(clock: DayClock, day: date, cuts: list[int]) -> None:
    # blocks given as local starts relative to the day start, covering the whole day
    marks = [0, *sorted(cuts), 1440]
    spans = [
        block_bounds(day, (clock.day_start_minutes + a) % 1440, b - a, clock)
        for a, b in pairwise(marks)
    ]
    start, end = day_bounds(day, clock)
    assert spans[0][0] == start
    assert spans[-1][1] == end
    for (_, previous_end), (next_start, _) in pairwise(spans):
        assert previous_end == next_start


@settings(max_examples=150, deadline=None)
@given(clock=day_clocks(), day=days)
def test_the_fast_path_agrees_with_the_wall_time_scan(clock: DayClock, day: date) -> None:
    first, last = day_bounds(day, clock)
    assert grid_lines(day, clock) == _grid_lines_by_wall_time(day, first, last, clock)


def test_dst_days_in_new_york_are_23_and_25_hours() -> None:
    clock = DayClock("America/New_York")
    spring = day_bounds(date(2026, 3, 7), clock)  # 06:00 Sat to 06:00 Sun, clocks go forward
    autumn = day_bounds(date(2026, 10, 31), clock)
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert autumn[1] - autumn[0] == timedelta(hours=25)
    assert spring[0] == datetime(2026, 3, 7, 11, 0, tzinfo=UTC)  # 06:00 EST
    assert spring[1] == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # 06:00 EDT
    assert len(day_grid(date(2026, 3, 7), clock).slots()) == 46
    assert len(day_grid(date(2026, 10, 31), clock).slots()) == 50


def test_a_skipped_local_time_means_the_instant_of_the_change() -> None:
    new_york = zone("America/New_York")
    skipped = local_to_utc(datetime(2026, 3, 8, 2, 30), new_york)  # noqa: DTZ001 (wall)
    assert skipped == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    repeated = local_to_utc(datetime(2026, 11, 1, 1, 30), new_york)  # noqa: DTZ001
    assert repeated == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # first occurrence (EDT)


def test_block_before_day_start_belongs_to_the_end_of_the_day() -> None:
    clock = DayClock("UTC")
    start, end = block_bounds(date(2026, 1, 5), 5 * 60, 60, clock)
    assert start == datetime(2026, 1, 6, 5, 0, tzinfo=UTC)
    assert end == datetime(2026, 1, 6, 6, 0, tzinfo=UTC)


def test_kathmandu_hour_grid_lines_are_local_hours() -> None:
    clock = DayClock("Asia/Kathmandu", grid_minutes=60)
    grid = day_grid(date(2026, 1, 5), clock)
    assert all(b.astimezone(clock.tz).minute == 0 for b in grid.boundaries)
    assert grid.boundaries[1] - grid.boundaries[0] == timedelta(hours=1)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"timezone": "UTC", "grid_minutes": 7}, "does not divide a day"),
        ({"timezone": "UTC", "grid_offset_minutes": 30}, "grid offset"),
        ({"timezone": "UTC", "day_start_minutes": 1440}, "day start"),
    ],
)
def test_bad_day_clock_is_a_one_line_error(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ScheduleError, match=fragment):
        DayClock(**kwargs)  # type: ignore[arg-type]
