"""The horizon: keep every channel's playlog built N broadcast days ahead.

Each channel-day is built in ONE transaction (its events and its cursor states together), so an
interrupted build leaves no partial day, and a day that exists is left alone (running it again
changes nothing). A rebuild replaces days strictly after the broadcast day on air: the day on air
is never rebuilt (after a catalog change its not-yet-started events that point at an asset which
may no longer air become slate events instead). Past days are kept ``history_days`` for the guide
and the as-run log, then pruned.

On PostgreSQL several appliances may share one database: a session advisory lock lets one of them
build at a time; the others skip (and say so in the summary).

This module decides what to build and owns the transactions; the statements it runs are in
:mod:`retrovue.scheduler.store`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from retrovue.broadcast.assignments import template_for_day
from retrovue.clock import Clock
from retrovue.config import HORIZON_DAYS_MAX
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel, ScheduleDay
from retrovue.errors import ScheduleError
from retrovue.scheduler import store
from retrovue.scheduler.dayplan import CARRY_KEY, BlockPlan, ChannelPlan, DayPlan
from retrovue.scheduler.playlog import build_day
from retrovue.scheduler.selection import Catalog
from retrovue.scheduler.timegrid import broadcast_day_of

Progress = Callable[[int, int], None]  # (channel-days done, channel-days in total)


@dataclass
class BuildSummary:
    channels: int = 0
    days_built: int = 0
    days_kept: int = 0
    days_replaced: int = 0
    events_written: int = 0
    events_pruned: int = 0
    events_slated: int = 0
    slate_days: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None

    def __str__(self) -> str:
        if self.skipped:
            return f"skipped: {self.skipped}"
        parts = [
            f"{self.channels} channel(s)",
            f"{self.days_built} day(s) built",
            f"{self.days_kept} kept",
        ]
        if self.days_replaced:
            parts.append(f"{self.days_replaced} replaced")
        parts.append(f"{self.events_written} event(s) written")
        if self.events_pruned:
            parts.append(f"{self.events_pruned} pruned")
        if self.events_slated:
            parts.append(f"{self.events_slated} withdrawn event(s) slated")
        if self.slate_days:
            parts.append(f"{len(self.slate_days)} slate day(s)")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "channels": self.channels,
            "days_built": self.days_built,
            "days_kept": self.days_kept,
            "days_replaced": self.days_replaced,
            "events_written": self.events_written,
            "events_pruned": self.events_pruned,
            "events_slated": self.events_slated,
            "slate_days": list(self.slate_days),
            "notes": list(self.notes),
            "skipped": self.skipped,
        }


# ---- the build loop ---------------------------------------------------------------------------


class _CatalogSource:
    """The airable catalog, read on first use: a pass with nothing to build never loads it."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._catalog: Catalog | None = None

    def get(self) -> Catalog:
        if self._catalog is None:
            with self._database.transaction() as session:
                self._catalog = store.load_catalog(session)
        return self._catalog

    def empty(self) -> bool:
        if self._catalog is not None:
            return not self._catalog.items
        with self._database.transaction() as session:
            return not store.has_airable(session)


@dataclass
class _ChannelWork:
    """What building one channel needs, loaded once."""

    channel: Channel
    plan: ChannelPlan
    assignments: list[ScheduleDay]
    templates: dict[int, tuple[str, list[BlockPlan]]] = field(default_factory=dict)

    def blocks_for(self, session: Session, day: date) -> tuple[str | None, list[BlockPlan] | None]:
        template_id = template_for_day(self.assignments, day)
        if template_id is None:
            return None, None
        if template_id not in self.templates:
            self.templates[template_id] = store.template_blocks(session, template_id)
        name, blocks = self.templates[template_id]
        return name, blocks


def _off_grid_notes(work: _ChannelWork) -> list[str]:
    clock = work.plan.clock
    notes = []
    for name, blocks in work.templates.values():
        for block in blocks:
            if (block.start_minutes - clock.grid_offset_minutes) % clock.grid_minutes:
                notes.append(
                    f"channel {work.channel.number}: template {name!r} block at "
                    f"{block.start_minutes // 60:02d}:{block.start_minutes % 60:02d} is off the "
                    f"{clock.grid_minutes}-minute grid (its programmes align to the next grid line)"
                )
    return notes


def _next_states(
    before: Mapping[str, Mapping[str, Any]], plan: DayPlan
) -> dict[str, Mapping[str, Any]]:
    after = {key: state for key, state in before.items() if key != CARRY_KEY}
    after.update(plan.cursors)
    return after


@dataclass(frozen=True)
class _Job:
    today: date
    days: int
    replace_from: date | None  # days on/after this are rebuilt (always after ``today``)
    history_days: int | None


