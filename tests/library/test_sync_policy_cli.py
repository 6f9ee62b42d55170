"""``retrovue source set`` (sync policy) and what ``source list`` shows of the last sync."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from retrovue.testing.media import MediaSpec, make_media
from tests.conftest import CliRunner


def _row(cli: CliRunner, name: str) -> dict[str, object]:
    rows = json.loads(cli("source", "list", "--json").out)
    found: dict[str, object] = next(r for r in rows if r["name"] == name)
    return found


def test_policy_and_last_sync_in_source_list(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tv"
    make_media(folder / "Show - S01E01 - One.mkv", MediaSpec(duration_s=1.0, width=160, height=120))
    assert cli("source", "add", "filesystem", "tv", str(folder)).code == 0
    assert _row(cli, "tv")["sync"] == "manual"
    assert _row(cli, "tv")["next_sync_utc"] is None

    result = cli("source", "set", "tv", "--sync-every", "6h")
    assert (result.code, result.out) == (0, "source 'tv' syncs every 6h\n")
    assert _row(cli, "tv")["next_sync_utc"] is not None  # never synced: due at once

    monkeypatch.setenv("TZ", "America/New_York")
    result = cli("source", "set", "tv", "--sync-at", "03:30")
    assert result.out == "source 'tv' syncs daily 03:30 America/New_York\n"
    result = cli("source", "set", "tv", "--sync-at", "4:00", "--sync-tz", "Europe/Berlin")
    assert result.out == "source 'tv' syncs daily 04:00 Europe/Berlin\n"

    assert cli("source", "sync", "tv").code == 0
    row = _row(cli, "tv")
    assert row["last_sync_result"] == "ok"
    summary = "1 items: 1 added, 0 updated, 0 unchanged, 0 failed, 0 removed"
    assert row["last_sync_message"] == summary
    table = cli("source", "list").out.splitlines()
    assert table[0].split()[-3:] == ["SYNC", "LAST_SYNC_UTC", "LAST_SYNC"]
    assert table[1].endswith(" ok")
    assert "daily 04:00 Europe/Berlin" in table[1]

    shutil.rmtree(folder)
    failed = cli("source", "sync", "tv")
    assert failed.code == 2
    row = _row(cli, "tv")
    assert row["last_sync_result"] == "failed"
    assert str(row["last_sync_message"]) in failed.err
    assert "failed: " in cli("source", "list").out.splitlines()[1]

    assert cli("source", "set", "tv", "--manual").out == "source 'tv' syncs manual\n"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--sync-every", "6h", "--sync-at", "03:30"], "give one of"),
        ([], "give one of"),
        (["--sync-every", "2m"], "at least 5m"),
        (["--sync-every", "often"], "expected a duration"),
        (["--sync-at", "3.30"], "expected a time of day"),
        (["--sync-at", "03:30", "--sync-tz", "Mars/Olympus"], "not a time zone"),
        (["--sync-every", "6h", "--sync-tz", "UTC"], "--sync-tz goes with --sync-at"),
    ],
)
def test_bad_policy_is_one_line_and_changes_nothing(
    cli: CliRunner, tmp_path: Path, args: list[str], fragment: str
) -> None:
    folder = tmp_path / "tv"
    folder.mkdir()
    assert cli("source", "add", "filesystem", "tv", str(folder)).code == 0
    assert cli("source", "set", "tv", "--sync-every", "1d").code == 0
    result = cli("source", "set", "tv", *args)
    assert result.code == 2
    assert fragment in result.err
    assert result.err.count("\n") == 1
    assert _row(cli, "tv")["sync"] == "every 1d"
    missing = cli("source", "set", "nowhere", "--manual")
    assert (missing.code, "no source named 'nowhere'" in missing.err) == (2, True)
