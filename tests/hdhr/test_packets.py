"""The 65001 binary protocol, byte for byte, and robustness against any input."""

from __future__ import annotations

import struct
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.hdhr import packets as p

CLASSIC = bytes.fromhex("00 02 00 0c 01 04 ff ff ff ff 02 04 ff ff ff ff 73 cc 7d 8f")


def test_classic_request_is_built_byte_for_byte() -> None:
    assert p.build_discover_request() == CLASSIC


def test_classic_request_parses_as_wildcards() -> None:
    query = p.parse_discover_request(CLASSIC)
    assert query == p.DiscoverQuery((p.DEVICE_TYPE_WILDCARD,), p.DEVICE_ID_WILDCARD)
    assert p.discover_matches(query, 0x10439EFD)


def test_crc_is_little_endian_zlib_crc32() -> None:
    body = CLASSIC[:-4]
    assert CLASSIC[-4:] == struct.pack("<I", zlib.crc32(body))


def test_newer_request_without_id_tag_matches() -> None:
    data = p.build_discover_request((p.DEVICE_TYPE_TUNER,), None)
    assert data == bytes.fromhex("00020006") + bytes.fromhex("010400000001") + data[-4:]
    query = p.parse_discover_request(data)
    assert query == p.DiscoverQuery((1,), None)
    assert p.discover_matches(query, 0x10439EFD)


def test_multi_type_request_matches_when_it_lists_tuners() -> None:
    storage = 0x00000005
    with_tuner = p.parse_discover_request(
        p.build_discover_request((storage, p.DEVICE_TYPE_TUNER), None, multi_type=True)
    )
    only_storage = p.parse_discover_request(
        p.build_discover_request((storage,), None, multi_type=True)
    )
    assert with_tuner is not None
    assert only_storage is not None
    assert with_tuner.device_types == (storage, 1)
    assert p.discover_matches(with_tuner, 0x10439EFD)
    assert not p.discover_matches(only_storage, 0x10439EFD)


def test_id_filter_must_be_ours_or_wildcard() -> None:
    ours = p.parse_discover_request(p.build_discover_request(device_id=0x10439EFD))
    other = p.parse_discover_request(p.build_discover_request(device_id=0x1010C032))
    assert ours is not None
    assert other is not None
    assert p.discover_matches(ours, 0x10439EFD)
    assert not p.discover_matches(other, 0x10439EFD)


def test_two_byte_tlv_length() -> None:
    assert p.encode_length(127) == b"\x7f"
    assert p.encode_length(128) == b"\x80\x01"
    assert p.encode_length(300) == bytes([(300 & 0x7F) | 0x80, 300 >> 7])
    value = b"x" * 300
    assert p.parse_tlvs(p.encode_tlv(0x2A, value)) == (p.Tlv(0x2A, value),)


def test_discover_reply_carries_every_field() -> None:
    reply = p.DiscoverReply(1, 0x10439EFD, 4, "http://10.0.0.5:80", "http://10.0.0.5:80/lineup.json",
                            "A" * 24)  # fmt: skip
    data = p.build_discover_reply(reply)
    frame = p.parse_frame(data)
    assert frame is not None
    assert frame.packet_type == p.TYPE_DISCOVER_REPLY
    tags = [t.tag for t in p.parse_tlvs(frame.payload) or ()]
    assert tags == [0x01, 0x02, 0x10, 0x2A, 0x27, 0x2B]
    assert data[4:10] == bytes.fromhex("010400000001")  # device type first: libhdhomerun needs it
    assert p.parse_discover_reply(data) == reply


def test_getset_reply_bytes() -> None:
    data = p.build_getset_reply(p.GetSetReply("/sys/model", value="hdhomerun5_atsc"))
    payload = b"\x03\x0b/sys/model\x00" + b"\x04\x10hdhomerun5_atsc\x00"
    assert data == struct.pack(">HH", 5, len(payload)) + payload + data[-4:]
    assert p.parse_frame(data) is not None


