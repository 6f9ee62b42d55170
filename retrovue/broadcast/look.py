"""A channel's look and sound settings, validated (the bug and the loudness target).

The bug (``broadcast_channel.bug``) is ``{}`` (none) or ``{"image": "callsign" | PATH,
"position": CORNER, "size_pct": N, "margin_pct": N, "opacity": X, "in_breaks": BOOL}``: a PNG
or JPEG file (with alpha for PNG) or a plate drawn from the call sign, in a corner of the
picture, ``size_pct`` of the picture's height, at ``opacity``; hidden during breaks unless
``in_breaks``, and never on slates.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path
from typing import Any

from retrovue.errors import ValidationError

CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
CALLSIGN = "callsign"
DEFAULT_BUG: dict[str, Any] = {
    "position": "bottom-right",
    "size_pct": 10,
    "opacity": 0.7,
    "in_breaks": False,
    "margin_pct": 4,
}
MAX_IMAGE_BYTES = 4 * 1024 * 1024
MAX_IMAGE_PX = 2048
LOUDNESS_RANGE_LUFS = (-40.0, -10.0)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def bug_image(value: str) -> str:
    """``callsign``, or the absolute path of a PNG or JPEG file small enough to draw."""
    cleaned = value.strip()
    if cleaned == CALLSIGN:
        return cleaned
    path = Path(cleaned).expanduser()
    try:
        if not path.is_file():
            raise ValidationError(
                f"--bug: {cleaned[:200]!r} is not a file (give a PNG or JPEG, or callsign)"
            )
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise ValidationError(f"--bug: {path} is {size} bytes; at most {MAX_IMAGE_BYTES}")
        with path.open("rb") as image:
            head = image.read(64 * 1024)
    except OSError as err:  # unreadable, or a name longer than the filesystem allows
        raise ValidationError(f"--bug: {cleaned[:200]!r}: {err.strerror}") from err
    width, height = image_size(head, str(path))
    if max(width, height) > MAX_IMAGE_PX:
        raise ValidationError(
            f"--bug: {path} is {width}x{height}; at most {MAX_IMAGE_PX} pixels a side"
        )
    return str(path.resolve())


def image_size(head: bytes, name: str) -> tuple[int, int]:
    """Width and height from a PNG or JPEG header (anything else is refused)."""
    if head.startswith(PNG_MAGIC) and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        return int(width), int(height)
    if head.startswith(JPEG_MAGIC):
        at = 2
        while at + 9 < len(head):
            if head[at] != 0xFF:
                break
            marker, length = head[at + 1], struct.unpack(">H", head[at + 2 : at + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", head[at + 5 : at + 9])
                return int(width), int(height)
            at += 2 + length
        raise ValidationError(f"--bug: {name}: a JPEG whose size cannot be read")
    raise ValidationError(f"--bug: {name} is not a PNG or JPEG image")


def updated_bug(
    current: dict[str, Any],
    *,
    image: str | None,
    position: str | None,
    size_pct: int | None,
    opacity: float | None,
    in_breaks: bool | None,
    margin_pct: int | None = None,
) -> dict[str, Any]:
    """The bug settings after an add or update (``image`` '' or 'none' removes the bug)."""
    if image is not None and image.strip() in ("", "none"):
        return {}
    bug = {**DEFAULT_BUG, **current} if current or image else {}
    if image is not None:
        bug["image"] = bug_image(image)
    if position is not None:
        if position not in CORNERS:
            raise ValidationError(
                f"--bug-position: {position!r} is not one of {', '.join(CORNERS)}"
            )
        bug["position"] = position
    if size_pct is not None:
        if not 3 <= size_pct <= 30:
            raise ValidationError(f"--bug-size: {size_pct} is not a percentage from 3 to 30")
        bug["size_pct"] = size_pct
    if opacity is not None:
        if not math.isfinite(opacity) or not 0.05 <= opacity <= 1.0:
            raise ValidationError(f"--bug-opacity: {opacity} is not from 0.05 to 1")
        bug["opacity"] = opacity
    if in_breaks is not None:
        bug["in_breaks"] = in_breaks
    if margin_pct is not None:
        if not 0 <= margin_pct <= 20:
            raise ValidationError(f"--bug-margin: {margin_pct} is not a percentage from 0 to 20")
        bug["margin_pct"] = margin_pct
    if bug and "image" not in bug:
        raise ValidationError("--bug: give the image (a PNG or JPEG file, or callsign) first")
    return bug


def loudness_target(value: float) -> float:
    low, high = LOUDNESS_RANGE_LUFS
    if not math.isfinite(value) or not low <= value <= high:
        raise ValidationError(f"--loudness-target: {value} LUFS is not from {low} to {high}")
    return float(value)
