"""The playlog store: every read and write the horizon makes, on a session it is given.

The build loop (:mod:`retrovue.scheduler.horizon`) owns the transactions and the decisions; these
functions only turn rows into plain values and plain values into statements. The event rows
themselves are encoded and written by :mod:`retrovue.scheduler.eventrows`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Text, and_, bindparam, cast, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from retrovue.broadcast.breakpoints import scheduler_fields_json
from retrovue.broadcast.channels import get_channel
from retrovue.broadcast.rules import parse_rule
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
from retrovue.scheduler.dayplan import CARRY_KEY, OFF_AIR, BlockPlan, ChannelPlan, DayPlan
from retrovue.scheduler.eventrows import write_cursors, write_events
from retrovue.scheduler.selection import Catalog, CatalogItem
from retrovue.scheduler.timegrid import DayClock, day_bounds

LOCK_NAME = "retrovue.horizon"

# broadcast.gating.is_airable as SQL (both columns are NOT NULL)
AIRABLE = and_(CatalogAsset.canonical.is_(True), CatalogAsset.available.is_(True))
MAY_NOT_AIR = or_(CatalogAsset.canonical.is_(False), CatalogAsset.available.is_(False))


# ---- channels, templates and the catalog as plain values --------------------------------------


def channel_plan(channel: Channel) -> ChannelPlan:
    clock = DayClock(
        channel.timezone,
        channel.day_start_minutes,
        channel.grid_minutes,
        channel.grid_offset_minutes,
    )
    return ChannelPlan(channel.id, channel.name, clock)


def channels_to_build(session: Session, channel_number: str | None) -> list[Channel]:
    """The channel with that guide number, or every enabled channel."""
    if channel_number is not None:
        return [get_channel(session, channel_number)]
    return list(
        session.scalars(select(Channel).where(Channel.enabled.is_(True)).order_by(Channel.id))
    )


def every_channel(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).order_by(Channel.id)))


def assignments(session: Session, channel_id: int) -> list[ScheduleDay]:
    return list(session.scalars(select(ScheduleDay).where(ScheduleDay.channel_id == channel_id)))


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
            # as text: the JSON is parsed only when there is something in it (most assets: {})
            cast(CatalogAsset.breaks, Text),
        ).where(AIRABLE)
    ).all()
    return Catalog(_item(row) for row in rows)


def _item(row: Any) -> CatalogItem:
    points, avoid = scheduler_fields_json(row[13])
    return CatalogItem(
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
        break_points_ms=points,
        no_break_ms=avoid,
    )


def has_airable(session: Session) -> bool:
    """Is any catalog asset cleared to air? (Without loading the catalog.)"""
    return session.scalar(select(CatalogAsset.id).where(AIRABLE).limit(1)) is not None


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


# ---- built days -------------------------------------------------------------------------------


_FIRST_EVENT_IN = (
    select(PlaylogEvent.id)
    .where(
        PlaylogEvent.channel_id == bindparam("channel_id"),
        PlaylogEvent.start_utc >= bindparam("start"),
        PlaylogEvent.start_utc < bindparam("end"),
    )
    .limit(1)
)


def day_exists(session: Session, channel_id: int, day: date, clock: DayClock) -> bool:
    """Does the day have an event? (Core on the session's connection: this runs once per day
    built, and the ORM's statement handling cost more than the query.)"""
    start, end = day_bounds(day, clock)
    found = (
        session.connection()
        .execute(_FIRST_EVENT_IN, {"channel_id": channel_id, "start": start, "end": end})
        .first()
    )
    return found is not None


def existing_days(
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


def last_built_day(session: Session, channel_id: int) -> date | None:
    return session.scalar(
        select(func.max(PlaylogEvent.broadcast_day)).where(PlaylogEvent.channel_id == channel_id)
    )


def stale_from(session: Session, channel_id: int, today: date) -> date | None:
    """The first built day after ``today`` with an event whose asset may no longer air."""
    return session.scalar(
        select(PlaylogEvent.broadcast_day)
        .join(CatalogAsset, CatalogAsset.id == PlaylogEvent.catalog_asset_id)
        .where(
            PlaylogEvent.channel_id == channel_id,
            PlaylogEvent.broadcast_day > today,
            MAY_NOT_AIR,
        )
        .order_by(PlaylogEvent.broadcast_day)
        .limit(1)
    )


def write_day(session: Session, channel_id: int, plan: DayPlan, built_utc: datetime) -> int:
    """Store one built day (its events and cursor states); returns the events written."""
    written = write_events(session, channel_id, plan, built_utc)
    write_cursors(session, channel_id, plan, built_utc)
    return written


def delete_days(session: Session, channel_id: int, first: date, last: date | None = None) -> int:
    """Remove the events and cursor states of the broadcast days ``first`` to ``last``
    (inclusive; ``None``: every day from ``first`` on); returns the events removed."""
    cursor_days = SequenceCursor.broadcast_day >= first
    event_days = PlaylogEvent.broadcast_day >= first
    if last is not None:
        cursor_days = and_(cursor_days, SequenceCursor.broadcast_day <= last)
        event_days = and_(event_days, PlaylogEvent.broadcast_day <= last)
    session.execute(
        delete(SequenceCursor).where(SequenceCursor.channel_id == channel_id, cursor_days)
    )
    result = session.execute(
        delete(PlaylogEvent).where(PlaylogEvent.channel_id == channel_id, event_days)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def prune_before(session: Session, channel_id: int, cutoff: date) -> int:
    """Delete the events of days before ``cutoff``, and the cursor states of those days that a
    later state of the same cursor supersedes; returns the events removed."""
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


def slate_withdrawn(session: Session, days: Mapping[int, date], now_utc: datetime) -> int:
    """One UPDATE: on each channel's broadcast day in ``days`` (channel id -> day), the events
    that start after ``now_utc`` and point at an asset that may no longer air become slate events
    of the same times, titled with their block (or "Off Air"); returns how many."""
    channels_by_day: dict[date, list[int]] = {}
    for channel_id, day in days.items():
        channels_by_day.setdefault(day, []).append(channel_id)
    if not channels_by_day:
        return 0
    result = session.execute(
        update(PlaylogEvent)
        .where(
            or_(
                *(
                    and_(PlaylogEvent.broadcast_day == day, PlaylogEvent.channel_id.in_(ids))
                    for day, ids in channels_by_day.items()
                )
            ),
            PlaylogEvent.start_utc > now_utc,
            PlaylogEvent.catalog_asset_id.in_(select(CatalogAsset.id).where(MAY_NOT_AIR)),
        )
        .values(
            kind="slate",
            catalog_asset_id=None,
            offset_ms=0,
            title=func.coalesce(func.nullif(PlaylogEvent.block_name, ""), OFF_AIR),
            episode_title=None,
            series_title=None,
            season=None,
            episode=None,
            description=None,
            guide_json={"slate": "withdrawn"},
            built_utc=now_utc,
        )
        .execution_options(synchronize_session=False)
    )
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
