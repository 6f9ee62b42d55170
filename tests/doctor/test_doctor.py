"""retrovue doctor: one line per check, a fix for each failure, exit 1 when any fails."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from retrovue.clock import FakeClock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.db.models import CatalogAsset, Channel, PlaylogEvent
from retrovue.doctor.checks import (
    check_catalog_files,
    check_horizon,
    check_loudness,
    check_port,
)
from tests.conftest import CliRunner


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_every_check_prints_one_line_and_failures_exit_1(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, busy_port: int
) -> None:
    monkeypatch.setenv("RETROVUE_BIND_HOST", "127.0.0.1")
    monkeypatch.setenv("RETROVUE_ADVERTISE_HOST", "127.0.0.1")
    monkeypatch.setenv("RETROVUE_STREAM_PORT", str(busy_port))
    monkeypatch.setenv("RETROVUE_API_PORT", str(_free_port()))
    monkeypatch.setenv("RETROVUE_ENABLE_UDP", "false")
    assert cli("db", "upgrade").code == 0
    result = cli("doctor")
    assert result.code == 1
    lines = result.out.strip().splitlines()
    by_name = {line.split(":")[0][5:]: line for line in lines}
    assert by_name["advertise address"].startswith("FAIL")
    assert "is loopback" in by_name["advertise address"]
    assert by_name[f"stream port {busy_port}"].startswith("FAIL")
    assert "-> fix:" in by_name[f"stream port {busy_port}"]
    assert by_name["database schema"].startswith("ok")
    assert by_name["PyAV codecs"].startswith("ok")
    assert by_name["schedule horizon"].startswith("FAIL")
    assert "no enabled channels" in by_name["schedule horizon"]


def test_json_output(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETROVUE_ENABLE_UDP", "false")
    monkeypatch.setenv("RETROVUE_STREAM_PORT", str(_free_port()))
    monkeypatch.setenv("RETROVUE_API_PORT", str(_free_port()))
    result = cli("doctor", "--json")
    checks = json.loads(result.out)
    assert {"name", "ok", "detail", "fix"} <= set(checks[0])
    assert result.code == (0 if all(c["ok"] for c in checks) else 1)


def test_schema_behind_is_reported_without_migrating(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETROVUE_ENABLE_UDP", "false")
    result = cli("doctor")
    assert "FAIL database schema: at empty" in result.out
    assert "retrovue db upgrade" in result.out


def test_port_answered_by_something_else_fails(busy_port: int, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, bind_host="127.0.0.1")
    check = check_port(settings, busy_port, "stream port", "free it")
    assert not check.ok
    assert check.fix == "free it"


def test_missing_catalog_file_fails(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    present = tmp_path / "here.mp4"
    present.write_bytes(b"x")
    now = clock.now_utc()
    with db.transaction() as session:
        for path in (present, tmp_path / "gone.mp4"):
            session.add(
                CatalogAsset(
                    kind="movie",
                    guide_title=path.stem,
                    duration_ms=1000,
                    file_path=str(path),
                    canonical=True,
                    available=True,
                    created_utc=now,
                    updated_utc=now,
                )
            )
    check = check_catalog_files(db)
    assert not check.ok
    assert "1 of 2 missing or unreadable" in check.detail
    assert "gone.mp4" in check.detail


def test_loudness_warns_about_assets_never_measured(db: Database, clock: FakeClock) -> None:
    now = clock.now_utc()
    infos = [
        {"loudness": {"integrated_lufs": -23.0, "true_peak_dbtp": -3.0, "track": 1}},
        {"loudness": {"error": "no audio track", "track": None}},
        {},
    ]
    with db.transaction() as session:
        for index, info in enumerate(infos):
            session.add(
                CatalogAsset(
                    kind="movie",
                    guide_title=f"film {index}",
                    duration_ms=1000,
                    file_path=f"/media/{index}.mkv",
                    canonical=True,
                    available=True,
                    media_info=info,
                    created_utc=now,
                    updated_utc=now,
                )
            )
    check = check_loudness(db)
    assert not check.ok
    assert "1 of 3 canonical asset(s) never measured" in check.detail
    assert "film 2" in check.detail
    with db.transaction() as session:
        for row in session.scalars(select(CatalogAsset)):
            if not row.media_info:
                row.media_info = infos[0]
    check = check_loudness(db)
    assert check.ok
    assert "3 canonical asset(s) measured (1 unmeasurable" in check.detail


def test_horizon_counts_days_ahead(sqlite_db: Database, clock: FakeClock) -> None:
    now = clock.now_utc()
    with sqlite_db.transaction() as session:
        channel = Channel(
            number="7", name="Seven", timezone="UTC", created_utc=now, updated_utc=now
        )
        session.add(channel)
        session.flush()
        session.add(
            PlaylogEvent(
                channel_id=channel.id,
                broadcast_day=now.date(),
                start_utc=now,
                end_utc=now + timedelta(days=3),
                kind="slate",
                title="Off Air",
                built_utc=now,
            )
        )
    short = check_horizon(sqlite_db, clock, 14)
    assert not short.ok
    assert "7: 3.0 d" in short.detail
    assert check_horizon(sqlite_db, clock, 4).ok
