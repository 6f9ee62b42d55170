"""Small helpers for scheduler tests: catalog items and plans as plain values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from retrovue.broadcast.rules import parse_rule
from retrovue.scheduler.dayplan import BlockPlan, ChannelPlan, DayPlan
from retrovue.scheduler.playlog import build_day
from retrovue.scheduler.selection import Catalog, CatalogItem
from retrovue.scheduler.timegrid import DayClock

MINUTE_MS = 60_000


def episodes(
    series: str, count: int, minutes: float, *, first_id: int = 1, **extra: Any
) -> list[CatalogItem]:
    return [
        CatalogItem(
            asset_id=first_id + n,
            kind="episode",
            title=series,
            series=series,
            season=1,
            episode=n + 1,
            episode_title=f"{series} {n + 1}",
            duration_ms=int(minutes * MINUTE_MS),
            **extra,
        )
        for n in range(count)
    ]


def fillers(
    count: int, seconds: int, *, first_id: int = 9000, tags: tuple[str, ...] = ()
) -> list[CatalogItem]:
    return [
        CatalogItem(
            asset_id=first_id + n,
            kind="filler",
            title=f"Promo {n}",
            duration_ms=seconds * 1000,
            tags=tags,
        )
        for n in range(count)
    ]


def block(
    start: str, minutes: int, rule: Mapping[str, Any] | None = None, name: str | None = None
) -> BlockPlan:
    hours, mins = (int(part) for part in start.split(":"))
    return BlockPlan(hours * 60 + mins, minutes, parse_rule(dict(rule or {})), name)


def channel(
    zone: str = "UTC", grid: int = 30, offset: int = 0, day_start: int = 360
) -> ChannelPlan:
    return ChannelPlan(7, "Retro 7", DayClock(zone, day_start, grid, offset))


def build_days(
    plan: ChannelPlan,
    first: date,
    count: int,
    blocks: Sequence[BlockPlan] | None,
    catalog: Catalog,
) -> Iterator[DayPlan]:
    """Build ``count`` days in order, carrying cursor states like the horizon does."""
    states: dict[str, Mapping[str, Any]] = {}
    for n in range(count):
        day_plan = build_day(plan, first + timedelta(days=n), blocks, catalog, states)
        states = {k: v for k, v in states.items() if k != "carry"} | dict(day_plan.cursors)
        if "carry" not in day_plan.cursors:
            states.pop("carry", None)
        yield day_plan


def assert_contiguous(plan: DayPlan) -> None:
    events = plan.events
    assert events, "a day always has events"
    assert events[0].start_utc == plan.start_utc
    assert events[-1].end_utc == plan.end_utc
    for previous, following in pairwise(events):
        assert previous.end_utc == following.start_utc
    for event in events:
        assert event.start_utc < event.end_utc
        assert event.offset_ms >= 0
        assert (event.asset_id is None) == (event.kind == "slate")
