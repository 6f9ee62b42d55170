"""Benchmark: build a 14-day horizon for 100 channels over 20,000 generated catalog rows.

Runs on SQLite, and on PostgreSQL when RETROVUE_TEST_DATABASE_URL is set, and prints side by side:
the full build (load, build, one transaction per channel-day), a second pass (idempotent: nothing to
build), and the pure builder alone on the same inputs (the reference: what the database adds).

    /work/venv/bin/python bench/schedule_build.py [--channels 100] [--days 14] [--assets 20000]
        [--breaks]

With ``--breaks`` each backend builds twice, without and with breaks in the grid-aligned series
blocks (computed points, promos as spots, bumpers out and in, an Up next card): the cost of
breaks, side by side.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from retrovue.broadcast.assignments import template_for_day
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models import (
    CatalogAsset,
    Channel,
    PlaylogEvent,
    ScheduleDay,
    Template,
)
from retrovue.scheduler.horizon import build_horizon
from retrovue.scheduler.playlog import build_day
from retrovue.scheduler.store import channel_plan, load_catalog, template_blocks
from retrovue.scheduler.timegrid import broadcast_day_of
from retrovue.testing.databases import postgres_base_url, postgres_database, sqlite_database
from retrovue.testing.schedule_station import NOW, seed


def pure_only(database: Database, days: int) -> tuple[float, float, int]:
    """The reference: the pure builder on the same inputs, no writes."""
    with database.transaction() as session:
        catalog = load_catalog(session)
        channels = list(session.scalars(select(Channel)))
        work = []
        for channel in channels:
            rows = list(
                session.scalars(select(ScheduleDay).where(ScheduleDay.channel_id == channel.id))
            )
            work.append((channel_plan(channel), rows))
        templates = {
            t.id: template_blocks(session, t.id)[1] for t in session.scalars(select(Template))
        }
    started, cpu_started = time.perf_counter(), time.process_time()
    events = 0
    for plan, rows in work:
        states: dict[str, Any] = {}
        today = broadcast_day_of(NOW, plan.clock)
        for n in range(days):
            day = today + timedelta(days=n)
            template_id = template_for_day(rows, day)
            blocks = templates[template_id] if template_id is not None else None
            result = build_day(plan, day, blocks, catalog, states)
            states = {k: v for k, v in states.items() if k != "carry"} | dict(result.cursors)
            events += len(result.events)
    return time.perf_counter() - started, time.process_time() - cpu_started, events


def run(
    database: Database, label: str, channels: int, days: int, assets: int, breaks: bool = False
) -> dict[str, Any]:
    seed(database, channels, assets, breaks)
    clock = FakeClock(NOW)
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = build_horizon(database, clock, days=days, history_days=7)
    build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    started, cpu_started = time.perf_counter(), time.process_time()
    again = build_horizon(database, clock, days=days, history_days=7)
    again_s, again_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    pure_s, pure_cpu_s, pure_events = pure_only(database, days)
    with database.transaction() as session:
        stored = session.scalar(select(func.count()).select_from(PlaylogEvent))
        bad = session.scalar(
            select(func.count())
            .select_from(PlaylogEvent)
            .join(CatalogAsset, CatalogAsset.id == PlaylogEvent.catalog_asset_id)
            .where(CatalogAsset.canonical.is_(False))
        )
    if again.days_built or bad or not stored == summary.events_written == pure_events:
        raise SystemExit(f"{label}: inconsistent run ({again.days_built=}, {bad=}, {stored=})")
    return {
        "backend": label,
        "channel_days": summary.days_built,
        "events": summary.events_written,
        "build_s": build_s,
        "build_cpu_s": build_cpu_s,
        "again_s": again_s,
        "again_cpu_s": again_cpu_s,
        "pure_s": pure_s,
        "pure_cpu_s": pure_cpu_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--assets", type=int, default=20_000)
    parser.add_argument("--breaks", action="store_true", help="also build with breaks")
    args = parser.parse_args()
    results = []
    sizes = (args.channels, args.days, args.assets)
    variants = [False, True] if args.breaks else [False]
    for breaks in variants:
        suffix = "+breaks" if breaks else ""
        with tempfile.TemporaryDirectory() as folder, sqlite_database(Path(folder)) as database:
            results.append(run(database, "sqlite" + suffix, *sizes, breaks))
    base = postgres_base_url()
    if base:
        for breaks in variants:
            suffix = "+breaks" if breaks else ""
            with postgres_database(base) as database:
                results.append(run(database, "postgresql" + suffix, *sizes, breaks))
    else:
        print("(PostgreSQL skipped: set RETROVUE_TEST_DATABASE_URL)")
    print(
        f"schedule build: {args.channels} channels x {args.days} days, {args.assets} catalog rows "
        f"(aim: full build < 10 s)"
    )
    header = ("backend", "channel-days", "events", "build s", "cpu s", "again s", "again cpu")
    header += ("pure s", "pure cpu", "ev/s")
    print("".join(f"{h:>13}" for h in header))
    for r in results:
        cells = (
            r["backend"],
            r["channel_days"],
            r["events"],
            f"{r['build_s']:.2f}",
            f"{r['build_cpu_s']:.2f}",
            f"{r['again_s']:.2f}",
            f"{r['again_cpu_s']:.2f}",
            f"{r['pure_s']:.2f}",
            f"{r['pure_cpu_s']:.2f}",
            f"{r['events'] / r['build_s']:.0f}",
        )
        print("".join(f"{c:>13}" for c in cells))
    print(
        "build: full horizon (wall); cpu: this process only (process_time; on SQLite it includes "
        "the database engine, on PostgreSQL the server's work is not in it); again: second, "
        "idempotent pass; pure: the builder alone on the same inputs (reference, no database)"
    )


if __name__ == "__main__":
    main()
