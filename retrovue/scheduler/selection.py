"""Rule evaluation (pure): which catalog items a rule selects, and in which order they air.

:class:`Catalog` holds the airable items (canonical AND available, see ``broadcast.gating``) and
memoises each rule's pool, sorted in episode order. A *chooser* walks a pool the way a rule's
``order`` says and reports its state as plain JSON, which the horizon keeps per broadcast day:

- ``sequential``: the next item after the last one aired, wrapping at the end;
  state ``{"last": <sort key>}``, so a revoked item is simply passed over;
- ``shuffle``: a seeded permutation per round, every item once before any repeats;
  state ``{"round": n, "played": [ids]}``;
- ``random``: seeded from channel and day, skipping items aired in the last ``no_repeat_days``;
  state ``{"last_aired": {id: "YYYY-MM-DD"}}``.
"""

from __future__ import annotations

import hashlib
import json
import random
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import Any, Protocol

from retrovue.broadcast.gating import is_airable
from retrovue.broadcast.rules import FillerPolicy, Rule, rule_to_json
from retrovue.scheduler.fillers import FillerPool

SeqKey = tuple[str, int, int, str, int]
_RANDOM_TRIES = 32


@dataclass(frozen=True)
class CatalogItem:
    """What the scheduler needs of one catalog asset (a snapshot of a ``catalog_asset`` row)."""

    asset_id: int
    kind: str
    title: str
    duration_ms: int
    series: str | None = None
    season: int | None = None
    episode: int | None = None
    episode_title: str | None = None
    description: str | None = None
    genres: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    content_rating: str | None = None
    year: int | None = None
    canonical: bool = True
    available: bool = True
    # where a programme may stop for a break (file positions, sorted) and ranges never cut
    # (intro, credits): the catalog asset's ``breaks`` (``docs/rules.md``, *Breaks*)
    break_points_ms: tuple[int, ...] = ()
    no_break_ms: tuple[tuple[int, int], ...] = ()

    @cached_property
    def duration(self) -> timedelta:
        return timedelta(milliseconds=self.duration_ms)

    @property
    def seq_key(self) -> SeqKey:
        return (
            (self.series or "").casefold(),
            -1 if self.season is None else self.season,
            -1 if self.episode is None else self.episode,
            self.title.casefold(),
            self.asset_id,
        )


def _folded(values: Iterable[str]) -> frozenset[str]:
    return frozenset(value.casefold() for value in values)


@dataclass(frozen=True)
class _ItemKeys:
    """An item's matchable attributes, case-folded once."""

    tags: frozenset[str]
    genres: frozenset[str]
    series: str
    rating: str

    @classmethod
    def of(cls, item: CatalogItem) -> _ItemKeys:
        return cls(
            _folded(item.tags),
            _folded(item.genres),
            (item.series or "").casefold(),
            (item.content_rating or "").casefold(),
        )


@dataclass(frozen=True)
class _RuleKeys:
    """A rule's selection keys, case-folded once."""

    rule: Rule
    tags: frozenset[str]
    genres: frozenset[str]
    series: frozenset[str]
    ratings: frozenset[str]

    @classmethod
    def of(cls, rule: Rule) -> _RuleKeys:
        return cls(
            rule,
            _folded(rule.tags),
            _folded(rule.genres),
            _folded(rule.series),
            _folded(rule.content_rating),
        )

    def matches(self, item: CatalogItem, keys: _ItemKeys) -> bool:
        rule = self.rule
        if rule.kind is None:
            if item.kind == "filler":
                return False
        elif rule.kind not in ("any", item.kind):
            return False
        if self.tags:
            if rule.tags_match == "all" and not self.tags <= keys.tags:
                return False
            if rule.tags_match == "any" and not self.tags & keys.tags:
                return False
        if self.series and keys.series not in self.series:
            return False
        if self.genres and not self.genres & keys.genres:
            return False
        if self.ratings and keys.rating not in self.ratings:
            return False
        if rule.min_duration_ms is not None and item.duration_ms < rule.min_duration_ms:
            return False
        return rule.max_duration_ms is None or item.duration_ms <= rule.max_duration_ms


def matches(rule: Rule, item: CatalogItem) -> bool:
    """Does ``item`` satisfy the selection keys of ``rule``? (Order and layout keys aside.)"""
    return _RuleKeys.of(rule).matches(item, _ItemKeys.of(item))


