"""Slates drawn by the runtime: colour bars and a black band with lines of text (no font library).

Used for the tuning slate (channel name and clock), for slate events and gaps (title), and for a
file that cannot be played ("technical difficulties"). Drawing costs a few milliseconds at 720p;
the producer redraws only when the text changes (once a second for a clock).
"""

from __future__ import annotations

from collections.abc import Sequence

import av

from retrovue.runtime.slates.font import GLYPH_H, text_mask
from retrovue.runtime.slates.font import text_width_px as text_width

BLACK_Y = 16
WHITE_Y = 235
# 75 % colour bars in limited-range BT.601 (Y, U, V).
BARS: tuple[tuple[int, int, int], ...] = (
    (180, 128, 128),
    (162, 44, 142),
    (131, 156, 44),
    (112, 72, 58),
    (84, 184, 198),
    (65, 100, 212),
    (35, 212, 114),
)
BARS_FRACTION = 0.55
_TO_LUMA = bytes([BLACK_Y, WHITE_Y]) + bytes(254)


def _bar_row(width: int, component: int) -> bytes:
    return bytes(BARS[min(len(BARS) - 1, x * len(BARS) // width)][component] for x in range(width))


def _fill_plane(plane: av.video.plane.VideoPlane, data: bytes, width: int, height: int) -> None:
    stride = plane.line_size
    if stride == width:
        plane.update(data)
        return
    padded = bytearray(stride * height)
    for y in range(height):
        padded[y * stride : y * stride + width] = data[y * width : (y + 1) * width]
    plane.update(bytes(padded))


def _draw_lines(luma: bytearray, width: int, top: int, bottom: int, lines: Sequence[str]) -> None:
    if not lines:
        return
    space = bottom - top
    scale = max(1, min(space // (len(lines) * (GLYPH_H + 3)), width // 60))
    line_h = (GLYPH_H + 3) * scale
    y = top + max(0, (space - line_h * len(lines)) // 2) + scale
    for line in lines:
        text = line
        line_scale = scale
        while line_scale > 1 and text_width(text, line_scale) > width - 8:
            line_scale -= 1
        text_w = text_width(text, line_scale)
        if text_w > width:
            text = text[: max(1, width // ((1 + 5) * line_scale))]
            text_w = text_width(text, line_scale)
        x = max(0, (width - text_w) // 2)
        for dy, mask in enumerate(text_mask(text, line_scale)):
            row = y + dy
            if row >= bottom:
                break
            start = row * width + x
            luma[start : start + len(mask)] = mask.translate(_TO_LUMA)
        y += line_h


def draw_slate(width: int, height: int, lines: Sequence[str]) -> av.VideoFrame:
    """A yuv420p frame: colour bars above, ``lines`` of white text on black below."""
    bars_h = int(height * BARS_FRACTION) & ~1
    luma = bytearray(_bar_row(width, 0) * bars_h + bytes([BLACK_Y]) * (width * (height - bars_h)))
    _draw_lines(luma, width, bars_h, height, lines)
    frame = av.VideoFrame(width, height, "yuv420p")
    _fill_plane(frame.planes[0], bytes(luma), width, height)
    chroma_w, chroma_h = width // 2, height // 2
    chroma_bars = bars_h // 2
    for index, plane in enumerate(frame.planes[1:], start=1):
        data = _bar_row(chroma_w, index) * chroma_bars + bytes([128]) * (
            chroma_w * (chroma_h - chroma_bars)
        )
        _fill_plane(plane, data, chroma_w, chroma_h)
    return frame


class SlateCache:
    """Redraws a slate only when its text changes."""

    def __init__(self, width: int, height: int) -> None:
        self._size = (width, height)
        self._key: tuple[str, ...] | None = None
        self._frame: av.VideoFrame | None = None

    def frame(self, lines: Sequence[str]) -> av.VideoFrame:
        key = tuple(lines)
        if key != self._key or self._frame is None:
            self._frame = draw_slate(self._size[0], self._size[1], key)
            self._key = key
        return self._frame
