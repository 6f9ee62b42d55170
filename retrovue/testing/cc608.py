"""A minimal pop-on CEA-608 receiver (CC1): what a stream of byte pairs puts on screen; and
the captions FFmpeg's own decoder reads from a recording.

For property tests of the 608 encoder; the recordings themselves are checked with FFmpeg's
decoder. Handles what the encoder sends: RCL, ENM, EDM, EOC, PACs, basic, special and extended
characters (an extended one backs over the character before it), a control pair repeated in
the next slot executed once; parity is checked.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pysubs2

from retrovue.runtime.captions.cea608 import BASIC, EXTENDED, SPECIAL, Char, Pair

_BASIC = {code: char for char, code in BASIC.items()}
_SPECIAL = {code: char for char, code in SPECIAL.items()}
_EXTENDED = {pair: char for char, pair in EXTENDED.items()}
_PAC_ROWS = {(0x11, 0): 1, (0x11, 1): 2, (0x12, 0): 3, (0x12, 1): 4, (0x15, 0): 5, (0x15, 1): 6,
             (0x16, 0): 7, (0x16, 1): 8, (0x17, 0): 9, (0x17, 1): 10, (0x10, 0): 11,
             (0x13, 0): 12, (0x13, 1): 13, (0x14, 0): 14, (0x14, 1): 15}  # fmt: skip


def char_text(char: Char) -> str:
    """The character a receiver shows for one mapped character."""
    if char.code is None:
        assert char.basic is not None
        return _BASIC[char.basic]
    return _SPECIAL[char.code[1]] if char.code[0] == 0x11 else _EXTENDED[char.code]


class ParityError(ValueError):
    pass


def _strip(byte: int) -> int:
    if bin(byte).count("1") % 2 != 1:
        raise ParityError(f"byte {byte:#04x} has even parity")
    return byte & 0x7F


class Receiver:
    def __init__(self) -> None:
        self.shown: dict[int, list[str]] = {}
        self._hidden: dict[int, list[str]] = {}
        self._row = 15
        self._last_control: Pair | None = None

    def screen(self) -> str:
        """The displayed rows, top to bottom, stripped, joined by newlines."""
        rows = ["".join(self.shown[r]).strip() for r in sorted(self.shown)]
        return "\n".join(r for r in rows if r)

    def feed(self, pair: Pair | None) -> None:
        if pair is None:
            self._last_control = None
            return
        first, second = _strip(pair[0]), _strip(pair[1])
        if 0x10 <= first <= 0x1F:
            if pair == self._last_control:
                self._last_control = None  # the repeat of a control pair
                return
            self._last_control = pair
            self._control(first, second)
            return
        self._last_control = None
        for byte in (first, second):
            if byte >= 0x20:
                self._hidden.setdefault(self._row, []).append(_BASIC[byte])

    def _control(self, first: int, second: int) -> None:
        if first == 0x14 and second in (0x20, 0x2C, 0x2E, 0x2F):
            if second == 0x2C:
                self.shown = {}
            elif second == 0x2E:
                self._hidden = {}
            elif second == 0x2F:
                self.shown, self._hidden = self._hidden, self.shown
            return
        if first == 0x11 and 0x30 <= second <= 0x3F:
            self._hidden.setdefault(self._row, []).append(_SPECIAL[second])
            return
        if first in (0x12, 0x13) and 0x20 <= second <= 0x3F:
            row = self._hidden.setdefault(self._row, [])
            if row:
                row.pop()
            row.append(_EXTENDED[(first, second)])
            return
        if second >= 0x40:
            self._row = _PAC_ROWS[(first, 1 if second & 0x20 else 0)]
            indent = (second & 0x0E) * 2 if second & 0x10 else 0
            self._hidden[self._row] = [" "] * indent
            return
        raise ValueError(f"unexpected control pair {first:#04x} {second:#04x}")


def screens(pairs: Mapping[int, Pair], slots: int) -> list[str]:
    """What is on screen after each slot ``0 .. slots-1``."""
    receiver = Receiver()
    shown = []
    for slot in range(slots):
        receiver.feed(pairs.get(slot))
        shown.append(receiver.screen())
    return shown


def ffmpeg_captions(recording: Path) -> list[tuple[float, float, str]]:
    """The captions FFmpeg's decoder reads from a recording's pictures (``subcc``), as
    ``(start_s, end_s, text)`` with the styling it adds removed."""
    srt = recording.with_suffix(".captions.srt")
    source = f"movie={_lavfi_path(recording)}[out0+subcc]"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-map", "0:1", str(srt)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    if not srt.read_text(encoding="utf-8").strip():
        return []  # no caption data at all
    subs = pysubs2.load(str(srt), encoding="utf-8", format_="srt")
    return [(e.start / 1000, e.end / 1000, _plain_text(e.text)) for e in subs.events]


def _lavfi_path(path: Path) -> str:
    """A path as a filter-graph argument (its special characters escaped)."""
    return re.sub(r"([\\:',;\[\]=])", r"\\\\\1", str(path))


def _plain_text(text: str) -> str:
    text = re.sub(r"\{[^}]*\}", "", text.replace("\\N", "\n"))
    return "\n".join(line.strip() for line in re.sub(r"<[^>]+>", "", text).splitlines())
