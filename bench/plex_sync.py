"""Benchmark: read and sync a generated Plex library from the fake Plex server (real plexapi, HTTP).

Side by side in one run, on the same server and library:
  * RetroVue's read (listings, then full metadata in batches of 50 rating keys per request),
  * the reference: plexapi's straightforward way (each show's episodes, then ``reload()`` per item
    to get chapters and markers: one request per item),
  * a full ``source sync`` into SQLite (read + probe stand-in + one transaction per item), and a
    second sync where nothing changed.

    /work/venv/bin/python bench/plex_sync.py [--shows 20] [--seasons 5] [--episodes 20]
        [--movies 200]   (one command line)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from plexapi.server import PlexServer

from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.clock import SystemClock
from retrovue.library.ingest import sync_source
from retrovue.library.plex import PlexSettings, read_videos
from retrovue.library.plex_sources import add_plex_source
from retrovue.testing.databases import sqlite_database
from retrovue.testing.fake_plex import FakePlex, FakePlexServer
from retrovue.testing.fake_plex_xml import load_fixture

TOKEN = "bench-token"


def _fixture(shows: int, seasons: int, episodes: int, movies: int) -> dict[str, Any]:
    data = load_fixture()
    tv, films = data["sections"][0], data["sections"][1]
    template_ep = tv["items"][0]["seasons"][1]["episodes"][0]
    key = 10_000
    tv["items"] = []
    for s in range(shows):
        key += 1
        show: dict[str, Any] = {**tv_show_fields(s), "ratingKey": key, "seasons": []}
        for n in range(1, seasons + 1):
            key += 1
            season: dict[str, Any] = {"ratingKey": key, "index": n, "episodes": []}
            for e in range(1, episodes + 1):
                key += 1
                path = f"/data/tv/Show {s}/Season {n:02d}/Show {s} - S{n:02d}E{e:02d}.mkv"
                season["episodes"].append(
                    {**template_ep, "ratingKey": key, "index": e, "title": f"Ep {e}", "file": path}
                )
            show["seasons"].append(season)
        tv["items"].append(show)
    template_movie = films["items"][0]
    films["items"] = []
    for m in range(movies):
        key += 1
        media = [{**template_movie["media"][0], "parts": [
            {"id": key * 10, "file": f"/data/movies/Film {m}.mkv", "size": 1, "duration": 5_400_000}
        ]}]  # fmt: skip
        films["items"].append(
            {**template_movie, "ratingKey": key, "title": f"Film {m}", "media": media}
        )
    return data


def tv_show_fields(n: int) -> dict[str, Any]:
    return {"title": f"Show {n}", "year": 1990 + n % 30, "genres": ["Drama"], "summary": "x"}


def _reference_read(url: str) -> int:
    session = requests.Session()
    try:
        plex = PlexServer(url, TOKEN, session=session, timeout=30)
        count = 0
        for section in plex.library.sections():
            if section.type == "show":
                items = [e for show in section.all() for e in show.episodes()]
            elif section.type == "movie":
                items = section.all()
            else:
                continue
            for item in items:
                item.reload()
                _ = (item.chapters, item.markers, item.media[0].parts[0].streams)
                count += 1
        return count
    finally:
        session.close()


def _timed(label: str, fn: Any, server: FakePlexServer) -> float:
    before = len(server.plex.requests)
    start = time.perf_counter()
    count = fn()
    elapsed = time.perf_counter() - start
    requests_made = len(server.plex.requests) - before
    print(
        f"{label:<34} {count:>6} items  {elapsed:7.2f} s  {count / elapsed:8.0f} items/s  "
        f"{requests_made:>6} requests"
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shows", type=int, default=20)
    parser.add_argument("--seasons", type=int, default=5)
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--movies", type=int, default=200)
    args = parser.parse_args()
    fixture = _fixture(args.shows, args.seasons, args.episodes, args.movies)
    with FakePlexServer(FakePlex(fixture, token=TOKEN)) as server:
        settings = PlexSettings(server.url, TOKEN, (), 30.0)
        ours = _timed("retrovue read (batched details)", lambda: len(read_videos(settings)), server)
        ref = _timed("reference (reload per item)", lambda: _reference_read(server.url), server)
        print(f"speed-up of the read: {ref / ours:.1f}x")
        with tempfile.TemporaryDirectory() as tmp, sqlite_database(Path(tmp)) as db:
            clock = SystemClock()
            add_plex_source(
                db,
                clock,
                name="bench",
                url=server.url,
                token=TOKEN,
                mappings=["/data=/nonexistent"],
            )

            def sync() -> int:
                summary = sync_source(
                    db, clock, "bench", on_assets_removed=invalidate_library_assets
                )
                return summary.total

            _timed("full sync into SQLite (first)", sync, server)
            _timed("full sync into SQLite (unchanged)", sync, server)


if __name__ == "__main__":
    main()
