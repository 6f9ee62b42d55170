"""HDHomeRun binary protocol on port 65001: frames, TLVs, discover and get/set (pure, no I/O).

Frame: ``u16 type | u16 payload length`` (big-endian), payload, CRC-32 of header and payload
(little-endian). Payload: TLVs ``u8 tag | length | value``; a length up to 127 takes one byte,
a longer one two: ``(len & 0x7F) | 0x80`` then ``len >> 7``.

Every parser returns ``None`` for input it cannot trust (short, bad CRC, bad TLV run): the
network side ignores such input without a reply.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TYPE_DISCOVER_REQUEST = 0x0002
TYPE_DISCOVER_REPLY = 0x0003
TYPE_GETSET_REQUEST = 0x0004
TYPE_GETSET_REPLY = 0x0005

TAG_DEVICE_TYPE = 0x01
TAG_DEVICE_ID = 0x02
TAG_GETSET_NAME = 0x03
TAG_GETSET_VALUE = 0x04
TAG_ERROR_MESSAGE = 0x05
TAG_GETSET_LOCKKEY = 0x15
TAG_TUNER_COUNT = 0x10
TAG_LINEUP_URL = 0x27
TAG_BASE_URL = 0x2A
TAG_DEVICE_AUTH_STR = 0x2B
TAG_MULTI_TYPE = 0x2D

DEVICE_TYPE_TUNER = 0x00000001
DEVICE_TYPE_WILDCARD = 0xFFFFFFFF
DEVICE_ID_WILDCARD = 0xFFFFFFFF

HEADER_BYTES = 4
CRC_BYTES = 4
MAX_TLV_LENGTH = 0x7FFF  # two length bytes carry 15 bits
UNKNOWN_VARIABLE = "ERROR: unknown getset variable"


@dataclass(frozen=True)
class Frame:
    packet_type: int
    payload: bytes


@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes


@dataclass(frozen=True)
class DiscoverQuery:
    """What a discover request asks for. ``device_id`` None: the request carried no id tag."""

    device_types: tuple[int, ...]
    device_id: int | None


@dataclass(frozen=True)
class DiscoverReply:
    device_type: int
    device_id: int
    tuner_count: int
    base_url: str
    lineup_url: str
    device_auth: str


@dataclass(frozen=True)
class GetSetRequest:
    name: str
    value: str | None = None
    lockkey: int | None = None


@dataclass(frozen=True)
class GetSetReply:
    name: str
    value: str | None = None
    error: str | None = None


# ---- frames ----


def crc32_le(data: bytes) -> bytes:
    return struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)


def build_frame(packet_type: int, payload: bytes) -> bytes:
    if len(payload) > 0xFFFF:
        raise ValueError(f"payload of {len(payload)} bytes does not fit a frame")
    head_and_body = struct.pack(">HH", packet_type, len(payload)) + payload
    return head_and_body + crc32_le(head_and_body)


def frame_size(header: bytes) -> int:
    """Total bytes of the frame whose first four bytes are ``header``."""
    (_, length) = struct.unpack(">HH", header[:HEADER_BYTES])
    return HEADER_BYTES + int(length) + CRC_BYTES


def parse_frame(data: bytes) -> Frame | None:
    """One whole frame (nothing more, nothing less) with a valid CRC, else None."""
    if len(data) < HEADER_BYTES + CRC_BYTES or frame_size(data) != len(data):
        return None
    body, crc = data[:-CRC_BYTES], data[-CRC_BYTES:]
    if crc32_le(body) != crc:
        return None
    packet_type = struct.unpack(">H", body[:2])[0]
    return Frame(int(packet_type), body[HEADER_BYTES:])


# ---- TLVs ----


def encode_length(length: int) -> bytes:
    if not 0 <= length <= MAX_TLV_LENGTH:
        raise ValueError(f"TLV length {length} is outside 0..{MAX_TLV_LENGTH}")
    if length <= 0x7F:
        return bytes([length])
    return bytes([(length & 0x7F) | 0x80, length >> 7])


def encode_tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + encode_length(len(value)) + value


def parse_tlvs(payload: bytes) -> tuple[Tlv, ...] | None:
    """The TLVs of a payload, or None when a tag or a value runs past the end."""
    items: list[Tlv] = []
    pos = 0
    while pos < len(payload):
        if pos + 2 > len(payload):
            return None
        tag, length = payload[pos], payload[pos + 1]
        pos += 2
        if length & 0x80:
            if pos >= len(payload):
                return None
            length = (length & 0x7F) | (payload[pos] << 7)
            pos += 1
        if pos + length > len(payload):
            return None
        items.append(Tlv(tag, payload[pos : pos + length]))
        pos += length
    return tuple(items)


def _u32(value: int) -> bytes:
    return struct.pack(">I", value & 0xFFFFFFFF)


def _read_u32(value: bytes) -> int | None:
    return int(struct.unpack(">I", value)[0]) if len(value) == 4 else None


def _cstr(text: str) -> bytes:
    return text.encode("utf-8") + b"\x00"


def _read_cstr(value: bytes) -> str:
    return value.split(b"\x00", 1)[0].decode("utf-8", errors="replace")


def _first(tlvs: Iterable[Tlv], tag: int) -> bytes | None:
    return next((item.value for item in tlvs if item.tag == tag), None)


# ---- discover ----


def build_discover_request(
    device_types: Sequence[int] = (DEVICE_TYPE_WILDCARD,),
    device_id: int | None = DEVICE_ID_WILDCARD,
    *,
    multi_type: bool = False,
) -> bytes:
    """The classic request by default; ``multi_type`` uses the newer multi-type tag."""
    if multi_type:
        payload = encode_tlv(TAG_MULTI_TYPE, b"".join(_u32(t) for t in device_types))
    else:
        payload = b"".join(encode_tlv(TAG_DEVICE_TYPE, _u32(t)) for t in device_types)
    if device_id is not None:
        payload += encode_tlv(TAG_DEVICE_ID, _u32(device_id))
    return build_frame(TYPE_DISCOVER_REQUEST, payload)


def parse_discover_request(data: bytes) -> DiscoverQuery | None:
    frame = parse_frame(data)
    if frame is None or frame.packet_type != TYPE_DISCOVER_REQUEST:
        return None
    tlvs = parse_tlvs(frame.payload)
    if tlvs is None:
        return None
    types: list[int] = []
    device_id: int | None = None
    for item in tlvs:
        if item.tag == TAG_DEVICE_TYPE:
            value = _read_u32(item.value)
            if value is None:
                return None
            types.append(value)
        elif item.tag == TAG_MULTI_TYPE:
            if len(item.value) % 4:
                return None
            types.extend(int(v) for (v,) in struct.iter_unpack(">I", item.value))
        elif item.tag == TAG_DEVICE_ID:
            device_id = _read_u32(item.value)
            if device_id is None:
                return None
    return DiscoverQuery(tuple(types) or (DEVICE_TYPE_WILDCARD,), device_id)


def discover_matches(query: DiscoverQuery, device_id: int) -> bool:
    """Answer when the type filter is wildcard or tuner, and the id is absent, wildcard or ours."""
    type_ok = any(t in (DEVICE_TYPE_WILDCARD, DEVICE_TYPE_TUNER) for t in query.device_types)
    id_ok = query.device_id in (None, DEVICE_ID_WILDCARD, device_id)
    return type_ok and id_ok


def build_discover_reply(reply: DiscoverReply) -> bytes:
    payload = b"".join(
        (
            encode_tlv(TAG_DEVICE_TYPE, _u32(reply.device_type)),
            encode_tlv(TAG_DEVICE_ID, _u32(reply.device_id)),
            encode_tlv(TAG_TUNER_COUNT, bytes([reply.tuner_count & 0xFF])),
            encode_tlv(TAG_BASE_URL, reply.base_url.encode("utf-8")),
            encode_tlv(TAG_LINEUP_URL, reply.lineup_url.encode("utf-8")),
            encode_tlv(TAG_DEVICE_AUTH_STR, reply.device_auth.encode("utf-8")),
        )
    )
    return build_frame(TYPE_DISCOVER_REPLY, payload)


def parse_discover_reply(data: bytes) -> DiscoverReply | None:
    frame = parse_frame(data)
    if frame is None or frame.packet_type != TYPE_DISCOVER_REPLY:
        return None
    tlvs = parse_tlvs(frame.payload)
    if tlvs is None:
        return None
    device_type = _read_u32(_first(tlvs, TAG_DEVICE_TYPE) or b"")
    device_id = _read_u32(_first(tlvs, TAG_DEVICE_ID) or b"")
    if device_type is None or device_id is None:
        return None
    count = _first(tlvs, TAG_TUNER_COUNT) or b"\x00"
    return DiscoverReply(
        device_type=device_type,
        device_id=device_id,
        tuner_count=count[0],
        base_url=(_first(tlvs, TAG_BASE_URL) or b"").decode("utf-8", errors="replace"),
        lineup_url=(_first(tlvs, TAG_LINEUP_URL) or b"").decode("utf-8", errors="replace"),
        device_auth=(_first(tlvs, TAG_DEVICE_AUTH_STR) or b"").decode("utf-8", errors="replace"),
    )


# ---- get/set ----


def build_getset_request(request: GetSetRequest) -> bytes:
    payload = encode_tlv(TAG_GETSET_NAME, _cstr(request.name))
    if request.value is not None:
        payload += encode_tlv(TAG_GETSET_VALUE, _cstr(request.value))
    if request.lockkey is not None:
        payload += encode_tlv(TAG_GETSET_LOCKKEY, _u32(request.lockkey))
    return build_frame(TYPE_GETSET_REQUEST, payload)


def parse_getset_request(data: bytes) -> GetSetRequest | None:
    frame = parse_frame(data)
    if frame is None or frame.packet_type != TYPE_GETSET_REQUEST:
        return None
    tlvs = parse_tlvs(frame.payload)
    if tlvs is None:
        return None
    name = _first(tlvs, TAG_GETSET_NAME)
    if name is None:
        return None
    value = _first(tlvs, TAG_GETSET_VALUE)
    lockkey = _first(tlvs, TAG_GETSET_LOCKKEY)
    return GetSetRequest(
        name=_read_cstr(name),
        value=None if value is None else _read_cstr(value),
        lockkey=None if lockkey is None else _read_u32(lockkey),
    )


def build_getset_reply(reply: GetSetReply) -> bytes:
    payload = encode_tlv(TAG_GETSET_NAME, _cstr(reply.name))
    if reply.error is not None:
        payload += encode_tlv(TAG_ERROR_MESSAGE, _cstr(reply.error))
    else:
        payload += encode_tlv(TAG_GETSET_VALUE, _cstr(reply.value or ""))
    return build_frame(TYPE_GETSET_REPLY, payload)


def parse_getset_reply(data: bytes) -> GetSetReply | None:
    frame = parse_frame(data)
    if frame is None or frame.packet_type != TYPE_GETSET_REPLY:
        return None
    tlvs = parse_tlvs(frame.payload)
    if tlvs is None:
        return None
    name = _first(tlvs, TAG_GETSET_NAME)
    if name is None:
        return None
    value = _first(tlvs, TAG_GETSET_VALUE)
    error = _first(tlvs, TAG_ERROR_MESSAGE)
    return GetSetReply(
        name=_read_cstr(name),
        value=None if value is None else _read_cstr(value),
        error=None if error is None else _read_cstr(error),
    )