class Pool:
    """The items a rule selects, in episode order, with what the choosers look up."""

    def __init__(self, items: Iterable[CatalogItem]) -> None:
        self.items = tuple(items)
        self.keys = [item.seq_key for item in self.items]
        self.by_id = {item.asset_id: item for item in self.items}
        self._shuffles: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def shuffled(self, seed: str) -> list[int]:
        """Asset ids in a seeded order (memoised: many days share a round)."""
        if seed not in self._shuffles:
            order = sorted(self.by_id)
            random.Random(seed).shuffle(order)
            self._shuffles[seed] = order
        return self._shuffles[seed]


class Catalog:
    """The airable catalog with memoised pools per rule and per filler policy."""

    def __init__(self, items: Iterable[CatalogItem]) -> None:
        airable = [item for item in items if is_airable(item.canonical, item.available)]
        self.items: tuple[CatalogItem, ...] = tuple(sorted(airable, key=lambda i: i.seq_key))
        self.by_id: dict[int, CatalogItem] = {item.asset_id: item for item in self.items}
        self._keys = [_ItemKeys.of(item) for item in self.items]
        self._by_kind: dict[str, list[int]] = {}
        self._by_series: dict[str, list[int]] = {}
        for index, (item, keys) in enumerate(zip(self.items, self._keys, strict=True)):
            self._by_kind.setdefault(item.kind, []).append(index)
            self._by_series.setdefault(keys.series, []).append(index)
        self._pools: dict[Rule, Pool] = {}
        self._fillers: dict[FillerPolicy, FillerPool[CatalogItem]] = {}
        self._guides: dict[int, tuple[tuple[str, Any], ...]] = {}

    def guide_base(self, item: CatalogItem) -> tuple[tuple[str, Any], ...]:
        """The guide fields an event of ``item`` starts with (genres, rating, year), made once."""
        found = self._guides.get(item.asset_id)
        if found is None:
            pairs: list[tuple[str, Any]] = []
            if item.genres:
                pairs.append(("genres", list(item.genres)))
            if item.content_rating:
                pairs.append(("content_rating", item.content_rating))
            if item.year:
                pairs.append(("year", item.year))
            found = self._guides[item.asset_id] = tuple(pairs)
        return found

    def _candidates(self, rule: Rule) -> list[int]:
        """Indexes (in episode order) that may match: narrowed by series or kind first."""
        if rule.series:
            found = {i for s in _folded(rule.series) for i in self._by_series.get(s, ())}
            return sorted(found)
        if rule.kind is not None and rule.kind != "any":
            return self._by_kind.get(rule.kind, [])
        return list(range(len(self.items)))

    def pool(self, rule: Rule) -> Pool:
        if rule not in self._pools:
            compiled = _RuleKeys.of(rule)
            self._pools[rule] = Pool(
                self.items[index]
                for index in self._candidates(rule)
                if compiled.matches(self.items[index], self._keys[index])
            )
        return self._pools[rule]

    def fillers(self, policy: FillerPolicy) -> FillerPool[CatalogItem]:
        if policy not in self._fillers:
            wanted = _folded(policy.tags)
            chosen = [
                item
                for item, keys in zip(self.items, self._keys, strict=True)
                if policy.mode != "slate"
                and item.kind == "filler"
                and (policy.mode == "any" or not wanted or wanted & keys.tags)
            ]
            self._fillers[policy] = FillerPool(chosen)
        return self._fillers[policy]


@lru_cache(maxsize=4096)
def cursor_key(rule: Rule) -> str:
    """Blocks with the same rule share one cursor (a series continues across templates)."""
    canonical = json.dumps(rule_to_json(rule), sort_keys=True, separators=(",", ":"))
    return "rule:" + hashlib.sha256(canonical.encode()).hexdigest()[:24]


class Chooser(Protocol):
    def next(self, max_ms: int | None) -> CatalogItem | None:
        """The next item to air (one no longer than ``max_ms`` when given), or ``None``."""
        ...

    def state(self) -> dict[str, Any]: ...


