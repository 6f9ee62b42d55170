"""Replays of what Plex (an HTTP/1.0 client) and Jellyfin do when they set up and tune."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from retrovue.app import RunningStation, run_station
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.hdhr import packets as p
from tests.hdhr.conftest import station_config
from tests.hdhr.fakes import FakeStreamService, ts_packets

CLASSIC = bytes.fromhex("00 02 00 0c 01 04 ff ff ff ff 02 04 ff ff ff ff 73 cc 7d 8f")


async def http10(port: int, method: str, target: str, timeout_s: float = 5.0) -> bytes:
    """One raw HTTP/1.0 exchange: send, then read until the server closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    extra = "Content-Length: 0\r\n" if method == "POST" else ""
    request = f"{method} {target} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n{extra}User-Agent: PlexMediaServer\r\n\r\n"  # noqa: E501
    writer.write(request.encode())
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), timeout_s)
    finally:
        writer.close()


def split(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    return lines[0], fields, body


async def test_plex_setup_sequence_over_http_1_0(
    station: RunningStation, streams: FakeStreamService
) -> None:
    api, stream = station.api_port, station.stream_port
    status, _, body = split(await http10(api, "GET", "/discover.json"))
    assert status.endswith("200 OK")
    assert json.loads(body)["DeviceID"] == station.device.device_id
    status, _, body = split(await http10(api, "GET", "/lineup_status.json"))
    assert json.loads(body)["ScanInProgress"] == 0
    status, _, body = split(await http10(api, "GET", "/lineup.json"))
    first = json.loads(body)[0]
    status, _, body = split(await http10(api, "POST", "/lineup.post?scan=start&source=Cable"))
    assert status.endswith("200 OK")
    assert body == b""
    assert first["URL"] == f"http://127.0.0.1:{stream}/auto/v2"
    path = first["URL"].split(str(stream), 1)[1] + "?duration=1"
    loop = asyncio.get_running_loop()
    started = loop.time()
    status, fields, body = split(await http10(stream, "GET", path))
    elapsed = loop.time() - started
    assert status.startswith("HTTP/1.0 200") or status.startswith("HTTP/1.1 200")
    assert fields["content-type"] == "video/mp2t"
    assert "transfer-encoding" not in fields  # plain body, no chunk framing
    assert len(ts_packets(body)) > 20
    assert body[0] == 0x47  # TS from the first byte: no chunk-size line
    assert 0.9 <= elapsed < 3.0  # duration ended it and the server closed the connection
    await asyncio.sleep(0.05)
    assert station.state.tuners.busy_count() == 0
    assert streams.sessions[-1].closed


async def test_http_1_0_client_leaving_frees_the_slot_at_once(
    station: RunningStation, streams: FakeStreamService
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", station.stream_port)
    writer.write(b"GET /tuner0/v10 HTTP/1.0\r\n\r\n")
    await reader.readexactly(2000)
    assert station.state.tuners.states()[0].use is not None
    writer.transport.abort()  # the client vanishes
    for _ in range(50):
        if station.state.tuners.busy_count() == 0:
            break
        await asyncio.sleep(0.02)
    assert station.state.tuners.busy_count() == 0
    assert streams.sessions[-1].closed


@pytest.fixture
async def with_udp(
    fixed_ports: None, channels_db: Database, streams: FakeStreamService
) -> AsyncIterator[RunningStation]:
    async with run_station(
        station_config(enable_udp=True),
        database=channels_db,
        clock=SystemClock(),
        stream_service=streams,
    ) as running:
        yield running


def udp_discover(port: int = 65001) -> tuple[bytes, tuple[str, int]]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(2.0)
        sock.sendto(CLASSIC, ("127.0.0.1", port))
        data, addr = sock.recvfrom(2048)
        return data, addr


async def test_jellyfin_sequence(with_udp: RunningStation) -> None:
    data, addr = await asyncio.to_thread(udp_discover)
    reply = p.parse_discover_reply(data)
    assert reply is not None
    assert reply.device_id == int(with_udp.device.device_id, 16)
    host = addr[0]  # Jellyfin uses the address the reply came from
    async with aiohttp.ClientSession() as client:
        async with client.get(f"http://{host}:{with_udp.api_port}/discover.json") as resp:
            device = await resp.json()
        assert device["TunerCount"] == 2
        async with client.get(device["LineupURL"]) as resp:
            lineup = await resp.json()
        url = lineup[2]["URL"]
        streams = [await client.get(url), await client.get(lineup[0]["URL"])]
        assert [s.status for s in streams] == [200, 200]
        ts_packets(await streams[0].content.readexactly(188 * 10))
        async with client.get(lineup[1]["URL"]) as refused:
            assert refused.status == 503
            assert refused.headers["X-HDHomeRun-Error"] == "805 All Tuners In Use"
            assert await refused.read() == b""
        for s in streams:
            s.close()


async def test_http_1_1_stream_ends_with_its_connection(station: RunningStation) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", station.stream_port)
    writer.write(b"GET /auto/v4.1?duration=0.3 HTTP/1.1\r\nHost: tuner\r\n\r\n")
    raw = await asyncio.wait_for(reader.read(), 5.0)  # returns only when the server closes
    writer.close()
    status, fields, _ = split(raw)
    assert status == "HTTP/1.1 200 OK"
    assert fields["connection"] == "close"
    assert fields["content-type"] == "video/mp2t"


async def test_slot_is_freed_on_disconnect_even_while_the_source_is_silent(
    station: RunningStation, streams: FakeStreamService
) -> None:
    streams.stall_after = 2  # after two chunks nothing more is written: no write can fail
    reader, writer = await asyncio.open_connection("127.0.0.1", station.stream_port)
    writer.write(b"GET /auto/v2 HTTP/1.0\r\n\r\n")
    await reader.readuntil(b"\r\n\r\n")
    await reader.readexactly(188 * 40)
    assert station.state.tuners.busy_count() == 1
    writer.transport.abort()
    for _ in range(50):
        if station.state.tuners.busy_count() == 0:
            break
        await asyncio.sleep(0.02)
    assert station.state.tuners.busy_count() == 0
    assert streams.sessions[-1].closed
