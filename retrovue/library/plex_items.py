"""Plex items as plain values, and how they become the library's scanned items.

:mod:`retrovue.library.plex` reads the server through plexapi into the frozen values here; this
module turns them into :class:`~retrovue.library.registry.ScannedItem` values: the external key is
the Plex rating key (``"121"``; the parts of a multi-part movie are ``"310:1"``, ``"310:2"``), the
server's path is mapped to a local one (longest prefix wins), a path no mapping covers marks the
item not playable with the reason, and Plex's stream information stands in for a probe when the
local file is not there (the sync probes the local file with PyAV when it is). The version the
sync compares (:func:`item_version`) covers Plex's update stamp, the markers and the local file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from retrovue.library import pathmap
from retrovue.library.probe import AudioTrack, Chapter, ProbeResult, SubtitleTrack
from retrovue.library.registry import ItemMarker, ItemMetadata, ScannedItem

# Plex marker types -> RetroVue marker kinds
MARKER_KINDS = {"intro": "intro", "credits": "credits", "commercial": "ad_break"}


@dataclass(frozen=True)
class PlexMarker:
    kind: str  # chapter, intro, credits, ad_break
    start_ms: int
    end_ms: int
    title: str | None = None


@dataclass(frozen=True)
class PlexAudio:
    codec: str
    channels: int
    sample_rate: int
    language: str | None


@dataclass(frozen=True)
class PlexSubtitle:
    codec: str
    language: str | None


@dataclass(frozen=True)
class PlexTech:
    """Technical facts Plex reports for the media (its own analysis of the file)."""

    container: str | None = None
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None
    sample_aspect_ratio: str | None = None
    frame_rate: float | None = None
    interlaced: bool | None = None
    audio: tuple[PlexAudio, ...] = ()
    subtitles: tuple[PlexSubtitle, ...] = ()


@dataclass(frozen=True)
class PlexPart:
    id: int
    file: str
    size: int | None
    duration_ms: int | None


@dataclass(frozen=True)
class PlexVideo:
    """One episode or movie as the Plex server describes it."""

    rating_key: int
    kind: str  # episode | movie
    library: str
    title: str
    series_title: str | None
    season: int | None
    episode: int | None
    year: int | None
    aired_date: date | None
    description: str | None
    genres: tuple[str, ...]
    content_rating: str | None
    artwork_url: str | None
    duration_ms: int | None
    updated_at_s: int | None
    parts: tuple[PlexPart, ...]
    markers: tuple[PlexMarker, ...]
    tech: PlexTech


def external_key(rating_key: int, part_number: int, part_count: int) -> str:
    return str(rating_key) if part_count <= 1 else f"{rating_key}:{part_number}"


def scanned_items(video: PlexVideo, mappings: Sequence[pathmap.PrefixMapping]) -> list[ScannedItem]:
    """One scanned item per media part (one for nearly everything)."""
    count = len(video.parts)
    items = []
    offset_ms = 0
    for number, part in enumerate(video.parts, start=1):
        duration_ms = part.duration_ms if count > 1 else (video.duration_ms or part.duration_ms)
        markers = _part_markers(video.markers, offset_ms, duration_ms, count)
        items.append(_scanned(video, part, number, count, duration_ms, markers, mappings))
        offset_ms += part.duration_ms or 0
    return items


def _part_markers(
    markers: Sequence[PlexMarker], offset_ms: int, duration_ms: int | None, count: int
) -> tuple[ItemMarker, ...]:
    """The markers that start inside this part, moved to the part's own timeline."""
    if count <= 1 or duration_ms is None:
        return tuple(ItemMarker(m.kind, m.start_ms, m.end_ms, m.title) for m in markers)
    end_of_part = offset_ms + duration_ms
    return tuple(
        ItemMarker(m.kind, m.start_ms - offset_ms, min(m.end_ms, end_of_part) - offset_ms, m.title)
        for m in markers
        if offset_ms <= m.start_ms < end_of_part
    )


def _scanned(
    video: PlexVideo,
    part: PlexPart,
    number: int,
    count: int,
    duration_ms: int | None,
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
        year=video.year,
        aired_date=video.aired_date,
        description=video.description or None,
        genres=video.genres,
        content_rating=video.content_rating,
        artwork_url=video.artwork_url,
    )
    size = stat.st_size if stat is not None else part.size
    version = item_version(video, stat, markers)
    return ScannedItem(
        external_key=external_key(video.rating_key, number, count),
        file_path=part.file,
        metadata=metadata,
        file_size=size,
        file_mtime_ns=version,
        probe_path=local,
        probe=plex_probe(video.tech, part, duration_ms, markers),
        markers=markers,
        unplayable_reason=mapped.reason,
    )


def item_version(
    video: PlexVideo, stat: os.stat_result | None, markers: Sequence[ItemMarker]
) -> int:
    """What the sync compares to decide "unchanged" (stored where a file's mtime goes).

    Plex's update stamp and the markers (Plex adds intro/credits markers after the fact), plus the
    local file's size and mtime when it is here: a change to any of them re-reads the item.
    """
    local = f"{stat.st_size}:{stat.st_mtime_ns}" if stat is not None else "-"
    marks = ";".join(f"{m.kind},{m.start_ms},{m.end_ms},{m.title}" for m in markers)
    text = f"{video.updated_at_s}|{local}|{marks}"
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # fits a signed 64-bit column


def _stat(path: Path | None) -> os.stat_result | None:
    if path is None:
        return None
    try:
        return path.stat()
    except OSError:
        return None


def plex_probe(
    tech: PlexTech, part: PlexPart, duration_ms: int | None, markers: Sequence[ItemMarker]
) -> ProbeResult | None:
    """Plex's stream information in the probe's shape; None when Plex gave no duration."""
    if not duration_ms or duration_ms <= 0:
        return None
    field_order = (
        None if tech.interlaced is None else ("progressive" if not tech.interlaced else None)
    )
    return ProbeResult(
        duration_ms=duration_ms,
        container=tech.container or Path(part.file).suffix.lstrip(".").lower() or "unknown",
        video_codec=tech.video_codec,
        width=tech.width,
        height=tech.height,
        sample_aspect_ratio=tech.sample_aspect_ratio,
        frame_rate=tech.frame_rate,
        field_order=field_order,
        interlaced=tech.interlaced,
        audio_tracks=tuple(
            AudioTrack(i, a.codec, a.channels, a.sample_rate, a.language)
            for i, a in enumerate(tech.audio)
        ),
        subtitle_tracks=tuple(
            SubtitleTrack(i, s.codec, s.language) for i, s in enumerate(tech.subtitles)
        ),
        chapters=tuple(
            Chapter(m.start_ms, m.end_ms, m.title) for m in markers if m.kind == "chapter"
        ),
        file_size=part.size or 0,
    )
