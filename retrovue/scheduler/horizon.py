"""The horizon: keep every channel's playlog built N broadcast days ahead.

Each channel-day is built in ONE transaction (its events and its cursor states together), so an
interrupted build leaves no partial day, and a day that exists is left alone (running it again
changes nothing). A rebuild replaces days strictly after the broadcast day on air: the day on air
is never rebuilt (after a catalog change its not-yet-started events that point at an asset which
may no longer air become slate events instead). Past days are kept ``history_days`` for the guide
and the as-run log, then pruned.

On PostgreSQL several appliances may share one database: a session advisory lock lets one of them
build at a time; the others skip (and say so in the summary).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, text, update
from sqlalchemy.orm import Session

from retrovue.broadcast.assignments import template_for_day
from retrovue.broadcast.channels import get_channel
from retrovue.broadcast.gating import is_airable
from retrovue.broadcast.rules import parse_rule
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import (
    CatalogAsset,
    Channel,
    PlaylogEvent,
    ScheduleDay,
    SequenceCursor,
    Template,
    TemplateBlock,
)
from retrovue.errors import RetrovueError, ScheduleError
from retrovue.scheduler.eventrows import write_cursors, write_events
from retrovue.scheduler.playlog import (
    CARRY_KEY,
    OFF_AIR,
    BlockPlan,
    ChannelPlan,
    DayPlan,
    build_day,
)
from retrovue.scheduler.selection import Catalog, CatalogItem
from retrovue.scheduler.timegrid import DayClock, broadcast_day_of, day_bounds

Progress = Callable[[int, int], None]  # (channel-days done, channel-days in total)
LOCK_NAME = "retrovue.horizon"


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


# ---- loading plain values ---------------------------------------------------------------------


def load_catalog(session: Session) -> Catalog:
    """The airable catalog (canonical AND available) as plain values."""
    rows = session.execute(
        select(
            CatalogAsset.id,
            CatalogAsset.kind,
            CatalogAsset.guide_title,
            CatalogAsset.duration_ms,
            CatalogAsset.series_title,
            CatalogAsset.season,
            CatalogAsset.episode,
            CatalogAsset.episode_title,
            CatalogAsset.description,
            CatalogAsset.genres,
            CatalogAsset.tags,
            CatalogAsset.content_rating,
            CatalogAsset.year,
        ).where(CatalogAsset.canonical.is_(True), CatalogAsset.available.is_(True))
    ).all()
    return Catalog(
        CatalogItem(
            asset_id=row[0],
            kind=row[1],
            title=row[2],
            duration_ms=int(row[3]),
            series=row[4],
            season=row[5],
            episode=row[6],
            episode_title=row[7],
            description=row[8],
            genres=tuple(row[9] or ()),
            tags=tuple(row[10] or ()),
            content_rating=row[11],
            year=row[12],
        )
        for row in rows
    )


class _CatalogSource:
    """The airable catalog, read on first use: a pass with nothing to build never loads it."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._catalog: Catalog | None = None

    def get(self) -> Catalog:
        if self._catalog is None:
            with self._database.transaction() as session:
                self._catalog = load_catalog(session)
        return self._catalog

    def empty(self) -> bool:
        if self._catalog is not None:
            return not self._catalog.items
        with self._database.transaction() as session:
            found = session.scalar(
                select(CatalogAsset.id)
                .where(CatalogAsset.canonical.is_(True), CatalogAsset.available.is_(True))
                .limit(1)
            )
        return found is None


def channel_plan(channel: Channel) -> ChannelPlan:
    clock = DayClock(
        channel.timezone,
        channel.day_start_minutes,
        channel.grid_minutes,
        channel.grid_offset_minutes,
    )
    return ChannelPlan(channel.id, channel.name, clock)


