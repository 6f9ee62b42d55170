"""Catalog queries, tags, revocation and invalidation by the library."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from retrovue.broadcast.catalog import (
    CatalogFilter,
    invalidate_library_assets,
    list_catalog,
    revoke_catalog,
    show_catalog,
    tag_catalog,
)
from retrovue.broadcast.promotion import promote
from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.errors import NotFoundError, ValidationError
from tests.library.conftest import (  # noqa: F401 (fixtures)
    Station,
    library,
    library_template,
    station,
)


@pytest.fixture
def promoted(db: Database, request: pytest.FixtureRequest) -> Station:
    """``station`` after a sync (``db`` is named so the test runs on both backends)."""
    st: Station = request.getfixturevalue("station")
    st.sync()
    promote(st.database, st.clock, source="tv")
    return st


def flags(st: Station) -> dict[int, tuple[bool, bool]]:
    with st.database.transaction() as session:
        return {c.id: (c.canonical, c.available) for c in session.scalars(select(CatalogAsset))}


def test_list_filters_and_show(promoted: Station) -> None:
    everything = list_catalog(promoted.database)
    assert len(everything) == 9
    movies = list_catalog(promoted.database, CatalogFilter(kind="movie"))
    assert sorted(r["guide_title"] for r in movies) == ["Alien", "Heat"]
    first = everything[0]["id"]
    tag_catalog(promoted.database, promoted.clock, first, add=["Spooky"])
    assert [r["id"] for r in list_catalog(promoted.database, CatalogFilter(tag="spooky"))] == [
        first
    ]
    revoke_catalog(promoted.database, promoted.clock, [first])
    canonical = list_catalog(promoted.database, CatalogFilter(canonical_only=True))
    assert first not in {r["id"] for r in canonical}
    assert len(canonical) == 8
    detail = show_catalog(promoted.database, first)
    assert detail["canonical"] is False
    assert "media_info" in detail
    assert detail["library_asset_id"] is not None


def test_tag_add_remove_and_bad_input(promoted: Station) -> None:
    cid = list_catalog(promoted.database)[0]["id"]
    assert tag_catalog(promoted.database, promoted.clock, cid, add=["a", "b"]) == [
        "retro",
        "a",
        "b",
    ]
    assert tag_catalog(promoted.database, promoted.clock, cid, remove=["retro"], add=["c"]) == [
        "a",
        "b",
        "c",
    ]
    with pytest.raises(ValidationError, match="both added and removed"):
        tag_catalog(promoted.database, promoted.clock, cid, add=["x"], remove=["x"])
    with pytest.raises(ValidationError, match="one word"):
        tag_catalog(promoted.database, promoted.clock, cid, add=["two words"])
    with pytest.raises(ValidationError, match="--add"):
        tag_catalog(promoted.database, promoted.clock, cid)
    with pytest.raises(NotFoundError, match="no catalog asset with id 999"):
        tag_catalog(promoted.database, promoted.clock, 999, add=["x"])
    assert show_catalog(promoted.database, cid)["tags"] == ["a", "b", "c"]


def test_revoke_is_all_or_nothing(promoted: Station) -> None:
    before = flags(promoted)
    some = sorted(before)[:2]
    with pytest.raises(NotFoundError):
        revoke_catalog(promoted.database, promoted.clock, [*some, 999])
    assert flags(promoted) == before
    assert revoke_catalog(promoted.database, promoted.clock, some) == some
    assert revoke_catalog(promoted.database, promoted.clock, some) == []  # already revoked
    after = flags(promoted)
    assert all(after[i] == (False, True) for i in some)


def test_invalidation_runs_inside_the_callers_transaction(promoted: Station) -> None:
    with promoted.database.transaction() as session:
        library_ids = [
            i
            for i in session.scalars(
                select(CatalogAsset.source_ingest_asset_id).order_by(CatalogAsset.id).limit(2)
            )
            if i is not None
        ]
    with pytest.raises(RuntimeError), promoted.database.transaction() as session:
        invalidate_library_assets(session, library_ids)
        raise RuntimeError("roll back")
    assert all(f == (True, True) for f in flags(promoted).values())
    with promoted.database.transaction() as session:
        assert invalidate_library_assets(session, library_ids) == 2
        assert invalidate_library_assets(session, library_ids) == 0  # already off the air
        assert invalidate_library_assets(session, []) == 0
    with promoted.database.transaction() as session:
        rows = session.scalars(
            select(CatalogAsset).where(CatalogAsset.source_ingest_asset_id.in_(library_ids))
        ).all()
        assert [(r.canonical, r.available) for r in rows] == [(False, False)] * len(library_ids)
    assert sum(1 for f in flags(promoted).values() if f == (True, True)) == 9 - len(library_ids)
