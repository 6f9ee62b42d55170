"""The event loop is never blocked: a 14-day horizon built for 20 channels at start-up while a
viewer tunes and the guide, lineup, metrics and the station's page are read, and the loop's
worst lag stays under 100 ms."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from retrovue.app import StationConfig
from retrovue.appliance import Appliance, run_appliance
from retrovue.clock import SystemClock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.looplag import LagStats
from retrovue.scheduler.horizon import BuildSummary
from retrovue.testing.schedule_station import seed

pytestmark = pytest.mark.timeout(180)
CHANNELS, DAYS = 20, 14
MAX_LAG_S = 0.1


async def _read(client: aiohttp.ClientSession, url: str) -> int:
    async with client.get(url) as response:
        assert response.status == 200, url
        return len(await response.read())


async def _tune(client: aiohttp.ClientSession, url: str) -> int:
    async with client.get(url) as response:
        assert response.status == 200
        return len(await response.content.readexactly(188 * 500))


async def _use_while_building(appliance: Appliance, built: asyncio.Event) -> list[int]:
    """A viewer tunes, and every page a client reads is read, until the build is done."""
    base = appliance.station.device.stream_base_url
    sizes = []
    async with aiohttp.ClientSession() as client:
        while not built.is_set():
            sizes.append(await _tune(client, f"{base}/auto/v2"))
            for path in ("/lineup.json", "/xmltv.xml", "/metrics", "/", "/discover.json"):
                sizes.append(await _read(client, f"{base}{path}"))
    return sizes


def _describe(stats: LagStats) -> str:
    return f"worst {stats.worst_s * 1000:.0f} ms over {stats.samples} wake-ups: {stats.counts}"


async def test_the_loop_keeps_up_while_the_horizon_is_built_and_a_viewer_tunes(
    sqlite_db: Database, tmp_path: Path
) -> None:
    seed(sqlite_db, CHANNELS, 2000)
    settings = Settings(
        data_dir=tmp_path, horizon_days=DAYS, linger_s=0.0, x264_preset="ultrafast",
        producer_isolation="process",
    )  # fmt: skip
    config = StationConfig(
        bind_host="127.0.0.1", advertise_host="127.0.0.1", stream_port=0, api_port=0,
        enable_udp=False, enable_ssdp=False, enable_mdns=False, data_dir=tmp_path,
    )  # fmt: skip
    built = asyncio.Event()
    passes: list[BuildSummary] = []

    def on_horizon(summary: BuildSummary) -> None:
        passes.append(summary)
        built.set()

    clock = SystemClock()
    async with run_appliance(
        settings, clock, sqlite_db, config=config, on_horizon=on_horizon
    ) as appliance:
        sizes = await asyncio.wait_for(_use_while_building(appliance, built), 150)
        stats = appliance.metrics.loop_lag.stats
        assert passes[0].days_built >= CHANNELS * DAYS
        assert len(sizes) >= 6  # a whole round of reads during the build
        assert all(sizes)
        assert stats.samples >= 10, _describe(stats)
        assert stats.worst_s <= MAX_LAG_S, _describe(stats)
