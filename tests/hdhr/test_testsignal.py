"""The built-in MPEG-TS test signal is structurally valid (what ffprobe and DVRs will parse)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from retrovue.testing.testsignal import (
    PAT_PID,
    PCR_HZ,
    PMT_PID,
    VIDEO_PID,
    TestSignal,
    crc32_mpeg2,
    pat_section,
    pmt_section,
)
from tests.hdhr.fakes import pids, ts_packets


def test_psi_sections_carry_a_valid_mpeg2_crc() -> None:
    for section in (pat_section(), pmt_section()):
        assert crc32_mpeg2(section) == 0  # the CRC over data plus its CRC is zero
    assert crc32_mpeg2(b"123456789") == 0x0376E6E7  # the CRC-32/MPEG-2 check value


def test_continuity_counters_and_pcr_advance() -> None:
    signal = TestSignal(chunk_s=0.1, packets_per_chunk=10)
    packets = ts_packets(b"".join(signal.next_chunk() for _ in range(20)))
    assert len(packets) == 200
    assert pids(packets) == {PAT_PID, PMT_PID, VIDEO_PID, 0x1FFF}
    pat_cc = [p[3] & 0x0F for p in packets if ((p[1] & 0x1F) << 8 | p[2]) == PAT_PID]
    assert pat_cc == [n % 16 for n in range(20)]
    pcrs = []
    for p in packets:
        if ((p[1] & 0x1F) << 8 | p[2]) == VIDEO_PID:
            base = int.from_bytes(p[6:10], "big") << 1 | p[10] >> 7
            pcrs.append(base * 300 + (((p[10] & 1) << 8) | p[11]))
    assert pcrs == [n * PCR_HZ // 10 for n in range(20)]


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe missing")
def test_ffprobe_sees_one_program_with_the_video_pid(tmp_path: Path) -> None:
    signal = TestSignal()
    path = tmp_path / "signal.ts"
    path.write_bytes(b"".join(signal.next_chunk() for _ in range(30)))
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_programs", "-of", "json", str(path)],
        capture_output=True, check=True, timeout=30,
    )  # fmt: skip
    programs = json.loads(out.stdout)["programs"]
    assert len(programs) == 1
    assert programs[0]["program_id"] == 1
    assert programs[0]["pmt_pid"] == PMT_PID
    assert programs[0]["pcr_pid"] == VIDEO_PID
