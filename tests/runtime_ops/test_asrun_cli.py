"""``retrovue asrun show | diff`` end to end, in-process."""

from __future__ import annotations

import json

from retrovue.db import Database
from tests.conftest import CliRunner
from tests.runtime_ops.daydata import NUMBER, seed_day


def _use(database: Database, cli: CliRunner) -> None:
    seed_day(database)
    cli.use_database(database.url.render_as_string(hide_password=False))


def test_show_json_and_table(db: Database, cli: CliRunner) -> None:
    _use(db, cli)
    shown = cli("asrun", "show", NUMBER, "--date", "2026-03-02", "--json")
    assert shown.code == 0, shown.err
    data = json.loads(shown.out)
    assert (data["channel"], data["date"], data["timezone"]) == (
        NUMBER,
        "2026-03-02",
        "America/New_York",
    )
    entries = data["entries"]
    assert len(entries) == 8
    failed = entries[3]
    assert (failed["title"], failed["status"]) == ("D", "failed")
    assert failed["error"] == "cannot open /m/d.mkv: No such file"
    assert entries[2]["offset_ms"] == 600_000
    assert entries[0]["planned_start_utc"] == "2026-03-02T12:00:00+00:00"
    table = cli("asrun", "show", NUMBER, "--date", "2026-03-02")
    assert table.code == 0
    assert "07:00:00" in table.out  # 12:00 UTC shown in New York time
    assert "Technical difficulties" in table.out


def test_diff_json_and_summary(db: Database, cli: CliRunner) -> None:
    _use(db, cli)
    result = cli("asrun", "diff", NUMBER, "--date", "2026-03-02", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert (data["planned"], data["clean"]) == (7, 2)
    assert data["counts"]["substituted"] == 2
    assert data["counts"]["missing"] == 1
    summary = cli("asrun", "diff", NUMBER, "--date", "2026-03-02", "--tolerance", "20")
    assert summary.code == 0
    first_line = summary.out.splitlines()[0]
    assert first_line.startswith(f"channel {NUMBER} 2026-03-02: 7 planned, 3 aired as planned")
    assert "late" not in first_line  # B, 10 s late, is within a 20 s tolerance: clean
    assert "1 missing" in first_line


def test_bad_input_is_one_line_and_exit_2(db: Database, cli: CliRunner) -> None:
    _use(db, cli)
    for args in (
        ("asrun", "show", "99"),
        ("asrun", "show", NUMBER, "--date", "2026-13-40"),
        ("asrun", "diff", NUMBER, "--tolerance", "-1"),
    ):
        result = cli(*args)
        assert result.code == 2, args
        assert result.err.startswith("error: "), result.err
        assert len(result.err.strip().splitlines()) == 1
