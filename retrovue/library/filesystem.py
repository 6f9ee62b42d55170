"""The filesystem importer: walks a folder tree and describes every video file in it.

Metadata comes from the path (:mod:`retrovue.library.naming`), then Kodi ``.nfo`` sidecars
(:mod:`retrovue.library.nfo`): ``<file>.nfo`` for the item, ``movie.nfo`` in a movie folder and
``tvshow.nfo`` in the show folder. Artwork: ``<file>-thumb.jpg``/``<file>.jpg``, else
``poster.jpg``/``folder.jpg`` in the file's folder, else in the show folder (as ``file://`` URLs).
A filler source's files are all of kind ``filler``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from retrovue.errors import SourceError
from retrovue.library.naming import ParsedName, is_season_folder, is_video_file, parse_path
from retrovue.library.nfo import NfoInfo, read_nfo
from retrovue.library.registry import ItemMetadata, ScannedItem, SourceSpec
from retrovue.library.subtitles import sidecar_files

log = logging.getLogger(__name__)

ARTWORK_NAMES = ("poster.jpg", "folder.jpg", "poster.png", "folder.png", "cover.jpg")


def check_folder(path: str | Path) -> Path:
    """The absolute folder a filesystem source reads; :class:`SourceError` if it is not one."""
    folder = Path(path).expanduser()
    try:
        exists = folder.exists()
    except OSError as err:  # e.g. a name longer than the filesystem allows
        raise SourceError(f"path {str(folder)[:200]!r}: {err.strerror}") from err
    if not exists:
        raise SourceError(f"path {folder} does not exist")
    if not folder.is_dir():
        raise SourceError(f"path {folder} is not a directory")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise SourceError(f"path {folder} is not readable")
    return folder.resolve()


class FilesystemImporter:
    kind = "filesystem"

    def scan(self, source: SourceSpec) -> Iterator[ScannedItem]:
        root = check_folder(str(source.settings.get("path", "")))
        listing = _Listing()
        for folder, names in _walk(root):
            for name in names:
                item = self._item(root, folder / name, source, listing)
                if item is not None:
                    yield item

    def _item(
        self, root: Path, path: Path, source: SourceSpec, listing: _Listing
    ) -> ScannedItem | None:
        try:
            stat = path.stat()
        except OSError:
            return None  # vanished between listing and stat: treated as gone
        relative = path.relative_to(root).as_posix()
        if not _is_utf8(str(path)):
            log.warning("skipping %r: its name is not valid UTF-8; rename it", relative)
            return None
        metadata = describe(root, path, listing, filler=source.is_filler)
        return ScannedItem(
            external_key=relative,
            file_path=str(path),
            metadata=metadata,
            file_size=stat.st_size,
            file_mtime_ns=stat.st_mtime_ns,
            probe_path=path,
            subtitle_files=tuple(sidecar_files(path, listing.names(path.parent))),
        )


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _walk(root: Path) -> Iterator[tuple[Path, list[str]]]:
    """Folders in a stable order with their video files; hidden entries are skipped.

    A folder that cannot be read stops the scan with :class:`SourceError`: carrying on would
    mark everything under it as removed (and take it off the air). Symlinked folders are
    followed once (loops are cut).
    """

    def on_error(err: OSError) -> None:
        raise SourceError(f"cannot read {err.filename}: {err.strerror}; fix it and sync again")

    visited: set[tuple[int, int]] = set()
    for folder, dirs, files in os.walk(root, onerror=on_error, followlinks=True):
        try:
            stat = os.stat(folder)
        except OSError:  # vanished while walking: what was in it is gone
            dirs[:] = []
            continue
        if (stat.st_dev, stat.st_ino) in visited:
            dirs[:] = []
            continue
        visited.add((stat.st_dev, stat.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        videos = sorted(f for f in files if not f.startswith(".") and is_video_file(f))
        if videos:
            yield Path(folder), videos


class _Listing:
    """Directory contents, read once per folder (sidecar and artwork lookups)."""

    def __init__(self) -> None:
        self._names: dict[Path, frozenset[str]] = {}

    def names(self, folder: Path) -> frozenset[str]:
        if folder not in self._names:
            try:
                self._names[folder] = frozenset(os.listdir(folder))
            except OSError:
                self._names[folder] = frozenset()
        return self._names[folder]

    def find(self, folder: Path, candidates: tuple[str, ...]) -> Path | None:
        lowered = {name.lower(): name for name in self.names(folder)}
        for candidate in candidates:
            if candidate.lower() in lowered:
                return folder / lowered[candidate.lower()]
        return None


def describe(root: Path, path: Path, listing: _Listing, *, filler: bool) -> ItemMetadata:
    parsed = parse_path(path.relative_to(root).as_posix())
    show_folder = _show_folder(root, path.parent)
    own = _own_nfo(path, parsed, listing)
    show = None
    if show_folder is not None and parsed.kind == "episode":
        show = read_nfo(show_folder / "tvshow.nfo")
    metadata = _merge(parsed, own, show)
    artwork = _artwork(path, show_folder, listing)
    if artwork is not None:
        metadata = replace(metadata, artwork_url=artwork.as_uri())
    if filler:
        metadata = replace(metadata, kind="filler")
    return metadata


def _show_folder(root: Path, folder: Path) -> Path | None:
    if folder == root:
        return None
    if is_season_folder(folder.name):
        return folder.parent if folder.parent != root else None
    return folder


def _own_nfo(path: Path, parsed: ParsedName, listing: _Listing) -> NfoInfo | None:
    candidates: tuple[str, ...] = (path.stem + ".nfo",)
    if parsed.kind == "movie":
        candidates = (*candidates, "movie.nfo")
    found = listing.find(path.parent, candidates)
    return read_nfo(found) if found is not None else None


def _merge(parsed: ParsedName, own: NfoInfo | None, show: NfoInfo | None) -> ItemMetadata:
    own = own or NfoInfo()
    show = show or NfoInfo()
    series = parsed.series_title
    if parsed.kind == "episode":
        series = show.title or own.show_title or series
    return ItemMetadata(
        kind=parsed.kind,
        title=own.title or parsed.title,
        series_title=series,
        season=parsed.season if parsed.season is not None else own.season,
        episode=parsed.episode if parsed.episode is not None else own.episode,
        episode_end=parsed.episode_end,
        year=own.year or parsed.year or show.year,
        aired_date=own.aired_date or parsed.aired_date,
        description=own.plot,
        genres=own.genres or show.genres,
        content_rating=own.content_rating or show.content_rating,
    )


def _artwork(path: Path, show_folder: Path | None, listing: _Listing) -> Path | None:
    own = listing.find(path.parent, (f"{path.stem}-thumb.jpg", f"{path.stem}.jpg"))
    if own is not None:
        return own
    for folder in (path.parent, show_folder):
        if folder is not None:
            found = listing.find(folder, ARTWORK_NAMES)
            if found is not None:
                return found
    return None
