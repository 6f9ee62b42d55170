"""A programme in parts with breaks between them: every act at its exact frames, the sound
fading out into each break and back in after it, one continuous stream throughout."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from retrovue.clock import FakeClock
from retrovue.runtime.playout.timeline import TimelineItem, back_to_back
from tests.runtime.conftest import Clip
from tests.runtime.helpers import TEST_PROFILE, Aired, rms, run_producer

FPS = TEST_PROFILE.fps
RATE_HZ = 48000
FADE_MS = 500


@pytest.fixture(scope="module")
def aired_with_breaks(clips: dict[str, Clip]) -> tuple[Aired, list[TimelineItem]]:
    clock = FakeClock()
    show, spot = clips["mp4"].path, clips["mkv_bframes"].path
    plan = [
        (show, 1.0, 0.0),
        (spot, 0.6, 0.0),
        (show, 1.0, 1.0),
        (spot, 0.4, 0.5),
        (show, 1.0, 2.0),
    ]
    items = back_to_back(clock.now_utc(), plan)
    fades = [(0, FADE_MS), (0, 0), (FADE_MS, FADE_MS), (0, 0), (FADE_MS, 0)]
    items = [
        replace(item, fade_in_ms=fade_in, fade_out_ms=fade_out)
        for item, (fade_in, fade_out) in zip(items, fades, strict=True)
    ]
    return run_producer(items, clock, frames=4 * FPS), items


def _frames_of(aired: Aired, item: TimelineItem) -> list[tuple[int, int]]:
    return [c for i, c in enumerate(aired.codes) if item.covers(aired.frame_utc(i))]


def test_each_act_airs_whole_at_its_frames_with_the_break_between(
    aired_with_breaks: tuple[Aired, list[TimelineItem]], clips: dict[str, Clip]
) -> None:
    aired, items = aired_with_breaks
    assert aired.report.errors == []  # one continuous stream across every cut
    show, spot = clips["mp4"], clips["mkv_bframes"]
    acts = [_frames_of(aired, items[i]) for i in (0, 2, 4)]
    for act, first_source_frame in zip(acts, (0, 25, 50), strict=True):
        assert {tag for tag, _ in act} == {show.tag}
        assert act[0][1] == first_source_frame  # starts at its exact frame of the file
        assert act[-1][1] == first_source_frame + 24  # and ends at its exact frame
    shown = [frame for act in acts for _, frame in act]
    assert shown == sorted(shown)  # in order: nothing shown twice across a break
    assert set(range(75)) <= set(shown) | {f + 1 for f in shown}  # nor lost (25 -> 30 fps)
    breaks = [_frames_of(aired, items[i]) for i in (1, 3)]
    assert all({tag for tag, _ in b} == {spot.tag} for b in breaks)


def test_the_sound_fades_out_into_each_break_and_back_in(
    aired_with_breaks: tuple[Aired, list[TimelineItem]],
) -> None:
    aired, items = aired_with_breaks
    start = items[0].start_utc

    def window(item: TimelineItem, from_s: float, to_s: float) -> float:
        offset_s = (item.start_utc - start).total_seconds()
        low, high = round((offset_s + from_s) * RATE_HZ), round((offset_s + to_s) * RATE_HZ)
        return rms(aired.audio[low:high])

    first, second, last = items[0], items[2], items[4]
    full = window(first, 0.1, 0.4)
    assert full > 0.05  # the programme's tone at full level
    assert window(first, 0.92, 0.98) < 0.2 * full  # fading out at the cut
    assert window(second, 0.02, 0.08) < 0.2 * full  # and in after the break
    assert 0.35 * full < window(second, 0.2, 0.3) < 0.65 * full  # half way up the ramp
    assert window(second, 0.55, 0.65) > 0.8 * full  # at full level between its fades
    assert window(last, 0.6, 0.9) > 0.8 * full  # no fade where the programme really ends
    assert window(first, 1.0, 1.6) > 0.2 * full  # the break's own sound is not faded


def test_an_item_without_fades_keeps_unity_gain() -> None:
    clock = FakeClock()
    now = clock.now_utc()
    item = TimelineItem(now, now + timedelta(seconds=2), "programme", "x", "/f", fade_in_ms=500)
    assert item.gain(now) == 0.0
    assert item.gain(now + timedelta(milliseconds=250)) == pytest.approx(0.5)
    assert item.gain(now + timedelta(seconds=1)) == 1.0
    assert replace(item, fade_in_ms=0).gain(now) == 1.0
