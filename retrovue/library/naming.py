"""Filename parsing: what a path in a media library says about its content. PURE (no I/O).

Handles the layouts people's libraries actually use::

    Show (2005)/Season 01/Show - S01E02 - Title.mkv      episode
    Show/Season 01/Show.S01E02E03.Title.mkv              multi-episode (episode..episode_end)
    Show/Show 1x02 Title.avi                             episode, "1x02" form
    Show/Show - 2024-01-05 - Title.mp4                   date-based episode (aired_date)
    Show/Season 00/Show - S00E01 - Special.mkv           special (season 0)
    Title (1999)/Title (1999).mkv  or  Title (1999).mkv  movie
    Anything/else.mkv                                     kind "other"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

VIDEO_EXTENSIONS = frozenset(
    {"mkv", "mp4", "m4v", "avi", "mov", "ts", "m2ts", "mpg", "mpeg", "wmv", "webm", "flv"}
)

_SXXEYY = re.compile(
    r"(?<![a-z0-9])s(?P<season>\d{1,3})[ ._-]?e(?P<episode>\d{1,4})"
    r"(?P<more>(?:(?:[ ._-]?e|-)\d{1,4})*)(?![0-9])",
    re.IGNORECASE,
)
_MORE_EPISODES = re.compile(r"\d{1,4}")
_NXNN = re.compile(r"(?<![a-z0-9])(?P<season>\d{1,2})x(?P<episode>\d{2,3})(?![0-9])", re.IGNORECASE)
_DATE = re.compile(r"(?<![0-9])(?P<y>(?:19|20)\d{2})[-._ ](?P<m>\d{2})[-._ ](?P<d>\d{2})(?![0-9])")
_YEAR = re.compile(r"^(?P<title>.*?)[ ._]*[(\[]?(?P<year>(?:19|20)\d{2})[)\]]?(?P<rest>[ ._].*)?$")
_SEASON_FOLDER = re.compile(r"^(?:season|series|staffel|saison)[ ._-]*(?P<season>\d{1,3})$", re.I)
_SPECIALS_FOLDER = re.compile(r"^specials?$", re.IGNORECASE)
_SEPARATORS = " -._"
_RELEASE_JUNK = re.compile(
    r"(?<![a-z0-9])(?:480p|576p|720p|1080[pi]|2160p|4k|x264|x265|h264|h265|hevc|bluray|"
    r"blu-ray|web-?dl|webrip|hdtv|dvdrip|proper|repack)(?![a-z0-9])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParsedName:
    kind: str  # "episode", "movie" or "other"
    title: str  # episode title for episodes, the title otherwise
    series_title: str | None = None
    season: int | None = None
    episode: int | None = None
    episode_end: int | None = None
    year: int | None = None
    aired_date: date | None = None


def is_video_file(name: str) -> bool:
    return "." in name and name.rsplit(".", 1)[1].lower() in VIDEO_EXTENSIONS


def is_season_folder(name: str) -> bool:
    """``Season 01``, ``Series 2``, ``Specials`` and the like."""
    return bool(_SEASON_FOLDER.match(name) or _SPECIALS_FOLDER.match(name))


def clean_title(text: str) -> str:
    """Turn ``The.Show_Name`` into ``The Show Name``; trim separators at both ends."""
    if " " not in text.strip():
        text = text.replace(".", " ").replace("_", " ")
    text = re.sub(r"\s+", " ", text)
    return text.strip(_SEPARATORS + "[]()")


def split_year(text: str) -> tuple[str, int | None]:
    """``"Show (2005)"`` -> ``("Show", 2005)``; text without a trailing year is returned as is."""
    match = re.match(r"^(?P<title>.+?)[ ._]*[(\[](?P<year>(?:19|20)\d{2})[)\]]\s*$", text)
    if match:
        return clean_title(match["title"]), int(match["year"])
    return clean_title(text), None


def parse_path(relative_path: str) -> ParsedName:
    """Parse a path relative to the source root (``/``-separated)."""
    path = PurePosixPath(relative_path)
    stem = path.stem
    folders = list(path.parts[:-1])
    show_folder = _show_folder(folders)
    return (
        _parse_sxxeyy(stem, show_folder)
        or _parse_nxnn(stem, show_folder)
        or _parse_dated(stem, show_folder)
        or _parse_movie(stem, folders)
        or ParsedName(kind="other", title=clean_title(stem) or stem)
    )


@dataclass(frozen=True)
class _ShowFolder:
    name: str | None
    above_season: bool


def _show_folder(folders: list[str]) -> _ShowFolder:
    """The folder that names the show: the one above ``Season NN``/``Specials``, else the last."""
    if not folders:
        return _ShowFolder(None, above_season=False)
    last = folders[-1]
    if _SEASON_FOLDER.match(last) or _SPECIALS_FOLDER.match(last):
        return _ShowFolder(folders[-2] if len(folders) >= 2 else None, above_season=True)
    return _ShowFolder(last, above_season=False)


def _series(prefix: str, folder: _ShowFolder) -> tuple[str | None, int | None]:
    """The series title: the show folder above a season folder, else the filename's prefix."""
    prefix_title, prefix_year = split_year(clean_title(prefix))
    if folder.name:
        folder_title, folder_year = split_year(folder.name)
        if folder_title and (
            folder.above_season or not prefix_title or folder_title.lower() == prefix_title.lower()
        ):
            return folder_title, folder_year or prefix_year
    return (prefix_title or None), prefix_year


def _episode_title(rest: str) -> str:
    match = _RELEASE_JUNK.search(rest)
    return clean_title(rest[: match.start()] if match else rest)


def _parse_sxxeyy(stem: str, show_folder: _ShowFolder) -> ParsedName | None:
    match = _SXXEYY.search(stem)
    if not match:
        return None
    first = int(match["episode"])
    extra = [int(n) for n in _MORE_EPISODES.findall(match["more"] or "")]
    last = max([first, *extra])
    series, year = _series(stem[: match.start()], show_folder)
    return ParsedName(
        kind="episode",
        title=_episode_title(stem[match.end() :]),
        series_title=series,
        season=int(match["season"]),
        episode=first,
        episode_end=last if last != first else None,
        year=year,
    )


def _parse_nxnn(stem: str, show_folder: _ShowFolder) -> ParsedName | None:
    match = _NXNN.search(stem)
    if not match:
        return None
    series, year = _series(stem[: match.start()], show_folder)
    return ParsedName(
        kind="episode",
        title=_episode_title(stem[match.end() :]),
        series_title=series,
        season=int(match["season"]),
        episode=int(match["episode"]),
        year=year,
    )


def _parse_dated(stem: str, show_folder: _ShowFolder) -> ParsedName | None:
    match = _DATE.search(stem)
    if not match:
        return None
    try:
        aired = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    series, year = _series(stem[: match.start()], show_folder)
    return ParsedName(
        kind="episode",
        title=_episode_title(stem[match.end() :]),
        series_title=series,
        year=year,
        aired_date=aired,
    )


def _parse_movie(stem: str, folders: list[str]) -> ParsedName | None:
    for text in (stem, folders[-1] if folders else ""):
        match = _YEAR.match(text)
        if match and clean_title(match["title"]):
            return ParsedName(
                kind="movie", title=clean_title(match["title"]), year=int(match["year"])
            )
    return None
