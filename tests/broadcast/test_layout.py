"""Guide numbers, grids, block overlap on the 24-hour circle, blocks against a channel's grid."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.broadcast.layout import (
    BlockSpan,
    ChannelGrid,
    arcs_overlap,
    block_problem,
    check_blocks_fit_channel,
    check_grid,
    check_guide_number,
    check_new_block,
    minutes_since_day_start,
)
from retrovue.errors import ValidationError


@pytest.mark.parametrize("number", ["2", "2.1", "0", "10.12", "999", "5.0"])
def test_good_guide_numbers(number: str) -> None:
    assert check_guide_number(number) == number


@pytest.mark.parametrize(
    "number", ["2_1", "2.1.1", "", ".5", "5.", "05", "a5", "5 ", "-1", "1e3", "٣", "1٣", "1" * 21]
)
def test_bad_guide_numbers(number: str) -> None:
    with pytest.raises(ValidationError, match="invalid channel number") as caught:
        check_guide_number(number)
    if "_" in number:
        assert "'_' breaks Jellyfin" in str(caught.value)


@pytest.mark.parametrize("grid", [1, 5, 10, 15, 20, 30, 60, 90, 120, 1440])
def test_grids_that_divide_a_day(grid: int) -> None:
    check_grid(grid, grid - 1)


@pytest.mark.parametrize("grid", [0, -30, 7, 25, 50, 100, 2880])
def test_grids_that_do_not_divide_a_day(grid: int) -> None:
    with pytest.raises(ValidationError, match="does not divide a day"):
        check_grid(grid, 0)


@pytest.mark.parametrize(("grid", "offset"), [(30, 30), (30, -1), (60, 75)])
def test_grid_offset_must_be_below_grid(grid: int, offset: int) -> None:
    with pytest.raises(ValidationError, match=f"--grid-offset: {offset} must be between 0 and"):
        check_grid(grid, offset)


def _minutes(span: BlockSpan) -> set[int]:
    return {(span.start_minutes + n) % 1440 for n in range(span.duration_minutes)}


_spans = st.builds(BlockSpan, st.integers(0, 1439), st.integers(1, 1440))


@settings(deadline=None)
@given(_spans, _spans)
def test_overlap_on_the_circle_matches_minute_sets(first: BlockSpan, second: BlockSpan) -> None:
    assert arcs_overlap(first, second) == bool(_minutes(first) & _minutes(second))
    assert arcs_overlap(first, second) == arcs_overlap(second, first)


def test_overlap_across_midnight() -> None:
    late = BlockSpan(23 * 60, 120, "late")  # 23:00-01:00
    assert arcs_overlap(late, BlockSpan(30, 30))
    assert not arcs_overlap(late, BlockSpan(60, 30))  # 01:00 starts when late ends
    assert not arcs_overlap(late, BlockSpan(22 * 60, 60))


def test_check_new_block_rejects_overlap_and_names_both() -> None:
    existing = [BlockSpan(360, 180, "Morning")]
    check_new_block(existing, BlockSpan(540, 60))  # 09:00 right after
    with pytest.raises(ValidationError) as caught:
        check_new_block(existing, BlockSpan(480, 60, "News"))
    assert str(caught.value) == (
        "block 'News' 08:00-09:00 (1h) overlaps block 'Morning' 06:00-09:00 (3h)"
    )


def test_check_new_block_day_limit() -> None:
    check_new_block([], BlockSpan(360, 1440))
    with pytest.raises(ValidationError, match="overlaps"):
        check_new_block([BlockSpan(360, 1440)], BlockSpan(0, 1))
    with pytest.raises(ValidationError, match="at most 24h"):
        check_new_block([], BlockSpan(0, 1441))
    with pytest.raises(ValidationError, match="outside 00:00-23:59"):
        check_new_block([], BlockSpan(1440, 30))


@settings(deadline=None)
@given(st.lists(_spans, max_size=8))
def test_accepted_blocks_never_overlap_nor_exceed_a_day(candidates: list[BlockSpan]) -> None:
    accepted: list[BlockSpan] = []
    for span in candidates:
        try:
            check_new_block(accepted, span)
        except ValidationError:
            continue
        accepted.append(span)
    covered = [m for span in accepted for m in _minutes(span)]
    assert len(covered) == len(set(covered)) <= 1440


def test_minutes_since_day_start() -> None:
    assert minutes_since_day_start(5 * 60, 6 * 60) == 1380
    assert minutes_since_day_start(6 * 60, 6 * 60) == 0
    assert minutes_since_day_start(0, 6 * 60) == 1080


CHANNEL = ChannelGrid("5", day_start_minutes=360, grid_minutes=30, grid_offset_minutes=0)


@pytest.mark.parametrize(
    ("span", "problem"),
    [
        (BlockSpan(360, 60), None),
        (BlockSpan(300, 60), None),  # 05:00-06:00 ends the day exactly
        (BlockSpan(375, 30), "does not start on the grid of channel 5 (grid 30 min, offset 0)"),
        (BlockSpan(360, 45), "is not a whole number of grid slots"),
        (BlockSpan(330, 60), "runs past the day start 06:00 of channel 5"),
        (BlockSpan(360, 1440), None),
        (BlockSpan(390, 1440), "runs past the day start"),
    ],
)
def test_block_problem(span: BlockSpan, problem: str | None) -> None:
    found = block_problem(span, CHANNEL)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


def test_block_problem_with_offset() -> None:
    channel = ChannelGrid("7", day_start_minutes=365, grid_minutes=30, grid_offset_minutes=5)
    assert block_problem(BlockSpan(365, 30), channel) is None
    assert block_problem(BlockSpan(395, 60), channel) is None
    assert block_problem(BlockSpan(360, 30), channel) is not None


def test_check_blocks_fit_channel_names_the_template() -> None:
    with pytest.raises(ValidationError, match=r"^template 'Weekday': block 06:15-06:45"):
        check_blocks_fit_channel([BlockSpan(360, 30), BlockSpan(375, 30)], CHANNEL, "Weekday")
