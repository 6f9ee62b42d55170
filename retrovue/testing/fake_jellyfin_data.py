"""The fake Jellyfin/Emby server's library: items in the shape of the servers' ``BaseItemDto``.

:func:`sample_library` is a small library with every case the importer handles (a series with a
special and a double episode, a movie in two versions, a two-part movie, an unmapped movie, a
music library that must be refused and a home-videos library of bumpers). :func:`large_library`
generates ``count`` episodes for benchmarks. Both return plain JSON-ready dictionaries:

``{"server": {...}, "users": [...], "libraries": [{"Name", "CollectionType", "ItemId",
"Locations", "items": [BaseItemDto, ...]}]}``

Ticks are the servers' unit: 100 ns (10,000 per millisecond).
"""

from __future__ import annotations

import hashlib
from typing import Any

Json = dict[str, Any]
TICKS_PER_MS = 10_000
SERVER_ID = "4e1b7c2a9d3f4b8e8a6c5d0f1e2a3b4c"


def guid(text: str) -> str:
    """A stable 32-hex item id, as the servers print them (no dashes)."""
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _streams(
    codec: str = "h264",
    width: int = 1920,
    height: int = 1080,
    fps: float = 23.976,
    audio: tuple[tuple[str, int, str | None], ...] = (("aac", 2, "eng"),),
    subtitles: tuple[tuple[str, str | None], ...] = (),
    interlaced: bool = False,
) -> list[Json]:
    streams: list[Json] = [
        {
            "Type": "Video",
            "Index": 0,
            "Codec": codec,
            "Width": width,
            "Height": height,
            "AverageFrameRate": fps,
            "RealFrameRate": fps,
            "IsInterlaced": interlaced,
            "AspectRatio": "16:9",
        }
    ]
    for number, (acodec, channels, language) in enumerate(audio, start=1):
        stream: Json = {
            "Type": "Audio",
            "Index": number,
            "Codec": acodec,
            "Channels": channels,
            "SampleRate": 48000,
        }
        if language:
            stream["Language"] = language
        streams.append(stream)
    for number, (scodec, language) in enumerate(subtitles, start=len(streams)):
        streams.append({"Type": "Subtitle", "Index": number, "Codec": scodec, "Language": language})
    return streams


def _source(item_id: str, path: str, duration_ms: int, size: int, **streams: Any) -> Json:
    return {
        "Id": item_id,
        "Path": path,
        "Protocol": "File",
        "Type": "Default",
        "Container": path.rsplit(".", 1)[-1],
        "Size": size,
        "RunTimeTicks": duration_ms * TICKS_PER_MS,
        "MediaStreams": _streams(**streams),
    }


