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
from datetime import date, datetime, timedelta
from typing import Any

from retrovue.broadcast.rules import BreakPolicy, FillerPolicy, Rule
from retrovue.scheduler.breaks import BreakPlan, BreakPools, SpotLog, fill_break, plan_breaks
from retrovue.scheduler.dayplan import (
    CARRY_KEY,
    OFF_AIR,
    BlockPlan,
    ChannelPlan,
    DayPlan,
    PlannedEvent,
)
from retrovue.scheduler.selection import Catalog, CatalogItem, Chooser, cursor_key, make_chooser
from retrovue.scheduler.timegrid import DayClock, DayGrid, block_bounds, day_grid, to_ms

UP_NEXT = "Up next"
DEFAULT_FILLER = FillerPolicy()


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
        self.spots: dict[int, SpotLog] = {}  # per cooldown length

    def programme(
        self, item: CatalogItem, end: datetime, block: str | None, offset_ms: int = 0
    ) -> None:
        guide = dict(self.catalog.guide_base(item))
        if offset_ms:
            guide["continued"] = True
        if to_ms(end - self.now) + offset_ms < item.duration_ms:
            guide["cut"] = True
        kind = "filler" if item.kind == "filler" else "programme"
        self._append(_airing(item, self.now, end, kind, offset_ms, block, guide))

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

    def play_in_parts(
        self, item: CatalogItem, plan: BreakPlan, policy: BreakPolicy, block: str | None
    ) -> None:
        """Air ``item`` whole, stopping at ``plan``'s cuts for breaks of spots and bumpers."""
        pools = BreakPools.of(self.catalog, policy)
        log = self.spots.setdefault(policy.cooldown_ms, SpotLog(policy.cooldown_ms))
        guide = dict(self.catalog.guide_base(item))
        played_ms, part = 0, 1
        for cut_ms, length_ms in zip(plan.cuts_ms, plan.lengths_ms, strict=True):
            spots = fill_break(length_ms, pools, self.rng, log.cooling(self.now))
            if not spots:
                continue  # nothing fits this break: the programme plays on through it
            self._part(item, played_ms, cut_ms, part, guide, block)
            for spot in spots:
                self._spot(spot, {"break": part}, block)
                log.aired(spot.asset_id, self.now)
            played_ms, part = cut_ms, part + 1
        self._part(item, played_ms, item.duration_ms, part, guide, block)

    def _part(
        self,
        item: CatalogItem,
        from_ms: int,
        to_ms_: int,
        part: int,
        guide: Mapping[str, Any],
        block: str | None,
    ) -> None:
        extra = dict(guide)
        if part > 1 or to_ms_ < item.duration_ms:
            extra["part"] = part
        if part > 1:  # back from a break
            extra["continued"] = extra["fade_in"] = True
        if to_ms_ < item.duration_ms:  # into a break
            extra["fade_out"] = True
        end = self.now + _ms(to_ms_ - from_ms)
        self._append(_airing(item, self.now, end, "programme", from_ms, block, extra))

    def _spot(self, spot: CatalogItem, role: Mapping[str, Any], block: str | None) -> None:
        guide = {**dict(self.catalog.guide_base(spot)), **role}
        self._append(_airing(spot, self.now, self.now + spot.duration, "filler", 0, block, guide))

    def close_slot(self, end: datetime, rule: Rule, block: str | None) -> None:
        """Pad up to the slot's end; with breaks, an "Up next" card (titled once the day is
        built) and, before a programme starting on the hour, a station ID come last."""
        policy = rule.breaks
        if policy is None:
            self.pad(end, rule.filler, block)
            return
        ident = None
        if policy.station_id is not None and end.astimezone(self.channel.clock.tz).minute == 0:
            ident = self.catalog.fillers(policy.station_id).longest_fitting(
                to_ms(end - self.now) - policy.up_next_ms, self.rng, set()
            )
        tail_ms = policy.up_next_ms + (ident.duration_ms if ident is not None else 0)
        if tail_ms > to_ms(end - self.now):
            self.pad(end, rule.filler, block)
            return
        self.pad(end - _ms(tail_ms), rule.filler, block)
        if policy.up_next_ms:
            self._append(
                PlannedEvent(
                    self.now,
                    self.now + _ms(policy.up_next_ms),
                    "slate",
                    UP_NEXT,
                    block_name=block,
                    guide={"slate": "padding", "up_next": True},
                )
            )
        if ident is not None:
            self._spot(ident, {"station_id": True}, block)

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


def _airing(
    item: CatalogItem,
    start: datetime,
    end: datetime,
    kind: str,
    offset_ms: int,
    block: str | None,
    guide: Mapping[str, Any],
) -> PlannedEvent:
    """An event airing ``item`` (or a part of it) from ``offset_ms`` into its file."""
    return PlannedEvent(
        start, end, kind, item.title, item.asset_id, offset_ms, item.episode_title, item.series,
        item.season, item.episode, item.description, block, guide,
    )  # fmt: skip


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
            day.close_slot(min(day.grid.ceil(day.now), end), rule, name)
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
        elif rule.breaks is not None and rule.episodes_per_slot == 1:
            _play_with_breaks(day, item, end, rule.breaks, name)
        else:
            day.play(item, 0, name)
        if day.now >= end:
            return True
    return True


def _play_with_breaks(
    day: _Day, item: CatalogItem, end: datetime, policy: BreakPolicy, name: str | None
) -> None:
    """Breaks use the time to the grid line after the programme (within its block)."""
    natural_end = day.now + item.duration
    if natural_end > end:
        day.play(item, 0, name)
        return
    slot_end = min(day.grid.ceil(natural_end), end)
    reserve_ms = policy.up_next_ms  # the slot's own close keeps its card
    plan = plan_breaks(item, policy, to_ms(slot_end - day.now) - reserve_ms)
    day.play_in_parts(item, plan, policy, name)


def title_up_next(events: list[PlannedEvent], clock: DayClock, channel_name: str) -> None:
    """Name each "Up next" card after the programme that follows it (in the channel's zone)."""
    following: PlannedEvent | None = None
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.kind == "programme" and not event.guide.get("continued"):
            following = event
        elif event.guide.get("up_next"):
            events[index] = event._replace(title=_up_next_title(following, clock, channel_name))


def _up_next_title(event: PlannedEvent | None, clock: DayClock, channel_name: str) -> str:
    if event is None:
        return f"Coming up on {channel_name}"
    at = event.start_utc.astimezone(clock.tz).strftime("%H:%M")
    episode = f": {event.episode_title}" if event.episode_title else ""
    return f"{UP_NEXT} at {at}: {event.title}{episode}"[:200]


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
    title_up_next(builder.events, channel.clock, channel.name)
    states = {key: chooser.state() for key, chooser in choosers.items()}
    if builder.carry is not None:
        states[CARRY_KEY] = builder.carry
    return DayPlan(day, grid.start_utc, grid.end_utc, tuple(builder.events), states, blocks is None)
