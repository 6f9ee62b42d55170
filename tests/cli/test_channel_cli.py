"""``retrovue channel``: the commands end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrovue.broadcast.admin.channels import add_channel
from retrovue.broadcast.channels import read_channels
from retrovue.broadcast.timeparse import machine_timezone
from retrovue.clock import FakeClock
from retrovue.db import Database
from tests.conftest import CliRunner


@pytest.fixture
def rv(cli: CliRunner, db: Database) -> CliRunner:
    cli.use_database(db.url.render_as_string(hide_password=False))
    return cli


def _channels(rv: CliRunner) -> list[dict[str, object]]:
    result = rv("channel", "list", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert isinstance(data, list)
    return data


def test_add_list_show(rv: CliRunner) -> None:
    added = rv("channel", "add", "2", "Cartoons")
    assert added.code == 0, added.err
    assert added.out.startswith("added channel 2 'Cartoons':")
    rv("channel", "add", "2.1", "Cartoons Plus", "--day-start", "05:30", "--grid-minutes", "15")
    [two, two_one] = _channels(rv)
    assert two["number"] == "2"
    assert two["timezone"] == machine_timezone()
    assert (two["day_start"], two["day_start_minutes"]) == ("06:00", 360)
    assert (two["grid_minutes"], two["grid_offset_minutes"], two["profile"]) == (30, 0, "720p")
    assert (two_one["day_start_minutes"], two_one["grid_minutes"]) == (330, 15)
    shown = json.loads(rv("channel", "show", "2.1", "--json").out)
    assert shown["name"] == "Cartoons Plus"
    table = rv("channel", "list")
    assert table.out.splitlines()[0].split()[:3] == ["NUMBER", "NAME", "CALL_SIGN"]
    fields = rv("channel", "show", "2").out
    assert "timezone" in fields
    assert machine_timezone() in fields


def test_add_every_option(rv: CliRunner, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"png")
    result = rv(
        "channel", "add", "7", "Seven", "--callsign", "KSEV", "--timezone", "Europe/Berlin",
        "--day-start", "04:00", "--grid-minutes", "60", "--grid-offset", "15",
        "--profile", "480p", "--logo", str(logo), "--mode", "guide",
        "--audio-language", "de", "--disabled",
    )  # fmt: skip
    assert result.code == 0, result.err
    data = json.loads(rv("channel", "show", "7", "--json").out)
    assert data["call_sign"] == "KSEV"
    assert data["timezone"] == "Europe/Berlin"
    assert data["day_start"] == "04:00"
    assert (data["grid_minutes"], data["grid_offset_minutes"]) == (60, 15)
    assert (data["profile"], data["mode"], data["audio_language"]) == ("480p", "guide", "de")
    assert data["logo"] == str(logo.resolve())
    assert data["enabled"] is False


BAD_ADDS = [
    (["5_1", "X"], "error: invalid channel number '5_1' ('_' breaks Jellyfin)"),
    (["5.1.1", "X"], "error: invalid channel number '5.1.1'"),
    (["5", "X", "--timezone", "Mars/Base"], "error: --timezone: unknown time zone 'Mars/Base'"),
    (["5", "X", "--grid-minutes", "7"], "error: --grid-minutes: 7 does not divide a day"),
    (["5", "X", "--grid-offset", "30"], "error: --grid-offset: 30 must be between 0 and 29"),
    (["5", "X", "--day-start", "25:00"], "error: --day-start: '25:00' is not a time of day"),
    (["5", "X", "--profile", "4k"], "error: --profile: '4k' is not one of"),
    (["5", "X", "--mode", "loud"], "error: --mode: 'loud' is not one of normal, guide"),
    (["5", "X", "--audio-language", "english"], "error: --audio-language: 'english'"),
    (["5", "X", "--logo", "/no/logo.png"], "error: --logo: '/no/logo.png' is neither"),
    (["1", "Dup"], "error: channel 1 already exists (choose another number)"),
]


def test_bad_input_is_one_line_exit_2_nothing_written(
    rv: CliRunner, db: Database, clock: FakeClock
) -> None:
    add_channel(db, clock, "1", "One")
    for args, message in BAD_ADDS:
        result = rv("channel", "add", *args)
        assert result.code == 2, args
        assert result.err.startswith(message), (args, result.err)
        assert result.err.count("\n") == 1
        assert "Traceback" not in result.err
        assert [(c.number, c.name) for c in read_channels(db)] == [("1", "One")]


def test_update(rv: CliRunner) -> None:
    rv("channel", "add", "5", "Five", "--callsign", "KFIV")
    result = rv("channel", "update", "5", "--number", "5.1", "--name", "Five One", "--callsign", "",
                "--grid-minutes", "60", "--disabled")  # fmt: skip
    assert result.code == 0, result.err
    [data] = _channels(rv)
    assert (data["number"], data["name"], data["call_sign"]) == ("5.1", "Five One", None)
    assert (data["grid_minutes"], data["enabled"]) == (60, False)
    assert rv("channel", "update", "5.1", "--enabled").code == 0
    assert _channels(rv)[0]["enabled"] is True
    nothing = rv("channel", "update", "5.1")
    assert (nothing.code, nothing.err.startswith("error: nothing to update")) == (2, True)
    unknown = rv("channel", "update", "9", "--name", "Nine")
    assert (unknown.code, unknown.err) == (
        2,
        "error: no channel '9' (see: retrovue channel list)\n",
    )


def test_remove_with_and_without_force(rv: CliRunner) -> None:
    rv("channel", "add", "5", "Five")
    rv("template", "add", "Day")
    assert rv("schedule", "assign", "5", "Day").code == 0
    refused = rv("channel", "remove", "5")
    assert refused.code == 2
    assert refused.err.startswith("error: channel 5 has 1 schedule assignment(s): unassign them")
    assert len(_channels(rv)) == 1
    forced = rv("channel", "remove", "5", "--force")
    assert (forced.code, forced.out) == (0, "removed channel 5 and 1 schedule assignment(s)\n")
    assert _channels(rv) == []
    assert rv("channel", "remove", "5").code == 2


def test_show_unknown_and_empty_list(rv: CliRunner) -> None:
    assert rv("channel", "list").out == "(none)\n"
    missing = rv("channel", "show", "3")
    assert (missing.code, missing.err) == (
        2,
        "error: no channel '3' (see: retrovue channel list)\n",
    )


def _png_header(width: int, height: int) -> bytes:
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x06\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + ihdr + b"\x00" * 4


def test_the_station_bug_and_loudness_target(rv: CliRunner, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(_png_header(120, 60))
    added = rv("channel", "add", "5", "Five", "--bug", str(logo), "--bug-position", "top-left")
    assert added.code == 0, added.err
    [five] = _channels(rv)
    assert five["bug"] == {
        "image": str(logo.resolve()), "position": "top-left", "size_pct": 10, "opacity": 0.7,
        "in_breaks": False, "margin_pct": 4,
    }  # fmt: skip
    assert five["loudness_target_lufs"] == -24.0
    changed = rv("channel", "update", "5", "--bug-opacity", "0.5", "--loudness-target", "-23")
    assert changed.code == 0, changed.err
    [five] = _channels(rv)
    assert (five["bug"]["opacity"], five["loudness_target_lufs"]) == (0.5, -23.0)  # type: ignore[index]
    copy = rv("channel", "add", "6", "Six", "--profile", "copy", "--bug", "callsign")
    assert copy.code == 0, copy.err
    assert "bug is drawn only when the channel is normalised" in copy.err
    assert rv("channel", "update", "5", "--bug", "none").code == 0
    assert _channels(rv)[0]["bug"] == {}


def test_bad_bugs_are_refused_and_change_nothing(rv: CliRunner, tmp_path: Path) -> None:
    rv("channel", "add", "5", "Five", "--bug", "callsign")
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    huge = tmp_path / "huge.png"
    huge.write_bytes(_png_header(4000, 3000))
    for options, message in [
        (["--bug", str(text)], "is not a PNG or JPEG image"),
        (["--bug", str(tmp_path / "missing.png")], "is not a file"),
        (["--bug", str(huge)], "at most 2048 pixels a side"),
        (["--bug-position", "middle"], "--bug-position: 'middle' is not one of"),
        (["--bug-opacity", "2"], "--bug-opacity: 2.0 is not from 0.05 to 1"),
        (["--bug-size", "80"], "--bug-size: 80 is not a percentage"),
        (["--loudness-target", "0"], "--loudness-target: 0.0 LUFS is not from"),
    ]:
        result = rv("channel", "update", "5", *options)
        assert result.code == 2, options
        assert message in result.err
        assert result.err.strip().count("\n") == 0
    [five] = _channels(rv)
    assert five["bug"]["image"] == "callsign"  # type: ignore[index]
    assert five["loudness_target_lufs"] == -24.0
    no_image = rv("channel", "add", "7", "Seven", "--bug-position", "top-left")
    assert no_image.code == 2
    assert "--bug: give the image" in no_image.err
