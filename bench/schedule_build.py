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
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from retrovue.broadcast.assignments import template_for_day
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models import (
    CatalogAsset,
    Channel,
    PlaylogEvent,
    ScheduleDay,
    Template,
    TemplateBlock,
)
from retrovue.scheduler.horizon import build_horizon
from retrovue.scheduler.playlog import build_day
from retrovue.scheduler.store import channel_plan, load_catalog, template_blocks
from retrovue.scheduler.timegrid import broadcast_day_of
from retrovue.testing.databases import postgres_base_url, postgres_database, sqlite_database

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ZONES = ["UTC", "America/New_York", "Europe/London", "Asia/Kathmandu", "Australia/Lord_Howe"]
TAGS = ["comedy", "drama", "kids", "scifi", "80s", "90s", "classic", "western"]
SERIES_COUNT = 200


def _catalog_rows(count: int, rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    fillers = count // 4
    movies = count // 8
    episodes = count - fillers - movies
    per_series = max(1, episodes // SERIES_COUNT)
    for n in range(episodes):
        series = n // per_series % SERIES_COUNT
        rows.append(
            {
                "kind": "episode",
                "guide_title": f"Series {series}",
                "series_title": f"Series {series}",
                "season": 1 + (n % per_series) // 20,
                "episode": 1 + (n % per_series) % 20,
                "episode_title": f"Episode {n}",
                "tags": [TAGS[series % len(TAGS)]],
                "genres": [TAGS[(series + 1) % len(TAGS)]],
                "duration_ms": rng.choice([22, 23, 24, 25, 44, 45, 48]) * 60_000
                + rng.randrange(60_000),
            }
        )
    for n in range(movies):
        rows.append(
            {
                "kind": "movie",
                "guide_title": f"Movie {n}",
                "tags": [TAGS[n % len(TAGS)]],
                "genres": [],
                "duration_ms": rng.randrange(80, 150) * 60_000,
            }
        )
    for n in range(fillers):
        rows.append(
            {
                "kind": "filler",
                "guide_title": f"Promo {n}",
                "tags": ["promo" if n % 2 else "bumper"],
                "genres": [],
                "duration_ms": rng.randrange(10, 120) * 1000,
            }
        )
    for n, row in enumerate(rows):
        row.update(
            file_path=f"/media/{n}.mkv",
            canonical=n % 50 != 0,  # 2 % never promoted: must never air
            available=True,
            created_utc=NOW,
            updated_utc=NOW,
            media_info={},
        )
    return rows


BREAKS = {
    "at": "computed",
    "fill": {"tags": ["promo"]},
    "bumpers": {"out": {"tags": ["bumper"]}, "in": {"tags": ["bumper"]}},
    "up_next": "10s",
}


def _templates(
    rng: random.Random, breaks: bool
) -> list[tuple[str, list[tuple[int, int, dict[str, Any], str]]]]:
    extra: dict[str, Any] = {"breaks": BREAKS} if breaks else {}
    templates = []
    for t in range(10):
        series = rng.sample(range(SERIES_COUNT), 6)
        blocks = [
            (6 * 60, 360, {"tags": [TAGS[t % len(TAGS)]], "order": "shuffle"}, "Morning"),
            (12 * 60, 240, {"kind": "movie", "order": "random", "no_repeat_days": 7}, "Matinee"),
            (
                16 * 60,
                120,
                {"series": [f"Series {s}" for s in series[:2]], **extra},
                "Afternoon",
            ),
            (
                18 * 60,
                60,
                {"series": f"Series {series[2]}", "filler": {"tags": ["promo"]}, **extra},
                "Access",
            ),
            (
                19 * 60,
                180,
                {"series": [f"Series {s}" for s in series[3:]], "align": "back_to_back"},
                "Prime",
            ),
            (22 * 60, 480, {"kind": "movie", "order": "shuffle", "overrun": "truncate"}, "Late"),
        ]
        templates.append((f"template-{t}", blocks))
    return templates


def seed(database: Database, channels: int, assets: int, breaks: bool) -> None:
    rng = random.Random(5)
    with database.transaction() as session:
        session.execute(insert(CatalogAsset), _catalog_rows(assets, rng))
        template_ids = []
        for name, blocks in _templates(rng, breaks):
            template = Template(name=name, created_utc=NOW, updated_utc=NOW)
            session.add(template)
            session.flush()
            template_ids.append(template.id)
            for start, minutes, rule, block_name in blocks:
                session.add(
                    TemplateBlock(
                        template_id=template.id,
                        start_minutes=start,
                        duration_minutes=minutes,
                        rule_json=rule,
                        name=block_name,
                    )
                )
        for n in range(channels):
            channel = Channel(
                number=str(n + 2),
                name=f"Channel {n + 2}",
                timezone=ZONES[n % len(ZONES)],
                created_utc=NOW,
                updated_utc=NOW,
            )
            session.add(channel)
            session.flush()
            session.add(
                ScheduleDay(
                    channel_id=channel.id,
                    template_id=template_ids[n % len(template_ids)],
                    selector_kind="default",
                    selector="default",
                    created_utc=NOW,
                )
            )
            session.add(
                ScheduleDay(
                    channel_id=channel.id,
                    template_id=template_ids[(n + 1) % len(template_ids)],
                    selector_kind="weekday",
                    selector="sat",
                    weekday=5,
                    created_utc=NOW,
                )
            )


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
