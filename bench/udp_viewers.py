"""Benchmark: the station's CPU per viewer streaming over UDP or RTP, beside HTTP as the reference.

The station runs in this process on 127.0.0.1 with the built-in test signal at ``--mbps`` (a
steady TS source that costs no encoding, the same for every way out). For each way out,
``--viewers`` viewers tune one channel each: HTTP viewers are ``curl`` processes reading
``/auto/v2`` to /dev/null; UDP and RTP viewers are sockets in a child process that drains
them, aimed at by ``set /tunerN/channel`` and ``set /tunerN/target`` over TCP 65001 (the
control protocol as libhdhomerun speaks it). The receivers are not counted; this process's CPU
seconds (all threads) over ``--window-s`` after ``--settle-s`` are, with the bytes received.
Rounds alternate HTTP, UDP, RTP so machine noise hits all alike.

    /work/venv/bin/python bench/udp_viewers.py [--viewers 8] [--mbps 8] [--window-s 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from retrovue.app import StationConfig, run_station
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel
from retrovue.hdhr import packets as p
from retrovue.testing.databases import create_schema_fast
from retrovue.testing.signal_service import TestSignalService

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DRAIN = """
import select, socket, sys, time
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks), flush=True)
total = 0
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    ready, _, _ = select.select(socks, [], [], 0.2)
    for s in ready:
        try:
            while True:
                total += len(s.recv(2048))
        except BlockingIOError:
            pass
print(total, flush=True)
"""


def seed(folder: Path) -> Database:
    database = Database(f"sqlite:///{folder / 'bench.db'}")
    create_schema_fast(database)
    with database.transaction() as session:
        session.add(Channel(number="2", name="Two", timezone="UTC", profile="720p", enabled=True,
                            created_utc=NOW, updated_utc=NOW))  # fmt: skip
    return database


def cpu_s() -> float:
    times = os.times()
    return times.user + times.system


async def control(port: int, name: str, value: str) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(p.build_getset_request(p.GetSetRequest(name, value)))
    header = await reader.readexactly(4)
    reply = p.parse_getset_reply(header + await reader.readexactly(p.frame_size(header) - 4))
    writer.close()
    assert reply is not None
    assert reply.error is None, reply


async def measured(window_s: float, settle_s: float) -> float:
    await asyncio.sleep(settle_s)
    start = cpu_s()
    await asyncio.sleep(window_s)
    return (cpu_s() - start) / window_s


async def run_http(
    stream_port: int, viewers: int, window_s: float, settle_s: float
) -> tuple[float, int]:
    url = f"http://127.0.0.1:{stream_port}/auto/v2"
    argv = ["curl", "-s", "-o", "/dev/null", "-w", "%{size_download}", "--max-time"]
    argv += [str(window_s + settle_s), url]
    curls = [
        await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE)
        for _ in range(viewers)
    ]
    load = await measured(window_s, settle_s)
    outputs = [(await curl.communicate())[0] for curl in curls]
    return load, sum(int(float(out.decode() or 0)) for out in outputs)


async def run_udp(
    control_port: int, protocol: str, viewers: int, window_s: float, settle_s: float
) -> tuple[float, int]:
    drain = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DRAIN, str(viewers), str(window_s + settle_s + 1),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert drain.stdout is not None
    ports = (await drain.stdout.readline()).split()
    for index, port in enumerate(ports):
        await control(control_port, f"/tuner{index}/channel", "auto:2")
        await control(control_port, f"/tuner{index}/target", f"{protocol}://127.0.0.1:{int(port)}")
    load = await measured(window_s, settle_s)
    for index in range(viewers):
        await control(control_port, f"/tuner{index}/target", "none")
    received = int(await drain.stdout.readline())
    await drain.wait()
    return load, received


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--viewers", type=int, default=8)
    parser.add_argument("--mbps", type=float, default=8.0)
    parser.add_argument("--window-s", type=float, default=10.0)
    parser.add_argument("--settle-s", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as folder:
        database = seed(Path(folder))
        config = StationConfig(
            bind_host="127.0.0.1", advertise_host="127.0.0.1", stream_port=0, api_port=0,
            tuner_count=args.viewers, enable_udp=True, control_port=0, keepalive_port=0,
            enable_ssdp=False, enable_mdns=False, control_timeout_s=3600.0,
        )  # fmt: skip
        streams = TestSignalService(clock, bitrate_bps=int(args.mbps * 1e6))
        async with run_station(
            config, database=database, clock=clock, stream_service=streams
        ) as station:
            assert station.control_port is not None
            loads: dict[str, list[float]] = {"http": [], "udp": [], "rtp": []}
            for round_index in range(args.rounds):
                for way, values in loads.items():
                    if way == "http":
                        load, got = await run_http(
                            station.stream_port, args.viewers, args.window_s, args.settle_s
                        )
                    else:
                        load, got = await run_udp(
                            station.control_port, way, args.viewers, args.window_s, args.settle_s
                        )
                    values.append(load)
                    mbps = got * 8 / (args.window_s + args.settle_s) / 1e6 / args.viewers
                    print(f"round {round_index + 1} {way:4s}: {load:.3f} CPU-s/s for "
                          f"{args.viewers} viewers, ~{mbps:.1f} Mbit/s each received",
                          flush=True)  # fmt: skip
            for way, values in loads.items():
                mean = sum(values) / len(values)
                per_viewer_ms = mean / args.viewers * 1000
                print(f"mean {way:4s}: {mean:.3f} CPU-s/s, {per_viewer_ms:.1f} ms CPU per "
                      f"viewer-second at {args.mbps:g} Mbit/s")  # fmt: skip
        database.dispose()


if __name__ == "__main__":
    asyncio.run(main())
