"""The Jellyfin and Emby importers: read a server's libraries into scanned items.

Reading is one network phase that finishes before the sync writes anything, as for Plex: the
server's libraries (``/Library/VirtualFolders``), then per chosen library its series (for genres
and ratings) and its videos, :data:`~retrovue.library.jellyfin_api.PAGE_SIZE` items per request
with every field the import needs (``Fields=Path,MediaSources,Chapters,...``): a 20,000-item
library is 40 requests, not 20,000. Stacked (multi-part) movies cost one more request each
(``/Videos/{id}/AdditionalParts``). Each page is turned into compact values and dropped, so
memory grows with the items, not with the server's JSON. A failure anywhere is a one-line
:class:`SourceError` before anything is written, so a failed sync never soft-deletes what it
could not see.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from retrovue.errors import SourceError
from retrovue.library.jellyfin_api import ServerClient, ServerSettings
from retrovue.library.jellyfin_items import (
    COLLECTION_KINDS,
    SeriesInfo,
    ServerPart,
    ServerVideo,
    part_count,
    read_part,
    read_series,
    read_video,
    scanned_items,
    with_parts,
)
from retrovue.library.plex import clean_url
from retrovue.library.registry import ScannedItem, SourceSpec

log = logging.getLogger(__name__)

FIELDS = (
    "Path,MediaSources,MediaStreams,Chapters,Genres,Overview,OfficialRating,PremiereDate,"
    "ProductionYear,Etag,DateCreated"
)
VIDEO_ITEM_TYPES = "Episode,Movie,Video,MusicVideo"


@dataclass(frozen=True)
class ServerLibrary:
    item_id: str
    name: str
    collection_type: str | None  # tvshows, movies, homevideos, music, ... (None: mixed)
    locations: tuple[str, ...] = ()

    @property
    def importable(self) -> bool:
        return self.collection_type in COLLECTION_KINDS


@dataclass(frozen=True)
class ServerInfo:
    name: str
    server_id: str
    version: str
    libraries: tuple[ServerLibrary, ...]


def server_info(settings: ServerSettings) -> ServerInfo:
    """Describe the server and its libraries (checks the key: ``/System/Info`` needs it)."""
    with ServerClient(settings) as client:
        info = client.get("/System/Info")
        if not isinstance(info, dict):
            raise SourceError(f"{settings.where} sent a system info RetroVue cannot read")
        libraries = _libraries(client)
    log.info("connected to %s", settings.where)
    return ServerInfo(
        str(info.get("ServerName") or ""),
        str(info.get("Id") or ""),
        str(info.get("Version") or ""),
        libraries,
    )


def _libraries(client: ServerClient) -> tuple[ServerLibrary, ...]:
    folders = client.get("/Library/VirtualFolders")
    if not isinstance(folders, list):
        raise SourceError(f"{client.settings.where} sent a library list RetroVue cannot read")
    found = []
    for folder in folders:
        if isinstance(folder, dict) and folder.get("ItemId") and folder.get("Name"):
            found.append(
                ServerLibrary(
                    str(folder["ItemId"]),
                    str(folder["Name"]),
                    folder.get("CollectionType") or None,
                    tuple(str(p) for p in folder.get("Locations") or ()),
                )
            )
    return tuple(found)


def choose_libraries(
    available: Sequence[ServerLibrary], wanted: Sequence[str], where: str
) -> list[ServerLibrary]:
    """The libraries named (every video library when none is); one-line errors otherwise."""
    if not wanted:
        return [lib for lib in available if lib.importable]
    by_name = {lib.name.strip().lower(): lib for lib in available}
    chosen: list[ServerLibrary] = []
    for name in wanted:
        lib = by_name.get(name.strip().lower())
        if lib is None:
            names = ", ".join(repr(lib.name) for lib in available) or "none"
            raise SourceError(f"{where} has no library {name!r} (libraries: {names})")
        if not lib.importable:
            raise SourceError(
                f"{where}: library {lib.name!r} holds {lib.collection_type} items; only show, "
                "movie and video libraries can be imported"
            )
        if lib not in chosen:
            chosen.append(lib)
    return chosen


def read_videos(settings: ServerSettings) -> list[ServerVideo]:
    """Everything the chosen libraries hold, read completely before returning."""
    base_url = clean_url(settings.url)
    videos: list[ServerVideo] = []
    with ServerClient(settings) as client:
        chosen = choose_libraries(_libraries(client), settings.libraries, settings.where)
        for library in chosen:
            series = _series(client, library) if library.collection_type != "movies" else {}
            for page in client.pages(
                client.items_path(),
                ParentId=library.item_id,
                Recursive="true",
                IncludeItemTypes=VIDEO_ITEM_TYPES,
                Fields=FIELDS,
                SortBy="SortName",
                EnableImages="true",
                ImageTypeLimit=1,
            ):
                videos += _page_videos(client, page, series, base_url)
            log.info(
                "read %s library %r: %d items so far", settings.kind, library.name, len(videos)
            )
    return videos


def _series(client: ServerClient, library: ServerLibrary) -> dict[str, SeriesInfo]:
    found: dict[str, SeriesInfo] = {}
    for page in client.pages(
        client.items_path(),
        ParentId=library.item_id,
        Recursive="true",
        IncludeItemTypes="Series",
        Fields="Genres,OfficialRating,ProductionYear",
    ):
        for item in page:
            pair = read_series(item)
            if pair is not None:
                found[pair[0]] = pair[1]
    return found


def _page_videos(
    client: ServerClient, page: list[Any], series: dict[str, SeriesInfo], base_url: str
) -> list[ServerVideo]:
    videos = []
    for item in page:
        video = read_video(item, series, base_url)
        if video is None:
            log.debug("%s item %s is not a video with a file; skipped", client.settings.kind,
                      item.get("Id"))  # fmt: skip
            continue
        if part_count(item) > 1:
            video = with_parts(video, _additional_parts(client, video.item_id))
        videos.append(video)
    return videos


def _additional_parts(client: ServerClient, item_id: str) -> list[ServerPart]:
    answer = client.get(f"/Videos/{item_id}/AdditionalParts", Fields="Path,MediaSources")
    items = answer.get("Items") if isinstance(answer, dict) else None
    parts = [read_part(i) for i in items or () if isinstance(i, dict)]
    return [p for p in parts if p is not None]


class ServerImporter:
    """The ``jellyfin`` and ``emby`` source kinds for the importer registry."""

    kind = "jellyfin"

    def scan(self, source: SourceSpec) -> list[ScannedItem]:
        settings = ServerSettings.from_source(source.kind, source.settings)
        items: list[ScannedItem] = []
        for video in read_videos(settings):
            items += scanned_items(video, source.path_mappings)
        return items


class JellyfinImporter(ServerImporter):
    kind = "jellyfin"


class EmbyImporter(ServerImporter):
    kind = "emby"
