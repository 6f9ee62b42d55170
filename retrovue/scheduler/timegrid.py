"""Broadcast-day and grid time math (pure: no clock reads, no I/O).

A channel's broadcast day ``D`` runs from ``D`` at the day start (default 06:00) local time to the
same wall time on ``D + 1``: 24 hours, or 23 / 25 hours across a DST change. Grid lines are the
instants whose *local wall time* sits on the grid (``minutes since local midnight - offset`` is a
multiple of the grid size). Slots are the spans between consecutive boundaries, where the boundaries
are the day's start, its end and every grid line strictly inside it, so slots tile the day exactly.

Local wall times are turned into instants with :func:`local_to_utc`: an ambiguous time (the repeated
hour in autumn) means its first occurrence, a time that does not exist (skipped in spring) means the
instant of the change. That mapping never goes backwards, so blocks keep their order.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from retrovue.errors import ScheduleError

MINUTES_PER_DAY = 1440
_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class DayClock:
    """The time settings of one channel that the broadcast day and grid depend on."""

    timezone: str
    day_start_minutes: int = 360
    grid_minutes: int = 30
    grid_offset_minutes: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.day_start_minutes < MINUTES_PER_DAY:
            raise ScheduleError(f"day start {self.day_start_minutes} min is outside 0..1439")
        if self.grid_minutes <= 0 or MINUTES_PER_DAY % self.grid_minutes:
            raise ScheduleError(f"grid of {self.grid_minutes} min does not divide a day")
        if not 0 <= self.grid_offset_minutes < self.grid_minutes:
            raise ScheduleError(
                f"grid offset {self.grid_offset_minutes} min is outside 0..{self.grid_minutes - 1}"
            )
        zone(self.timezone)

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ScheduleError(f"unknown time zone {name!r}") from err


def _wall(instant_utc: datetime, tz: ZoneInfo) -> datetime:
    return instant_utc.astimezone(tz).replace(tzinfo=None)


def local_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """A naive local wall time -> the aware UTC instant (first occurrence; a skipped time -> the
    instant of the change)."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall(first, tz) == wall:
        return first
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if _wall(second, tz) == wall:
        return min(first, second)
    # ``wall`` does not exist: find the first instant whose wall time lies after it.
    low, high = min(first, second), max(first, second)
    while high - low > _ONE_SECOND:
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if _wall(middle, tz) > wall:
            high = middle
        else:
            low = middle
    return high


def _day_start_wall(day: date, clock: DayClock) -> datetime:
    return datetime.combine(day, time()) + timedelta(minutes=clock.day_start_minutes)


def day_start_utc(day: date, clock: DayClock) -> datetime:
    return local_to_utc(_day_start_wall(day, clock), clock.tz)


