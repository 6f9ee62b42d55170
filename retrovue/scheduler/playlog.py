"""The playlog builder (pure): one channel's broadcast day from its blocks, rules and catalog.

The result is contiguous, with no gap and no overlap, from the day's start to its end in UTC.
Inside a block, programmes follow the rule's order and alignment (``grid``: each programme starts
on a grid line, the gap before it is padded; ``back_to_back``: padding only at the block's end).
Padding is filler (several short items when needed) or the slate for what is left. A block with
nothing eligible is one slate event titled with the block's name (or "Off Air"), so the guide
shows it. A programme longer than what is left of its block follows ``overrun``: ``allow`` runs on
(pushing the next block; at the day's end it is cut and continues the next day with an
``offset_ms``), ``truncate`` is cut at the block's end, ``skip`` picks something that fits.
Deterministic: random choices are seeded from the channel, the day and the rule.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple

from retrovue.broadcast.rules import FillerPolicy, Rule
from retrovue.scheduler.selection import Catalog, CatalogItem, Chooser, cursor_key, make_chooser
from retrovue.scheduler.timegrid import DayClock, DayGrid, block_bounds, day_grid, to_ms

CARRY_KEY = "carry"
OFF_AIR = "Off Air"
DEFAULT_FILLER = FillerPolicy()
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


def _ms(milliseconds: int) -> timedelta:
    return timedelta(milliseconds=milliseconds)


class _Day:
    """Appends events and keeps the running time; every append starts where the last ended."""

    def __init__(self, channel: ChannelPlan, grid: DayGrid, catalog: Catalog) -> None:
        self.channel = channel
        self.grid = grid
        self.catalog = catalog
        self.now = grid.start_utc
        self.events: list[PlannedEvent] = []
        self.carry: dict[str, Any] | None = None
        self.rng = random.Random(f"{channel.channel_id}:{grid.day.isoformat()}:filler")

    def programme(
        self, item: CatalogItem, end: datetime, block: str | None, offset_ms: int = 0
    ) -> None:
        guide = dict(self.catalog.guide_base(item))
        if offset_ms:
            guide["continued"] = True
        if to_ms(end - self.now) + offset_ms < item.duration_ms:
            guide["cut"] = True
        kind = "filler" if item.kind == "filler" else "programme"
        self._append(
            PlannedEvent(
                self.now,
                end,
                kind,
                item.title,
                item.asset_id,
                offset_ms,
                item.episode_title,
                item.series,
                item.season,
                item.episode,
                item.description,
                block,
                guide,
            )
        )

    def slate(self, end: datetime, title: str, reason: str, block: str | None = None) -> None:
        if end > self.now:
            self._append(
                PlannedEvent(
                    self.now, end, "slate", title, block_name=block, guide={"slate": reason}
                )
            )

    def pad(self, end: datetime, policy: FillerPolicy, block: str | None) -> None:
        """Fill up to ``end`` with fillers that fit, the slate for the rest."""
        if end <= self.now:
            return
        # what ``programme`` would append, inlined: fillers are most of a day's events, and each
        # fits whole (never cut, never continued)
        now, events, guide_base = self.now, self.events, self.catalog.guide_base
        for item in self.catalog.fillers(policy).fill(to_ms(end - now), self.rng):
            item_end = now + item.duration
            kind = "filler" if item.kind == "filler" else "programme"
            events.append(
                PlannedEvent(
                    now,
                    item_end,
                    kind,
                    item.title,
                    item.asset_id,
                    0,
                    item.episode_title,
                    item.series,
                    item.season,
                    item.episode,
                    item.description,
                    block,
                    dict(guide_base(item)),
                )
            )
            now = item_end
        self.now = now
        self.slate(end, block or self.channel.name, "padding", block)

    def _append(self, event: PlannedEvent) -> None:
        self.events.append(event)
        self.now = event.end_utc

    def resume(self, carry: Mapping[str, Any]) -> None:
        """Continue the programme the previous day cut at its end."""
        item = self.catalog.by_id.get(int(carry.get("asset_id", -1)))
        offset_ms = int(carry.get("offset_ms", 0))
        if item is None or not 0 < offset_ms < item.duration_ms:
            return
        self.play(item, offset_ms, block=carry.get("block"))

    def play(self, item: CatalogItem, offset_ms: int, block: str | None) -> None:
        """Air ``item`` from ``offset_ms`` to its end, cut at the day's end (and carried on)."""
        end = self.now + _ms(item.duration_ms - offset_ms)
        if end > self.grid.end_utc:
            played_ms = to_ms(self.grid.end_utc - self.now)
            self.carry = {
                "asset_id": item.asset_id,
                "offset_ms": offset_ms + played_ms,
                "block": block,
            }
            end = self.grid.end_utc
        self.programme(item, end, block, offset_ms)


