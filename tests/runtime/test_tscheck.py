"""The TS checker finds the corruptions that matter (it must fail where a stream is broken)."""

from __future__ import annotations

import pytest

from retrovue.clock import FakeClock
from retrovue.runtime.playout.timeline import back_to_back
from retrovue.testing.tscheck import PACKET, adts_frames, check_ts, nal_types
from tests.runtime.conftest import Clip
from tests.runtime.helpers import TEST_PROFILE, run_producer


@pytest.fixture(scope="module")
def stream(clips: dict[str, Clip]) -> bytes:
    clock = FakeClock()
    items = back_to_back(clock.now_utc(), [(clips["mp4"].path, 2.5, 0.0)])
    return run_producer(items, clock, frames=75).ts


def _packets(data: bytes) -> list[bytes]:
    return [data[i : i + PACKET] for i in range(0, len(data), PACKET)]


def _pid(packet: bytes) -> int:
    return ((packet[1] & 0x1F) << 8) | packet[2]


def test_a_good_stream_passes(stream: bytes) -> None:
    report = check_ts(stream, fps=TEST_PROFILE.fps, gop_s=2)
    assert report.errors == []
    assert report.video_frames == 75
    assert len(report.idr_pts) == 2
    assert report.pcr_count > 30


def test_a_broken_sync_byte_is_found(stream: bytes) -> None:
    broken = bytearray(stream)
    broken[PACKET * 40] = 0x48
    assert any("sync byte" in e for e in check_ts(bytes(broken), fps=30, gop_s=2).errors)


def test_a_lost_packet_breaks_continuity(stream: bytes) -> None:
    packets = _packets(stream)
    video = [i for i, p in enumerate(packets) if _pid(p) == 0x100]
    del packets[video[len(video) // 2]]
    errors = check_ts(b"".join(packets), fps=30, gop_s=2).errors
    assert any("continuity" in e for e in errors)


def test_two_sessions_spliced_together_are_caught(stream: bytes) -> None:
    errors = check_ts(stream + stream, fps=30, gop_s=2).errors
    assert any("DTS step" in e or "PTS" in e for e in errors)
    assert any("continuity" in e for e in errors)


def test_a_second_pmt_version_is_caught(stream: bytes) -> None:
    packets = [bytearray(p) for p in _packets(stream)]
    pmts = [p for p in packets if _pid(p) == 0x1000]
    assert len(pmts) > 2
    last = pmts[-1]
    section = 5 + last[4]  # after the pointer field
    last[section + 5] = (last[section + 5] & 0xC1) | (3 << 1)
    errors = check_ts(b"".join(bytes(p) for p in packets), fps=30, gop_s=2).errors
    assert any("PMT versions" in e for e in errors)


def test_wrong_frame_rate_and_gop_are_reported(stream: bytes) -> None:
    errors = check_ts(stream, fps=25, gop_s=1).errors
    assert any("DTS step" in e for e in errors)
    assert any("IDR spacing" in e for e in errors)


def test_payload_parsers() -> None:
    assert nal_types(b"\x00\x00\x00\x01\x09\xf0\x00\x00\x01\x65\x88") == {9, 5}
    frame = bytes([0xFF, 0xF1, 0x4C, 0x80, 0x01, 0x3F, 0xFC]) + bytes(2)
    assert adts_frames(frame) == 1
    assert adts_frames(frame[:-1]) is None
