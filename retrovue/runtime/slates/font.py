"""A built-in 5x7 bitmap font drawn into 8-bit planes: text for slates and test cards.

PyAV's FFmpeg has no ``drawtext`` filter and RetroVue ships no fonts, so captions are drawn here,
in pure Python, into a luma plane (``bytearray``, one byte per pixel, ``stride`` bytes per row).
Lower-case letters are drawn as capitals; characters without a glyph are drawn as ``?``.
"""

from __future__ import annotations

from dataclasses import dataclass

GLYPH_W = 5
GLYPH_H = 7

_GLYPHS: dict[str, str] = {
    " ": ".....|.....|.....|.....|.....|.....|.....",
    "A": ".###.|#...#|#...#|#####|#...#|#...#|#...#",
    "B": "####.|#...#|#...#|####.|#...#|#...#|####.",
    "C": ".###.|#...#|#....|#....|#....|#...#|.###.",
    "D": "####.|#...#|#...#|#...#|#...#|#...#|####.",
    "E": "#####|#....|#....|####.|#....|#....|#####",
    "F": "#####|#....|#....|####.|#....|#....|#....",
    "G": ".###.|#...#|#....|#.###|#...#|#...#|.####",
    "H": "#...#|#...#|#...#|#####|#...#|#...#|#...#",
    "I": ".###.|..#..|..#..|..#..|..#..|..#..|.###.",
    "J": "..###|...#.|...#.|...#.|...#.|#..#.|.##..",
    "K": "#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#",
    "L": "#....|#....|#....|#....|#....|#....|#####",
    "M": "#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#",
    "N": "#...#|#...#|##..#|#.#.#|#..##|#...#|#...#",
    "O": ".###.|#...#|#...#|#...#|#...#|#...#|.###.",
    "P": "####.|#...#|#...#|####.|#....|#....|#....",
    "Q": ".###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#",
    "R": "####.|#...#|#...#|####.|#.#..|#..#.|#...#",
    "S": ".####|#....|#....|.###.|....#|....#|####.",
    "T": "#####|..#..|..#..|..#..|..#..|..#..|..#..",
    "U": "#...#|#...#|#...#|#...#|#...#|#...#|.###.",
    "V": "#...#|#...#|#...#|#...#|#...#|.#.#.|..#..",
    "W": "#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.",
    "X": "#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#",
    "Y": "#...#|#...#|.#.#.|..#..|..#..|..#..|..#..",
    "Z": "#####|....#|...#.|..#..|.#...|#....|#####",
    "0": ".###.|#...#|#..##|#.#.#|##..#|#...#|.###.",
    "1": "..#..|.##..|..#..|..#..|..#..|..#..|.###.",
    "2": ".###.|#...#|....#|...#.|..#..|.#...|#####",
    "3": "#####|...#.|..#..|...#.|....#|#...#|.###.",
    "4": "...#.|..##.|.#.#.|#..#.|#####|...#.|...#.",
    "5": "#####|#....|####.|....#|....#|#...#|.###.",
    "6": "..##.|.#...|#....|####.|#...#|#...#|.###.",
    "7": "#####|....#|...#.|..#..|.#...|.#...|.#...",
    "8": ".###.|#...#|#...#|.###.|#...#|#...#|.###.",
    "9": ".###.|#...#|#...#|.####|....#|...#.|.##..",
    ".": ".....|.....|.....|.....|.....|.##..|.##..",
    ",": ".....|.....|.....|.....|.##..|..#..|.#...",
    ":": ".....|.##..|.##..|.....|.##..|.##..|.....",
    "-": ".....|.....|.....|#####|.....|.....|.....",
    "+": ".....|..#..|..#..|#####|..#..|..#..|.....",
    "/": "....#|....#|...#.|..#..|.#...|#....|#....",
    "'": "..#..|..#..|.#...|.....|.....|.....|.....",
    "!": "..#..|..#..|..#..|..#..|..#..|.....|..#..",
    "?": ".###.|#...#|....#|...#.|..#..|.....|..#..",
    "&": ".##..|#..#.|#.#..|.#...|#.#.#|#..#.|.##.#",
    "(": "...#.|..#..|.#...|.#...|.#...|..#..|...#.",
    ")": ".#...|..#..|...#.|...#.|...#.|..#..|.#...",
    "#": ".#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#.",
    "*": ".....|..#..|#.#.#|.###.|#.#.#|..#..|.....",
    "=": ".....|.....|#####|.....|#####|.....|.....",
    "_": ".....|.....|.....|.....|.....|.....|#####",
}


