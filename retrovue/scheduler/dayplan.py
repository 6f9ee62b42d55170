"""The values of a built broadcast day: the channel and block plans going in, the events out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NamedTuple

from retrovue.broadcast.rules import Rule
from retrovue.scheduler.timegrid import DayClock, to_ms

CARRY_KEY = "carry"
OFF_AIR = "Off Air"
_NO_GUIDE: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class ChannelPlan:
    channel_id: int
    name: str
    clock: DayClock


@dataclass(frozen=True)
class BlockPlan:
    """A template block: local start (minutes after midnight), duration, its parsed rule."""

    start_minutes: int
    duration_minutes: int
    rule: Rule
    name: str | None = None


class PlannedEvent(NamedTuple):
    """One event of a built day (an immutable value: a named tuple, a quarter of a million of
    them are made for a 100-channel horizon, and a tuple is several times cheaper to make than a
    frozen dataclass)."""

    start_utc: datetime
    end_utc: datetime
    kind: str  # programme | filler | slate
    title: str
    asset_id: int | None = None
    offset_ms: int = 0  # where in the asset the event starts
    episode_title: str | None = None
    series_title: str | None = None
    season: int | None = None
    episode: int | None = None
    description: str | None = None
    block_name: str | None = None
    guide: Mapping[str, Any] = _NO_GUIDE

    @property
    def duration_ms(self) -> int:
        return to_ms(self.end_utc - self.start_utc)


@dataclass(frozen=True)
class DayPlan:
    day: date
    start_utc: datetime
    end_utc: datetime
    events: tuple[PlannedEvent, ...]
    cursors: Mapping[str, Mapping[str, Any]]  # state after this day, for the keys it used
    no_template: bool = False
