"""The Plex importer reads the fake server through the real plexapi into scanned items."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from retrovue.errors import SourceError
from retrovue.library.plex import PlexImporter, PlexSettings, read_videos, server_info
from retrovue.library.registry import PathMap, ScannedItem, SourceSpec
from retrovue.testing.fake_plex import FakePlexServer
from tests.library.plex_support import (
    PILOT,
    SHORT_TIMEOUT_S,
    TOKEN,
    closed_port_url,
    local_copy,
    serve_fake_plex,
)


@pytest.fixture
def fake_plex() -> Iterator[FakePlexServer]:
    yield from serve_fake_plex()


def _spec(
    url: str,
    *,
    token: str = TOKEN,
    libraries: tuple[str, ...] = (),
    mappings: tuple[PathMap, ...] = (),
) -> SourceSpec:
    settings = {
        "url": url,
        "token": token,
        "libraries": list(libraries),
        "timeout_s": SHORT_TIMEOUT_S,
    }
    return SourceSpec(1, "plex", "plex", settings, False, (), mappings)


def _scan(spec: SourceSpec) -> dict[str, ScannedItem]:
    return {item.external_key: item for item in PlexImporter().scan(spec)}


def test_shows_with_specials_and_two_libraries(fake_plex: FakePlexServer, tmp_path: Path) -> None:
    mappings = (PathMap("/data/tv", str(tmp_path / "tv")), PathMap("/data", str(tmp_path)))
    items = _scan(_spec(fake_plex.url, libraries=("TV Shows", "Movies"), mappings=mappings))
    assert set(items) == {
        "111",
        "121",
        "122",
        "123",
        "131",
        "211",
        "212",
        "300",
        "310:1",
        "310:2",
        "320",
    }

    special = items["111"].metadata
    assert (special.kind, special.series_title, special.season, special.episode) == (
        "episode",
        "The Sample Show",
        0,
        1,
    )
    pilot = items["121"]
    meta = pilot.metadata
    assert meta.title == "Pilot"
    assert meta.description == "The station goes on air for the first time."
    assert meta.aired_date == date(1998, 9, 14)
    assert meta.year == 1998
    assert meta.genres == ("Comedy", "Drama")
    assert meta.content_rating == "TV-PG"
    assert meta.artwork_url == f"{fake_plex.url}/library/metadata/100/thumb/1700000100"
    assert pilot.file_path == PILOT
    assert pilot.probe_path == tmp_path / "tv" / PILOT.removeprefix("/data/tv/")
    assert pilot.unplayable_reason is None
    assert [(m.kind, m.start_ms, m.end_ms) for m in pilot.markers] == [
        ("chapter", 0, 95000),
        ("chapter", 95000, 640000),
        ("intro", 95000, 125000),
        ("chapter", 640000, 1320000),
        ("credits", 1260000, 1320000),
    ]
    assert pilot.markers[0].title == "Cold Open"


def test_plex_stream_data_stands_in_for_a_probe(fake_plex: FakePlexServer) -> None:
    items = _scan(_spec(fake_plex.url, mappings=(PathMap("/data", "/nonexistent/here"),)))
    probe = items["121"].probe
    assert probe is not None
    assert probe.duration_ms == 1320000
    assert (probe.container, probe.video_codec, probe.width, probe.height) == (
        "mkv",
        "h264",
        1920,
        1080,
    )
    assert probe.frame_rate == pytest.approx(23.976)
    assert probe.interlaced is False
    assert [(a.codec, a.channels, a.sample_rate, a.language) for a in probe.audio_tracks] == [
        ("aac", 2, 48000, "eng"),
        ("ac3", 6, 48000, "ger"),
    ]
    assert [(s.codec, s.language) for s in probe.subtitle_tracks] == [("srt", "eng")]
    night = items["211"].probe
    assert night is not None
    assert (night.interlaced, night.sample_aspect_ratio) == (True, "8:9")
    assert items["121"].file_size == 367001600  # not on this host: Plex's size


def test_version_follows_plex_markers_and_the_local_file(
    fake_plex: FakePlexServer, tmp_path: Path
) -> None:
    local = local_copy(tmp_path, PILOT)
    spec = _spec(fake_plex.url, mappings=(PathMap("/data", str(tmp_path)),))

    def versions() -> dict[str, tuple[int | None, int | None]]:
        return {k: (i.file_size, i.file_mtime_ns) for k, i in _scan(spec).items()}

    first = versions()
    assert first["121"][0] == local.stat().st_size
    assert versions() == first
    fake_plex.plex.update(122, markers=[{"type": "credits", "start": 1200000, "end": 1290000}])
    second = versions()
    assert second["122"] != first["122"]  # Plex found the credits later: read again
    others = [k for k in first if k != "122"]
    assert [second[k] for k in others] == [first[k] for k in others]
    os.utime(local, ns=(1, 1))
    assert versions()["121"] != second["121"]  # the local file changed: probed again


def test_multi_part_movie_becomes_one_item_per_part(fake_plex: FakePlexServer) -> None:
    items = _scan(_spec(fake_plex.url, libraries=("Movies",), mappings=(PathMap("/data", "/m"),)))
    first, second = items["310:1"], items["310:2"]
    assert first.metadata.title == "The Long Cut (part 1 of 2)"
    assert second.metadata.title == "The Long Cut (part 2 of 2)"
    assert first.file_path.endswith("pt1.avi")
    assert second.file_path.endswith("pt2.avi")
    assert first.probe is not None
    assert first.probe.duration_ms == 5400000
    # the movie's chapters and credits land in the part they start in, on its own timeline
    assert [(m.kind, m.start_ms, m.end_ms) for m in first.markers] == [("chapter", 0, 5400000)]
    assert [(m.kind, m.start_ms, m.end_ms) for m in second.markers] == [
        ("chapter", 0, 5400000),
        ("credits", 5100000, 5400000),
    ]
    movie = items["300"].metadata
    assert (movie.kind, movie.year, movie.content_rating) == ("movie", 1987, "PG-13")
    assert movie.genres == ("Science Fiction", "Thriller")


def test_a_path_no_mapping_covers_is_imported_not_playable(fake_plex: FakePlexServer) -> None:
    items = _scan(_spec(fake_plex.url, libraries=("Movies",), mappings=(PathMap("/data", "/m"),)))
    tape = items["320"]
    assert tape.probe_path is None
    assert tape.unplayable_reason is not None
    assert "/mnt/usb/Borrowed Tape (2001).mp4" in tape.unplayable_reason
    assert items["300"].unplayable_reason is None


def test_all_show_and_movie_libraries_when_none_is_named(fake_plex: FakePlexServer) -> None:
    videos = read_videos(PlexSettings(fake_plex.url, TOKEN, (), SHORT_TIMEOUT_S))
    assert {v.library for v in videos} == {"TV Shows", "Movies", "Bumpers"}


def test_library_titles_match_without_case(fake_plex: FakePlexServer) -> None:
    videos = read_videos(PlexSettings(fake_plex.url, TOKEN, ("bumpers",), SHORT_TIMEOUT_S))
    assert sorted(v.title for v in videos) == ["Station Ident Day", "Station Ident Night"]


def test_server_info_lists_libraries(fake_plex: FakePlexServer) -> None:
    info = server_info(PlexSettings(fake_plex.url, TOKEN, (), SHORT_TIMEOUT_S))
    assert info.name == "Basement Plex"
    assert (info.libraries[0].title, info.libraries[0].type, info.libraries[0].locations) == (
        "TV Shows",
        "show",
        ("/data/tv",),
    )


def _error(spec: SourceSpec) -> str:
    with pytest.raises(SourceError) as caught:
        PlexImporter().scan(spec)
    message = caught.value.message
    assert "\n" not in message
    assert TOKEN not in message
    return message


def test_unknown_library_names_it_and_the_choices(fake_plex: FakePlexServer) -> None:
    message = _error(_spec(fake_plex.url, libraries=("TV Shows", "Cartoons")))
    assert "'Cartoons'" in message
    assert "'TV Shows', 'Movies', 'Music', 'Bumpers'" in message


def test_music_library_is_refused(fake_plex: FakePlexServer) -> None:
    assert "only show and movie libraries" in _error(_spec(fake_plex.url, libraries=("Music",)))


def test_wrong_token_is_401(fake_plex: FakePlexServer) -> None:
    message = _error(_spec(fake_plex.url, token="not-the-token"))
    assert "401" in message
    assert fake_plex.url in message


def test_hanging_server_is_a_timeout(fake_plex: FakePlexServer) -> None:
    fake_plex.plex.hang = True
    message = _error(_spec(fake_plex.url))
    assert "timeout" in message
    assert "0.5 s" in message


def test_timeout_in_the_middle_is_still_an_error(fake_plex: FakePlexServer) -> None:
    """The server answers the connection and then hangs: the scan fails as a whole."""
    fake_plex.plex.hang_after = 4  # root, library, sections, first listing; then silence
    assert "timeout" in _error(_spec(fake_plex.url))
    assert len(fake_plex.plex.requests) == 5


def test_unreachable_server() -> None:
    url = closed_port_url()
    message = _error(_spec(url))
    assert "unreachable" in message
    assert url in message


def test_token_in_url_query_is_never_shown() -> None:
    url = closed_port_url() + f"/?X-Plex-Token={TOKEN}"
    message = _error(_spec(url, token=TOKEN))
    assert "X-Plex-Token" not in message


def test_token_never_in_logs(fake_plex: FakePlexServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    PlexImporter().scan(_spec(fake_plex.url))
    _error(_spec(fake_plex.url, token="wrong-" + TOKEN))
    fake_plex.plex.hang = True
    _error(_spec(fake_plex.url))
    assert caplog.records
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    assert TOKEN not in caplog.text


def test_plex_py_is_the_only_module_importing_plexapi() -> None:
    package = Path(__file__).resolve().parents[2] / "retrovue"
    importers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if any(
            line.lstrip().startswith(("import plexapi", "from plexapi"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert importers == ["library/plex.py"]


def test_a_web_server_that_is_not_plex(tmp_path: Path) -> None:
    """Some other web server on that address: HTML instead of Plex XML is a one-line error."""
    (tmp_path / "index.html").write_text("<html><body><p>router login<br></body></html>")

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    with ThreadingHTTPServer(("127.0.0.1", 0), Quiet) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            message = _error(_spec(f"http://127.0.0.1:{httpd.server_address[1]}"))
        finally:
            httpd.shutdown()
            thread.join()
    assert "cannot read" in message
