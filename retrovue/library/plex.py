"""The Plex importer: the only module that talks to a Plex Media Server (through plexapi).

Reading a source is one network phase that finishes before anything is written: connect (the
server root), list the library sections, list each chosen section's episodes or movies, then fetch
their full metadata in batches (``/library/metadata/K1,K2,...?includeChapters=1&includeMarkers=1``:
streams, chapters, intro/credits markers). Any failure (unreachable, timeout, 401, unknown library)
raises :class:`SourceError` with one line that says which, before the sync writes anything, so a
failed sync never soft-deletes what it could not see.

The token never leaves this module in a message: errors name the server by its address without
query or credentials, and every message is scrubbed of the token. Artwork URLs are stored without
the token.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from plexapi.exceptions import BadRequest, NotFound, PlexApiException, Unauthorized
from plexapi.server import PlexServer

from retrovue.errors import SourceError, ValidationError
from retrovue.library.plex_items import (
    MARKER_KINDS,
    PlexAudio,
    PlexMarker,
    PlexPart,
    PlexSubtitle,
    PlexTech,
    PlexVideo,
    scanned_items,
)
from retrovue.library.registry import ScannedItem, SourceSpec
from retrovue.logs import SecretRegistry

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 15.0
DETAILS_BATCH = 50
LISTING_PAGE = 1000
TYPE_MOVIE, TYPE_EPISODE = 1, 4  # Plex's metadata type numbers
VIDEO_SECTION_TYPES = ("show", "movie")
MASK = "********"


@dataclass(frozen=True)
class PlexSettings:
    url: str
    token: str
    libraries: tuple[str, ...] = ()
    timeout_s: float = DEFAULT_TIMEOUT_S

    @classmethod
    def from_source(cls, settings: Any) -> PlexSettings:
        url, token = str(settings.get("url") or ""), str(settings.get("token") or "")
        if not url or not token:
            raise SourceError("plex source has no url or token (remove it and add it again)")
        libraries = tuple(str(t) for t in settings.get("libraries") or ())
        timeout_s = float(settings.get("timeout_s") or DEFAULT_TIMEOUT_S)
        return cls(url, token, libraries, timeout_s)


@dataclass(frozen=True)
class PlexLibrary:
    key: int
    title: str
    type: str  # show, movie, artist, photo
    locations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServerInfo:
    name: str
    machine_identifier: str
    version: str
    libraries: tuple[PlexLibrary, ...]


def clean_url(url: str) -> str:
    """The server's base URL as stored and shown: http(s)://host[:port][/path], nothing else."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"plex url {display_url(url)!r}: expected http://HOST:PORT")
    netloc = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    if ":" in parts.hostname:  # IPv6 literal
        netloc = f"[{parts.hostname}]" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def display_url(url: str) -> str:
    """An address safe to print: no user info, query or fragment."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", "")) or "(invalid url)"
    except ValueError:
        return "(invalid url)"


def scrub(text: str, token: str) -> str:
    return text.replace(token, MASK) if token else text


@contextmanager
def plex_errors(settings: PlexSettings) -> Iterator[None]:
    """Translate what plexapi and requests raise into one-line :class:`SourceError` messages."""
    where = f"Plex server {display_url(settings.url)}"
    try:
        yield
    except SourceError as err:
        raise SourceError(scrub(err.message, settings.token)) from None
    except Unauthorized:
        raise SourceError(f"{where} refused the token (401 Unauthorized); check --token") from None
    except requests.exceptions.Timeout:
        message = f"{where} did not answer within {settings.timeout_s:g} s (timeout)"
        raise SourceError(message) from None
    except requests.exceptions.ConnectionError:
        raise SourceError(f"{where} is unreachable (connection failed)") from None
    except requests.exceptions.RequestException as err:
        raise SourceError(f"{where}: request failed ({type(err).__name__})") from None
    except (NotFound, BadRequest) as err:
        status = str(err).split(";", 1)[0]
        raise SourceError(
            scrub(f"{where} answered with an error {status}", settings.token)
        ) from None
    except (PlexApiException, ValueError, SyntaxError) as err:  # bad XML, unexpected answers
        name = type(err).__name__
        log.debug("unreadable answer from %s", where, exc_info=True)
        raise SourceError(f"{where} sent an answer RetroVue cannot read ({name})") from None


@contextmanager
def open_server(settings: PlexSettings) -> Iterator[PlexServer]:
    """A connected server (its root fetched, so the token is checked); the session is closed."""
    SecretRegistry.add(settings.token)  # masked in every log record from now on
    session = requests.Session()
    try:
        with plex_errors(settings):
            server = PlexServer(  # type: ignore[no-untyped-call]
                settings.url, settings.token, session=session, timeout=settings.timeout_s
            )
            log.info("connected to Plex server %s", display_url(settings.url))
            yield server
    finally:
        session.close()


def server_info(settings: PlexSettings) -> ServerInfo:
    """Connect and describe the server and its libraries (for ``source add`` checks)."""
    with open_server(settings) as server, plex_errors(settings):
        libraries = tuple(
            PlexLibrary(int(s.key), str(s.title), str(s.type), tuple(s.locations or ()))
            for s in server.library.sections()
        )
        return ServerInfo(
            str(server.friendlyName or ""),
            str(server.machineIdentifier or ""),
            str(server.version or ""),
            libraries,
        )


def choose_libraries(
    available: Sequence[PlexLibrary], wanted: Sequence[str], where: str
) -> list[PlexLibrary]:
    """The libraries named (all show and movie libraries when none is); a one-line error names an
    unknown or non-video one."""
    if not wanted:
        return [lib for lib in available if lib.type in VIDEO_SECTION_TYPES]
    by_title = {lib.title.strip().lower(): lib for lib in available}
    chosen = []
    for title in wanted:
        lib = by_title.get(title.strip().lower())
        if lib is None:
            names = ", ".join(repr(lib.title) for lib in available) or "none"
            raise SourceError(f"{where} has no library {title!r} (libraries: {names})")
        if lib.type not in VIDEO_SECTION_TYPES:
            raise SourceError(
                f"{where}: library {lib.title!r} holds {lib.type} items; only show and movie "
                "libraries can be imported"
            )
        if lib not in chosen:
            chosen.append(lib)
    return chosen


def read_videos(settings: PlexSettings) -> list[PlexVideo]:
    """Everything the chosen libraries hold, read completely before returning."""
    where = f"Plex server {display_url(settings.url)}"
    with open_server(settings) as server, plex_errors(settings):
        sections = {int(s.key): s for s in server.library.sections()}
        available = [PlexLibrary(k, str(s.title), str(s.type)) for k, s in sections.items()]
        videos: list[PlexVideo] = []
        for library in choose_libraries(available, settings.libraries, where):
            section = sections[library.key]
            reader = _ShowReader if library.type == "show" else _MovieReader
            videos += reader(server, settings, section).read()
            log.info("read Plex library %r: %d items so far", library.title, len(videos))
    return videos


class PlexImporter:
    """The ``plex`` source kind for the importer registry."""

    kind = "plex"

    def scan(self, source: SourceSpec) -> list[ScannedItem]:
        settings = PlexSettings.from_source(source.settings)
        videos = read_videos(settings)
        items: list[ScannedItem] = []
        for video in videos:
            items += scanned_items(video, source.path_mappings)
        return items


# ---- reading plexapi objects into values --------------------------------------------------------


class _SectionReader:
    def __init__(self, server: PlexServer, settings: PlexSettings, section: Any) -> None:
        self.server = server
        self.settings = settings
        self.section = section
        self.base_url = clean_url(settings.url)

    def rating_keys(self, type_number: int) -> list[int]:
        """The section's items of one type, in pages, read as bare keys (no objects built)."""
        keys: list[int] = []
        path = f"/library/sections/{self.section.key}/all?type={type_number}&includeGuids=0"
        while True:
            headers = {
                "X-Plex-Container-Start": str(len(keys)),
                "X-Plex-Container-Size": str(LISTING_PAGE),
            }
            page = self.server.query(path, headers=headers)  # type: ignore[no-untyped-call]
            found = [int(el.attrib["ratingKey"]) for el in page if "ratingKey" in el.attrib]
            keys += found
            total = int(page.attrib.get("totalSize") or page.attrib.get("size") or 0)
            if not found or len(keys) >= total:
                return keys

    def details(self, rating_keys: Sequence[int]) -> Iterator[Any]:
        """Full metadata (streams, chapters, markers) for the keys, a batch per request."""
        for start in range(0, len(rating_keys), DETAILS_BATCH):
            batch = ",".join(str(k) for k in rating_keys[start : start + DETAILS_BATCH])
            key = f"/library/metadata/{batch}?includeChapters=1&includeMarkers=1"
            for item in self.server.fetchItems(key):  # type: ignore[no-untyped-call]
                item._autoReload = False  # everything is here; never a hidden request per field
                yield item

    def artwork(self, thumb: str | None) -> str | None:
        return f"{self.base_url}{thumb}" if thumb else None

    def video(self, item: Any, **fields: Any) -> PlexVideo | None:
        media = list(item.media or [])
        if not media or not media[0].parts:
            log.warning("Plex item %s has no media file; skipped", item.ratingKey)
            return None
        first = media[0]
        parts = tuple(
            PlexPart(int(p.id), str(p.file), _int(p.size), _int(p.duration)) for p in first.parts
        )
        return PlexVideo(
            rating_key=int(item.ratingKey),
            library=str(self.section.title),
            title=str(item.title or ""),
            description=item.summary or None,
            aired_date=_date(item.originallyAvailableAt),
            duration_ms=_int(item.duration) or _int(first.duration),
            updated_at_s=_epoch(item.updatedAt),
            parts=parts,
            markers=_markers(item),
            tech=_tech(first),
            **fields,
        )


