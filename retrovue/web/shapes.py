"""JSON shapes of the station's values (shared by the API and the pages' data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from retrovue.guide.model import GuideChannel, GuideEntry
from retrovue.guide.service import logo_url
from retrovue.scheduler.query import OnAir
from retrovue.web.reads import ChannelNow, local_time


def channel_path(number: str) -> str:
    return quote(number, safe="")


def channel_json(channel: GuideChannel, base_url: str, stream_base_url: str) -> dict[str, Any]:
    path = channel_path(channel.number)
    return {
        "number": channel.number,
        "name": channel.name,
        "call_sign": channel.call_sign,
        "timezone": channel.timezone,
        "xmltv_id": channel.xmltv_id,
        "logo_url": logo_url(base_url, channel),
        "stream_url": f"{stream_base_url}/auto/v{path}",
        "watch_url": f"/watch/{path}",
        "watch_stream_url": f"/watch/{path}/stream.mp4",
        "thumbnail_url": f"/api/v1/channels/{path}/thumbnail.jpg",
    }


def entry_json(entry: GuideEntry, zone: str) -> dict[str, Any]:
    programme = entry.programme
    return {
        "start_utc": entry.start_utc,
        "stop_utc": entry.stop_utc,
        "start_local": local_time(entry.start_utc, zone),
        "stop_local": local_time(entry.stop_utc, zone),
        "title": programme.title,
        "sub_title": programme.sub_title,
        "desc": programme.desc,
        "episode": programme.episode_onscreen,
        "categories": list(programme.categories),
        "rating": programme.rating,
        "icon_url": programme.icon_url,
        "length_s": programme.length_s,
        "new": programme.new,
    }


def on_air_json(item: OnAir | None, zone: str) -> dict[str, Any] | None:
    if item is None:
        return None
    data = item.to_json()
    data.update(
        {
            "start_utc": item.start_utc,
            "end_utc": item.end_utc,
            "start_local": local_time(item.start_utc, zone),
            "end_local": local_time(item.end_utc, zone),
        }
    )
    del data["start"], data["end"]
    return data


def channel_now_json(
    row: ChannelNow, at_utc: datetime, viewers: int, base_url: str, stream_base_url: str
) -> dict[str, Any]:
    zone = row.channel.timezone
    return {
        **channel_json(row.channel, base_url, stream_base_url),
        "now": on_air_json(row.now, zone),
        "next": on_air_json(row.next, zone),
        "progress": round(row.progress(at_utc), 4),
        "viewers": viewers,
    }
