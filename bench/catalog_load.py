"""Benchmark: the scheduler's catalog load over 20,000 assets, with and without break points.

Runs on SQLite, and on PostgreSQL when RETROVUE_TEST_DATABASE_URL is set, and prints side by side
the median wall and CPU time of ``store.load_catalog`` when no asset has break points (``breaks =
{}``, the reference) and when every programme has them (four points, two ranges never cut), the
two databases loaded in turn.

    /work/venv/bin/python bench/catalog_load.py [--assets 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update

from retrovue.db import Database
from retrovue.db.models import CatalogAsset
from retrovue.scheduler.store import load_catalog
from retrovue.testing.databases import postgres_base_url, postgres_database, sqlite_database

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BREAKS = {
    "points_ms": [420_000, 840_000, 1_260_000, 1_680_000],
    "avoid_ms": [[30_000, 90_000], [2_520_000, 2_640_000]],
    "source": "chapters",
}


def _rows(count: int) -> list[dict[str, Any]]:
    return [
        {
            "kind": "filler" if n % 4 == 0 else "episode",
            "guide_title": f"Series {n % 200}",
            "series_title": None if n % 4 == 0 else f"Series {n % 200}",
            "season": 1,
            "episode": n,
            "episode_title": f"Episode {n}",
            "tags": ["comedy"],
            "genres": ["Drama"],
            "duration_ms": 2_640_000,
            "file_path": f"/media/{n}.mkv",
            "canonical": True,
            "available": True,
            "created_utc": NOW,
            "updated_utc": NOW,
            "media_info": {},
        }
        for n in range(count)
    ]


def _load(database: Database) -> tuple[float, float, int]:
    """One load: wall seconds, CPU seconds of this process, break points seen."""
    wall, cpu = time.perf_counter(), time.process_time()
    with database.transaction() as session:
        catalog = load_catalog(session)
    points = sum(len(item.break_points_ms) for item in catalog.items)
    return time.perf_counter() - wall, time.process_time() - cpu, points


def _fill(database: Database, assets: int, breaks: bool) -> None:
    with database.transaction() as session:
        session.execute(insert(CatalogAsset), _rows(assets))
        if breaks:
            session.execute(
                update(CatalogAsset).where(CatalogAsset.kind == "episode").values(breaks=BREAKS)
            )


def run(plain: Database, with_breaks: Database, name: str, assets: int, rounds: int) -> str:
    """Loads alternate between the two databases, so machine load hits both alike."""
    _fill(plain, assets, False)
    _fill(with_breaks, assets, True)
    results: dict[bool, list[tuple[float, float, int]]] = {False: [], True: []}
    for _ in range(rounds):
        for breaks, database in ((False, plain), (True, with_breaks)):
            results[breaks].append(_load(database))
    assert {r[2] for r in results[False]} == {0}
    assert {r[2] for r in results[True]} == {4 * (assets - (assets + 3) // 4)}
    wall = {k: statistics.median(r[0] for r in v) for k, v in results.items()}
    cpu = {k: statistics.median(r[1] for r in v) for k, v in results.items()}
    return (
        f"{name:<11} {assets:>7} {wall[False] * 1000:>8.0f} {wall[True] * 1000:>8.0f}"
        f" {cpu[False] * 1000:>8.0f} {cpu[True] * 1000:>8.0f}"
        f" {(cpu[True] / cpu[False] - 1) * 100:>+9.0f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    lines = []
    with (
        tempfile.TemporaryDirectory() as one,
        tempfile.TemporaryDirectory() as two,
        sqlite_database(Path(one)) as plain,
        sqlite_database(Path(two)) as with_breaks,
    ):
        lines.append(run(plain, with_breaks, "sqlite", args.assets, args.rounds))
    base = postgres_base_url()
    if base is not None:
        with postgres_database(base) as plain, postgres_database(base) as with_breaks:
            lines.append(run(plain, with_breaks, "postgresql", args.assets, args.rounds))
    print("median ms of load_catalog; reference: no asset has break points")
    print(
        f"{'backend':<11} {'assets':>7} {'wall ref':>8} {'wall':>8} {'cpu ref':>8} {'cpu':>8}"
        f" {'cpu cost':>11}"
    )
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
