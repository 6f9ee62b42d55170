"""Sync policies in the database, and syncs that record how they ended.

``set_sync_policy`` changes one source's policy in one transaction. :func:`run_recorded_sync`
is the sync every caller uses (``source sync`` and the background keeper): it records the start,
runs :func:`~retrovue.library.ingest.sync_source`, and records the result (``ok``,
``interrupted`` or ``failed`` with the one-line error) in its own transaction, so ``source list``
shows the last sync and its result whatever happened. :func:`due_sources` applies the pure
decision of :mod:`retrovue.library.sync_policy` to every source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.library import Source
from retrovue.errors import RetrovueError, ValidationError
from retrovue.library.ingest import (
    OnAssetsRemoved,
    ProgressFn,
    SyncSummary,
    sync_source,
)
from retrovue.library.probe import probe_file
from retrovue.library.sources import get_source
from retrovue.library.sync_policy import (
    SyncPolicy,
    check_timezone,
    is_due,
    next_due_utc,
    parse_at,
    parse_every,
    policy_from,
)

_MAX_MESSAGE = 2000


def policy_of(source: Source) -> SyncPolicy:
    return policy_from(source.sync_every_s, source.sync_at, source.sync_timezone)


def _quiet(_summary: SyncSummary) -> None:
    return None


@dataclass(frozen=True)
class PolicyChange:
    every: str | None = None  # "6h"
    at: str | None = None  # "03:30"
    timezone: str | None = None
    manual: bool = False


def set_sync_policy(
    database: Database, clock: Clock, name: str, change: PolicyChange, default_timezone: str
) -> SyncPolicy:
    """Give source ``name`` a new policy (exactly one of every, at, manual)."""
    chosen = [flag for flag, on in (("--sync-every", change.every is not None),
                                    ("--sync-at", change.at is not None),
                                    ("--manual", change.manual)) if on]  # fmt: skip
    if len(chosen) != 1:
        raise ValidationError("give one of --sync-every, --sync-at or --manual")
    if change.timezone is not None and change.at is None:
        raise ValidationError("--sync-tz goes with --sync-at")
    every_s = parse_every(change.every) if change.every is not None else None
    at = parse_at(change.at) if change.at is not None else None
    zone = check_timezone(change.timezone or default_timezone) if at is not None else None
    with database.transaction(immediate=True) as session:
        source = get_source(session, name)
        source.sync_every_s = every_s
        source.sync_at = f"{at:%H:%M}" if at is not None else None
        source.sync_timezone = zone
        source.updated_utc = clock.now_utc()
        return policy_of(source)


def run_recorded_sync(
    database: Database,
    clock: Clock,
    name: str,
    *,
    on_assets_removed: OnAssetsRemoved,
    progress: ProgressFn = _quiet,
) -> SyncSummary:
    """Sync source ``name``, recording its start and result; errors are recorded, then raised."""
    _record(database, clock, name, started=True)
    try:
        summary = sync_source(
            database, clock, name, on_assets_removed=on_assets_removed, probe=probe_file,
            progress=progress,
        )  # fmt: skip
    except RetrovueError as err:
        _record(database, clock, name, result="failed", message=err.message)
        raise
    except KeyboardInterrupt:  # while the source was being read: nothing was written
        _record(database, clock, name, result="interrupted", message="interrupted while reading")
        raise
    except Exception as err:
        _record(database, clock, name, result="failed", message=f"crashed ({type(err).__name__})")
        raise
    result = "interrupted" if summary.interrupted else "ok"
    _record(database, clock, name, result=result, message=summary_text(summary))
    return summary


def summary_text(summary: SyncSummary) -> str:
    text = (
        f"{summary.total} items: {summary.added} added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.failed} failed, {summary.removed} removed"
    )
    return f"interrupted after {summary.done} of {text}" if summary.interrupted else text


def _record(
    database: Database,
    clock: Clock,
    name: str,
    *,
    started: bool = False,
    result: str | None = None,
    message: str | None = None,
) -> None:
    with database.transaction(immediate=True) as session:
        source = session.scalars(select(Source).where(Source.name == name)).one_or_none()
        if source is None:
            return  # removed meanwhile (or never there: the sync itself says so)
        if started:
            source.last_sync_started_utc = clock.now_utc()
            source.last_sync_result = None
            source.last_sync_message = "running"
            return
        source.last_sync_result = result
        source.last_sync_message = (message or "")[:_MAX_MESSAGE] or None


@dataclass(frozen=True)
class DueSource:
    name: str
    policy: SyncPolicy
    due_utc: datetime


def due_sources(database: Database, now_utc: datetime) -> list[DueSource]:
    """Enabled sources whose policy says they are due, the longest-waiting first."""
    with database.transaction() as session:
        sources = session.scalars(
            select(Source).where(
                Source.enabled.is_(True),
                (Source.sync_every_s.is_not(None)) | (Source.sync_at.is_not(None)),
            )
        ).all()
        due = []
        for source in sources:
            policy = policy_of(source)
            if is_due(policy, source.last_sync_started_utc, now_utc):
                when = next_due_utc(policy, source.last_sync_started_utc, now_utc)
                assert when is not None
                due.append(DueSource(source.name, policy, when))
    return sorted(due, key=lambda d: (d.due_utc, d.name))
