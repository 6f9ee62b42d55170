"""Configuration of Plex sources: add one (checked against the live server), and path mappings.

``add_plex_source`` contacts the server first (token, libraries) and writes the source with its
mappings in one transaction only when everything checks out: an unreachable server, a timeout, a
refused token or an unknown library title writes nothing.

Path mappings are ordered; the longest covering prefix wins (:mod:`retrovue.library.pathmap`).
Adding or removing one re-marks the source's assets playable or not in the same transaction, so
the review lists are right before the next sync.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.library import LibraryAsset, PathMapping, Source
from retrovue.errors import ConflictError, NotFoundError, ValidationError
from retrovue.library import pathmap
from retrovue.library.plex import (
    DEFAULT_TIMEOUT_S,
    PlexLibrary,
    PlexSettings,
    ServerInfo,
    choose_libraries,
    clean_url,
    display_url,
    server_info,
)
from retrovue.library.sources import SourceView, add_source, get_source

DescribeFn = Callable[[PlexSettings], ServerInfo]


@dataclass(frozen=True)
class PlexSourceAdded:
    source: SourceView
    server: ServerInfo
    libraries: tuple[PlexLibrary, ...]
    uncovered: tuple[str, ...]  # library folders no mapping covers

    def to_json(self) -> dict[str, Any]:
        return {
            **self.source.to_json(),
            "server": self.server.name,
            "libraries": [lib.title for lib in self.libraries],
            "unmapped_locations": list(self.uncovered),
        }


@dataclass(frozen=True)
class MappingView:
    position: int
    from_prefix: str
    to_prefix: str

    def to_json(self) -> dict[str, Any]:
        return {"position": self.position, "from": self.from_prefix, "to": self.to_prefix}


def add_plex_source(
    database: Database,
    clock: Clock,
    *,
    name: str,
    url: str,
    token: str,
    libraries: Sequence[str] = (),
    mappings: Sequence[str] = (),
    is_filler: bool = False,
    tags: Sequence[str] = (),
    timeout_s: float = DEFAULT_TIMEOUT_S,
    describe: DescribeFn = server_info,
) -> PlexSourceAdded:
    """Check the server, then write the source and its mappings in one transaction."""
    base_url = clean_url(url)
    token = token.strip()
    if not token:
        raise ValidationError("--token must not be empty")
    if timeout_s <= 0:
        raise ValidationError("--timeout must be a positive number of seconds")
    parsed = unique_mappings([pathmap.parse_mapping(text) for text in mappings])
    wanted = tuple(dict.fromkeys(t.strip() for t in libraries if t.strip()))
    check_name_free(database, name)
    settings = PlexSettings(base_url, token, wanted, timeout_s)
    info = describe(settings)
    chosen = choose_libraries(info.libraries, wanted, f"Plex server {display_url(base_url)}")
    view = add_source(
        database,
        clock,
        name=name,
        kind="plex",
        settings={
            "url": base_url,
            "token": token,
            "libraries": list(wanted),
            "timeout_s": timeout_s,
            "server_name": info.name,
            "machine_identifier": info.machine_identifier,
        },
        is_filler=is_filler,
        tags=tags,
        path_mappings=[(m.from_prefix, m.to_prefix) for m in parsed],
    )
    locations = [loc for lib in chosen for loc in lib.locations]
    return PlexSourceAdded(view, info, tuple(chosen), tuple(pathmap.unmapped(parsed, locations)))


def unique_mappings(mappings: list[pathmap.Mapping]) -> list[pathmap.Mapping]:
    seen: set[str] = set()
    for mapping in mappings:
        if mapping.from_prefix in seen:
            raise ValidationError(f"path mapping from {mapping.from_prefix!r} given twice")
        seen.add(mapping.from_prefix)
    return mappings


def check_name_free(database: Database, name: str) -> None:
    with database.transaction() as session:
        taken = session.scalars(select(Source.id).where(Source.name == name.strip())).first()
    if taken is not None:
        raise ConflictError(f"a source named {name.strip()!r} already exists")


SERVER_KINDS = ("plex", "jellyfin", "emby")


def _plex_source(session: Session, name: str) -> Source:
    source = get_source(session, name)
    if source.kind not in SERVER_KINDS:
        raise ValidationError(
            f"source {name!r} is a {source.kind} source; path mappings belong to server "
            "sources (plex, jellyfin, emby)"
        )
    return source


def list_mappings(database: Database, name: str) -> list[MappingView]:
    with database.transaction() as session:
        source = _plex_source(session, name)
        return [_mapping_view(i, m) for i, m in enumerate(source.path_mappings)]


def add_mapping(
    database: Database,
    clock: Clock,
    name: str,
    from_prefix: str,
    to_prefix: str,
    *,
    position: int | None = None,
) -> list[MappingView]:
    """Insert a mapping (at the end, or at ``position``); returns the source's mappings."""
    mapping = pathmap.make_mapping(from_prefix, to_prefix)
    with database.transaction(immediate=True) as session:
        source = _plex_source(session, name)
        current = list(source.path_mappings)
        if any(m.from_prefix == mapping.from_prefix for m in current):
            raise ConflictError(
                f"source {name!r} already maps {mapping.from_prefix!r} "
                "(remove it first: retrovue source map remove)"
            )
        if position is not None and not 0 <= position <= len(current):
            raise ValidationError(f"--position must be between 0 and {len(current)}")
        row = PathMapping(from_prefix=mapping.from_prefix, to_prefix=mapping.to_prefix)
        current.insert(len(current) if position is None else position, row)
        return _store(session, clock, source, current)


