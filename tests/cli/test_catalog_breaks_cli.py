"""``retrovue catalog breaks``: an operator's break points, clearing them, and ``catalog show``."""

from __future__ import annotations

import json
import re
from typing import Any

from retrovue.db import Database
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
