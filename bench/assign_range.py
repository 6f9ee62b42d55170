"""Assigning a template to a range of dates: one transaction (what ``schedule assign --from --to``
does) vs one transaction per date (the reference), on SQLite and, when a URL is given, PostgreSQL.

    /work/venv/bin/python bench/assign_range.py --days 365 --rounds 3 \
        [--pg postgresql://root@127.0.0.1:5432/test]

Each round uses a fresh database with one channel and one template of four blocks; the two methods
alternate. Printed: median and best milliseconds per method and backend, and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from retrovue.broadcast.admin.channels import add_channel
from retrovue.broadcast.admin.schedule import DaySelection, assign
from retrovue.broadcast.admin.templates import add_block, add_template
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.testing.databases import postgres_database, sqlite_database

FIRST = date(2027, 1, 1)
CLOCK = SystemClock()


def _prepare(database: Database) -> None:
    add_channel(database, CLOCK, "5", "Five")
    add_template(database, CLOCK, "Day")
    for start in (360, 720, 1080, 0):
        add_block(database, CLOCK, "Day", start_minutes=start, duration_minutes=240, rule_json={})


def one_transaction(database: Database, days: int) -> None:
    selection = DaySelection.date_range(FIRST, FIRST + timedelta(days=days - 1))
    assign(database, CLOCK, "5", "Day", selection)


def per_date(database: Database, days: int) -> None:
    for offset in range(days):
        assign(database, CLOCK, "5", "Day", DaySelection.on_date(FIRST + timedelta(days=offset)))


@contextmanager
def _fresh(backend: str, pg_url: str | None) -> Iterator[Database]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder, sqlite_database(Path(folder)) as database:
            yield database
    else:
        assert pg_url is not None
        with postgres_database(pg_url) as database:
            yield database


def _time_ms(
    backend: str, pg_url: str | None, method: Callable[[Database, int], None], days: int
) -> float:
    with _fresh(backend, pg_url) as database:
        _prepare(database)
        started = time.perf_counter()
        method(database, days)
        return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", default=None, help="PostgreSQL base URL (optional)")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    methods = {"one transaction": one_transaction, "per date": per_date}
    print(f"assign {args.days} dates, {args.rounds} rounds")
    print(f"{'backend':<11} {'method':<16} {'median ms':>10} {'best ms':>10}")
    for backend in backends:
        samples: dict[str, list[float]] = {name: [] for name in methods}
        for _ in range(args.rounds):
            for name, method in methods.items():
                samples[name].append(_time_ms(backend, args.pg, method, args.days))
        for name, values in samples.items():
            print(
                f"{backend:<11} {name:<16} {statistics.median(values):>10.1f} {min(values):>10.1f}"
            )
        ratio = statistics.median(samples["per date"]) / statistics.median(
            samples["one transaction"]
        )
        print(f"{backend:<11} per date / one transaction (median): {ratio:.1f}x")


if __name__ == "__main__":
    main()
