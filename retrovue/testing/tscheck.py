"""An MPEG-TS structure checker of our own, parsed from bytes in pure Python.

``ffmpeg -v error -i out.ts -f null -`` misses the silent corruptions that matter for a channel
stream (timestamps that jump at a programme boundary, a second PMT version, a missing IDR), so the
tests check the structure itself:

- every packet starts with the sync byte 0x47 and no transport error is flagged;
- continuity counters per PID advance by one on each packet with payload (no discontinuity flags);
- PCR values are strictly increasing and never further apart than ``max_pcr_gap_ms``;
- one PAT and one PMT version for the whole stream;
- video PES: DTS (PTS without DTS) strictly increasing by exactly one frame, the sorted PTS are
  exactly one frame apart; the first picture is an IDR and IDRs are exactly ``gop_s`` apart;
- audio PES (AAC in ADTS): each PTS equals the previous PTS plus the previous PES's frames.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

PACKET = 188
SYNC = 0x47
CLOCK_HZ = 90000
NULL_PID = 0x1FFF
VIDEO_TYPES = {0x1B: "h264", 0x24: "hevc", 0x02: "mpeg2"}
AUDIO_TYPES = {0x0F: "aac", 0x03: "mp2", 0x04: "mp2", 0x81: "ac3"}
MAX_ERRORS = 200
MAX_PER_KIND = 5


@dataclass
class _Pes:
    pts: int | None
    dts: int | None
    payload: bytearray


@dataclass
class TsReport:
    packets: int = 0
    errors: list[str] = field(default_factory=list)
    pmt_pid: int | None = None
    pcr_pid: int | None = None
    video_pid: int | None = None
    audio_pids: list[int] = field(default_factory=list)
    pmt_versions: set[int] = field(default_factory=set)
    pat_versions: set[int] = field(default_factory=set)
    pcr_count: int = 0
    max_pcr_gap_ms: float = 0.0
    video_pts: list[int] = field(default_factory=list)
    video_dts: list[int] = field(default_factory=list)
    idr_pts: list[int] = field(default_factory=list)
    audio_pts: dict[int, list[int]] = field(default_factory=dict)
    audio_frames: dict[int, int] = field(default_factory=dict)
    first_idr_byte: int | None = None  # offset of the packet that starts the first IDR's PES
    _kinds: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def video_frames(self) -> int:
        return len(self.video_pts)

    def error(self, message: str) -> None:
        """Record ``message``; at most ``MAX_PER_KIND`` of one kind (its first three words)."""
        kind = " ".join(message.split()[:3]) if not message.startswith("byte") else message[:0]
        kind = kind or " ".join(message.split()[2:4])
        seen = self._kinds.get(kind, 0)
        self._kinds[kind] = seen + 1
        if seen < MAX_PER_KIND and len(self.errors) < MAX_ERRORS:
            self.errors.append(message)


def _pts(data: bytes, at: int) -> int:
    return (
        ((data[at] >> 1) & 0x07) << 30
        | data[at + 1] << 22
        | (data[at + 2] >> 1) << 15
        | data[at + 3] << 7
        | data[at + 4] >> 1
    )


def _parse_pes_header(payload: bytes) -> tuple[int | None, int | None, int] | None:
    """(pts, dts, header length) of a PES start, or None when it is not a PES."""
    if len(payload) < 9 or payload[0:3] != b"\x00\x00\x01":
        return None
    flags = payload[7] >> 6
    header_len = 9 + payload[8]
    pts = _pts(payload, 9) if flags & 0b10 else None
    dts = _pts(payload, 14) if flags == 0b11 else pts
    return pts, dts, header_len


def nal_types(data: bytes) -> set[int]:
    """H.264 NAL unit types present in an Annex B buffer."""
    types: set[int] = set()
    at = data.find(b"\x00\x00\x01")
    while at >= 0 and at + 3 < len(data):
        types.add(data[at + 3] & 0x1F)
        at = data.find(b"\x00\x00\x01", at + 3)
    return types


def adts_frames(data: bytes) -> int | None:
    """How many ADTS frames fill ``data`` exactly (None when it is not a clean ADTS run)."""
    count, at = 0, 0
    while at < len(data):
        if at + 7 > len(data) or data[at] != 0xFF or data[at + 1] & 0xF6 != 0xF0:
            return None
        length = ((data[at + 3] & 0x03) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5)
        if length < 7:
            return None
        at += length
        count += 1
    return count if at == len(data) else None


def _adts_rate(data: bytes) -> int | None:
    rates = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)
    if len(data) < 3:
        return None
    index = (data[2] >> 2) & 0x0F
    return rates[index] if index < len(rates) else None


class _Checker:
    def __init__(self, report: TsReport, fps: int | None, gop_s: float | None, max_gap_ms: float):
        self.r = report
        self.fps = fps
        self.gop_s = gop_s
        self.max_gap_ms = max_gap_ms
        self.cc: dict[int, int] = {}
        self.last_pcr: int | None = None
        self.pes: dict[int, _Pes] = {}
        self.pes_start: dict[int, int] = {}

    def packet(self, pkt: bytes, offset: int) -> None:
        r = self.r
        if pkt[0] != SYNC:
            r.error(f"byte {offset}: sync byte 0x{pkt[0]:02x}")
            return
        if pkt[1] & 0x80:
            r.error(f"byte {offset}: transport error indicator")
        pid = ((pkt[1] & 0x1F) << 8) | pkt[2]
        if pid == NULL_PID:
            return
        start = bool(pkt[1] & 0x40)
        control = (pkt[3] >> 4) & 0x03
        counter = pkt[3] & 0x0F
        at = 4
        if control & 0x2:
            length = pkt[4]
            if length and pkt[5] & 0x80:
                r.error(f"byte {offset}: discontinuity indicator on PID {pid}")
            if length and pkt[5] & 0x10:
                self.pcr(pid, pkt, offset)
            at = 5 + length
        self.continuity(pid, counter, bool(control & 0x1), offset)
        if not control & 0x1 or at >= PACKET:
            return
        payload = pkt[at:]
        if pid == 0:
            self.pat(payload, start)
        elif pid == r.pmt_pid:
            self.pmt(payload, start)
        elif pid == r.video_pid or pid in r.audio_pids:
            self.pes_data(pid, payload, start, offset)

    def continuity(self, pid: int, counter: int, has_payload: bool, offset: int) -> None:
        last = self.cc.get(pid)
        self.cc[pid] = counter
        if last is None:
            return
        expected = (last + 1) % 16 if has_payload else last
        if counter != expected:
            self.r.error(f"byte {offset}: PID {pid} continuity {last} -> {counter}")

    def pcr(self, pid: int, pkt: bytes, offset: int) -> None:
        r = self.r
        if r.pcr_pid is not None and pid != r.pcr_pid:
            return
        base = (pkt[6] << 25) | (pkt[7] << 17) | (pkt[8] << 9) | (pkt[9] << 1) | (pkt[10] >> 7)
        value = base * 300 + (((pkt[10] & 0x01) << 8) | pkt[11])
        r.pcr_count += 1
        if self.last_pcr is not None:
            gap_ms = (value - self.last_pcr) / 27000
            if value <= self.last_pcr:
                r.error(f"byte {offset}: PCR went back by {-gap_ms:.3f} ms")
            r.max_pcr_gap_ms = max(r.max_pcr_gap_ms, gap_ms)
            if gap_ms > self.max_gap_ms:
                r.error(f"byte {offset}: PCR gap {gap_ms:.1f} ms")
        self.last_pcr = value

    def _section(self, payload: bytes) -> bytes | None:
        pointer = payload[0]
        section = payload[1 + pointer :]
        if len(section) < 8:
            return None
        length = ((section[1] & 0x0F) << 8) | section[2]
        return section[: 3 + length]

    def pat(self, payload: bytes, start: bool) -> None:
        section = self._section(payload) if start else None
        if section is None or section[0] != 0x00:
            return
        self.r.pat_versions.add((section[5] >> 1) & 0x1F)
        for at in range(8, len(section) - 4, 4):
            program = (section[at] << 8) | section[at + 1]
            pid = ((section[at + 2] & 0x1F) << 8) | section[at + 3]
            if program != 0:
                if self.r.pmt_pid not in (None, pid):
                    self.r.error(f"PMT PID changed {self.r.pmt_pid} -> {pid}")
                self.r.pmt_pid = pid

    def pmt(self, payload: bytes, start: bool) -> None:
        r = self.r
        section = self._section(payload) if start else None
        if section is None or section[0] != 0x02:
            return
        r.pmt_versions.add((section[5] >> 1) & 0x1F)
        r.pcr_pid = ((section[8] & 0x1F) << 8) | section[9]
        info_len = ((section[10] & 0x0F) << 8) | section[11]
        at = 12 + info_len
        while at + 5 <= len(section) - 4:
            stream_type = section[at]
            pid = ((section[at + 1] & 0x1F) << 8) | section[at + 2]
            es_len = ((section[at + 3] & 0x0F) << 8) | section[at + 4]
            if stream_type in VIDEO_TYPES and r.video_pid is None:
                r.video_pid = pid
            elif stream_type in AUDIO_TYPES and pid not in r.audio_pids:
                r.audio_pids.append(pid)
            at += 5 + es_len

    def pes_data(self, pid: int, payload: bytes, start: bool, offset: int) -> None:
        if start:
            self.finish(pid)
            header = _parse_pes_header(payload)
            if header is None:
                self.r.error(f"byte {offset}: PID {pid} payload start is not a PES")
                return
            pts, dts, header_len = header
            self.pes[pid] = _Pes(pts, dts, bytearray(payload[header_len:]))
            self.pes_start[pid] = offset
        elif pid in self.pes:
            self.pes[pid].payload += payload

    def finish(self, pid: int) -> None:
        pes = self.pes.pop(pid, None)
        if pes is None:
            return
        if pid == self.r.video_pid:
            self.video(pes, self.pes_start[pid])
        else:
            self.audio(pid, pes)

    def video(self, pes: _Pes, offset: int) -> None:
        r = self.r
        if pes.pts is None:
            r.error("video PES without PTS")
            return
        step = CLOCK_HZ // self.fps if self.fps else None
        dts = pes.dts if pes.dts is not None else pes.pts
        if r.video_dts:
            delta = dts - r.video_dts[-1]
            if delta <= 0 or (step and delta != step):
                r.error(f"video DTS step {delta} at frame {len(r.video_dts)} (want {step})")
        r.video_dts.append(dts)
        r.video_pts.append(pes.pts)
        if 5 in nal_types(bytes(pes.payload)):
            if not r.idr_pts and len(r.video_pts) > 1:
                r.error(f"the first picture is not an IDR (first IDR at frame {len(r.video_pts)})")
            if r.first_idr_byte is None:
                r.first_idr_byte = offset
            r.idr_pts.append(pes.pts)
        elif len(r.video_pts) == 1:
            r.error("the first picture is not an IDR")

    def audio(self, pid: int, pes: _Pes) -> None:
        r = self.r
        if pes.pts is None:
            r.error(f"audio PID {pid}: PES without PTS")
            return
        frames = adts_frames(bytes(pes.payload))
        rate = _adts_rate(bytes(pes.payload))
        series = r.audio_pts.setdefault(pid, [])
        if frames is None or rate is None:
            r.error(f"audio PID {pid}: PES payload is not whole ADTS frames")
            return
        if series and (expected := self._expected_audio(pid)) is not None and pes.pts != expected:
            r.error(f"audio PID {pid}: PTS {pes.pts} where {expected} continues the audio")
        series.append(pes.pts)
        r.audio_frames[pid] = r.audio_frames.get(pid, 0) + frames
        self._audio_next = getattr(self, "_audio_next", {})
        self._audio_next[pid] = pes.pts + frames * 1024 * CLOCK_HZ // rate

    def _expected_audio(self, pid: int) -> int | None:
        return getattr(self, "_audio_next", {}).get(pid)

    def end(self) -> None:
        for pid in list(self.pes):
            self.finish(pid)
        r = self.r
        if len(r.pmt_versions) > 1:
            r.error(f"PMT versions {sorted(r.pmt_versions)} (want one)")
        if len(r.pat_versions) > 1:
            r.error(f"PAT versions {sorted(r.pat_versions)} (want one)")
        if r.video_pid is not None and self.fps:
            self.check_pts_grid()
            self.check_idr_spacing()

    def check_pts_grid(self) -> None:
        step = CLOCK_HZ // self.fps if self.fps else 0
        ordered = sorted(self.r.video_pts)
        for before, after in itertools.pairwise(ordered):
            if after - before != step:
                self.r.error(f"video PTS {before} -> {after}: step {after - before}, want {step}")
                break

    def check_idr_spacing(self) -> None:
        if not self.gop_s:
            return
        want = round(self.gop_s * CLOCK_HZ)
        idrs = sorted(self.r.idr_pts)
        for before, after in itertools.pairwise(idrs):
            if after - before != want:
                self.r.error(f"IDR spacing {(after - before) / CLOCK_HZ:.3f} s, want {self.gop_s}")
                break


def check_ts(
    data: bytes,
    *,
    fps: int | None = None,
    gop_s: float | None = None,
    max_pcr_gap_ms: float = 100.0,
) -> TsReport:
    """Check ``data`` (whole 188-byte packets from the start of the stream)."""
    report = TsReport()
    checker = _Checker(report, fps, gop_s, max_pcr_gap_ms)
    usable = len(data) - len(data) % PACKET
    if usable != len(data):
        report.error(f"{len(data) - usable} trailing bytes are not a whole packet")
    for offset in range(0, usable, PACKET):
        report.packets += 1
        checker.packet(data[offset : offset + PACKET], offset)
    checker.end()
    if report.pmt_pid is None:
        report.error("no PAT with a program")
    if not report.pmt_versions:
        report.error("no PMT")
    return report
