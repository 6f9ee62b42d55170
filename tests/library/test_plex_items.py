"""Plex values -> scanned items: keys, parts, markers on each part's timeline, mapping, version."""

from __future__ import annotations

from pathlib import Path

from retrovue.library.pathmap import Mapping
from retrovue.library.plex_items import (
    PlexMarker,
    PlexPart,
    PlexTech,
    PlexVideo,
    scanned_items,
)


def _video(parts: tuple[PlexPart, ...], markers: tuple[PlexMarker, ...] = ()) -> PlexVideo:
    return PlexVideo(
        rating_key=42,
        kind="movie",
        library="Movies",
        title="Epic",
        series_title=None,
        season=None,
        episode=None,
        year=1960,
        aired_date=None,
        description="",
        genres=("Drama",),
        content_rating=None,
        artwork_url=None,
        duration_ms=sum(p.duration_ms or 0 for p in parts),
        updated_at_s=1_700_000_000,
        parts=parts,
        markers=markers,
        tech=PlexTech(container="mkv", interlaced=True),
    )


def test_marker_across_a_part_boundary_is_cut_at_the_end_of_its_part() -> None:
    parts = (
        PlexPart(1, "D:\\Films\\Epic\\cd1.mkv", 10, 1000),
        PlexPart(2, "D:\\Films\\Epic\\cd2.mkv", 10, 1000),
    )
    markers = (PlexMarker("chapter", 900, 1500, "Intermission"), PlexMarker("credits", 1800, 2000))
    video = _video(parts, markers)
    first, second = scanned_items(video, [Mapping("D:\\Films", "/srv/films")])
    assert (first.external_key, second.external_key) == ("42:1", "42:2")
    assert [(m.kind, m.start_ms, m.end_ms) for m in first.markers] == [("chapter", 900, 1000)]
    assert [(m.kind, m.start_ms, m.end_ms) for m in second.markers] == [("credits", 800, 1000)]
    assert first.probe_path == Path("/srv/films/Epic/cd1.mkv")
    assert first.metadata.description is None  # an empty summary is no description
    assert first.probe is not None
    assert (first.probe.duration_ms, first.probe.interlaced, first.probe.field_order) == (
        1000,
        True,
        None,
    )
    assert first.file_mtime_ns != second.file_mtime_ns  # each part's markers are in its version


def test_single_part_keeps_the_bare_rating_key_and_all_markers() -> None:
    (item,) = scanned_items(
        _video((PlexPart(7, "/data/Epic.mkv", 5, 3000),), (PlexMarker("intro", 0, 10),)),
        [Mapping("/data", "/m")],
    )
    assert item.external_key == "42"
    assert item.metadata.title == "Epic"
    assert [m.kind for m in item.markers] == ["intro"]


def test_no_duration_means_no_stand_in_probe() -> None:
    video = _video((PlexPart(7, "/data/Epic.mkv", None, None),))
    (item,) = scanned_items(video, [])
    assert item.probe is None
    assert item.probe_path is None
    assert item.unplayable_reason is not None
