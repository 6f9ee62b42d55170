"""Breaks inside a programme (pure): where it stops, how long each stop is, what fills it.

A programme that airs whole in a grid slot with time to spare stops at up to
``max_per_programme`` of its break points (``max_per_hour`` per hour of slot), at least
``min_spacing`` apart and never in its first or last minute nor inside an intro or credits. Its
asset's own points (chapters, markers, the operator's list) are used when the rule says
``chapters`` and the asset has some; otherwise evenly spaced points are computed. The breaks
share ``spare`` of the slot's spare time evenly; each holds a bumper out, spots, a bumper in,
as the rule says. A spot never repeats within one break nor within ``cooldown`` on the channel.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from retrovue.broadcast.breakpoints import EDGE_MS
from retrovue.broadcast.rules import BreakPolicy
from retrovue.scheduler.fillers import FillerPool
from retrovue.scheduler.selection import Catalog, CatalogItem

MIN_BREAK_MS = 15_000  # a break shorter than this is not worth stopping the programme for
HOUR_MS = 3_600_000


@dataclass(frozen=True)
class BreakPlan:
    """Where the programme stops (file positions) and how long each break may last."""

    cuts_ms: tuple[int, ...]
    lengths_ms: tuple[int, ...]


def plan_breaks(item: CatalogItem, policy: BreakPolicy, slot_ms: int) -> BreakPlan:
    """The breaks of ``item`` airing whole from the start of a slot of ``slot_ms``."""
    duration = item.duration_ms
    spare_ms = slot_ms - duration
    if policy.at == "none" or duration < policy.min_programme_ms or spare_ms <= 0:
        return BreakPlan((), ())
    budget_ms = int(spare_ms * policy.spare)
    allowed = min(
        policy.max_per_programme,
        max(1, policy.max_per_hour * slot_ms // HOUR_MS),
        budget_ms // MIN_BREAK_MS,
    )
    cuts = choose_cuts(item, policy, allowed) if allowed > 0 else ()
    if not cuts:
        return BreakPlan((), ())
    base, extra = divmod(budget_ms, len(cuts))
    return BreakPlan(cuts, tuple(base + (1 if i < extra else 0) for i in range(len(cuts))))


def choose_cuts(item: CatalogItem, policy: BreakPolicy, count: int) -> tuple[int, ...]:
    """Up to ``count`` break points, each the allowed one nearest an even division."""
    duration = item.duration_ms
    targets = [duration * k // (count + 1) for k in range(1, count + 1)]
    known = item.break_points_ms if policy.at == "chapters" else ()
    candidates = sorted(p for p in known if _allowed(p, item))
    if not candidates:
        candidates = [p for p in (_past_avoided(t, item) for t in targets) if _allowed(p, item)]
    chosen: list[int] = []
    for target in targets:
        floor_ms = chosen[-1] + policy.min_spacing_ms if chosen else 0
        fitting = [p for p in candidates if p >= floor_ms and p not in chosen]
        if fitting:
            chosen.append(min(fitting, key=lambda p: (abs(p - target), p)))
    return tuple(chosen)


def _allowed(position_ms: int, item: CatalogItem) -> bool:
    if not EDGE_MS <= position_ms <= item.duration_ms - EDGE_MS:
        return False
    return not any(start < position_ms < end for start, end in item.no_break_ms)


def _past_avoided(position_ms: int, item: CatalogItem) -> int:
    """A computed point inside an intro or credits moves to the end of that range (a break
    right before an intro or the credits, or right after, is fine)."""
    for start, end in item.no_break_ms:
        if start < position_ms < end:
            return end
    return position_ms


@dataclass(frozen=True)
class BreakPools:
    """The filler pools a rule's breaks draw from."""

    spots: FillerPool[CatalogItem]
    bumper_out: FillerPool[CatalogItem] | None
    bumper_in: FillerPool[CatalogItem] | None

    @classmethod
    def of(cls, catalog: Catalog, policy: BreakPolicy) -> BreakPools:
        out, back = policy.bumper_out, policy.bumper_in
        return cls(
            catalog.fillers(policy.fill),
            catalog.fillers(out) if out is not None else None,
            catalog.fillers(back) if back is not None else None,
        )


class SpotLog:
    """When each spot last ended on the channel (this broadcast day), for the cooldown."""

    def __init__(self, cooldown_ms: int) -> None:
        self._cooldown = timedelta(milliseconds=cooldown_ms)
        self._ended: dict[int, datetime] = {}

    def cooling(self, at_utc: datetime) -> set[int]:
        return {asset for asset, ended in self._ended.items() if at_utc - ended < self._cooldown}

    def aired(self, asset_id: int, end_utc: datetime) -> None:
        self._ended[asset_id] = end_utc


def fill_break(
    length_ms: int, pools: BreakPools, rng: random.Random, taken: set[int]
) -> list[CatalogItem]:
    """A bumper out, spots, a bumper in, together at most ``length_ms`` (empty when not even
    one spot fits: no break then). ``taken`` holds the spots that may not air (cooling down)."""
    bumper_out = _bumper(pools.bumper_out, length_ms, rng)
    bumper_in = _bumper(pools.bumper_in, length_ms, rng)
    ends = [b for b in (bumper_out, bumper_in) if b is not None]
    room_ms = length_ms - sum(b.duration_ms for b in ends)
    spots = pools.spots.fill_distinct(room_ms, rng, taken | {b.asset_id for b in ends})
    if not spots:
        return []
    return [*([bumper_out] if bumper_out else []), *spots, *([bumper_in] if bumper_in else [])]


def _bumper(
    pool: FillerPool[CatalogItem] | None, length_ms: int, rng: random.Random
) -> CatalogItem | None:
    """A bumper at most a quarter of the break, so spots keep most of it."""
    if pool is None or not pool:
        return None
    return pool.longest_fitting(length_ms // 4, rng, set())
