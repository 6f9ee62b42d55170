"""Filename parsing: the layouts real libraries use (pure, no files)."""

from __future__ import annotations

from datetime import date

import pytest

from retrovue.library.naming import clean_title, is_season_folder, is_video_file, parse_path


@pytest.mark.parametrize(
    ("path", "series", "season", "episode", "episode_end", "title", "year"),
    [
        ("Show (2005)/Season 01/Show - S01E02 - Title.mkv", "Show", 1, 2, None, "Title", 2005),
        ("Show/Season 2/Show - s02e10 - The End.mp4", "Show", 2, 10, None, "The End", None),
        (
            "The.Office.US/Season 2/The.Office.US.S02E03E04.The.Fire.720p.mkv",
            "The Office US",
            2,
            3,
            4,
            "The Fire",
            None,
        ),
        ("Show/Show S01E02-03.mkv", "Show", 1, 2, 3, "", None),
        ("Show/Show - S01E05-E07 - Marathon.mkv", "Show", 1, 5, 7, "Marathon", None),
        ("Show/Show 1x02 Pilot.avi", "Show", 1, 2, None, "Pilot", None),
        ("Other.Show/Other.Show.1x02.Name.avi", "Other Show", 1, 2, None, "Name", None),
        ("Show (2005)/Season 00/Show - S00E01 - Special.mkv", "Show", 0, 1, None, "Special", 2005),
        ("Show/Specials/Show - S00E02.mkv", "Show", 0, 2, None, "", None),
        ("TV/Another Show - S03E04 - X.mkv", "Another Show", 3, 4, None, "X", None),
        ("Show S01E01.mkv", "Show", 1, 1, None, "", None),
    ],
)
def test_episode_patterns(
    path: str,
    series: str,
    season: int,
    episode: int,
    episode_end: int | None,
    title: str,
    year: int | None,
) -> None:
    parsed = parse_path(path)
    assert parsed.kind == "episode"
    assert (parsed.series_title, parsed.season, parsed.episode) == (series, season, episode)
    assert parsed.episode_end == episode_end
    assert parsed.title == title
    assert parsed.year == year


def test_date_based_episode() -> None:
    parsed = parse_path("Daily Show/Daily Show - 2024-01-05 - Guest Name.mp4")
    assert parsed.kind == "episode"
    assert parsed.series_title == "Daily Show"
    assert parsed.aired_date == date(2024, 1, 5)
    assert parsed.title == "Guest Name"
    assert parsed.season is None


def test_impossible_date_is_not_a_date() -> None:
    parsed = parse_path("Daily/Daily - 2024-13-45 - X.mp4")
    assert parsed.aired_date is None


@pytest.mark.parametrize(
    ("path", "title", "year"),
    [
        ("Alien (1979)/Alien (1979).mkv", "Alien", 1979),
        ("Heat (1995).mp4", "Heat", 1995),
        ("Movies/Movie.Name.2010.1080p.BluRay.mkv", "Movie Name", 2010),
        ("Blade Runner (1982)/movie.mkv", "Blade Runner", 1982),
    ],
)
def test_movies(path: str, title: str, year: int) -> None:
    parsed = parse_path(path)
    assert (parsed.kind, parsed.title, parsed.year) == ("movie", title, year)
    assert parsed.series_title is None


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("Misc/clip.mkv", "clip"),
        ("home_video_final.mp4", "home video final"),
        ("1080p/foo 1920x1080.mkv", "foo 1920x1080"),
    ],
)
def test_pattern_less_names_are_other(path: str, title: str) -> None:
    parsed = parse_path(path)
    assert parsed.kind == "other"
    assert parsed.title == title


def test_video_extensions_and_helpers() -> None:
    for name in ("a.mkv", "b.MP4", "c.m2ts", "d.webm", "e.flv", "f.wmv", "g.mpeg", "h.ts"):
        assert is_video_file(name), name
    for name in ("a.nfo", "b.jpg", "c.srt", "mkv", "notes.txt"):
        assert not is_video_file(name), name
    assert is_season_folder("Season 01")
    assert is_season_folder("Specials")
    assert not is_season_folder("Seasoned Cooks")
    assert clean_title("The.Show_Name") == "The Show Name"
