"""Break points from markers, an operator's list, and operator-facing times (pure)."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrovue.broadcast.breakpoints import (
    EDGE_MS,
    Mark,
    format_ms,
    library_breaks,
    operator_breaks,
    parse_time_ms,
    parse_times_ms,
    refreshed_breaks,
    scheduler_fields,
    scheduler_fields_json,
)
from retrovue.errors import ValidationError

MIN = 60_000
HALF_HOUR = 30 * MIN


def chapters(*starts_ms: int, duration_ms: int = HALF_HOUR) -> list[Mark]:
    ends = [*starts_ms[1:], duration_ms]
    return [Mark("chapter", s, e) for s, e in zip(starts_ms, ends, strict=True)]


def test_chapter_starts_become_points_except_at_the_edges() -> None:
    marks = chapters(0, 30_000, 7 * MIN, 15 * MIN, HALF_HOUR - 30_000)
    assert library_breaks(HALF_HOUR, marks) == {
        "points_ms": [7 * MIN, 15 * MIN],
        "avoid_ms": [],
        "source": "chapters",
    }


def test_ad_break_markers_win_over_chapters() -> None:
    marks = [*chapters(0, 7 * MIN, 15 * MIN), Mark("ad_break", 11 * MIN, 11 * MIN + 5000)]
    assert library_breaks(HALF_HOUR, marks) == {
        "points_ms": [11 * MIN],
        "avoid_ms": [],
        "source": "markers",
    }


def test_unusable_ad_breaks_fall_back_to_chapters() -> None:
    marks = [*chapters(0, 7 * MIN), Mark("ad_break", 10_000, 20_000)]
    assert library_breaks(HALF_HOUR, marks)["source"] == "chapters"


def test_never_inside_intro_or_credits_but_right_after_is_fine() -> None:
    marks = [
        *chapters(0, 2 * MIN, 3 * MIN, 14 * MIN, 27 * MIN),
        Mark("intro", 90_000, 3 * MIN),
        Mark("credits", 26 * MIN, 29 * MIN),
        Mark("credits", 28 * MIN, 29 * MIN + 30_000),  # overlapping: merged
    ]
    assert library_breaks(HALF_HOUR, marks) == {
        "points_ms": [3 * MIN, 14 * MIN],
        "avoid_ms": [[90_000, 3 * MIN], [26 * MIN, 29 * MIN + 30_000]],
        "source": "chapters",
    }


def test_nothing_known_is_empty_and_intro_alone_keeps_its_range() -> None:
    assert library_breaks(HALF_HOUR, []) == {}
    assert library_breaks(HALF_HOUR, chapters(0)) == {}
    assert library_breaks(HALF_HOUR, [Mark("intro", 0, 60_000)]) == {
        "points_ms": [],
        "avoid_ms": [[0, 60_000]],
        "source": "markers",
    }


marks_strategy = st.lists(
    st.builds(
        lambda kind, start, length: Mark(kind, start, start + length),
        st.sampled_from(["chapter", "intro", "credits", "ad_break"]),
        st.integers(0, 4 * HALF_HOUR),
        st.integers(0, 10 * MIN),
    ),
    max_size=25,
)


@given(st.integers(1, 4 * HALF_HOUR), marks_strategy)
def test_library_points_are_sorted_unique_and_never_where_forbidden(
    duration_ms: int, marks: list[Mark]
) -> None:
    value = library_breaks(duration_ms, marks)
    if not value:
        assert not any(m.kind in ("intro", "credits") and m.end_ms > m.start_ms for m in marks)
        return
    points, avoid = value["points_ms"], value["avoid_ms"]
    assert value["source"] in ("markers", "chapters")
    assert points == sorted(set(points))
    for point in points:
        assert EDGE_MS <= point <= duration_ms - EDGE_MS
        assert not any(start < point < end for start, end in avoid)
        kind = "ad_break" if value["source"] == "markers" else "chapter"
        assert any(m.kind == kind and m.start_ms == point for m in marks)
    assert all(a[1] < b[0] for a, b in pairwise(avoid))  # merged
    for m in marks:  # every intro/credits range is covered by one avoid range
        if m.kind in ("intro", "credits") and m.end_ms > m.start_ms:
            assert any(s <= m.start_ms and m.end_ms <= e for s, e in avoid)


def test_operator_list_is_sorted_and_checked() -> None:
    intro = [Mark("intro", 0, 90_000), Mark("credits", 28 * MIN, HALF_HOUR)]
    value = operator_breaks(HALF_HOUR, [15 * MIN + 10_000, 7 * MIN + 42_000], intro)
    assert value == {
        "points_ms": [7 * MIN + 42_000, 15 * MIN + 10_000],
        "avoid_ms": [[0, 90_000], [28 * MIN, HALF_HOUR]],
        "source": "operator",
    }
    # a point inside an intro: the operator wins, that range is no longer avoided
    late_intro = [Mark("intro", MIN, 3 * MIN), intro[1]]
    assert operator_breaks(HALF_HOUR, [90_000], late_intro)["avoid_ms"] == [[28 * MIN, HALF_HOUR]]
    with pytest.raises(ValidationError, match=r"30:00 is outside the asset"):
        operator_breaks(HALF_HOUR, [HALF_HOUR])
    with pytest.raises(ValidationError, match="outside the asset"):
        operator_breaks(HALF_HOUR, [0])
    with pytest.raises(ValidationError, match=r"0:59\.999 is in the first minute"):
        operator_breaks(HALF_HOUR, [MIN - 1])
    with pytest.raises(ValidationError, match=r"29:30 is in the last minute .*30:00 long"):
        operator_breaks(HALF_HOUR, [29 * MIN + 30_000])
    assert operator_breaks(HALF_HOUR, [MIN, 29 * MIN])["points_ms"] == [MIN, 29 * MIN]
    with pytest.raises(ValidationError, match=r"7:42 is given twice"):
        operator_breaks(HALF_HOUR, [462_000, 2 * MIN, 462_000])
    with pytest.raises(ValidationError, match="at least one"):
        operator_breaks(HALF_HOUR, [])


def test_a_re_promotion_keeps_the_operator_list() -> None:
    marks = chapters(0, 7 * MIN, 15 * MIN)
    mine = operator_breaks(HALF_HOUR, [5 * MIN, 12 * MIN])
    assert refreshed_breaks(mine, HALF_HOUR, marks) == mine
    # the file got shorter: points beyond its end or in its last minute go, the rest stay
    shorter = refreshed_breaks(mine, 12 * MIN + 30_000, marks)
    assert (shorter["points_ms"], shorter["source"]) == ([5 * MIN], "operator")
    # nothing of the list is left: the library decides again
    assert refreshed_breaks(mine, 4 * MIN, marks) == library_breaks(4 * MIN, marks)
    library = library_breaks(HALF_HOUR, marks)
    assert refreshed_breaks(library, HALF_HOUR, chapters(0, 9 * MIN))["points_ms"] == [9 * MIN]


def test_scheduler_fields() -> None:
    assert scheduler_fields({}) == ((), ())
    assert scheduler_fields(None) == ((), ())
    value = {"points_ms": [MIN, 2 * MIN], "avoid_ms": [[0, 5000]], "source": "operator"}
    assert scheduler_fields(value) == ((MIN, 2 * MIN), ((0, 5000),))
    assert scheduler_fields_json(json.dumps(value)) == scheduler_fields(value)
    assert scheduler_fields_json("{}") == scheduler_fields_json(None) == ((), ())
    assert scheduler_fields_json('{"points_ms": [], "avoid_ms": [[0, 9]]}') == ((), ((0, 9),))


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("7:42", 462_000),
        ("0:05", 5000),
        ("75:10", 4_510_000),
        ("1:07:42", 4_062_000),
        (" 15:10 ", 910_000),
        ("7:42.5", 462_500),
        ("7:42.125", 462_125),
    ],
)
def test_parse_time(text: str, ms: int) -> None:
    assert parse_time_ms(text) == ms


@pytest.mark.parametrize("text", ["", "742", "7:60", "7:4", "1:7:42", "1:60:00", "-1:00", "a:bc"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="m:ss or h:mm:ss"):
        parse_time_ms(text)


def test_time_lists() -> None:
    assert parse_times_ms("15:10,7:42") == [910_000, 462_000]
    with pytest.raises(ValidationError, match="empty item"):
        parse_times_ms("7:42,,15:10")


@given(st.integers(0, 10 * 3600 * 1000))
def test_format_and_parse_round_trip(ms: int) -> None:
    assert parse_time_ms(format_ms(ms)) == ms


@given(st.integers(1, 4 * HALF_HOUR), st.lists(st.integers(0, 4 * HALF_HOUR), max_size=8))
def test_a_re_promotion_never_refuses_a_kept_list(duration_ms: int, points: list[int]) -> None:
    current = {"points_ms": sorted(set(points)), "avoid_ms": [], "source": "operator"}
    value = refreshed_breaks(current, duration_ms, [])
    assert all(EDGE_MS <= p <= duration_ms - EDGE_MS for p in value.get("points_ms", []))
