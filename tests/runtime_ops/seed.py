"""Rows for runtime-operations tests, written straight through the models (test set-up only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset, Channel, PlaylogEvent


def add_channel(
    database: Database,
    number: str,
    name: str | None = None,
    *,
    timezone: str = "UTC",
    mode: str = "normal",
    enabled: bool = True,
    at_utc: datetime,
) -> int:
    with database.transaction() as session:
        row = Channel(
            number=number,
            name=name or f"Channel {number}",
            timezone=timezone,
            mode=mode,
            enabled=enabled,
            created_utc=at_utc,
            updated_utc=at_utc,
        )
        session.add(row)
        session.flush()
        return row.id


def add_asset(database: Database, title: str, *, at_utc: datetime, path: str = "/m/x.mp4") -> int:
    with database.transaction() as session:
        row = CatalogAsset(
            kind="episode",
            guide_title=title,
            duration_ms=1_800_000,
            file_path=path,
            canonical=True,
            available=True,
            created_utc=at_utc,
            updated_utc=at_utc,
        )
        session.add(row)
        session.flush()
        return row.id


@dataclass(frozen=True)
class Event:
    id: int
    start_utc: datetime
    end_utc: datetime
    kind: str
    title: str
    event_id: int | None
    catalog_asset_id: int | None


def add_events(
    database: Database,
    channel_id: int,
    day: date,
    start_utc: datetime,
    entries: list[tuple[str, str, int, int | None]],
) -> list[Event]:
    """Back-to-back events: ``(kind, title, minutes, catalog_asset_id)`` each."""
    events: list[Event] = []
    cursor = start_utc
    with database.transaction() as session:
        for kind, title, minutes, asset_id in entries:
            end = cursor + timedelta(minutes=minutes)
            row = PlaylogEvent(
                channel_id=channel_id,
                broadcast_day=day,
                start_utc=cursor,
                end_utc=end,
                catalog_asset_id=asset_id,
                kind=kind,
                title=title,
                built_utc=start_utc,
            )
            session.add(row)
            session.flush()
            events.append(Event(row.id, cursor, end, kind, title, row.id, asset_id))
            cursor = end
    return events
