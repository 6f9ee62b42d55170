"""Plex Media Server XML, rendered from compact fixture data (used by :mod:`fake_plex`).

The fixture (``plex_fixtures/library.json``) holds sections; show sections hold shows with seasons
and episodes, movie sections hold movies. An episode may use a compact single-file form (``file``,
``size``, ``container``, ``video``, ``audio``, ``subtitles``) instead of a full ``media`` list.
Elements and attributes follow what a real server sends: listings carry Media/Part without streams;
the metadata endpoint adds streams, tags, and (when asked) chapters and markers.
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURE_DIR = Path(__file__).parent / "plex_fixtures"

Json = dict[str, Any]

TYPE_NUMBERS = {"movie": 1, "show": 2, "season": 3, "episode": 4}


def load_fixture(name: str = "library.json") -> Json:
    """A fresh copy of a fixture file from ``plex_fixtures/``."""
    data: Json = json.loads((FIXTURE_DIR / name).read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Node:
    """One metadata item with its ancestors, as found in the fixture."""

    kind: str  # show | season | episode | movie
    data: Json
    section: Json
    show: Json | None = None
    season: Json | None = None


def index_items(fixture: Json) -> dict[int, Node]:
    """Every item of the fixture by rating key."""
    found: dict[int, Node] = {}
    for section in fixture["sections"]:
        for item in section.get("items", []):
            if section["type"] == "movie":
                found[int(item["ratingKey"])] = Node("movie", item, section)
                continue
            found[int(item["ratingKey"])] = Node("show", item, section)
            for season in item.get("seasons", []):
                found[int(season["ratingKey"])] = Node("season", season, section, item)
                for episode in season.get("episodes", []):
                    node = Node("episode", episode, section, item, season)
                    found[int(episode["ratingKey"])] = node
    return found


def container(children: Iterable[ET.Element], **attrs: object) -> ET.Element:
    root = ET.Element("MediaContainer")
    items = list(children)
    root.set("size", str(len(items)))
    for key, value in attrs.items():
        if value is not None:
            root.set(key, str(value))
    root.extend(items)
    return root


def to_bytes(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _el(element_tag: str, /, **attrs: object) -> ET.Element:
    element = ET.Element(element_tag)
    for key, value in attrs.items():
        if value is not None:
            element.set(key, str(value).lower() if isinstance(value, bool) else str(value))
    return element


def server_root(server: Json, sections: list[Json]) -> ET.Element:
    attrs = {
        "allowCameraUpload": 1,
        "allowChannelAccess": 1,
        "allowMediaDeletion": 1,
        "allowSharing": 1,
        "allowSync": 1,
        "backgroundProcessing": 1,
        "certificate": 1,
        "companionProxy": 1,
        "eventStream": 1,
        "friendlyName": server["friendlyName"],
        "hubSearch": 1,
        "machineIdentifier": server["machineIdentifier"],
        "multiuser": 1,
        "myPlex": 1,
        "myPlexSigninState": "ok",
        "myPlexSubscription": 0,
        "platform": server.get("platform", "Linux"),
        "platformVersion": server.get("platformVersion", ""),
        "sync": 1,
        "transcoderActiveVideoSessions": 0,
        "transcoderAudio": 1,
        "transcoderVideo": 1,
        "updatedAt": 1700000000,
        "version": server["version"],
    }
    directories = [
        _el("Directory", count=1, key=key, title=key)
        for key in ("activities", "butler", "channels", "clients", "hubs", "library", "playlists")
    ]
    return container(directories, **attrs)


def library_root() -> ET.Element:
    directories = [
        _el("Directory", key="sections", title="Library Sections"),
        _el("Directory", key="recentlyAdded", title="Recently Added Content"),
        _el("Directory", key="onDeck", title="On Deck"),
    ]
    return container(
        directories,
        allowSync=0,
        art="/:/resources/library-art.png",
        content="",
        identifier="com.plexapp.plugins.library",
        mediaTagPrefix="/system/bundle/media/flags/",
        mediaTagVersion=1700000000,
        title1="Plex Library",
        title2="",
    )


def section_dir(section: Json) -> ET.Element:
    element = _el(
        "Directory",
        allowSync=1,
        art=f"/:/resources/{section['type']}-fanart.jpg",
        composite=f"/library/sections/{section['key']}/composite/{section['updatedAt']}",
        filters=1,
        refreshing=0,
        thumb=f"/:/resources/{section['type']}.png",
        key=section["key"],
        type=section["type"],
        title=section["title"],
        agent=section["agent"],
        scanner=section["scanner"],
        language="en-US",
        uuid=section["uuid"],
        updatedAt=section["updatedAt"],
        createdAt=1690000000,
        scannedAt=section["updatedAt"],
        content=1,
        directory=1,
        contentChangedAt=section["updatedAt"],
        hidden=0,
    )
    element.append(_el("Location", id=section["key"], path=section["location"]))
    return element


def sections_root(sections: list[Json]) -> ET.Element:
    return container(
        (section_dir(s) for s in sections), allowSync=0, title1="Plex Library", identifier="lib"
    )


def _thumb(rating_key: int, updated_at: int) -> str:
    return f"/library/metadata/{rating_key}/thumb/{updated_at}"


def _section_attrs(section: Json) -> dict[str, object]:
    return {
        "librarySectionID": section["key"],
        "librarySectionKey": f"/library/sections/{section['key']}",
        "librarySectionTitle": section["title"],
    }


def _tags(tag: str, values: Iterable[str], start_id: int) -> list[ET.Element]:
    return [
        _el(tag, id=start_id + i, filter=f"{tag.lower()}={start_id + i}", tag=value)
        for i, value in enumerate(values)
    ]


def show_dir(node: Node, *, details: bool) -> ET.Element:
    show, section = node.data, node.section
    rating_key = int(show["ratingKey"])
    seasons = show.get("seasons", [])
    updated = show.get("updatedAt", 1700000000)
    element = _el(
        "Directory",
        ratingKey=rating_key,
        key=f"/library/metadata/{rating_key}/children",
        guid=f"plex://show/{rating_key:024x}",
        studio=show.get("studio"),
        type="show",
        title=show["title"],
        contentRating=show.get("contentRating"),
        summary=show.get("summary", ""),
        index=1,
        year=show.get("year"),
        thumb=_thumb(rating_key, updated),
        art=f"/library/metadata/{rating_key}/art/{updated}",
        duration=1320000,
        originallyAvailableAt=show.get("originallyAvailableAt"),
        leafCount=sum(len(s.get("episodes", [])) for s in seasons),
        viewedLeafCount=0,
        childCount=len(seasons),
        addedAt=1690000000,
        updatedAt=updated,
        **(_section_attrs(section) if details else {}),
    )
    element.extend(_tags("Genre", show.get("genres", []), rating_key * 10))
    if details:
        folder = f"{section['location']}/{show['title']} ({show.get('year')})"
        element.append(_el("Location", path=folder))
    return element


def season_dir(node: Node) -> ET.Element:
    season, show = node.data, node.show or {}
    rating_key = int(season["ratingKey"])
    updated = show.get("updatedAt", 1700000000)
    return _el(
        "Directory",
        ratingKey=rating_key,
        key=f"/library/metadata/{rating_key}/children",
        parentRatingKey=show["ratingKey"],
        guid=f"plex://season/{rating_key:024x}",
        parentGuid=f"plex://show/{int(show['ratingKey']):024x}",
        type="season",
        title=season.get("title", f"Season {season['index']}"),
        parentKey=f"/library/metadata/{show['ratingKey']}",
        parentTitle=show["title"],
        summary="",
        index=season["index"],
        parentIndex=1,
        thumb=_thumb(rating_key, updated),
        parentThumb=_thumb(int(show["ratingKey"]), updated),
        leafCount=len(season.get("episodes", [])),
        viewedLeafCount=0,
        addedAt=1690000000,
        updatedAt=updated,
        **_section_attrs(node.section),
    )


def normalised_media(item: Json) -> list[Json]:
    """The item's media list, expanding the compact single-file form."""
    if "media" in item:
        return [copy.deepcopy(m) for m in item["media"]]
    media: Json = {
        k: copy.deepcopy(item[k]) for k in ("container", "video", "audio", "subtitles") if k in item
    }
    media["parts"] = [
        {
            "id": int(item["ratingKey"]) * 10 + 1,
            "file": item["file"],
            "size": item.get("size", 0),
            "duration": item.get("duration"),
        }
    ]
    return [media]


