"""Real files with chapters, synced and promoted: the scheduler's catalog carries their chapter
starts as break points (never in the first or last minute)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from retrovue.broadcast.catalog import invalidate_library_assets, set_breaks
from retrovue.broadcast.promotion import promote
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.library.ingest import sync_source
from retrovue.library.sources import add_filesystem_source
from retrovue.scheduler.store import load_catalog
from retrovue.testing.media import ChapterSpec, MediaSpec, make_media

ACTS = (
    ChapterSpec(0, 70, "Cold open"),
    ChapterSpec(70, 130, "Act One"),
    ChapterSpec(130, 190, "Act Two"),
    ChapterSpec(190, 200, "Tag"),  # starts in the last minute: no break there
)


def long_spec(chapters: tuple[ChapterSpec, ...] = ()) -> MediaSpec:
    """200 s of tiny picture at 2 frames a second, no audio: quick to write."""
    return MediaSpec(
        duration_s=200.0, width=64, height=48, fps=Fraction(2), gop=50, audio=(), chapters=chapters
    )


@pytest.fixture
def media(tmp_path: Path) -> Path:
    root = tmp_path / "media"
    make_media(root / "Acts - S01E01 - Matroska.mkv", long_spec(ACTS))
    make_media(root / "Acts - S01E02 - MPEG-4.mp4", long_spec(ACTS))
    make_media(root / "Acts - S01E03 - Plain.mkv", long_spec())
    return root


def test_chapter_starts_reach_the_scheduler(db: Database, clock: FakeClock, media: Path) -> None:
    add_filesystem_source(db, clock, "tv", str(media))
    sync_source(db, clock, "tv", on_assets_removed=invalidate_library_assets)
    promote(db, clock, source="tv")
    with db.transaction() as session:
        catalog = load_catalog(session)
        by_episode = {item.episode: item for item in catalog.items}
    assert set(by_episode) == {1, 2, 3}
    for episode in (1, 2):  # Matroska and MP4 chapters alike
        assert by_episode[episode].break_points_ms == (70_000, 130_000)
        assert by_episode[episode].no_break_ms == ()
    assert by_episode[3].break_points_ms == ()  # nothing known: the scheduler computes them

    set_breaks(db, clock, by_episode[3].asset_id, [100_000, 65_000])
    with db.transaction() as session:
        plain = {i.episode: i for i in load_catalog(session).items}[3]
    assert plain.break_points_ms == (65_000, 100_000)
