"""From playlog events to guide entries, as a printed TV guide shows them. Pure.

- A programme's entry runs from its start to the next programme's start: the filler and
  padding that follow it inside its slot (up to the next grid boundary after it ends) are part
  of it.
- What is left (slate, or filler with no programme before it in its slot) forms stretches:
  contiguous slates of one title, or a contiguous run of filler, become one entry titled like
  the first of them (a slate's title; a filler's block name, else its title), cut at
  ``STRETCH_MAX_S`` boundaries so clients get sane lengths.
- A channel with no events in the window gets slate stretches covering the whole window.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import PurePath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from retrovue.guide.model import (
    GuideAsset,
    GuideChannel,
    GuideEntry,
    GuideEvent,
    GuideProgramme,
    GuideSnapshot,
)

STRETCH_MAX_S = 6 * 3600
NEW_TOLERANCE = timedelta(minutes=1)  # an as-run start this close to the entry is this airing
NO_PROGRAMME_TEXT = "No programmes scheduled"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_MINUTE_US = 60_000_000
_DAY_US = 24 * 60 * _MINUTE_US


@dataclass
class _Group:
    """Events that become one entry (mutable only while grouping)."""

    lead: GuideEvent
    start_utc: datetime
    end_utc: datetime
    programme: bool
    title: str = ""
    slot_end_utc: datetime | None = None


def build_entries(snapshot: GuideSnapshot) -> list[GuideEntry]:
    """Every guide entry of the snapshot's window, channel by channel in channel order."""
    by_channel: dict[int, list[GuideEvent]] = {}
    for event in snapshot.events:
        by_channel.setdefault(event.channel_id, []).append(event)
    builder = _Builder(snapshot)
    entries: list[GuideEntry] = []
    for channel in snapshot.channels:
        entries.extend(builder.channel_entries(channel, by_channel.get(channel.id, [])))
    return entries


class _Builder:
    """Builds entries; repeats of one programme share one :class:`GuideProgramme`."""

    def __init__(self, snapshot: GuideSnapshot) -> None:
        self.snapshot = snapshot
        self.programmes: dict[tuple[object, ...], GuideProgramme] = {}

    def channel_entries(
        self, channel: GuideChannel, events: Sequence[GuideEvent]
    ) -> Iterator[GuideEntry]:
        start, end = self.snapshot.window_start_utc, self.snapshot.window_end_utc
        groups = [
            g for g in group_events(channel, events) if g.end_utc > start and g.start_utc < end
        ]
        if not groups:
            slate = GuideProgramme(channel.name or channel.number, desc=NO_PROGRAMME_TEXT)
            for chunk_start, chunk_end in _chunks(start, end):
                yield GuideEntry(channel.xmltv_id, chunk_start, chunk_end, slate)
            return
        for group in groups:
            if group.programme:
                programme = self.programme(group.lead)
                yield GuideEntry(channel.xmltv_id, group.start_utc, group.end_utc, programme)
            else:
                stretch = GuideProgramme(group.title or channel.name or channel.number)
                for chunk_start, chunk_end in _chunks(group.start_utc, group.end_utc):
                    yield GuideEntry(channel.xmltv_id, chunk_start, chunk_end, stretch)

    def programme(self, event: GuideEvent) -> GuideProgramme:
        asset_id = event.catalog_asset_id
        asset = self.snapshot.assets.get(asset_id) if asset_id is not None else None
        new = _is_new(self.snapshot, event)
        key = (
            asset_id,
            event.title,
            event.episode_title,
            event.series_title,
            event.season,
            event.episode,
            event.description,
            new,
            repr(event.extra) if event.extra else "",
            None if asset and asset.duration_ms else event.end_utc - event.start_utc,
        )
        found = self.programmes.get(key)
        if found is None:
            found = self.programmes[key] = describe(event, asset, new=new)
        return found


def group_events(channel: GuideChannel, events: Iterable[GuideEvent]) -> list[_Group]:
    """Group one channel's events (sorted by start) into programme entries and stretches."""
    groups: list[_Group] = []
    current: _Group | None = None
    for event in events:
        if event.kind == "programme" and current is not None and _continues(current, event):
            current.end_utc = event.end_utc
            current.slot_end_utc = slot_end_utc(channel, event.end_utc)
        elif event.kind == "programme":
            current = _Group(event, event.start_utc, event.end_utc, True, event.title)
            current.slot_end_utc = slot_end_utc(channel, event.end_utc)
            groups.append(current)
        elif current is not None and _absorbs(current, event):
            current.end_utc = max(current.end_utc, event.end_utc)
        else:
            title = _stretch_title(event)
            if (
                current is not None
                and not current.programme
                and current.lead.kind == event.kind
                and (event.kind == "filler" or current.title == title)
                and current.end_utc == event.start_utc
            ):
                current.end_utc = max(current.end_utc, event.end_utc)
            else:
                current = _Group(event, event.start_utc, event.end_utc, False, title)
                groups.append(current)
    return groups


def _absorbs(group: _Group, event: GuideEvent) -> bool:
    """Padding right after a programme, starting inside its slot, belongs to the programme.

    Padding is filler, or the slate the scheduler marks ``{"slate": "padding"}``; a slate for a
    block with nothing to air is never padding.
    """
    if not group.programme or event.start_utc != group.end_utc:
        return False
    if event.kind == "slate" and event.extra.get("slate") != "padding":
        return False
    return group.slot_end_utc is None or event.start_utc < group.slot_end_utc


def _continues(group: _Group, event: GuideEvent) -> bool:
    """The second part of a programme the scheduler cut at the broadcast day's end."""
    return (
        group.programme
        and event.extra.get("continued") is True
        and event.start_utc == group.end_utc
        and event.catalog_asset_id is not None
        and event.catalog_asset_id == group.lead.catalog_asset_id
    )


