"""``retrovue asrun breaks``: what aired in a day's breaks, from the as-run log and its events."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from retrovue.db import Database
from retrovue.db.models.broadcast import AsRun, PlaylogEvent
from tests.conftest import CliRunner
from tests.runtime_ops.seed import add_channel

DAY = date(2026, 3, 2)
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

# (kind, title, seconds, guide_json, as-run status): a sitcom in three parts, two breaks, the
# slot's close; "Soap" airs in both breaks (a repeat), one spot failed on air.
DAY_ON_AIR: list[tuple[str, str, int, dict[str, Any], str]] = [
    ("programme", "Cheers", 462, {"part": 1, "fade_out": True}, "aired"),
    ("filler", "Bumper", 5, {"break": 1}, "aired"),
    ("filler", "Soap", 30, {"break": 1}, "aired"),
    ("filler", "Cola", 30, {"break": 1}, "failed"),
    ("programme", "Cheers", 448, {"part": 2, "continued": True}, "aired"),
    ("filler", "Soap", 30, {"break": 2}, "aired"),
    ("filler", "Cars", 30, {"break": 2}, "aired"),
    ("programme", "Cheers", 410, {"part": 3, "continued": True}, "aired"),
    ("filler", "Promo", 60, {}, "aired"),
    ("slate", "Up next at 12:30: Taxi", 10, {"slate": "padding", "up_next": True}, "aired"),
    ("filler", "Ident", 10, {"station_id": True}, "aired"),
]


def _seed(database: Database) -> None:
    channel_id = add_channel(database, "9", "Nine", at_utc=START)
    cursor = START
    with database.transaction() as session:
        for kind, title, seconds, guide, status in DAY_ON_AIR:
            end = cursor + timedelta(seconds=seconds)
            event = PlaylogEvent(
                channel_id=channel_id, broadcast_day=DAY, start_utc=cursor, end_utc=end,
                kind=kind, title=title, guide_json=guide, built_utc=START,
            )  # fmt: skip
            session.add(event)
            session.flush()
            session.add(
                AsRun(
                    channel_id=channel_id,
                    playlog_event_id=event.id,
                    kind=kind,
                    title=title,
                    planned_start_utc=cursor,
                    planned_end_utc=end,
                    actual_start_utc=cursor,
                    actual_end_utc=end,
                    status=status,
                )
            )
            cursor = end


def test_the_break_report_counts_breaks_spots_repeats_and_cards(
    db: Database, cli: CliRunner
) -> None:
    _seed(db)
    cli.use_database(db.url.render_as_string(hide_password=False))
    result = cli("asrun", "breaks", "9", "--date", DAY.isoformat(), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert (data["breaks"], data["spots"], data["failed"]) == (2, 5, 1)
    assert (data["up_next_cards"], data["station_ids"]) == (1, 1)
    assert data["spots_aired"][0] == {"title": "Soap", "aired": 2}
    table = cli("asrun", "breaks", "9", "--date", DAY.isoformat())
    assert table.code == 0
    assert "repeated spots: Soap x2" in table.out


def test_a_day_without_breaks_reports_none(db: Database, cli: CliRunner) -> None:
    add_channel(db, "4", "Four", at_utc=START)
    cli.use_database(db.url.render_as_string(hide_password=False))
    result = cli("asrun", "breaks", "4", "--date", DAY.isoformat())
    assert result.code == 0, result.err
    assert "breaks 0, spots 0" in result.out
    assert "repeated spots: none" in result.out
    missing = cli("asrun", "breaks", "77")
    assert missing.code == 2
    assert missing.err.strip().count("\n") == 0