def video_item(
    kind: str,
    name: str,
    path: str,
    duration_ms: int,
    *,
    key: str | None = None,
    size: int = 100_000_000,
    chapters: tuple[tuple[int, str], ...] = (),
    versions: tuple[str, ...] = (),
    **fields: Any,
) -> Json:
    """One Episode or Movie with its media source(s) and chapters."""
    item_id = guid(key or path)
    sources = [_source(item_id, path, duration_ms, size, **fields.pop("streams", {}))]
    sources += [_source(guid(v), v, duration_ms, size // 2) for v in versions]
    item: Json = {
        "Id": item_id,
        "Name": name,
        "ServerId": SERVER_ID,
        "Type": kind,
        "IsFolder": False,
        "LocationType": "FileSystem",
        "MediaType": "Video",
        "Path": path,
        "Container": sources[0]["Container"],
        "RunTimeTicks": duration_ms * TICKS_PER_MS,
        "Etag": guid(f"etag:{path}")[:16],
        "DateCreated": "2024-01-05T10:00:00.0000000Z",
        "Genres": [],
        "ImageTags": {"Primary": guid(f"image:{path}")[:12]},
        "MediaSources": sources,
        "Chapters": [
            {"StartPositionTicks": start_ms * TICKS_PER_MS, "Name": title}
            for start_ms, title in chapters
        ],
    }
    item.update(fields)
    return item


def series_item(name: str, year: int, genres: list[str], rating: str, overview: str) -> Json:
    return {
        "Id": guid(f"series:{name}"),
        "Name": name,
        "ServerId": SERVER_ID,
        "Type": "Series",
        "IsFolder": True,
        "ProductionYear": year,
        "Genres": genres,
        "OfficialRating": rating,
        "Overview": overview,
        "ImageTags": {"Primary": guid(f"image:series:{name}")[:12]},
    }


def episode(
    series: Json, season: int, number: int, name: str, path: str, duration_ms: int, **fields: Any
) -> Json:
    return video_item(
        "Episode",
        name,
        path,
        duration_ms,
        SeriesName=series["Name"],
        SeriesId=series["Id"],
        SeasonId=guid(f"season:{series['Name']}:{season}"),
        SeriesPrimaryImageTag=series["ImageTags"]["Primary"],
        ParentIndexNumber=season,
        IndexNumber=number,
        **fields,
    )


SHOW_DIR = "/media/tv/The Sample Show (1998)"
PILOT = f"{SHOW_DIR}/Season 01/The Sample Show - S01E01 - Pilot.mkv"
DOUBLE = f"{SHOW_DIR}/Season 01/The Sample Show - S01E02-E03 - Dead Air.mkv"
SPECIAL = f"{SHOW_DIR}/Specials/The Sample Show - S00E01 - Christmas at the Station.mkv"
MOVIE = "/media/movies/Night Signal (1987)/Night Signal (1987) - 1080p.mkv"
MOVIE_SD = "/media/movies/Night Signal (1987)/Night Signal (1987) - 480p.avi"
LONG_CUT_1 = "/media/movies/The Long Cut (1994)/The Long Cut (1994) - pt1.avi"
LONG_CUT_2 = "/media/movies/The Long Cut (1994)/The Long Cut (1994) - pt2.avi"
UNMAPPED = "/elsewhere/Signal Lost (2001).mp4"
BUMPER = "/media/bumpers/Station ident 1986.mp4"


def _show_library() -> Json:
    show = series_item(
        "The Sample Show", 1998, ["Comedy", "Drama"], "TV-PG", "A small-town TV station."
    )
    items = [
        show,
        episode(
            show, 1, 1, "Pilot", PILOT, 1_320_000,
            Overview="The station goes on air for the first time.",
            PremiereDate="1998-09-14T00:00:00.0000000Z", ProductionYear=1998,
            chapters=((0, "Cold Open"), (95_000, "Act One"), (640_000, "Act Two")),
            streams={"audio": (("aac", 2, "eng"), ("ac3", 6, "ger")),
                     "subtitles": (("subrip", "eng"),)},
        ),
        episode(
            show, 1, 2, "Dead Air", DOUBLE, 2_640_000, IndexNumberEnd=3,
            PremiereDate="1998-09-21T00:00:00.0000000Z",
        ),
        episode(
            show, 0, 1, "Christmas at the Station", SPECIAL, 2_640_000,
            PremiereDate="1998-12-24T00:00:00.0000000Z", OfficialRating="TV-G",
            streams={"width": 1440, "fps": 29.97, "interlaced": True,
                     "audio": (("ac3", 2, "eng"),)},
        ),
    ]  # fmt: skip
    return {
        "Name": "Shows",
        "CollectionType": "tvshows",
        "ItemId": guid("library:shows"),
        "Locations": ["/media/tv"],
        "items": items,
    }


def _movie_library() -> Json:
    common: dict[str, Any] = {"ProductionYear": 1987, "Genres": ["Thriller"], "OfficialRating": "R"}
    night = video_item(
        "Movie", "Night Signal", MOVIE, 5_400_000, versions=(MOVIE_SD,),
        Overview="A late-night broadcast that should not exist.",
        PremiereDate="1987-10-30T00:00:00.0000000Z", **common,
    )  # fmt: skip
    long_cut = video_item(
        "Movie", "The Long Cut", LONG_CUT_1, 3_600_000, PartCount=2, ProductionYear=1994,
        chapters=((0, "Opening"), (1_800_000, "Middle"), (4_000_000, "Second reel")),
        streams={"codec": "mpeg4", "width": 720, "height": 480, "fps": 25.0},
    )  # fmt: skip
    lost = video_item("Movie", "Signal Lost", UNMAPPED, 600_000, ProductionYear=2001)
    return {
        "Name": "Films",
        "CollectionType": "movies",
        "ItemId": guid("library:films"),
        "Locations": ["/media/movies", "/elsewhere"],
        "items": [night, long_cut, lost],
        "parts": {long_cut["Id"]: [video_item("Movie", "The Long Cut", LONG_CUT_2, 3_000_000)]},
    }


def sample_library() -> Json:
    """The library most tests use (a fresh copy each call)."""
    bumper = video_item("Video", "Station ident 1986", BUMPER, 15_000)
    return {
        "server": {"ServerName": "Den Jellyfin", "Version": "10.9.11", "Id": SERVER_ID},
        "users": [
            {"Name": "operator", "Id": guid("user:operator"), "Password": "s3cret-pass"},
        ],
        "libraries": [
            _show_library(),
            _movie_library(),
            {
                "Name": "Music",
                "CollectionType": "music",
                "ItemId": guid("library:music"),
                "Locations": ["/media/music"],
                "items": [],
            },
            {
                "Name": "Bumpers",
                "CollectionType": "homevideos",
                "ItemId": guid("library:bumpers"),
                "Locations": ["/media/bumpers"],
                "items": [bumper],
            },
        ],
    }


def large_library(count: int, *, shows: int = 100) -> Json:
    """``count`` episodes across ``shows`` series in one library (benchmarks, memory checks)."""
    library = sample_library()
    series = [
        series_item(f"Show {n:03d}", 1980 + n % 30, ["Drama"], "TV-14", "Generated.")
        for n in range(shows)
    ]
    items: list[Json] = list(series)
    for number in range(count):
        show = series[number % shows]
        season, index = divmod(number // shows, 20)
        path = f"/media/tv/{show['Name']}/Season {season + 1:02d}/E{index + 1:02d}.mkv"
        items.append(episode(show, season + 1, index + 1, f"Episode {number}", path, 1_320_000))
    library["libraries"] = [
        {
            "Name": "Shows",
            "CollectionType": "tvshows",
            "ItemId": guid("library:shows"),
            "Locations": ["/media/tv"],
            "items": items,
        }
    ]
    return library
