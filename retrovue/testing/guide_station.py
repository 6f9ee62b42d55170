"""A realistic broadcast station written straight into the database, for guide tests and the
guide benchmark: channels, a catalog of series, movies and filler, and playlogs laid on a grid
(programme, then filler up to the next slot boundary), optionally with hostile text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset, Channel, PlaylogEvent

HOSTILE_TEXTS = (
    "Tom & Jerry <Uncut> \"quoted\" 'single'",
    "Emoji 📺🎬 and 日本語 and Ünïcödé",
    "Control\x01chars\x02here\x08and\x0bthere\x1f\ufffe end",
    "]]> <![CDATA[ & &amp; &#0; <!-- not a comment -->",
    "Long " + "very long title " * 60,
)
GENRES = ("Comedy", "Drama", "Science Fiction", "Animation", "Documentary", "Crime", "Family")
RATINGS = ("TV-PG", "TV-14", "TV-G", "PG-13", "R", None)
DESCRIPTION = (
    "A perfectly ordinary evening turns out to be anything but when an old friend arrives "
    "with a map, a mystery and a plan that cannot possibly go wrong."
)


@dataclass(frozen=True)
class StationSummary:
    channel_ids: tuple[int, ...]
    asset_ids: tuple[int, ...]
    events: int


def seed_station(
    database: Database,
    start_utc: datetime,
    *,
    channels: int = 3,
    hours: int = 24,
    hostile: bool = False,
    series: int = 12,
    episodes: int = 10,
    movies: int = 20,
    first_number: int = 2,
) -> StationSummary:
    """Channels ``first_number..``, a catalog, and playlogs from ``start_utc`` for ``hours``."""
    with database.transaction(immediate=True) as session:
        now = start_utc
        channel_rows = [
            {
                "number": str(first_number + i),
                "name": (
                    HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)][:200] if hostile else f"Retro {i + 1}"
                ),
                "timezone": "America/New_York" if i % 2 else "UTC",
                "logo": f"https://logos.example/{i}.png" if i % 3 == 0 else None,
                "created_utc": now,
                "updated_utc": now,
            }
            for i in range(channels)
        ]
        session.execute(insert(Channel), channel_rows)
        numbers = [row["number"] for row in channel_rows]
        channel_ids = tuple(
            session.scalars(select(Channel.id).where(Channel.number.in_(numbers))).all()
        )
        session.execute(insert(CatalogAsset), _catalog(now, series, episodes, movies, hostile))
        assets = session.execute(
            select(CatalogAsset.id, CatalogAsset.kind, CatalogAsset.duration_ms).order_by(
                CatalogAsset.id
            )
        ).all()
        catalog = {row.id: _asset_text(session, row.id) for row in assets if row.kind != "filler"}
        programmes = [(row.id, row.kind, row.duration_ms) for row in assets if row.kind != "filler"]
        fillers = [(row.id, row.duration_ms) for row in assets if row.kind == "filler"]
        events: list[dict[str, Any]] = []
        for index, channel_id in enumerate(channel_ids):
            events.extend(
                _channel_events(
                    channel_id,
                    index,
                    start_utc=start_utc,
                    hours=hours,
                    programmes=programmes,
                    fillers=fillers,
                    catalog=catalog,
                )
            )
        for chunk in range(0, len(events), 5000):
            session.execute(insert(PlaylogEvent), events[chunk : chunk + 5000])
        return StationSummary(channel_ids, tuple(row.id for row in assets), len(events))


def _catalog(
    now: datetime, series: int, episodes: int, movies: int, hostile: bool
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for s in range(series):
        name = HOSTILE_TEXTS[s % len(HOSTILE_TEXTS)] if hostile and s < 5 else f"Show {s + 1}"
        long_slot = s % 3 == 0
        for e in range(episodes):
            rows.append(
                _asset(
                    now,
                    kind="episode",
                    guide_title=name,
                    series_title=name[:500],
                    season=1 + e // 8,
                    episode=1 + e % 8,
                    episode_title=f"Episode {e + 1}: The {['Map', 'Plan', 'Heist'][e % 3]}",
                    genres=[GENRES[s % len(GENRES)], GENRES[(s + 2) % len(GENRES)]],
                    duration_ms=(44 if long_slot else 22) * 60_000 + 17_000,
                    aired_date=date(1990 + s % 20, 1 + e % 12, 1 + e % 28),
                    content_rating=RATINGS[s % len(RATINGS)],
                    index=len(rows),
                )
            )
    for m in range(movies):
        rows.append(
            _asset(
                now,
                kind="movie",
                guide_title=f"Feature Film {m + 1}",
                genres=[GENRES[m % len(GENRES)]],
                duration_ms=(88 + m % 25) * 60_000,
                year=1970 + m,
                content_rating=RATINGS[(m + 3) % len(RATINGS)],
                index=len(rows),
            )
        )
    for f in range(8):
        rows.append(
            _asset(now, kind="filler", guide_title=f"Bumper {f}", duration_ms=(15 + f * 15) * 1000)
        )
    return rows


def _asset(
    now: datetime, *, kind: str, guide_title: str, index: int = 0, **fields: Any
) -> dict[str, Any]:
    return {
        "kind": kind,
        "guide_title": guide_title,
        "file_path": f"/media/{kind}/{index}.mkv",
        "description": DESCRIPTION if kind != "filler" else None,
        "artwork_url": f"https://art.example/{kind}/{index}.jpg" if kind != "filler" else None,
        "canonical": True,
        "available": True,
        "created_utc": now,
        "updated_utc": now,
        **fields,
    }


def _asset_text(session: Any, asset_id: int) -> dict[str, Any]:
    asset = session.get(CatalogAsset, asset_id)
    return {
        "title": asset.guide_title,
        "series_title": asset.series_title,
        "season": asset.season,
        "episode": asset.episode,
        "episode_title": asset.episode_title,
        "description": asset.description,
    }


def _channel_events(
    channel_id: int,
    index: int,
    *,
    start_utc: datetime,
    hours: int,
    programmes: list[tuple[int, str, int]],
    fillers: list[tuple[int, int]],
    catalog: dict[int, dict[str, Any]],
) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    end_utc = start_utc + timedelta(hours=hours)
    cursor = start_utc
    pick = index * 7
    while cursor < end_utc:
        asset_id, _kind, duration_ms = programmes[pick % len(programmes)]
        pick += 1
        slot_min = 30 * -(-duration_ms // (30 * 60_000))
        slot_end = cursor + timedelta(minutes=slot_min)
        prog_end = cursor + timedelta(milliseconds=duration_ms)
        events.append(
            _event(
                channel_id,
                start_utc=cursor,
                end_utc=prog_end,
                kind="programme",
                asset_id=asset_id,
                text=catalog[asset_id],
                built_utc=start_utc,
            )
        )
        filler_at, f = prog_end, 0
        while filler_at < slot_end:
            filler_id, filler_ms = fillers[(pick + f) % len(fillers)]
            f += 1
            filler_end = min(slot_end, filler_at + timedelta(milliseconds=filler_ms))
            text = {"title": f"Bumper {filler_id}"}
            events.append(
                _event(
                    channel_id,
                    start_utc=filler_at,
                    end_utc=filler_end,
                    kind="filler",
                    asset_id=filler_id,
                    text=text,
                    built_utc=start_utc,
                )
            )
            filler_at = filler_end
        cursor = slot_end
    return events


def _event(
    channel_id: int,
    *,
    start_utc: datetime,
    end_utc: datetime,
    kind: str,
    asset_id: int | None,
    text: dict[str, Any],
    built_utc: datetime,
) -> dict[str, Any]:
    return {
        "channel_id": channel_id,
        "broadcast_day": start_utc.date(),
        "start_utc": start_utc,
        "end_utc": end_utc,
        "kind": kind,
        "catalog_asset_id": asset_id,
        "built_utc": built_utc,
        "guide_json": {},
        **text,
    }
