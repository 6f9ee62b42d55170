"""Operator time values: HH:MM, block durations, dates, weekdays, time zones, the machine's zone."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from retrovue.broadcast.timeparse import (
    check_timezone,
    format_hhmm,
    format_minutes,
    machine_timezone,
    parse_block_duration,
    parse_date,
    parse_hhmm,
    parse_weekdays,
)
from retrovue.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("06:00", 360), ("6:00", 360), ("00:00", 0), ("23:59", 1439), ("13:05", 785)],
)
def test_parse_hhmm(text: str, minutes: int) -> None:
    assert parse_hhmm(text) == minutes
    assert parse_hhmm(format_hhmm(minutes)) == minutes


@pytest.mark.parametrize("text", ["24:00", "6", "06:60", "6h", "-1:00", "06:00:00", ""])
def test_parse_hhmm_rejects(text: str) -> None:
    with pytest.raises(ValidationError, match=r"^--start: .* is not a time of day: write HH:MM"):
        parse_hhmm(text, option="--start")


def test_format_hhmm_wraps_past_midnight() -> None:
    assert format_hhmm(1440 + 60) == "01:00"


@pytest.mark.parametrize(
    ("text", "minutes"), [("30m", 30), ("1h30m", 90), ("24h", 1440), ("120s", 2), ("1h", 60)]
)
def test_parse_block_duration(text: str, minutes: int) -> None:
    assert parse_block_duration(text) == minutes
    assert parse_block_duration(format_minutes(minutes)) == minutes


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("90s", "'90s' is not a whole number of minutes"),
        ("0m", "'0m' must be more than 0 and at most 24h"),
        ("24h1m", "'24h1m' must be more than 0 and at most 24h"),
        ("90", "add a unit"),
        ("half an hour", "write it like 30m"),
    ],
)
def test_parse_block_duration_rejects(text: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(problem)) as caught:
        parse_block_duration(text)
    assert str(caught.value).startswith("--duration: ")


def test_parse_date() -> None:
    assert parse_date("2026-03-02") == date(2026, 3, 2)
    assert parse_date("2028-02-29") == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-02-30", "is not a real date"),
        ("2026-02-29", "is not a real date"),
        ("2026-13-01", "is not a real date"),
        ("2026-3-2", "is not a date: write YYYY-MM-DD"),
        ("tomorrow", "is not a date: write YYYY-MM-DD"),
    ],
)
def test_parse_date_rejects(text: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        parse_date(text, option="--from")


def test_parse_weekdays() -> None:
    assert parse_weekdays("mon,tue") == (0, 1)
    assert parse_weekdays("Sun, sat,MON,monday") == (0, 5, 6)
    with pytest.raises(ValidationError, match="'funday' is not a weekday: use mon,tue"):
        parse_weekdays("mon,funday")
    with pytest.raises(ValidationError, match="'' is not a weekday"):
        parse_weekdays("mon,")


def test_check_timezone() -> None:
    assert check_timezone("Europe/Berlin") == "Europe/Berlin"
    assert check_timezone("UTC") == "UTC"
    for bad in ["Mars/Olympus", "", "/etc/passwd", "../zoneinfo/UTC", "Europe/../UTC"]:
        with pytest.raises(ValidationError, match="unknown time zone"):
            check_timezone(bad)


def _etc(tmp_path: Path, *, timezone_file: str | None = None, link: str | None = None) -> Path:
    etc = tmp_path / "etc"
    etc.mkdir()
    if timezone_file is not None:
        (etc / "timezone").write_text(timezone_file, encoding="utf-8")
    if link is not None:
        os.symlink(link, etc / "localtime")
    return etc


def test_machine_timezone_reads_etc_timezone(tmp_path: Path) -> None:
    etc = _etc(tmp_path, timezone_file="America/New_York\n", link="/usr/share/zoneinfo/Asia/Tokyo")
    assert machine_timezone(etc, env={}) == "America/New_York"


def test_machine_timezone_follows_localtime_link(tmp_path: Path) -> None:
    etc = _etc(tmp_path, link="../usr/share/zoneinfo/Europe/Berlin")
    assert machine_timezone(etc, env={}) == "Europe/Berlin"


def test_machine_timezone_skips_unknown_names(tmp_path: Path) -> None:
    etc = _etc(tmp_path, timezone_file="Nowhere/Land", link="/usr/share/zoneinfo/Asia/Tokyo")
    assert machine_timezone(etc, env={"TZ": "Not/AZone"}) == "Asia/Tokyo"


def test_machine_timezone_prefers_tz_variable(tmp_path: Path) -> None:
    etc = _etc(tmp_path, timezone_file="America/New_York")
    assert machine_timezone(etc, env={"TZ": "Europe/Paris"}) == "Europe/Paris"
    assert machine_timezone(etc, env={"TZ": ":/usr/share/zoneinfo/Asia/Tokyo"}) == "Asia/Tokyo"


def test_machine_timezone_falls_back_to_utc(tmp_path: Path) -> None:
    assert machine_timezone(_etc(tmp_path), env={}) == "UTC"


def test_machine_timezone_of_this_machine_is_valid() -> None:
    assert check_timezone(machine_timezone()) == machine_timezone()
