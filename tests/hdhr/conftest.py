"""Fixtures for the HDHomeRun side: channels in a real database, a running station on loopback."""

from __future__ import annotations

import fcntl
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retrovue.app import RunningStation, StationConfig, run_station
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel
from tests.hdhr.fakes import FakeStreamService

LOOPBACK = "127.0.0.1"
FIXED_PORT_LOCK = Path("/tmp/retrovue-hdhr-fixed-ports.lock")
CHANNELS = [
    # number, name, profile, enabled
    ("2", "RetroVue Two", "720p", True),
    ("4.1", "Cartoons", "480p", True),
    ("10", "Movies", "1080p", True),
    ("7", "Hidden", "720p", False),
]


def add_channels(database: Database, rows: list[tuple[str, str, str, bool]] = CHANNELS) -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    with database.transaction(immediate=True) as session:
        for number, name, profile, enabled in rows:
            session.add(
                Channel(
                    number=number,
                    name=name,
                    timezone="UTC",
                    profile=profile,
                    enabled=enabled,
                    created_utc=now,
                    updated_utc=now,
                )
            )


def station_config(**changes: object) -> StationConfig:
    values: dict[str, object] = {
        "bind_host": LOOPBACK,
        "advertise_host": LOOPBACK,
        "stream_port": 0,
        "api_port": 0,
        "tuner_count": 2,
        "enable_udp": False,
        "enable_ssdp": False,
        "enable_mdns": False,
    }
    values.update(changes)
    return StationConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def channels_db(sqlite_db: Database) -> Database:
    add_channels(sqlite_db)
    return sqlite_db


@pytest.fixture
def streams() -> FakeStreamService:
    return FakeStreamService()


@pytest.fixture
async def station(
    channels_db: Database, streams: FakeStreamService
) -> AsyncIterator[RunningStation]:
    async with run_station(
        station_config(), database=channels_db, clock=SystemClock(), stream_service=streams
    ) as running:
        yield running


@pytest.fixture
def fixed_ports() -> Iterator[None]:
    """Serialise tests that need the fixed ports 65001 / 1900 across processes."""
    with FIXED_PORT_LOCK.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
