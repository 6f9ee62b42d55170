"""Rows written straight into the broadcast tables (the scheduler is not needed for these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from retrovue.db import Database
from retrovue.db.models.broadcast import AsRun, CatalogAsset, Channel, PlaylogEvent


def add_channel(database: Database, now: datetime, number: str, **kw: Any) -> int:
    with database.transaction(immediate=True) as session:
        channel = Channel(
            number=number,
            name=kw.pop("name", f"Channel {number}"),
            timezone=kw.pop("timezone", "UTC"),
            created_utc=now,
            updated_utc=now,
            **kw,
        )
        session.add(channel)
        session.flush()
        return channel.id


def add_asset(database: Database, now: datetime, title: str, **kw: Any) -> int:
    with database.transaction(immediate=True) as session:
        asset = CatalogAsset(
            kind=kw.pop("kind", "episode"),
            guide_title=title,
            duration_ms=kw.pop("duration_ms", 22 * 60_000),
            file_path=kw.pop("file_path", f"/media/{title}.mkv"),
            canonical=True,
            created_utc=now,
            updated_utc=now,
            **kw,
        )
        session.add(asset)
        session.flush()
        return asset.id


def add_event(
    database: Database,
    channel_id: int,
    start_utc: datetime,
    end_utc: datetime,
    *,
    kind: str = "programme",
    title: str = "Programme",
    **kw: Any,
) -> int:
    with database.transaction(immediate=True) as session:
        event = PlaylogEvent(
            channel_id=channel_id,
            broadcast_day=start_utc.date(),
            start_utc=start_utc,
            end_utc=end_utc,
            kind=kind,
            title=title,
            built_utc=kw.pop("built_utc", start_utc),
            **kw,
        )
        session.add(event)
        session.flush()
        return event.id


def add_asrun(
    database: Database, channel_id: int, asset_id: int, start_utc: datetime, status: str = "aired"
) -> None:
    with database.transaction(immediate=True) as session:
        session.add(
            AsRun(
                channel_id=channel_id,
                catalog_asset_id=asset_id,
                kind="programme",
                title="aired",
                actual_start_utc=start_utc,
                status=status,
            )
        )
