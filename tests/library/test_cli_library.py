"""The source, assets and catalog commands end to end, through the real CLI entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from retrovue.cli.sources import ProgressBar
from retrovue.library.ingest import SyncSummary
from tests.conftest import CliRunner

PILOT = "Pilot Episode"


@pytest.fixture
def station_cli(cli: CliRunner, db_url: str, library: Path) -> CliRunner:
    cli.use_database(db_url)
    r = cli("source", "add", "filesystem", "tv", str(library), "--tag", "Retro")
    assert r.code == 0, r.err
    return cli


def as_json(cli: CliRunner, *args: str) -> Any:
    r = cli(*args, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def assert_refused(cli: CliRunner, args: tuple[str, ...], needle: str) -> str:
    r = cli(*args)
    assert r.code == 2, (r.out, r.err)
    assert r.err.startswith("error: ")
    assert needle in r.err
    assert r.err.count("\n") == 1, r.err  # one line
    assert "Traceback" not in r.err
    return r.err


def test_sync_review_promote_revoke_flow(station_cli: CliRunner, library: Path) -> None:
    cli = station_cli
    first = as_json(cli, "source", "sync", "tv")
    assert {k: first[k] for k in ("added", "updated", "unchanged", "failed", "removed")} == {
        "added": 9,
        "updated": 0,
        "unchanged": 0,
        "failed": 3,
        "removed": 0,
    }
    assert cli("source", "sync", "tv").err == ""  # no progress bar when stderr is not a terminal
    again = as_json(cli, "source", "sync", "tv")
    assert (again["unchanged"], again["added"], again["failed"]) == (12, 0, 0)
    [source] = as_json(cli, "source", "list")
    assert (source["name"], source["assets"], source["failed"], source["tags"]) == (
        "tv",
        12,
        3,
        ["retro"],
    )
    failed = as_json(cli, "assets", "list", "--state", "failed")
    assert len(failed) == 3
    show = as_json(cli, "assets", "list", "--series", "The Show", "--source", "tv")
    pilot = next(a for a in show if a["title"] == PILOT)
    detail = as_json(cli, "assets", "show", str(pilot["id"]))
    assert [m["title"] for m in detail["markers"]] == ["Cold open", "Act One"]
    text = cli("assets", "show", str(pilot["id"]))
    assert "marker chapter 0-400 ms Cold open" in text.out
    lufs, dbtp = detail["loudness"]["integrated_lufs"], detail["loudness"]["true_peak_dbtp"]
    assert f"{lufs} LUFS integrated, {dbtp} dBTP true peak" in text.out
    assert cli("assets", "approve", str(pilot["id"])).code == 0
    r = cli("assets", "promote", "--series", "The Show", "--tag", "primetime")
    assert r.code == 0, r.err
    assert "promoted 3 asset(s): 3 new" in r.out
    catalog = as_json(cli, "catalog", "list")
    assert len(catalog) == 3
    assert all(c["canonical"] and "primetime" in c["tags"] for c in catalog)
    cid = catalog[0]["id"]
    r = cli("catalog", "tag", str(cid), "--add", "cozy", "--remove", "primetime")
    assert r.code == 0
    assert as_json(cli, "catalog", "show", str(cid))["tags"] == ["retro", "cozy"]
    r = cli("catalog", "revoke", str(cid))
    assert r.code == 0, r.err
    assert "revoked 1 catalog asset(s)" in r.out
    assert "schedule rebuilt:" in r.out  # the scheduler's rebuild_after_catalog_change ran
    assert len(as_json(cli, "catalog", "list", "--canonical")) == 2


def test_promote_by_source_lists_skipped(station_cli: CliRunner) -> None:
    cli = station_cli
    assert cli("source", "sync", "tv").code == 0
    r = cli("assets", "promote", "--source", "tv")
    assert r.code == 0, r.err
    assert "promoted 9 asset(s)" in r.out
    assert r.out.count("skipped ") == 3
    assert "failed probe (empty file (0 bytes))" in r.out


def test_removed_file_invalidates_catalog_through_cli(
    station_cli: CliRunner, library: Path
) -> None:
    cli = station_cli
    assert cli("source", "sync", "tv").code == 0
    [alien] = [a for a in as_json(cli, "assets", "list") if a["title"] == "Alien"]
    assert cli("assets", "promote", str(alien["id"])).code == 0
    (library / "Movies/Alien (1979)/Alien (1979).mkv").unlink()
    r = cli("source", "sync", "tv")
    assert r.code == 0, r.err
    assert "removed    1" in r.out
    assert "schedule rebuilt:" in r.out
    [entry] = as_json(cli, "catalog", "list")
    assert (entry["canonical"], entry["available"]) == (False, False)


def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    station_cli: CliRunner, library: Path, tmp_path: Path
) -> None:
    cli = station_cli
    assert_refused(
        cli, ("source", "add", "filesystem", "x", str(tmp_path / "nope")), "does not exist"
    )
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert_refused(cli, ("source", "add", "filesystem", "x", str(a_file)), "not a directory")
    assert_refused(cli, ("source", "add", "filesystem", "tv", str(library)), "already exists")
    assert [s["name"] for s in as_json(cli, "source", "list")] == ["tv"]
    assert_refused(cli, ("source", "sync", "nope"), "no source named 'nope'")
    assert_refused(cli, ("source", "remove", "nope"), "no source named 'nope'")
    assert cli("source", "sync", "tv").code == 0
    assert_refused(cli, ("assets", "show", "9999"), "no library asset with id 9999")
    assert_refused(cli, ("assets", "approve", "9999"), "no library asset with id 9999")
    assert_refused(cli, ("assets", "list", "--state", "weird"), "state 'weird'")
    failed_id = as_json(cli, "assets", "list", "--state", "failed")[0]["id"]
    good_id = as_json(cli, "assets", "list", "--state", "pending")[0]["id"]
    err = assert_refused(
        cli, ("assets", "promote", str(good_id), str(failed_id)), f"{failed_id}: failed probe"
    )
    assert "nothing promoted" in err
    assert_refused(cli, ("assets", "promote", "9999"), "no library asset with id 9999")
    assert as_json(cli, "catalog", "list") == []
    assert as_json(cli, "assets", "list", "--state", "approved") == []
    assert_refused(cli, ("assets", "reject", str(good_id), "--reason", " "), "--reason")
    assert_refused(cli, ("catalog", "show", "9999"), "no catalog asset with id 9999")
    assert_refused(cli, ("catalog", "revoke", "9999"), "no catalog asset with id 9999")
    assert_refused(cli, ("catalog", "tag", "9999", "--add", "x"), "no catalog asset with id 9999")


def test_remove_source(station_cli: CliRunner) -> None:
    cli = station_cli
    assert cli("source", "sync", "tv").code == 0
    r = cli("source", "remove", "tv")
    assert r.code == 0
    assert "12 asset(s)" in r.out
    assert as_json(cli, "source", "list") == []
    assert as_json(cli, "assets", "list") == []


def test_progress_bar_draws_counts() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar.update(SyncSummary(source="tv", total=4, added=1, failed=1))
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\r[")
    assert "2/4 added 1 updated 0 unchanged 0 failed 1" in text
    assert "#" * 15 + "." * 15 in text
    assert text.endswith("\n")


def test_docs_list_only_commands_that_exist(cli: CliRunner) -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "library.md"
    lines = [line for line in doc.read_text().splitlines() if line.startswith("retrovue ")]
    assert len(lines) == 17
    for line in lines:
        words = []
        for word in line.split()[1:]:
            if not word.islower() or word[0] in "[-":
                break
            words.append(word)
        r = cli(*words, "--help")
        assert r.code == 0, (line, r.err)
        for option in (w.strip("[]|.") for w in line.split() if w.strip("[").startswith("--")):
            assert option in r.out, (line, option)
