"""``retrovue director emergency | clear | status`` end to end, in-process."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.db.models.broadcast import DirectorRequest
from tests.conftest import CliRunner
from tests.runtime_ops.seed import add_channel


def _use(database: Database, cli: CliRunner) -> None:
    now = SystemClock().now_utc()
    add_channel(database, "2", "Two", at_utc=now)
    add_channel(database, "3", "Three", at_utc=now)
    add_channel(database, "9", "Guide", mode="guide", at_utc=now)
    cli.use_database(database.url.render_as_string(hide_password=False))


def _status(cli: CliRunner) -> dict[str, dict[str, object]]:
    result = cli("director", "status", "--json")
    assert result.code == 0, result.err
    return {row["number"]: row for row in json.loads(result.out)}


def _request_count(database: Database) -> int:
    with database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(DirectorRequest)) or 0)


def test_emergency_on_and_off(db: Database, cli: CliRunner) -> None:
    _use(db, cli)
    assert {n: r["mode"] for n, r in _status(cli).items()} == {
        "2": "normal",
        "3": "normal",
        "9": "guide",
    }
    on = cli("director", "emergency", "2", "--message", "Severe weather: stay indoors")
    assert on.code == 0, on.err
    assert on.out.startswith("channel 2: emergency")
    status = _status(cli)
    assert (status["2"]["mode"], status["2"]["message"], status["2"]["scope"]) == (
        "emergency",
        "Severe weather: stay indoors",
        "channel",
    )
    assert status["3"]["mode"] == "normal"
    assert cli("director", "emergency", "--all", "--message", "Test of the system").code == 0
    assert {r["mode"] for r in _status(cli).values()} == {"emergency"}
    assert _status(cli)["9"]["scope"] == "station"
    assert cli("director", "clear", "3").code == 0
    assert _status(cli)["3"]["mode"] == "normal"
    assert _status(cli)["2"]["mode"] == "emergency"
    off = cli("director", "clear", "--all")
    assert off.code == 0
    assert off.out.startswith("every channel: normal")
    assert {n: r["mode"] for n, r in _status(cli).items()} == {
        "2": "normal",
        "3": "normal",
        "9": "guide",
    }
    table = cli("director", "status")
    assert "guide" in table.out
    assert "Three" in table.out


def test_bad_input_is_one_line_exit_2_and_writes_nothing(db: Database, cli: CliRunner) -> None:
    _use(db, cli)
    for args in (
        ("director", "emergency", "77", "--message", "x"),
        ("director", "emergency", "2", "--message", "   "),
        ("director", "emergency", "2"),
        ("director", "emergency", "--message", "no scope"),
        ("director", "emergency", "2", "--all", "--message", "both"),
        ("director", "clear", "77"),
        ("director", "clear"),
    ):
        result = cli(*args)
        assert result.code == 2, (args, result.out, result.err)
        assert result.err.startswith("error: "), result.err
        assert len(result.err.strip().splitlines()) == 1
    assert _request_count(db) == 0
