"""A realistic media library, generated once per session with PyAV, copied where tests mutate it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import pytest

from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.library.ingest import SyncSummary, sync_source
from retrovue.library.sources import add_filesystem_source
from retrovue.testing.media import (
    AudioSpec,
    ChapterSpec,
    MediaSpec,
    make_media,
    write_corrupt_files,
)

SMALL = {"duration_s": 1.0, "width": 160, "height": 120}

TVSHOW_NFO = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<tvshow><title>The Show</title><genre>Comedy</genre><genre>Drama</genre><mpaa>TV-PG</mpaa>
<year>2005</year></tvshow>"""

PILOT_NFO = b"""<?xml version="1.0" encoding="UTF-8"?>
<episodedetails><title>Pilot Episode</title><showtitle>The Show</showtitle>
<plot>Everything starts here.</plot><aired>2005-09-01</aired><season>1</season><episode>1</episode>
</episodedetails>"""

MOVIE_NFO = b"""<movie><title>Alien</title><plot>In space no one can hear you scream.</plot>
<genre>Horror / Science Fiction</genre><premiered>1979-05-25</premiered>
<mpaa>Rated R</mpaa></movie>"""

# relative path -> expected (kind, series, season, episode, title)
EXPECTED_GOOD = {
    "TV/Show (2005)/Season 01/Show - S01E01 - Pilot.mkv": ("episode", "The Show", 1, 1),
    "TV/Show (2005)/Season 01/Show - S01E02E03 - Double.mp4": ("episode", "The Show", 1, 2),
    "TV/Show (2005)/Season 00/Show - S00E01 - Special.mkv": ("episode", "The Show", 0, 1),
    "TV/Other.Show/Other.Show.1x02.Name.avi": ("episode", "Other Show", 1, 2),
    "TV/Daily/Daily - 2024-01-05 - Guest.ts": ("episode", "Daily", None, None),
    "Movies/Alien (1979)/Alien (1979).mkv": ("movie", None, None, None),
    "Movies/Heat (1995).mp4": ("movie", None, None, None),
    "Misc/clip.webm": ("other", None, None, None),
    "Misc/with subs.mkv": ("other", None, None, None),
}
CORRUPT = {"broken/empty.mkv", "broken/notes.mkv", "broken/truncated.mp4"}


def add_subtitles(video: Path, out: Path, language: str) -> Path:
    """Remux ``video`` into ``out`` (mkv) with a SubRip track in ``language``."""
    srt = out.with_suffix(".srt.tmp")
    srt.write_text(
        "1\n00:00:00,000 --> 00:00:00,500\nHello\n\n2\n00:00:00,600 --> 00:00:00,900\nBye\n"
    )
    with (
        av.open(str(video)) as src,
        av.open(str(srt), format="srt") as subs,
        av.open(str(out), "w") as dst,
    ):
        streams = {s.index: dst.add_stream_from_template(s) for s in src.streams}
        sub_stream = dst.add_stream_from_template(subs.streams.subtitles[0])
        sub_stream.metadata["language"] = language
        for packet in src.demux():
            if packet.dts is not None:
                packet.stream = streams[packet.stream.index]
                dst.mux(packet)
        for packet in subs.demux():
            if packet.dts is not None:
                packet.stream = sub_stream
                dst.mux(packet)
    srt.unlink()
    return out


