"""The browser stream's timeline: starts at zero on a keyframe, bridges restarts and leaps."""

from __future__ import annotations

from fractions import Fraction

from retrovue.web.retime import Retimer

FRAME = Fraction(1, 25)


def _out(timer: Retimer, kind: str, dts_s: Fraction, key: bool = False) -> Fraction | None:
    shift = timer.place(kind, dts_s, key)
    return None if shift is None else dts_s - shift


def test_starts_at_zero_on_the_first_keyframe() -> None:
    timer = Retimer()
    assert _out(timer, "audio", Fraction(10)) is None  # nothing before the first keyframe
    assert _out(timer, "video", Fraction(10)) is None  # not a keyframe
    assert _out(timer, "video", Fraction(11), key=True) == 0
    assert _out(timer, "audio", Fraction(10)) is None  # before the start
    assert _out(timer, "audio", Fraction(11) + FRAME) == FRAME
    assert _out(timer, "video", Fraction(11) + FRAME) == FRAME


def test_a_restart_continues_one_frame_after_the_last() -> None:
    timer = Retimer()
    for n in range(50):
        _out(timer, "video", Fraction(100) + n * FRAME, key=n == 0)
        _out(timer, "audio", Fraction(100) + n * FRAME)
    last = 49 * FRAME
    assert _out(timer, "audio", Fraction(1)) is None  # the new worker's audio, before its IDR
    assert _out(timer, "video", Fraction(1) + FRAME) is None  # not a keyframe: wait
    assert _out(timer, "video", Fraction(2), key=True) == last + FRAME
    assert _out(timer, "audio", Fraction(2)) == last + FRAME
    assert _out(timer, "video", Fraction(2) + FRAME) == last + 2 * FRAME
    assert timer.rebases == 1


def test_a_leap_forward_is_bridged_too() -> None:
    timer = Retimer()
    _out(timer, "video", Fraction(0), key=True)
    _out(timer, "video", FRAME)
    assert _out(timer, "audio", Fraction(3600)) is None  # far ahead of the picture
    assert _out(timer, "video", Fraction(3600), key=True) == 2 * FRAME
    assert timer.rebases == 1
