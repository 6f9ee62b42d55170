"""The guide service: reads the station, renders XMLTV and M3U, caches what it rendered.

A render is reused until the change stamp (channels, playlogs, catalog: counts, newest ids and
timestamps; asked on every request) moves, the newest playlog build time moves (asked at most
once a minute: it catches rows rewritten in place), the hour rolls over (the window is anchored
on the hour), or :meth:`GuideService.invalidate` is called. The as-run log is read on every
render and so is picked up at the next rebuild (at the latest the next hour).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.guide import store
from retrovue.guide.entries import build_entries
from retrovue.guide.m3u import DEFAULT_GROUP, render_m3u
from retrovue.guide.model import GuideChannel
from retrovue.guide.xmltv import render_xmltv

XMLTV_TYPE = "application/xml; charset=utf-8"
M3U_TYPE = "audio/x-mpegurl; charset=utf-8"
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
LOGO_ROUTE = "/guide/logo"
CACHE_SIZE = 4
GZIP_LEVEL = 6
DEEP_RECHECK_S = 60.0  # how often rows rewritten in place are looked for (a full scan)


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str  # quoted, as sent in the ETag header
    last_modified_utc: datetime
    content_type: str


def logo_url(base_url: str, channel: GuideChannel) -> str | None:
    """The URL clients fetch a channel's logo from; a local file is served by channel number."""
    logo = (channel.logo or "").strip()
    if not logo:
        return None
    if logo.startswith(("http://", "https://")):
        return logo
    if local_logo(channel) is None:
        return None
    return f"{base_url.rstrip('/')}{LOGO_ROUTE}/{quote(channel.number, safe='')}"


def local_logo(channel: GuideChannel) -> Path | None:
    logo = (channel.logo or "").strip()
    if not logo or logo.startswith(("http://", "https://")):
        return None
    path = Path(logo.removeprefix("file://")).expanduser()
    if path.suffix.lower() not in LOGO_SUFFIXES or not path.is_file():
        return None
    return path


class GuideService:
    """Thread-safe: HTTP handlers call it from worker threads."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        days: int = 14,
        past_days: int = 1,
        group_title: str = DEFAULT_GROUP,
        recheck_s: float = 0.0,
    ) -> None:
        self._database = database
        self._clock = clock
        self.days = days
        self.past_days = past_days
        self.group_title = group_title
        self.recheck_s = recheck_s  # 0: ask the database for the stamp on every request
        self._lock = threading.Lock()  # the cache and the stamp
        # one rebuild at a time per document (a slow XMLTV rebuild never holds up the M3U)
        self._render_locks = {"xmltv": threading.Lock(), "m3u": threading.Lock()}
        self._gzip_lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str, str], tuple[tuple[object, ...], Rendered]] = (
            OrderedDict()
        )
        self._gzip: OrderedDict[str, bytes] = OrderedDict()
        self.deep_recheck_s = DEEP_RECHECK_S
        self._stamp: tuple[object, ...] | None = None
        self._stamp_checked_s = float("-inf")
        self._deep: tuple[object, ...] | None = None
        self._deep_checked_s = float("-inf")
        self._generation = 0
        self.renders = 0  # how many times a document was rebuilt (for tests and benchmarks)

    def window(self) -> tuple[datetime, datetime]:
        anchor = self._clock.now_utc().replace(minute=0, second=0, microsecond=0)
        return anchor - timedelta(days=self.past_days), anchor + timedelta(days=self.days)

    def invalidate(self) -> None:
        """Forget every render (for writers in this process that want it shown at once)."""
        with self._lock:
            self._generation += 1
            self._stamp = self._deep = None
            self._stamp_checked_s = self._deep_checked_s = float("-inf")

    def xmltv(self, base_url: str) -> Rendered:
        return self._cached("xmltv", base_url)

    def m3u(self, base_url: str, stream_base_url: str | None = None) -> Rendered:
        return self._cached("m3u", base_url, stream_base_url or base_url)

    def gzipped(self, rendered: Rendered) -> bytes:
        """The gzip form of a render, compressed once per version."""
        with self._gzip_lock:
            body = self._gzip.get(rendered.etag)
            if body is None:
                body = gzip.compress(rendered.body, compresslevel=GZIP_LEVEL, mtime=0)
                self._gzip[rendered.etag] = body
                while len(self._gzip) > CACHE_SIZE:
                    self._gzip.popitem(last=False)
            return body

    def logo_file(self, number: str) -> Path | None:
        """The local logo of an enabled channel, by its number (never a path from outside)."""
        for channel in store.read_channels(self._database):
            if channel.number == number:
                return local_logo(channel)
        return None

    def render_xmltv(self, base_url: str) -> bytes:
        """Render now, bypassing the cache (the CLI export)."""
        start_utc, end_utc = self.window()
        snapshot = store.read_snapshot(self._database, start_utc, end_utc)
        logos = _logo_urls(base_url, snapshot.channels)
        return render_xmltv(snapshot.channels, build_entries(snapshot), logo_urls=logos)

    def render_m3u(self, base_url: str, stream_base_url: str | None = None) -> bytes:
        channels = store.read_channels(self._database)
        text = render_m3u(
            channels,
            base_url=base_url,
            stream_base_url=stream_base_url,
            logo_urls=_logo_urls(base_url, channels),
            group_title=self.group_title,
        )
        return text.encode("utf-8")

    def _current_key(self) -> tuple[object, ...]:
        with self._lock:
            now_s = self._clock.monotonic_s()
            if self._stamp is None or now_s - self._stamp_checked_s >= self.recheck_s:
                self._stamp = store.change_stamp(self._database)
                self._stamp_checked_s = now_s
            if self._deep is None or now_s - self._deep_checked_s >= self.deep_recheck_s:
                self._deep = store.deep_stamp(self._database)
                self._deep_checked_s = now_s
            return (self._generation, self.window(), self._stamp, self._deep)

    def _cached(self, kind: str, base_url: str, stream_base_url: str = "") -> Rendered:
        slot = (kind, base_url, stream_base_url)
        with self._render_locks[kind]:
            key = self._current_key()
            with self._lock:
                hit = self._cache.get(slot)
            if hit is not None and hit[0] == key:
                return hit[1]
            if kind == "xmltv":
                body = self.render_xmltv(base_url)
            else:
                body = self.render_m3u(base_url, stream_base_url)
            etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
            if hit is not None and hit[1].etag == etag:
                rendered = hit[1]  # same bytes: keep the validators clients already hold
            else:
                content_type = XMLTV_TYPE if kind == "xmltv" else M3U_TYPE
                now = self._clock.now_utc().replace(microsecond=0)
                rendered = Rendered(body, etag, now, content_type)
            with self._lock:
                self.renders += 1
                self._cache[slot] = (key, rendered)
                self._cache.move_to_end(slot)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            return rendered


def _logo_urls(base_url: str, channels: tuple[GuideChannel, ...]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for channel in channels:
        url = logo_url(base_url, channel)
        if url:
            urls[channel.number] = url
    return urls
