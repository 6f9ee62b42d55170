"""The pure CEA-608 encoder: characters, parity, layout, and the pop-on schedule as a receiver
sees it (``retrovue.testing.cc608``)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.runtime.captions.cea608 import (
    BASIC,
    EDM,
    ENM,
    EOC,
    EXTENDED,
    RCL,
    SPECIAL,
    map_char,
    map_text,
    odd_parity,
    pac,
)
from retrovue.runtime.captions.schedule import (
    Cue,
    SlotCue,
    caption_units,
    schedule,
    slot_cues,
    wrap,
)
from retrovue.testing.cc608 import char_text, screens

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,?!'-"
WORDS = st.text(alphabet=LETTERS + "éèàüÜßñçÇ♪¿", min_size=1, max_size=60)


def shown_text(text: str) -> str:
    """What a receiver shows for ``text``: the last four wrapped rows, each stripped."""
    return "\n".join("".join(char_text(c) for c in row).strip() for row in wrap(text)[-4:])


def test_every_byte_has_odd_parity() -> None:
    for value in range(128):
        byte = odd_parity(value)
        assert byte & 0x7F == value
        assert bin(byte).count("1") % 2 == 1


def test_the_basic_set_redefines_nine_ascii_places() -> None:
    assert BASIC["é"] == 0x5C
    assert BASIC["ñ"] == 0x7E
    assert BASIC["á"] == 0x2A
    assert "*" not in BASIC
    assert "\\" not in BASIC
    assert "~" not in BASIC
    assert len(SPECIAL) == 15
    assert len(EXTENDED) == 64


@pytest.mark.parametrize(
    ("char", "sent"),
    [
        ("a", [(0x61, None, None)]),
        ("é", [(0x5C, None, None)]),  # basic set
        ("♪", [(None, (0x11, 0x37), None)]),  # special
        ("ü", [(None, (0x12, 0x25), ord("u"))]),  # extended, after its fallback
        ("ß", [(None, (0x13, 0x34), ord("s"))]),
        ("’", [(0x27, None, None)]),  # a typographic quote is sent plain
        ("ł", [(ord("l"), None, None)]),  # no 608 letter: the base letter
        ("€", [(ord("E"), None, None), (ord("U"), None, None), (ord("R"), None, None)]),
        ("中", []),  # nothing near: dropped
        ("\x07", []),
    ],
)
def test_characters_map_predictably(char: str, sent: list[tuple[object, ...]]) -> None:
    assert [(c.basic, c.code, c.fallback) for c in map_char(char)] == sent


@given(st.text(max_size=80))
def test_any_text_maps_to_608_bytes_only(text: str) -> None:
    for char in map_text(text):
        if char.code is None:
            assert char.basic is not None
            assert 0x20 <= char.basic <= 0x7F
        else:
            assert char.code[0] in (0x11, 0x12, 0x13)
            assert 0x20 <= char.code[1] <= 0x3F


def test_a_pac_addresses_row_and_indent() -> None:
    assert pac(15, 0)[0] == (odd_parity(0x14), odd_parity(0x70))
    assert pac(11, 8)[0] == (odd_parity(0x10), odd_parity(0x54))
    with pytest.raises(ValueError, match="no PAC for row 16"):
        pac(16, 0)


@given(WORDS)
def test_captions_wrap_to_four_rows_of_32(text: str) -> None:
    units = caption_units(text)
    rows = wrap(text)
    assert all(len(row) <= 32 for row in rows)
    if not rows:
        assert units == ()
        return
    assert units[:2] == (RCL, ENM)  # pop-on, into an erased hidden memory
    pacs = [
        u for u in units if len(u) == 2 and u[0][0] & 0x7F in (0x10, 0x13, 0x14) and u[0][1] & 0x40
    ]
    assert len(pacs) == min(4, len(rows))
    for unit in units:
        assert len(unit) in (1, 2)
        if len(unit) == 2:
            assert unit[0] == unit[1]  # control codes and two-byte characters go out twice


@st.composite
def cue_lists(draw: st.DrawFn) -> list[Cue]:
    count = draw(st.integers(1, 6))
    cues, at = [], draw(st.integers(0, 3000))
    for _ in range(count):
        at += draw(st.integers(0, 4000))
        length = draw(st.integers(100, 5000))
        cues.append(Cue(at, at + length, draw(WORDS)))
        at += length
    return cues


@settings(max_examples=150, deadline=None)
@given(cue_lists())
def test_a_receiver_shows_each_cue_from_its_start_to_its_end(cues: list[Cue]) -> None:
    placed = slot_cues(cues, 0, 30)
    pairs = schedule(placed)
    last = max(c.end for c in placed) + 4 if placed else 4
    screen = screens(pairs, last)
    assert screen[1] == ""  # slot 0 cleared the screen
    for index, cue in enumerate(placed):
        text = shown_text_of(cues, cue)
        span = [slot for slot in range(cue.start, cue.end) if screen[slot] == text]
        load = sum(len(u) for u in cue.units) + 2
        roomy = (index == 0 and cue.start >= load) or (
            index > 0 and cue.start - placed[index - 1].start >= 3 * load
        )
        if roomy:  # loaded in time: shown exactly at its start, to its end
            assert span == list(range(cue.start, cue.end)), (cue, screen[cue.start])
        if span:
            assert span == list(range(span[0], cue.end))  # once shown, shown to its end
    for slot, text in enumerate(screen):  # nothing shown outside every cue
        if text:
            assert any(c.start <= slot < c.end + 2 for c in placed) or _late(placed, slot)


def _late(placed: list[SlotCue], slot: int) -> bool:
    return any(a.end <= slot < b.end for a, b in itertools.pairwise(placed))


def shown_text_of(cues: list[Cue], placed: SlotCue) -> str:
    for cue in cues:
        if caption_units(cue.text) == placed.units:
            return shown_text(cue.text)
    raise AssertionError("no cue")


def test_back_to_back_captions_replace_each_other_without_a_clear() -> None:
    cues = [Cue(2000, 4000, "One"), Cue(4000, 6000, "Two")]
    pairs = schedule(slot_cues(cues, 0, 30))
    edm = [slot for slot, pair in pairs.items() if pair == EDM[0]]
    assert edm == [0, 1, 180, 181]  # the start, and the end of the last one only
    eoc = [slot for slot, pair in pairs.items() if pair == EOC[0]]
    assert eoc == [60, 61, 120, 121]


def test_a_join_mid_programme_starts_at_the_file_position() -> None:
    cues = [Cue(1000, 2000, "gone"), Cue(9000, 12000, "under way"), Cue(14000, 15000, "next")]
    placed = slot_cues(cues, 10_000, 30)
    assert [(c.start, c.end) for c in placed] == [(0, 60), (120, 150)]
    screen = screens(schedule(placed), 160)
    assert "under way" in screen[30]
    assert screen[119] == ""
    assert screen[120] == "next"


def test_a_caption_that_cannot_load_before_its_end_is_dropped() -> None:
    long = "x" * 120
    placed = [SlotCue(0, 100, caption_units("first")), SlotCue(12, 20, caption_units(long))]
    screen = screens(schedule(placed), 120)
    assert "x" not in "".join(screen)
    assert screen[100] == ""
    assert "first" in screen[50]