_RATE_NAMES = {23.976: "24p", 24.0: "24p", 25.0: "PAL", 29.97: "NTSC", 50.0: "50p", 59.94: "60p"}


def _resolution(height: int) -> str:
    if height >= 2000:
        return "4k"
    if height >= 1000:
        return "1080"
    if height >= 700:
        return "720"
    return "sd" if height < 576 else "576"


def _streams(media: Json, part_id: int) -> list[ET.Element]:
    streams: list[ET.Element] = []
    video = media.get("video")
    stream_id = part_id * 10
    if video:
        streams.append(
            _el(
                "Stream",
                id=stream_id,
                streamType=1,
                default=1,
                codec=video["codec"],
                index=0,
                bitrate=4000,
                height=video["height"],
                width=video["width"],
                frameRate=video.get("frameRate"),
                scanType=video.get("scanType"),
                pixelAspectRatio=video.get("pixelAspectRatio"),
                displayTitle=f"{_resolution(video['height'])} ({video['codec'].upper()})",
            )
        )
    for i, audio in enumerate(media.get("audio", []), start=1):
        streams.append(
            _el(
                "Stream",
                id=stream_id + i,
                streamType=2,
                selected=1 if i == 1 else None,
                default=1 if i == 1 else None,
                codec=audio["codec"],
                index=i,
                channels=audio["channels"],
                samplingRate=audio["samplingRate"],
                language=audio.get("language"),
                languageCode=audio.get("languageCode"),
                languageTag=(audio.get("languageCode") or "")[:2] or None,
                displayTitle=f"{audio.get('language', 'Unknown')} ({audio['codec'].upper()})",
            )
        )
    offset = stream_id + 1 + len(media.get("audio", []))
    for i, sub in enumerate(media.get("subtitles", [])):
        streams.append(
            _el(
                "Stream",
                id=offset + i,
                streamType=3,
                codec=sub["codec"],
                index=offset + i - stream_id,
                language=sub.get("language"),
                languageCode=sub.get("languageCode"),
                displayTitle=f"{sub.get('language', 'Unknown')} ({sub['codec'].upper()})",
            )
        )
    return streams


