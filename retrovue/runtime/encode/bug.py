"""The station bug: a channel's logo in a corner of every programme picture.

The bug is an RGBA picture made once per session (the channel's PNG or JPEG scaled to its size,
or a plate with the call sign drawn in the slate font) with its opacity in the alpha channel.
FFmpeg's ``overlay`` filter blends it onto each output frame in C: the picture is pushed once,
and the filter repeats it for every frame.
"""

from __future__ import annotations

import logging
from fractions import Fraction

import av

from retrovue.runtime.playout.channel import BugSpec
from retrovue.runtime.slates.font import GLYPH_H, text_mask

log = logging.getLogger(__name__)

PLATE_ALPHA = 150  # the call sign plate's dark background (text is opaque)
PLATE_PAD = 2  # font pixels around the call sign


def bug_picture(spec: BugSpec, frame_height: int) -> av.VideoFrame:
    """The bug as an RGBA frame, ``size_pct`` of the picture's height, opacity applied."""
    height = max(8, frame_height * spec.size_pct // 100) // 2 * 2
    if spec.image_path is not None:
        picture = _image(spec.image_path, height)
    else:
        picture = _plate(spec.text, height)
    return _with_opacity(picture, spec.opacity)


def _image(path: str, height: int) -> av.VideoFrame:
    with av.open(path) as container:
        first = next(container.decode(video=0))
    width = max(2, round(first.width * height / first.height) // 2 * 2)
    return first.reformat(width=width, height=height, format="rgba")


def _plate(text: str, height: int) -> av.VideoFrame:
    """White call sign letters on a translucent dark plate."""
    label = (text or "TV")[:12]
    scale = max(1, height // (GLYPH_H + 2 * PLATE_PAD))
    mask = text_mask(label, scale)
    pad = PLATE_PAD * scale
    width = (len(mask[0]) + 2 * pad + 1) // 2 * 2
    rows = bytearray()
    top = (height - len(mask)) // 2
    for y in range(height):
        line = bytearray(bytes((16, 16, 16, PLATE_ALPHA)) * width)
        inside = top <= y < top + len(mask)
        if inside:
            for x, lit in enumerate(mask[y - top]):
                if lit:
                    at = 4 * (pad + x)
                    line[at : at + 4] = b"\xff\xff\xff\xff"
        rows += line
    frame = av.VideoFrame(width, height, "rgba")
    fill_plane(frame, bytes(rows), width * 4)
    return frame


def _with_opacity(picture: av.VideoFrame, opacity: float) -> av.VideoFrame:
    plane = picture.planes[0]
    stride, row_bytes = plane.line_size, 4 * picture.width
    raw = bytes(plane)
    packed = bytearray()
    for y in range(picture.height):
        packed += raw[y * stride : y * stride + row_bytes]
    packed[3::4] = bytes(round(alpha * opacity) for alpha in packed[3::4])
    out = av.VideoFrame(picture.width, picture.height, "rgba")
    fill_plane(out, bytes(packed), row_bytes)
    return out


def fill_plane(frame: av.VideoFrame, data: bytes, row_bytes: int, index: int = 0) -> None:
    """Copy packed rows into the frame's plane ``index``, whatever its line size."""
    plane = frame.planes[index]
    if plane.line_size == row_bytes:
        plane.update(data)
        return
    padded = bytearray(plane.line_size * frame.height)
    for y in range(frame.height):
        start = y * plane.line_size
        padded[start : start + row_bytes] = data[y * row_bytes : (y + 1) * row_bytes]
    plane.update(bytes(padded))


def corner(spec: BugSpec, frame: tuple[int, int], bug: tuple[int, int]) -> tuple[int, int]:
    """Where the bug's top-left pixel goes (even, for 4:2:0 chroma)."""
    (width, height), (bug_w, bug_h) = frame, bug
    margin = height * spec.margin_pct // 100
    x = width - bug_w - margin if spec.position.endswith("right") else margin
    y = height - bug_h - margin if spec.position.startswith("bottom") else margin
    return max(0, x) // 2 * 2, max(0, y) // 2 * 2


class PictureOverlay:
    """Blends one still picture (with alpha) at ``x, y`` onto frames of one size (yuv420p in, a
    new yuv420p frame out). The picture is pushed once; FFmpeg's ``overlay`` repeats it."""

    def __init__(
        self, picture: av.VideoFrame, x: int, y: int, size: tuple[int, int], fps: int
    ) -> None:
        width, height = size
        time_base = Fraction(1, fps)
        self._graph = av.filter.Graph()
        main = self._graph.add(
            "buffer", video_size=f"{width}x{height}", pix_fmt="yuv420p",
            time_base=str(time_base), pixel_aspect="1/1",
        )  # fmt: skip
        still = self._graph.add(
            "buffer", video_size=f"{picture.width}x{picture.height}",
            pix_fmt=picture.format.name, time_base=str(time_base), pixel_aspect="1/1",
        )  # fmt: skip
        overlay = self._graph.add("overlay", f"x={x}:y={y}:format=yuv420:eof_action=repeat")
        sink = self._graph.add("buffersink")
        main.link_to(overlay, 0, 0)
        still.link_to(overlay, 0, 1)
        overlay.link_to(sink)
        self._graph.configure()
        self._main = main
        picture.pts, picture.time_base = 0, time_base
        still.push(picture)
        still.push(None)  # one picture: the overlay repeats it
        self._pts = 0
        self._time_base = time_base

    def apply(self, frame: av.VideoFrame) -> av.VideoFrame:
        """A new frame: ``frame`` (left as it was: it may be shown again) with the picture."""
        kept_pts, kept_time_base = frame.pts, frame.time_base
        frame.pts, frame.time_base = self._pts, self._time_base
        self._pts += 1
        try:
            self._main.push(frame)
        finally:
            frame.pts = kept_pts
            if kept_time_base is not None:
                frame.time_base = kept_time_base
        out = self._graph.pull()
        if not isinstance(out, av.VideoFrame):  # the graph has one video output
            raise TypeError("the overlay gave no picture")
        return out


class BugOverlay(PictureOverlay):
    """The channel's bug on frames of one size."""

    def __init__(self, spec: BugSpec, width: int, height: int, fps: int) -> None:
        picture = bug_picture(spec, height)
        x, y = corner(spec, (width, height), (picture.width, picture.height))
        super().__init__(picture, x, y, (width, height), fps)


def make_overlay(spec: BugSpec | None, width: int, height: int, fps: int) -> BugOverlay | None:
    """The channel's overlay, or None (no bug, or one that cannot be drawn: logged, no bug)."""
    if spec is None:
        return None
    try:
        return BugOverlay(spec, width, height, fps)
    except (av.FFmpegError, OSError, ValueError, StopIteration) as err:
        log.warning("station bug %s cannot be drawn (%s): airing without it", spec.image_path, err)
        return None
