"""The importer registry: one importer per source kind, all feeding the same sync service.

An importer turns a source into :class:`ScannedItem` values; it never touches the database. The
shared sync (:mod:`retrovue.library.ingest`) decides what is new, changed, unchanged or gone,
probes what needs probing, and writes each item in its own transaction.

Built-in kinds resolve lazily (no work at import time): ``filesystem``, ``plex``
(:mod:`retrovue.library.plex`), ``jellyfin`` and ``emby`` (:mod:`retrovue.library.jellyfin`).
Tests and extensions may :func:`register_importer` their own.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from retrovue.errors import SourceError
from retrovue.library.probe import ProbeResult


@dataclass(frozen=True)
class PathMap:
    from_prefix: str
    to_prefix: str


@dataclass(frozen=True)
class SourceSpec:
    """What an importer knows about its source (a plain copy of the ``Source`` row)."""

    id: int
    name: str
    kind: str
    settings: Mapping[str, Any]
    is_filler: bool
    tags: tuple[str, ...]
    path_mappings: tuple[PathMap, ...] = ()


@dataclass(frozen=True)
class ItemMetadata:
    """Descriptive metadata of one item, as the importer found it."""

    kind: str  # episode, movie, filler, other
    title: str
    series_title: str | None = None
    season: int | None = None
    episode: int | None = None
    episode_end: int | None = None
    year: int | None = None
    aired_date: date | None = None
    description: str | None = None
    genres: tuple[str, ...] = ()
    content_rating: str | None = None
    artwork_url: str | None = None


@dataclass(frozen=True)
class ItemMarker:
    kind: str  # chapter, intro, credits, ad_break
    start_ms: int
    end_ms: int
    title: str | None = None


@dataclass(frozen=True)
class ScannedItem:
    """One playable thing a source holds.

    ``file_size`` and ``file_mtime_ns`` identify the item's version (a server importer may put its
    update stamp, in nanoseconds, in ``file_mtime_ns``): when both are unchanged the item is not
    probed again. ``probe_path`` is the local
    file to probe (None: nothing local to probe). ``probe`` may carry technical data the importer
    already has; a local probe wins when both exist. ``unplayable_reason`` marks an item imported
    but not playable (for example a server path no mapping covers).
    """

    external_key: str
    file_path: str
    metadata: ItemMetadata
    file_size: int | None = None
    file_mtime_ns: int | None = None
    probe_path: Path | None = None
    probe: ProbeResult | None = None
    markers: tuple[ItemMarker, ...] = ()
    unplayable_reason: str | None = None
    extra_tags: tuple[str, ...] = field(default=())
    subtitle_files: tuple[dict[str, Any], ...] = ()  # sidecars (library.subtitles)


class Importer(Protocol):
    """Scans one source; raises :class:`SourceError` when the source as a whole is unreadable."""

    kind: str

    def scan(self, source: SourceSpec) -> Iterable[ScannedItem]: ...


ImporterFactory = Callable[[], Importer]

_BUILTIN: dict[str, tuple[str, str]] = {
    "filesystem": ("retrovue.library.filesystem", "FilesystemImporter"),
    "plex": ("retrovue.library.plex", "PlexImporter"),
    "jellyfin": ("retrovue.library.jellyfin", "JellyfinImporter"),
    "emby": ("retrovue.library.jellyfin", "EmbyImporter"),
}
_registered: dict[str, ImporterFactory] = {}


def register_importer(kind: str, factory: ImporterFactory) -> None:
    """Register (or replace) the importer for ``kind``."""
    _registered[kind] = factory


def unregister_importer(kind: str) -> None:
    _registered.pop(kind, None)


def importer_for(kind: str) -> Importer:
    """A fresh importer for ``kind``; :class:`SourceError` when no importer handles it."""
    factory = _registered.get(kind)
    if factory is not None:
        return factory()
    if kind in _BUILTIN:
        module_name, attribute = _BUILTIN[kind]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name != module_name:
                raise
            raise SourceError(f"no importer for source kind {kind!r} in this build") from err
        importer: Importer = getattr(module, attribute)()
        return importer
    raise SourceError(f"no importer for source kind {kind!r}")
