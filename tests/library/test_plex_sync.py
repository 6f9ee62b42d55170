"""Plex sources end to end on SQLite and PostgreSQL: add, sync, re-sync, removal, promotion."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.broadcast.promotion import promote
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.db.models.library import LibraryAsset, PathMapping, Source
from retrovue.errors import ConflictError, PromotionError, SourceError
from retrovue.library.ingest import SyncSummary, sync_source
from retrovue.library.plex_sources import (
    add_mapping,
    add_plex_source,
    list_mappings,
    remove_mapping,
)
from retrovue.testing.fake_plex import FakePlexServer
from tests.library.plex_support import (
    DEAD_AIR,
    PILOT,
    SHORT_TIMEOUT_S,
    SPECIAL,
    TOKEN,
    closed_port_url,
    local_copy,
    serve_fake_plex,
)


@pytest.fixture
def fake_plex() -> Iterator[FakePlexServer]:
    yield from serve_fake_plex()


def _add(db: Database, clock: FakeClock, url: str, root: Path, **kwargs: object) -> None:
    options: dict[str, object] = {
        "libraries": ["TV Shows", "Movies"],
        "mappings": [f"/data={root}"],
        "timeout_s": SHORT_TIMEOUT_S,
        **kwargs,
    }
    add_plex_source(db, clock, name="home", url=url, token=TOKEN, **options)  # type: ignore[arg-type]


def _sync(db: Database, clock: FakeClock) -> SyncSummary:
    return sync_source(db, clock, "home", on_assets_removed=invalidate_library_assets)


def _assets(db: Database) -> dict[str, LibraryAsset]:
    with db.transaction() as session:
        rows = session.scalars(select(LibraryAsset)).all()
        for row in rows:
            _ = row.markers  # load before the session closes
        return {row.external_key: row for row in rows}


def test_sync_adds_then_updates_then_soft_deletes(
    db: Database, clock: FakeClock, fake_plex: FakePlexServer, tmp_path: Path
) -> None:
    local_copy(tmp_path, PILOT)
    local_copy(tmp_path, SPECIAL)
    _add(db, clock, fake_plex.url, tmp_path)
    first = _sync(db, clock)
    assert (first.added, first.failed, first.removed) == (11, 0, 0)

    assets = _assets(db)
    pilot = assets["121"]
    assert pilot.duration_ms is not None
    assert pilot.duration_ms < 5000  # probed locally with PyAV (1 s file), not Plex's 22 minutes
    assert pilot.video_codec == "h264"
    assert [m.kind for m in pilot.markers].count("chapter") == 3
    assert {m.kind for m in pilot.markers} == {"chapter", "intro", "credits"}
    dead_air = assets["122"]
    assert dead_air.duration_ms == 1290000  # not on this host: Plex's stream data
    assert dead_air.file_path == DEAD_AIR
    assert dead_air.playable
    tape = assets["320"]
    assert not tape.playable
    assert tape.unplayable_reason is not None
    assert "/mnt/usb" in tape.unplayable_reason
    assert assets["111"].season == 0

    again = _sync(db, clock)
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 11, 0)

    fake_plex.plex.update(122, title="Dead Air (Director's Cut)")
    fake_plex.plex.remove(123)
    third = _sync(db, clock)
    assert (third.added, third.updated, third.removed) == (0, 1, 1)
    assets = _assets(db)
    assert assets["122"].title == "Dead Air (Director's Cut)"
    assert assets["123"].deleted
    assert len(assets) == 11  # updated in place, never duplicated


def test_removed_item_invalidates_its_catalog_entry(
    db: Database, clock: FakeClock, fake_plex: FakePlexServer, tmp_path: Path
) -> None:
    local_copy(tmp_path, PILOT)
    _add(db, clock, fake_plex.url, tmp_path)
    _sync(db, clock)
    pilot_id = _assets(db)["121"].id
    result = promote(db, clock, asset_ids=[pilot_id])
    with db.transaction() as session:
        entry = session.get(CatalogAsset, result.created[0])
        assert entry is not None
        assert entry.file_path == str(tmp_path / PILOT.removeprefix("/data/"))
        assert (entry.canonical, entry.available) == (True, True)

    fake_plex.plex.remove(121)
    summary = _sync(db, clock)
    assert summary.removed == 1
    with db.transaction() as session:
        entry = session.get(CatalogAsset, result.created[0])
        assert entry is not None
        assert (entry.canonical, entry.available) == (False, False)


def test_promotion_refuses_unmapped_and_missing_files(
    db: Database, clock: FakeClock, fake_plex: FakePlexServer, tmp_path: Path
) -> None:
    _add(db, clock, fake_plex.url, tmp_path)
    _sync(db, clock)
    assets = _assets(db)
    with pytest.raises(PromotionError) as unmapped:
        promote(db, clock, asset_ids=[assets["320"].id])
    assert "no path mapping covers" in unmapped.value.message
    with pytest.raises(PromotionError) as missing:
        promote(db, clock, asset_ids=[assets["122"].id])
    assert "does not exist" in missing.value.message
    assert str(tmp_path) in missing.value.message


def test_mappings_change_playability_at_once(
    db: Database, clock: FakeClock, fake_plex: FakePlexServer, tmp_path: Path
) -> None:
    _add(db, clock, fake_plex.url, tmp_path)
    _sync(db, clock)
    assert not _assets(db)["320"].playable
    views = add_mapping(db, clock, "home", "/mnt/usb", str(tmp_path / "usb"), position=0)
    assert [(v.position, v.from_prefix) for v in views] == [(0, "/mnt/usb"), (1, "/data")]
    assert _assets(db)["320"].playable
    assert _assets(db)["320"].unplayable_reason is None
    remove_mapping(db, clock, "home", "/data")
    assert [v.from_prefix for v in list_mappings(db, "home")] == ["/mnt/usb"]
    assets = _assets(db)
    assert not assets["121"].playable
    assert assets["320"].playable
    # the next sync agrees with what the mapping commands set: nothing to update
    summary = _sync(db, clock)
    assert summary.updated == 0
    with pytest.raises(ConflictError):
        add_mapping(db, clock, "home", "/mnt/usb/", "/elsewhere")


@pytest.mark.parametrize(
    ("case", "fragment"),
    [("token", "401"), ("hang", "timeout"), ("library", "'Cartoons'"), ("down", "unreachable")],
)
def test_add_writes_nothing_when_the_server_check_fails(
    db: Database,
    clock: FakeClock,
    fake_plex: FakePlexServer,
    tmp_path: Path,
    case: str,
    fragment: str,
) -> None:
    url, token, libraries = fake_plex.url, TOKEN, ["TV Shows"]
    if case == "token":
        token = "wrong-token"
    elif case == "hang":
        fake_plex.plex.hang = True
    elif case == "library":
        libraries = ["TV Shows", "Cartoons"]
    else:
        url = closed_port_url()
    with pytest.raises(SourceError) as caught:
        add_plex_source(
            db,
            clock,
            name="home",
            url=url,
            token=token,
            libraries=libraries,
            mappings=[f"/data={tmp_path}"],
            timeout_s=SHORT_TIMEOUT_S,
        )
    assert fragment in caught.value.message
    assert TOKEN not in caught.value.message
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Source)) == 0
        assert session.scalar(select(func.count()).select_from(PathMapping)) == 0


def test_failed_sync_changes_nothing(
    db: Database, clock: FakeClock, fake_plex: FakePlexServer, tmp_path: Path
) -> None:
    _add(db, clock, fake_plex.url, tmp_path)
    _sync(db, clock)
    before = {k: (a.title, a.deleted) for k, a in _assets(db).items()}
    fake_plex.plex.remove(121)
    fake_plex.plex.hang_after = len(fake_plex.plex.requests) + 5  # fails half-way through
    with pytest.raises(SourceError, match="timeout"):
        _sync(db, clock)
    assert {k: (a.title, a.deleted) for k, a in _assets(db).items()} == before
    fake_plex.plex.hang_after = None
    fake_plex.plex.token = "rotated"
    with pytest.raises(SourceError, match="401"):
        _sync(db, clock)
    assert {k: (a.title, a.deleted) for k, a in _assets(db).items()} == before
