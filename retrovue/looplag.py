"""How late the event loop runs: a stalled loop is a tune that waits, a stream that stutters.

:class:`LoopLag` asks the loop to wake it every ``interval_s`` and records how late each wake-up
came (``lag``): anything that keeps the loop busy (a database read, a render, a long callback)
shows up here. Measured on the loop's own monotonic clock, on purpose: this is the real loop's
lateness, which a test's fake clock must not stand in for. ``/metrics`` renders the counts as
a Prometheus histogram and the worst lag of the last minute as a gauge.
"""

from __future__ import annotations

import asyncio
import bisect
from collections import deque
from dataclasses import dataclass, field

INTERVAL_S = 0.05
BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
RECENT_S = 60.0


@dataclass
class LagStats:
    """Wake-ups counted per bucket (``counts[i]``: lag at most ``BUCKETS_S[i]``; the last
    entry: above every bucket), their sum, and the worst of each recent one (pure)."""

    counts: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS_S) + 1))
    total_s: float = 0.0
    worst_s: float = 0.0
    recent: deque[tuple[float, float]] = field(default_factory=deque)  # (at_s, lag_s)

    def record(self, at_s: float, lag_s: float) -> None:
        self.counts[bisect.bisect_left(BUCKETS_S, lag_s)] += 1
        self.total_s += lag_s
        self.worst_s = max(self.worst_s, lag_s)
        self.recent.append((at_s, lag_s))
        while self.recent and self.recent[0][0] < at_s - RECENT_S:
            self.recent.popleft()

    @property
    def samples(self) -> int:
        return sum(self.counts)

    def recent_worst_s(self) -> float:
        return max((lag for _at, lag in self.recent), default=0.0)

    def cumulative(self) -> list[tuple[str, int]]:
        """Prometheus buckets: ``le`` and the count of wake-ups at most that late."""
        rows, running = [], 0
        for bound, count in zip(BUCKETS_S, self.counts, strict=False):
            running += count
            rows.append((str(bound), running))
        rows.append(("+Inf", self.samples))
        return rows


class LoopLag:
    """Run :meth:`watch` as a task on the loop to be measured."""

    def __init__(self, interval_s: float = INTERVAL_S) -> None:
        self.interval_s = interval_s
        self.stats = LagStats()

    async def watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asked_s = loop.time()
            await asyncio.sleep(self.interval_s)
            woke_s = loop.time()
            self.stats.record(woke_s, max(0.0, woke_s - asked_s - self.interval_s))