class SequentialChooser:
    def __init__(self, pool: Pool, state: Mapping[str, Any]) -> None:
        self._pool = pool
        last = state.get("last")
        self._last: SeqKey | None = tuple(last) if isinstance(last, list) else None
        self._position = bisect_right(pool.keys, self._last) if self._last is not None else 0

    def next(self, max_ms: int | None) -> CatalogItem | None:
        count = len(self._pool)
        for step in range(count):
            index = (self._position + step) % count
            item = self._pool.items[index]
            if max_ms is None or item.duration_ms <= max_ms:
                self._position = index + 1
                self._last = self._pool.keys[index]
                return item
        return None

    def state(self) -> dict[str, Any]:
        return {"last": list(self._last)} if self._last is not None else {}


class ShuffleChooser:
    def __init__(self, pool: Pool, state: Mapping[str, Any], seed: str) -> None:
        self._pool = pool
        self._by_id = pool.by_id
        self._seed = seed
        self._round = int(state.get("round", 0))
        # ids no longer in the pool are dropped (set operations: the list grows to the pool's size)
        self._played = set(map(int, state.get("played", ()))) & self._by_id.keys()
        self._order: list[int] = []
        self._pointer = 0
        self._shuffle()

    def _shuffle(self) -> None:
        self._order = self._pool.shuffled(f"{self._seed}:round{self._round}")
        self._pointer = 0

    def next(self, max_ms: int | None) -> CatalogItem | None:
        if not self._by_id:
            return None
        if len(self._played) >= len(self._by_id):
            self._round += 1
            self._played.clear()
            self._shuffle()
        while self._order[self._pointer] in self._played:
            self._pointer += 1
        for index in range(self._pointer, len(self._order)):
            asset_id = self._order[index]
            item = self._by_id[asset_id]
            if asset_id not in self._played and (max_ms is None or item.duration_ms <= max_ms):
                self._played.add(asset_id)
                return item
        return None

    def state(self) -> dict[str, Any]:
        return {"round": self._round, "played": sorted(self._played)}


class RandomChooser:
    def __init__(
        self,
        pool: Pool,
        state: Mapping[str, Any],
        rng: random.Random,
        day: date,
        no_repeat_days: int,
    ) -> None:
        self._pool = pool.items
        self._rng = rng
        self._day = day
        self._days = no_repeat_days
        raw = state.get("last_aired", {})
        self._last: dict[int, date] = {
            int(key): date.fromisoformat(value) for key, value in dict(raw).items()
        }

    def _recent(self, item: CatalogItem) -> bool:
        aired = self._last.get(item.asset_id)
        return aired is not None and (self._day - aired).days < self._days

    def _fits(self, item: CatalogItem, max_ms: int | None) -> bool:
        return max_ms is None or item.duration_ms <= max_ms

    def next(self, max_ms: int | None) -> CatalogItem | None:
        if not self._pool:
            return None
        choice: CatalogItem | None = None
        for _ in range(_RANDOM_TRIES):
            item = self._pool[self._rng.randrange(len(self._pool))]
            if self._fits(item, max_ms) and not self._recent(item):
                choice = item
                break
        if choice is None:
            fitting = [item for item in self._pool if self._fits(item, max_ms)]
            fresh = [item for item in fitting if not self._recent(item)]
            if fresh:
                choice = self._rng.choice(fresh)
            elif fitting:  # everything aired lately: the least recent one
                choice = min(
                    fitting, key=lambda i: (self._last.get(i.asset_id, date.min), i.seq_key)
                )
        if choice is not None and self._days > 0:
            self._last[choice.asset_id] = self._day
        return choice

    def state(self) -> dict[str, Any]:
        kept = {
            str(asset_id): aired.isoformat()
            for asset_id, aired in sorted(self._last.items())
            if (self._day - aired).days < self._days
        }
        return {"last_aired": kept} if kept else {}


def make_chooser(
    rule: Rule,
    pool: Pool,
    state: Mapping[str, Any],
    *,
    channel_id: int,
    day: date,
    key: str,
) -> Chooser:
    if rule.order == "sequential":
        return SequentialChooser(pool, state)
    if rule.order == "shuffle":
        return ShuffleChooser(pool, state, seed=f"{channel_id}:{key}")
    rng = random.Random(f"{channel_id}:{day.isoformat()}:{key}")
    return RandomChooser(pool, state, rng, day, rule.no_repeat_days)
