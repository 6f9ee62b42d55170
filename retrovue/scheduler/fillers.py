"""Filler pools (pure): short items picked to fill a gap, for padding and for breaks."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable
from typing import Generic, Protocol, TypeVar

DISTINCT_TRIES = 8  # random draws before a pick among distinct spots scans for one


class Timed(Protocol):
    @property
    def asset_id(self) -> int: ...

    @property
    def duration_ms(self) -> int: ...


T = TypeVar("T", bound=Timed)


class FillerPool(Generic[T]):
    """Filler items sorted by duration, for padding a gap with several short ones.

    Each pick is random among the longer half of the fillers that still fit, so a gap takes
    a few longer pieces rather than many bumpers, and what is left for the slate stays small.
    """

    def __init__(self, items: Iterable[T]) -> None:
        self.items = tuple(sorted(items, key=lambda item: (item.duration_ms, item.asset_id)))
        self._durations = [item.duration_ms for item in self.items]

    def __bool__(self) -> bool:
        return bool(self.items)

    def fill(self, gap_ms: int, rng: random.Random) -> list[T]:
        """Fillers that fit in ``gap_ms`` together (what is left over is for the slate)."""
        picked: list[T] = []
        remaining_ms = gap_ms
        while True:
            fitting = bisect_right(self._durations, remaining_ms)
            if fitting == 0:
                return picked
            # from the longer half of what fits: fewer, longer pieces, still varied
            item = self.items[rng.randrange(fitting // 2, fitting)]
            picked.append(item)
            remaining_ms -= item.duration_ms

    def fill_distinct(self, gap_ms: int, rng: random.Random, taken: set[int]) -> list[T]:
        """Like :meth:`fill`, but never an asset in ``taken`` (each pick is added to it): the
        spots of one break, and the ones still cooling down on the channel."""
        picked: list[T] = []
        remaining_ms = gap_ms
        while (item := self._pick(remaining_ms, rng, taken)) is not None:
            picked.append(item)
            taken.add(item.asset_id)
            remaining_ms -= item.duration_ms
        return picked

    def longest_fitting(self, gap_ms: int, rng: random.Random, taken: set[int]) -> T | None:
        """One item for ``gap_ms`` (a bumper, a station ID), not in ``taken``."""
        return self._pick(gap_ms, rng, taken)

    def _pick(self, gap_ms: int, rng: random.Random, taken: set[int]) -> T | None:
        fitting = bisect_right(self._durations, gap_ms)
        if fitting == 0:
            return None
        for _ in range(DISTINCT_TRIES):  # few are taken: a random draw nearly always succeeds
            item = self.items[rng.randrange(fitting // 2, fitting)]
            if item.asset_id not in taken:
                return item
        for index in range(fitting - 1, -1, -1):
            if self.items[index].asset_id not in taken:
                return self.items[index]
        return None
