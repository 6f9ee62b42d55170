"""When a source syncs by itself: its policy, and the decision "is it due now?". PURE.

A source syncs ``every`` N seconds (``--sync-every 6h``), daily ``at`` a wall-clock time in a
time zone (``--sync-at 03:30``), or only when the operator runs ``source sync`` (manual).
:func:`next_due_utc` is a function of the policy, the start of the last sync (manual or not) and
now only, so the background keeper and its tests agree on every decision:

* every N: due N after the last sync started; a source never synced is due at once;
* daily at HH:MM: due at the latest HH:MM (local) that the last sync started before; so a
  station that was off at 03:30 syncs once when it comes back, not once per missed night. A
  source never synced waits for the next HH:MM. On the night a daylight-saving change skips
  HH:MM, the sync runs at the instant the clocks jumped to; when HH:MM occurs twice, at the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from retrovue.errors import ValidationError

MIN_EVERY_S = 300
_UNITS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_EVERY = re.compile(r"(\d+)\s*([dhms])")
_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class SyncPolicy:
    every_s: int | None = None
    at: time | None = None  # wall-clock time in ``timezone``
    timezone: str = "UTC"

    @property
    def manual(self) -> bool:
        return self.every_s is None and self.at is None

    def describe(self) -> str:
        if self.every_s is not None:
            return f"every {duration_text(self.every_s)}"
        if self.at is not None:
            return f"daily {self.at:%H:%M} {self.timezone}"
        return "manual"


def policy_from(every_s: int | None, at: str | None, timezone: str | None) -> SyncPolicy:
    """The policy as the source row stores it (``at`` as ``HH:MM``)."""
    return SyncPolicy(every_s, parse_at(at) if at else None, timezone or "UTC")


def duration_text(seconds: int) -> str:
    """``6h``, ``1h30m``, ``1d``: the shortest spelling of a whole number of seconds."""
    parts = []
    for unit, size in _UNITS.items():
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def parse_every(text: str) -> int:
    """``6h``, ``90m``, ``1d``, ``1h30m`` -> seconds (at least five minutes)."""
    cleaned = text.strip().lower().replace(" ", "")
    found = _EVERY.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in found) != cleaned:
        raise ValidationError(f"--sync-every {text!r}: expected a duration like 6h, 90m or 1d")
    seconds = sum(int(number) * _UNITS[unit] for number, unit in found)
    if seconds < MIN_EVERY_S:
        raise ValidationError(f"--sync-every {text!r}: at least {duration_text(MIN_EVERY_S)}")
    return seconds


def parse_at(text: str) -> time:
    found = _AT.match(text.strip())
    if found is None:
        raise ValidationError(f"--sync-at {text!r}: expected a time of day like 03:30")
    return time(int(found.group(1)), int(found.group(2)))


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"--sync-tz {name!r}: not a time zone (e.g. Europe/Berlin)") from None
    return name


def next_due_utc(
    policy: SyncPolicy, last_started_utc: datetime | None, now_utc: datetime
) -> datetime | None:
    """When the source is next due (may be in the past: due now); None when manual."""
    if policy.every_s is not None:
        if last_started_utc is None:
            return now_utc
        return last_started_utc + timedelta(seconds=policy.every_s)
    if policy.at is None:
        return None
    zone = ZoneInfo(policy.timezone)
    if last_started_utc is None:
        return _occurrence_after(policy.at, zone, now_utc)
    return _occurrence_after(policy.at, zone, last_started_utc)


def is_due(policy: SyncPolicy, last_started_utc: datetime | None, now_utc: datetime) -> bool:
    due = next_due_utc(policy, last_started_utc, now_utc)
    return due is not None and due <= now_utc


def _occurrence_after(at: time, zone: ZoneInfo, after_utc: datetime) -> datetime:
    """The first instant after ``after_utc`` at which local wall-clock time is ``at``."""
    local_day = after_utc.astimezone(zone).date()
    for offset in range(3):
        day = local_day + timedelta(days=offset)
        candidate = _instant(datetime.combine(day, at), zone)
        if candidate > after_utc:
            return candidate
    raise AssertionError("a time of day recurs within three days")  # pragma: no cover


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time: the first of two (fold), or the jump of a gap."""
    first = wall.replace(tzinfo=zone, fold=0)
    utc = first.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != wall:  # in a gap: the clocks jumped over it
        before = (wall - timedelta(hours=3)).replace(tzinfo=zone).astimezone(UTC)
        return _gap_end(before, utc, zone)
    return utc


def _gap_end(before_utc: datetime, after_utc: datetime, zone: ZoneInfo) -> datetime:
    """The instant the offset changes between two UTC instants (to the minute)."""
    low, high = before_utc, after_utc + timedelta(hours=3)
    offset = low.astimezone(zone).utcoffset()
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high.replace(second=0, microsecond=0)