def _bitmap(glyph: str) -> tuple[tuple[bool, ...], ...]:
    return tuple(tuple(cell == "#" for cell in row) for row in glyph.split("|"))


_BITMAPS = {char: _bitmap(glyph) for char, glyph in _GLYPHS.items()}


@dataclass(frozen=True)
class Plane:
    """A writable 8-bit plane: ``data[y * stride + x]``."""

    data: bytearray
    width: int
    height: int
    stride: int


def text_width_px(text: str, scale: int) -> int:
    """Width in pixels of ``text`` drawn at ``scale`` (one glyph column of spacing)."""
    return max(0, len(text) * (GLYPH_W + 1) * scale - scale)


def fit_scale(text: str, max_width_px: int, max_scale: int) -> int:
    """The largest scale (at least 1) at which ``text`` fits ``max_width_px``."""
    for scale in range(max_scale, 0, -1):
        if text_width_px(text, scale) <= max_width_px:
            return scale
    return 1


def draw_text(plane: Plane, text: str, x: int, y: int, scale: int, value: int) -> None:
    """Draw ``text`` with its top-left corner at (x, y); pixels outside the plane are clipped."""
    cursor = x
    for char in text:
        bitmap = _BITMAPS.get(char.upper(), _BITMAPS["?"])
        _draw_glyph(plane, bitmap, cursor, y, scale, value)
        cursor += (GLYPH_W + 1) * scale


def draw_text_centered(plane: Plane, text: str, center_y: int, max_scale: int, value: int) -> None:
    """Draw one line centred horizontally, as large as fits (up to ``max_scale``)."""
    scale = fit_scale(text, plane.width - 8, max_scale)
    x = (plane.width - text_width_px(text, scale)) // 2
    draw_text(plane, text, x, center_y - GLYPH_H * scale // 2, scale, value)


def _draw_glyph(
    plane: Plane, bitmap: tuple[tuple[bool, ...], ...], x: int, y: int, scale: int, value: int
) -> None:
    for row_index, row in enumerate(bitmap):
        for col_index, lit in enumerate(row):
            if lit:
                fill_rect(plane, x + col_index * scale, y + row_index * scale, scale, scale, value)


def fill_rect(plane: Plane, x: int, y: int, w: int, h: int, value: int) -> None:
    """Fill a rectangle, clipped to the plane."""
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(plane.width, x + w), min(plane.height, y + h)
    if x0 >= x1:
        return
    run = bytes([value]) * (x1 - x0)
    for row in range(y0, y1):
        start = row * plane.stride + x0
        plane.data[start : start + len(run)] = run


def text_mask(text: str, scale: int) -> list[bytes]:
    """Rows of 0/1 bytes for ``text``: each font pixel ``scale`` x ``scale``, one column between
    glyphs (the form a renderer blits row by row)."""
    bitmaps = [_BITMAPS.get(char.upper(), _BITMAPS["?"]) for char in text]
    rows: list[bytes] = []
    for y in range(GLYPH_H):
        pixels: list[int] = []
        for index, bitmap in enumerate(bitmaps):
            if index:
                pixels.append(0)
            pixels.extend(1 if lit else 0 for lit in bitmap[y])
        row = bytes(p for p in pixels for _ in range(scale))
        rows.extend([row] * scale)
    return rows
