"""``retrovue schedule build | show | now`` end to end, in-process."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select

from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.db.models.broadcast import PlaylogEvent
from retrovue.scheduler.timegrid import DayClock, broadcast_day_of
from tests.conftest import CliRunner
from tests.scheduler.dbseed import add_assets, add_channel, add_template, assign, series_rows

FIELDS = {
    "start",
    "end",
    "kind",
    "title",
    "episode_title",
    "series",
    "season",
    "episode",
    "asset_id",
    "offset_ms",
}


def _seed(database: Database, cli: CliRunner) -> None:
    channel_id = add_channel(database, "5", timezone="America/New_York")
    template = add_template(database, "all", [("06:00", 1440, {"series": "Cheers"}, "Cheers")])
    assign(database, channel_id, template)
    add_assets(database, series_rows("Cheers", 30, 30))
    add_channel(database, "6")  # no template: slate days
    cli.use_database(database.url.render_as_string(hide_password=False))


def test_build_show_now(db: Database, cli: CliRunner) -> None:
    _seed(db, cli)
    first = cli("schedule", "build", "--days", "2")
    assert first.code == 0, first.err
    assert "2 channel(s), 4 day(s) built, 0 kept" in first.out
    assert "slate day: channel 6" in first.out
    again = cli("schedule", "build", "--days", "2", "--json")
    assert again.code == 0
    assert json.loads(again.out)["days_built"] == 0

    today = broadcast_day_of(SystemClock().now_utc(), DayClock("America/New_York"))
    shown = cli("schedule", "show", "5", "--date", today.isoformat(), "--json")
    assert shown.code == 0, shown.err
    events = json.loads(shown.out)
    assert set(events[0]) >= FIELDS
    assert [e["episode"] for e in events][:3] == [1, 2, 3]
    for previous, following in pairwise(events):
        assert previous["end"] == following["start"]

    table = cli("schedule", "show", "5", "--date", today.isoformat())
    assert "S01E01 Cheers #1" in table.out
    assert "broadcast day" in table.out

    at = datetime.fromisoformat(events[1]["start"]) + timedelta(minutes=7, seconds=30)
    now = cli("schedule", "now", "5", "--at", at.isoformat(), "--json")
    assert now.code == 0, now.err
    airing = json.loads(now.out)
    assert set(airing) >= FIELDS
    assert airing["episode"] == 2
    assert airing["offset_ms"] == 450_000
    plain = cli("schedule", "now", "5", "--at", at.isoformat())
    assert "450.000 s into the event" in plain.out


def test_bad_input_is_one_line_and_exit_2(db: Database, cli: CliRunner) -> None:
    _seed(db, cli)
    cases = [
        (("schedule", "now", "5", "--at", "yesterday"), "--at: 'yesterday' is not a time"),
        (("schedule", "build", "--rebuild-from", "2026-13-01"), "--rebuild-from: '2026-13-01'"),
        (("schedule", "show", "99"), "no channel '99'"),
        (("schedule", "build", "--channel", "99"), "no channel '99'"),
        (("schedule", "build", "--days", "0"), "--days must be 1 to 60, as horizon_days (got 0)"),
        (("schedule", "build", "--days", "100000"), "--days must be 1 to 60"),
        (("schedule", "build", "--days", "61"), "--days must be 1 to 60"),
        (
            ("schedule", "now", "5", "--at", "2001-01-01T00:00:00Z"),
            "nothing scheduled on channel 5",
        ),
    ]
    events_before = _event_count(db)
    for args, message in cases:
        result = cli(*args)
        assert result.code == 2, (args, result.out, result.err)
        assert result.err.startswith("error: ")
        assert message in result.err
        assert len(result.err.strip().splitlines()) == 1
    assert _event_count(db) == events_before


def _event_count(database: Database) -> int:
    with database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(PlaylogEvent)) or 0)
