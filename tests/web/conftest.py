"""Fixtures: a small real station (media made once per session) served in-process on loopback."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from retrovue.app import StationConfig
from retrovue.appliance import Appliance, run_appliance
from retrovue.clock import Clock, FakeClock, SystemClock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.web.auth import save_password
from tests.web.station import WebStation, build_station, make_library

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def media_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_library(tmp_path_factory.mktemp("web-media"))


@dataclass
class Served:
    appliance: Appliance
    station: WebStation
    base: str
    http: aiohttp.ClientSession
    clock: Clock
    database: Database
    data_dir: Path


def settings_for(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir, horizon_days=2, linger_s=0.0, x264_preset="ultrafast",
        producer_isolation="thread", enable_udp=False, enable_ssdp=False, enable_mdns=False,
        advertise_host="127.0.0.1", bind_host="127.0.0.1",
    )  # fmt: skip


@pytest.fixture
async def served(
    sqlite_db: Database, clock: FakeClock, tmp_path: Path, media_template: Path
) -> AsyncIterator[Served]:
    """The station at a fixed instant (a fake clock: nothing moves unless the test says so)."""
    async with serve_station(sqlite_db, clock, tmp_path, media_template) as served:
        yield served


@pytest.fixture
async def served_pg(
    pg_db: Database, clock: FakeClock, tmp_path: Path, media_template: Path
) -> AsyncIterator[Served]:
    """The same station on PostgreSQL (skipped with a reason when no URL is given)."""
    async with serve_station(pg_db, clock, tmp_path, media_template) as served:
        yield served


@pytest.fixture
async def live_served(
    sqlite_db: Database, tmp_path: Path, media_template: Path
) -> AsyncIterator[Served]:
    """The station on the system clock: its producers run in real time (for streams)."""
    async with serve_station(sqlite_db, SystemClock(), tmp_path, media_template) as served:
        yield served


@asynccontextmanager
async def serve_station(
    sqlite_db: Database, clock: Clock, tmp_path: Path, media_template: Path
) -> AsyncIterator[Served]:
    media = tmp_path / "media"
    shutil.copytree(media_template, media)
    station = build_station(sqlite_db, clock, media)
    data_dir = tmp_path / "data"
    save_password(data_dir, PASSWORD)
    config = StationConfig(
        bind_host="127.0.0.1", advertise_host="127.0.0.1", stream_port=0, api_port=0,
        enable_udp=False, enable_ssdp=False, enable_mdns=False, data_dir=data_dir,
    )  # fmt: skip
    async with (
        run_appliance(settings_for(data_dir), clock, sqlite_db, config=config) as appliance,
        aiohttp.ClientSession() as http,
    ):
        yield Served(
            appliance, station, appliance.station.device.base_url, http, clock, sqlite_db, data_dir
        )
