"""The lineup: enabled channels only, guide-number order, and a cache that never makes a
request wait for the database after the first read."""

from __future__ import annotations

import aiohttp

from retrovue.app import RunningStation
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.hdhr.lineup import LineupCache, LineupChannel, read_lineup
from tests.hdhr.conftest import add_channels


def test_read_lineup_orders_numbers_and_skips_disabled(channels_db: Database) -> None:
    add_channels(channels_db, [("3", "Three", "480p", True), ("4_2", "Bad", "480p", True)])
    lineup = read_lineup(channels_db)
    assert [c.number for c in lineup] == ["2", "3", "4.1", "10"]
    assert [c.hd for c in lineup] == [True, False, False, True]


async def test_cache_serves_memory_and_refreshes_in_the_background(clock: FakeClock) -> None:
    versions = iter(["2", "2", "5"])
    reads: list[str] = []

    def reader() -> tuple[LineupChannel, ...]:
        number = next(versions)
        reads.append(number)
        return (LineupChannel(number, "X", hd=False),)

    cache = LineupCache(reader, clock, ttl_s=2.0)
    first = await cache.get()
    assert await cache.get() is first
    assert reads == ["2"]
    clock.advance(3)
    assert await cache.get() is first  # stale: answered at once from memory ...
    await cache.close()  # ... while a background read runs
    assert reads == ["2", "2"]
    assert (await cache.refresh())[0].number == "5"
    assert cache.cached()[0].number == "5"


async def test_scan_start_rereads_the_lineup(
    station: RunningStation, channels_db: Database
) -> None:
    add_channels(channels_db, [("55", "Late Addition", "720p", True)])
    base = f"http://127.0.0.1:{station.api_port}"
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{base}/lineup.post?scan=start") as resp:
            assert resp.status == 200
        async with client.get(f"{base}/lineup.json") as resp:
            numbers = [entry["GuideNumber"] for entry in await resp.json()]
        async with client.get(f"{base}/auto/v55", params={"duration": "0.2"}) as resp:
            assert resp.status == 200
    assert numbers == ["2", "4.1", "10", "55"]
