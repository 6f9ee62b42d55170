"""Benchmark: /discover.json and /lineup.json latency at 200 concurrent clients, two streams on.

The station runs in its own process (as in production) on 127.0.0.1 with a SQLite database of
``--channels`` enabled channels and the built-in test-signal StreamService; two clients read
streams the whole time. The load generator (this process) keeps ``--clients`` connections busy,
each sending ``--requests`` requests in a row per endpoint. The reference is a route served by
the same process that returns pre-encoded bytes of the same lineup (what aiohttp itself costs).

    /work/venv/bin/python bench/hdhr_latency.py [--clients 200] [--requests 25] [--channels 50]
        [--interval 1.0] [--stream-mbps 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web

from retrovue.app import StationConfig, run_station
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel
from retrovue.testing.databases import create_schema_fast
from retrovue.testing.signal_service import TestSignalService

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def seed(path: Path, channels: int) -> str:
    url = f"sqlite:///{path / 'bench.db'}"
    database = Database(url)
    create_schema_fast(database)
    with database.transaction() as session:
        for n in range(channels):
            session.add(
                Channel(number=str(n + 2), name=f"Channel {n + 2}", timezone="UTC",
                        profile="720p", enabled=n % 10 != 9, created_utc=NOW, updated_utc=NOW)
            )  # fmt: skip
    database.dispose()
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_main(
    url: str, stream_port: int, api_port: int, mbps: float, clients: int, ready: object,
    stop: object,
) -> None:  # fmt: skip
    async def main() -> None:
        database = Database(url)
        reference: dict[str, bytes] = {}

        async def reference_handler(_request: web.Request) -> web.Response:
            return web.Response(body=reference["body"], content_type="application/json")

        def register(app: web.Application, _device: object) -> None:
            app.router.add_get("/reference.json", reference_handler)

        config = StationConfig(
            bind_host="127.0.0.1", advertise_host="127.0.0.1", stream_port=stream_port,
            api_port=api_port, tuner_count=4, enable_udp=False, enable_ssdp=False,
            enable_mdns=False, per_client_max=clients + 16,  # the DVRs share 127.0.0.1 here
        )  # fmt: skip
        clock = SystemClock()
        streams = TestSignalService(clock, bitrate_bps=int(mbps * 1e6))
        async with run_station(
            config, database=database, clock=clock, stream_service=streams,
            route_registrars=[register],
        ) as station:  # fmt: skip
            from retrovue.hdhr.documents import lineup_json

            lineup = lineup_json(station.device, await station.state.lineup.get())
            reference["body"] = json.dumps(lineup).encode()
            ready.set()  # type: ignore[attr-defined]
            while not stop.is_set():  # type: ignore[attr-defined]
                await asyncio.sleep(0.1)
        database.dispose()

    asyncio.run(main())


async def stream_reader(url: str, counter: list[int], stop: asyncio.Event) -> None:
    async with aiohttp.ClientSession() as client, client.get(url) as resp:
        assert resp.status == 200, resp.status
        while not stop.is_set():
            chunk = await resp.content.read(65536)
            if not chunk:
                break
            counter[0] += len(chunk)


async def load(
    url: str, clients: int, requests: int, interval_s: float
) -> tuple[list[float], float]:
    """Each client sends ``requests`` requests, one every ``interval_s`` (0: back to back)."""
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one_client(offset_s: float, count: int = requests) -> None:
            await asyncio.sleep(offset_s)
            next_s = time.perf_counter()
            for _ in range(count):
                started = time.perf_counter()
                async with session.get(url) as resp:
                    await resp.read()
                    assert resp.status == 200
                latencies.append(time.perf_counter() - started)
                next_s += interval_s
                await asyncio.sleep(max(0.0, next_s - time.perf_counter()))

        await asyncio.gather(*(one_client(0, 1) for _ in range(clients)))  # open the connections
        latencies.clear()
        started = time.perf_counter()
        await asyncio.gather(*(one_client(i * interval_s / clients) for i in range(clients)))
        return latencies, time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(
    api_port: int, stream_port: int, clients: int, requests: int, interval_s: float
) -> None:
    base = f"http://127.0.0.1:{api_port}"
    stop = asyncio.Event()
    counters = [[0], [0]]
    readers = [
        asyncio.create_task(stream_reader(f"http://127.0.0.1:{stream_port}/auto/v{n}", c, stop))
        for n, c in zip((2, 3), counters, strict=True)
    ]
    await asyncio.sleep(0.5)
    for label, pace_s in ((f"paced: each client every {interval_s} s", interval_s),
                          ("saturated: back to back", 0.0)):  # fmt: skip
        print(f"-- {label}")
        print(f"{'endpoint':<18}{'requests':>9}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'req/s':>7}")
        for path in ("/discover.json", "/lineup.json", "/reference.json"):
            lat, wall_s = await load(base + path, clients, requests, pace_s)
            print(
                f"{path:<18}{len(lat):>9}{pct(lat, 0.5):>8.1f}{pct(lat, 0.99):>8.1f}"
                f"{max(lat) * 1000:>8.1f}{len(lat) / wall_s:>7.0f}"
            )
    stop.set()
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    print(f"streams alive throughout: {[c[0] // 1024 for c in counters]} KiB read")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--interval", type=float, default=1.0, help="paced run: seconds")
    parser.add_argument("--stream-mbps", type=float, default=4.0, help="test-signal bitrate")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        url = seed(Path(folder), args.channels)
        stream_port, api_port = free_port(), free_port()
        ready, stop = ctx.Event(), ctx.Event()
        server_args = (url, stream_port, api_port, args.stream_mbps, args.clients, ready, stop)
        server = ctx.Process(target=server_main, args=server_args)
        server.start()
        try:
            if not ready.wait(60):
                raise SystemExit("station did not start")
            print(
                f"{args.clients} concurrent clients x {args.requests} requests, {args.channels} "
                f"channels, 2 streams of {args.stream_mbps} Mbit/s running"
            )
            asyncio.run(run(api_port, stream_port, args.clients, args.requests, args.interval))
        finally:
            stop.set()
            server.join(10)


if __name__ == "__main__":
    main()