class _ShowReader(_SectionReader):
    def read(self) -> list[PlexVideo]:
        shows = {int(show.ratingKey): show for show in self.section.all()}
        keys = self.rating_keys(TYPE_EPISODE)
        videos = []
        for episode in self.details(keys):
            show = shows.get(int(episode.grandparentRatingKey or 0))
            video = self.video(
                episode,
                kind="episode",
                series_title=str(episode.grandparentTitle or (show.title if show else "")),
                season=_int(episode.parentIndex),
                episode=_int(episode.index),
                year=_int(episode.year) or _year(episode.originallyAvailableAt),
                genres=tuple(g.tag for g in show.genres) if show else (),
                content_rating=episode.contentRating or (show.contentRating if show else None),
                artwork_url=self.artwork(episode.grandparentThumb or episode.thumb),
            )
            if video is not None:
                videos.append(video)
        return videos


class _MovieReader(_SectionReader):
    def read(self) -> list[PlexVideo]:
        keys = self.rating_keys(TYPE_MOVIE)
        videos = []
        for movie in self.details(keys):
            video = self.video(
                movie,
                kind="movie",
                series_title=None,
                season=None,
                episode=None,
                year=_int(movie.year) or _year(movie.originallyAvailableAt),
                genres=tuple(g.tag for g in movie.genres),
                content_rating=movie.contentRating or None,
                artwork_url=self.artwork(movie.thumb),
            )
            if video is not None:
                videos.append(video)
        return videos


