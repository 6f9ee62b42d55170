"""Jellyfin and Emby sources against the fake server, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.library import LibraryAsset, Source
from retrovue.errors import SourceError
from retrovue.library import jellyfin_api
from retrovue.library.ingest import SyncSummary, sync_source
from retrovue.library.jellyfin_sources import Credentials, add_server_source
from retrovue.testing import fake_jellyfin_data as data
from retrovue.testing.fake_jellyfin import BackgroundServer, FakeJellyfin
from tests.library.jellyfin_support import KEY, SHORT_TIMEOUT_S, local_copy


@pytest.fixture
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(FakeJellyfin(key=KEY)) as running:
        yield running


def _add(db: Database, clock: FakeClock, url: str, root: Path, **kwargs: object) -> None:
    options: dict[str, object] = {
        "kind": "jellyfin",
        "credentials": Credentials(api_key=KEY),
        "mappings": [f"/media={root}"],
        "timeout_s": SHORT_TIMEOUT_S,
        **kwargs,
    }
    add_server_source(db, clock, name="den", url=url, **options)  # type: ignore[arg-type]


def _sync(db: Database, clock: FakeClock) -> SyncSummary:
    return sync_source(db, clock, "den", on_assets_removed=invalidate_library_assets)


def _assets(db: Database) -> dict[str, LibraryAsset]:
    with db.transaction() as session:
        rows = session.scalars(select(LibraryAsset)).all()
        for row in rows:
            _ = row.markers
        return {row.external_key: row for row in rows}


def _id(path: str) -> str:
    return data.guid(path)


def test_first_sync_reads_metadata_streams_chapters_parts(
    db: Database, clock: FakeClock, server: BackgroundServer, tmp_path: Path
) -> None:
    _add(db, clock, server.url, tmp_path)
    summary = _sync(db, clock)
    assert (summary.added, summary.failed, summary.removed) == (8, 0, 0)
    assets = _assets(db)

    pilot = assets[_id(data.PILOT)]
    assert (pilot.kind, pilot.series_title, pilot.season, pilot.episode, pilot.title) == (
        "episode", "The Sample Show", 1, 1, "Pilot",
    )  # fmt: skip
    assert str(pilot.aired_date) == "1998-09-14"
    assert pilot.genres == ["Comedy", "Drama"]  # the series' genres (the episode has none)
    assert pilot.content_rating == "TV-PG"
    assert pilot.description == "The station goes on air for the first time."
    series_id = data.guid("series:The Sample Show")
    assert pilot.artwork_url is not None
    assert pilot.artwork_url.startswith(f"{server.url}/Items/{series_id}/Images/Primary?tag=")
    assert KEY not in pilot.artwork_url
    assert pilot.duration_ms == 1_320_000  # the server's length: the file is not on this host
    assert (pilot.video_codec, pilot.width, pilot.height, pilot.frame_rate) == (
        "h264", 1920, 1080, 23.976,
    )  # fmt: skip
    assert [(t["codec"], t["language"]) for t in pilot.audio_tracks] == [
        ("aac", "eng"), ("ac3", "ger"),
    ]  # fmt: skip
    assert [t["language"] for t in pilot.subtitle_tracks] == ["eng"]
    assert [(m.kind, m.start_ms, m.end_ms, m.title) for m in pilot.markers] == [
        ("chapter", 0, 95_000, "Cold Open"),
        ("chapter", 95_000, 640_000, "Act One"),
        ("chapter", 640_000, 1_320_000, "Act Two"),
    ]

    double = assets[_id(data.DOUBLE)]
    assert (double.episode, double.episode_end) == (2, 3)
    special = assets[_id(data.SPECIAL)]
    assert (special.season, special.content_rating, special.interlaced) == (0, "TV-G", True)

    night = assets[_id(data.MOVIE)]
    assert (night.kind, night.year, night.genres) == ("movie", 1987, ["Thriller"])
    assert night.file_path == data.MOVIE  # the first version only
    assert not any(a.file_path == data.MOVIE_SD for a in assets.values())

    long_cut = _id(data.LONG_CUT_1)
    one, two = assets[f"{long_cut}:1"], assets[f"{long_cut}:2"]
    assert (one.title, two.title) == ("The Long Cut (part 1 of 2)", "The Long Cut (part 2 of 2)")
    assert (one.file_path, two.file_path) == (data.LONG_CUT_1, data.LONG_CUT_2)
    assert (one.duration_ms, two.duration_ms) == (3_600_000, 3_000_000)
    assert [(m.start_ms, m.end_ms) for m in one.markers] == [(0, 1_800_000), (1_800_000, 3_600_000)]
    assert [(m.start_ms, m.end_ms, m.title) for m in two.markers] == [
        (400_000, 3_000_000, "Second reel")
    ]

    lost = assets[_id(data.UNMAPPED)]
    assert lost.playable is False
    assert lost.unplayable_reason is not None
    assert "no path mapping covers" in lost.unplayable_reason
    bumper = assets[_id(data.BUMPER)]
    assert (bumper.kind, bumper.playable) == ("other", True)


def test_local_file_is_probed(
    db: Database, clock: FakeClock, server: BackgroundServer, tmp_path: Path
) -> None:
    local_copy(tmp_path, data.PILOT)
    _add(db, clock, server.url, tmp_path, libraries=["shows"])
    assert _sync(db, clock).added == 3
    pilot = _assets(db)[_id(data.PILOT)]
    assert pilot.duration_ms is not None
    assert pilot.duration_ms < 5000  # the real 1 s file, not the server's 22 minutes
    assert (pilot.width, pilot.height) == (160, 120)


def test_resync_is_paged_and_sees_changes_and_removals(
    db: Database, clock: FakeClock, server: BackgroundServer, tmp_path: Path
) -> None:
    _add(db, clock, server.url, tmp_path)
    _sync(db, clock)
    server.app.requests.clear()
    again = _sync(db, clock)
    assert (again.unchanged, again.added, again.updated) == (8, 0, 0)
    paths = [path for _method, path in server.app.requests]
    # libraries, the series of two libraries, three video listings, one stacked movie's parts
    assert len(paths) == 1 + 2 + 3 + 1, paths
    assert not any("/Items/" in p for p in paths)  # never one request per item

    server.app.update(_id(data.PILOT), Name="Pilot (restored)")
    server.app.remove(_id(data.BUMPER))
    third = _sync(db, clock)
    assert (third.updated, third.unchanged, third.removed) == (1, 6, 1)
    assets = _assets(db)
    assert assets[_id(data.PILOT)].title == "Pilot (restored)"
    assert assets[_id(data.BUMPER)].deleted is True


def test_large_library_is_read_in_pages(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    with BackgroundServer(FakeJellyfin(data.large_library(1200, shows=10), key=KEY)) as running:
        _add(db, clock, running.url, tmp_path)
        summary = _sync(db, clock)
        listings = [p for _m, p in running.app.requests if "IncludeItemTypes=Episode" in p]
    assert summary.added == 1200
    assert len(listings) == 3  # 500 + 500 + 200
    assert all(f"Limit={jellyfin_api.PAGE_SIZE}" in p for p in listings)


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("endless", "kept sending items beyond"),
        ("garbage", "cannot read (text/html, not JSON)"),
        ("hang", "did not answer within 0.5 s (timeout)"),
        ("key", "refused the key (401 Unauthorized)"),
    ],
)
def test_failed_sync_is_one_line_and_keeps_what_was_synced(
    db: Database,
    clock: FakeClock,
    server: BackgroundServer,
    tmp_path: Path,
    case: str,
    fragment: str,
) -> None:
    _add(db, clock, server.url, tmp_path)
    assert _sync(db, clock).added == 8
    fake = server.app
    if case == "endless":
        fake.endless = True
    elif case == "garbage":
        fake.garbage = True
    elif case == "hang":
        fake.hang_after = len(fake.requests) + 3  # answers the libraries, then stops mid-sync
    else:
        fake.keys = {"rotated"}
    with pytest.raises(SourceError) as caught:
        _sync(db, clock)
    assert fragment in caught.value.message
    assert "\n" not in caught.value.message
    assert KEY not in caught.value.message
    assets = _assets(db)
    assert len(assets) == 8
    assert not any(a.deleted for a in assets.values())


def test_emby_sends_its_own_header_and_user_login(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    with BackgroundServer(FakeJellyfin(key=KEY, flavor="emby")) as running:
        credentials = Credentials(user="Operator", password="s3cret-pass")
        _add(db, clock, running.url, tmp_path, kind="emby", credentials=credentials)
        assert _sync(db, clock).added == 8
        paths = [p for _m, p in running.app.requests]
    operator = data.guid("user:operator")
    assert any(p.startswith(f"/Users/{operator}/Items?") for p in paths)
    with db.transaction() as session:
        source = session.scalars(select(Source)).one()
        settings = dict(source.settings)
    assert source.kind == "emby"
    assert settings["user_id"] == operator
    assert "s3cret-pass" not in repr(settings)  # the password is exchanged, never stored
    assert settings["token"] in running.app.keys


def test_jellyfin_refuses_the_emby_header(tmp_path: Path, db: Database, clock: FakeClock) -> None:
    """The fake checks the header each product expects, so the client's choice is tested."""
    with BackgroundServer(FakeJellyfin(key=KEY, flavor="jellyfin")) as running:
        with pytest.raises(SourceError, match="refused the key"):
            _add(db, clock, running.url, tmp_path, kind="emby")
        _add(db, clock, running.url, tmp_path, kind="jellyfin")
