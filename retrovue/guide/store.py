"""Reads what the guide shows from the database into plain frozen values (one transaction).

Also computes the change stamp: a few cheap aggregates that move whenever channels, playlogs or
the catalog change, so the service rebuilds only when something did.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from retrovue.db import Database
from retrovue.db.models.broadcast import AsRun, CatalogAsset, Channel, PlaylogEvent
from retrovue.guide.model import (
    GuideAsset,
    GuideChannel,
    GuideEvent,
    GuideSnapshot,
    number_sort_key,
)
from retrovue.guide.playlog_read import LOOKBACK, read_events

AIRED_STATUSES = ("playing", "aired", "cut")
ID_CHUNK = 500


def read_snapshot(database: Database, start_utc: datetime, end_utc: datetime) -> GuideSnapshot:
    with database.transaction() as session:
        channels = _channels(session)
        ids = [channel.id for channel in channels]
        events = read_events(session.connection(), ids, start_utc, end_utc) if ids else ()
        asset_ids = {e.catalog_asset_id for e in events if e.catalog_asset_id is not None}
        assets = _assets(session, asset_ids) if asset_ids else {}
        first_aired = _first_aired(session, ids, start_utc - LOOKBACK, events) if asset_ids else {}
    return GuideSnapshot(
        window_start_utc=start_utc,
        window_end_utc=end_utc,
        channels=channels,
        events=events,
        assets=assets,
        first_aired_utc=first_aired,
    )


def read_channels(database: Database) -> tuple[GuideChannel, ...]:
    with database.transaction() as session:
        return _channels(session)


def _channels(session: Session) -> tuple[GuideChannel, ...]:
    rows = session.execute(
        select(
            Channel.id,
            Channel.number,
            Channel.name,
            Channel.call_sign,
            Channel.logo,
            Channel.timezone,
            Channel.grid_minutes,
            Channel.grid_offset_minutes,
        ).where(Channel.enabled.is_(True))
    ).all()
    channels = [GuideChannel(*row) for row in rows]
    return tuple(sorted(channels, key=lambda c: number_sort_key(c.number)))


def _assets(session: Session, asset_ids: set[int]) -> dict[int, GuideAsset]:
    c = CatalogAsset
    columns = (
        c.id,
        c.kind,
        c.guide_title,
        c.genres,
        c.artwork_url,
        c.content_rating,
        c.year,
        c.aired_date,
        c.duration_ms,
        c.file_path,
    )
    assets: dict[int, GuideAsset] = {}
    ordered = sorted(asset_ids)
    for chunk in range(0, len(ordered), ID_CHUNK):
        rows = session.execute(select(*columns).where(c.id.in_(ordered[chunk : chunk + ID_CHUNK])))
        for row in rows:
            genres = tuple(str(g) for g in row.genres) if isinstance(row.genres, list) else ()
            assets[row.id] = GuideAsset(
                id=row.id,
                kind=row.kind,
                guide_title=row.guide_title,
                genres=genres,
                artwork_url=row.artwork_url,
                content_rating=row.content_rating,
                year=row.year,
                aired_date=row.aired_date,
                duration_ms=row.duration_ms,
                file_path=row.file_path,
            )
    return assets


def _first_aired(
    session: Session,
    channel_ids: list[int],
    read_from_utc: datetime,
    events: tuple[GuideEvent, ...],
) -> dict[tuple[int, int], datetime]:
    """Earliest airing per (channel, asset): planned programmes (those already read, and the
    history before them) and the as-run log."""
    p, a = PlaylogEvent, AsRun
    planned = session.execute(
        select(p.channel_id, p.catalog_asset_id, func.min(p.start_utc))
        .where(p.channel_id.in_(channel_ids), p.start_utc < read_from_utc)
        .where(p.kind == "programme", p.catalog_asset_id.is_not(None))
        .group_by(p.channel_id, p.catalog_asset_id)
    )
    first: dict[tuple[int, int], datetime] = {}
    for channel_id, asset_id, when in planned:
        if asset_id is not None:
            first[(channel_id, asset_id)] = when
    for event in events:
        if event.kind == "programme" and event.catalog_asset_id is not None:
            key = (event.channel_id, event.catalog_asset_id)
            if key not in first or event.start_utc < first[key]:
                first[key] = event.start_utc
    aired = session.execute(
        select(a.channel_id, a.catalog_asset_id, func.min(a.actual_start_utc))
        .where(a.catalog_asset_id.is_not(None), a.status.in_(AIRED_STATUSES))
        .group_by(a.channel_id, a.catalog_asset_id)
    )
    for channel_id, asset_id, when in aired:
        if asset_id is None:
            continue
        key = (channel_id, asset_id)
        if key not in first or when < first[key]:
            first[key] = when
    return first


def change_stamp(database: Database) -> tuple[object, ...]:
    """Cheap aggregates that move whenever anything the guide shows changes.

    The scheduler deletes and re-inserts a day it rebuilds, so the lowest and highest playlog
    ids (two primary-key index probes) catch every build, rebuild and prune; rows rewritten in
    place are caught by :func:`deep_stamp`. Channels and the catalog are small: counts and newest
    update.
    """
    with database.transaction() as session:
        return _stamp(session)


def deep_stamp(database: Database) -> tuple[object, ...]:
    """The newest playlog build time: catches rows rewritten in place (the scheduler slating a
    withdrawn asset). A full scan, so the service asks for it only now and then."""
    with database.transaction() as session:
        return (session.scalar(select(func.max(PlaylogEvent.built_utc))),)


def _stamp(session: Session) -> tuple[object, ...]:
    p, c, a = PlaylogEvent, Channel, CatalogAsset
    query = select(
        select(func.min(p.id)).scalar_subquery(),
        select(func.max(p.id)).scalar_subquery(),
        select(func.count()).select_from(c).scalar_subquery(),
        select(func.max(c.updated_utc)).scalar_subquery(),
        select(func.count()).select_from(a).scalar_subquery(),
        select(func.max(a.updated_utc)).scalar_subquery(),
    )
    return tuple(session.execute(query).one())