def _sync_channel(
    database: Database,
    clock: Clock,
    catalogs: _CatalogSource,
    work: _ChannelWork,
    job: _Job,
    summary: BuildSummary,
    tick: Callable[[], None],
) -> None:
    channel_id = work.plan.channel_id
    targets = [job.today + timedelta(days=n) for n in range(job.days)]
    if job.replace_from is not None:
        with database.transaction(immediate=True) as session:
            store.delete_days(
                session, channel_id, max(job.replace_from, job.today + timedelta(days=job.days))
            )
    day_clock = work.plan.clock
    with database.transaction() as session:
        existing = store.existing_days(session, channel_id, targets[0], targets[-1], day_clock)
    states: dict[str, Mapping[str, Any]] | None = None
    previous: date | None = None
    for day in targets:
        replace = job.replace_from is not None and day >= job.replace_from
        if not replace and day in existing:
            summary.days_kept += 1
            tick()
            continue
        catalog = catalogs.get()
        with database.transaction(immediate=True) as session:
            if not replace and store.day_exists(session, channel_id, day, day_clock):
                summary.days_kept += 1  # another builder was quicker
                tick()
                continue
            if replace:
                if day in existing:
                    summary.days_replaced += 1
                store.delete_days(session, channel_id, day, day)
            if states is None or previous != day - timedelta(days=1):
                states = store.cursors_before(session, channel_id, day)
            name, blocks = work.blocks_for(session, day)
            plan = build_day(work.plan, day, blocks, catalog, states)
            summary.events_written += store.write_day(session, channel_id, plan, clock.now_utc())
        summary.days_built += 1
        if plan.no_template:
            summary.slate_days.append(f"channel {work.channel.number} {day}: no template assigned")
        elif name is not None and not plan.cursors and not any(e.asset_id for e in plan.events):
            summary.slate_days.append(f"channel {work.channel.number} {day}: nothing eligible")
        states = _next_states(states, plan)
        previous = day
        tick()
    if job.history_days is not None:
        cutoff = job.today - timedelta(days=job.history_days)
        with database.transaction(immediate=True) as session:
            summary.events_pruned += store.prune_before(session, channel_id, cutoff)


def _load_work(database: Database, channel_number: str | None) -> list[_ChannelWork]:
    with database.transaction() as session:
        return [
            _ChannelWork(
                channel, store.channel_plan(channel), store.assignments(session, channel.id)
            )
            for channel in store.channels_to_build(session, channel_number)
        ]


def _run(
    database: Database,
    clock: Clock,
    channel_number: str | None,
    plan_job: Callable[[Session, _ChannelWork, date], _Job | None],
    progress: Progress | None,
) -> BuildSummary:
    summary = BuildSummary()
    with store.builder_lock(database) as taken:
        if not taken:
            summary.skipped = "another appliance is building the horizon (advisory lock held)"
            return summary
        works = _load_work(database, channel_number)
        catalogs = _CatalogSource(database)
        summary.channels = len(works)
        now = clock.now_utc()
        jobs = []
        with database.transaction() as session:
            for work in works:
                job = plan_job(session, work, broadcast_day_of(now, work.plan.clock))
                if job is not None:
                    jobs.append((work, job))
        total = sum(job.days for _, job in jobs)
        done = [0]

        def tick() -> None:
            done[0] += 1
            if progress is not None:
                progress(done[0], total)

        for work, job in jobs:
            _sync_channel(database, clock, catalogs, work, job, summary, tick)
            summary.notes.extend(_off_grid_notes(work))
        summary.events_slated += slate_withdrawn_on_air(database, clock)
    if catalogs.empty():
        summary.notes.append("the catalog has nothing cleared to air: promote assets first")
    return summary


# ---- entry points -----------------------------------------------------------------------------


def build_horizon(
    database: Database,
    clock: Clock,
    *,
    channel_number: str | None = None,
    days: int = 14,
    rebuild_from: date | None = None,
    history_days: int | None = None,
    progress: Progress | None = None,
) -> BuildSummary:
    """Build every missing broadcast day from today (the one on air) for ``days`` days.

    ``rebuild_from`` replaces the days from that date on, but never today or earlier (the day on
    air is kept). ``history_days`` prunes past days older than that (``None``: no pruning).
    """
    if not 1 <= days <= HORIZON_DAYS_MAX:
        raise ScheduleError(f"--days must be 1 to {HORIZON_DAYS_MAX}, as horizon_days (got {days})")
    notes: list[str] = []

    def plan_job(session: Session, work: _ChannelWork, today: date) -> _Job:
        replace_from = store.stale_from(session, work.plan.channel_id, today)
        if replace_from is not None:
            notes.append(
                f"channel {work.channel.number}: days from {replace_from} air assets that may "
                "no longer air; rebuilding them"
            )
        if rebuild_from is not None:
            asked = max(rebuild_from, today + timedelta(days=1))
            replace_from = asked if replace_from is None else min(asked, replace_from)
            if rebuild_from <= today:
                notes.append(
                    f"channel {work.channel.number}: {today} is on air and is kept; "
                    f"rebuilding from {asked}"
                )
        return _Job(today, days, replace_from, history_days)

    summary = _run(database, clock, channel_number, plan_job, progress)
    summary.notes[:0] = notes
    return summary


def rebuild_after_catalog_change(database: Database, clock: Clock) -> BuildSummary:
    """After assets were revoked or became unavailable: rebuild every built day after today on
    every channel, and turn today's not-yet-started events of assets that may no longer air into
    slate events."""

    def plan_job(session: Session, work: _ChannelWork, today: date) -> _Job | None:
        last = store.last_built_day(session, work.plan.channel_id)
        if last is None or last <= today:
            return None
        return _Job(today, (last - today).days + 1, today + timedelta(days=1), None)

    return _run(database, clock, None, plan_job, None)


def slate_withdrawn_on_air(database: Database, clock: Clock) -> int:
    """On the broadcast day on air of every channel, events not yet started whose asset may no
    longer air become slate events of the same times (the day on air is never rebuilt; later
    days are, by their channel's build pass, from the first day that airs such an asset)."""
    now = clock.now_utc()
    with database.transaction(immediate=True) as session:
        days = {
            channel.id: broadcast_day_of(now, store.channel_plan(channel).clock)
            for channel in store.every_channel(session)
        }
        return store.slate_withdrawn(session, days, now)