def media_elements(item: Json, *, details: bool, updated_at: int) -> list[ET.Element]:
    elements = []
    for number, media in enumerate(normalised_media(item), start=1):
        video = media.get("video") or {}
        audio = (media.get("audio") or [{}])[0]
        parts = media["parts"]
        total_ms = sum(int(p.get("duration") or 0) for p in parts) or item.get("duration")
        element = _el(
            "Media",
            id=int(item["ratingKey"]) * 100 + number,
            duration=total_ms,
            bitrate=4000,
            width=video.get("width"),
            height=video.get("height"),
            aspectRatio=round(video["width"] / video["height"], 2) if video else None,
            audioChannels=audio.get("channels"),
            audioCodec=audio.get("codec"),
            videoCodec=video.get("codec"),
            videoResolution=_resolution(video["height"]) if video else None,
            container=media.get("container"),
            videoFrameRate=_RATE_NAMES.get(video.get("frameRate", 0.0), "24p") if video else None,
            videoProfile="main" if video else None,
        )
        for part in parts:
            ext = part["file"].rsplit(".", 1)[-1]
            part_el = _el(
                "Part",
                id=part["id"],
                key=f"/library/parts/{part['id']}/{updated_at}/file.{ext}",
                duration=part.get("duration"),
                file=part["file"],
                size=part.get("size", 0),
                container=media.get("container"),
                videoProfile="main" if video else None,
                accessible=1 if details else None,
                exists=1 if details else None,
            )
            if details:
                part_el.extend(_streams(media, int(part["id"])))
            element.append(part_el)
        elements.append(element)
    return elements


def chapter_elements(item: Json) -> list[ET.Element]:
    return [
        _el(
            "Chapter",
            id=int(item["ratingKey"]) * 100 + i,
            filter=f"thumb={i}",
            index=i,
            startTimeOffset=chapter["start"],
            endTimeOffset=chapter["end"],
            tag=chapter.get("tag"),
            thumb=f"/library/media/{item['ratingKey']}/chapterImages/{i}",
        )
        for i, chapter in enumerate(item.get("chapters", []), start=1)
    ]