def remove_mapping(
    database: Database, clock: Clock, name: str, from_prefix: str
) -> list[MappingView]:
    with database.transaction(immediate=True) as session:
        source = _plex_source(session, name)
        current = list(source.path_mappings)
        wanted = from_prefix.strip()
        keep = [m for m in current if m.from_prefix not in (wanted, wanted.rstrip("/\\"))]
        if len(keep) == len(current):
            raise NotFoundError(f"source {name!r} has no path mapping from {from_prefix!r}")
        return _store(session, clock, source, keep)


def _store(
    session: Session, clock: Clock, source: Source, mappings: list[PathMapping]
) -> list[MappingView]:
    source.path_mappings = mappings  # rows left out are deleted (delete-orphan)
    for position, row in enumerate(mappings):
        row.position = position
    source.updated_utc = clock.now_utc()
    session.flush()
    refresh_playable(session, clock, source)
    return [_mapping_view(i, m) for i, m in enumerate(mappings)]


def refresh_playable(session: Session, clock: Clock, source: Source) -> int:
    """Re-mark the source's assets playable or not under its current mappings; returns changes."""
    mappings = [pathmap.Mapping(m.from_prefix, m.to_prefix) for m in source.path_mappings]
    changed = 0
    assets = session.scalars(
        select(LibraryAsset).where(
            LibraryAsset.source_id == source.id, LibraryAsset.deleted.is_(False)
        )
    )
    for asset in assets:
        reason = pathmap.apply(mappings, asset.file_path).reason
        if asset.playable != (reason is None) or asset.unplayable_reason != reason:
            asset.playable = reason is None
            asset.unplayable_reason = reason
            asset.updated_utc = clock.now_utc()
            changed += 1
    return changed


WEBHOOK_SECRET_BYTES = 24


def enable_webhook(database: Database, clock: Clock, name: str) -> str:
    """Give Plex source ``name`` a new webhook secret (the old one stops working); returns it."""
    secret = secrets.token_urlsafe(WEBHOOK_SECRET_BYTES)
    with database.transaction(immediate=True) as session:
        source = get_source(session, name)
        if source.kind != "plex":
            raise ValidationError(f"source {name!r} is a {source.kind} source; webhooks are Plex's")
        source.settings = {**(source.settings or {}), "webhook_secret": secret}
        source.updated_utc = clock.now_utc()
    return secret


def source_for_webhook(database: Database, secret: str) -> str | None:
    """The name of the Plex source whose webhook secret this is (compared in constant time)."""
    with database.transaction() as session:
        rows = session.execute(select(Source.name, Source.settings).where(Source.kind == "plex"))
        found = None
        for name, settings in rows:
            known = str((settings or {}).get("webhook_secret") or "")
            if known and hmac.compare_digest(known.encode(), secret.encode()):
                found = name
    return found


def _mapping_view(position: int, row: PathMapping) -> MappingView:
    return MappingView(position, row.from_prefix, row.to_prefix)
