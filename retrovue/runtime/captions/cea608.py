"""CEA-608 for channel CC1 (field 1): parity, control codes and characters. Pure.

A caption is sent pop-on style: resume caption loading (RCL), erase the hidden memory (ENM),
then per row a preamble address code (PAC) and its characters; end of caption (EOC) swaps the
hidden memory onto the screen, erase displayed memory (EDM) clears it. Control codes and the
two-byte special and extended characters are sent twice in a row (a receiver drops the repeat
of a control pair), so such a pair is an atomic :data:`Unit` of two identical pairs.

Characters: 608's basic set is ASCII with nine places redefined (``*`` is ``á``, ``\\`` is
``é``, ...); the special set (``0x11 0x3N``) and the two extended sets (``0x12``/``0x13``) add
more accented letters and signs. :func:`map_text` maps a string onto them: a letter 608 has is
sent as 608 has it; an extended character is preceded by its plain fallback (a receiver without
the extended sets shows that, one with them backs it up and overwrites it); any other character
is reduced to its base letter (``ł`` to ``l``, ``ő`` to ``o``, typographic dashes and quotes to
their plain forms) or, with none, dropped. The mapping is a table lookup, so it is predictable.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

Pair = tuple[int, int]
Unit = tuple[Pair, ...]  # pairs that must go out in consecutive frames

COLUMNS = 32
ROWS = 15
MAX_ROWS = 4  # a caption uses at most the bottom four rows
NULL_PAIR: Pair = (0x80, 0x80)  # two null bytes with their parity bit


def odd_parity(byte: int) -> int:
    """``byte`` (7 bits) with bit 7 set so the byte has an odd number of ones."""
    value = byte & 0x7F
    return value | 0x80 if bin(value).count("1") % 2 == 0 else value


def with_parity(pair: Pair) -> Pair:
    return odd_parity(pair[0]), odd_parity(pair[1])


def control(code: int) -> Unit:
    """A miscellaneous control code of CC1 (``0x14 code``), sent twice."""
    pair = with_parity((0x14, code))
    return (pair, pair)


RCL = control(0x20)  # resume caption loading (pop-on)
EDM = control(0x2C)  # erase displayed memory
ENM = control(0x2E)  # erase non-displayed memory
EOC = control(0x2F)  # end of caption: show what was loaded

# the first byte of the PAC for rows 1..15; odd rows take 0x40 in the second byte, even ones 0x60
_PAC_FIRST = (0x11, 0x11, 0x12, 0x12, 0x15, 0x15, 0x16, 0x16, 0x17, 0x17, 0x10, 0x13, 0x13, 0x14,
              0x14)  # fmt: skip
_PAC_ROW_BIT = (0, 0x20, 0, 0x20, 0, 0x20, 0, 0x20, 0, 0x20, 0, 0, 0x20, 0, 0x20)


def pac(row: int, indent: int) -> Unit:
    """Preamble address code: white text at ``row`` (1..15), ``indent`` columns in (a multiple
    of 4, 0..28), sent twice."""
    if not 1 <= row <= ROWS or indent % 4 or not 0 <= indent <= 28:
        raise ValueError(f"no PAC for row {row} indent {indent}")
    second = 0x40 | _PAC_ROW_BIT[row - 1] | 0x10 | (indent // 4) << 1
    pair = with_parity((_PAC_FIRST[row - 1], second))
    return (pair, pair)


# ASCII places the basic set redefines, and the 608 letters they hold instead
_BASIC_REDEFINED = {0x2A: "á", 0x5C: "é", 0x5E: "í", 0x5F: "ó", 0x60: "ú", 0x7B: "ç", 0x7C: "÷",
                    0x7D: "Ñ", 0x7E: "ñ", 0x7F: "█"}  # fmt: skip
BASIC: dict[str, int] = {chr(c): c for c in range(0x20, 0x80) if c not in _BASIC_REDEFINED}
BASIC.update({char: code for code, char in _BASIC_REDEFINED.items()})
SPECIAL: dict[str, int] = {c: 0x30 + i for i, c in enumerate("®°½¿™¢£♪à_èâêîôû") if c != "_"}
_EXT_12 = "ÁÉÓÚÜü‘¡*’—©℠•“”ÀÂÇÈÊËëÎÏïÔÙùÛ«»"
_EXT_13 = "ÃãÍÌìÒòÕõ{}\\^_|~ÄäÖöß¥¤│ÅåØø┌┐└┘"
EXTENDED: dict[str, Pair] = {
    **{char: (0x12, 0x20 + i) for i, char in enumerate(_EXT_12)},
    **{char: (0x13, 0x20 + i) for i, char in enumerate(_EXT_13)},
}
# characters 608 lacks, shown as the nearest plain text
_PLAIN = {"–": "-", "‐": "-", "‑": "-", "―": "-", "‒": "-", "…": "...", "„": '"', "‚": "'",
          "′": "'", "″": '"', "‘": "'", "’": "'", "“": '"', "”": '"', "\t": " ", "\u00a0": " ",
          "´": "'", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "ł": "l",
          "Ł": "L", "ı": "i", "€": "EUR", "×": "x"}  # fmt: skip


@dataclass(frozen=True)
class Char:
    """One character as sent: a basic byte, or a two-byte code after its basic ``fallback``."""

    basic: int | None = None
    code: Pair | None = None  # special (0x11) or extended (0x12/0x13)
    fallback: int | None = None  # the basic byte an extended character overwrites


def map_char(char: str) -> tuple[Char, ...]:
    """How one character is sent; ``()`` when 608 has nothing for it (dropped)."""
    if char in BASIC:
        return (Char(basic=BASIC[char]),)
    if char in SPECIAL:
        return (Char(code=(0x11, SPECIAL[char])),)
    if char in _PLAIN:  # before the extended set: a plain quote costs a quarter of the bytes
        return tuple(c for plain in _PLAIN[char] for c in map_char(plain))
    if char in EXTENDED:
        return (Char(code=EXTENDED[char], fallback=_fallback(char)),)
    base = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in base if not unicodedata.combining(c))
    if base != char and base:
        return tuple(c for b in base for c in map_char(b))
    return ()


def _fallback(char: str) -> int:
    """The basic byte shown by receivers without the extended sets."""
    plain = unicodedata.normalize("NFKD", char)[:1]
    plain = {"‘": "'", "’": "'", "“": '"', "”": '"', "—": "-", "©": "c", "℠": "s", "•": ".",
             "«": '"', "»": '"', "{": "(", "}": ")", "\\": "/", "^": " ", "_": "-", "|": "!",
             "~": "-", "ß": "s", "¥": "Y", "¤": "o", "│": "!", "Ø": "O", "ø": "o", "┌": "+",
             "┐": "+", "└": "+", "┘": "+", "¡": "!", "*": "."}.get(char, plain)  # fmt: skip
    return BASIC.get(plain, BASIC[" "])


def map_text(text: str) -> list[Char]:
    """Every character of ``text`` as sent (unmapped ones dropped)."""
    return [c for char in text for c in map_char(char)]


def row_units(chars: list[Char]) -> list[Unit]:
    """The characters of one row as units: basic bytes two to a pair (a lone one padded with a
    null), each special or extended code as a doubled pair."""
    units: list[Unit] = []
    pending: list[int] = []

    def flush() -> None:
        while pending:
            first, second = pending[0], pending[1] if len(pending) > 1 else 0
            del pending[:2]
            units.append((with_parity((first, second)),))

    for char in chars:
        if char.code is None:
            assert char.basic is not None
            pending.append(char.basic)
            continue
        if char.fallback is not None:
            pending.append(char.fallback)
        flush()
        pair = with_parity(char.code)
        units.append((pair, pair))
    flush()
    return units
