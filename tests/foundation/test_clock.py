"""The clock: aware UTC, monotonic, and a fake that tests drive."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from retrovue.clock import FakeClock, SystemClock


def test_system_clock_is_aware_utc_and_monotonic() -> None:
    clock = SystemClock()
    now = clock.now_utc()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    first = clock.monotonic_s()
    assert clock.monotonic_s() >= first


def test_fake_clock_set_and_advance() -> None:
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    clock = FakeClock(start)
    mono = clock.monotonic_s()
    clock.advance(90)
    assert clock.now_utc() == start + timedelta(seconds=90)
    assert clock.monotonic_s() == pytest.approx(mono + 90)
    clock.set(start + timedelta(days=1))
    assert clock.now_utc() == start + timedelta(days=1)
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test


async def test_fake_sleep_wakes_only_when_advanced() -> None:
    clock = FakeClock()
    woke: list[float] = []

    async def sleeper() -> None:
        await clock.sleep_s(60)
        woke.append(clock.monotonic_s())

    task = asyncio.create_task(sleeper())
    await asyncio.sleep(0.01)
    clock.advance(30)
    await asyncio.sleep(0.01)
    assert woke == []
    clock.advance(30)
    await asyncio.wait_for(task, 1)
    assert len(woke) == 1
