"""Operator-facing time values: HH:MM, block durations, dates, weekdays, time zones.

Everything here is pure except :func:`machine_timezone`, which reads the system's zone setting.
Each parser raises a one-line :class:`ValidationError` that names the option and the problem.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from retrovue.broadcast.rules import format_duration, parse_duration
from retrovue.errors import ValidationError

MINUTES_PER_DAY = 1440
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HHMM_RE = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ZONEINFO_MARK = "zoneinfo/"
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2999, 12, 31)  # days a station may name


def parse_hhmm(text: str, *, option: str = "time") -> int:
    """``"06:00"`` -> 360 (minutes after local midnight); 00:00 .. 23:59."""
    match = _HHMM_RE.fullmatch(text.strip())
    if match is None:
        raise ValidationError(
            f"{option}: {text!r} is not a time of day: write HH:MM, 00:00 to 23:59"
        )
    return int(match.group(1)) * 60 + int(match.group(2))


def format_hhmm(minutes: int) -> str:
    """Minutes after midnight (wrapping at 24 h) -> ``"HH:MM"``."""
    hours, mins = divmod(minutes % MINUTES_PER_DAY, 60)
    return f"{hours:02d}:{mins:02d}"


def parse_block_duration(text: str, *, option: str = "--duration") -> int:
    """``"1h30m"`` -> 90 (whole minutes, more than zero, at most 24 h)."""
    try:
        duration_ms = parse_duration(text)
    except ValidationError as err:
        raise ValidationError(f"{option}: {err.message}") from err
    if duration_ms % 60_000:
        raise ValidationError(f"{option}: {text!r} is not a whole number of minutes")
    minutes = duration_ms // 60_000
    if not 0 < minutes <= MINUTES_PER_DAY:
        raise ValidationError(f"{option}: {text!r} must be more than 0 and at most 24h")
    return minutes


def format_minutes(minutes: int) -> str:
    """90 -> ``"1h30m"``."""
    return format_duration(minutes * 60_000)


def parse_date(text: str, *, option: str = "--date") -> date:
    """``"2026-03-02"`` -> a date; impossible dates (2026-02-30) are errors."""
    cleaned = text.strip()
    if _DATE_RE.fullmatch(cleaned) is None:
        raise ValidationError(f"{option}: {text!r} is not a date: write YYYY-MM-DD")
    try:
        day = date.fromisoformat(cleaned)
    except ValueError as err:
        raise ValidationError(f"{option}: {text!r} is not a real date ({err})") from err
    return check_day(day, option)


def check_day(day: date, option: str) -> date:
    """``day`` when within :data:`DATE_MIN`..:data:`DATE_MAX` (a day after or before it, or
    a time zone away, must still be a date), else a one-line error."""
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(f"{option}: {day} is outside {DATE_MIN}..{DATE_MAX}")
    return day


def parse_instant(text: str, *, option: str = "--at") -> datetime:
    """ISO 8601 -> an aware UTC instant; a time without a zone is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"{option}: {text!r} is not a time (write ISO 8601, e.g. 2026-03-02T18:30:00Z)"
        ) from None
    check_day(parsed.date(), option)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_weekdays(text: str, *, option: str = "--weekday") -> tuple[int, ...]:
    """``"mon,tue"`` -> (0, 1) (Monday is 0, as ``date.weekday()``); sorted, no duplicates."""
    days: set[int] = set()
    for part in text.split(","):
        name = part.strip().lower()
        if name in WEEKDAYS:
            days.add(WEEKDAYS.index(name))
        elif name in _FULL_WEEKDAYS:
            days.add(_FULL_WEEKDAYS.index(name))
        else:
            raise ValidationError(
                f"{option}: {part.strip()!r} is not a weekday: use {','.join(WEEKDAYS)}"
            )
    return tuple(sorted(days))


def check_timezone(name: str, *, option: str = "--timezone") -> str:
    """Return ``name`` if it is an IANA time zone this machine knows, else a ValidationError."""
    cleaned = name.strip()
    if not cleaned or cleaned.startswith(("/", ".")) or ".." in cleaned:
        raise ValidationError(f"{option}: unknown time zone {name!r}: use an IANA name")
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError) as err:
        raise ValidationError(
            f"{option}: unknown time zone {name!r}: use an IANA name such as Europe/Berlin"
        ) from err
    return cleaned


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return check_timezone(name)
    except ValidationError:
        return None


def _zone_from_path(path: str) -> str | None:
    index = path.rfind(_ZONEINFO_MARK)
    return path[index + len(_ZONEINFO_MARK) :] if index >= 0 else None


def _from_localtime_link(link: Path) -> str | None:
    try:
        return _zone_from_path(os.readlink(link))
    except OSError:
        return None


def _read_first_line(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip().splitlines()[0].strip()
    except (OSError, UnicodeDecodeError, IndexError):
        return None


def machine_timezone(etc: Path = Path("/etc"), env: Mapping[str, str] | None = None) -> str:
    """The machine's IANA time zone: ``$TZ`` (if an IANA name), ``/etc/timezone``, the target of
    the ``/etc/localtime`` link, else ``UTC``."""
    environ = os.environ if env is None else env
    tz_env = environ.get("TZ", "").removeprefix(":")
    candidates = (
        _zone_from_path(tz_env) if tz_env.startswith("/") else tz_env,
        _read_first_line(etc / "timezone"),
        _from_localtime_link(etc / "localtime"),
    )
    for candidate in candidates:
        known = _known(candidate)
        if known is not None:
            return known
    return "UTC"
