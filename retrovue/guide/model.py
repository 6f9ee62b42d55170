"""Plain values the guide is rendered from: no database, no I/O, frozen.

The service (``guide/store.py``) reads these from the database; the pure renderers
(``entries.py``, ``xmltv.py``, ``m3u.py``) turn them into guide entries and documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NamedTuple

XMLTV_ID_SUFFIX = "retrovue"


def xmltv_channel_id(number: str) -> str:
    """The stable guide id of a channel, shared by XMLTV ``<channel id>`` and M3U ``tvg-id``."""
    return f"{number}.{XMLTV_ID_SUFFIX}"


def number_sort_key(number: str) -> tuple[tuple[int, int | str], ...]:
    """Sort channel numbers as a viewer expects: 2 < 2.1 < 10 < 10.1 < abc."""
    parts: list[tuple[int, int | str]] = []
    for part in number.split("."):
        parts.append((0, int(part)) if part.isdigit() else (1, part))
    return tuple(parts)


@dataclass(frozen=True)
class GuideChannel:
    id: int
    number: str
    name: str
    call_sign: str | None = None
    logo: str | None = None  # an http(s) URL or a local file path, as configured
    timezone: str = "UTC"
    grid_minutes: int = 30
    grid_offset_minutes: int = 0

    @property
    def xmltv_id(self) -> str:
        return xmltv_channel_id(self.number)


class GuideEvent(NamedTuple):
    """One playlog event, as the guide needs it.

    A named tuple rather than a frozen dataclass: a rebuild reads about 100,000 of them and a
    tuple is built five times faster. Immutable all the same.
    """

    channel_id: int
    kind: str  # programme | filler | slate
    start_utc: datetime
    end_utc: datetime
    title: str
    episode_title: str | None = None
    series_title: str | None = None
    season: int | None = None
    episode: int | None = None
    description: str | None = None
    catalog_asset_id: int | None = None
    block_name: str | None = None
    extra: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class GuideAsset:
    """The catalog facts the guide shows (the playlog holds the guide text snapshot)."""

    id: int
    kind: str  # episode | movie | filler | other
    guide_title: str = ""
    genres: tuple[str, ...] = ()
    artwork_url: str | None = None
    content_rating: str | None = None
    year: int | None = None
    aired_date: date | None = None
    duration_ms: int | None = None
    file_path: str | None = None


@dataclass(frozen=True)
class GuideProgramme:
    """What a ``<programme>`` says, apart from where and when (shared by its repeats)."""

    title: str
    sub_title: str | None = None
    desc: str | None = None
    date: str | None = None  # YYYYMMDD or YYYY
    categories: tuple[str, ...] = ()
    length_s: int | None = None
    icon_url: str | None = None
    episode_ns: str | None = None  # xmltv_ns, zero-based "S.E."
    episode_onscreen: str | None = None  # S01E02
    rating: str | None = None
    rating_system: str | None = None
    new: bool | None = None  # True: <new/>, False: <previously-shown/>, None: neither


@dataclass(frozen=True)
class GuideEntry:
    """One ``<programme>`` of the guide: a programme with its padding, or a slate stretch."""

    channel_xmltv_id: str
    start_utc: datetime
    stop_utc: datetime
    programme: GuideProgramme


@dataclass(frozen=True)
class GuideSnapshot:
    """Everything one guide render needs, read in one transaction."""

    window_start_utc: datetime
    window_end_utc: datetime
    channels: tuple[GuideChannel, ...]
    events: tuple[GuideEvent, ...]  # sorted by (channel_id, start_utc)
    assets: dict[int, GuideAsset] = field(hash=False, compare=False)
    # earliest known airing of (channel_id, catalog_asset_id): past playlogs and the as-run log
    first_aired_utc: dict[tuple[int, int], datetime] = field(hash=False, compare=False)
