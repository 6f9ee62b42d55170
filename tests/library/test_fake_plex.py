"""The fake Plex server answers the real plexapi the way a Plex Media Server does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from plexapi.exceptions import NotFound, Unauthorized
from plexapi.server import PlexServer

from retrovue.testing.fake_plex import FakePlexServer
from tests.library.plex_support import SHORT_TIMEOUT_S, TOKEN, serve_fake_plex


@pytest.fixture
def fake_plex() -> Iterator[FakePlexServer]:
    yield from serve_fake_plex()


def _connect(fake: FakePlexServer, token: str = TOKEN) -> PlexServer:
    session = requests.Session()
    return PlexServer(fake.url, token, session=session, timeout=SHORT_TIMEOUT_S)


def test_identity_and_sections(fake_plex: FakePlexServer) -> None:
    plex = _connect(fake_plex)
    try:
        assert plex.friendlyName == "Basement Plex"
        assert plex.machineIdentifier == "5f1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3"
        sections = {s.title: (s.type, s.locations) for s in plex.library.sections()}
        assert sections == {
            "TV Shows": ("show", ["/data/tv"]),
            "Movies": ("movie", ["/data/movies"]),
            "Music": ("artist", ["/data/music"]),
            "Bumpers": ("movie", ["/data/bumpers"]),
        }
    finally:
        plex._session.close()
    assert fake_plex.plex.requests[:3] == [
        ("GET", "/"),
        ("GET", "/library"),
        ("GET", "/library/sections"),
    ]


def test_children_of_shows_and_seasons(fake_plex: FakePlexServer) -> None:
    plex = _connect(fake_plex)
    try:
        show = plex.library.section("TV Shows").get("The Sample Show")
        seasons = show.seasons()
        assert [(s.index, s.title) for s in seasons] == [
            (0, "Specials"),
            (1, "Season 1"),
            (2, "Season 2"),
        ]
        season_one = seasons[1]
        assert [e.title for e in season_one.episodes()] == ["Pilot", "Dead Air", "Sweeps Week"]
        assert len(show.episodes()) == 5
        raw = plex.query("/library/metadata/100/children")
        assert raw[0].attrib["key"] == "/library/metadata/100/allLeaves"
    finally:
        plex._session.close()
    paths = [path for _method, path in fake_plex.plex.requests]
    assert "/library/metadata/100/children?excludeAllLeaves=1&includeGuids=1" in paths
    assert "/library/metadata/120/children?includeGuids=1" in paths
    assert "/library/metadata/100/allLeaves?includeGuids=1" in paths


def test_metadata_with_parts_chapters_and_markers(fake_plex: FakePlexServer) -> None:
    plex = _connect(fake_plex)
    try:
        pilot, long_cut = plex.fetchItems(
            "/library/metadata/121,310?includeChapters=1&includeMarkers=1"
        )
        assert (pilot.chapters[0].tag, pilot.chapters[0].end) == ("Cold Open", 95000)
        assert [(m.type, m.start, m.end) for m in pilot.markers] == [
            ("intro", 95000, 125000),
            ("credits", 1260000, 1320000),
        ]
        streams = pilot.media[0].parts[0].streams
        assert [s.streamType for s in streams] == [1, 2, 2, 3]
        assert [p.file.rsplit(" - ", 1)[-1] for p in long_cut.media[0].parts] == [
            "pt1.avi",
            "pt2.avi",
        ]
        bare = plex.query("/library/metadata/121")  # without includeMarkers, like a real server
        assert bare[0].findall("Marker") == []
        assert bare[0].findall("Media/Part/Stream")
    finally:
        plex._session.close()


def test_paging_with_small_containers(fake_plex: FakePlexServer) -> None:
    plex = _connect(fake_plex)
    try:
        episodes = plex.library.section("TV Shows").searchEpisodes(container_size=2)
    finally:
        plex._session.close()
    assert len(episodes) == 7
    listing = [p for _m, p in fake_plex.plex.requests if p.startswith("/library/sections/1/all")]
    assert len(listing) == 4  # 2 + 2 + 2 + 1


def test_wrong_token_gets_401(fake_plex: FakePlexServer) -> None:
    with pytest.raises(Unauthorized):
        _connect(fake_plex, token="wrong")


def test_unknown_item_is_404(fake_plex: FakePlexServer) -> None:
    plex = _connect(fake_plex)
    try:
        with pytest.raises(NotFound):
            plex.fetchItem(999999)
    finally:
        plex._session.close()


def test_changes_between_requests(fake_plex: FakePlexServer) -> None:
    fake_plex.plex.remove(122)
    fake_plex.plex.update(121, title="Pilot (Remastered)")
    plex = _connect(fake_plex)
    try:
        titles = [e.title for e in plex.library.section("TV Shows").searchEpisodes()]
    finally:
        plex._session.close()
    assert "Dead Air" not in titles
    assert "Pilot (Remastered)" in titles


def test_hanging_server_times_out(fake_plex: FakePlexServer) -> None:
    fake_plex.plex.hang = True
    with pytest.raises(requests.exceptions.Timeout):
        _connect(fake_plex)
