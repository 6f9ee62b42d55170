"""Promotion: the only path into the canonical broadcast catalog.

An operation of the broadcast admin write path that *reads* the library: for each library asset
it checks that the asset may air, then creates or updates its catalog counterpart with
``canonical = true`` and ``available = true``, copying what the broadcast side needs (guide
fields, duration, tags, playable path, technical ``media_info``). The library asset is marked
approved in the same transaction (promoting implies approving).

Selection and refusals:

* Explicit ids are all-or-nothing: if any id is unknown or refused, nothing is written and the
  error lists every refused id with its reason.
* ``--source``/``--series`` select every non-deleted asset of that source/series; refused ones
  (failed, rejected, ...) are skipped and reported with their reasons, the rest are promoted in
  one transaction. A selection where nothing can be promoted is an error.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from retrovue.broadcast.breakpoints import refreshed_breaks
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.db.models.library import LibraryAsset, Source
from retrovue.errors import PromotionError, ValidationError
from retrovue.library.review import load_assets, mark_approved
from retrovue.library.sources import clean_tags, get_source


@dataclass(frozen=True)
class Refusal:
    asset_id: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.asset_id, "reason": self.reason}


@dataclass
class PromotionResult:
    created: list[int] = field(default_factory=list)  # catalog ids
    updated: list[int] = field(default_factory=list)  # catalog ids
    skipped: list[Refusal] = field(default_factory=list)
    promoted_assets: list[int] = field(default_factory=list)  # library ids
    breaks_changed: list[int] = field(default_factory=list)  # updated catalog ids

    def to_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "promoted_assets": self.promoted_assets,
            "breaks_changed": self.breaks_changed,
            "skipped": [r.to_json() for r in self.skipped],
        }


def promote(
    database: Database,
    clock: Clock,
    *,
    asset_ids: Sequence[int] = (),
    source: str | None = None,
    series: str | None = None,
    tags: Sequence[str] = (),
) -> PromotionResult:
    """Promote the chosen library assets; see the module doc for the refusal rules."""
    chosen = sum(1 for x in (bool(asset_ids), source is not None, series is not None) if x)
    if chosen != 1:
        raise ValidationError("give asset IDs, or --source NAME, or --series NAME (one of them)")
    extra_tags = clean_tags(tags)
    with database.transaction(immediate=True) as session:
        assets = load_assets(session, asset_ids) if asset_ids else _select(session, source, series)
        sources = {s.id: s for s in session.scalars(select(Source))}
        checked = [(a, _check(a, sources[a.source_id])) for a in assets]
        refused = [Refusal(a.id, why) for a, (_, why) in checked if why is not None]
        if asset_ids and refused:
            raise PromotionError(
                "nothing promoted; refused: "
                + "; ".join(f"{r.asset_id}: {r.reason}" for r in refused)
            )
        result = PromotionResult(skipped=refused)
        for asset, (path, why) in checked:
            if why is None and path is not None:
                _upsert(session, clock, asset, sources[asset.source_id], path, extra_tags, result)
        if not result.promoted_assets:
            raise PromotionError(
                "nothing to promote; "
                + ("; ".join(f"{r.asset_id}: {r.reason}" for r in refused) or "no assets selected")
            )
        return result


def _select(session: Session, source: str | None, series: str | None) -> list[LibraryAsset]:
    query = select(LibraryAsset).where(LibraryAsset.deleted.is_(False))
    if source is not None:
        query = query.where(LibraryAsset.source_id == get_source(session, source).id)
    if series is not None:
        query = query.where(LibraryAsset.series_title == series)
    query = query.options(selectinload(LibraryAsset.markers)).order_by(LibraryAsset.id)
    assets = list(session.scalars(query))
    if not assets:
        what = f"source {source!r}" if source is not None else f"series {series!r}"
        raise PromotionError(f"no library assets in {what}")
    return assets


def _check(asset: LibraryAsset, source: Source) -> tuple[str | None, str | None]:
    """``(playable path, None)`` when the asset may air, else ``(None, reason)``."""
    if asset.deleted:
        return None, "soft-deleted (the file is gone from its source)"
    if asset.review_state == "failed":
        return None, f"failed probe ({asset.review_reason or 'no reason recorded'})"
    if asset.review_state == "rejected":
        return None, f"rejected ({asset.review_reason or 'no reason recorded'})"
    if not asset.playable:
        return None, f"not playable ({asset.unplayable_reason or 'no reason recorded'})"
    if asset.duration_ms is None or asset.duration_ms <= 0:
        return None, "no positive duration (not probed?)"
    path, why = playable_path(source, asset.file_path)
    if path is None:
        return None, why
    if not Path(path).is_file():
        return None, f"file {path} does not exist"
    return path, None


def playable_path(source: Source, file_path: str) -> tuple[str | None, str | None]:
    """The local path to play: the source's path mappings applied (longest prefix wins).

    Without mappings the file path is local already. With mappings, the mapping rules of
    :mod:`retrovue.library.pathmap` (the Plex source's module) decide.
    """
    if not source.path_mappings:
        return file_path, None
    try:
        pathmap: Any = importlib.import_module("retrovue.library.pathmap")
    except ModuleNotFoundError:
        return None, "this source has path mappings but path mapping is not available"
    mappings = [pathmap.Mapping(m.from_prefix, m.to_prefix) for m in source.path_mappings]
    mapped = pathmap.apply(mappings, file_path)
    if mapped.path is None:
        return None, str(mapped.reason or f"no path mapping covers {file_path}")
    return str(mapped.path), None


def media_info(asset: LibraryAsset) -> dict[str, Any]:
    """Technical facts the runtime needs (copy-compatibility check, audio choice, markers)."""
    return {
        "container": asset.container,
        "video_codec": asset.video_codec,
        "width": asset.width,
        "height": asset.height,
        "sample_aspect_ratio": asset.sample_aspect_ratio,
        "frame_rate": asset.frame_rate,
        "interlaced": asset.interlaced,
        **{k: v for k, v in (asset.video_details or {}).items() if k != "frame_rate"},
        "frame_rate_exact": (asset.video_details or {}).get("frame_rate"),
        "audio_tracks": list(asset.audio_tracks or []),
        "subtitle_tracks": list(asset.subtitle_tracks or []),
        "subtitle_files": list(asset.subtitle_files or []),
        "file_size": asset.file_size,
        "loudness": dict(asset.loudness or {}),  # {} never measured; see library.loudness
        "markers": [
            {"kind": m.kind, "start_ms": m.start_ms, "end_ms": m.end_ms, "title": m.title}
            for m in asset.markers
        ],
    }


def guide_fields(asset: LibraryAsset, source: Source) -> dict[str, Any]:
    kind = "filler" if source.is_filler else asset.kind
    episode_like = kind == "episode" and bool(asset.series_title)
    return {
        "kind": kind,
        "guide_title": (asset.series_title if episode_like else asset.title)
        or asset.title
        or Path(asset.file_path).stem,
        "series_title": asset.series_title,
        "season": asset.season,
        "episode": asset.episode,
        "episode_title": (asset.title or None) if episode_like else None,
        "description": asset.description,
        "year": asset.year,
        "aired_date": asset.aired_date,
        "genres": list(asset.genres or []),
        "content_rating": asset.content_rating,
        "artwork_url": asset.artwork_url,
        "duration_ms": asset.duration_ms,
    }


def _upsert(
    session: Session,
    clock: Clock,
    asset: LibraryAsset,
    source: Source,
    path: str,
    extra_tags: list[str],
    result: PromotionResult,
) -> None:
    now = clock.now_utc()
    values = guide_fields(asset, source)
    values["media_info"] = media_info(asset)  # reads markers: before any pending insert
    markers = list(asset.markers)
    values["media_info"]["provenance"] = {
        "source": source.name,
        "source_kind": source.kind,
        "external_key": asset.external_key,
        "library_file_path": asset.file_path,
    }
    values["file_path"] = path
    row = session.scalars(
        select(CatalogAsset).where(CatalogAsset.source_ingest_asset_id == asset.id)
    ).one_or_none()
    created = row is None
    # an operator's list survives a re-promotion; otherwise the library's markers decide
    values["breaks"] = refreshed_breaks(row.breaks if row else {}, values["duration_ms"], markers)
    wanted = [*(row.tags if row else []), *(source.tags or []), *(asset.tags or []), *extra_tags]
    values.update(tags=list(dict.fromkeys(wanted)), canonical=True, available=True, updated_utc=now)
    breaks_changed = row is not None and values["breaks"] != dict(row.breaks or {})
    if row is None:
        row = CatalogAsset(source_ingest_asset_id=asset.id, created_utc=now, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    mark_approved(asset, clock)
    session.flush()
    (result.created if created else result.updated).append(row.id)
    if breaks_changed:
        result.breaks_changed.append(row.id)
    result.promoted_assets.append(asset.id)
