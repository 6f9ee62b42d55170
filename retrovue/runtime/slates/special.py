"""The pictures of a channel's slates, drawn once and reused: cards, technical difficulties, the
emergency slate and the guide channel's listing (read every few seconds off the frame loop)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from zoneinfo import ZoneInfo

import av

from retrovue.clock import Clock
from retrovue.errors import RetrovueError
from retrovue.runtime.playout.engine import Slate
from retrovue.runtime.playout.modes import DirectorState
from retrovue.runtime.slates import pictures
from retrovue.runtime.slates.cards import SlateCache
from retrovue.runtime.slates.frames import to_video_frame

log = logging.getLogger(__name__)

GUIDE_REFRESH_S = 5.0
GUIDE_PAGE_S = 10
FAULT_FRAMES_KEPT = 16

ListingReader = Callable[[], pictures.GuideListing]


class SlatePictures:
    """One channel's slate pictures at its output size. Used in the producer's thread."""

    def __init__(
        self,
        channel_name: str,
        width: int,
        height: int,
        clock: Clock,
        listing: ListingReader | None = None,
    ) -> None:
        self._name = channel_name
        self._size = (width, height)
        self._clock = clock
        self._listing = listing
        self._cards = SlateCache(width, height)
        self._faults: dict[str, av.VideoFrame] = {}
        self._emergency: tuple[tuple[int | None, str | None], av.VideoFrame] | None = None
        self._guide: GuideScreen | None = None
        self._black: av.VideoFrame | None = None

    def picture(self, slate: Slate, clock_zone: ZoneInfo | None = None) -> av.VideoFrame:
        """The picture of ``slate``; with ``clock_zone``, the tuning card shows the time there."""
        if slate.kind == "black":
            return self.black()
        if slate.kind == "fault":
            return self.fault(slate.lines[-1])
        if slate.kind == "emergency" and slate.director is not None:
            return self.emergency(slate.director)
        if slate.kind == "guide":
            return self.guide(slate.wall_s)
        if slate.kind == "tuning" and slate.at_utc is not None and clock_zone is not None:
            return self.card(
                [*slate.lines, slate.at_utc.astimezone(clock_zone).strftime("%H:%M:%S")]
            )
        return self.card(slate.lines)

    def black(self) -> av.VideoFrame:
        if self._black is None:
            width, height = self._size
            self._black = to_video_frame(pictures.black(width, height))
        return self._black

    def card(self, lines: Sequence[str]) -> av.VideoFrame:
        return self._cards.frame(lines)

    def fault(self, title: str) -> av.VideoFrame:
        """The technical-difficulties slate for ``title``, drawn once per title."""
        frame = self._faults.get(title)
        if frame is None:
            width, height = self._size
            picture = pictures.technical_difficulties(width, height, self._name, detail=title)
            if len(self._faults) > FAULT_FRAMES_KEPT:
                self._faults.clear()
            frame = self._faults[title] = to_video_frame(picture)
        return frame

    def emergency(self, state: DirectorState) -> av.VideoFrame:
        key = (state.request_id, state.message)
        if self._emergency is None or self._emergency[0] != key:
            width, height = self._size
            picture = pictures.emergency(
                width, height, state.message or "", channel_name=self._name
            )
            self._emergency = (key, to_video_frame(picture))
        return self._emergency[1]

    def guide(self, wall_s: int) -> av.VideoFrame:
        if self._guide is None:
            self._guide = GuideScreen(self._listing, self._clock, *self._size)
        return self._guide.frame(wall_s)

    def close(self) -> None:
        if self._guide is not None:
            self._guide.close()


class GuideScreen:
    """The guide channel's picture: the listing read every ``GUIDE_REFRESH_S`` in a helper
    thread, re-rendered only when the listing or the page changes."""

    def __init__(self, read: ListingReader | None, clock: Clock, width: int, height: int) -> None:
        self._read_listing = read
        self._clock = clock
        self._size = (width, height)
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="guide-listing")
        self._pending: Future[pictures.GuideListing] | None = None
        self._listing: pictures.GuideListing | None = None
        self._read_at_s: float | None = None
        self._key: tuple[pictures.GuideListing, int] | None = None
        self._frame: av.VideoFrame | None = None

    def _read(self) -> pictures.GuideListing:
        if self._read_listing is None:  # no station (tests, benchmarks): nothing to list
            return self._empty()
        return self._read_listing()

    def _empty(self) -> pictures.GuideListing:
        return pictures.GuideListing(self._clock.now_utc(), "UTC", ())

    def _refresh(self) -> None:
        pending = self._pending
        if pending is not None and pending.done():
            self._pending = None
            try:
                self._listing = pending.result()
            except RetrovueError as err:  # keep the last listing on air
                log.warning("guide channel: cannot read the listing: %s", err)
        now_s = self._clock.monotonic_s()
        if self._pending is None and (
            self._read_at_s is None or now_s - self._read_at_s >= GUIDE_REFRESH_S
        ):
            self._read_at_s = now_s
            self._pending = self._reader.submit(self._read)
            if self._listing is None:  # the first picture: wait for it once
                try:
                    self._listing = self._pending.result(timeout=2.0)
                except (RetrovueError, TimeoutError) as err:
                    log.warning("guide channel: no listing yet: %s", err)
                self._pending = None

    def frame(self, wall_s: int) -> av.VideoFrame:
        self._refresh()
        width, height = self._size
        listing = self._listing if self._listing is not None else self._empty()
        pages = pictures.guide_page_count(height, len(listing.rows))
        page = (wall_s // GUIDE_PAGE_S) % pages
        key = (listing, page)
        if self._frame is None or key != self._key:
            self._frame = to_video_frame(pictures.guide_listing(width, height, listing, page=page))
            self._key = key
        return self._frame

    def close(self) -> None:
        self._reader.shutdown(wait=False, cancel_futures=True)
