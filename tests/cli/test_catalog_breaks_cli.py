"""``retrovue catalog breaks``: an operator's break points, clearing them, and ``catalog show``."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

from retrovue.db import Database
from retrovue.testing.media import ChapterSpec, MediaSpec, make_media
from tests.conftest import CliRunner
from tests.scheduler.dbseed import add_assets, add_channel, add_template, assign, series_rows

ACT_MARKERS = [
    {"kind": "chapter", "start_ms": 0, "end_ms": 660_000, "title": "Act One"},
    {"kind": "chapter", "start_ms": 660_000, "end_ms": 1_320_000, "title": "Act Two"},
    {"kind": "intro", "start_ms": 20_000, "end_ms": 80_000, "title": None},
]


def _seed(database: Database, cli: CliRunner) -> int:
    channel_id = add_channel(database, "5")
    template = add_template(database, "all", [("06:00", 1440, {"series": "Cheers"}, "Cheers")])
    assign(database, channel_id, template)
    [first, *_] = add_assets(
        database, series_rows("Cheers", 10, 22, media_info={"markers": ACT_MARKERS})
    )
    cli.use_database(database.url.render_as_string(hide_password=False))
    built = cli("schedule", "build", "--days", "3")
    assert built.code == 0, built.err
    return first


def breaks_of(cli: CliRunner, asset_id: int) -> Any:
    shown = cli("catalog", "show", str(asset_id), "--json")
    assert shown.code == 0, shown.err
    return json.loads(shown.out)["breaks"]


def test_set_show_and_clear(db: Database, cli: CliRunner) -> None:
    asset = _seed(db, cli)
    assert breaks_of(cli, asset) == {}
    assert "breaks.source  none" in cli("catalog", "show", str(asset)).out

    r = cli("catalog", "breaks", str(asset), "--at", "15:10,7:42")
    assert r.code == 0, r.err
    assert f"catalog {asset} breaks.source  operator" in r.out
    assert f"catalog {asset} breaks.points  7:42, 15:10" in r.out
    # the built days after today were rebuilt (one or two, by when the broadcast day rolls)
    assert re.search(r"schedule rebuilt: 1 channel\(s\), [12] day\(s\) built", r.out), r.out
    assert breaks_of(cli, asset) == {
        "points_ms": [462_000, 910_000],
        "avoid_ms": [[20_000, 80_000]],
        "source": "operator",
    }
    shown = cli("catalog", "show", str(asset)).out
    assert "breaks.points  7:42, 15:10" in shown
    assert "breaks.avoid  0:20-1:20" in shown

    same = cli("catalog", "breaks", str(asset), "--at", "0:07:42,15:10")
    assert same.code == 0, same.err
    assert "schedule rebuilt" not in same.out  # nothing changed, nothing rebuilt

    cleared = cli("catalog", "breaks", str(asset), "--clear", "--json")
    assert cleared.code == 0, cleared.err
    assert json.loads(cleared.out) == {
        "id": asset,
        "breaks": {"points_ms": [660_000], "avoid_ms": [[20_000, 80_000]], "source": "chapters"},
        "changed": True,
    }
    assert "breaks.points  11:00" in cli("catalog", "show", str(asset)).out


def test_bad_input_is_one_line_exit_2_and_changes_nothing(db: Database, cli: CliRunner) -> None:
    asset = _seed(db, cli)
    assert cli("catalog", "breaks", str(asset), "--at", "7:42").code == 0
    before = breaks_of(cli, asset)
    cases = [
        (("--at", "7:42,7:42"), "break point 7:42 is given twice"),
        (("--at", "7:42,22:00"), "break point 22:00 is outside the asset (0:00 to 22:00"),
        (("--at", "0:00"), "outside the asset"),
        (("--at", "7:42,0:30"), "break point 0:30 is in the first minute of the asset"),
        (("--at", "21:30"), "break point 21:30 is in the last minute of the asset (22:00 long)"),
        (("--at", "7:4"), "--at: '7:4' is not a time in the file: write m:ss or h:mm:ss"),
        (("--at", "7:42,"), "has an empty item"),
        ((), "give --at TIMES or --clear"),
        (("--at", "7:42", "--clear"), "give --at TIMES or --clear"),
    ]
    for args, needle in cases:
        r = cli("catalog", "breaks", str(asset), *args)
        assert r.code == 2, (args, r.out, r.err)
        assert r.err.startswith("error: "), r.err
        assert needle in r.err, r.err
        assert r.err.count("\n") == 1, r.err
        assert "schedule rebuilt" not in r.out
    missing = cli("catalog", "breaks", "9999", "--at", "7:42")
    assert (missing.code, missing.err) == (
        2,
        "error: no catalog asset with id 9999 (see: retrovue catalog list)\n",
    )
    assert breaks_of(cli, asset) == before


def acts_file(path: Path, *starts_s: float) -> Path:
    """200 s of tiny picture (2 frames a second, no audio) with chapters at ``starts_s``."""
    ends = [*starts_s[1:], 200.0]
    chapters = tuple(
        ChapterSpec(s, e, f"Act {n}") for n, (s, e) in enumerate(zip(starts_s, ends, strict=True))
    )
    spec = MediaSpec(
        duration_s=200.0, width=64, height=48, fps=Fraction(2), gop=50, audio=(), chapters=chapters
    )
    return make_media(path, spec)


def test_new_chapters_after_a_re_sync_rebuild_future_days_on_promotion(
    db: Database, cli: CliRunner, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    episode = acts_file(media / "Acts - S01E01 - One.mkv", 0, 70, 130)
    channel_id = add_channel(db, "5")
    assign(db, channel_id, add_template(db, "all", [("06:00", 1440, {"series": "Acts"}, "Acts")]))
    cli.use_database(db.url.render_as_string(hide_password=False))
    assert cli("source", "add", "filesystem", "tv", str(media)).code == 0
    assert cli("source", "sync", "tv").code == 0
    first = cli("assets", "promote", "--source", "tv")
    assert first.code == 0, first.err
    assert "schedule rebuilt" not in first.out  # a new catalog entry: nothing built used it
    assert cli("schedule", "build", "--days", "3").code == 0
    [asset] = json.loads(cli("catalog", "list", "--json").out)
    assert breaks_of(cli, asset["id"])["points_ms"] == [70_000, 130_000]

    acts_file(episode, 0, 80, 100)  # the same programme re-cut: the chapters moved
    assert cli("source", "sync", "tv").code == 0
    again = cli("assets", "promote", "--source", "tv")
    assert again.code == 0, again.err
    assert "break points changed on 1 asset(s)" in again.out
    assert re.search(r"schedule rebuilt: 1 channel\(s\), [12] day\(s\) built", again.out)
    assert breaks_of(cli, asset["id"])["points_ms"] == [80_000, 100_000]
    unchanged = cli("assets", "promote", "--source", "tv")
    assert "schedule rebuilt" not in unchanged.out
