"""Slate renderers, checked on the planes themselves (no decoding): sizes, text where expected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from retrovue.errors import StreamError
from retrovue.runtime.slates import pictures as slates
from retrovue.runtime.slates.font import GLYPH_H, Plane, draw_text
from retrovue.runtime.slates.pictures import GuideListing, ListingEntry, ListingRow, YuvPicture

W, H = 1280, 720
T = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # 07:00 in New York


def _sizes_ok(picture: YuvPicture, width: int, height: int) -> None:
    assert (picture.width, picture.height) == (width, height)
    assert len(picture.y) == width * height
    assert len(picture.u) == len(picture.v) == (width // 2) * (height // 2)


def _region(picture: YuvPicture, x: int, y: int, w: int, h: int) -> bytes:
    return b"".join(
        picture.y[(y + r) * picture.width + x : (y + r) * picture.width + x + w] for r in range(h)
    )


def _rendered(text: str, scale: int, fg: int, bg: int) -> tuple[int, int, bytes]:
    """``text`` alone, as the font draws it: width, height and the luma bytes."""
    w, h = slates.text_px(text, scale), GLYPH_H * scale
    plane = Plane(bytearray([bg]) * (w * h), w, h, w)
    draw_text(plane, text, 0, 0, scale, fg)
    return w, h, bytes(plane.data)


def _rows_with(picture: YuvPicture, value: int) -> list[int]:
    return [
        r
        for r in range(picture.height)
        if value in picture.y[r * picture.width : (r + 1) * picture.width]
    ]


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (854, 480), (1920, 1080), (320, 240)])
def test_every_slate_has_the_right_planes(width: int, height: int) -> None:
    listing = GuideListing(T, "UTC", (ListingRow("2", "Two", None, None),))
    for picture in (
        slates.technical_difficulties(width, height, "Channel Two"),
        slates.emergency(width, height, "Test message", channel_name="Two"),
        slates.guide_listing(width, height, listing),
    ):
        _sizes_ok(picture, width, height)


def test_odd_or_tiny_sizes_are_refused() -> None:
    with pytest.raises(StreamError, match="must be even"):
        slates.technical_difficulties(641, 480, "x")
    with pytest.raises(StreamError):
        slates.emergency(8, 8, "x")


def test_technical_difficulties_has_bars_a_title_and_the_channel_name() -> None:
    picture = slates.technical_difficulties(W, H, "RetroVue One")
    bars_h = H * 2 // 5
    first_row = picture.y[:W]
    assert len({first_row[x * W // 7 + 5] for x in range(7)}) == 7  # seven different bars
    white_rows = _rows_with(picture, slates.WHITE[0])
    assert white_rows
    assert all(bars_h < r < bars_h + (H - bars_h) // 2 for r in white_rows)  # the title
    yellow_rows = _rows_with(picture, slates.YELLOW[0])
    assert yellow_rows
    assert min(yellow_rows) > max(white_rows)  # the channel name below it
    row = yellow_rows[0]
    x = picture.y[row * W : (row + 1) * W].index(slates.YELLOW[0])
    chroma_at = (row // 2) * (W // 2) + x // 2
    assert (picture.u[chroma_at], picture.v[chroma_at]) == slates.YELLOW[1:]  # yellow, not grey
    assert picture == slates.technical_difficulties(W, H, "RetroVue One")  # deterministic
    assert picture.y != slates.technical_difficulties(W, H, "RetroVue Two").y


def test_emergency_wraps_the_message_large_under_a_red_band() -> None:
    short = slates.emergency(W, H, "Stay tuned", channel_name="One")
    long_text = "Severe weather warning for the county until 9 PM. " * 3
    long = slates.emergency(W, H, long_text, channel_name="One")
    assert (short.u[2], short.v[2]) == (slates.RED[1], slates.RED[2])  # the heading band
    head_h = H // 5

    def text_lines(picture: YuvPicture) -> int:
        rows = [r for r in _rows_with(picture, slates.WHITE[0]) if r > head_h]
        return 1 + sum(1 for a, b in pairwise(rows) if b - a > 1)

    assert text_lines(short) == 1
    assert text_lines(long) >= 4
    assert short.y != long.y
    scale, lines = slates._message_layout(long_text, W - 80, H // 2, 9)
    assert len(lines) > 1
    assert all(len(line) <= slates.chars_fitting(W - 80, scale) for line in lines)


def test_wrap_words_keeps_every_word_and_splits_long_ones() -> None:
    lines = slates.wrap_words("the quick brown fox jumps over the lazy dog", 10)
    assert lines == ["the quick", "brown fox", "jumps over", "the lazy", "dog"]
    assert slates.wrap_words("abcdefghijklmnop qr", 5) == ["abcde", "fghij", "klmno", "p qr"]
    assert slates.wrap_words("   ", 5) == []


def _listing(rows: int, at_utc: datetime = T, zone: str = "America/New_York") -> GuideListing:
    return GuideListing(
        at_utc,
        zone,
        tuple(
            ListingRow(
                str(n),
                f"Channel {n}",
                ListingEntry(f"Show {n}", T, T + timedelta(minutes=30)),
                ListingEntry(f"Later {n}", T + timedelta(minutes=30), T + timedelta(hours=1)),
            )
            for n in range(1, rows + 1)
        ),
        title="Guide",
    )


def test_guide_listing_draws_clock_and_rows_in_the_channels_zone() -> None:
    picture = slates.guide_listing(W, H, _listing(3))
    layout = slates.guide_layout(W, H)
    pad, scale = slates.margin(W), layout.scale
    clock_scale = scale + 1
    w, h, expected = _rendered("07:00", clock_scale, slates.WHITE[0], slates.NAVY[0])
    clock_x = W - pad - w
    clock_y = layout.header_h // 2 - GLYPH_H * clock_scale // 2
    assert _region(picture, clock_x, clock_y, w, h) == expected  # 12:00 UTC in New York
    top = layout.header_h + scale * 2
    text_x = W * 3 // 10 + pad
    w, h, expected = _rendered("NOW 07:00 SHOW 1", scale, slates.WHITE[0], slates.BLACK[0])
    assert _region(picture, text_x, top, w, h) == expected
    line_h = (GLYPH_H + 3) * scale
    w, h, expected = _rendered("NEXT 07:30 LATER 1", scale, slates.GREY[0], slates.BLACK[0])
    assert _region(picture, text_x, top + line_h, w, h) == expected
    in_utc = slates.guide_listing(W, H, _listing(3, zone="UTC"))
    assert in_utc.y != picture.y
    next_minute = slates.guide_listing(W, H, _listing(3, at_utc=T + timedelta(minutes=1)))
    assert next_minute.y != picture.y


def test_guide_listing_pages_when_channels_do_not_fit() -> None:
    per_page = slates.guide_layout(W, H).rows_per_page
    listing = _listing(per_page * 2 + 1)
    assert slates.guide_page_count(H, len(listing.rows)) == 3
    pages = [slates.guide_listing(W, H, listing, page=n) for n in range(4)]
    assert len({p.y for p in pages[:3]}) == 3
    assert pages[3] == pages[0]  # wraps around
    assert slates.guide_page_count(H, per_page) == 1
    assert slates.guide_page_count(H, per_page + 1) == 2


def test_guide_listing_with_no_channels_says_so() -> None:
    empty = slates.guide_listing(W, H, GuideListing(T, "UTC", ()))
    _sizes_ok(empty, W, H)
    assert _rows_with(empty, slates.GREY[0])
