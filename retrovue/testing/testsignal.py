"""A valid MPEG-TS test signal built in code (pure): PAT, PMT, PCR-only packets and padding.

Served when no streaming runtime is wired in, and used by tests as a known byte source.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

PACKET_BYTES = 188
SYNC = 0x47
PAT_PID = 0x0000
PMT_PID = 0x1000
VIDEO_PID = 0x0100
NULL_PID = 0x1FFF
PROGRAM_NUMBER = 1
STREAM_TYPE_H264 = 0x1B
PCR_HZ = 27_000_000


def crc32_mpeg2(data: bytes) -> int:
    """CRC-32/MPEG-2: polynomial 0x04C11DB7, not reflected, init 0xFFFFFFFF, no final xor."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else (crc << 1)
            crc &= 0xFFFFFFFF
    return crc


def _section(table_id: int, id_ext: int, body: bytes) -> bytes:
    length = 5 + len(body) + 4
    head = struct.pack(">BHHBBB", table_id, 0xB000 | length, id_ext, 0xC1, 0, 0)
    section = head + body
    return section + struct.pack(">I", crc32_mpeg2(section))


def pat_section() -> bytes:
    return _section(0x00, 1, struct.pack(">HH", PROGRAM_NUMBER, 0xE000 | PMT_PID))


def pmt_section() -> bytes:
    body = struct.pack(">HH", 0xE000 | VIDEO_PID, 0xF000)
    body += struct.pack(">BHH", STREAM_TYPE_H264, 0xE000 | VIDEO_PID, 0xF000)
    return _section(0x02, PROGRAM_NUMBER, body)


def _header(pid: int, cc: int, *, start: bool, adaptation: int) -> bytes:
    return struct.pack(">BHB", SYNC, (0x4000 if start else 0) | pid, (adaptation << 4) | cc)


def psi_packet(pid: int, cc: int, section: bytes) -> bytes:
    payload = b"\x00" + section  # pointer field
    packet = _header(pid, cc, start=True, adaptation=0b01) + payload
    return packet + b"\xff" * (PACKET_BYTES - len(packet))


def pcr_packet(pid: int, cc: int, pcr_27mhz: int) -> bytes:
    base, ext = divmod(pcr_27mhz, 300)
    pcr = struct.pack(">IH", (base >> 1) & 0xFFFFFFFF, ((base & 1) << 15) | 0x7E00 | ext)
    adaptation = bytes([183, 0x10]) + pcr
    packet = _header(pid, cc, start=False, adaptation=0b10) + adaptation
    return packet + b"\xff" * (PACKET_BYTES - len(packet))


def null_packet() -> bytes:
    return _header(NULL_PID, 0, start=False, adaptation=0b01) + b"\xff" * (PACKET_BYTES - 4)


@dataclass
class TestSignal:
    """Emits chunks of whole packets; each chunk covers ``chunk_s`` of PCR time."""

    __test__ = False  # not a pytest class

    chunk_s: float = 0.1
    packets_per_chunk: int = 40
    _pcr_27mhz: int = 0
    _cc: dict[int, int] = field(default_factory=dict)

    def _next_cc(self, pid: int) -> int:
        cc = self._cc.get(pid, 0)
        self._cc[pid] = (cc + 1) & 0xF
        return cc

    def next_chunk(self) -> bytes:
        packets = [
            psi_packet(PAT_PID, self._next_cc(PAT_PID), pat_section()),
            psi_packet(PMT_PID, self._next_cc(PMT_PID), pmt_section()),
            # adaptation-only packets do not advance the continuity counter
            pcr_packet(VIDEO_PID, self._cc.get(VIDEO_PID, 0), self._pcr_27mhz),
        ]
        packets += [null_packet()] * max(0, self.packets_per_chunk - len(packets))
        self._pcr_27mhz += int(self.chunk_s * PCR_HZ)
        return b"".join(packets)