def _stretch_title(event: GuideEvent) -> str:
    if event.kind == "filler" and event.block_name:
        return event.block_name
    return event.title or event.block_name or "Off Air"


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def slot_end_utc(channel: GuideChannel, at_utc: datetime) -> datetime:
    """The first grid boundary of the channel (local wall time) at or after ``at_utc``.

    Integer microseconds throughout, so a boundary is exact (never a microsecond off).
    """
    grid_us = max(1, channel.grid_minutes) * _MINUTE_US
    offset = at_utc.astimezone(_zone(channel.timezone)).utcoffset() or timedelta(0)
    local_us = (at_utc - _EPOCH + offset) // _MICROSECOND
    since_us = local_us % _DAY_US - channel.grid_offset_minutes * _MINUTE_US
    steps = -(-since_us // grid_us)
    return at_utc + timedelta(microseconds=steps * grid_us - since_us)


def _chunks(start_utc: datetime, end_utc: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Cut [start, end) at multiples of ``STRETCH_MAX_S`` since the epoch (stable edges)."""
    cursor = start_utc
    while cursor < end_utc:
        elapsed_s = int((cursor - _EPOCH).total_seconds())
        edge = _EPOCH + timedelta(seconds=(elapsed_s // STRETCH_MAX_S + 1) * STRETCH_MAX_S)
        chunk_end = min(edge, end_utc)
        yield cursor, chunk_end
        cursor = chunk_end


def describe(event: GuideEvent, asset: GuideAsset | None, *, new: bool | None) -> GuideProgramme:
    """What the guide says about a programme event (catalog facts, else the playlog snapshot)."""
    extra = event.extra
    episodic = _is_episode(event, asset)
    title = _title(event, asset, episodic)
    rating = (asset.content_rating if asset else None) or _str(extra.get("content_rating"))
    return GuideProgramme(
        title=title,
        sub_title=_sub_title(event, title, episodic),
        desc=event.description or _str(extra.get("desc")),
        date=_date(asset) or _year(extra.get("year")) or _str(extra.get("date")),
        categories=_categories(asset, episodic, extra),
        length_s=_length_s(event, asset),
        icon_url=_str(extra.get("icon")) or (asset.artwork_url if asset else None),
        episode_ns=xmltv_ns(event.season, event.episode) if episodic else None,
        episode_onscreen=onscreen(event.season, event.episode) if episodic else None,
        rating=rating,
        rating_system=_rating_system(rating),
        new=new,
    )


def _is_episode(event: GuideEvent, asset: GuideAsset | None) -> bool:
    if asset is not None:
        return asset.kind == "episode"
    return event.season is not None or event.episode is not None


def _title(event: GuideEvent, asset: GuideAsset | None, episodic: bool) -> str:
    candidates = [event.series_title, event.title] if episodic else [event.title]
    candidates += [event.series_title, asset.guide_title if asset else None]
    for candidate in candidates:
        if candidate and candidate.strip():
            return candidate
    if asset and asset.file_path and PurePath(asset.file_path).stem.strip():
        return PurePath(asset.file_path).stem
    return "Untitled"


def _sub_title(event: GuideEvent, title: str, episodic: bool) -> str | None:
    if event.episode_title and event.episode_title.strip():
        return event.episode_title
    if episodic and event.title and event.title != title:
        return event.title
    return None


def _date(asset: GuideAsset | None) -> str | None:
    if asset is None:
        return None
    if asset.aired_date is not None:
        return asset.aired_date.strftime("%Y%m%d")
    if asset.year is not None and 1000 <= asset.year <= 9999:
        return str(asset.year)
    return None


def _categories(
    asset: GuideAsset | None, episodic: bool, extra: Mapping[str, object]
) -> tuple[str, ...]:
    """``Series`` or ``Movie`` first, then the genres (catalog, else the playlog snapshot)."""
    found: list[str] = []
    if episodic:
        found.append("Series")
    elif asset is not None and asset.kind == "movie":
        found.append("Movie")
    more: list[str] = list(asset.genres) if asset and asset.genres else []
    for key in ("genres", "categories"):
        value = extra.get(key)
        if isinstance(value, list) and not (key == "genres" and more):
            more += [str(item) for item in value]
    for genre in more:
        if genre and genre.strip() and genre not in found:
            found.append(genre)
    return tuple(found)


def _year(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    return None


def _length_s(event: GuideEvent, asset: GuideAsset | None) -> int:
    if asset is not None and asset.duration_ms:
        return max(1, round(asset.duration_ms / 1000))
    return max(1, int((event.end_utc - event.start_utc).total_seconds()))


def xmltv_ns(season: int | None, episode: int | None) -> str | None:
    """Zero-based ``season.episode.part``; a missing or zero number leaves its field empty."""
    if season is None and episode is None:
        return None
    season_part = str(season - 1) if season is not None and season >= 1 else ""
    episode_part = str(episode - 1) if episode is not None and episode >= 1 else ""
    if not season_part and not episode_part:
        return None
    return f"{season_part}.{episode_part}."


def onscreen(season: int | None, episode: int | None) -> str | None:
    if season is not None and episode is not None:
        return f"S{season:02d}E{episode:02d}"
    if episode is not None:
        return f"E{episode:02d}"
    return None


def _rating_system(rating: str | None) -> str | None:
    if not rating:
        return None
    return "VCHIP" if rating.upper().startswith("TV-") else "MPAA"


def _is_new(snapshot: GuideSnapshot, event: GuideEvent) -> bool | None:
    if event.catalog_asset_id is None:
        return None
    first = snapshot.first_aired_utc.get((event.channel_id, event.catalog_asset_id))
    return first is None or first > event.start_utc - NEW_TOLERANCE


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