def day_bounds(day: date, clock: DayClock) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of broadcast day ``day`` in UTC."""
    return day_start_utc(day, clock), day_start_utc(day + timedelta(days=1), clock)


def broadcast_day_of(instant_utc: datetime, clock: DayClock) -> date:
    """The broadcast day that contains ``instant_utc`` (consistent with :func:`day_bounds`)."""
    _require_aware(instant_utc)
    wall = _wall(instant_utc, clock.tz)
    day = wall.date()
    if wall.hour * 60 + wall.minute < clock.day_start_minutes:
        day -= timedelta(days=1)
    while instant_utc < day_start_utc(day, clock):
        day -= timedelta(days=1)
    while instant_utc >= day_start_utc(day + timedelta(days=1), clock):
        day += timedelta(days=1)
    return day


def block_bounds(
    day: date, start_minutes: int, duration_minutes: int, clock: DayClock
) -> tuple[datetime, datetime]:
    """A template block (local start, duration) placed on broadcast day ``day``, clipped to it.

    Block times are local wall times inside the day: a block that starts before the day start
    belongs to the end of the day (05:00 in a 06:00 day is the next calendar morning). The result
    may be empty (end <= start) when the block falls into a skipped DST hour.
    """
    first, last = day_bounds(day, clock)
    offset = (start_minutes - clock.day_start_minutes) % MINUTES_PER_DAY
    start_wall = _day_start_wall(day, clock) + timedelta(minutes=offset)
    end_wall = start_wall + timedelta(minutes=duration_minutes)
    start = max(first, min(last, local_to_utc(start_wall, clock.tz)))
    end = max(first, min(last, local_to_utc(end_wall, clock.tz)))
    return start, end


def grid_lines(day: date, clock: DayClock) -> tuple[datetime, ...]:
    """Every instant strictly inside the broadcast day whose local wall time is on the grid."""
    first, last = day_bounds(day, clock)
    tz = clock.tz
    offset = first.astimezone(tz).utcoffset()
    middle = first + (last - first) / 2
    if offset == middle.astimezone(tz).utcoffset() == last.astimezone(tz).utcoffset():
        return _steady_grid_lines(first, last, clock)
    return _grid_lines_by_wall_time(day, first, last, clock)


def _steady_grid_lines(first: datetime, last: datetime, clock: DayClock) -> tuple[datetime, ...]:
    """Grid lines of a day without a UTC-offset change: plain steps from the first one."""
    wall = _wall(first, clock.tz)
    seconds = wall.hour * 3600 + wall.minute * 60 + wall.second
    step_s = clock.grid_minutes * 60
    phase_s = (seconds - clock.grid_offset_minutes * 60) % step_s
    line = first.replace(microsecond=0) + timedelta(seconds=step_s - phase_s)
    step = timedelta(seconds=step_s)
    found = []
    while line < last:
        found.append(line)
        line += step
    return tuple(found)


def _grid_lines_by_wall_time(
    day: date, first: datetime, last: datetime, clock: DayClock
) -> tuple[datetime, ...]:
    tz = clock.tz
    found: set[datetime] = set()
    for calendar_day in (day, day + timedelta(days=1)):
        midnight = datetime.combine(calendar_day, time())
        for minutes in range(clock.grid_offset_minutes, MINUTES_PER_DAY, clock.grid_minutes):
            wall = midnight + timedelta(minutes=minutes)
            for fold in (0, 1):
                instant = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
                if first < instant < last and _wall(instant, tz) == wall:
                    found.add(instant)
    return tuple(sorted(found))


@dataclass(frozen=True)
class DayGrid:
    """One broadcast day with its slot boundaries (start, grid lines, end)."""

    day: date
    start_utc: datetime
    end_utc: datetime
    boundaries: tuple[datetime, ...]

    @property
    def duration_ms(self) -> int:
        return to_ms(self.end_utc - self.start_utc)

    def slots(self) -> list[tuple[datetime, datetime]]:
        return list(zip(self.boundaries, self.boundaries[1:], strict=False))

    def slot_of(self, instant_utc: datetime) -> tuple[datetime, datetime]:
        if not self.start_utc <= instant_utc < self.end_utc:
            raise ScheduleError(f"{instant_utc.isoformat()} is outside broadcast day {self.day}")
        index = bisect_right(self.boundaries, instant_utc) - 1
        return self.boundaries[index], self.boundaries[index + 1]

    def ceil(self, instant_utc: datetime) -> datetime:
        """The first boundary at or after ``instant_utc`` (the day end at the latest)."""
        index = bisect_left(self.boundaries, instant_utc)
        return self.boundaries[min(index, len(self.boundaries) - 1)]

    def floor(self, instant_utc: datetime) -> datetime:
        """The last boundary at or before ``instant_utc`` (the day start at the earliest)."""
        index = bisect_right(self.boundaries, instant_utc) - 1
        return self.boundaries[max(index, 0)]


def day_grid(day: date, clock: DayClock) -> DayGrid:
    first, last = day_bounds(day, clock)
    return DayGrid(day, first, last, (first, *grid_lines(day, clock), last))


def to_ms(delta: timedelta) -> int:
    """A timedelta in whole milliseconds (rounded down)."""
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None:
        raise ScheduleError("naive datetime given where an aware UTC instant is needed")
