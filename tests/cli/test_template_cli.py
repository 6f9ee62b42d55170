"""``retrovue template`` and ``template block``: end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrovue.broadcast.admin.templates import add_block, add_template
from retrovue.broadcast.templates import read_template, read_templates
from retrovue.clock import FakeClock
from retrovue.db import Database
from tests.conftest import CliRunner


@pytest.fixture
def rv(cli: CliRunner, db: Database) -> CliRunner:
    cli.use_database(db.url.render_as_string(hide_password=False))
    return cli


def test_template_and_block_lifecycle(rv: CliRunner, db: Database, tmp_path: Path) -> None:
    assert rv("template", "add", "Weekday", "--description", "Mon-Fri").code == 0
    added = rv(
        "template", "block", "add", "Weekday", "--start", "06:00", "--duration", "1h30m",
        "--rule", '{"series": "Simpsons", "max_duration": "30m"}', "--name", "Morning",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert added.out == (
        'added block 06:00-07:30 to \'Weekday\': {"series": ["Simpsons"], "max_duration": 1800}\n'
    )
    rule_file = tmp_path / "late.json"
    rule_file.write_text('{"kind": "movie", "order": "shuffle"}', encoding="utf-8")
    late = rv("template", "block", "add", "Weekday", "--start", "05:00", "--duration", "1h",
              "--rule-file", str(rule_file))  # fmt: skip
    assert late.code == 0, late.err
    shown = json.loads(rv("template", "show", "Weekday", "--json").out)
    assert shown["description"] == "Mon-Fri"
    assert [(b["start"], b["end"], b["duration"], b["name"]) for b in shown["blocks"]] == [
        ("05:00", "06:00", "1h", None),
        ("06:00", "07:30", "1h30m", "Morning"),
    ]
    assert shown["blocks"][0]["rule"] == {"kind": "movie", "order": "shuffle"}
    listed = json.loads(rv("template", "block", "list", "Weekday", "--json").out)
    assert listed == shown["blocks"]
    assert "Morning" in rv("template", "show", "Weekday").out
    assert json.loads(rv("template", "list", "--json").out)[0]["name"] == "Weekday"
    removed = rv("template", "block", "remove", "Weekday", "--start", "05:00")
    assert (removed.code, removed.out) == (0, "removed block 05:00-06:00 from 'Weekday'\n")
    assert len(read_template(db, "Weekday").blocks) == 1
    assert rv("template", "remove", "Weekday").code == 0
    assert read_templates(db) == []


BAD_BLOCKS = [
    (["--start", "07:00", "--duration", "1h", "--rule", "{}"], "overlaps block 'Morning'"),
    (
        ["--start", "07:00", "--duration", "1h", "--rule", '{"x": 1}'],
        "rule_json: x: unknown key",
    ),
    (["--start", "10:00", "--duration", "1h", "--rule", "{bad"], "rule_json: not valid JSON"),
    (
        ["--start", "10:00", "--duration", "90s", "--rule", "{}"],
        "not a whole number of minutes",
    ),
    (["--start", "10:00", "--duration", "25h", "--rule", "{}"], "at most 24h"),
    (
        ["--start", "24:00", "--duration", "1h", "--rule", "{}"],
        "--start: '24:00' is not a time",
    ),
    (
        ["--start", "10:00", "--duration", "1h"],
        "give exactly one of --rule JSON or --rule-file",
    ),
    (
        ["--start", "10:00", "--duration", "1h", "--rule-file", "/no/rule.json"],
        "--rule-file: cannot read '/no/rule.json'",
    ),
    (
        [
            "--start",
            "10:00",
            "--duration",
            "1h",
            "--rule",
            '{"order": "random", "no_repeat_days": "3"}',
        ],
        "rule_json: no_repeat_days: must be a whole number",
    ),
]


def test_bad_blocks(rv: CliRunner, db: Database, clock: FakeClock) -> None:
    add_template(db, clock, "Weekday")
    add_block(
        db, clock, "Weekday", start_minutes=360, duration_minutes=120, rule_json={}, name="Morning"
    )
    for args, message in BAD_BLOCKS:
        result = rv("template", "block", "add", "Weekday", *args)
        assert result.code == 2, args
        assert result.err.startswith("error: ")
        assert message in result.err, (args, result.err)
        assert result.err.count("\n") == 1
        assert len(read_template(db, "Weekday").blocks) == 1


def test_unknown_and_duplicate_templates(rv: CliRunner, db: Database, clock: FakeClock) -> None:
    add_template(db, clock, "Weekday")
    duplicate = rv("template", "add", "Weekday")
    assert (duplicate.code, duplicate.err) == (
        2,
        "error: template 'Weekday' already exists (choose another name)\n",
    )
    for args in (["show", "Nope"], ["remove", "Nope"], ["block", "list", "Nope"]):
        result = rv("template", *args)
        assert (result.code, result.err) == (
            2,
            "error: no template 'Nope' (see: retrovue template list)\n",
        )
    assert [t.name for t in read_templates(db)] == ["Weekday"]