def _markers(item: Any) -> tuple[PlexMarker, ...]:
    found = [
        PlexMarker("chapter", int(c.start or 0), int(c.end or c.start or 0), c.tag or None)
        for c in item.chapters or []
    ]
    for marker in item.markers or []:
        kind = MARKER_KINDS.get(str(marker.type))
        if kind is not None:
            start = int(marker.start or 0)
            found.append(PlexMarker(kind, start, max(start, int(marker.end or 0))))
    return tuple(sorted(found, key=lambda m: (m.start_ms, m.kind)))


def _tech(media: Any) -> PlexTech:
    streams = [s for part in media.parts[:1] for s in part.streams]
    video = next((s for s in streams if s.streamType == 1), None)
    audio = [s for s in streams if s.streamType == 2]
    subtitles = [s for s in streams if s.streamType == 3]
    scan = getattr(video, "scanType", None)
    return PlexTech(
        container=media.container,
        video_codec=(video.codec if video is not None else None) or media.videoCodec,
        width=_int(getattr(video, "width", None)) or _int(media.width),
        height=_int(getattr(video, "height", None)) or _int(media.height),
        sample_aspect_ratio=getattr(video, "pixelAspectRatio", None) or None,
        frame_rate=_float(getattr(video, "frameRate", None)),
        interlaced=None if not scan else scan == "interlaced",
        audio=tuple(
            PlexAudio(
                str(s.codec), _int(s.channels) or 0, _int(s.samplingRate) or 0, s.languageCode
            )
            for s in audio
        ),
        subtitles=tuple(PlexSubtitle(str(s.codec), s.languageCode) for s in subtitles),
    )


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _year(value: Any) -> int | None:
    found = _date(value)
    return found.year if found is not None else None


def _epoch(value: Any) -> int | None:
    return int(value.timestamp()) if isinstance(value, datetime) else None
