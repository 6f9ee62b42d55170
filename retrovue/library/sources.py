"""Sources: add, list and remove (the configuration side of the library domain).

``add_source`` is kind-neutral (the Plex source uses it with its own settings); each kind validates
its own settings before calling it. Removing a source removes its library assets; their catalog
counterparts are invalidated first through the same callback the sync uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.library import SOURCE_KINDS, LibraryAsset, PathMapping, Source
from retrovue.errors import ConflictError, NotFoundError, ValidationError
from retrovue.library.filesystem import check_folder
from retrovue.library.registry import PathMap, SourceSpec
from retrovue.library.sync_policy import next_due_utc, policy_from

_MAX_NAME = 200


@dataclass(frozen=True)
class SourceView:
    id: int
    name: str
    kind: str
    location: str
    is_filler: bool
    tags: tuple[str, ...]
    assets: int
    failed: int
    last_synced_utc: datetime | None
    sync: str = "manual"
    last_sync_started_utc: datetime | None = None
    last_sync_result: str | None = None
    last_sync_message: str | None = None
    next_sync_utc: datetime | None = None

    @property
    def last_sync(self) -> str:
        """``ok``, ``failed: why`` ... for the table (``-``: never synced)."""
        if self.last_sync_started_utc is None:
            return "-"
        result = self.last_sync_result or "running"
        return f"{result}: {self.last_sync_message}" if result == "failed" else result

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "location": self.location,
            "filler": self.is_filler,
            "tags": list(self.tags),
            "assets": self.assets,
            "failed": self.failed,
            "last_synced_utc": self.last_synced_utc,
            "sync": self.sync,
            "last_sync_started_utc": self.last_sync_started_utc,
            "last_sync_result": self.last_sync_result,
            "last_sync_message": self.last_sync_message,
            "next_sync_utc": self.next_sync_utc,
        }


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Tags are trimmed, lower-cased, de-duplicated in order; an empty tag is an error."""
    cleaned: list[str] = []
    for tag in tags:
        value = tag.strip().lower()
        if not value or any(c in value for c in ", \t\n"):
            raise ValidationError(f"tag {tag!r}: use one word without commas or spaces")
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def get_source(session: Session, name: str) -> Source:
    source = session.scalars(select(Source).where(Source.name == name)).one_or_none()
    if source is None:
        raise NotFoundError(f"no source named {name!r} (see: retrovue source list)")
    return source


def source_spec(session: Session, name: str) -> SourceSpec:
    source = get_source(session, name)
    return SourceSpec(
        id=source.id,
        name=source.name,
        kind=source.kind,
        settings=dict(source.settings or {}),
        is_filler=source.is_filler,
        tags=tuple(source.tags or ()),
        path_mappings=tuple(PathMap(m.from_prefix, m.to_prefix) for m in source.path_mappings),
    )


def add_source(
    database: Database,
    clock: Clock,
    *,
    name: str,
    kind: str,
    settings: dict[str, Any],
    is_filler: bool = False,
    tags: Sequence[str] = (),
    path_mappings: Sequence[tuple[str, str]] = (),
) -> SourceView:
    """Create a source (with its ordered path mappings) in one transaction; :class:`ConflictError`
    when the name is taken."""
    name = name.strip()
    if not name or len(name) > _MAX_NAME:
        raise ValidationError(f"source name must be 1 to {_MAX_NAME} characters")
    if kind not in SOURCE_KINDS:
        raise ValidationError(f"unknown source kind {kind!r} (one of {', '.join(SOURCE_KINDS)})")
    cleaned = clean_tags(tags)
    with database.transaction(immediate=True) as session:
        taken = session.scalars(select(Source.id).where(Source.name == name)).first()
        if taken is not None:
            raise ConflictError(f"a source named {name!r} already exists")
        now = clock.now_utc()
        source = Source(
            name=name,
            kind=kind,
            settings=settings,
            is_filler=is_filler,
            tags=cleaned,
            enabled=True,
            created_utc=now,
            updated_utc=now,
            path_mappings=[
                PathMapping(position=i, from_prefix=f, to_prefix=t)
                for i, (f, t) in enumerate(path_mappings)
            ],
        )
        session.add(source)
        session.flush()
        return _view(session, source)


def add_filesystem_source(
    database: Database,
    clock: Clock,
    name: str,
    path: str,
    *,
    is_filler: bool = False,
    tags: Sequence[str] = (),
) -> SourceView:
    folder = check_folder(path)
    return add_source(
        database,
        clock,
        name=name,
        kind="filesystem",
        settings={"path": str(folder)},
        is_filler=is_filler,
        tags=tags,
    )


def list_sources(database: Database, now_utc: datetime | None = None) -> list[SourceView]:
    """Every source; with ``now_utc``, each scheduled one's next sync too."""
    with database.transaction() as session:
        sources = session.scalars(select(Source).order_by(Source.name)).all()
        return [_view(session, s, now_utc) for s in sources]


def remove_source(
    database: Database, name: str, *, on_assets_removed: Callable[[Session, list[int]], object]
) -> int:
    """Delete the source and its assets; returns how many assets went with it."""
    with database.transaction(immediate=True) as session:
        source = get_source(session, name)
        ids = list(
            session.scalars(select(LibraryAsset.id).where(LibraryAsset.source_id == source.id))
        )
        if ids:
            on_assets_removed(session, ids)
        session.delete(source)
        return len(ids)


def _view(session: Session, source: Source, now_utc: datetime | None = None) -> SourceView:
    counts = dict(
        session.execute(
            select(LibraryAsset.review_state, func.count())
            .where(LibraryAsset.source_id == source.id, LibraryAsset.deleted.is_(False))
            .group_by(LibraryAsset.review_state)
        ).all()
    )
    settings = source.settings or {}
    location = str(settings.get("path") or settings.get("url") or "")
    policy = policy_from(source.sync_every_s, source.sync_at, source.sync_timezone)
    return SourceView(
        id=source.id,
        name=source.name,
        kind=source.kind,
        location=location,
        is_filler=source.is_filler,
        tags=tuple(source.tags or ()),
        assets=int(sum(counts.values())),
        failed=int(counts.get("failed", 0)),
        last_synced_utc=source.last_synced_utc,
        sync=policy.describe(),
        last_sync_started_utc=source.last_sync_started_utc,
        last_sync_result=source.last_sync_result,
        last_sync_message=source.last_sync_message,
        next_sync_utc=(
            next_due_utc(policy, source.last_sync_started_utc, now_utc) if now_utc else None
        ),
    )
