"""The server's background task that keeps every channel's horizon N days ahead.

It runs :func:`build_horizon` in a worker thread (the database calls block), then sleeps on the
clock. Driven by the clock, so a test advances a fake clock by a day and sees the horizon extend.
On PostgreSQL the horizon's advisory lock lets only one of several appliances build at a time; the
others skip that pass and try again at the next one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.errors import RetrovueError
from retrovue.scheduler.horizon import BuildSummary, build_horizon

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 900.0


async def keep_horizon(
    database: Database,
    clock: Clock,
    *,
    days: int,
    history_days: int | None,
    interval_s: float = DEFAULT_INTERVAL_S,
    on_pass: Callable[[BuildSummary], None] | None = None,
) -> None:
    """Build missing days now and after every ``interval_s`` on ``clock``; runs until cancelled."""
    while True:
        await run_pass(database, clock, days=days, history_days=history_days, on_pass=on_pass)
        await clock.sleep_s(interval_s)


async def run_pass(
    database: Database,
    clock: Clock,
    *,
    days: int,
    history_days: int | None,
    on_pass: Callable[[BuildSummary], None] | None = None,
) -> BuildSummary | None:
    """One pass; errors are logged (this is the edge of a task loop), never raised."""
    try:
        summary = await asyncio.to_thread(
            build_horizon, database, clock, days=days, history_days=history_days
        )
    except RetrovueError as err:
        log.warning("horizon build failed: %s", err)
        return None
    except Exception:
        log.exception("horizon build failed unexpectedly")
        return None
    if summary.skipped:
        log.info("horizon build skipped: %s", summary.skipped)
    elif summary.days_built:
        log.info(
            "horizon: built %d channel-days (%d events), pruned %d events",
            summary.days_built,
            summary.events_written,
            summary.events_pruned,
        )
    if on_pass is not None:
        on_pass(summary)
    return summary
