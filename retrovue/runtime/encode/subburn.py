"""Image subtitles (PGS) burnt into the programme's pictures.

FFmpeg's ``pgssub`` decoder gives each display set's bitmaps as palette indices; PyAV (18.1)
does not expose the palette (a plane without a line size), so :class:`PgsPalettes` reads it
from the packets themselves: a PGS packet is a run of segments (type, size, payload), and the
palette definition segments (PDS) hold Y, Cr, Cb and alpha per entry, the composition segment
(PCS) which palette applies and the presentation's size. Each bitmap becomes a ``yuva444p``
picture (the palette applied with ``bytes.translate``, no colour conversion: PGS and the output
are both limited-range YCbCr), scaled and placed as the programme's picture is (fitted inside
the profile, centred) and blended by FFmpeg's ``overlay`` (:class:`.bug.PictureOverlay`), one
filter graph per displayed bitmap, kept while it is shown.

A display set is shown from its PTS until the next one (an empty one clears); one shown before
the keyframe a join seeks to appears only with the next display set.
"""

from __future__ import annotations

import bisect
import logging
import struct
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av

from retrovue.runtime.encode.bug import PictureOverlay, fill_plane
from retrovue.runtime.encode.videofilter import fitted_size
from retrovue.runtime.playout.profiles import OutputProfile

log = logging.getLogger(__name__)

_PDS, _PCS = 0x14, 0x16
_TRANSPARENT = (16, 128, 128, 0)
MAX_EVENTS = 64  # display sets kept (the shown one and those decoded ahead)


class PgsPalettes:
    """The palettes and presentation size a PGS stream has defined so far."""

    def __init__(self) -> None:
        self.palettes: dict[int, dict[int, tuple[int, int, int, int]]] = {}
        self.palette_id = 0
        self.size: tuple[int, int] | None = None

    def read(self, data: bytes) -> None:
        """Take in the segments of one packet (a display set)."""
        at = 0
        while at + 3 <= len(data):
            kind, length = data[at], struct.unpack_from(">H", data, at + 1)[0]
            payload = data[at + 3 : at + 3 + length]
            at += 3 + length
            if kind == _PCS and len(payload) >= 11:
                width, height = struct.unpack_from(">HH", payload)
                self.size = (width, height) if width and height else self.size
                self.palette_id = payload[9]
            elif kind == _PDS and len(payload) >= 2:
                entries = self.palettes.setdefault(payload[0], {})
                for start in range(2, len(payload) - 4, 5):
                    index, luma, cr, cb, alpha = payload[start : start + 5]
                    entries[index] = (luma, cb, cr, alpha)

    def tables(self) -> tuple[bytes, bytes, bytes, bytes]:
        """Translation tables index -> Y, Cb, Cr, A for the palette in use."""
        entries = self.palettes.get(self.palette_id, {})
        colours = [entries.get(i, _TRANSPARENT) for i in range(256)]
        return tuple(bytes(c[k] for c in colours) for k in range(4))  # type: ignore[return-value]


@dataclass(frozen=True)
class _Bitmap:
    picture: av.VideoFrame  # yuva420p, already at its output size
    x: int
    y: int


def bitmap_picture(indices: bytes, size: tuple[int, int], tables: tuple[bytes, ...]) -> Any:
    """A ``yuva444p`` frame from palette indices (``width * height`` bytes)."""
    width, height = size
    frame = av.VideoFrame(width, height, "yuva444p")
    for plane, table in enumerate(tables):
        fill_plane(frame, indices.translate(table), width, plane)
    return frame


class SubtitleBurn:
    """One file's chosen PGS track: fed its packets while the file is demuxed, asked for the
    picture at a position."""

    def __init__(self, stream_index: int, profile: OutputProfile) -> None:
        self.stream_index = stream_index
        self._profile = profile
        self._palettes = PgsPalettes()
        self._starts: list[float] = []
        self._events: list[tuple[_Bitmap, ...]] = []
        self._video_size: tuple[int, int] = (profile.width, profile.height)
        self._sar: Fraction | None = None
        self._shown: tuple[_Bitmap, ...] | None = None
        self._overlays: list[PictureOverlay] = []

    def bind(self, container: Any, video: Any) -> Any | None:
        """The subtitle stream to demux with the file, or None (not a PGS track: logged)."""
        try:
            stream = container.streams[self.stream_index]
        except IndexError:
            stream = None
        if stream is None or stream.codec_context.name not in ("pgssub", "hdmv_pgs_subtitle"):
            log.warning("stream %s is not a PGS track: nothing burnt in", self.stream_index)
            return None
        self._video_size = (video.codec_context.width, video.codec_context.height)
        self._sar = video.sample_aspect_ratio
        return stream

    def feed(self, stream: Any, packet: Any, origin_s: float) -> None:
        if packet.pts is None or packet.time_base is None:
            return
        self._palettes.read(bytes(packet))
        subtitles = stream.codec_context.decode2(packet)
        if subtitles is None:
            return
        start_s = float(packet.pts * packet.time_base) - origin_s
        start_s += subtitles.start_display_time / 1000
        bitmaps = tuple(b for rect in subtitles if (b := self._bitmap(rect)) is not None)
        at = bisect.bisect_left(self._starts, start_s)
        if at < len(self._starts) and self._starts[at] == start_s:
            self._events[at] = bitmaps  # decoded again after a seek
            return
        self._starts.insert(at, start_s)
        self._events.insert(at, bitmaps)
        if len(self._starts) > MAX_EVENTS:
            del self._starts[0], self._events[0]

    def _bitmap(self, rect: Any) -> _Bitmap | None:
        if getattr(rect, "type", None) != b"bitmap" or not rect.planes:
            return None
        width, height = rect.width, rect.height
        indices = bytes(rect.planes[0])[: width * height]
        picture = bitmap_picture(indices, (width, height), self._palettes.tables())
        base_w, base_h = self._palettes.size or self._video_size
        video_w, video_h = self._video_size
        fit_w, fit_h = fitted_size(
            video_w, video_h, self._sar, self._profile.width, self._profile.height
        )
        scale_x, scale_y = fit_w / base_w, fit_h / base_h
        out_w = max(2, round(width * scale_x) // 2 * 2)
        out_h = max(2, round(height * scale_y) // 2 * 2)
        left = (self._profile.width - fit_w) // 2 + round(rect.x * scale_x)
        top = (self._profile.height - fit_h) // 2 + round(rect.y * scale_y)
        scaled = picture.reformat(width=out_w, height=out_h, format="yuva420p")
        return _Bitmap(scaled, left // 2 * 2, top // 2 * 2)

    def apply(self, picture: av.VideoFrame, position_s: float) -> av.VideoFrame:
        """``picture`` with whatever the track shows at file position ``position_s``."""
        at = bisect.bisect_right(self._starts, position_s) - 1
        shown = self._events[at] if at >= 0 else ()
        if shown is not self._shown:
            self._shown = shown
            size = (self._profile.width, self._profile.height)
            fps = self._profile.fps
            self._overlays = [PictureOverlay(b.picture, b.x, b.y, size, fps) for b in shown]
        for overlay in self._overlays:
            picture = overlay.apply(picture)
        return picture
