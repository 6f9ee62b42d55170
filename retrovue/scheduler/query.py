"""What is airing: the questions the runtime, the guide and the CLI ask of the playlog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from retrovue.broadcast.channels import get_channel
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset, PlaylogEvent
from retrovue.db.models.library import LibraryAsset
from retrovue.errors import ScheduleError
from retrovue.library.subtitles import caption_sources
from retrovue.scheduler.store import channel_plan
from retrovue.scheduler.timegrid import broadcast_day_of, to_ms


@dataclass(frozen=True)
class OnAir:
    event_id: int
    channel_id: int
    start_utc: datetime
    end_utc: datetime
    kind: str
    title: str
    episode_title: str | None
    series: str | None
    season: int | None
    episode: int | None
    catalog_asset_id: int | None
    file_path: str | None
    asset_offset_ms: int  # offset into the FILE at the asked instant (or the event start)
    offset_ms: int  # how far into the event the instant lies
    fade_in: bool = False  # a programme's part back from a break: its sound fades in
    fade_out: bool = False  # a programme's part going into a break: its sound fades out
    role: str | None = None  # "part 2", "break 1", "up next", "station ID" (breaks, by rule)
    integrated_lufs: float | None = None  # the asset's loudness as measured at ingest
    true_peak_dbtp: float | None = None
    caption_sources: tuple[dict[str, Any], ...] = ()  # library.subtitles.caption_sources
    subtitle_tracks: tuple[dict[str, Any], ...] = ()  # the file's embedded ones (the probe's)

    @property
    def duration_ms(self) -> int:
        return to_ms(self.end_utc - self.start_utc)

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON form (ISO 8601 UTC times)."""
        return {
            "start": self.start_utc.isoformat(),
            "end": self.end_utc.isoformat(),
            "kind": self.kind,
            "title": self.title,
            "episode_title": self.episode_title,
            "series": self.series,
            "season": self.season,
            "episode": self.episode,
            "asset_id": self.catalog_asset_id,
            "offset_ms": self.offset_ms,
            "asset_offset_ms": self.asset_offset_ms,
            "role": self.role,
        }


def _rows(
    session: Session,
    *criteria: ColumnElement[bool],
    newest_first: bool = False,
    limit: int | None = None,
) -> list[tuple[PlaylogEvent, _Asset]]:
    order = PlaylogEvent.start_utc.desc() if newest_first else PlaylogEvent.start_utc
    stmt = (
        select(
            PlaylogEvent,
            CatalogAsset.file_path,
            CatalogAsset.media_info,
            LibraryAsset.loudness,
            LibraryAsset.subtitle_files,
            LibraryAsset.video_details,
        )
        .outerjoin(CatalogAsset, CatalogAsset.id == PlaylogEvent.catalog_asset_id)
        .outerjoin(LibraryAsset, LibraryAsset.id == CatalogAsset.source_ingest_asset_id)
        .where(*criteria)
        .order_by(order)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        (row[0], _Asset(row[1], row[2], row[3], row[4], row[5]))
        for row in session.execute(stmt).all()
    ]


@dataclass(frozen=True)
class _Asset:
    """What an event's catalog asset adds: its file and its measured loudness (the library
    asset's latest measurement when there is one: a re-measured file airs at its new level
    without being promoted again; else the one copied into ``media_info`` at promotion)."""

    file_path: str | None
    media_info: dict[str, Any] | None
    library_loudness: dict[str, Any] | None = None
    library_subtitle_files: list[dict[str, Any]] | None = None  # sidecars found since promotion
    library_video_details: dict[str, Any] | None = None

    def loudness(self, key: str) -> float | None:
        measured = self.library_loudness or (self.media_info or {}).get("loudness") or {}
        value = measured.get(key)
        return float(value) if isinstance(value, int | float) else None

    def caption_sources(self) -> tuple[dict[str, Any], ...]:
        """The file's subtitles that can become captions (the library's latest sidecars)."""
        info = self.media_info or {}
        files = self.library_subtitle_files
        if files is None:
            files = info.get("subtitle_files") or []
        details = self.library_video_details or info
        closed = bool(details.get("closed_captions"))
        return tuple(caption_sources(files, info.get("subtitle_tracks") or [], closed))


