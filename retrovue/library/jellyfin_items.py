"""Jellyfin/Emby items (``BaseItemDto`` JSON) as plain values, and as the library's scanned items.

PURE apart from one ``stat`` of the mapped local file. :func:`read_video` turns one item of a
listing into a :class:`ServerVideo` (the series' genres, rating and poster come from the series
items read first); :func:`scanned_items` turns that into
:class:`~retrovue.library.registry.ScannedItem` values, the way the Plex importer does:

* the external key is the server's item id; the parts of a stacked (multi-part) movie are
  ``ID:1``, ``ID:2`` ..., titled ``Title (part 1 of 2)``, each with the chapters that start inside
  it on its own timeline;
* only the first media source (the server's default version) of a multi-version item is
  imported;
* the server's path goes through the source's path mappings; a path none covers marks the item not
  playable with the reason; the server's stream information stands in for a probe when the file
  is not on this host;
* the version the sync compares covers the server's ``Etag``, the size and length of the media
  source, the chapters and the local file's size and mtime.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from retrovue.library import pathmap
from retrovue.library.plex_items import PlexAudio, PlexPart, PlexSubtitle, PlexTech, plex_probe
from retrovue.library.registry import ItemMarker, ItemMetadata, ScannedItem

TICKS_PER_MS = 10_000
VIDEO_TYPES = ("Episode", "Movie", "Video", "MusicVideo")
# library collection types -> what their items are (None: a "mixed" library)
COLLECTION_KINDS: dict[str | None, str] = {
    "tvshows": "episode",
    "movies": "movie",
    "homevideos": "other",
    "musicvideos": "other",
    None: "other",
}
Json = Mapping[str, Any]


@dataclass(frozen=True)
class SeriesInfo:
    genres: tuple[str, ...]
    content_rating: str | None
    year: int | None


@dataclass(frozen=True)
class ServerPart:
    file: str
    size: int | None
    duration_ms: int | None
    tech: PlexTech


@dataclass(frozen=True)
class ServerVideo:
    """One episode, movie or video as the server describes it."""

    item_id: str
    kind: str  # episode | movie | other
    title: str
    series_title: str | None
    season: int | None
    episode: int | None
    episode_end: int | None
    year: int | None
    aired_date: date | None
    description: str | None
    genres: tuple[str, ...]
    content_rating: str | None
    artwork_url: str | None
    etag: str
    parts: tuple[ServerPart, ...]
    chapter_starts: tuple[tuple[int, str | None], ...]  # (start_ms, name), in order


def read_video(item: Json, series: Mapping[str, SeriesInfo], base_url: str) -> ServerVideo | None:
    """The item as a value; None when it is not a video with a file."""
    if item.get("Type") not in VIDEO_TYPES or not isinstance(item.get("Id"), str):
        return None
    part = read_part(item)
    if part is None:
        return None
    kind = {"Episode": "episode", "Movie": "movie"}.get(str(item["Type"]), "other")
    show = series.get(str(item.get("SeriesId") or ""))
    genres = tuple(str(g) for g in item.get("Genres") or () if g)
    return ServerVideo(
        item_id=str(item["Id"]),
        kind=kind,
        title=str(item.get("Name") or ""),
        series_title=_str(item.get("SeriesName")) if kind == "episode" else None,
        season=_int(item.get("ParentIndexNumber")) if kind == "episode" else None,
        episode=_int(item.get("IndexNumber")) if kind == "episode" else None,
        episode_end=_int(item.get("IndexNumberEnd")) if kind == "episode" else None,
        year=_int(item.get("ProductionYear")) or _year(item.get("PremiereDate")),
        aired_date=_date(item.get("PremiereDate")),
        description=_str(item.get("Overview")),
        genres=genres or (show.genres if show else ()),
        content_rating=_str(item.get("OfficialRating")) or (show.content_rating if show else None),
        artwork_url=artwork_url(item, base_url),
        etag=str(item.get("Etag") or item.get("DateModified") or ""),
        parts=(part,),
        chapter_starts=_chapter_starts(item.get("Chapters")),
    )


def read_series(item: Json) -> tuple[str, SeriesInfo] | None:
    if item.get("Type") != "Series" or not item.get("Id"):
        return None
    info = SeriesInfo(
        tuple(str(g) for g in item.get("Genres") or () if g),
        _str(item.get("OfficialRating")),
        _int(item.get("ProductionYear")),
    )
    return str(item["Id"]), info


def read_part(item: Json) -> ServerPart | None:
    """The first media source (the default version) of an item, or its own path."""
    sources = [s for s in item.get("MediaSources") or () if isinstance(s, Mapping)]
    source: Json = sources[0] if sources else {}
    path = source.get("Path") or item.get("Path")
    if not isinstance(path, str) or not path:
        return None
    ticks = _int(source.get("RunTimeTicks")) or _int(item.get("RunTimeTicks"))
    return ServerPart(
        file=path,
        size=_int(source.get("Size")),
        duration_ms=ticks // TICKS_PER_MS if ticks else None,
        tech=_tech(source, path),
    )


def part_count(item: Json) -> int:
    return max(1, _int(item.get("PartCount")) or 1)


def with_parts(video: ServerVideo, extra: Sequence[ServerPart]) -> ServerVideo:
    return replace(video, parts=(*video.parts, *extra))


def artwork_url(item: Json, base_url: str) -> str | None:
    """The poster: the series' for an episode, else the item's own (image URLs need no key)."""
    series_tag, series_id = item.get("SeriesPrimaryImageTag"), item.get("SeriesId")
    if series_tag and series_id:
        return f"{base_url}/Items/{series_id}/Images/Primary?tag={series_tag}"
    tag = (item.get("ImageTags") or {}).get("Primary")
    return f"{base_url}/Items/{item['Id']}/Images/Primary?tag={tag}" if tag else None


def _tech(source: Json, path: str) -> PlexTech:
    streams = [s for s in source.get("MediaStreams") or () if isinstance(s, Mapping)]
    video = next((s for s in streams if s.get("Type") == "Video"), {})
    interlaced = video.get("IsInterlaced")
    return PlexTech(
        container=_str(source.get("Container")) or Path(path).suffix.lstrip(".").lower() or None,
        video_codec=_str(video.get("Codec")),
        width=_int(video.get("Width")),
        height=_int(video.get("Height")),
        sample_aspect_ratio=None,
        frame_rate=_float(video.get("AverageFrameRate") or video.get("RealFrameRate")),
        interlaced=interlaced if isinstance(interlaced, bool) else None,
        audio=tuple(
            PlexAudio(
                str(s.get("Codec") or "unknown"),
                _int(s.get("Channels")) or 0,
                _int(s.get("SampleRate")) or 0,
                _str(s.get("Language")),
            )
            for s in streams
            if s.get("Type") == "Audio"
        ),
        subtitles=tuple(
            PlexSubtitle(str(s.get("Codec") or "unknown"), _str(s.get("Language")))
            for s in streams
            if s.get("Type") == "Subtitle"
        ),
    )


def _chapter_starts(raw: Any) -> tuple[tuple[int, str | None], ...]:
    starts = {
        (_int(c.get("StartPositionTicks")) or 0) // TICKS_PER_MS: _str(c.get("Name"))
        for c in raw or ()
        if isinstance(c, Mapping)
    }
    return tuple(sorted(starts.items()))


def chapters(video: ServerVideo) -> tuple[ItemMarker, ...]:
    """Chapter markers: each ends where the next starts, the last at the end of the item."""
    total_ms = sum(p.duration_ms or 0 for p in video.parts)
    starts = video.chapter_starts
    found = []
    for number, (start_ms, title) in enumerate(starts):
        end_ms = starts[number + 1][0] if number + 1 < len(starts) else total_ms
        found.append(ItemMarker("chapter", start_ms, max(start_ms, end_ms), title))
    return tuple(found)


# ---- scanned items ---------------------------------------------------------------------------


def scanned_items(
    video: ServerVideo, mappings: Sequence[pathmap.PrefixMapping]
) -> list[ScannedItem]:
    """One scanned item per part (one for nearly everything)."""
    count = len(video.parts)
    all_chapters = chapters(video)
    items, offset_ms = [], 0
    for number, part in enumerate(video.parts, start=1):
        markers = _part_chapters(all_chapters, offset_ms, part.duration_ms, count)
        items.append(_scanned(video, part, number, count, markers, mappings))
        offset_ms += part.duration_ms or 0
    return items


def _part_chapters(
    chapters: Sequence[ItemMarker], offset_ms: int, duration_ms: int | None, count: int
) -> tuple[ItemMarker, ...]:
    if count <= 1 or duration_ms is None:
        return tuple(chapters)
    end_of_part = offset_ms + duration_ms
    return tuple(
        ItemMarker(m.kind, m.start_ms - offset_ms, min(m.end_ms, end_of_part) - offset_ms, m.title)
        for m in chapters
        if offset_ms <= m.start_ms < end_of_part
    )


def _scanned(
    video: ServerVideo,
    part: ServerPart,
    number: int,
    count: int,
    markers: tuple[ItemMarker, ...],
    mappings: Sequence[pathmap.PrefixMapping],
) -> ScannedItem:
    mapped = pathmap.apply(mappings, part.file)
    local = Path(mapped.path) if mapped.path is not None else None
    stat = _stat(local)
    title = video.title if count <= 1 else f"{video.title} (part {number} of {count})"
    metadata = ItemMetadata(
        kind=video.kind,
        title=title,
        series_title=video.series_title,
        season=video.season,
        episode=video.episode,
        episode_end=video.episode_end,
        year=video.year,
        aired_date=video.aired_date,
        description=video.description,
        genres=video.genres,
        content_rating=video.content_rating,
        artwork_url=video.artwork_url,
    )
    plex_part = PlexPart(number, part.file, part.size, part.duration_ms)
    return ScannedItem(
        external_key=video.item_id if count <= 1 else f"{video.item_id}:{number}",
        file_path=part.file,
        metadata=metadata,
        file_size=stat.st_size if stat is not None else part.size,
        file_mtime_ns=item_version(video.etag, part, stat, markers),
        probe_path=local,
        probe=plex_probe(part.tech, plex_part, part.duration_ms, markers),
        markers=markers,
        unplayable_reason=mapped.reason,
    )


def item_version(
    etag: str, part: ServerPart, stat: os.stat_result | None, markers: Sequence[ItemMarker]
) -> int:
    """What the sync compares to decide "unchanged" (stored where a file's mtime goes)."""
    local = f"{stat.st_size}:{stat.st_mtime_ns}" if stat is not None else "-"
    marks = ";".join(f"{m.start_ms},{m.end_ms},{m.title}" for m in markers)
    text = f"{etag}|{part.size}|{part.duration_ms}|{local}|{marks}"
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # fits a signed 64-bit column


def _stat(path: Path | None) -> os.stat_result | None:
    if path is None:
        return None
    try:
        return path.stat()
    except OSError:
        return None


def _str(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return round(float(value), 3) if value is not None else None
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _year(value: Any) -> int | None:
    found = _date(value)
    return found.year if found is not None else None