def marker_elements(item: Json) -> list[ET.Element]:
    elements = []
    for i, marker in enumerate(item.get("markers", []), start=1):
        element = _el(
            "Marker",
            id=int(item["ratingKey"]) * 100 + i,
            type=marker["type"],
            startTimeOffset=marker["start"],
            endTimeOffset=marker["end"],
            final=1 if marker["type"] == "credits" else None,
        )
        element.append(_el("Attributes", id=int(item["ratingKey"]) * 100 + i, version=5))
        elements.append(element)
    return elements


def _year(item: Json) -> object:
    aired = item.get("originallyAvailableAt")
    return item.get("year") or (int(aired[:4]) if aired else None)


def episode_video(node: Node, *, details: bool, chapters: bool, markers: bool) -> ET.Element:
    episode, show, season = node.data, node.show or {}, node.season or {}
    rating_key = int(episode["ratingKey"])
    updated = int(episode.get("updatedAt") or show.get("updatedAt") or 1700000000)
    show_key, season_key = int(show["ratingKey"]), int(season["ratingKey"])
    element = _el(
        "Video",
        ratingKey=rating_key,
        key=f"/library/metadata/{rating_key}",
        parentRatingKey=season_key,
        grandparentRatingKey=show_key,
        guid=f"plex://episode/{rating_key:024x}",
        parentGuid=f"plex://season/{season_key:024x}",
        grandparentGuid=f"plex://show/{show_key:024x}",
        type="episode",
        title=episode["title"],
        grandparentKey=f"/library/metadata/{show_key}",
        parentKey=f"/library/metadata/{season_key}",
        grandparentTitle=show["title"],
        parentTitle=season.get("title"),
        contentRating=episode.get("contentRating", show.get("contentRating")),
        summary=episode.get("summary", ""),
        index=episode["index"],
        parentIndex=season["index"],
        year=_year(episode),
        thumb=_thumb(rating_key, updated),
        art=f"/library/metadata/{show_key}/art/{updated}",
        parentThumb=_thumb(season_key, updated),
        grandparentThumb=_thumb(show_key, updated),
        grandparentArt=f"/library/metadata/{show_key}/art/{updated}",
        duration=episode.get("duration"),
        originallyAvailableAt=episode.get("originallyAvailableAt"),
        addedAt=1690000000,
        updatedAt=updated,
        **_section_attrs(node.section),
    )
    element.extend(media_elements(episode, details=details, updated_at=updated))
    return _details(element, episode, details=details, chapters=chapters, markers=markers)


def movie_video(node: Node, *, details: bool, chapters: bool, markers: bool) -> ET.Element:
    movie = node.data
    rating_key = int(movie["ratingKey"])
    updated = int(movie.get("updatedAt", 1700000000))
    element = _el(
        "Video",
        ratingKey=rating_key,
        key=f"/library/metadata/{rating_key}",
        guid=f"plex://movie/{rating_key:024x}",
        studio=movie.get("studio"),
        type="movie",
        title=movie["title"],
        contentRating=movie.get("contentRating"),
        summary=movie.get("summary", ""),
        year=_year(movie),
        thumb=_thumb(rating_key, updated),
        art=f"/library/metadata/{rating_key}/art/{updated}",
        duration=movie.get("duration"),
        originallyAvailableAt=movie.get("originallyAvailableAt"),
        addedAt=1690000000,
        updatedAt=updated,
        **_section_attrs(node.section),
    )
    element.extend(media_elements(movie, details=details, updated_at=updated))
    element.extend(_tags("Genre", movie.get("genres", []), rating_key * 10))
    return _details(element, movie, details=details, chapters=chapters, markers=markers)


def _details(
    element: ET.Element, item: Json, *, details: bool, chapters: bool, markers: bool
) -> ET.Element:
    if not details:
        return element
    element.extend(_tags("Director", item.get("directors", []), int(item["ratingKey"]) * 10 + 5))
    if chapters:
        element.extend(chapter_elements(item))
    if markers:
        element.extend(marker_elements(item))
    return element


def item_element(node: Node, *, details: bool, chapters: bool, markers: bool) -> ET.Element:
    if node.kind == "show":
        return show_dir(node, details=details)
    if node.kind == "season":
        return season_dir(node)
    if node.kind == "episode":
        return episode_video(node, details=details, chapters=chapters, markers=markers)
    return movie_video(node, details=details, chapters=chapters, markers=markers)
