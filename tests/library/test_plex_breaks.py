"""A Plex item's chapters, intro/credits and commercial markers become its catalog break points."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.broadcast.promotion import promote
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.db.models.library import LibraryAsset
from retrovue.library.ingest import sync_source
from retrovue.library.plex_sources import add_plex_source
from retrovue.testing.fake_plex import FakePlexServer
from retrovue.testing.media import MediaSpec, make_media
from tests.library.plex_support import PILOT, SHORT_TIMEOUT_S, TOKEN, serve_fake_plex

PILOT_KEY = 121  # 22 minutes; chapters at 0, 1:35, 10:40; intro 1:35-2:05; credits from 21:00


@pytest.fixture
def fake_plex() -> Iterator[FakePlexServer]:
    yield from serve_fake_plex()


def _promoted_breaks(db: Database, clock: FakeClock) -> dict[str, Any]:
    sync_source(db, clock, "home", on_assets_removed=invalidate_library_assets)
    with db.transaction() as session:
        pilot = session.scalars(
            select(LibraryAsset.id).where(LibraryAsset.external_key == str(PILOT_KEY))
        ).one()
    promote(db, clock, asset_ids=[pilot])
    with db.transaction() as session:
        return dict(
            session.scalars(
                select(CatalogAsset.breaks).where(CatalogAsset.source_ingest_asset_id == pilot)
            ).one()
        )


def test_plex_chapters_then_commercial_markers(
    db: Database, clock: FakeClock, fake_plex: FakePlexServer, tmp_path: Path
) -> None:
    # the local file, as long as Plex says (22 minutes of tiny picture, quick to write)
    spec = MediaSpec(duration_s=1320.0, width=64, height=48, fps=Fraction(1), gop=60, audio=())
    make_media(tmp_path / PILOT.removeprefix("/data/"), spec)
    add_plex_source(
        db,
        clock,
        name="home",
        url=fake_plex.url,
        token=TOKEN,
        libraries=["TV Shows"],
        mappings=[f"/data={tmp_path}"],
        timeout_s=SHORT_TIMEOUT_S,
    )
    assert _promoted_breaks(db, clock) == {
        "points_ms": [95_000, 640_000],  # the cold open's start is in the first minute
        "avoid_ms": [[95_000, 125_000], [1_260_000, 1_320_000]],
        "source": "chapters",
    }

    fake_plex.plex.update(
        PILOT_KEY,
        markers=[
            {"type": "intro", "start": 95000, "end": 125000},
            {"type": "commercial", "start": 110000, "end": 120000},  # inside the intro: no
            {"type": "commercial", "start": 480000, "end": 540000},
            {"type": "commercial", "start": 900000, "end": 960000},
        ],
    )
    assert _promoted_breaks(db, clock) == {
        "points_ms": [480_000, 900_000],
        "avoid_ms": [[95_000, 125_000]],
        "source": "markers",
    }