def template_blocks(session: Session, template_id: int) -> tuple[str, list[BlockPlan]]:
    template = session.get(Template, template_id)
    if template is None:
        raise ScheduleError(f"template id {template_id} vanished while building")
    rows = session.scalars(
        select(TemplateBlock)
        .where(TemplateBlock.template_id == template_id)
        .order_by(TemplateBlock.start_minutes)
    ).all()
    blocks = []
    for row in rows:
        try:
            rule = parse_rule(row.rule_json)
        except RetrovueError as err:
            raise ScheduleError(
                f"template {template.name!r} block {row.name or row.start_minutes}: {err}"
            ) from err
        blocks.append(BlockPlan(row.start_minutes, row.duration_minutes, rule, row.name))
    return template.name, blocks


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
            self.templates[template_id] = template_blocks(session, template_id)
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


# ---- cursors ----------------------------------------------------------------------------------


def cursors_before(session: Session, channel_id: int, day: date) -> dict[str, Mapping[str, Any]]:
    """Every cursor as it stood after the last day before ``day`` that used it; the carry only
    when it comes from the day right before."""
    rows = session.execute(
        select(SequenceCursor.cursor_key, SequenceCursor.broadcast_day, SequenceCursor.state)
        .where(SequenceCursor.channel_id == channel_id, SequenceCursor.broadcast_day < day)
        .order_by(SequenceCursor.broadcast_day)
    ).all()
    states: dict[str, Mapping[str, Any]] = {}
    for key, row_day, state in rows:
        if key == CARRY_KEY and row_day != day - timedelta(days=1):
            continue
        states[key] = state
    return states


def _next_states(
    before: Mapping[str, Mapping[str, Any]], plan: DayPlan
) -> dict[str, Mapping[str, Any]]:
    after = {key: state for key, state in before.items() if key != CARRY_KEY}
    after.update(plan.cursors)
    return after


# ---- writing one day --------------------------------------------------------------------------


_FIRST_EVENT_IN = (
    select(PlaylogEvent.id)
    .where(
        PlaylogEvent.channel_id == bindparam("channel_id"),
        PlaylogEvent.start_utc >= bindparam("start"),
        PlaylogEvent.start_utc < bindparam("end"),
    )
    .limit(1)
)


def _day_exists(session: Session, channel_id: int, day: date, clock: DayClock) -> bool:
    """Does the day have an event? (Core on the session's connection: this runs once per day
    built, and the ORM's statement handling cost more than the query.)"""
    start, end = day_bounds(day, clock)
    found = (
        session.connection()
        .execute(_FIRST_EVENT_IN, {"channel_id": channel_id, "start": start, "end": end})
        .first()
    )
    return found is not None


def _existing_days(
    session: Session, channel_id: int, first: date, last: date, clock: DayClock
) -> set[date]:
    """The broadcast days from ``first`` to ``last`` that have events (one indexed range read)."""
    start, _ = day_bounds(first, clock)
    _, end = day_bounds(last, clock)
    days = session.scalars(
        select(PlaylogEvent.broadcast_day)
        .where(
            PlaylogEvent.channel_id == channel_id,
            PlaylogEvent.start_utc >= start,
            PlaylogEvent.start_utc < end,
        )
        .distinct()
    )
    return set(days)


