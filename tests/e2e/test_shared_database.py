"""Two appliances on one PostgreSQL database: own device ids and ports, the same channels, and
only one of them builds the schedule horizon (the other finds the builder lock taken)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrovue.testing.databases import PG_SKIP_REASON, postgres_base_url, postgres_schema_url

pytestmark = pytest.mark.timeout(300)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETROVUE_")}
    env |= {"RETROVUE_DATA_DIR": str(data_dir), "RETROVUE_DATABASE_URL": url}
    return env


def _json(url: str, patience_s: float = 90.0) -> object:
    deadline = time.perf_counter() + patience_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read())
        except OSError:
            if time.perf_counter() > deadline:
                raise
            time.sleep(0.3)


def _text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read()).decode()


@pytest.fixture
def shared_url() -> Iterator[str]:
    base = postgres_base_url()
    if base is None:
        pytest.skip(PG_SKIP_REASON)
    with postgres_schema_url(base) as url:
        yield url


def test_two_appliances_share_one_database(shared_url: str, tmp_path: Path) -> None:
    setup = _env(tmp_path / "setup", shared_url)
    for number, name in (("7", "Seven"), ("8.1", "Eight One")):
        subprocess.run(
            [sys.executable, "-m", "retrovue", "channel", "add", number, name, "--timezone", "UTC"],
            env=setup, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    processes, ports, handles = [], [], []
    for name in ("one", "two"):
        port = _free_port()
        command = [
            sys.executable, "-m", "retrovue", "serve", "--host", "127.0.0.1", "--advertise",
            "127.0.0.1", "--port", str(port), "--api-port", str(port), "--no-udp", "--no-ssdp",
            "--no-mdns",
        ]  # fmt: skip
        log = (tmp_path / f"{name}.log").open("wb")
        handles.append(log)
        processes.append(subprocess.Popen(
            command, env=_env(tmp_path / name, shared_url), stdout=log, stderr=subprocess.STDOUT,
        ))  # fmt: skip
        ports.append(port)
    try:
        found = [_json(f"http://127.0.0.1:{port}/discover.json") for port in ports]
        lineups = [_json(f"http://127.0.0.1:{port}/lineup.json") for port in ports]
        time.sleep(3)  # both have made their first horizon pass
        ahead = [str(_text(f"http://127.0.0.1:{port}/metrics")) for port in ports]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
        for handle in handles:
            handle.close()
    logs = [(tmp_path / f"{name}.log").read_text() for name in ("one", "two")]
    assert [p.returncode for p in processes] == [0, 0], logs
    ids = [d["DeviceID"] for d in found if isinstance(d, dict)]
    assert len(set(ids)) == 2
    for lineup in lineups:
        assert isinstance(lineup, list)
        assert [c["GuideNumber"] for c in lineup] == ["7", "8.1"]
    builders = [log for log in logs if re.search(r"horizon: built [1-9]\d* channel-days", log)]
    assert len(builders) == 1, logs
    for text in ahead:
        assert re.search(r'retrovue_horizon_days_ahead\{channel="7"\} 1[0-9]\.', text), text