def _fill_block(
    day: _Day, start: datetime, end: datetime, block: BlockPlan, chooser: Chooser | None
) -> None:
    rule, name = block.rule, block.name
    if day.now < start:
        day.pad(start, DEFAULT_FILLER, None)
    if day.now >= end:
        return
    if chooser is None:
        day.slate(end, name or OFF_AIR, "nothing eligible", name)
        return
    while day.now < end:
        if rule.align == "grid":
            day.pad(min(day.grid.ceil(day.now), end), rule.filler, name)
            if day.now >= end:
                return
        if not _fill_slot(day, end, rule, chooser, name):
            day.pad(end, rule.filler, name)
            return


def _fill_slot(day: _Day, end: datetime, rule: Rule, chooser: Chooser, name: str | None) -> bool:
    """Air up to ``episodes_per_slot`` items; ``False`` when nothing (fitting) could be picked."""
    for count in range(rule.episodes_per_slot):
        remaining_ms = to_ms(end - day.now)
        item = chooser.next(remaining_ms if rule.overrun == "skip" else None)
        if item is None:
            return count > 0
        if item.duration_ms > remaining_ms and rule.overrun == "truncate":
            day.programme(item, end, name)
        else:
            day.play(item, 0, name)
        if day.now >= end:
            return True
    return True


def build_day(
    channel: ChannelPlan,
    day: date,
    blocks: Sequence[BlockPlan] | None,
    catalog: Catalog,
    cursors: Mapping[str, Mapping[str, Any]],
) -> DayPlan:
    """Build broadcast day ``day``. ``blocks`` ``None`` means no template applies: a slate day.

    ``cursors`` holds each cursor's state as it stood after the previous day it was used, and
    under :data:`CARRY_KEY` the programme the previous day cut at its end (if any).
    """
    grid = day_grid(day, channel.clock)
    builder = _Day(channel, grid, catalog)
    carry = cursors.get(CARRY_KEY)
    if carry:
        builder.resume(carry)
    choosers: dict[str, Chooser] = {}
    placed = sorted(
        (
            (*block_bounds(day, b.start_minutes, b.duration_minutes, channel.clock), index, b)
            for index, b in enumerate(blocks or ())
        ),
        key=lambda entry: (entry[0], entry[2]),
    )
    for start, end, _, block in placed:
        if end <= start or builder.now >= end:
            continue
        key = cursor_key(block.rule)
        pool = catalog.pool(block.rule)
        if key not in choosers and pool:
            choosers[key] = make_chooser(
                block.rule,
                pool,
                cursors.get(key, {}),
                channel_id=channel.channel_id,
                day=day,
                key=key,
            )
        _fill_block(builder, start, end, block, choosers.get(key))
    if blocks is None:
        builder.slate(grid.end_utc, OFF_AIR, "no template")
    else:
        builder.pad(grid.end_utc, DEFAULT_FILLER, None)
    states = {key: chooser.state() for key, chooser in choosers.items()}
    if builder.carry is not None:
        states[CARRY_KEY] = builder.carry
    return DayPlan(day, grid.start_utc, grid.end_utc, tuple(builder.events), states, blocks is None)
