"""A/53 caption SEI: its bytes, emulation prevention, and where it goes in an access unit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retrovue.runtime.captions.a53 import (
    cc_count,
    cc_data,
    escape,
    first_slice_at,
    insert_sei,
    sei_nal,
    unescape,
)


def test_cc_count_follows_the_frame_rate() -> None:
    assert [cc_count(fps) for fps in (24, 25, 30, 50, 60)] == [25, 24, 20, 12, 10]


def test_cc_data_carries_the_field_one_pair_then_padding() -> None:
    data = cc_data((0x94, 0x2F), 20)
    assert data[:2] == bytes([0xC0 | 20, 0xFF])
    triplets = [data[2 + 3 * i : 5 + 3 * i] for i in range(20)]
    assert triplets[0] == bytes([0xFC, 0x94, 0x2F])  # valid, field 1
    assert triplets[1] == bytes([0xFD, 0x80, 0x80])  # field 2: null
    assert set(triplets[2:]) == {bytes([0xFA, 0x00, 0x00])}  # DTVCC padding, not valid
    assert data[-1] == 0xFF
    assert cc_data(None, 10)[2:5] == bytes([0xFC, 0x80, 0x80])


def test_the_sei_is_registered_itu_t35_ga94() -> None:
    nal = sei_nal((0x94, 0x2C), 20)
    assert nal[:5] == b"\x00\x00\x00\x01\x06"
    rbsp = unescape(nal[5:])
    assert rbsp[0] == 4  # user_data_registered_itu_t_t35
    assert rbsp[1] == len(rbsp) - 3  # payload size (type, size, trailing bits excluded)
    assert rbsp[2:10] == bytes([0xB5, 0x00, 0x31]) + b"GA94" + b"\x03"
    assert rbsp[-1] == 0x80
    assert b"\x00\x00\x00" not in nal[4:]
    assert b"\x00\x00\x01" not in nal[4:]


@given(st.binary(max_size=200))
def test_emulation_prevention_round_trips_and_leaves_no_start_code(data: bytes) -> None:
    escaped = escape(data)
    assert unescape(escaped) == data
    for bad in (b"\x00\x00\x00", b"\x00\x00\x01", b"\x00\x00\x02"):
        assert bad not in escaped


def test_the_sei_goes_right_before_the_first_slice() -> None:
    sps, pps = b"\x00\x00\x00\x01\x67\x42", b"\x00\x00\x00\x01\x68\xce"
    slice_ = b"\x00\x00\x01\x65\x88\x84"
    access_unit = sps + pps + slice_ + b"\x00\x00\x01\x65\x11"  # two slices
    sei = sei_nal(None, 20)
    assert first_slice_at(access_unit) == len(sps + pps)
    assert insert_sei(access_unit, sei) == sps + pps + sei + access_unit[len(sps + pps) :]
    four_byte = b"\x00\x00\x00\x01\x41\x9a"
    assert first_slice_at(four_byte) == 0
    assert insert_sei(b"\x00\x00\x00\x01\x09\xf0", sei) == b"\x00\x00\x00\x01\x09\xf0"
