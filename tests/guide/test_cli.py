"""``retrovue guide export``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from lxml import etree

from retrovue.clock import SystemClock
from retrovue.db import Database
from tests.conftest import CliRunner
from tests.guide.factories import add_channel, add_event
from tests.guide.helpers import validate_xmltv


def _station(database: Database) -> None:
    now = SystemClock().now_utc()  # the CLI runs on the system clock
    channel = add_channel(database, now, "3", name="Three & <Co>")
    add_event(database, channel, now, now + timedelta(hours=1), title="On Now")
    add_event(database, channel, now + timedelta(days=3), now + timedelta(days=3, hours=1))


def test_export_to_file_with_days(cli: CliRunner, sqlite_db: Database, tmp_path: Path) -> None:
    _station(sqlite_db)
    cli.use_database(sqlite_db.url.render_as_string(hide_password=False))
    out = tmp_path / "guide.xml"
    result = cli("guide", "export", "--out", str(out), "--days", "2")
    assert result.code == 0, result.err
    assert "wrote" in result.err
    check = tmp_path / "check"
    check.mkdir()
    assert "Validated ok" in validate_xmltv(out.read_bytes(), check)
    doc = etree.parse(str(out)).getroot()
    titles = [p.findtext("title") for p in doc.findall("programme")]
    assert "On Now" in titles
    assert "Programme" not in titles  # three days ahead: outside --days 2
    wide = cli("guide", "export", "--days", "4")
    assert wide.code == 0
    assert "<title>Programme</title>" in wide.out


def test_export_m3u_to_stdout(cli: CliRunner, sqlite_db: Database) -> None:
    _station(sqlite_db)
    cli.use_database(sqlite_db.url.render_as_string(hide_password=False))
    result = cli("guide", "export", "--format", "m3u", "--base-url", "http://10.1.2.3:5004")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == '#EXTM3U url-tvg="http://10.1.2.3:5004/xmltv.xml"'
    assert lines[2] == "http://10.1.2.3:5004/auto/v3"


def test_bad_input_is_one_line_and_writes_nothing(
    cli: CliRunner, sqlite_db: Database, tmp_path: Path
) -> None:
    cli.use_database(sqlite_db.url.render_as_string(hide_password=False))
    out = tmp_path / "guide.xml"
    for args in (
        ("--days", "0"),
        ("--days", "61"),
        ("--base-url", "ftp://x"),
        ("--out", str(tmp_path / "missing" / "g.xml")),
    ):
        result = cli("guide", "export", "--out", str(out), *args)
        assert result.code == 2, args
        assert result.err.startswith("error: ")
        assert len(result.err.strip().splitlines()) == 1
    assert not out.exists()
