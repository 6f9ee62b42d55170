"""Promotion: the only path to canonical; refusals with reasons; what is copied."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from retrovue.broadcast.catalog import tag_catalog
from retrovue.broadcast.promotion import promote
from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.db.models.library import LibraryAsset
from retrovue.errors import NotFoundError, PromotionError, ValidationError
from retrovue.library.review import reject_assets
from retrovue.library.sources import add_filesystem_source
from tests.library.conftest import (  # noqa: F401 (fixtures)
    Station,
    filler,
    filler_template,
    library,
    library_template,
    station,
)

PILOT = "TV/Show (2005)/Season 01/Show - S01E01 - Pilot.mkv"
ALIEN = "Movies/Alien (1979)/Alien (1979).mkv"


def ids(st: Station) -> dict[str, int]:
    with st.database.transaction() as session:
        return {a.external_key: a.id for a in session.scalars(select(LibraryAsset))}


def catalog_rows(st: Station) -> list[CatalogAsset]:
    with st.database.transaction() as session:
        return list(session.scalars(select(CatalogAsset).order_by(CatalogAsset.id)))


def library_row(st: Station, asset_id: int) -> LibraryAsset:
    with st.database.transaction() as session:
        row = session.get(LibraryAsset, asset_id)
        assert row is not None
        return row


@pytest.fixture
def synced(db: Database, request: pytest.FixtureRequest) -> Station:
    """``station`` after a sync (``db`` is named so the test runs on both backends)."""
    st: Station = request.getfixturevalue("station")
    st.sync()
    return st


def test_promotion_copies_guide_and_technical_fields(synced: Station) -> None:
    pilot = ids(synced)[PILOT]
    result = promote(synced.database, synced.clock, asset_ids=[pilot], tags=["Prime"])
    assert result.promoted_assets == [pilot]
    assert len(result.created) == 1
    [row] = catalog_rows(synced)
    assert row.source_ingest_asset_id == pilot
    assert (row.kind, row.guide_title, row.series_title) == ("episode", "The Show", "The Show")
    assert (row.season, row.episode, row.episode_title) == (1, 1, "Pilot Episode")
    assert row.description == "Everything starts here."
    assert row.genres == ["Comedy", "Drama"]
    assert row.tags == ["retro", "prime"]
    assert row.content_rating == "TV-PG"
    assert row.year == 2005
    assert str(row.aired_date) == "2005-09-01"
    assert row.artwork_url is not None
    assert row.artwork_url.endswith("poster.jpg")
    assert row.file_path == str(synced.media / PILOT)
    assert 900 <= row.duration_ms <= 1200
    assert (row.canonical, row.available) == (True, True)
    info = row.media_info
    assert (info["video_codec"], info["width"], info["height"]) == ("h264", 160, 120)
    assert info["container"].startswith("matroska")
    assert info["interlaced"] is False
    assert (info["pix_fmt"], info["frame_rate_exact"], info["field_order"]) == (
        "yuv420p",
        "25/1",
        "progressive",
    )
    assert [t["language"] for t in info["audio_tracks"]] == ["eng", "fra"]
    assert [m["title"] for m in info["markers"]] == ["Cold open", "Act One"]
    assert info["provenance"] == {
        "source": "tv",
        "source_kind": "filesystem",
        "external_key": PILOT,
        "library_file_path": str(synced.media / PILOT),
    }
    assert library_row(synced, pilot).review_state == "approved"


def test_movie_guide_title_is_the_movie(synced: Station) -> None:
    promote(synced.database, synced.clock, asset_ids=[ids(synced)[ALIEN]])
    [row] = catalog_rows(synced)
    assert (row.kind, row.guide_title, row.episode_title, row.year) == (
        "movie",
        "Alien",
        None,
        1979,
    )


def test_promoting_again_updates_the_same_row_and_keeps_operator_tags(synced: Station) -> None:
    pilot = ids(synced)[PILOT]
    first = promote(synced.database, synced.clock, asset_ids=[pilot])
    tag_catalog(synced.database, synced.clock, first.created[0], add=["halloween"])
    second = promote(synced.database, synced.clock, asset_ids=[pilot])
    assert second.updated == first.created
    assert second.created == []
    [row] = catalog_rows(synced)
    assert row.tags == ["retro", "halloween"]


def test_explicit_ids_are_all_or_nothing_with_every_reason(synced: Station) -> None:
    keys = ids(synced)
    good, empty, text = keys[PILOT], keys["broken/empty.mkv"], keys["broken/notes.mkv"]
    with pytest.raises(PromotionError) as caught:
        promote(synced.database, synced.clock, asset_ids=[good, empty, text])
    message = caught.value.message
    assert f"{empty}: failed probe (empty file (0 bytes))" in message
    assert f"{text}: failed probe" in message
    assert str(good) + ":" not in message
    assert "\n" not in message
    assert catalog_rows(synced) == []
    assert library_row(synced, good).review_state == "pending"


def test_refusal_reasons(synced: Station) -> None:
    keys = ids(synced)
    rejected, deleted, missing, undated, unplayable = (
        keys[ALIEN],
        keys["Movies/Heat (1995).mp4"],
        keys["Misc/clip.webm"],
        keys["Misc/with subs.mkv"],
        keys["TV/Daily/Daily - 2024-01-05 - Guest.ts"],
    )
    reject_assets(synced.database, synced.clock, [rejected], "bad transfer")
    (synced.media / "Misc/clip.webm").unlink()
    with synced.database.transaction() as session:
        session.execute(update(LibraryAsset).where(LibraryAsset.id == deleted).values(deleted=True))
        session.execute(
            update(LibraryAsset).where(LibraryAsset.id == undated).values(duration_ms=None)
        )
        session.execute(
            update(LibraryAsset)
            .where(LibraryAsset.id == unplayable)
            .values(playable=False, unplayable_reason="no path mapping covers /data/x.ts")
        )
    expected = {
        rejected: "rejected (bad transfer)",
        deleted: "soft-deleted",
        missing: "does not exist",
        undated: "no positive duration",
        unplayable: "not playable (no path mapping covers /data/x.ts)",
    }
    for asset_id, reason in expected.items():
        with pytest.raises(PromotionError, match=f"{asset_id}: .*{reason.split('(')[0]}"):
            promote(synced.database, synced.clock, asset_ids=[asset_id])
    assert catalog_rows(synced) == []


def test_by_source_skips_refused_assets_and_promotes_the_rest(synced: Station) -> None:
    result = promote(synced.database, synced.clock, source="tv")
    assert len(result.created) == 9
    assert sorted(r.asset_id for r in result.skipped) == sorted(
        ids(synced)[k] for k in ("broken/empty.mkv", "broken/notes.mkv", "broken/truncated.mp4")
    )
    assert all(r.reason.startswith("failed probe") for r in result.skipped)
    rows = catalog_rows(synced)
    assert all(r.canonical and r.available for r in rows)


def test_by_series(synced: Station) -> None:
    result = promote(synced.database, synced.clock, series="The Show")
    assert len(result.created) == 3
    assert {r.series_title for r in catalog_rows(synced)} == {"The Show"}
    with pytest.raises(PromotionError, match="no library assets in series 'Nope'"):
        promote(synced.database, synced.clock, series="Nope")


def test_filler_source_promotes_kind_filler_with_source_tags(
    synced: Station,
    filler: Path,  # noqa: F811
) -> None:
    add_filesystem_source(
        synced.database, synced.clock, "bumpers", str(filler), is_filler=True, tags=["bumper"]
    )
    synced.sync("bumpers")
    result = promote(synced.database, synced.clock, source="bumpers")
    assert len(result.created) == 2
    rows = catalog_rows(synced)
    assert {r.kind for r in rows} == {"filler"}
    assert all(r.tags == ["bumper"] for r in rows)
    assert all(r.episode_title is None for r in rows)


def test_bad_selections(synced: Station) -> None:
    with pytest.raises(NotFoundError, match="no library asset with id 999"):
        promote(synced.database, synced.clock, asset_ids=[999])
    with pytest.raises(ValidationError, match="one of them"):
        promote(synced.database, synced.clock)
    with pytest.raises(ValidationError, match="one of them"):
        promote(synced.database, synced.clock, asset_ids=[1], source="tv")
    with pytest.raises(NotFoundError, match="no source named 'nope'"):
        promote(synced.database, synced.clock, source="nope")
    assert catalog_rows(synced) == []
