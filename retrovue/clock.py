"""The master clock: the only module that reads the time.

Every "now" in RetroVue comes from a :class:`Clock`. Production code receives a
:class:`SystemClock`; tests pass a :class:`FakeClock` they can set and advance.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now_utc(self) -> datetime:
        """The current instant as an aware UTC datetime."""
        ...

    def monotonic_s(self) -> float:
        """Seconds on a monotonic timeline (for durations and pacing)."""
        ...

    async def sleep_s(self, seconds: float) -> None:
        """Sleep on this clock's timeline."""
        ...


class SystemClock:
    """The real clock."""

    def now_utc(self) -> datetime:
        return datetime.now(UTC)

    def monotonic_s(self) -> float:
        return time.monotonic()

    async def sleep_s(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock for tests: it moves only when told to.

    ``sleep_s`` waits until the clock has been advanced past the wake-up time, so a
    background task driven by this clock runs exactly when a test advances it.
    """

    def __init__(self, start_utc: datetime | None = None) -> None:
        start = start_utc or datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._mono_s = 1000.0
        self._changed: asyncio.Condition | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def __getstate__(self) -> dict[str, object]:
        """A copy for a worker process: the same instant, no waiters (it will not move there)."""
        return {**self.__dict__, "_changed": None, "_pending": set()}

    def now_utc(self) -> datetime:
        return self._now

    def monotonic_s(self) -> float:
        return self._mono_s

    def set(self, when_utc: datetime) -> None:
        if when_utc.tzinfo is None:
            raise ValueError("FakeClock.set needs an aware datetime")
        delta = (when_utc - self._now).total_seconds()
        self._now = when_utc.astimezone(UTC)
        self._mono_s += max(0.0, delta)
        self._notify()

    def advance(self, seconds: float = 0.0, **kwargs: float) -> None:
        step = timedelta(seconds=seconds, **kwargs)
        self._now += step
        self._mono_s += step.total_seconds()
        self._notify()

    async def sleep_s(self, seconds: float) -> None:
        wake_s = self._mono_s + max(0.0, seconds)
        condition = self._condition()
        async with condition:
            await condition.wait_for(lambda: self._mono_s >= wake_s)

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    def _notify(self) -> None:
        condition = self._changed
        if condition is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return

        async def wake() -> None:
            async with condition:
                condition.notify_all()

        task = loop.create_task(wake())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