def _on_air(event: PlaylogEvent, asset: _Asset, at_utc: datetime) -> OnAir:
    into_ms = max(0, to_ms(at_utc - event.start_utc))
    return OnAir(
        event_id=event.id,
        channel_id=event.channel_id,
        start_utc=event.start_utc,
        end_utc=event.end_utc,
        kind=event.kind,
        title=event.title,
        episode_title=event.episode_title,
        series=event.series_title,
        season=event.season,
        episode=event.episode,
        catalog_asset_id=event.catalog_asset_id,
        file_path=asset.file_path,
        asset_offset_ms=event.offset_ms + into_ms,
        offset_ms=into_ms,
        fade_in=bool((event.guide_json or {}).get("fade_in")),
        fade_out=bool((event.guide_json or {}).get("fade_out")),
        role=_role(event.guide_json or {}),
        integrated_lufs=asset.loudness("integrated_lufs"),
        true_peak_dbtp=asset.loudness("true_peak_dbtp"),
        caption_sources=asset.caption_sources(),
        subtitle_tracks=tuple((asset.media_info or {}).get("subtitle_tracks") or ()),
    )


def _role(guide: dict[str, Any]) -> str | None:
    """What an event is within a slot with breaks (``schedule show``)."""
    if guide.get("part"):
        return f"part {guide['part']}"
    if guide.get("break"):
        return f"break {guide['break']}"
    if guide.get("up_next"):
        return "up next"
    return "station ID" if guide.get("station_id") else None


def on_air(session: Session, channel_id: int, at_utc: datetime) -> OnAir | None:
    """The event airing on ``channel_id`` at ``at_utc``, or ``None`` when nothing is built."""
    if at_utc.tzinfo is None:
        raise ScheduleError("on_air needs an aware UTC instant")
    rows = _rows(
        session,
        PlaylogEvent.channel_id == channel_id,
        PlaylogEvent.start_utc <= at_utc,
        newest_first=True,
        limit=1,
    )
    if not rows or rows[0][0].end_utc <= at_utc:
        return None
    return _on_air(rows[0][0], rows[0][1], at_utc)


def events_from(session: Session, channel_id: int, at_utc: datetime, count: int) -> list[OnAir]:
    """Up to ``count`` events: the one airing at ``at_utc`` first, then those that follow."""
    if count <= 0:
        return []
    current = on_air(session, channel_id, at_utc)
    rows = _rows(
        session,
        PlaylogEvent.channel_id == channel_id,
        PlaylogEvent.start_utc > at_utc,
        limit=count - (1 if current else 0),
    )
    later = [_on_air(event, asset, event.start_utc) for event, asset in rows]
    return ([current] if current else []) + later


def day_events(session: Session, channel_id: int, day: date) -> list[OnAir]:
    rows = _rows(session, PlaylogEvent.channel_id == channel_id, PlaylogEvent.broadcast_day == day)
    return [_on_air(event, asset, event.start_utc) for event, asset in rows]


@dataclass(frozen=True)
class DaySchedule:
    channel_number: str
    timezone: str
    day: date
    events: list[OnAir]


def schedule_for_day(
    database: Database, clock: Clock, channel_number: str, day: date | None = None
) -> DaySchedule:
    """One channel's events on broadcast day ``day`` (default: the day on air now)."""
    with database.transaction() as session:
        channel = get_channel(session, channel_number)
        plan = channel_plan(channel)
        wanted = day or broadcast_day_of(clock.now_utc(), plan.clock)
        return DaySchedule(
            channel.number, channel.timezone, wanted, day_events(session, channel.id, wanted)
        )


def now_playing(
    database: Database, clock: Clock, channel_number: str, at_utc: datetime | None = None
) -> OnAir:
    """The event on air on a channel at ``at_utc`` (default now); ScheduleError when none."""
    with database.transaction() as session:
        channel = get_channel(session, channel_number)
        when = at_utc or clock.now_utc()
        found = on_air(session, channel.id, when)
        if found is None:
            raise ScheduleError(
                f"nothing scheduled on channel {channel.number} at {when.isoformat()} "
                "(run: retrovue schedule build)"
            )
        return found
