"""``retrovue schedule assign|unassign|assignments``: end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from retrovue.broadcast.admin.channels import ChannelOptions, add_channel
from retrovue.broadcast.admin.templates import add_block, add_template
from retrovue.broadcast.assignments import read_assignments
from retrovue.clock import FakeClock
from retrovue.db import Database
from tests.conftest import CliRunner


@pytest.fixture
def rv(cli: CliRunner, db: Database, clock: FakeClock) -> CliRunner:
    cli.use_database(db.url.render_as_string(hide_password=False))
    add_channel(db, clock, "5", "Five")
    add_channel(db, clock, "7", "Seven", ChannelOptions(grid_minutes=60))
    for name, start in (("Weekday", 360), ("Weekend", 360), ("HalfHour", 390)):
        add_template(db, clock, name)
        add_block(db, clock, name, start_minutes=start, duration_minutes=60, rule_json={})
    return cli


def _selectors(db: Database, channel: str = "5") -> list[tuple[str, str]]:
    return [(a.selector, a.template) for a in read_assignments(db, channel)]


def test_assign_every_way_and_list(rv: CliRunner, db: Database) -> None:
    assert rv("schedule", "assign", "5", "Weekday").out == (
        "channel 5: default -> 'Weekday' (1 added, 0 replaced)\n"
    )
    assert rv("schedule", "assign", "5", "Weekend", "--weekday", "sat,sun").code == 0
    ranged = rv("schedule", "assign", "5", "HalfHour", "--from", "2026-12-24", "--to", "2026-12-26")
    assert (
        ranged.out
        == "channel 5: 2026-12-24..2026-12-26 (3 days) -> 'HalfHour' (3 added, 0 replaced)\n"
    )
    assert rv("schedule", "assign", "5", "Weekday", "--date", "2026-12-25").code == 0
    listed = json.loads(rv("schedule", "assignments", "5", "--json").out)
    assert listed == [
        {"selector": "default", "kind": "default", "template": "Weekday"},
        {"selector": "sat", "kind": "weekday", "template": "Weekend"},
        {"selector": "sun", "kind": "weekday", "template": "Weekend"},
        {"selector": "2026-12-24", "kind": "date", "template": "HalfHour"},
        {"selector": "2026-12-25", "kind": "date", "template": "Weekday"},
        {"selector": "2026-12-26", "kind": "date", "template": "HalfHour"},
    ]
    table = rv("schedule", "assignments", "5").out.splitlines()
    assert table[0].split() == ["SELECTOR", "KIND", "TEMPLATE"]
    assert len(table) == 7


BAD_ASSIGNS = [
    (["9", "Weekday"], "error: no channel '9' (see: retrovue channel list)"),
    (["5", "Nope"], "error: no template 'Nope' (see: retrovue template list)"),
    (
        ["5", "Weekday", "--date", "2026-02-30"],
        "error: --date: '2026-02-30' is not a real date",
    ),
    (["5", "Weekday", "--date", "30.01.2026"], "error: --date: '30.01.2026' is not a date"),
    (
        ["5", "Weekday", "--from", "2026-03-05", "--to", "2026-03-01"],
        "error: --to: 2026-03-01 is before",
    ),
    (["5", "Weekday", "--from", "2026-03-05"], "error: --from and --to go together"),
    (
        ["5", "Weekday", "--from", "2026-03-01", "--to", "2026-04-31"],
        "error: --to: '2026-04-31' is not a real",
    ),
    (["5", "Weekday", "--weekday", "mon,xyz"], "error: --weekday: 'xyz' is not a weekday"),
    (["5", "Weekday", "--date", "2026-03-01", "--weekday", "mon"], "error: give only one of"),
    (
        ["7", "HalfHour", "--weekday", "mon"],
        "error: template 'HalfHour': block 06:30-07:30 (1h) does not start on the grid of "
        "channel 7",
    ),
]


def test_bad_assignments_write_nothing(rv: CliRunner, db: Database) -> None:
    for args, message in BAD_ASSIGNS:
        result = rv("schedule", "assign", *args)
        assert result.code == 2, args
        assert result.err.startswith(message), (args, result.err)
        assert result.err.count("\n") == 1
        assert _selectors(db, "5") == []
        assert _selectors(db, "7") == []


def test_unassign(rv: CliRunner, db: Database) -> None:
    rv("schedule", "assign", "5", "Weekday")
    rv("schedule", "assign", "5", "Weekend", "--weekday", "sat,sun")
    rv("schedule", "assign", "5", "HalfHour", "--from", "2026-12-24", "--to", "2026-12-26")
    removed = rv("schedule", "unassign", "5", "--from", "2026-12-25", "--to", "2026-12-31")
    assert (removed.code, removed.out) == (0, "channel 5: removed 2 assignment(s)\n")
    assert rv("schedule", "unassign", "5", "--weekday", "sun").code == 0
    assert rv("schedule", "unassign", "5").code == 0
    missing = rv("schedule", "unassign", "5", "--weekday", "mon")
    assert (missing.code, missing.err) == (
        2,
        "error: channel 5 has no assignment for mon (see: retrovue schedule assignments 5)\n",
    )
    assert _selectors(db) == [("sat", "Weekend"), ("2026-12-24", "HalfHour")]
    unknown = rv("schedule", "assignments", "9")
    assert (unknown.code, unknown.err) == (
        2,
        "error: no channel '9' (see: retrovue channel list)\n",
    )
