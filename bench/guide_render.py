"""Guide benchmark: 100 channels x 14 days (plus the past day), cold render and cached responses.

    /work/venv/bin/python bench/guide_render.py [--channels 100] [--days 14] [--db FILE]
                                               [--database-url postgresql://...]

Seeds a realistic station (programmes on a 30/60/120-minute grid, each slot padded with several
short fillers: about 370 playlog rows per channel-day) unless the database already holds it,
then prints, side by side with references measured in the same run:

- cold: change stamp, database read, entries, XMLTV serialization, whole rebuild, gzip;
- reference: a naive XMLTV build (every airing built element by element), and lxml parsing
  the same document (a yardstick for this machine);
- cached: the service call (stamp query + cache hit), and HTTP on 127.0.0.1 through aiohttp:
  ``If-None-Match`` -> 304, and a full cached gzip 200.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from lxml import etree
from sqlalchemy import func, select

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel
from retrovue.guide import store
from retrovue.guide.entries import build_entries
from retrovue.guide.service import GuideService
from retrovue.guide.xmltv import channel_element, programme_element, render_xmltv, xmltv_time
from retrovue.hdhr.guide_routes import add_guide_routes
from retrovue.testing.databases import create_schema_fast
from retrovue.testing.guide_station import seed_station

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BASE = "http://127.0.0.1:5004"


@dataclass
class Timing:
    """Median wall and CPU seconds (CPU says more than the wall clock on a shared machine)."""

    wall_s: float
    cpu_s: float | None = None
    result: Any = None


def timed(fn: Callable[[], Any], repeat: int) -> Timing:
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return Timing(statistics.median(walls), statistics.median(cpus), result)


def naive_xmltv(snapshot: Any, entries: list[Any]) -> bytes:
    """Reference: one element tree, every airing built element by element."""
    root = etree.Element("tv")
    for channel in snapshot.channels:
        root.append(channel_element(channel, None))
    for entry in entries:
        element = programme_element(entry.programme)
        element.set("start", xmltv_time(entry.start_utc))
        element.set("stop", xmltv_time(entry.stop_utc))
        element.set("channel", entry.channel_xmltv_id)
        root.append(element)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def ensure_station(database: Database, channels: int, days: int) -> None:
    with database.transaction() as session:
        have = session.scalar(select(func.count()).select_from(Channel)) or 0
    if have:
        print(f"station: reusing {have} channels")
        return
    start = time.perf_counter()
    summary = seed_station(
        database,
        NOW - timedelta(days=1, hours=12),
        channels=channels,
        hours=24 * (days + 2),
        series=40,
        episodes=20,
        movies=60,
    )
    took = time.perf_counter() - start
    print(f"station: seeded {len(summary.channel_ids)} channels, {summary.events} playlog rows "
          f"in {took:.1f} s")  # fmt: skip


async def http_times(guide: GuideService, repeat: int) -> tuple[Timing, Timing, int]:
    app = web.Application()
    add_guide_routes(app, guide, BASE)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/xmltv.xml"
    try:
        async with aiohttp.ClientSession(auto_decompress=False) as session:
            headers = {"Accept-Encoding": "gzip"}
            async with session.get(url, headers=headers) as first:
                etag = first.headers["ETag"]
                size = len(await first.read())
            not_modified, full = [], []
            for _ in range(repeat):
                start = time.perf_counter()
                async with session.get(url, headers={**headers, "If-None-Match": etag}) as r:
                    await r.read()
                    assert r.status == 304
                not_modified.append(time.perf_counter() - start)
                start = time.perf_counter()
                async with session.get(url, headers=headers) as r:
                    await r.read()
                    assert r.status == 200
                full.append(time.perf_counter() - start)
    finally:
        await runner.cleanup()
    return _wall(not_modified), _wall(full), size


def _wall(samples: list[float]) -> Timing:
    return Timing(statistics.median(samples))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--db", type=Path, help="SQLite file to create or reuse")
    parser.add_argument("--database-url", help="PostgreSQL URL (a schema must be empty or seeded)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.database_url:
        url = args.database_url
    else:
        path = args.db or Path(tempfile.mkdtemp(prefix="rv-guide-bench-")) / "bench.db"
        url = f"sqlite:///{path}"
    database = Database(url)
    from sqlalchemy import inspect

    if not inspect(database.engine).has_table("broadcast_channel"):
        create_schema_fast(database)
    ensure_station(database, args.channels, args.days)
    print(f"database: {database.dialect}; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    clock = FakeClock(NOW)
    guide = GuideService(database, clock, days=args.days)
    start_utc, end_utc = guide.window()
    n = args.repeat

    stamp = timed(lambda: store.change_stamp(database), 20)
    deep = timed(lambda: store.deep_stamp(database), n)
    read = timed(lambda: store.read_snapshot(database, start_utc, end_utc), n)
    snapshot = read.result
    build = timed(lambda: build_entries(snapshot), n)
    entries = build.result
    xml = timed(lambda: render_xmltv(snapshot.channels, entries), n)
    body = xml.result

    def cold() -> Any:
        guide.invalidate()
        return guide.xmltv(BASE)

    whole = timed(cold, n)
    packed = timed(lambda: gzip.compress(whole.result.body, 6, mtime=0), n)
    naive = timed(lambda: naive_xmltv(snapshot, entries), n)
    parse = timed(lambda: etree.fromstring(body), n)
    guide.xmltv(BASE)
    cached = timed(lambda: guide.xmltv(BASE), 200)
    not_modified, full, gz_size = asyncio.run(http_times(guide, 30))

    print(f"guide: {len(snapshot.channels)} channels, {len(entries)} programmes, "
          f"{len(snapshot.events)} events read, {len(body) / 1e6:.1f} MB XML, "
          f"{gz_size / 1e6:.2f} MB gzip")  # fmt: skip
    rows = [
        ("cold: change stamp query", stamp),
        ("deep stamp (at most once a minute)", deep),
        ("cold: database read (snapshot)", read),
        ("cold: entries from events", build),
        ("cold: XMLTV serialization", xml),
        ("cold: whole rebuild (service, invalidated)", whole),
        ("cold: gzip level 6 (once per version)", packed),
        ("reference: naive XMLTV build, same entries", naive),
        ("reference: lxml parses the same document", parse),
        ("cached: service call (stamp + hit)", cached),
        ("cached: HTTP 304 (If-None-Match), wall", not_modified),
        ("cached: HTTP 200 gzip (full body), wall", full),
    ]
    print(f"{'':46s} {'wall ms':>10s} {'CPU ms':>10s}")
    for label, timing in rows:
        cpu = f"{timing.cpu_s * 1000:10.1f}" if timing.cpu_s is not None else ""
        print(f"{label:46s} {timing.wall_s * 1000:10.1f} {cpu}")


if __name__ == "__main__":
    main()