def build_library(root: Path) -> Path:
    show = root / "TV" / "Show (2005)"
    make_media(
        show / "Season 01" / "Show - S01E01 - Pilot.mkv",
        MediaSpec(
            **SMALL,
            audio=(AudioSpec(language="eng"), AudioSpec(codec="ac3", layout="5.1", language="fra")),
            chapters=(ChapterSpec(0.0, 0.4, "Cold open"), ChapterSpec(0.4, 1.0, "Act One")),
        ),
    )
    (show / "Season 01" / "Show - S01E01 - Pilot.nfo").write_bytes(PILOT_NFO)
    (show / "tvshow.nfo").write_bytes(TVSHOW_NFO)
    (show / "poster.jpg").write_bytes(b"\xff\xd8\xff\xe0 poster")
    make_media(show / "Season 01" / "Show - S01E02E03 - Double.mp4", MediaSpec(**SMALL))
    make_media(show / "Season 00" / "Show - S00E01 - Special.mkv", MediaSpec(**SMALL))
    make_media(
        root / "TV" / "Other.Show" / "Other.Show.1x02.Name.avi",
        MediaSpec(**SMALL, video_codec="mpeg4", audio=(AudioSpec(codec="mp3"),)),
    )
    make_media(
        root / "TV" / "Daily" / "Daily - 2024-01-05 - Guest.ts",
        MediaSpec(
            duration_s=1.0,
            width=352,
            height=240,
            video_codec="mpeg2video",
            interlaced=True,
            sample_aspect_ratio=Fraction(10, 11),
            audio=(AudioSpec(codec="mp2"),),
        ),
    )
    movie = root / "Movies" / "Alien (1979)"
    make_media(movie / "Alien (1979).mkv", MediaSpec(**SMALL))
    (movie / "movie.nfo").write_bytes(MOVIE_NFO)
    (movie / "folder.jpg").write_bytes(b"\xff\xd8\xff\xe0 folder")
    make_media(
        root / "Movies" / "Heat (1995).mp4",
        MediaSpec(**SMALL, audio=(), sample_aspect_ratio=Fraction(4, 3)),
    )
    make_media(
        root / "Misc" / "clip.webm",
        MediaSpec(**SMALL, video_codec="libvpx", audio=(AudioSpec(codec="libopus"),)),
    )
    plain = make_media(root / "Misc" / "plain.tmp.mkv", MediaSpec(**SMALL))
    add_subtitles(plain, root / "Misc" / "with subs.mkv", "spa")
    plain.unlink()
    write_corrupt_files(root / "broken")
    (root / "Misc" / "readme.txt").write_text("not a video")
    make_media(root / ".hidden" / "secret.mkv", MediaSpec(**SMALL))
    return root


def build_filler(root: Path) -> Path:
    make_media(root / "bumper one.mp4", MediaSpec(**SMALL))
    make_media(root / "ident" / "station ident.mkv", MediaSpec(**SMALL))
    return root


# Test modules outside this folder import these fixtures, which makes pytest hold one session
# fixture per importing module; the cache builds each tree once per session all the same.
_TEMPLATES: dict[tuple[str, Path], Path] = {}


def _template(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Path]) -> Path:
    key = (name, factory.getbasetemp())
    if key not in _TEMPLATES:
        _TEMPLATES[key] = build(factory.mktemp(name))
    return _TEMPLATES[key]


@pytest.fixture(scope="session")
def library_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, "library-template", build_library)


@pytest.fixture(scope="session")
def filler_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, "filler-template", build_filler)


@pytest.fixture
def library(library_template: Path, tmp_path: Path) -> Path:
    """A private copy of the library that the test may change."""
    copy = tmp_path / "media"
    shutil.copytree(library_template, copy)
    return copy


@pytest.fixture
def filler(filler_template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "filler"
    shutil.copytree(filler_template, copy)
    return copy


@dataclass
class Station:
    """A database with the library added as source ``tv``, and a sync helper."""

    database: Database
    clock: FakeClock
    media: Path

    def sync(self, name: str = "tv", **kwargs: object) -> SyncSummary:
        return sync_source(
            self.database,
            self.clock,
            name,
            on_assets_removed=invalidate_library_assets,
            **kwargs,  # type: ignore[arg-type]
        )


@pytest.fixture
def station(db: Database, clock: FakeClock, library: Path) -> Station:
    add_filesystem_source(db, clock, "tv", str(library), tags=["Retro"])
    return Station(db, clock, library)
