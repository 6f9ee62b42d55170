"""The background sync keeper with the fake clock: due sources sync, bursts defer, failures count
(and, once, inside the composed appliance)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from retrovue.app import StationConfig
from retrovue.appliance import run_appliance
from retrovue.clock import FakeClock, SystemClock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.library.sources import add_filesystem_source, list_sources
from retrovue.library.sync_runs import PolicyChange, set_sync_policy
from retrovue.sync_keeper import SyncKeeper, in_tune_burst
from retrovue.testing.media import MediaSpec, make_media

pytestmark = pytest.mark.timeout(60)
SMALL = MediaSpec(duration_s=1.0, width=160, height=120)


async def _until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


class Tuners:
    """Our own stand-in for the tuner pool: how many tuners are taken."""

    def __init__(self) -> None:
        self.busy = 0

    def __call__(self) -> int:
        return self.busy


@asynccontextmanager
async def _running(keeper: SyncKeeper) -> AsyncIterator[SyncKeeper]:
    task = asyncio.create_task(keeper.run())
    try:
        yield keeper
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _source(db: Database, clock: FakeClock, root: Path, name: str, every: str) -> Path:
    folder = root / name
    make_media(folder / "Show - S01E01 - One.mkv", SMALL)
    add_filesystem_source(db, clock, name, str(folder))
    set_sync_policy(db, clock, name, PolicyChange(every=every), "UTC")
    return folder


def _view(db: Database, name: str) -> dict[str, object]:
    return next(v.to_json() for v in list_sources(db) if v.name == name)


async def test_due_sources_sync_one_after_another_and_again_when_due(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    _source(db, clock, tmp_path, "alpha", "6h")
    beta = _source(db, clock, tmp_path, "beta", "1d")
    changes: list[int] = []
    keeper = SyncKeeper(db, clock, busy_tuners=Tuners(), after_change=lambda: changes.append(1))
    async with _running(keeper):
        # a check per sync, and one that finds nothing due: then the keeper sleeps
        await _until(lambda: keeper.checks == 3, "both first syncs")
        assert keeper.runs == {("alpha", "ok"): 1, ("beta", "ok"): 1}
        assert keeper.items[("alpha", "added")] == 1
        assert _view(db, "beta")["last_sync_result"] == "ok"

        make_media(beta / "Show - S01E02 - Two.mkv", SMALL)
        clock.advance(hours=6, seconds=1)  # alpha is due again, beta not before a day
        await _until(lambda: keeper.checks == 5, "alpha's second sync")
        assert keeper.runs == {("alpha", "ok"): 2, ("beta", "ok"): 1}
        assert keeper.items[("alpha", "unchanged")] == 1
        clock.advance(hours=18)  # both due: alpha (waiting since +12h) first, then beta
        await _until(lambda: keeper.checks == 8, "beta's second sync")
        assert keeper.runs == {("alpha", "ok"): 3, ("beta", "ok"): 2}
        assert keeper.items[("beta", "added")] == 2  # the new episode appears for review
    assert changes == []  # nothing left the air, no schedule rebuild


async def test_a_tune_burst_defers_the_sync(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    tuners = Tuners()
    keeper = SyncKeeper(db, clock, busy_tuners=tuners, check_interval_s=10, sample_s=5, quiet_s=60)

    async def step() -> None:  # five seconds on; the keeper looked at the tuners and sleeps again
        seen = keeper.naps
        clock.advance(5)
        await _until(lambda: keeper.naps > seen, "the next pass")

    async with _running(keeper):
        await _until(lambda: keeper.naps == 1, "the first (empty) check")
        tuners.busy = 3  # three tunes at once
        await step()
        _source(db, clock, tmp_path, "tv", "6h")  # due now, but the tuners were just taken
        await step()
        await _until(lambda: keeper.checks == 2, "the second check")
        assert keeper.deferred == 1
        assert not keeper.runs
        for _ in range(10):  # 50 s more without a new tune: still deferred
            await step()
        assert not keeper.runs
        assert keeper.deferred >= 2
        await step()
        await step()
        await _until(lambda: keeper.runs[("tv", "ok")] == 1, "the sync after the burst")
    assert in_tune_burst(100.0, 159.0)
    assert not in_tune_burst(100.0, 160.0)
    assert not in_tune_burst(None, 0.0)


async def test_failed_sync_is_recorded_and_counted(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    folder = _source(db, clock, tmp_path, "usb", "6h")
    shutil.rmtree(folder)  # the drive is gone
    keeper = SyncKeeper(db, clock, busy_tuners=Tuners())
    async with _running(keeper):
        await _until(lambda: keeper.runs[("usb", "failed")] == 1, "the failed sync")
    view = _view(db, "usb")
    assert view["last_sync_result"] == "failed"
    assert "usb" in str(view["last_sync_message"])
    registry = CollectorRegistry(auto_describe=False)
    registry.register(keeper.collector())
    text = generate_latest(registry).decode()
    assert 'retrovue_source_syncs_total{result="failed",source="usb"} 1.0' in text
    assert "retrovue_source_syncs_deferred_total 0.0" in text
    assert "retrovue_source_sync_running 0.0" in text


async def test_serve_syncs_a_due_source_and_counts_it(sqlite_db: Database, tmp_path: Path) -> None:
    """The keeper inside the composed appliance: a never-synced source is due at once."""
    clock = SystemClock()
    folder = tmp_path / "tv"
    make_media(folder / "Show - S01E01 - One.mkv", SMALL)
    add_filesystem_source(sqlite_db, clock, "tv", str(folder))
    set_sync_policy(sqlite_db, clock, "tv", PolicyChange(every="6h"), "UTC")
    settings = Settings(data_dir=tmp_path, horizon_days=1, linger_s=0.0, x264_preset="ultrafast")
    config = StationConfig(
        bind_host="127.0.0.1", advertise_host="127.0.0.1", stream_port=0, api_port=0,
        enable_udp=False, enable_ssdp=False, enable_mdns=False, data_dir=tmp_path,
    )  # fmt: skip
    async with (
        run_appliance(settings, clock, sqlite_db, config=config) as appliance,
        aiohttp.ClientSession() as client,
    ):
        await _until(lambda: _view(sqlite_db, "tv")["last_sync_result"] == "ok", "the sync")
        url = f"{appliance.station.device.stream_base_url}/metrics"
        async with client.get(url) as response:
            text = await response.text()
    assert 'retrovue_source_syncs_total{result="ok",source="tv"} 1.0' in text
    assert 'retrovue_source_sync_items_total{outcome="added",source="tv"} 1.0' in text
    assert "retrovue_source_sync_running 0.0" in text
