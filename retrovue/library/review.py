"""Review: list and show library assets, approve or reject them (never touches the catalog)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.library import REVIEW_STATES, LibraryAsset, Source
from retrovue.errors import NotFoundError, ValidationError
from retrovue.library.sources import get_source
from retrovue.library.subtitles import caption_sources


@dataclass(frozen=True)
class AssetFilter:
    source: str | None = None
    state: str | None = None
    series: str | None = None
    include_deleted: bool = False


def asset_summary(asset: LibraryAsset, source_name: str) -> dict[str, Any]:
    return {
        "id": asset.id,
        "source": source_name,
        "kind": asset.kind,
        "series": asset.series_title,
        "season": asset.season,
        "episode": asset.episode,
        "title": asset.title,
        "duration_ms": asset.duration_ms,
        "state": asset.review_state,
        "deleted": asset.deleted,
        "reason": asset.review_reason,
    }


def asset_caption_sources(asset: LibraryAsset) -> list[dict[str, Any]]:
    """What can become the asset's captions, in the order the channel's choice prefers."""
    closed = bool((asset.video_details or {}).get("closed_captions"))
    return caption_sources(asset.subtitle_files or [], asset.subtitle_tracks or [], closed)


def asset_detail(asset: LibraryAsset, source_name: str) -> dict[str, Any]:
    detail = asset_summary(asset, source_name)
    detail.update(
        {
            "file_path": asset.file_path,
            "external_key": asset.external_key,
            "episode_end": asset.episode_end,
            "year": asset.year,
            "aired_date": asset.aired_date,
            "description": asset.description,
            "genres": list(asset.genres or []),
            "content_rating": asset.content_rating,
            "artwork_url": asset.artwork_url,
            "tags": list(asset.tags or []),
            "container": asset.container,
            "video_codec": asset.video_codec,
            "width": asset.width,
            "height": asset.height,
            "sample_aspect_ratio": asset.sample_aspect_ratio,
            "frame_rate": asset.frame_rate,
            "interlaced": asset.interlaced,
            "video_details": dict(asset.video_details or {}),
            "audio_tracks": list(asset.audio_tracks or []),
            "loudness": dict(asset.loudness or {}),
            "subtitle_tracks": list(asset.subtitle_tracks or []),
            "subtitle_files": list(asset.subtitle_files or []),
            "captions": asset_caption_sources(asset),
            "markers": [
                {"kind": m.kind, "start_ms": m.start_ms, "end_ms": m.end_ms, "title": m.title}
                for m in asset.markers
            ],
            "file_size": asset.file_size,
            "playable": asset.playable,
            "unplayable_reason": asset.unplayable_reason,
            "probed_utc": asset.probed_utc,
            "updated_utc": asset.updated_utc,
        }
    )
    return detail


def list_assets(database: Database, filters: AssetFilter) -> list[dict[str, Any]]:
    if filters.state is not None and filters.state not in REVIEW_STATES:
        raise ValidationError(f"state {filters.state!r}: one of {', '.join(REVIEW_STATES)}")
    with database.transaction() as session:
        query = select(LibraryAsset, Source.name).join(Source)
        if filters.source is not None:
            query = query.where(LibraryAsset.source_id == get_source(session, filters.source).id)
        if filters.state is not None:
            query = query.where(LibraryAsset.review_state == filters.state)
        if filters.series is not None:
            query = query.where(LibraryAsset.series_title == filters.series)
        if not filters.include_deleted:
            query = query.where(LibraryAsset.deleted.is_(False))
        query = query.order_by(
            LibraryAsset.series_title,
            LibraryAsset.season,
            LibraryAsset.episode,
            LibraryAsset.title,
            LibraryAsset.id,
        )
        return [asset_summary(row[0], row[1]) for row in session.execute(query).all()]


def show_asset(database: Database, asset_id: int) -> dict[str, Any]:
    with database.transaction() as session:
        asset = session.get(LibraryAsset, asset_id, options=[selectinload(LibraryAsset.markers)])
        if asset is None:
            raise NotFoundError(f"no library asset with id {asset_id}")
        source = session.get(Source, asset.source_id)
        return asset_detail(asset, source.name if source else "?")


def load_assets(session: Session, asset_ids: Sequence[int]) -> list[LibraryAsset]:
    """The assets in the given order; :class:`NotFoundError` naming every unknown id."""
    if not asset_ids:
        raise ValidationError("give at least one asset id")
    found = {
        a.id: a for a in session.scalars(select(LibraryAsset).where(LibraryAsset.id.in_(asset_ids)))
    }
    missing = [str(i) for i in dict.fromkeys(asset_ids) if i not in found]
    if missing:
        raise NotFoundError(f"no library asset with id {', '.join(missing)}")
    return [found[i] for i in dict.fromkeys(asset_ids)]


def approve_assets(database: Database, clock: Clock, asset_ids: Sequence[int]) -> list[int]:
    """Approve every asset or none: failed or deleted ones are refused with the reason."""
    with database.transaction(immediate=True) as session:
        assets = load_assets(session, asset_ids)
        refused = [f"{a.id}: {why}" for a in assets if (why := _approval_refusal(a)) is not None]
        if refused:
            raise ValidationError(f"cannot approve: {'; '.join(refused)}")
        for asset in assets:
            mark_approved(asset, clock)
        return [a.id for a in assets]


def mark_approved(asset: LibraryAsset, clock: Clock) -> None:
    if asset.review_state != "approved":
        asset.review_state = "approved"
        asset.review_reason = None
        asset.updated_utc = clock.now_utc()


def _approval_refusal(asset: LibraryAsset) -> str | None:
    if asset.review_state == "failed":
        return f"failed probe ({asset.review_reason or 'no reason recorded'})"
    if asset.deleted:
        return "file is gone from its source"
    return None


def reject_assets(
    database: Database, clock: Clock, asset_ids: Sequence[int], reason: str
) -> list[int]:
    """Reject every asset with ``reason`` (required). Catalog entries are left to ``revoke``."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("--reason must say why the assets are rejected")
    with database.transaction(immediate=True) as session:
        assets = load_assets(session, asset_ids)
        for asset in assets:
            asset.review_state = "rejected"
            asset.review_reason = reason
            asset.updated_utc = clock.now_utc()
        return [a.id for a in assets]
