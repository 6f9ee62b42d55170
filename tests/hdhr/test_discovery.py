"""UDP discovery and TCP get/set on loopback (ephemeral ports), against real sockets."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from retrovue.app import RunningStation, run_station
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.hdhr import discovery
from retrovue.hdhr import packets as p
from tests.hdhr.conftest import station_config
from tests.hdhr.fakes import FakeStreamService

TIMEOUT_S = 1.0
SILENCE_S = 0.3  # how long a test waits to be sure no reply comes


class UdpClient(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:  # type: ignore[override]
        self.replies.put_nowait((data, addr))


@pytest.fixture
async def udp_port(station: RunningStation) -> AsyncIterator[int]:
    transport = await discovery.start_udp(station.state.view, "127.0.0.1", 0)
    yield int(transport.get_extra_info("sockname")[1])
    transport.close()


@pytest.fixture
async def tcp_port(station: RunningStation) -> AsyncIterator[int]:
    server = await discovery.start_tcp(station.state.view, "127.0.0.1", 0)
    yield int(server.sockets[0].getsockname()[1])
    server.close()
    await server.wait_closed()


async def ask_udp(port: int, data: bytes, timeout_s: float = TIMEOUT_S) -> bytes | None:
    loop = asyncio.get_running_loop()
    transport, client = await loop.create_datagram_endpoint(
        UdpClient, local_addr=("127.0.0.1", 0), family=socket.AF_INET
    )
    try:
        transport.sendto(data, ("127.0.0.1", port))
        try:
            reply, addr = await asyncio.wait_for(client.replies.get(), timeout_s)
        except TimeoutError:
            return None
        assert addr == ("127.0.0.1", port)
        return reply
    finally:
        transport.close()


CLASSIC = bytes.fromhex("00 02 00 0c 01 04 ff ff ff ff 02 04 ff ff ff ff 73 cc 7d 8f")


@pytest.mark.parametrize(
    "request_bytes",
    [
        CLASSIC,
        p.build_discover_request((p.DEVICE_TYPE_TUNER,), None),
        p.build_discover_request((p.DEVICE_TYPE_WILDCARD,), None),
        p.build_discover_request((5, p.DEVICE_TYPE_TUNER), None, multi_type=True),
    ],
    ids=["classic", "no-id", "wildcard-no-id", "multi-type"],
)
async def test_both_request_shapes_get_a_full_reply(
    station: RunningStation, udp_port: int, request_bytes: bytes
) -> None:
    reply = p.parse_discover_reply(await ask_udp(udp_port, request_bytes) or b"")
    device = station.device
    assert reply == p.DiscoverReply(
        device_type=1,
        device_id=int(device.device_id, 16),
        tuner_count=2,
        base_url=device.base_url,
        lineup_url=device.base_url + "/lineup.json",
        device_auth=device.identity.device_auth,
    )


async def test_our_id_is_answered_and_another_is_not(
    station: RunningStation, udp_port: int
) -> None:
    ours = p.build_discover_request(device_id=int(station.device.device_id, 16))
    other = p.build_discover_request(device_id=0x1010C032)
    storage_only = p.build_discover_request((5,), None)
    assert await ask_udp(udp_port, ours) is not None
    assert await ask_udp(udp_port, other, SILENCE_S) is None
    assert await ask_udp(udp_port, storage_only, SILENCE_S) is None


async def test_garbage_gets_no_reply_and_the_responder_lives_on(udp_port: int) -> None:
    bad_crc = CLASSIC[:-1] + b"\x00"
    junk = (b"", b"\x00", b"hello world", CLASSIC[:10], bad_crc, CLASSIC * 2, b"\xff" * 2000)
    for data in junk:
        assert await ask_udp(udp_port, data, SILENCE_S) is None
    assert await ask_udp(udp_port, CLASSIC) is not None


async def getset(port: int, frames: list[bytes], replies: int) -> list[p.GetSetReply | None]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for frame in frames:
            writer.write(frame)
        await writer.drain()
        out = []
        for _ in range(replies):
            header = await asyncio.wait_for(reader.readexactly(4), TIMEOUT_S)
            body = await reader.readexactly(p.frame_size(header) - 4)
            out.append(p.parse_getset_reply(header + body))
        return out
    finally:
        writer.close()
        await writer.wait_closed()


def get(name: str) -> bytes:
    return p.build_getset_request(p.GetSetRequest(name))


async def test_get_system_variables(station: RunningStation, tcp_port: int) -> None:
    names = ["/sys/model", "/sys/hwmodel", "/sys/version", "/lineup/scan", "/tuner1/lockkey"]
    replies = await getset(tcp_port, [get(n) for n in names], len(names))
    assert [r.value if r else None for r in replies] == [
        "hdhomerun5_atsc",
        "HDHR5-4US",
        "20250101",
        "state=complete progress=100% found=3",
        "none",
    ]


async def test_unknown_names_and_sets_are_errors(tcp_port: int) -> None:
    frames = [
        get("/sys/nonsense"),
        get("/tuner9/status"),
        p.build_getset_request(p.GetSetRequest("/tuner0/channel", "auto:2")),
    ]
    replies = await getset(tcp_port, frames, 3)
    assert replies[0] == p.GetSetReply("/sys/nonsense", error="ERROR: unknown getset variable")
    assert replies[1] == p.GetSetReply("/tuner9/status", error="ERROR: unknown getset variable")
    assert replies[2] is not None
    assert replies[2].error is not None
    assert replies[2].value is None


async def test_huge_tuner_numbers_and_names_get_an_error_reply(tcp_port: int) -> None:
    """A 5,000-digit tuner and a 20,000-byte 0xFF name: an error reply each, and the connection
    still answers the next request."""
    digits = "/tuner" + "9" * 5000 + "/status"
    raw_name = p.encode_tlv(p.TAG_GETSET_NAME, b"\xff" * 20_000 + b"\x00")
    frames = [get(digits), p.build_frame(p.TYPE_GETSET_REQUEST, raw_name), get("/sys/model")]
    huge, binary, model = await getset(tcp_port, frames, 3)
    assert huge is not None
    assert huge.error == "ERROR: unknown getset variable"
    assert digits.startswith(huge.name)
    assert binary is not None
    assert binary.error == "ERROR: unknown getset variable"
    assert model == p.GetSetReply("/sys/model", value="hdhomerun5_atsc")


async def test_bad_frames_are_skipped_one_reply_per_good_frame(tcp_port: int) -> None:
    good = get("/sys/model")
    bad_crc = good[:-1] + bytes([good[-1] ^ 0xFF])
    frames = [bad_crc, p.build_frame(p.TYPE_GETSET_REQUEST, b"\x03\x50ab"), CLASSIC, good]
    replies = await getset(tcp_port, frames, 1)
    assert replies == [p.GetSetReply("/sys/model", value="hdhomerun5_atsc")]


async def test_tuner_status_follows_the_pool(station: RunningStation, tcp_port: int) -> None:
    from retrovue.hdhr.tuners import TunerUse

    lease = station.state.tuners.acquire(TunerUse("4.1", "Cartoons", "10.1.1.1"), 1)
    try:
        replies = await getset(tcp_port, [get("/tuner1/vchannel"), get("/tuner0/vchannel")], 2)
    finally:
        station.state.tuners.release(lease)
    assert [r.value if r else None for r in replies] == ["4.1", "none"]


async def test_busy_control_port_turns_the_binary_protocol_off_with_a_warning(
    channels_db: Database, streams: FakeStreamService, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        port = int(squatter.getsockname()[1])
        config = station_config(enable_udp=True, control_port=port)
        with caplog.at_level(logging.WARNING):
            async with (
                run_station(
                    config, database=channels_db, clock=SystemClock(), stream_service=streams
                ) as running,
                aiohttp.ClientSession() as client,
                client.get(f"http://127.0.0.1:{running.api_port}/discover.json") as resp,
            ):
                assert resp.status == 200
    assert f"UDP discovery and TCP control off: cannot use port {port}" in caplog.text
    assert "--no-udp" in caplog.text
