"""The M3U channel list IPTV clients read (Jellyfin, Emby, Channels DVR, VLC). Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from retrovue.guide.model import GuideChannel
from retrovue.guide.text import clean_line

DEFAULT_GROUP = "RetroVue"


def _attr(value: str) -> str:
    """An M3U attribute value: one line, no double quote (M3U has no escaping)."""
    return clean_line(value).replace('"', "'")


def stream_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/auto/v{number}"


def render_m3u(
    channels: Iterable[GuideChannel],
    *,
    base_url: str,
    stream_base_url: str | None = None,
    logo_urls: Mapping[str, str] | None = None,
    group_title: str = DEFAULT_GROUP,
) -> str:
    """``#EXTM3U url-tvg=...`` then an ``#EXTINF`` line and the stream URL per channel.

    ``stream_base_url`` is where the tuner streams (the HDHomeRun stream port) when it is not
    ``base_url``.
    """
    base = base_url.rstrip("/")
    streams = (stream_base_url or base_url).rstrip("/")
    logos = logo_urls or {}
    lines = [f'#EXTM3U url-tvg="{_attr(base + "/xmltv.xml")}"']
    for channel in channels:
        number = _attr(channel.number)
        name = clean_line(channel.name) or number
        fields = {
            "tvg-id": channel.xmltv_id,
            "tvg-name": name,
            "tvg-chno": number,
            "tvg-logo": logos.get(channel.number, ""),
            "channel-id": number,
            "channel-number": number,
            "group-title": group_title,
        }
        attrs = " ".join(f'{key}="{_attr(value)}"' for key, value in fields.items())
        lines.append(f"#EXTINF:-1 {attrs},{name.replace(',', ' ')}")
        lines.append(stream_url(streams, number))
    return "\n".join(lines) + "\n"
