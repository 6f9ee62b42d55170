"""ATSC A/53 caption data in H.264: the SEI NAL unit of one picture, and where it goes. Pure.

One ``user_data_registered_itu_t_t35`` SEI message (payload type 4) per picture: country
``0xB5``, provider ``0x0031``, ``GA94``, user data type 3, then ``cc_count`` triplets. The first
carries the picture's CEA-608 field-1 pair (CC1), the second a null field-2 pair, the rest are
DTVCC padding (``cc_valid`` 0), as broadcast encoders fill the 9600 bit/s caption channel.
``cc_count`` is 600 / fps: 20 at 30 fps, 10 at 60, 24 at 25, 25 at 24.

The SEI goes into the picture's access unit before its first slice, with emulation prevention
(``00 00 03``) applied to its payload. Reading works the other way: FFmpeg's H.264 and MPEG-2
decoders export a picture's triplets as side data, of which the field-1 pairs pass through.
"""

from __future__ import annotations

from typing import Any

from retrovue.runtime.captions.cea608 import NULL_PAIR, Pair

_HEADER = bytes([0xB5, 0x00, 0x31]) + b"GA94" + bytes([0x03])
_FIELD2_NULL = bytes([0xFD, 0x80, 0x80])
_PADDING = bytes([0xFA, 0x00, 0x00])
_SEI_NAL_TYPE = 6
_SLICE_TYPES = (1, 5)  # coded slice, IDR slice
START_CODE = b"\x00\x00\x00\x01"


def cc_count(fps: int) -> int:
    """Triplets per picture at ``fps`` (A/53 and CTA-708: 600 per second)."""
    return max(2, min(31, 600 // fps))


def cc_data(pair: Pair | None, count: int) -> bytes:
    """The ``cc_data()`` of one picture: the field-1 pair (null when None) and padding."""
    first, second = pair or NULL_PAIR
    triplets = bytes([0xFC, first, second]) + _FIELD2_NULL + _PADDING * (count - 2)
    return bytes([0xC0 | count, 0xFF]) + triplets + b"\xff"


def sei_nal(pair: Pair | None, count: int) -> bytes:
    """The whole SEI NAL unit (start code included) carrying one picture's caption data."""
    payload = _HEADER + cc_data(pair, count)
    message = bytes([4, len(payload)]) + payload  # payloadType 4, payloadSize < 255
    return START_CODE + bytes([_SEI_NAL_TYPE]) + escape(message + b"\x80")


def escape(rbsp: bytes) -> bytes:
    """Emulation prevention: ``00 00`` followed by a byte of 0..3 gets a ``03`` between."""
    if b"\x00\x00" not in rbsp:
        return rbsp
    out = bytearray()
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def unescape(ebsp: bytes) -> bytes:
    """The inverse of :func:`escape` (tests and readers)."""
    out = bytearray()
    zeros = 0
    for byte in ebsp:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def first_slice_at(access_unit: bytes) -> int | None:
    """Where the start code of the first slice NAL unit of an Annex B access unit begins."""
    at = access_unit.find(b"\x00\x00\x01")
    while at >= 0:
        header = at + 3
        if header < len(access_unit) and access_unit[header] & 0x1F in _SLICE_TYPES:
            return at - 1 if at > 0 and access_unit[at - 1] == 0 else at
        at = access_unit.find(b"\x00\x00\x01", header)
    return None


def insert_sei(access_unit: bytes, sei: bytes) -> bytes:
    """``access_unit`` with ``sei`` right before its first slice (unchanged if it has none)."""
    at = first_slice_at(access_unit)
    if at is None:
        return access_unit
    return access_unit[:at] + sei + access_unit[at:]


def field1_pairs(triplets: bytes) -> list[Pair]:
    """The valid, non-null CEA-608 field-1 pairs among ``cc_data`` triplets (as FFmpeg's
    decoders export them: ``A53_CC`` side data holds the triplets only)."""
    pairs = []
    for at in range(0, len(triplets) - 2, 3):
        marker, first, second = triplets[at], triplets[at + 1], triplets[at + 2]
        if marker & 0x07 == 0x04 and (first & 0x7F or second & 0x7F):  # cc_valid, field 1
            pairs.append((first, second))
    return pairs


def picture_pairs(frame: Any) -> list[Pair]:
    """The field-1 pairs a decoded picture (an ``av.VideoFrame``) carries, if any."""
    for data in frame.side_data:
        if data.type.name == "A53_CC":
            return field1_pairs(bytes(data))
    return []
