"""The start-up summary says what actually started: a responder whose port is taken is off, and
why, instead of "on"."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from retrovue.app import StationConfig
from retrovue.appliance import run_appliance
from retrovue.cli.serve import startup_summary
from retrovue.clock import SystemClock
from retrovue.config import Settings
from retrovue.db import Database

pytestmark = pytest.mark.timeout(60)


def _config(tmp_path: Path, control_port: int) -> StationConfig:
    return StationConfig(
        bind_host="127.0.0.1", advertise_host="127.0.0.1", stream_port=0, api_port=0,
        enable_udp=True, control_port=control_port, keepalive_port=0,
        enable_ssdp=False, enable_mdns=False, data_dir=tmp_path,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        tcp.bind(("127.0.0.1", 0))
        port = int(tcp.getsockname()[1])
        udp.bind(("127.0.0.1", port))
        return port


async def _summary(database: Database, tmp_path: Path, port: int) -> str:
    settings = Settings(data_dir=tmp_path, horizon_days=1, producer_isolation="thread")
    lines: list[str] = []
    async with run_appliance(
        settings, SystemClock(), database, config=_config(tmp_path, port)
    ) as appliance:
        startup_summary(appliance, settings, database, None, echo=lines.append)
    return "\n".join(lines)


async def test_a_taken_port_is_reported_off_with_the_reason(
    sqlite_db: Database, tmp_path: Path
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = int(taken.getsockname()[1])
        text = await _summary(sqlite_db, tmp_path, port)
    assert f"UDP/TCP 65001 off (cannot use port {port}: Address already in use)" in text
    assert "SSDP off, mDNS off" in text
    assert "UDP/TCP 65001 on" not in text
    assert "producers  threads of this process" in text


async def test_what_started_is_reported_on(sqlite_db: Database, tmp_path: Path) -> None:
    text = await _summary(sqlite_db, tmp_path, _free_port())
    assert "discovery  UDP/TCP 65001 on, SSDP off, mDNS off" in text
