"""Promotion fills a catalog asset's break points from its library markers; an operator's own list
survives a re-promotion; clearing it goes back to what the library knows."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from retrovue.broadcast.catalog import set_breaks, show_catalog
from retrovue.broadcast.promotion import promote
from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.db.models.library import LibraryAsset, Marker
from retrovue.errors import NotFoundError, ValidationError
from tests.library.conftest import (  # noqa: F401 (fixtures)
    Station,
    library,
    library_template,
    station,
)

PILOT = "TV/Show (2005)/Season 01/Show - S01E01 - Pilot.mkv"
MIN = 60_000
HALF_HOUR = 30 * MIN


@pytest.fixture
def synced(db: Database, request: pytest.FixtureRequest) -> Station:
    st: Station = request.getfixturevalue("station")
    st.sync()
    return st


def set_library_markers(st: Station, markers: list[tuple[str, int, int]]) -> int:
    """Give the pilot's library asset a half-hour length and these markers (as a sync would)."""
    with st.database.transaction() as session:
        asset = session.scalars(
            select(LibraryAsset).where(LibraryAsset.external_key == PILOT)
        ).one()
        asset.duration_ms = HALF_HOUR
        asset.markers = [Marker(kind=k, start_ms=s, end_ms=e) for k, s, e in markers]
        return asset.id


def catalog_breaks(st: Station) -> tuple[int, dict[str, object]]:
    with st.database.transaction() as session:
        row = session.scalars(select(CatalogAsset)).one()
        return row.id, dict(row.breaks)


ACTS = [("chapter", 0, 7 * MIN), ("chapter", 7 * MIN, 15 * MIN), ("chapter", 15 * MIN, HALF_HOUR)]
INTRO = ("intro", 30_000, 90_000)
CREDITS = ("credits", 28 * MIN, HALF_HOUR)


def test_chapters_and_intro_credits_become_breaks(synced: Station) -> None:
    pilot = set_library_markers(synced, [*ACTS, INTRO, CREDITS])
    promote(synced.database, synced.clock, asset_ids=[pilot])
    _, breaks = catalog_breaks(synced)
    assert breaks == {
        "points_ms": [7 * MIN, 15 * MIN],
        "avoid_ms": [[30_000, 90_000], [28 * MIN, HALF_HOUR]],
        "source": "chapters",
    }


def test_ad_break_markers_come_first_and_a_re_promotion_follows_the_library(
    synced: Station,
) -> None:
    pilot = set_library_markers(synced, [*ACTS, ("ad_break", 11 * MIN, 11 * MIN + 2000)])
    assert promote(synced.database, synced.clock, asset_ids=[pilot]).breaks_changed == []
    cid, breaks = catalog_breaks(synced)
    assert (breaks["points_ms"], breaks["source"]) == ([11 * MIN], "markers")
    set_library_markers(synced, ACTS)  # Plex dropped its commercial marker
    assert promote(synced.database, synced.clock, asset_ids=[pilot]).breaks_changed == [cid]
    _, breaks = catalog_breaks(synced)
    assert (breaks["points_ms"], breaks["source"]) == ([7 * MIN, 15 * MIN], "chapters")
    assert promote(synced.database, synced.clock, asset_ids=[pilot]).breaks_changed == []


def test_an_asset_without_usable_markers_gets_nothing(synced: Station) -> None:
    promote(synced.database, synced.clock, source="tv")  # every file is one second long
    with synced.database.transaction() as session:
        breaks = list(session.scalars(select(CatalogAsset.breaks)))
    assert len(breaks) == 9
    assert all(b == {} for b in breaks)


def test_operator_list_survives_re_promotion_and_clear_goes_back(synced: Station) -> None:
    pilot = set_library_markers(synced, [*ACTS, INTRO])
    promote(synced.database, synced.clock, asset_ids=[pilot])
    cid, _ = catalog_breaks(synced)
    mine, changed = set_breaks(synced.database, synced.clock, cid, [15 * MIN + 10_000, 462_000])
    assert changed
    assert mine == {
        "points_ms": [462_000, 15 * MIN + 10_000],
        "avoid_ms": [[30_000, 90_000]],
        "source": "operator",
    }
    assert set_breaks(synced.database, synced.clock, cid, [462_000, 910_000]) == (mine, False)
    set_library_markers(synced, [("chapter", 0, 9 * MIN), ("chapter", 9 * MIN, HALF_HOUR)])
    promote(synced.database, synced.clock, asset_ids=[pilot])
    # the operator's points stay; the ranges never cut follow the library (no intro any more)
    assert show_catalog(synced.database, cid)["breaks"] == {**mine, "avoid_ms": []}
    # clear: what the library knew when the asset was last promoted
    cleared, changed = set_breaks(synced.database, synced.clock, cid, None)
    assert changed
    assert cleared == {"points_ms": [9 * MIN], "avoid_ms": [], "source": "chapters"}
    assert catalog_breaks(synced)[1] == cleared


def test_bad_points_change_nothing(synced: Station) -> None:
    pilot = set_library_markers(synced, ACTS)
    promote(synced.database, synced.clock, asset_ids=[pilot])
    cid, before = catalog_breaks(synced)
    with pytest.raises(ValidationError, match="outside the asset"):
        set_breaks(synced.database, synced.clock, cid, [MIN, HALF_HOUR + 1])
    with pytest.raises(ValidationError, match="given twice"):
        set_breaks(synced.database, synced.clock, cid, [MIN, MIN])
    with pytest.raises(NotFoundError, match="no catalog asset with id 9999"):
        set_breaks(synced.database, synced.clock, 9999, [MIN])
    assert catalog_breaks(synced)[1] == before
    with synced.database.transaction() as session:
        session.execute(update(CatalogAsset).values(breaks={}))
    assert catalog_breaks(synced)[1] == {}