def test_bad_crc_truncated_and_wrong_type_are_rejected() -> None:
    bad_crc = CLASSIC[:-1] + bytes([CLASSIC[-1] ^ 1])
    assert p.parse_discover_request(bad_crc) is None
    assert p.parse_discover_request(CLASSIC[:-2]) is None
    assert p.parse_discover_request(CLASSIC + b"\x00") is None
    assert p.parse_discover_request(b"") is None
    assert p.parse_getset_request(CLASSIC) is None  # a discover is not a get/set


def test_tlv_running_past_the_end_is_rejected() -> None:
    payload = b"\x01\x04\xff\xff"  # says 4 bytes, has 2
    assert p.parse_tlvs(payload) is None
    assert p.parse_discover_request(p.build_frame(p.TYPE_DISCOVER_REQUEST, payload)) is None
    assert p.parse_tlvs(b"\x2a\x80") is None  # two-byte length cut off


def test_device_type_tag_of_wrong_size_is_rejected() -> None:
    frame = p.build_frame(p.TYPE_DISCOVER_REQUEST, p.encode_tlv(p.TAG_DEVICE_TYPE, b"\x01"))
    assert p.parse_discover_request(frame) is None


tags = st.integers(min_value=0, max_value=255)
values = st.binary(max_size=600)


@settings(deadline=None)  # shared, loaded CPU: time is not what is tested
@given(st.lists(st.tuples(tags, values), max_size=6))
def test_tlv_round_trip(items: list[tuple[int, bytes]]) -> None:
    payload = b"".join(p.encode_tlv(tag, value) for tag, value in items)
    assert p.parse_tlvs(payload) == tuple(p.Tlv(tag, value) for tag, value in items)


@settings(deadline=None)  # shared, loaded CPU: time is not what is tested
@given(st.integers(0, 0xFFFF), st.binary(max_size=2000))
def test_frame_round_trip(packet_type: int, payload: bytes) -> None:
    assert p.parse_frame(p.build_frame(packet_type, payload)) == p.Frame(packet_type, payload)


text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=80
)


@settings(deadline=None)  # shared, loaded CPU: time is not what is tested
@given(text, st.one_of(st.none(), text), st.one_of(st.none(), st.integers(0, 0xFFFFFFFF)))
def test_getset_request_round_trip(name: str, value: str | None, lockkey: int | None) -> None:
    request = p.GetSetRequest(name, value, lockkey)
    assert p.parse_getset_request(p.build_getset_request(request)) == request


@settings(deadline=None)  # shared, loaded CPU: time is not what is tested
@given(
    st.integers(0, 0xFFFFFFFF),
    st.integers(0, 255),
    text,
    text,
    st.text(alphabet="abcXYZ019", min_size=24, max_size=24),
)
def test_discover_reply_round_trip(
    device_id: int, tuners: int, base: str, lineup: str, auth: str
) -> None:
    reply = p.DiscoverReply(1, device_id, tuners, base, lineup, auth)
    assert p.parse_discover_reply(p.build_discover_reply(reply)) == reply


@settings(deadline=None)  # shared, loaded CPU: time is not what is tested
@given(st.binary(max_size=300))
def test_garbage_never_raises(data: bytes) -> None:
    p.parse_discover_request(data)
    p.parse_getset_request(data)
    p.parse_discover_reply(data)
    p.parse_getset_reply(data)
    p.parse_tlvs(data)


@settings(deadline=None)  # shared, loaded CPU: time is not what is tested
@given(st.integers(0, len(CLASSIC) - 1), st.integers(1, 255))
def test_any_flipped_byte_is_rejected(position: int, flip: int) -> None:
    damaged = bytearray(CLASSIC)
    damaged[position] ^= flip
    assert p.parse_discover_request(bytes(damaged)) is None
