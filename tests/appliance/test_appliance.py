"""The composed appliance in-process: guide, metrics, a real stream, horizon keeper, schema gate."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from retrovue.app import StationConfig
from retrovue.appliance import prepare_database, run_appliance
from retrovue.clock import SystemClock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.db.migrate import current_revision, head_revision
from retrovue.db.models import Channel
from retrovue.errors import DatabaseError

pytestmark = pytest.mark.timeout(120)


def _add_channel(database: Database) -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    with database.transaction() as session:
        session.add(Channel(
            number="9", name="Nine", timezone="UTC", profile="480p",
            created_utc=now, updated_utc=now,
        ))  # fmt: skip


async def _text(client: aiohttp.ClientSession, url: str) -> str:
    async with client.get(url) as response:
        assert response.status == 200
        return await response.text()


async def test_metrics_guide_and_a_stream(sqlite_db: Database, tmp_path: Path) -> None:
    _add_channel(sqlite_db)
    settings = Settings(data_dir=tmp_path, horizon_days=2, linger_s=0.0, x264_preset="ultrafast")
    config = StationConfig(
        bind_host="127.0.0.1", advertise_host="127.0.0.1", stream_port=0, api_port=0,
        enable_udp=False, enable_ssdp=False, enable_mdns=False, data_dir=tmp_path,
    )  # fmt: skip
    async with (
        run_appliance(settings, SystemClock(), sqlite_db, config=config) as appliance,
        aiohttp.ClientSession() as client,
    ):
        base = appliance.station.device.stream_base_url
        for _ in range(300):
            if appliance.metrics.horizon_passes:
                break
            await asyncio.sleep(0.1)
        metrics = await _text(client, f"{base}/metrics")
        assert "retrovue_tuners 4.0" in metrics
        assert "retrovue_tuners_in_use 0.0" in metrics
        assert re.search(r'retrovue_horizon_days_ahead\{channel="9"\} 1\.\d+', metrics), metrics
        assert "retrovue_horizon_passes_total 1.0" in metrics
        guide = await _text(client, f"{base}/xmltv.xml")
        assert "<display-name>9 Nine</display-name>" in guide
        async with client.get(f"{base}/auto/v9") as stream:
            assert stream.status == 200
            first = await stream.content.readexactly(188 * 20)
            assert first[0] == 0x47
            assert first[188] == 0x47
            during = await _text(client, f"{base}/metrics")
        assert 'retrovue_viewers{channel="9"} 1.0' in during
        assert "retrovue_tuners_in_use 1.0" in during
        assert re.search(r'retrovue_bytes_sent_total\{channel="9"\} [1-9]', during)
        assert 'retrovue_producer_restarts_total{channel="9"} 0.0' in during


def test_schema_gate(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with pytest.raises(DatabaseError, match="run `retrovue db upgrade`"):
            prepare_database(database, migrate=False)
        assert current_revision(database) is None
        prepare_database(database, migrate=True)
        assert current_revision(database) == head_revision(database)
        prepare_database(database, migrate=False)
    finally:
        database.dispose()
