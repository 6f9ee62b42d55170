"""The playout core with a fake engine: what airs at each frame, as-run, gate, modes, faults."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from retrovue.clock import FakeClock
from retrovue.errors import ScheduleError
from retrovue.runtime.playout.frameclock import FrameClock
from retrovue.runtime.playout.items import PREFETCH_S
from retrovue.runtime.playout.modes import GUIDE, DirectorState
from retrovue.runtime.playout.rules import early_end_fault
from retrovue.runtime.playout.timeline import TimelineItem
from tests.runtime.fake_engine import FPS, FakeEngine, FakeFile, FakeOperation, items, run


def test_items_air_back_to_back_at_their_positions_with_one_row_each() -> None:
    clock = FakeClock()
    plan = items(clock, [("/a.mkv", "A", 1.0, 0.0), ("/b.mkv", "B", 0.5, 10.0)])
    engine = FakeEngine({"/a.mkv": FakeFile(), "/b.mkv": FakeFile()})
    playout, recorded, _ = run(engine, plan, clock, frames=15)
    assert engine.steps[0] == ("file", "A", 0.0)
    assert engine.steps[9] == ("file", "A", 0.9)
    assert engine.steps[10] == ("file", "B", 10.0)  # the asset offset of the second item
    assert engine.steps[14] == ("file", "B", 10.4)
    assert playout.boundaries == 1
    assert playout.faults == 0
    assert recorded.calls == [
        ("start", "A", 0.0, "0", None),
        ("finish", "A", 1.0, "aired", None),
        ("start", "B", 1.0, "10000", None),
        ("finish", "B", 1.4, "cut", None),  # stopped by the frame limit, at B's last frame
    ]
    assert engine.finished is True  # a frame limit is a clean end: drained
    assert engine.released


def test_the_next_file_is_opened_ahead_at_the_position_of_its_first_frame() -> None:
    clock = FakeClock()
    plan = items(clock, [("/a.mkv", "A", 10.0, 0.0), ("/b.mkv", "B", 5.0, 2.0)])
    engine = FakeEngine({"/a.mkv": FakeFile(), "/b.mkv": FakeFile()})
    playout, _, _ = run(engine, plan, clock, frames=int((10 - PREFETCH_S) * FPS) + 1)
    assert engine.opened == [("/a.mkv", 0.0), ("/b.mkv", 2.0)]
    upcoming = playout.next_play
    assert upcoming is not None
    assert upcoming.item.title == "B"
    assert upcoming.source is None or upcoming.source.closed  # closed when the producer ended


def test_gaps_and_slate_events_are_cards_and_a_missing_file_is_a_fault() -> None:
    clock = FakeClock()
    plan = items(
        clock,
        [("/a.mkv", "A", 0.5, 0.0), ("", "gap", 0.5, 0.0), (None, "Station ID", 0.5, 0.0),
         ("/missing.mkv", "Lost", 0.5, 0.0), ("/a.mkv", "A again", 0.5, 0.0)],
    )  # fmt: skip
    engine = FakeEngine({"/a.mkv": FakeFile()})
    playout, recorded, _ = run(engine, plan, clock, frames=25)
    kinds = [(kind, title) for kind, title, _ in engine.steps]
    assert kinds[5:10] == [("card", "Seven / Off air")] * 5
    assert kinds[10:15] == [("card", "Seven / Station ID")] * 5
    assert kinds[15:20] == [("fault", "Seven / Lost")] * 5
    assert kinds[20] == ("file", "A again")  # the next item starts on its frame
    assert playout.faults == 1
    lost = [c for c in recorded.calls if c[1] == "Lost" and c[0] == "finish"]
    assert lost == [("finish", "Lost", 2.0, "failed", "missing")]


def test_the_gate_refuses_at_open_and_again_at_the_boundary() -> None:
    clock = FakeClock()
    plan = items(clock, [("/a.mkv", "A", 6.0, 0.0), ("/b.mkv", "B", 1.0, 0.0)])
    engine = FakeEngine({"/a.mkv": FakeFile(), "/b.mkv": FakeFile()})

    def operation(recorded: object, frames: object) -> FakeOperation:
        gate = FakeOperation(recorded, frames)  # type: ignore[arg-type]
        original = gate.refusal

        def revoke_b_after_it_opened(item: TimelineItem) -> str | None:
            if engine.frames_out > 50:  # B was opened ahead (at 1 s) and let through then
                gate.refused.add("B")
            return original(item)

        gate.refusal = revoke_b_after_it_opened  # type: ignore[method-assign]
        return gate

    playout, recorded, _ = run(engine, plan, clock, frames=65, operation=operation)
    assert ("/b.mkv", 0.0) in engine.opened  # opened ahead of its boundary
    assert [kind for kind, _, _ in engine.steps[60:]] == ["fault"] * 5
    assert playout.faults == 1
    assert ("finish", "B", 6.0, "failed", "withdrawn from the catalog") in recorded.calls
    assert ("start", "Not aired: B", 6.0, "0", None) in recorded.calls


def test_a_file_that_stops_early_is_a_fault_and_one_that_ends_near_its_length_is_not() -> None:
    clock = FakeClock()
    plan = items(
        clock,
        [("/short.mkv", "Short", 1.0, 0.0), ("/cut.mkv", "Truncated", 1.0, 0.0),
         ("/nodur.mkv", "Unknown length", 3.0, 0.0)],
    )  # fmt: skip
    files = {
        "/short.mkv": FakeFile(length_s=0.5, declared_s=1.0),  # within the 1 s tolerance
        "/cut.mkv": FakeFile(length_s=0.3, declared_s=60.0),  # a partial download
        "/nodur.mkv": FakeFile(length_s=0.5, declared_s=None),  # 2.5 s before its slot's end
    }
    playout, recorded, _ = run(FakeEngine(files), plan, clock, frames=50)
    finishes = {c[1]: (c[3], c[4]) for c in recorded.calls if c[0] == "finish"}
    assert finishes["Short"] == ("aired", None)
    assert finishes["Truncated"][0] == "failed"
    assert "stopped at 0.3 s of its declared 60.0 s" in str(finishes["Truncated"][1])
    assert finishes["Unknown length"][0] == "failed"
    assert playout.faults == 2


def test_an_emergency_cuts_the_item_and_it_resumes_at_its_scheduled_offset() -> None:
    clock = FakeClock()
    plan = items(clock, [("/a.mkv", "A", 10.0, 0.0)])
    engine = FakeEngine({"/a.mkv": FakeFile()})
    alert = DirectorState("emergency", "Flood warning", request_id=3)

    def operation(recorded: object, frames: object) -> FakeOperation:
        gate = FakeOperation(recorded, frames)  # type: ignore[arg-type]
        gate.modes = [(10, 20, alert), (30, 35, GUIDE)]
        return gate

    _, recorded, _ = run(engine, plan, clock, frames=40, operation=operation)
    kinds = [kind for kind, _, _ in engine.steps]
    assert kinds[:10] == ["file"] * 10
    assert kinds[10:20] == ["emergency"] * 10
    assert engine.steps[20] == ("file", "A", 2.0)  # the scheduled offset, not where it stopped
    assert kinds[30:35] == ["guide"] * 5
    assert engine.steps[35] == ("file", "A", 3.5)
    assert recorded.calls[:4] == [
        ("start", "A", 0.0, "0", None),
        ("finish", "A", 1.0, "cut", None),
        ("start", "Emergency: Flood warning", 1.0, "0", None),
        ("finish", "Emergency: Flood warning", 2.0, "aired", None),
    ]
    assert ("start", "Channel guide", 3.0, "0", None) in recorded.calls


def test_an_engine_that_ends_its_slot_early_hands_over_to_the_next_item() -> None:
    clock = FakeClock()
    plan = items(clock, [("/a.mkv", "A", 1.0, 0.0), ("/b.mkv", "B", 1.0, 0.0)])
    engine = FakeEngine({"/a.mkv": FakeFile(), "/b.mkv": FakeFile()}, cut_before_end_frames=2)
    playout, recorded, _ = run(engine, plan, clock, frames=12)
    assert [title for _, title, _ in engine.steps[:10]] == ["A"] * 8 + ["B"] * 2
    assert engine.steps[8] == ("file", "B", 0.0)  # B starts at its start, two frames early
    assert playout.boundaries == 1
    assert ("finish", "A", 1.0, "aired", None) in recorded.calls


def test_an_up_next_card_shows_the_next_programme_under_the_channel_name() -> None:
    clock = FakeClock()
    plan = items(clock, [(None, "Up next at 20:30: Cheers: Pilot", 0.3, 0.0)])
    engine = FakeEngine({})
    run(engine, plan, clock, frames=3)
    assert engine.steps[0] == ("card", "Seven / Up next at 20:30 / Cheers: Pilot", 0.0)


def test_a_timeline_that_cannot_be_read_keeps_the_channel_on_air() -> None:
    class Unreadable:
        def items_from(self, at_utc: datetime, count: int) -> list[TimelineItem]:
            raise ScheduleError("channel 7: cannot read the playlog: database is locked")

    clock = FakeClock()
    engine = FakeEngine({})
    playout, recorded, _ = run(engine, Unreadable(), clock, frames=5)
    assert engine.steps == [("card", "Seven / Off air", 0.0)] * 5
    assert recorded.calls[0] == ("start", "Off air", 0.0, "0", None)
    assert playout.faults == 0


def test_a_file_not_ready_in_time_is_covered_by_black_then_the_tuning_slate() -> None:
    clock = FakeClock()
    plan = items(clock, [("/a.mkv", "A", 60.0, 0.0)])
    gate = threading.Event()
    # The file takes a second to open: by then the first frames are due (the clock says so).
    engine = FakeEngine({"/a.mkv": FakeFile()}, open_gate=gate, on_open=lambda: clock.advance(1.0))
    black_frames = FPS // 2  # the first half second of a stream
    try:
        playout, _, _ = run(engine, plan, clock, frames=black_frames + 3, paced=True)
    finally:
        gate.set()
    assert engine.steps[:black_frames] == [("black", "", 0.0)] * black_frames
    assert engine.steps[black_frames:] == [("tuning", "Seven / Tuning", 0.0)] * 3
    assert playout.frames_out == black_frames + 3


def test_the_early_end_rule() -> None:
    assert early_end_fault("/f", 60.0, 59.2, 0.0) is None
    assert early_end_fault("/f", 60.0, 58.9, 0.0) is not None
    assert early_end_fault("/f", None, 10.0, 1.9) is None
    assert "2.1 s before the end of its slot" in str(early_end_fault("/f", None, 10.0, 2.1))


START = datetime(2027, 3, 1, 12, tzinfo=UTC)


RATES = [Fraction(30000, 1001), Fraction(24000, 1001), Fraction(25), Fraction(50)]


@given(
    frame=st.integers(min_value=0, max_value=10_000_000),
    rate=st.sampled_from(RATES),
    micros=st.integers(min_value=0, max_value=10**12),
)
def test_the_frame_clock_finds_the_first_frame_at_or_after_an_instant(
    frame: int, rate: Fraction, micros: int
) -> None:
    clock = FrameClock(START, rate)
    at_utc = START + timedelta(microseconds=micros)
    first = clock.first_frame_at(at_utc)
    assert clock.utc(first) >= at_utc
    assert first == 0 or clock.utc(first - 1) < at_utc
    assert clock.first_frame_at(clock.utc(frame)) == frame
    assert abs(clock.seconds(frame) - frame / float(rate)) < 1e-6
