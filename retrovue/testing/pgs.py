"""A minimal PGS (Blu-ray ``.sup``) writer: image subtitles for tests, since FFmpeg cannot turn
text into bitmap subtitles. Each event is one opaque box of one grey shown from ``start_s`` to
``end_s``: a display set (PCS, WDS, PDS, ODS, END) at its start, an empty one (PCS without
objects, WDS, END) at its end; the file starts with an empty one at 0 so that its timestamps
are not shifted when it is muxed."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_PDS, _ODS, _PCS, _WDS, _END = 0x14, 0x15, 0x16, 0x17, 0x80


@dataclass(frozen=True)
class BoxEvent:
    start_s: float
    end_s: float
    x: int
    y: int
    width: int
    height: int
    luma: int = 235  # Y of the box (Cb = Cr = 128), fully opaque


def _segment(kind: int, pts: int, payload: bytes) -> bytes:
    return b"PG" + struct.pack(">IIBH", pts, 0, kind, len(payload)) + payload


def _rle_box(width: int, height: int) -> bytes:
    """Every pixel colour 1: per line runs of at most 16383 pixels, then the end of line."""
    line = bytearray()
    left = width
    while left:
        run = min(left, 16383)
        line += bytes([0x00, 0xC0 | run >> 8, run & 0xFF, 0x01])
        left -= run
    return bytes(line + b"\x00\x00") * height


def _clear(pts: int, number: int, size: tuple[int, int]) -> bytes:
    pcs = struct.pack(">HHBHBBBB", *size, 0x10, number, 0x00, 0, 0, 0)
    wds = struct.pack(">BBHHHH", 1, 0, 0, 0, 1, 1)
    return _segment(_PCS, pts, pcs) + _segment(_WDS, pts, wds) + _segment(_END, pts, b"")


def _show(event: BoxEvent, pts: int, number: int, size: tuple[int, int]) -> bytes:
    pcs = struct.pack(">HHBHBBBB", *size, 0x10, number, 0x80, 0, 0, 1)
    pcs += struct.pack(">HBBHH", 0, 0, 0x00, event.x, event.y)
    wds = struct.pack(">BBHHHH", 1, 0, event.x, event.y, event.width, event.height)
    pds = struct.pack(">BB", 0, 0) + bytes([1, event.luma, 128, 128, 255])
    data = struct.pack(">HH", event.width, event.height) + _rle_box(event.width, event.height)
    ods = struct.pack(">HBB", 0, 0, 0xC0) + len(data).to_bytes(3, "big") + data
    return b"".join([
        _segment(_PCS, pts, pcs), _segment(_WDS, pts, wds), _segment(_PDS, pts, pds),
        _segment(_ODS, pts, ods), _segment(_END, pts, b""),
    ])  # fmt: skip


def write_sup(path: Path, events: Sequence[BoxEvent], size: tuple[int, int]) -> Path:
    """``events`` (in time order) as a PGS file for pictures of ``size``."""
    out = bytearray(_clear(0, 0, size))
    for number, event in enumerate(events):
        out += _show(event, round(event.start_s * 90000), 2 * number + 1, size)
        out += _clear(round(event.end_s * 90000), 2 * number + 2, size)
    path.write_bytes(bytes(out))
    return path
