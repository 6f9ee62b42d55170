"""Benchmark: read and sync a generated Jellyfin library from the fake Jellyfin server over HTTP.

Side by side in one run, on the same server and library:
  * RetroVue's read (every field in the listing itself, 500 items per request),
  * the reference: the straightforward way (list the ids, then ``GET /Items/{id}`` for each item:
    one request per item),
  * a full ``source sync`` into SQLite (read + one transaction per item; files are not on this
    host, so the server's stream data stands in for the probe), and a second sync where nothing
    changed;
  then the process's peak memory.

    .venv/bin/python bench/jellyfin_sync.py [--items 20000] [--shows 100]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.clock import SystemClock
from retrovue.library.ingest import sync_source
from retrovue.library.jellyfin import read_videos
from retrovue.library.jellyfin_api import ServerClient, ServerSettings
from retrovue.library.jellyfin_items import read_video
from retrovue.library.jellyfin_sources import Credentials, add_server_source
from retrovue.testing.databases import sqlite_database
from retrovue.testing.fake_jellyfin import BackgroundServer, FakeJellyfin
from retrovue.testing.fake_jellyfin_data import large_library

KEY = "bench-key"


def _reference_read(settings: ServerSettings) -> int:
    """The ids of every video, then one request per item for its details."""
    count = 0
    with ServerClient(settings) as client:
        for library in client.get("/Library/VirtualFolders"):
            for page in client.pages(
                "/Items", ParentId=library["ItemId"], Recursive="true",
                IncludeItemTypes="Episode,Movie",
            ):  # fmt: skip
                for listed in page:
                    item = client.get(f"/Items/{listed['Id']}")
                    if read_video(item, {}, settings.url) is not None:
                        count += 1
    return count


def _timed(label: str, fn: Callable[[], int], server: BackgroundServer) -> float:
    before = len(server.app.requests)
    start = time.perf_counter()
    count = fn()
    elapsed = time.perf_counter() - start
    made = len(server.app.requests) - before
    print(
        f"{label:<34} {count:>6} items  {elapsed:7.2f} s  {count / elapsed:8.0f} items/s  "
        f"{made:>6} requests",
        flush=True,
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--shows", type=int, default=100)
    args = parser.parse_args()
    library = large_library(args.items, shows=args.shows)
    with BackgroundServer(FakeJellyfin(library, key=KEY)) as server:
        settings = ServerSettings("jellyfin", server.url, KEY, timeout_s=60.0)
        ours = _timed("retrovue read (paged listing)", lambda: len(read_videos(settings)), server)
        ref = _timed("reference (one request per item)", lambda: _reference_read(settings), server)
        print(f"speed-up of the read: {ref / ours:.1f}x")
        with tempfile.TemporaryDirectory() as tmp, sqlite_database(Path(tmp)) as db:
            clock = SystemClock()
            add_server_source(
                db, clock, kind="jellyfin", name="bench", url=server.url,
                credentials=Credentials(api_key=KEY), mappings=["/media=/nonexistent"],
                timeout_s=60.0,
            )  # fmt: skip

            def sync() -> int:
                return sync_source(
                    db, clock, "bench", on_assets_removed=invalidate_library_assets
                ).total

            _timed("full sync into SQLite (first)", sync, server)
            _timed("full sync into SQLite (unchanged)", sync, server)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process (server, client and database together): {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
