"""Thumbnails: one frame of a media file at an offset, as a small JPEG, cached briefly.

The frame is decoded with PyAV (seek to the keyframe before the offset, decode up to it) and
encoded with the MJPEG encoder; nothing is written to disk.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from fractions import Fraction

import av

from retrovue.clock import Clock
from retrovue.errors import NotFoundError

THUMB_WIDTH_PX = 320
CACHE_TTL_S = 15.0
CACHE_ENTRIES = 64
MAX_DECODED_FRAMES = 900  # at most this many frames are decoded past the keyframe


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def grab_frame_jpeg(path: str, offset_ms: int, width_px: int = THUMB_WIDTH_PX) -> bytes:
    """The frame at ``offset_ms`` into ``path`` (the last one when the file is shorter)."""
    try:
        return _grab(path, offset_ms, width_px)
    except (OSError, av.FFmpegError) as err:
        raise NotFoundError(f"no picture from {path}: {err}") from err


def _grab(path: str, offset_ms: int, width_px: int) -> bytes:
    with av.open(path) as container:
        if not container.streams.video:
            raise NotFoundError(f"{path} has no video")
        stream = container.streams.video[0]
        sample_aspect = float(stream.sample_aspect_ratio or 1) or 1.0
        target_s = max(0, offset_ms) / 1000
        if target_s > 0 and stream.time_base is not None:
            start = stream.start_time or 0
            container.seek(start + int(target_s / stream.time_base), stream=stream)
        base_s = 0.0
        if stream.start_time and stream.time_base is not None:
            base_s = float(stream.start_time * stream.time_base)
        chosen = None
        for count, frame in enumerate(container.decode(stream)):
            chosen = frame
            if frame.time is not None and frame.time - base_s >= target_s - 0.05:
                break
            if count >= MAX_DECODED_FRAMES:
                break
        if chosen is None:
            raise NotFoundError(f"{path}: no frame decoded")
    aspect = float(chosen.height) / (float(chosen.width or 1) * sample_aspect)  # as displayed
    return _jpeg(chosen, width_px, _even(width_px * aspect))


def _jpeg(frame: av.VideoFrame, width_px: int, height_px: int) -> bytes:
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width = width_px
    encoder.height = height_px
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    small = frame.reformat(width=width_px, height=height_px, format="yuvj420p")
    small.pts = 0
    packets = [*encoder.encode(small), *encoder.encode(None)]
    return b"".join(bytes(packet) for packet in packets)


class ThumbnailCache:
    """Thread-safe: handlers call it from worker threads."""

    def __init__(self, clock: Clock, *, ttl_s: float = CACHE_TTL_S) -> None:
        self._clock = clock
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.grabs = 0  # frames decoded (for tests)

    def get(self, key: str, path: str, offset_ms: int) -> bytes:
        now_s = self._clock.monotonic_s()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] > now_s:
                return hit[1]
        body = grab_frame_jpeg(path, offset_ms)
        with self._lock:
            self.grabs += 1
            self._cache[key] = (now_s + self._ttl_s, body)
            self._cache.move_to_end(key)
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return body
