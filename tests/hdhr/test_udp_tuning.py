"""Tuning over TCP 65001 with Debian's hdhomerun_config: channel, target, lock, UDP and RTP.

The station runs its control server on the real port 65001 (hdhomerun_config knows no other) and
listens for keep-alives on UDP 5004; the fixed-port lock keeps runs apart. Streams come from the
fake stream service (test-signal TS) here; ``test_udp_runtime.py`` streams a real channel.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from retrovue.app import RunningStation, run_station
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.hdhr.control import TARGET_NOT_CLIENT
from retrovue.hdhr.datagrams import DATAGRAM_BYTES, RTP_HEADER_BYTES
from retrovue.testing.tscheck import check_ts
from tests.hdhr.conftest import station_config
from tests.hdhr.fakes import FakeStreamService
from tests.hdhr.test_real_clients import needs_hdhomerun_config, run_tool

pytestmark = [pytest.mark.usefixtures("fixed_ports"), needs_hdhomerun_config]


@asynccontextmanager
async def tuner(
    database: Database, streams: FakeStreamService, **changes: object
) -> AsyncIterator[RunningStation]:
    config = station_config(enable_udp=True, **changes)
    async with run_station(
        config, database=database, clock=SystemClock(), stream_service=streams
    ) as running:
        yield running


async def hdhr(*args: str) -> str:
    """One hdhomerun_config run against the station; its output, stripped."""
    code, out = await run_tool("hdhomerun_config", "127.0.0.1", *args)
    assert code in (0, 1), out  # 1: a get or set answered with an error message
    return out.strip()


async def stream_to(port: int, channel: str = "auto:2", protocol: str = "udp") -> None:
    """Tune tuner0 and aim it at ``port`` on loopback, as a client does; both sets succeed."""
    assert await hdhr("set", "/tuner0/channel", channel) == ""
    assert await hdhr("set", "/tuner0/target", f"{protocol}://127.0.0.1:{port}") == ""


def receiver(host: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, 0))
    sock.settimeout(5.0)
    return sock


async def receive(sock: socket.socket, count: int) -> list[bytes]:
    def read() -> list[bytes]:
        return [sock.recv(65536) for _ in range(count)]

    return await asyncio.to_thread(read)


async def wait_until(condition: object, timeout_s: float = 5.0) -> None:
    assert callable(condition)
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.02)


async def test_udp_target_streams_whole_datagrams_of_a_valid_ts_and_target_none_frees_the_slot(
    channels_db: Database, streams: FakeStreamService
) -> None:
    async with tuner(channels_db, streams) as station:
        with receiver() as sock:
            port = sock.getsockname()[1]
            await stream_to(port)
            datagrams = await receive(sock, 60)
            assert {len(d) for d in datagrams} == {DATAGRAM_BYTES}
            report = check_ts(b"".join(datagrams))
            assert report.errors == []
            assert report.pmt_pid is not None
            status = await hdhr("get", "/tuner0/status")
            assert status.startswith("ch=auto:2 lock=qam256 ss=100 snq=100 seq=100 bps=")
            fields = dict(part.split("=", 1) for part in status.split())
            assert int(fields["bps"]) > 0
            assert int(fields["pps"]) > 0
            assert await hdhr("get", "/tuner0/target") == f"udp://127.0.0.1:{port}"
            assert await hdhr("get", "/tuner0/streaminfo") == "1: 2 RetroVue Two\ntsid=0x0002"
            assert station.state.tuners.busy_count() == 1
            async with aiohttp.ClientSession() as client:
                url = f"http://127.0.0.1:{station.api_port}/status.json"
                async with client.get(url) as resp:
                    tuner0 = (await resp.json())[0]
            assert tuner0 == {
                "Resource": "tuner0", "VctNumber": "2", "VctName": "RetroVue Two",
                "TargetIP": "127.0.0.1",
            }  # fmt: skip
            assert await hdhr("set", "/tuner0/target", "none") == ""
            assert station.state.tuners.busy_count() == 0
            assert streams.sessions[-1].closed
            assert (await hdhr("get", "/tuner0/status")).endswith("bps=0 pps=0")


async def test_rtp_target_gets_rtp_headers_with_consecutive_sequence_numbers(
    channels_db: Database, streams: FakeStreamService
) -> None:
    async with tuner(channels_db, streams):
        with receiver() as sock:
            port = sock.getsockname()[1]
            await hdhr("set", "/tuner0/vchannel", "4.1")
            assert await hdhr("get", "/tuner0/channel") == "auto:4.1"
            await hdhr("set", "/tuner0/target", f"rtp://127.0.0.1:{port}")
            datagrams = await receive(sock, 40)
            await hdhr("set", "/tuner0/target", "none")
    assert {len(d) for d in datagrams} == {DATAGRAM_BYTES + RTP_HEADER_BYTES}
    headers = [struct.unpack(">BBHII", d[:RTP_HEADER_BYTES]) for d in datagrams]
    assert {(h[0], h[1]) for h in headers} == {(0x80, 33)}  # version 2, MPEG-2 TS
    sequences = [h[2] for h in headers]
    assert sequences == [(sequences[0] + i) & 0xFFFF for i in range(len(sequences))]
    steps = [(b[3] - a[3]) & 0xFFFFFFFF for a, b in itertools.pairwise(headers)]
    assert all(step < 90_000 for step in steps)  # 90 kHz, forward (modulo the 32-bit wrap)
    assert sum(steps) > 0
    assert len({h[4] for h in headers}) == 1  # one SSRC
    assert check_ts(b"".join(d[RTP_HEADER_BYTES:] for d in datagrams)).errors == []


async def test_a_lock_refuses_other_keys_shows_its_owner_and_holds_the_slot(
    channels_db: Database, streams: FakeStreamService
) -> None:
    async with tuner(channels_db, streams) as station:
        assert await hdhr("set", "/tuner0/lockkey", "1111") == ""
        assert await hdhr("get", "/tuner0/lockkey") == "127.0.0.1"
        assert station.state.tuners.busy_count() == 1
        refused = "ERROR: resource locked by 127.0.0.1"
        assert await hdhr("key", "2222", "set", "/tuner0/channel", "auto:2") == refused
        assert await hdhr("set", "/tuner0/channel", "auto:2") == refused  # no key at all
        assert await hdhr("key", "2222", "set", "/tuner0/lockkey", "2222") == refused
        assert await hdhr("key", "2222", "set", "/tuner0/lockkey", "none") == refused
        assert await hdhr("key", "1111", "set", "/tuner0/channel", "auto:2") == ""
        async with aiohttp.ClientSession() as client:
            base = f"http://127.0.0.1:{station.stream_port}"
            async with client.get(f"{base}/tuner0/v2") as resp:
                assert resp.headers["X-HDHomeRun-Error"] == "804 Tuner In Use"
            first = await client.get(f"{base}/auto/v10")  # takes tuner1, the last free one
            async with client.get(f"{base}/auto/v2") as resp:
                assert resp.headers["X-HDHomeRun-Error"] == "805 All Tuners In Use"
            # the HTTP stream holds tuner1 like a lock, shown as its client's address
            assert await hdhr("set", "/tuner1/channel", "auto:2") == refused
            first.close()
        assert await hdhr("key", "1111", "set", "/tuner0/lockkey", "none") == ""
        await wait_until(lambda: station.state.tuners.busy_count() == 0)
        assert await hdhr("get", "/tuner0/lockkey") == "none"
        assert await hdhr("get", "/tuner0/channel") == "none"  # a release untunes
        await hdhr("set", "/tuner0/lockkey", "5555")
        assert await hdhr("set", "/tuner0/lockkey", "force") == ""  # whoever asks, no key
        assert await hdhr("get", "/tuner0/lockkey") == "none"
        assert station.state.tuners.busy_count() == 0


async def test_a_silent_client_loses_its_stream_and_its_slot(
    channels_db: Database, streams: FakeStreamService
) -> None:
    async with tuner(channels_db, streams, control_timeout_s=1.5) as station:
        with receiver() as sock:  # receives, but sends no keep-alive and no control request
            port = sock.getsockname()[1]
            await stream_to(port, "auto:10")
            await receive(sock, 5)
            assert station.state.tuners.busy_count() == 1
            await wait_until(lambda: station.state.tuners.busy_count() == 0)
            assert streams.sessions[-1].closed
            assert await hdhr("get", "/tuner0/target") == "none"


async def test_keep_alives_keep_a_stream_past_the_timeout(
    channels_db: Database, streams: FakeStreamService
) -> None:
    async with tuner(channels_db, streams, control_timeout_s=1.0) as station:
        with receiver() as sock:
            port = sock.getsockname()[1]
            await hdhr("key", "77", "set", "/tuner0/lockkey", "77")
            await hdhr("key", "77", "set", "/tuner0/channel", "auto:2")
            await hdhr("key", "77", "set", "/tuner0/target", f"udp://127.0.0.1:{port}")
            for _ in range(8):  # 1.6 s, past the 1 s timeout: a keep-alive every 0.2 s
                sock.sendto(struct.pack(">I", 77), ("127.0.0.1", 5004))
                await asyncio.sleep(0.2)
            assert station.state.tuners.busy_count() == 1
            assert len(await receive(sock, 5)) == 5
            sock.sendto(struct.pack(">I", 78), ("127.0.0.1", 5004))  # a wrong key: not ours
            await wait_until(lambda: station.state.tuners.busy_count() == 0)


async def test_a_new_channel_leaves_the_old_channels_fan_out(
    channels_db: Database, streams: FakeStreamService
) -> None:
    async with tuner(channels_db, streams) as station:
        with receiver() as sock:
            port = sock.getsockname()[1]
            await stream_to(port)
            await receive(sock, 3)
            await hdhr("set", "/tuner0/channel", "auto:10")
            assert [(s.channel_number, s.closed) for s in streams.sessions] == [
                ("2", True), ("10", False),
            ]  # fmt: skip
            assert station.state.tuners.states()[0].use is not None
            assert station.state.tuners.states()[0].use.channel_number == "10"  # type: ignore[union-attr]
            await hdhr("set", "/tuner0/channel", "none")
            assert station.state.tuners.busy_count() == 0
            assert streams.open_count() == 0


async def test_a_target_elsewhere_is_refused_unless_the_setting_allows_it(
    channels_db: Database, streams: FakeStreamService
) -> None:
    with receiver("127.0.0.2") as sock:
        port = sock.getsockname()[1]
        elsewhere = f"udp://127.0.0.2:{port}"
        async with tuner(channels_db, streams) as station:
            await hdhr("set", "/tuner0/channel", "auto:2")
            assert await hdhr("set", "/tuner0/target", elsewhere) == TARGET_NOT_CLIENT
            assert station.state.tuners.busy_count() == 0
        async with tuner(channels_db, streams, target_any_address=True):
            await hdhr("set", "/tuner0/channel", "auto:2")
            assert await hdhr("set", "/tuner0/target", elsewhere) == ""
            assert len(await receive(sock, 3)) == 3


MALFORMED = [
    ("channel", "bogus", "ERROR: invalid channel"),
    ("channel", "auto:999999999999", "ERROR: invalid channel"),
    ("channel", "auto:5000000", "ERROR: invalid channel"),  # no cable channel at 5 MHz
    ("target", "udp://1.2.3:99999", "ERROR: invalid target"),
    ("target", "http://127.0.0.1:5000", "ERROR: invalid target"),
    ("lockkey", "-1", "ERROR: invalid lockkey"),
    ("program", "x", "ERROR: invalid program"),
    ("filter", "0xzz", "ERROR: invalid filter"),
    ("filter", "0x0100-0x0001", "ERROR: invalid filter"),
    ("channelmap", "eu-bcast", "ERROR: invalid channelmap"),
    ("vchannel", "99", "ERROR: invalid channel"),
    ("status", "x", "ERROR: read-only variable"),
]


async def test_malformed_sets_answer_an_error_and_the_server_goes_on(
    channels_db: Database, streams: FakeStreamService
) -> None:
    async with tuner(channels_db, streams) as station:
        for name, value, error in MALFORMED:
            assert await hdhr("set", f"/tuner0/{name}", value) == error, (name, value)
            assert await hdhr("get", f"/tuner0/{name}") != error
        assert await hdhr("get", "/sys/model") == "hdhomerun5_atsc"
        assert station.state.tuners.busy_count() == 0
        features = await hdhr("get", "/sys/features")
        assert features.splitlines() == [
            "channelmap: us-cable", "modulation: 8vsb qam256 qam64",
            "auto-modulation: auto auto6t auto6c qam",
        ]  # fmt: skip
        listed = await hdhr("get", "help")
        for name in ("channel", "vchannel", "program", "filter", "target", "lockkey", "status",
                     "vstatus", "streaminfo", "debug", "channelmap"):  # fmt: skip
            assert f"/tuner<n>/{name}" in listed


async def test_a_target_where_nothing_listens_ends_the_stream_like_a_real_unit(
    channels_db: Database, streams: FakeStreamService
) -> None:
    with receiver() as sock:
        port = sock.getsockname()[1]  # closed below: the host answers "port unreachable"
    async with tuner(channels_db, streams) as station:
        await stream_to(port)
        await wait_until(lambda: station.state.tuners.busy_count() == 0)
        assert await hdhr("get", "/tuner0/target") == "none"
        assert await hdhr("get", "/tuner0/channel") == "auto:2"  # still tuned
        assert streams.sessions[-1].closed
