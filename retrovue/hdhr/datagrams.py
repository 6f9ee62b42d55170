"""Transport stream bytes into the datagrams a real unit sends (pure, no I/O).

A datagram carries exactly 7 TS packets (1316 bytes): libhdhomerun drops any other size. For an
``rtp://`` target a 12-byte RTP header comes first (version 2, payload type 33 = MPEG-2 TS,
a sequence number, a 90 kHz timestamp and a fixed SSRC), 1328 bytes in all.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from retrovue.hdhr.tuning import FULL_FILTER, PidRanges

TS_PACKET_BYTES = 188
TS_SYNC = 0x47
PACKETS_PER_DATAGRAM = 7
DATAGRAM_BYTES = TS_PACKET_BYTES * PACKETS_PER_DATAGRAM
RTP_HEADER_BYTES = 12
RTP_VERSION_BYTE = 0x80  # version 2, no padding, no extension, no CSRC
RTP_PAYLOAD_MP2T = 33
RTP_CLOCK_HZ = 90_000


def rtp_header(sequence: int, timestamp: int, ssrc: int) -> bytes:
    return struct.pack(
        ">BBHII",
        RTP_VERSION_BYTE,
        RTP_PAYLOAD_MP2T,
        sequence & 0xFFFF,
        timestamp & 0xFFFFFFFF,
        ssrc & 0xFFFFFFFF,
    )


def rtp_timestamp(monotonic_s: float) -> int:
    """The 90 kHz RTP clock at ``monotonic_s`` (wraps at 32 bits)."""
    return int(monotonic_s * RTP_CLOCK_HZ) & 0xFFFFFFFF


def pid_of(packet: bytes | memoryview, at: int = 0) -> int:
    return ((packet[at + 1] & 0x1F) << 8) | packet[at + 2]


def keep_pids(data: bytes, ranges: PidRanges) -> bytes:
    """The packets of ``data`` (whole packets only) whose PID the filter lets through."""
    if ranges == FULL_FILTER:
        return data
    kept = [
        data[at : at + TS_PACKET_BYTES]
        for at in range(0, len(data) - TS_PACKET_BYTES + 1, TS_PACKET_BYTES)
        if any(low <= pid_of(data, at) <= high for low, high in ranges)
    ]
    return b"".join(kept)


@dataclass
class DatagramPacker:
    """Cuts a byte stream into 1316-byte datagrams; what is left waits for the next chunk.

    Bytes before the first sync byte are skipped so packets stay aligned whatever the chunk
    boundaries are; a chunk that does not continue on a packet boundary realigns at its next
    sync byte.
    """

    ranges: PidRanges = FULL_FILTER
    _packets: bytearray = field(default_factory=bytearray)  # whole packets not yet sent
    _partial: bytearray = field(default_factory=bytearray)  # the start of a packet

    def feed(self, chunk: bytes) -> list[bytes]:
        data = bytes(self._partial) + chunk
        start = data.find(bytes([TS_SYNC]))
        if start < 0:
            self._partial.clear()
            return []
        data = data[start:]
        whole = len(data) - len(data) % TS_PACKET_BYTES
        self._partial = bytearray(data[whole:])
        self._packets += keep_pids(data[:whole], self.ranges)
        count = len(self._packets) // DATAGRAM_BYTES
        out = [
            bytes(self._packets[i * DATAGRAM_BYTES : (i + 1) * DATAGRAM_BYTES])
            for i in range(count)
        ]
        del self._packets[: count * DATAGRAM_BYTES]
        return out


@dataclass
class RtpFramer:
    """Puts an RTP header before each datagram: sequence numbers count up by one."""

    ssrc: int
    sequence: int = 0

    def frame(self, payload: bytes, monotonic_s: float) -> bytes:
        header = rtp_header(self.sequence, rtp_timestamp(monotonic_s), self.ssrc)
        self.sequence = (self.sequence + 1) & 0xFFFF
        return header + payload
