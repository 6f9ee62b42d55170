"""Review services: list, show, approve, reject."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.broadcast.promotion import promote
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.db.models.library import LibraryAsset
from retrovue.errors import NotFoundError, ValidationError
from retrovue.library.review import (
    AssetFilter,
    approve_assets,
    list_assets,
    reject_assets,
    show_asset,
)
from retrovue.library.sources import list_sources, remove_source
from tests.library.conftest import Station

PILOT = "TV/Show (2005)/Season 01/Show - S01E01 - Pilot.mkv"


def key_ids(st: Station) -> dict[str, int]:
    with st.database.transaction() as session:
        return {a.external_key: a.id for a in session.scalars(select(LibraryAsset))}


def states(st: Station) -> dict[int, str]:
    with st.database.transaction() as session:
        return {a.id: a.review_state for a in session.scalars(select(LibraryAsset))}


def test_list_filters(station: Station) -> None:
    station.sync()
    assert len(list_assets(station.database, AssetFilter())) == 12
    failed = list_assets(station.database, AssetFilter(state="failed"))
    assert {r["title"] for r in failed} == {"empty", "notes", "truncated"}
    assert all(r["reason"] for r in failed)
    show = list_assets(station.database, AssetFilter(series="The Show", source="tv"))
    assert [(r["season"], r["episode"]) for r in show] == [(0, 1), (1, 1), (1, 2)]
    with pytest.raises(ValidationError, match="state 'bogus'"):
        list_assets(station.database, AssetFilter(state="bogus"))
    with pytest.raises(NotFoundError, match="no source named 'x'"):
        list_assets(station.database, AssetFilter(source="x"))


def test_show_detail(station: Station) -> None:
    station.sync()
    detail = show_asset(station.database, key_ids(station)[PILOT])
    assert detail["title"] == "Pilot Episode"
    assert [m["title"] for m in detail["markers"]] == ["Cold open", "Act One"]
    assert [t["codec"] for t in detail["audio_tracks"]] == ["aac", "ac3"]
    with pytest.raises(NotFoundError, match="no library asset with id 4242"):
        show_asset(station.database, 4242)


def test_approve_and_reject(station: Station) -> None:
    station.sync()
    keys = key_ids(station)
    pilot, empty, alien = (
        keys[PILOT],
        keys["broken/empty.mkv"],
        keys["Movies/Alien (1979)/Alien (1979).mkv"],
    )
    before = states(station)
    with pytest.raises(ValidationError, match=f"{empty}: failed probe"):
        approve_assets(station.database, station.clock, [pilot, empty])
    with pytest.raises(NotFoundError, match="no library asset with id 777, 778"):
        approve_assets(station.database, station.clock, [pilot, 777, 778])
    assert states(station) == before
    assert approve_assets(station.database, station.clock, [pilot]) == [pilot]
    with pytest.raises(ValidationError, match="--reason"):
        reject_assets(station.database, station.clock, [alien], "  ")
    reject_assets(station.database, station.clock, [alien], "wrong cut")
    after = states(station)
    assert (after[pilot], after[alien]) == ("approved", "rejected")
    assert show_asset(station.database, alien)["reason"] == "wrong cut"


def test_remove_source_invalidates_catalog_and_deletes_assets(station: Station) -> None:
    station.sync()
    promote(station.database, station.clock, asset_ids=[key_ids(station)[PILOT]])
    assert [s.assets for s in list_sources(station.database)] == [12]
    assert remove_source(station.database, "tv", on_assets_removed=invalidate_library_assets) == 12
    assert list_sources(station.database) == []
    with station.database.transaction() as session:
        [row] = session.scalars(select(CatalogAsset)).all()
        assert (row.canonical, row.available, row.source_ingest_asset_id) == (False, False, None)
        assert session.scalars(select(LibraryAsset)).all() == []
