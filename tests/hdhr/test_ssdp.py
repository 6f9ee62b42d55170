"""SSDP: the pure message text, then M-SEARCH / NOTIFY on the loopback multicast group."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from retrovue.app import RunningStation, run_station
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.hdhr import ssdp_packets as sp
from tests.hdhr.conftest import station_config
from tests.hdhr.fakes import FakeStreamService

UDN = "0b0e2f7c-1111-5222-8333-444455556666"
MEDIA_SERVER = "urn:schemas-upnp-org:device:MediaServer:1"


def msearch(st: str, mx: int = 1) -> bytes:
    return (
        "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
        f'MAN: "ssdp:discover"\r\nMX: {mx}\r\nST: {st}\r\n\r\n'
    ).encode()


def headers(data: bytes) -> tuple[str, dict[str, str]]:
    lines = data.decode().split("\r\n")
    fields = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            fields[name.upper()] = value.strip()
    return lines[0], fields


def test_parse_msearch_and_reject_others() -> None:
    assert sp.parse_msearch(msearch("ssdp:all", 3)) == sp.MSearch("ssdp:all", 3)
    assert sp.parse_msearch(b"NOTIFY * HTTP/1.1\r\nNT: x\r\n\r\n") is None
    assert sp.parse_msearch(b"M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\n\r\n") is None  # no MAN
    assert sp.parse_msearch(b"\xff\xfe") is None
    assert sp.parse_msearch(b"") is None


@pytest.mark.parametrize(
    ("st", "expected"),
    [
        ("ssdp:all", ["upnp:rootdevice", f"uuid:{UDN}", MEDIA_SERVER]),
        ("upnp:rootdevice", ["upnp:rootdevice"]),
        (MEDIA_SERVER, [MEDIA_SERVER]),
        (f"uuid:{UDN}", [f"uuid:{UDN}"]),
        ("urn:schemas-upnp-org:device:InternetGatewayDevice:1", []),
        ("uuid:someone-else", []),
    ],
)
def test_matching_targets(st: str, expected: list[str]) -> None:
    assert [t.nt for t in sp.matching(st, UDN)] == expected


def test_search_response_text() -> None:
    target = sp.matching(MEDIA_SERVER, UDN)[0]
    data = sp.search_response(
        target, "http://10.0.0.5:80/device.xml", "Mon, 02 Mar 2026 12:00:00 GMT"
    )
    start, fields = headers(data)
    assert start == "HTTP/1.1 200 OK"
    assert data.endswith(b"\r\n\r\n")
    assert fields["LOCATION"] == "http://10.0.0.5:80/device.xml"
    assert fields["ST"] == MEDIA_SERVER
    assert fields["USN"] == f"uuid:{UDN}::{MEDIA_SERVER}"
    assert fields["CACHE-CONTROL"] == "max-age=1800"
    assert "EXT" in fields


def test_notify_texts() -> None:
    root = sp.targets(UDN)[0]
    start, alive = headers(sp.notify_alive(root, "http://10.0.0.5:80/device.xml"))
    assert start == "NOTIFY * HTTP/1.1"
    assert (alive["NTS"], alive["NT"], alive["USN"]) == (
        "ssdp:alive", "upnp:rootdevice", f"uuid:{UDN}::upnp:rootdevice",
    )  # fmt: skip
    assert alive["HOST"] == "239.255.255.250:1900"
    _, bye = headers(sp.notify_byebye(root))
    assert bye["NTS"] == "ssdp:byebye"
    assert "LOCATION" not in bye


# ---- on the wire (loopback multicast, fixed port 1900) ----


def loopback_group_listener() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("239.255.255.250", 1900))
    membership = socket.inet_aton("239.255.255.250") + socket.inet_aton("127.0.0.1")
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    sock.setblocking(False)
    return sock


def loopback_searcher() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.bind(("127.0.0.1", 0))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    sock.setblocking(False)
    return sock


async def collect(sock: socket.socket, duration_s: float) -> list[bytes]:
    loop = asyncio.get_running_loop()
    got: list[bytes] = []
    end = loop.time() + duration_s
    while (left := end - loop.time()) > 0:
        try:
            got.append(await asyncio.wait_for(loop.sock_recv(sock, 4096), left))
        except TimeoutError:
            break
    return got


@pytest.fixture
async def ssdp_station(
    fixed_ports: None, channels_db: Database, streams: FakeStreamService
) -> AsyncIterator[RunningStation]:
    config = station_config(enable_ssdp=True, notify_interval_s=3600)
    async with run_station(
        config, database=channels_db, clock=SystemClock(), stream_service=streams
    ) as running:
        yield running


@pytest.mark.parametrize(
    ("st", "count"),
    [("ssdp:all", 3), ("upnp:rootdevice", 1), (MEDIA_SERVER, 1), ("uuid:", 1), ("urn:x:y:1", 0)],
)
async def test_msearch_is_answered_by_unicast(
    ssdp_station: RunningStation, st: str, count: int
) -> None:
    if st == "uuid:":
        st = f"uuid:{ssdp_station.device.udn}"
    searcher = loopback_searcher()
    try:
        searcher.sendto(msearch(st), ("239.255.255.250", 1900))
        replies = await collect(searcher, 1.3)
    finally:
        searcher.close()
    assert len(replies) == count
    for reply in replies:
        start, fields = headers(reply)
        assert start == "HTTP/1.1 200 OK"
        assert fields["LOCATION"] == f"{ssdp_station.device.base_url}/device.xml"
        assert fields["USN"].startswith(f"uuid:{ssdp_station.device.udn}")
        assert st == "ssdp:all" or fields["ST"] == st


async def test_alive_every_interval_and_byebye_on_shutdown(
    fixed_ports: None, channels_db: Database, streams: FakeStreamService
) -> None:
    listener = loopback_group_listener()
    try:
        config = station_config(enable_ssdp=True, notify_interval_s=0.4)
        async with run_station(
            config, database=channels_db, clock=SystemClock(), stream_service=streams
        ) as running:
            during = await collect(listener, 1.0)
        after = await collect(listener, 0.3)
    finally:
        listener.close()
    alive = [headers(m)[1] for m in during if b"ssdp:alive" in m]
    byebye = [headers(m)[1] for m in after if b"ssdp:byebye" in m]
    assert len(alive) >= 6  # three targets, at least twice in a second
    assert {a["LOCATION"] for a in alive} == {f"{running.device.base_url}/device.xml"}
    assert {b["NT"] for b in byebye} == {"upnp:rootdevice", f"uuid:{running.device.udn}",
                                        MEDIA_SERVER}  # fmt: skip
