"""Template and block admin on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from retrovue.broadcast.admin.channels import ChannelOptions, add_channel
from retrovue.broadcast.admin.schedule import DaySelection, assign
from retrovue.broadcast.admin.templates import (
    add_block,
    add_template,
    remove_block,
    remove_template,
)
from retrovue.broadcast.rules import parse_rule
from retrovue.broadcast.templates import read_template, read_templates
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.broadcast import Template, TemplateBlock
from retrovue.errors import ConflictError, NotFoundError, ValidationError

H = 60


def _blocks(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(TemplateBlock)) or 0


def test_add_template_and_blocks(db: Database, clock: FakeClock) -> None:
    created = add_template(db, clock, "Weekday", "Mon-Fri")
    assert (created.name, created.description, created.blocks) == ("Weekday", "Mon-Fri", ())
    add_block(
        db,
        clock,
        "Weekday",
        start_minutes=6 * H,
        duration_minutes=3 * H,
        rule_json={"series": "Simpsons", "min_duration": "20m"},
        name="Morning",
    )
    add_block(db, clock, "Weekday", start_minutes=5 * H, duration_minutes=H, rule_json={})
    shown = read_template(db, "Weekday")
    assert [(b.start_minutes, b.duration_minutes, b.name) for b in shown.blocks] == [
        (5 * H, H, None),
        (6 * H, 3 * H, "Morning"),
    ]
    # stored in the canonical form: lists, seconds
    assert shown.blocks[1].rule_json == {"series": ["Simpsons"], "min_duration": 1200}
    assert parse_rule(shown.blocks[1].rule_json).min_duration_ms == 1_200_000
    assert shown.blocks[1].to_dict()["end"] == "09:00"
    assert shown.blocks[1].to_dict()["duration"] == "3h"
    assert [t.name for t in read_templates(db)] == ["Weekday"]


def test_duplicate_template_conflicts(db: Database, clock: FakeClock) -> None:
    add_template(db, clock, "Weekday")
    with pytest.raises(ConflictError, match="template 'Weekday' already exists"):
        add_template(db, clock, "Weekday")
    with pytest.raises(ValidationError, match="template name: must be 1 to 200"):
        add_template(db, clock, "  ")


BAD_BLOCKS = [
    (7 * H, H, {}, "block 07:00-08:00 (1h) overlaps block 'Morning' 06:00-09:00 (3h)"),
    (5 * H, 2 * H, {}, "overlaps block 'Morning'"),
    (6 * H, 30, {}, "overlaps block 'Morning'"),
    (22 * H, 9 * H, {}, "overlaps block 'Morning'"),  # wraps past midnight into 06:00
    (10 * H, 30, {"colour": "red"}, "rule_json: colour: unknown key"),
    (10 * H, 30, {"order": "backwards"}, "rule_json: order: must be one of"),
    (10 * H, 30, [1], "rule_json: must be a JSON object"),
    (10 * H, 22 * H, {}, "overlaps"),
]


def test_bad_blocks_write_nothing(db: Database, clock: FakeClock) -> None:
    add_template(db, clock, "Weekday")
    add_block(
        db,
        clock,
        "Weekday",
        start_minutes=6 * H,
        duration_minutes=3 * H,
        rule_json={},
        name="Morning",
    )
    for start, duration, rule, message in BAD_BLOCKS:
        with pytest.raises(ValidationError) as caught:
            add_block(
                db, clock, "Weekday", start_minutes=start, duration_minutes=duration, rule_json=rule
            )
        assert message in str(caught.value), (start, duration, rule)
        assert _blocks(db) == 1


def test_blocks_may_leave_gaps_and_fill_the_whole_day(db: Database, clock: FakeClock) -> None:
    add_template(db, clock, "Full")
    add_block(db, clock, "Full", start_minutes=6 * H, duration_minutes=24 * H, rule_json={})
    with pytest.raises(ValidationError, match="overlaps"):
        add_block(db, clock, "Full", start_minutes=0, duration_minutes=30, rule_json={})
    add_template(db, clock, "Gappy")
    for start in (0, 8 * H, 20 * H):
        add_block(db, clock, "Gappy", start_minutes=start, duration_minutes=H, rule_json={})
    assert len(read_template(db, "Gappy").blocks) == 3


def test_unknown_template(db: Database, clock: FakeClock) -> None:
    with pytest.raises(NotFoundError, match="no template 'Nope'"):
        add_block(db, clock, "Nope", start_minutes=0, duration_minutes=30, rule_json={})
    with pytest.raises(NotFoundError, match="no template 'Nope'"):
        remove_template(db, "Nope")
    with pytest.raises(NotFoundError, match="no template 'Nope'"):
        read_template(db, "Nope")


def test_remove_block(db: Database, clock: FakeClock) -> None:
    add_template(db, clock, "Weekday")
    add_block(db, clock, "Weekday", start_minutes=6 * H, duration_minutes=H, rule_json={})
    add_block(db, clock, "Weekday", start_minutes=7 * H, duration_minutes=H, rule_json={})
    with pytest.raises(NotFoundError, match="template 'Weekday' has no block starting at 06:30"):
        remove_block(db, clock, "Weekday", 6 * H + 30)
    removed = remove_block(db, clock, "Weekday", 6 * H)
    assert removed.start_minutes == 6 * H
    assert [b.start_minutes for b in read_template(db, "Weekday").blocks] == [7 * H]


def test_block_added_to_an_assigned_template_must_fit_its_channels(
    db: Database, clock: FakeClock
) -> None:
    add_channel(db, clock, "5", "Five", ChannelOptions(grid_minutes=60))
    add_template(db, clock, "Day")
    assign(db, clock, "5", "Day", DaySelection.default())
    with pytest.raises(ValidationError, match="does not start on the grid of channel 5"):
        add_block(db, clock, "Day", start_minutes=6 * H + 30, duration_minutes=H, rule_json={})
    with pytest.raises(ValidationError, match="not a whole number of grid slots of channel 5"):
        add_block(db, clock, "Day", start_minutes=6 * H, duration_minutes=90, rule_json={})
    with pytest.raises(ValidationError, match="runs past the day start 06:00 of channel 5"):
        add_block(db, clock, "Day", start_minutes=5 * H, duration_minutes=2 * H, rule_json={})
    add_block(db, clock, "Day", start_minutes=6 * H, duration_minutes=2 * H, rule_json={})
    assert _blocks(db) == 1


def test_remove_template_refuses_while_assigned(db: Database, clock: FakeClock) -> None:
    add_channel(db, clock, "5", "Five")
    add_channel(db, clock, "2.1", "Two")
    add_template(db, clock, "Day")
    add_block(db, clock, "Day", start_minutes=6 * H, duration_minutes=H, rule_json={})
    assign(db, clock, "5", "Day", DaySelection.default())
    assign(db, clock, "2.1", "Day", DaySelection.on_weekdays((0,)))
    assert read_template(db, "Day").assigned_channels == ("2.1", "5")
    with pytest.raises(ConflictError, match=r"assigned to channel\(s\) 2.1, 5: unassign it first"):
        remove_template(db, "Day")
    add_template(db, clock, "Spare")
    add_block(db, clock, "Spare", start_minutes=0, duration_minutes=H, rule_json={})
    remove_template(db, "Spare")
    with db.transaction() as session:
        names = session.scalars(select(Template.name)).all()
    assert names == ["Day"]
    assert _blocks(db) == 1  # the spare template's block went with it
