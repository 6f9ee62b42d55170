"""The broadcast catalog: queries, tags, revocation, and invalidation when library files go away.

Only ``canonical`` and ``available`` catalog assets air. ``canonical`` is set by promotion alone
(:mod:`retrovue.broadcast.promotion`); here it is only ever cleared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from retrovue.broadcast.breakpoints import Mark, library_breaks, operator_breaks
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.errors import NotFoundError, ValidationError


def invalidate_library_assets(session: Session, library_asset_ids: list[int]) -> int:
    """Library files went away: their catalog counterparts stop airing (same transaction).

    Returns how many catalog assets changed (were canonical or available before).
    """
    if not library_asset_ids:
        return 0
    result = session.execute(
        update(CatalogAsset)
        .where(
            CatalogAsset.source_ingest_asset_id.in_(library_asset_ids),
            or_(CatalogAsset.available.is_(True), CatalogAsset.canonical.is_(True)),
        )
        .values(available=False, canonical=False)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


class CatalogInvalidation:
    """``invalidate_library_assets`` as a callback that counts the catalog assets it changed."""

    def __init__(self) -> None:
        self.changed = 0

    def __call__(self, session: Session, library_asset_ids: list[int]) -> None:
        self.changed += invalidate_library_assets(session, library_asset_ids)


@dataclass(frozen=True)
class CatalogFilter:
    canonical_only: bool = False
    tag: str | None = None
    kind: str | None = None
    series: str | None = None


def catalog_summary(asset: CatalogAsset) -> dict[str, Any]:
    return {
        "id": asset.id,
        "kind": asset.kind,
        "guide_title": asset.guide_title,
        "season": asset.season,
        "episode": asset.episode,
        "episode_title": asset.episode_title,
        "duration_ms": asset.duration_ms,
        "tags": list(asset.tags or []),
        "canonical": asset.canonical,
        "available": asset.available,
    }


def catalog_detail(asset: CatalogAsset) -> dict[str, Any]:
    detail = catalog_summary(asset)
    detail.update(
        {
            "library_asset_id": asset.source_ingest_asset_id,
            "series_title": asset.series_title,
            "description": asset.description,
            "year": asset.year,
            "aired_date": asset.aired_date,
            "genres": list(asset.genres or []),
            "content_rating": asset.content_rating,
            "artwork_url": asset.artwork_url,
            "file_path": asset.file_path,
            "media_info": dict(asset.media_info or {}),
            "breaks": dict(asset.breaks or {}),
            "created_utc": asset.created_utc,
            "updated_utc": asset.updated_utc,
        }
    )
    return detail


def list_catalog(
    database: Database, filters: CatalogFilter = CatalogFilter()
) -> list[dict[str, Any]]:
    with database.transaction() as session:
        query = select(CatalogAsset)
        if filters.canonical_only:
            query = query.where(CatalogAsset.canonical.is_(True))
        if filters.kind is not None:
            query = query.where(CatalogAsset.kind == filters.kind)
        if filters.series is not None:
            query = query.where(CatalogAsset.series_title == filters.series)
        query = query.order_by(
            CatalogAsset.guide_title, CatalogAsset.season, CatalogAsset.episode, CatalogAsset.id
        )
        rows = session.scalars(query).all()
        tag = filters.tag.strip().lower() if filters.tag else None
        return [catalog_summary(a) for a in rows if tag is None or tag in (a.tags or [])]


def get_catalog_asset(session: Session, catalog_id: int) -> CatalogAsset:
    asset = session.get(CatalogAsset, catalog_id)
    if asset is None:
        raise NotFoundError(f"no catalog asset with id {catalog_id} (see: retrovue catalog list)")
    return asset


def show_catalog(database: Database, catalog_id: int) -> dict[str, Any]:
    with database.transaction() as session:
        return catalog_detail(get_catalog_asset(session, catalog_id))


def _tags(values: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        tag = value.strip().lower()
        if not tag or any(c in tag for c in ", \t\n"):
            raise ValidationError(f"tag {value!r}: use one word without commas or spaces")
        cleaned.append(tag)
    return cleaned


def tag_catalog(
    database: Database,
    clock: Clock,
    catalog_id: int,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> list[str]:
    """Add and remove tags on one catalog asset; returns its tags afterwards."""
    to_add, to_remove = _tags(add), _tags(remove)
    if not to_add and not to_remove:
        raise ValidationError("give --add TAG and/or --remove TAG")
    both = sorted(set(to_add) & set(to_remove))
    if both:
        raise ValidationError(f"tag {both[0]!r} is both added and removed")
    with database.transaction(immediate=True) as session:
        asset = get_catalog_asset(session, catalog_id)
        tags = [t for t in (asset.tags or []) if t not in to_remove]
        tags += [t for t in to_add if t not in tags]
        if tags != list(asset.tags or []):
            asset.tags = tags
            asset.updated_utc = clock.now_utc()
        return tags


def revoke_catalog(database: Database, clock: Clock, catalog_ids: Sequence[int]) -> list[int]:
    """Clear ``canonical`` on every given asset (all or none); returns the ids that changed."""
    if not catalog_ids:
        raise ValidationError("give at least one catalog asset id")
    with database.transaction(immediate=True) as session:
        assets = [get_catalog_asset(session, i) for i in dict.fromkeys(catalog_ids)]
        changed = []
        for asset in assets:
            if asset.canonical:
                asset.canonical = False
                asset.updated_utc = clock.now_utc()
                changed.append(asset.id)
        return changed


def _marks(asset: CatalogAsset) -> list[Mark]:
    """The markers the asset was promoted with (the library's, as of that promotion)."""
    return [Mark.from_json(m) for m in (asset.media_info or {}).get("markers", [])]


def set_breaks(
    database: Database, clock: Clock, catalog_id: int, points_ms: Sequence[int] | None
) -> tuple[dict[str, Any], bool]:
    """The operator's break points for one asset, or (``None``) back to what the library knows.

    Returns the asset's ``breaks`` afterwards and whether they changed.
    """
    with database.transaction(immediate=True) as session:
        asset = get_catalog_asset(session, catalog_id)
        if points_ms is None:
            wanted = library_breaks(asset.duration_ms, _marks(asset))
        else:
            wanted = operator_breaks(asset.duration_ms, points_ms, _marks(asset))
        changed = wanted != dict(asset.breaks or {})
        if changed:
            asset.breaks = wanted
            asset.updated_utc = clock.now_utc()
        return wanted, changed
