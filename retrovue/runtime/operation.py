"""The station in operation, as a producer sees it: as-run hooks, director modes, play-time gating.

One :class:`StationOperation` per server (``build_stream_service`` makes it): at start-up it
finishes the as-run rows a stopped server left ``playing``, then holds the one
:class:`~retrovue.runtime.asrun.AsRunRecorder` and the one
:class:`~retrovue.runtime.director.DirectorPoller`. Each producer gets a :class:`ChannelOperation`
for its channel: the as-run hooks, the director's mode (cached, cheap per frame), the gate check
made when a file is opened (one read of the catalog row; the runtime never writes configuration),
and the pictures of the special modes (emergency slate, guide listing) built once and reused.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Protocol

import av

from retrovue.broadcast.gating import gate_reason
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.runtime import slates
from retrovue.runtime.asrun import AsRunHooks, AsRunRecorder, close_unfinished
from retrovue.runtime.director import NORMAL, DirectorPoller, DirectorState
from retrovue.runtime.listing import read_listing
from retrovue.runtime.slate_frames import to_video_frame
from retrovue.runtime.timeline import TimelineItem

log = logging.getLogger(__name__)

GUIDE_REFRESH_S = 5.0
GUIDE_PAGE_S = 10


class ItemHooks(Protocol):
    """Where a producer reports each item it starts and ends (the as-run log)."""

    def item_started(self, item: TimelineItem, at_utc: datetime, file_offset_ms: int) -> None: ...

    def item_finished(
        self, item: TimelineItem, at_utc: datetime, status: str, error: str | None
    ) -> None: ...


class StationView(Protocol):
    """What a channel's operation reads from its station: the server's
    :class:`StationOperation`, or a worker process's view of it (``runtime.worker``)."""

    @property
    def database(self) -> Database | None: ...

    @property
    def clock(self) -> Clock: ...

    def mode(self, channel_id: int) -> DirectorState: ...

    def refusal(self, catalog_asset_id: int) -> str | None: ...


class ChannelOperation:
    """What one producer consults: hooks, mode, gate, special pictures. Used in its thread."""

    def __init__(
        self,
        station: StationView | None,
        channel_id: int | None,
        *,
        hooks: ItemHooks | None = None,
    ) -> None:
        self._station = station
        self.channel_id = channel_id
        self.hooks = hooks
        self._emergency: tuple[tuple[int | None, int, int], av.VideoFrame] | None = None
        self._guide: GuideScreen | None = None

    def state(self) -> DirectorState:
        if self._station is None or self.channel_id is None:
            return NORMAL
        return self._station.mode(self.channel_id)

    def refusal(self, item: TimelineItem) -> str | None:
        """Why ``item``'s asset may not air now (one line), or None when it may."""
        if self._station is None or item.catalog_asset_id is None:
            return None
        return self._station.refusal(item.catalog_asset_id)

    def emergency_frame(
        self, state: DirectorState, width: int, height: int, channel_name: str
    ) -> av.VideoFrame:
        key = (state.request_id, width, height)
        if self._emergency is None or self._emergency[0] != key:
            picture = slates.emergency(
                width, height, state.message or "", channel_name=channel_name
            )
            self._emergency = (key, to_video_frame(picture))
        return self._emergency[1]

    def guide_frame(self, width: int, height: int, seconds: int) -> av.VideoFrame:
        if self._guide is None:
            assert self._station is not None
            assert self.channel_id is not None
            self._guide = GuideScreen(self._station, self.channel_id, width, height)
        return self._guide.frame(seconds)

    def close(self) -> None:
        if self._guide is not None:
            self._guide.close()


class GuideScreen:
    """The guide channel's picture: the listing read every few seconds off the frame loop,
    re-rendered only when the listing or the page changes."""

    def __init__(self, station: StationView, channel_id: int, width: int, height: int) -> None:
        self._station = station
        self._channel_id = channel_id
        self._size = (width, height)
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="guide-listing")
        self._pending: Future[slates.GuideListing] | None = None
        self._listing: slates.GuideListing | None = None
        self._read_at_s: float | None = None
        self._key: tuple[slates.GuideListing, int] | None = None
        self._frame: av.VideoFrame | None = None

    def _read(self) -> slates.GuideListing:
        database = self._station.database
        if database is None:  # a worker given its timeline directly: nothing to list
            return slates.GuideListing(self._station.clock.now_utc(), "UTC", ())
        return read_listing(database, self._station.clock, self._channel_id)

    def _refresh(self) -> None:
        clock = self._station.clock
        pending = self._pending
        if pending is not None and pending.done():
            self._pending = None
            try:
                self._listing = pending.result()
            except Exception as err:  # keep the last listing on air
                log.warning("guide channel %s: cannot read the listing: %s", self._channel_id, err)
        now_s = clock.monotonic_s()
        if self._pending is None and (
            self._read_at_s is None or now_s - self._read_at_s >= GUIDE_REFRESH_S
        ):
            self._read_at_s = now_s
            self._pending = self._reader.submit(self._read)
            if self._listing is None:  # the first picture: wait for it once
                try:
                    self._listing = self._pending.result(timeout=2.0)
                except Exception as err:
                    log.warning("guide channel %s: no listing yet: %s", self._channel_id, err)
                self._pending = None

    def frame(self, seconds: int) -> av.VideoFrame:
        self._refresh()
        width, height = self._size
        listing = self._listing
        if listing is None:
            listing = slates.GuideListing(self._station.clock.now_utc(), "UTC", ())
        pages = slates.guide_page_count(height, len(listing.rows))
        page = (seconds // GUIDE_PAGE_S) % pages
        key = (listing, page)
        if self._frame is None or key != self._key:
            self._frame = to_video_frame(slates.guide_listing(width, height, listing, page=page))
            self._key = key
        return self._frame

    def close(self) -> None:
        self._reader.shutdown(wait=False, cancel_futures=True)


def gate_refusal(database: Database, catalog_asset_id: int) -> str | None:
    """Why the catalog asset may not air now (one line), or None when it may (one read)."""
    try:
        with database.transaction() as session:
            asset = session.get(CatalogAsset, catalog_asset_id)
            if asset is None:
                return f"catalog asset {catalog_asset_id} no longer exists"
            return gate_reason(asset.canonical, asset.available)
    except Exception as err:  # the schedule gated it already; keep the channel on air
        log.warning("gate: cannot read catalog asset %s: %s", catalog_asset_id, err)
        return None


class StationOperation:
    """The server's one as-run recorder and director poller, and the play-time gate."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        closed = close_unfinished(database, clock.now_utc())
        if closed:
            log.info("as-run: %d row(s) left playing by the last run finished as cut", closed)
        self.recorder = AsRunRecorder(database)
        self.director = DirectorPoller(database, clock)

    def mode(self, channel_id: int) -> DirectorState:
        return self.director.state(channel_id)

    def for_channel(self, channel_id: int | None) -> ChannelOperation:
        if channel_id is None:
            return ChannelOperation(self, None)
        return ChannelOperation(self, channel_id, hooks=AsRunHooks(self.recorder, channel_id))

    def refusal(self, catalog_asset_id: int) -> str | None:
        return gate_refusal(self.database, catalog_asset_id)

    def close(self) -> None:
        self.recorder.close()
