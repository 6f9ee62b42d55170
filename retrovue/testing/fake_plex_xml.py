"""Plex Media Server XML, rendered from compact fixture data (used by :mod:`fake_plex`).

The fixture (``plex_fixtures/library.json``) holds sections; show sections hold shows with seasons
and episodes, movie sections hold movies. An episode may use a compact single-file form (``file``,
``size``, ``container``, ``video``, ``audio``, ``subtitles``) instead of a full ``media`` list.
Elements and attributes follow what a real server sends: listings carry Media/Part without streams;
the metadata endpoint adds streams, tags, and (when asked) chapters and markers.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from retrovue.testing.fake_plex_media import (
    Json,
    chapter_elements,
    marker_elements,
    media_elements,
    xml_element,
)

FIXTURE_DIR = Path(__file__).parent / "plex_fixtures"


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
        xml_element("Directory", count=1, key=key, title=key)
        for key in ("activities", "butler", "channels", "clients", "hubs", "library", "playlists")
    ]
    return container(directories, **attrs)


def library_root() -> ET.Element:
    directories = [
        xml_element("Directory", key="sections", title="Library Sections"),
        xml_element("Directory", key="recentlyAdded", title="Recently Added Content"),
        xml_element("Directory", key="onDeck", title="On Deck"),
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
    element = xml_element(
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
    element.append(xml_element("Location", id=section["key"], path=section["location"]))
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
        xml_element(tag, id=start_id + i, filter=f"{tag.lower()}={start_id + i}", tag=value)
        for i, value in enumerate(values)
    ]


def show_dir(node: Node, *, details: bool) -> ET.Element:
    show, section = node.data, node.section
    rating_key = int(show["ratingKey"])
    seasons = show.get("seasons", [])
    updated = show.get("updatedAt", 1700000000)
    element = xml_element(
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
        element.append(xml_element("Location", path=folder))
    return element


def season_dir(node: Node) -> ET.Element:
    season, show = node.data, node.show or {}
    rating_key = int(season["ratingKey"])
    updated = show.get("updatedAt", 1700000000)
    return xml_element(
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


def _year(item: Json) -> object:
    aired = item.get("originallyAvailableAt")
    return item.get("year") or (int(aired[:4]) if aired else None)


def episode_video(node: Node, *, details: bool, chapters: bool, markers: bool) -> ET.Element:
    episode, show, season = node.data, node.show or {}, node.season or {}
    rating_key = int(episode["ratingKey"])
    updated = int(episode.get("updatedAt") or show.get("updatedAt") or 1700000000)
    show_key, season_key = int(show["ratingKey"]), int(season["ratingKey"])
    element = xml_element(
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
    element = xml_element(
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
