"""TVHeadend's HDHomeRun frontend, replayed request by request (Debian has no TVHeadend package).

Its tvhdhomerun frontend, through libhdhomerun: read ``/sys/model`` (``_atsc`` in it means ATSC),
lock the tuner with a random key (then every set carries that key), tune ``auto6t:<Hz>``, reset
the PID filter to ``0x0000``, poll ``status`` until ``ss`` is 35 or more ("signal present"), set a
``udp://`` target on its own socket, set the PIDs it wants, and at the end ``target none`` and
``lockkey none``. The answers it parses are checked the way it parses them.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from retrovue.app import RunningStation, run_station
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.hdhr import packets as p
from retrovue.hdhr.datagrams import DATAGRAM_BYTES, TS_PACKET_BYTES, pid_of
from tests.hdhr.conftest import station_config
from tests.hdhr.fakes import FakeStreamService

KEY = 3_141_592_653
WANTED_PIDS = {0x0000, 0x0100, 0x1000}  # PAT, video, PMT: no null packets


class ControlClient:
    """One TCP 65001 connection, as libhdhomerun's control socket."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send_frame(self, frame: bytes) -> p.GetSetReply:
        self.writer.write(frame)
        await self.writer.drain()
        header = await asyncio.wait_for(self.reader.readexactly(4), 5)
        rest = await self.reader.readexactly(p.frame_size(header) - 4)
        reply = p.parse_getset_reply(header + rest)
        assert reply is not None
        return reply

    async def get(self, name: str) -> str:
        reply = await self.send_frame(p.build_getset_request(p.GetSetRequest(name)))
        assert reply.error is None, reply
        return reply.value or ""

    async def set(self, name: str, value: str, key: int | None = KEY) -> p.GetSetReply:
        request = p.GetSetRequest(name, value, lockkey=key)
        return await self.send_frame(p.build_getset_request(request))


@asynccontextmanager
async def connect(port: int | None) -> AsyncIterator[ControlClient]:
    assert port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        yield ControlClient(reader, writer)
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.fixture
async def station(
    channels_db: Database, streams: FakeStreamService
) -> AsyncIterator[RunningStation]:
    # its own control port: no real client here needs 65001; keep-alives on a free port too
    config = station_config(enable_udp=True, control_port=0, keepalive_port=0)
    async with run_station(
        config, database=channels_db, clock=SystemClock(), stream_service=streams
    ) as running:
        yield running


def status_fields(status: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in status.split())


async def test_tvheadend_tunes_streams_and_lets_go(
    station: RunningStation, streams: FakeStreamService
) -> None:
    async with connect(station.control_port) as tvh:
        await tvheadend_sequence(tvh, station)
    assert station.state.tuners.busy_count() == 0
    assert streams.sessions[-1].closed


async def tvheadend_sequence(tvh: ControlClient, station: RunningStation) -> None:
    assert "_atsc" in await tvh.get("/sys/model")  # so it makes ATSC-T frontends
    assert await tvh.set("/tuner0/lockkey", str(KEY), key=None) == p.GetSetReply(
        "/tuner0/lockkey", value="127.0.0.1"
    )
    assert (await tvh.set("/tuner0/channel", "auto6t:57000000")).error is None  # cable ch. 2
    assert (await tvh.set("/tuner0/filter", "0x0000")).error is None
    status = status_fields(await tvh.get("/tuner0/status"))
    assert status["ch"] == "auto6t:57000000"
    assert status["lock"] == "8vsb"
    assert int(status["ss"]) >= 35  # signal present: it starts its input thread
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        target = f"udp://127.0.0.1:{sock.getsockname()[1]}"
        assert (await tvh.set("/tuner0/target", target)).error is None
        pids = " ".join(f"0x{pid:04x}" for pid in sorted(WANTED_PIDS))
        assert (await tvh.set("/tuner0/filter", pids)).value == "0x0000 0x0100 0x1000"
        async with connect(station.control_port) as other:  # another client, another key
            refused = await other.set("/tuner0/target", "none", key=KEY + 1)
        assert refused.error == "ERROR: resource locked by 127.0.0.1"
        datagrams = await asyncio.to_thread(lambda: [sock.recv(2048) for _ in range(8)])
        status = status_fields(await tvh.get("/tuner0/status"))
        assert int(status["pps"]) > 0
        assert (await tvh.set("/tuner0/target", "none")).value == "none"
    assert (await tvh.set("/tuner0/lockkey", "none")).value == "none"
    assert {len(d) for d in datagrams} == {DATAGRAM_BYTES}
    data = b"".join(datagrams)  # "0x0000" first, then the wanted PIDs: never a null packet
    seen = {pid_of(data, at) for at in range(0, len(data), TS_PACKET_BYTES)}
    assert seen == WANTED_PIDS


async def test_a_bad_value_on_a_connection_gets_an_error_and_the_connection_goes_on(
    station: RunningStation,
) -> None:
    async with connect(station.control_port) as client:
        await bad_values(client)


async def bad_values(client: ControlClient) -> None:
    garbage = p.encode_tlv(p.TAG_GETSET_NAME, b"/tuner0/channel\x00")
    garbage += p.encode_tlv(p.TAG_GETSET_VALUE, b"\xff\xfe:\x00")
    reply = await client.send_frame(p.build_frame(p.TYPE_GETSET_REQUEST, garbage))
    assert reply.error == "ERROR: invalid channel"
    too_long = await client.set("/tuner0/filter", " ".join(["0x0001"] * 65))
    assert too_long.error == "ERROR: invalid filter"
    assert await client.get("/tuner0/channel") == "none"
