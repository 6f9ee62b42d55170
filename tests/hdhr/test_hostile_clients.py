"""One LAN client cannot make the tuner unreachable: unfinished requests time out, one address
holds a bounded number of connections, the server a bounded number in all, accept errors and
malformed requests are logged as single lines."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import aiohttp
import pytest

from retrovue.app import run_station
from retrovue.clock import FakeClock, SystemClock
from retrovue.db import Database
from retrovue.hdhr.connections import ACCEPT_ERROR, AcceptErrors, ConnectionGuard
from tests.hdhr.conftest import station_config
from tests.hdhr.fakes import FakeStreamService

PARTIAL = b"GET /discover.json HTTP/1.1\r\nHost: x\r\n"  # and nothing more
UNIT = Path(__file__).resolve().parents[2] / "packaging" / "retrovue.service"


def _open(port: int, count: int, source: str = "127.0.0.1") -> list[socket.socket]:
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), source_address=(source, 0))
        sock.sendall(PARTIAL)
        socks.append(sock)
    return socks


def _closed_by_server(sock: socket.socket, within_s: float) -> bool:
    sock.settimeout(within_s)
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.fixture
def loopback_peer() -> str:
    """A second loopback address (all of 127/8 is local on Linux): another LAN client."""
    probe = socket.socket()
    try:
        probe.bind(("127.0.0.2", 0))
    except OSError:
        pytest.skip("127.0.0.2 is not usable as a source address here")
    finally:
        probe.close()
    return "127.0.0.2"


async def test_a_flood_of_unfinished_requests_leaves_the_tuner_reachable(
    channels_db: Database, loopback_peer: str
) -> None:
    config = station_config(header_timeout_s=1.0, per_client_max=20)
    async with run_station(
        config, database=channels_db, clock=SystemClock(), stream_service=FakeStreamService()
    ) as station:
        port = station.api_port
        hostile = await asyncio.to_thread(_open, port, 60)
        try:
            refused = await asyncio.to_thread(
                lambda: sum(_closed_by_server(s, 5.0) for s in hostile[20:])
            )
            assert refused == 40  # beyond the cap: closed at once
            assert station.connections.open["127.0.0.1"] <= 20
            base = f"http://127.0.0.1:{port}"
            connector = aiohttp.TCPConnector(local_addr=(loopback_peer, 0))
            async with (
                aiohttp.ClientSession(connector=connector) as client,
                client.get(base + "/discover.json", timeout=aiohttp.ClientTimeout(total=10)) as r,
            ):
                assert r.status == 200  # another client is served while the flood holds on
            timed_out = await asyncio.to_thread(
                lambda: sum(_closed_by_server(s, 30.0) for s in hostile[:20])
            )
            assert timed_out == 20  # the unfinished requests were closed at the header timeout
        finally:
            for sock in hostile:
                sock.close()


def test_the_server_holds_a_bounded_number_of_connections_in_all() -> None:
    guard = ConnectionGuard(FakeClock(), per_client=3, total=5)
    admitted = [guard.admit(f"10.0.0.{n % 4}") for n in range(8)]
    assert admitted == [True] * 5 + [False] * 3
    guard.release("10.0.0.1")
    assert guard.admit("10.0.0.9")
    assert not guard.admit("10.0.0.9")


async def test_accept_errors_are_logged_once_in_a_while(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    loop = asyncio.get_running_loop()
    handler = AcceptErrors(loop, clock)
    error = OSError(24, "Too many open files")
    with caplog.at_level(logging.WARNING, logger="retrovue.hdhr.connections"):
        for _ in range(8000):  # what asyncio reported in one second of the flood
            handler(loop, {"message": ACCEPT_ERROR, "exception": error})
        clock.advance(11)
        handler(loop, {"message": ACCEPT_ERROR, "exception": error})
    lines = [r.getMessage() for r in caplog.records if r.name == "retrovue.hdhr.connections"]
    assert len(lines) == 2
    assert "Too many open files" in lines[0]
    assert "and 7999 more" in lines[1]


async def test_a_malformed_request_is_one_log_line_and_a_400(
    channels_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    config = station_config()
    async with run_station(
        config, database=channels_db, clock=SystemClock(), stream_service=FakeStreamService()
    ) as station:
        reader, writer = await asyncio.open_connection("127.0.0.1", station.api_port)
        with caplog.at_level(logging.DEBUG):
            writer.write(b"GET /discover.json HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
            await writer.drain()
            reply = await asyncio.wait_for(reader.read(4096), 10)
            writer.close()
            await asyncio.sleep(0.1)
    assert reply.split(b" ", 2)[1] == b"400"
    records = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert records, "the bad request was not logged"
    assert all(r.exc_info is None and r.exc_text is None for r in records)
    assert all("\n" not in r.getMessage() for r in records)


def test_the_unit_raises_the_descriptor_limit() -> None:
    lines = [line.strip() for line in UNIT.read_text().splitlines()]
    limits = [line for line in lines if line.startswith("LimitNOFILE=")]
    assert limits
    assert int(limits[0].split("=", 1)[1]) >= 16384
