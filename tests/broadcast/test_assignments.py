"""Schedule assignments: precedence (pure) and the assign/unassign write path on both backends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from retrovue.broadcast.admin.channels import ChannelOptions, add_channel
from retrovue.broadcast.admin.schedule import MAX_RANGE_DAYS, DaySelection, assign, unassign
from retrovue.broadcast.admin.templates import add_block, add_template
from retrovue.broadcast.assignments import (
    AssignmentInfo,
    channel_assignments,
    read_assignments,
    template_for_day,
)
from retrovue.broadcast.channels import get_channel
from retrovue.broadcast.timeparse import WEEKDAYS
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.broadcast import ScheduleDay
from retrovue.errors import NotFoundError, ValidationError

MONDAY = date(2026, 3, 2)


def _item(
    kind: str, template_id: int, *, day: date | None = None, weekday: int | None = None
) -> AssignmentInfo:
    selector = "default"
    if day is not None:
        selector = day.isoformat()
    elif weekday is not None:
        selector = WEEKDAYS[weekday]
    return AssignmentInfo(kind, selector, day, weekday, template_id, f"t{template_id}")


def test_precedence_date_then_weekday_then_default() -> None:
    items = [
        _item("default", 1),
        _item("weekday", 2, weekday=0),
        _item("date", 3, day=MONDAY),
    ]
    assert template_for_day(items, MONDAY) == 3
    assert template_for_day(items, MONDAY + timedelta(days=7)) == 2
    assert template_for_day(items, MONDAY + timedelta(days=1)) == 1
    assert template_for_day(items[1:], MONDAY + timedelta(days=1)) is None
    assert template_for_day([], MONDAY) is None
    # the order of the rows does not matter
    assert template_for_day(list(reversed(items)), MONDAY + timedelta(days=7)) == 2


_days = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 1, 21))


@settings(deadline=None)
@given(
    st.lists(st.tuples(_days, st.integers(1, 9)), max_size=5, unique_by=lambda x: x[0]),
    st.dictionaries(st.integers(0, 6), st.integers(1, 9), max_size=7),
    st.none() | st.integers(1, 9),
    _days,
)
def test_precedence_property(
    dated: list[tuple[date, int]], weekly: dict[int, int], default: int | None, day: date
) -> None:
    items = [_item("date", t, day=d) for d, t in dated]
    items += [_item("weekday", t, weekday=w) for w, t in weekly.items()]
    if default is not None:
        items.append(_item("default", default))
    expected = dict(dated).get(day, weekly.get(day.weekday(), default))
    assert template_for_day(items, day) == expected


def test_orm_rows_work_too(db: Database, clock: FakeClock) -> None:
    _setup(db, clock)
    assign(db, clock, "5", "Weekday", DaySelection.default())
    assign(db, clock, "5", "Weekend", DaySelection.on_weekdays((5, 6)))
    assign(db, clock, "5", "Special", DaySelection.on_date(MONDAY))
    with db.transaction() as session:
        channel = get_channel(session, "5")
        rows = list(
            session.scalars(select(ScheduleDay).where(ScheduleDay.channel_id == channel.id))
        )
        infos = channel_assignments(session, channel.id)
        names = {info.template_id: info.template for info in infos}
    saturday = MONDAY + timedelta(days=5)
    assert names[template_for_day(rows, MONDAY) or 0] == "Special"
    assert names[template_for_day(rows, saturday) or 0] == "Weekend"
    assert names[template_for_day(rows, MONDAY + timedelta(days=1)) or 0] == "Weekday"
    assert template_for_day(rows, saturday) == template_for_day(infos, saturday)


def _setup(db: Database, clock: FakeClock) -> None:
    add_channel(db, clock, "5", "Five")
    for name in ("Weekday", "Weekend", "Special"):
        add_template(db, clock, name)
        add_block(db, clock, name, start_minutes=360, duration_minutes=60, rule_json={})


def _selectors(db: Database) -> list[tuple[str, str]]:
    return [(a.selector, a.template) for a in read_assignments(db, "5")]


def _rows(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(ScheduleDay)) or 0


def test_assign_each_kind_and_list_in_order(db: Database, clock: FakeClock) -> None:
    _setup(db, clock)
    result = assign(
        db, clock, "5", "Special", DaySelection.date_range(MONDAY, MONDAY + timedelta(days=2))
    )
    assert (result.created, result.replaced) == (3, 0)
    assign(db, clock, "5", "Weekend", DaySelection.on_weekdays((6, 5)))
    assign(db, clock, "5", "Weekday", DaySelection.default())
    assert _selectors(db) == [
        ("default", "Weekday"),
        ("sat", "Weekend"),
        ("sun", "Weekend"),
        ("2026-03-02", "Special"),
        ("2026-03-03", "Special"),
        ("2026-03-04", "Special"),
    ]


def test_assign_replaces_the_same_days(db: Database, clock: FakeClock) -> None:
    _setup(db, clock)
    assign(db, clock, "5", "Weekday", DaySelection.on_date(MONDAY))
    result = assign(
        db, clock, "5", "Special", DaySelection.date_range(MONDAY, MONDAY + timedelta(days=1))
    )
    assert (result.created, result.replaced) == (1, 1)
    again = assign(db, clock, "5", "Special", DaySelection.on_date(MONDAY))
    assert (again.created, again.replaced) == (0, 0)
    assert _selectors(db) == [("2026-03-02", "Special"), ("2026-03-03", "Special")]


def test_assign_checks_the_grid_and_writes_nothing(db: Database, clock: FakeClock) -> None:
    _setup(db, clock)
    add_channel(db, clock, "7", "Seven", ChannelOptions(grid_minutes=60, grid_offset_minutes=15))
    add_template(db, clock, "Quarter")
    add_block(db, clock, "Quarter", start_minutes=6 * 60 + 15, duration_minutes=60, rule_json={})
    with pytest.raises(
        ValidationError,
        match=r"template 'Weekday': block 06:00-07:00 \(1h\) does not start on the grid of "
        r"channel 7 \(grid 60 min, offset 15\)",
    ):
        assign(
            db, clock, "7", "Weekday", DaySelection.date_range(MONDAY, MONDAY + timedelta(days=30))
        )
    assert _rows(db) == 0
    assign(db, clock, "7", "Quarter", DaySelection.default())
    with pytest.raises(ValidationError, match="does not start on the grid of channel 5"):
        assign(db, clock, "5", "Quarter", DaySelection.default())
    assert _rows(db) == 1


def test_assign_checks_the_day_start(db: Database, clock: FakeClock) -> None:
    _setup(db, clock)
    add_template(db, clock, "Late")
    add_block(db, clock, "Late", start_minutes=5 * 60, duration_minutes=120, rule_json={})
    with pytest.raises(ValidationError, match="runs past the day start 06:00 of channel 5"):
        assign(db, clock, "5", "Late", DaySelection.default())
    add_channel(db, clock, "8", "Eight", ChannelOptions(day_start_minutes=4 * 60))
    assign(db, clock, "8", "Late", DaySelection.default())


def test_unknown_channel_or_template(db: Database, clock: FakeClock) -> None:
    _setup(db, clock)
    with pytest.raises(NotFoundError, match="no channel '9'"):
        assign(db, clock, "9", "Weekday", DaySelection.default())
    with pytest.raises(NotFoundError, match="no template 'Nope'"):
        assign(db, clock, "5", "Nope", DaySelection.default())
    with pytest.raises(NotFoundError, match="no channel '9'"):
        read_assignments(db, "9")
    assert _rows(db) == 0


def test_selection_validation() -> None:
    with pytest.raises(ValidationError, match="--to: 2026-03-01 is before --from 2026-03-02"):
        DaySelection.date_range(MONDAY, MONDAY - timedelta(days=1))
    with pytest.raises(ValidationError, match=f"more than {MAX_RANGE_DAYS}"):
        DaySelection.date_range(MONDAY, MONDAY + timedelta(days=MAX_RANGE_DAYS))
    assert len(DaySelection.date_range(MONDAY, MONDAY).dates) == 1
    with pytest.raises(ValidationError, match="at least one weekday"):
        DaySelection.on_weekdays(())


def test_unassign(db: Database, clock: FakeClock) -> None:
    _setup(db, clock)
    assign(db, clock, "5", "Weekday", DaySelection.default())
    assign(db, clock, "5", "Weekend", DaySelection.on_weekdays((5, 6)))
    assign(db, clock, "5", "Special", DaySelection.date_range(MONDAY, MONDAY + timedelta(days=9)))
    assert (
        unassign(
            db,
            "5",
            DaySelection.date_range(MONDAY + timedelta(days=5), MONDAY + timedelta(days=20)),
        )
        == 5
    )
    assert unassign(db, "5", DaySelection.on_weekdays((0, 5))) == 1
    with pytest.raises(NotFoundError, match="channel 5 has no assignment for mon"):
        unassign(db, "5", DaySelection.on_weekdays((0,)))
    assert unassign(db, "5", DaySelection.default()) == 1
    with pytest.raises(NotFoundError, match="channel 5 has no assignment for default"):
        unassign(db, "5", DaySelection.default())
    assert [s for s, _ in _selectors(db)] == [
        "sun",
        *[(MONDAY + timedelta(days=n)).isoformat() for n in range(5)],
    ]


def test_a_year_long_range(db: Database, clock: FakeClock) -> None:
    _setup(db, clock)
    assign(db, clock, "5", "Weekday", DaySelection.on_date(MONDAY + timedelta(days=100)))
    result = assign(
        db, clock, "5", "Special", DaySelection.date_range(MONDAY, MONDAY + timedelta(days=364))
    )
    assert (result.created, result.replaced) == (364, 1)
    assert _rows(db) == 365
