"""``retrovue serve`` as an operator runs it, and the port and address choices it makes."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from retrovue.app import StationConfig, bind_ports
from retrovue.hdhr.netaddr import detect_advertise_host


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETROVUE_")}
    env["RETROVUE_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def fetch_json(url: str, patience_s: float = 60.0) -> object:
    """GET JSON, retrying while the server starts (start-up is slow on a loaded machine)."""
    deadline = time.perf_counter() + patience_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return json.loads(resp.read())
        except OSError:
            if time.perf_counter() > deadline:
                raise AssertionError(f"{url} never answered") from None
            time.sleep(0.1)


def start_serve(data_dir: Path, *args: str, **env: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "retrovue", "serve", "--host", "127.0.0.1", *args]
    return subprocess.Popen(
        command, env=serve_env(data_dir, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_serve_answers_on_both_ports_and_stops_on_sigterm(tmp_path: Path) -> None:
    stream, api = free_port(), free_port()
    args = ["--advertise", "127.0.0.1", "--port", str(stream), "--api-port", str(api),
            "--tuners", "3", "--no-udp", "--no-ssdp", "--no-mdns"]  # fmt: skip
    process = start_serve(tmp_path / "data", *args)
    try:
        on_api = fetch_json(f"http://127.0.0.1:{api}/discover.json")
        on_stream = fetch_json(f"http://127.0.0.1:{stream}/discover.json")
        assert on_api == on_stream
        assert isinstance(on_api, dict)
        assert on_api["BaseURL"] == f"http://127.0.0.1:{api}"
        assert on_api["TunerCount"] == 3
        assert fetch_json(f"http://127.0.0.1:{api}/lineup.json") == []
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert "RetroVue tuner" in err.decode()  # the start-up line names the device


def test_bad_device_id_override_is_one_line_and_exit_2(tmp_path: Path) -> None:
    process = start_serve(
        tmp_path / "data", "--advertise", "127.0.0.1", "--port", str(free_port()),
        "--no-udp", "--no-ssdp", "--no-mdns", RETROVUE_DEVICE_ID="12345678",
    )  # fmt: skip
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    lines = err.decode().strip().splitlines()
    assert lines[-1].startswith("error: device_id: 12345678 fails the HDHomeRun check digit")
    assert "Traceback" not in err.decode()


def test_advertise_0_0_0_0_is_refused(cli: object) -> None:
    result = cli("serve", "--advertise", "0.0.0.0", "--no-udp")  # type: ignore[operator]
    assert result.code == 2
    assert "never 0.0.0.0" in result.err


def test_api_port_falls_back_to_the_stream_port_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    holder = socket.socket()
    try:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
        try:
            holder.bind(("127.0.0.1", 80))
            holder.listen(1)
        except OSError:
            pass  # port 80 is taken or not ours to bind: the fallback is exercised either way
        config = StationConfig(bind_host="127.0.0.1", advertise_host="127.0.0.1", stream_port=0)
        with caplog.at_level(logging.WARNING):
            sockets = bind_ports(config)
        try:
            assert len(sockets) == 1
            assert "auto-detection needs port 80" in caplog.text
        finally:
            for sock in sockets:
                sock.close()
    finally:
        holder.close()


def test_advertise_address_is_never_the_wildcard() -> None:
    address = detect_advertise_host()
    assert address not in ("0.0.0.0", "")
    socket.inet_aton(address)
