"""Cues to CEA-608 pairs, one pair per slot (an output frame, or two at 50/60 fps). Pure.

A caption is laid out on the bottom rows (words wrapped at 32 columns, at most four rows,
centred to a multiple of four columns), loaded into the hidden memory ahead of its start and
shown by EOC at the slot of its start; EDM clears it at its end unless the next caption replaces
it within two slots; slot 0 clears whatever the item or slate before left on screen. Loading a
caption starts only after the one before it is shown (it loads into the memory that one left
hidden), as late as it can while still ending before its start; when the slots before a start
do not suffice (dense captions), EOC comes later than the cue's start, and a caption that
cannot be shown before its own end is dropped, never half shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrovue.runtime.captions.cea608 import (
    COLUMNS,
    EDM,
    ENM,
    EOC,
    MAX_ROWS,
    RCL,
    Char,
    Pair,
    Unit,
    map_text,
    pac,
    row_units,
)

BOTTOM_ROW = 14  # rows 11..14 at most: a row of margin below, as broadcasters leave


@dataclass(frozen=True)
class Cue:
    """A subtitle: shown from ``start_ms`` to ``end_ms`` of its file, ``text`` with line breaks."""

    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class SlotCue:
    """A caption placed on the slot grid: shown from slot ``start`` to slot ``end``."""

    start: int
    end: int
    units: tuple[Unit, ...]  # what loads it (RCL, ENM, PACs, characters); EOC not included


def wrap(text: str, columns: int = COLUMNS) -> list[list[Char]]:
    """The mapped characters of ``text`` in rows of at most ``columns``: its own line breaks
    kept, long lines wrapped between words (a longer word is cut), empty rows dropped."""
    rows: list[list[Char]] = []
    for line in text.splitlines():
        row: list[Char] = []
        for word in line.split():
            chars = map_text(word)
            if not chars:
                continue
            if row and len(row) + 1 + len(chars) > columns:
                rows.append(row)
                row = []
            if row:
                row.extend(map_text(" "))
            while len(chars) > columns:
                rows.append(chars[:columns])
                chars = chars[columns:]
            row.extend(chars)
        if row:
            rows.append(row)
    return rows


def caption_units(text: str) -> tuple[Unit, ...]:
    """The units that load ``text`` as a pop-on caption (empty when nothing is left to show).
    A text of more than four rows keeps its last four (the end of a subtitle is its newest)."""
    rows = wrap(text)[-MAX_ROWS:]
    if not rows:
        return ()
    units: list[Unit] = [RCL, ENM]
    first_row = BOTTOM_ROW - len(rows) + 1
    for number, chars in enumerate(rows, start=first_row):
        indent = (COLUMNS - len(chars)) // 2 // 4 * 4
        units.append(pac(number, indent))
        units.extend(row_units(chars))
    return tuple(units)


def slot_cues(cues: Sequence[Cue], origin_ms: float, slots_per_s: float) -> list[SlotCue]:
    """``cues`` on the slot grid whose slot 0 is file position ``origin_ms``: cues that end
    before it are left out, one under way starts at slot 0; empty texts are left out."""
    placed = []
    for cue in sorted(cues, key=lambda c: (c.start_ms, c.end_ms)):
        start = max(0, round((cue.start_ms - origin_ms) * slots_per_s / 1000))
        end = round((cue.end_ms - origin_ms) * slots_per_s / 1000)
        units = caption_units(cue.text) if end > start else ()
        if units:
            placed.append(SlotCue(start, end, units))
    return placed


class _Slots:
    """The slots taken so far."""

    def __init__(self) -> None:
        self.pairs: dict[int, Pair] = {}

    def free(self, start: int, count: int) -> bool:
        return all(slot not in self.pairs for slot in range(start, start + count))

    def put(self, start: int, unit: Unit) -> None:
        for offset, pair in enumerate(unit):
            self.pairs[start + offset] = pair

    def first_free(self, start: int, count: int) -> int:
        while not self.free(start, count):
            start += 1
        return start

    def fit_before(self, units: Sequence[Unit], low: int, high: int) -> list[int] | None:
        """Starts for ``units`` in free slots of ``[low, high)``, as late as possible, in
        order; None when they do not fit."""
        starts: list[int] = []
        end = high
        for unit in reversed(units):
            start = end - len(unit)
            while start >= low and not self.free(start, len(unit)):
                start -= 1
            if start < low:
                return None
            starts.append(start)
            end = start
        return starts[::-1]


def schedule(cues: Sequence[SlotCue]) -> dict[int, Pair]:
    """The pair to send in each slot; slots not in the answer carry null pairs. Slot 0 clears
    the screen (EDM), so whatever an item or slate before left shown goes at once."""
    slots = _Slots()
    slots.put(0, EDM)
    cursor = len(EDM)  # loading may start here (the previous caption is on screen by then)
    clear_at: int | None = None  # where the caption on screen ends
    for cue in cues:
        if clear_at is not None and cue.start > clear_at + len(EDM):  # a pause: clear it
            slots.put(slots.first_free(clear_at, len(EDM)), EDM)
            clear_at = None
        shown = _place(slots, cue, cursor)
        if shown is None:
            continue  # dropped: what is shown is still cleared at its end
        if clear_at is not None and shown > clear_at:  # late: clear the last one in time
            edm = slots.first_free(clear_at, len(EDM))
            if edm + len(EDM) <= shown:
                slots.put(edm, EDM)
        cursor = shown + len(EOC)
        clear_at = cue.end
    if clear_at is not None:
        slots.put(slots.first_free(clear_at, len(EDM)), EDM)
    return slots.pairs


def _place(slots: _Slots, cue: SlotCue, cursor: int) -> int | None:
    """Load ``cue`` after ``cursor`` and show it as near its start as the free slots allow;
    the slot of its EOC, or None when it cannot be shown before its end."""
    need = sum(len(unit) for unit in cue.units)
    shown = max(cue.start, cursor + need)
    while shown + len(EOC) <= cue.end:
        if slots.free(shown, len(EOC)):
            starts = slots.fit_before(cue.units, cursor, shown)
            if starts is not None:
                for start, unit in zip(starts, cue.units, strict=True):
                    slots.put(start, unit)
                slots.put(shown, EOC)
                return shown
        shown += 1
    return None