def _delete_days(session: Session, channel_id: int, first_day: date) -> int:
    """Remove the events and cursor states of ``first_day`` and every later day."""
    session.execute(
        delete(SequenceCursor).where(
            SequenceCursor.channel_id == channel_id, SequenceCursor.broadcast_day >= first_day
        )
    )
    result = session.execute(
        delete(PlaylogEvent).where(
            PlaylogEvent.channel_id == channel_id, PlaylogEvent.broadcast_day >= first_day
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _write_day(session: Session, channel_id: int, plan: DayPlan, built_utc: datetime) -> int:
    written = write_events(session, channel_id, plan, built_utc)
    write_cursors(session, channel_id, plan, built_utc)
    return written


# ---- one channel ------------------------------------------------------------------------------


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
            _delete_days(
                session, channel_id, max(job.replace_from, job.today + timedelta(days=job.days))
            )
    day_clock = work.plan.clock
    with database.transaction() as session:
        existing = _existing_days(session, channel_id, targets[0], targets[-1], day_clock)
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
            if not replace and _day_exists(session, channel_id, day, day_clock):
                summary.days_kept += 1  # another builder was quicker
                tick()
                continue
            if replace:
                if day in existing:
                    summary.days_replaced += 1
                _delete_days_exact(session, channel_id, day)
            if states is None or previous != day - timedelta(days=1):
                states = cursors_before(session, channel_id, day)
            name, blocks = work.blocks_for(session, day)
            plan = build_day(work.plan, day, blocks, catalog, states)
            summary.events_written += _write_day(session, channel_id, plan, clock.now_utc())
        summary.days_built += 1
        if plan.no_template:
            summary.slate_days.append(f"channel {work.channel.number} {day}: no template assigned")
        elif name is not None and not plan.cursors and not any(e.asset_id for e in plan.events):
            summary.slate_days.append(f"channel {work.channel.number} {day}: nothing eligible")
        states = _next_states(states, plan)
        previous = day
        tick()
    if job.history_days is not None:
        summary.events_pruned += prune_history(database, channel_id, job.today, job.history_days)


def _delete_days_exact(session: Session, channel_id: int, day: date) -> None:
    session.execute(
        delete(SequenceCursor).where(
            SequenceCursor.channel_id == channel_id, SequenceCursor.broadcast_day == day
        )
    )
    session.execute(
        delete(PlaylogEvent).where(
            PlaylogEvent.channel_id == channel_id, PlaylogEvent.broadcast_day == day
        )
    )


def prune_history(database: Database, channel_id: int, today: date, history_days: int) -> int:
    """Delete events of days older than ``history_days`` before ``today``, and cursor states
    of those days that a later state of the same cursor supersedes."""
    cutoff = today - timedelta(days=history_days)
    with database.transaction(immediate=True) as session:
        result = session.execute(
            delete(PlaylogEvent).where(
                PlaylogEvent.channel_id == channel_id, PlaylogEvent.broadcast_day < cutoff
            )
        )
        rows = session.execute(
            select(SequenceCursor.id, SequenceCursor.cursor_key, SequenceCursor.broadcast_day)
            .where(SequenceCursor.channel_id == channel_id)
            .order_by(SequenceCursor.broadcast_day.desc())
        ).all()
        seen: set[str] = set()
        stale = []
        for row_id, key, row_day in rows:
            if key in seen and row_day < cutoff:
                stale.append(row_id)
            seen.add(key)
        if stale:
            session.execute(delete(SequenceCursor).where(SequenceCursor.id.in_(stale)))
        return int(getattr(result, "rowcount", 0) or 0)


# ---- the advisory lock ------------------------------------------------------------------------


@contextmanager
def builder_lock(database: Database) -> Iterator[bool]:
    """On PostgreSQL: try the horizon's advisory lock (per schema); yields whether it was taken.
    On SQLite there is one writer at a time anyway: always ``True``."""
    if database.dialect != "postgresql":
        yield True
        return
    with database.engine.connect() as conn:
        taken = bool(
            conn.execute(
                text("SELECT pg_try_advisory_lock(hashtext(:name || '.' || current_schema()))"),
                {"name": LOCK_NAME},
            ).scalar()
        )
        conn.commit()
        try:
            yield taken
        finally:
            if taken:
                conn.execute(
                    text("SELECT pg_advisory_unlock(hashtext(:name || '.' || current_schema()))"),
                    {"name": LOCK_NAME},
                )
                conn.commit()


# ---- entry points -----------------------------------------------------------------------------


def _load_work(database: Database, channel_number: str | None) -> list[_ChannelWork]:
    with database.transaction() as session:
        if channel_number is not None:
            channels = [get_channel(session, channel_number)]
        else:
            channels = list(
                session.scalars(
                    select(Channel).where(Channel.enabled.is_(True)).order_by(Channel.id)
                )
            )
        work = []
        for channel in channels:
            assignments = list(
                session.scalars(select(ScheduleDay).where(ScheduleDay.channel_id == channel.id))
            )
            work.append(_ChannelWork(channel, channel_plan(channel), assignments))
        return work


def _run(
    database: Database,
    clock: Clock,
    channel_number: str | None,
    plan_job: Callable[[Session, _ChannelWork, date], _Job | None],
    progress: Progress | None,
) -> BuildSummary:
    summary = BuildSummary()
    with builder_lock(database) as taken:
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
    if catalogs.empty():
        summary.notes.append("the catalog has nothing cleared to air: promote assets first")
    return summary


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
    if days < 1:
        raise ScheduleError(f"--days must be at least 1 (got {days})")
    notes: list[str] = []

    def plan_job(session: Session, work: _ChannelWork, today: date) -> _Job:
        replace_from = stale_from(session, work.plan.channel_id, today)
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
    if not summary.skipped:
        summary.events_slated += slate_unairable_today(database, clock)
    return summary


def stale_from(session: Session, channel_id: int, today: date) -> date | None:
    """The first built day after ``today`` with an event whose asset may no longer air."""
    return session.scalar(
        select(PlaylogEvent.broadcast_day)
        .join(CatalogAsset, CatalogAsset.id == PlaylogEvent.catalog_asset_id)
        .where(
            PlaylogEvent.channel_id == channel_id,
            PlaylogEvent.broadcast_day > today,
            or_(CatalogAsset.canonical.is_(False), CatalogAsset.available.is_(False)),
        )
        .order_by(PlaylogEvent.broadcast_day)
        .limit(1)
    )


def rebuild_after_catalog_change(database: Database, clock: Clock) -> BuildSummary:
    """After assets were revoked or became unavailable: rebuild every built day after today on
    every channel, and turn today's not-yet-started events of assets that may no longer air into
    slate events."""

    def plan_job(session: Session, work: _ChannelWork, today: date) -> _Job | None:
        last = session.scalar(
            select(PlaylogEvent.broadcast_day)
            .where(PlaylogEvent.channel_id == work.plan.channel_id)
            .order_by(PlaylogEvent.broadcast_day.desc())
            .limit(1)
        )
        if last is None or last <= today:
            return None
        return _Job(today, (last - today).days + 1, today + timedelta(days=1), None)

    summary = _run(database, clock, None, plan_job, None)
    if not summary.skipped:
        summary.events_slated += slate_unairable_today(database, clock)
    return summary


def slate_unairable_today(database: Database, clock: Clock) -> int:
    """Events not yet started whose asset may no longer air become slate events (same times)."""
    now = clock.now_utc()
    with database.transaction(immediate=True) as session:
        rows = session.execute(
            select(
                PlaylogEvent.id,
                CatalogAsset.canonical,
                CatalogAsset.available,
                PlaylogEvent.block_name,
            )
            .join(CatalogAsset, CatalogAsset.id == PlaylogEvent.catalog_asset_id)
            .where(
                PlaylogEvent.start_utc > now,
                # only rows that may be gated (the rule itself is applied below, in Python)
                or_(CatalogAsset.canonical.is_not(True), CatalogAsset.available.is_not(True)),
            )
        ).all()
        doomed = [
            (row_id, block)
            for row_id, canonical, available, block in rows
            if not is_airable(canonical, available)
        ]
        for row_id, block in doomed:
            session.execute(
                update(PlaylogEvent)
                .where(PlaylogEvent.id == row_id)
                .values(
                    kind="slate",
                    catalog_asset_id=None,
                    offset_ms=0,
                    title=block or OFF_AIR,
                    episode_title=None,
                    series_title=None,
                    season=None,
                    episode=None,
                    description=None,
                    guide_json={"slate": "withdrawn"},
                    built_utc=now,
                )
            )
        return len(doomed)
