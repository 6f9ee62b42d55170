"""The pure parts of tuning over 65001: values, datagrams, RTP headers, rates, tuner variables."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.hdhr.datagrams import (
    DATAGRAM_BYTES,
    DatagramPacker,
    RtpFramer,
    keep_pids,
    pid_of,
    rtp_header,
)
from retrovue.hdhr.lineup import LineupChannel
from retrovue.hdhr.tuners import ControlView, RateMeter, TunerState, TunerUse
from retrovue.hdhr.tunervars import programs_of, streaminfo, tuner_value
from retrovue.hdhr.tuning import (
    FULL_FILTER,
    BadValue,
    ChannelValue,
    Target,
    cable_channel_of,
    format_filter,
    parse_channel,
    parse_filter,
    parse_lockkey,
    parse_program,
    parse_target,
    parse_vchannel,
)
from retrovue.testing.testsignal import TestSignal

LINEUP = (
    LineupChannel("2", "RetroVue Two", hd=True),
    LineupChannel("4.1", "Cartoons", hd=False),
    LineupChannel("4.2", "Cartoons Too", hd=False),
)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("auto:2", "2"),
        ("auto:4.1", "4.1"),
        ("qam256:4", "4"),
        ("auto6t:57000000", "2"),  # cable channel 2's centre
        ("8vsb:57250000", "2"),  # close enough to lock
        ("auto:55750000", ""),  # the HRC plan's channel 2: nothing locks there
        ("auto:123000000", "14"),
        ("auto:651000000", "100"),
    ],
)
def test_channel_forms_name_a_number(text: str, number: str) -> None:
    value = parse_channel(text)
    assert value is not None
    assert (value.text, value.number) == (text, number)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2",
        "auto:",
        "auto:x",
        "fm:2",
        "auto:5000000",
        "auto:1003000000",
        "auto:2.1.1",
        "auto:-2",
    ],
)
def test_bad_channels_are_refused(text: str) -> None:
    with pytest.raises(BadValue, match=r"^ERROR: invalid channel$"):
        parse_channel(text)


def test_none_untunes_and_the_lock_follows_the_modulation() -> None:
    assert parse_channel("none") is None
    assert parse_vchannel("none") is None
    assert parse_vchannel("04.01") == "4.1"
    assert ChannelValue("auto6t:2", "auto6t", "2").lock == "8vsb"
    assert ChannelValue("auto:2", "auto", "2").lock == "qam256"
    assert cable_channel_of(60_000_000) is None  # between channels 2 and 3
    assert cable_channel_of(63_000_000) == 3


def test_targets() -> None:
    assert parse_target("udp://10.0.0.9:5000") == Target("udp", "10.0.0.9", 5000)
    assert parse_target("rtp://10.0.0.9:5000/") == Target("rtp", "10.0.0.9", 5000)
    assert str(Target("rtp", "10.0.0.9", 5000)) == "rtp://10.0.0.9:5000"
    assert parse_target("none") is None
    for bad in ("udp://10.0.0.9", "udp://10.0.0.256:5", "udp://0.0.0.0:5", "tcp://1.2.3.4:5",
                "udp://1.2.3.4:0", "udp://1.2.3.4:65536", "udp://[::1]:5"):  # fmt: skip
        with pytest.raises(BadValue, match=r"^ERROR: invalid target$"):
            parse_target(bad)


def test_lockkeys_programs_and_filters() -> None:
    assert parse_lockkey("4294967295").key == 4294967295
    assert parse_lockkey("none").key is None
    assert parse_lockkey("force").force
    for bad in ("0", "4294967296", "-1", "x"):
        with pytest.raises(BadValue):
            parse_lockkey(bad)
    assert parse_program("0") is None
    assert parse_program("3") == 3
    with pytest.raises(BadValue):
        parse_program("65536")
    ranges = parse_filter("0x0000-0x0001 0x0030 049")
    assert ranges == ((0, 1), (0x30, 0x30), (49, 49))
    assert format_filter(ranges) == "0x0000-0x0001 0x0030 0x0031"
    assert format_filter(parse_filter("0x0000-0x1fff")) == "0x0000-0x1fff"
    assert parse_filter("") == ()
    for bad in ("0x2000", "0x10-0x01", "0x1-", "zz", "0x-1", "8192", "٣"):
        with pytest.raises(BadValue):
            parse_filter(bad)


def _stream(packets: int) -> bytes:
    signal = TestSignal(packets_per_chunk=packets)
    return signal.next_chunk()


@settings(deadline=None, max_examples=60)
@given(st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=20))
def test_datagrams_are_whole_packets_whatever_the_chunk_boundaries(cuts: list[int]) -> None:
    data = _stream(100) + _stream(100)
    packer = DatagramPacker()
    out: list[bytes] = []
    at = 0
    for size in cuts:
        out += packer.feed(data[at : at + size])
        at += size
    out += packer.feed(data[at:])
    assert all(len(d) == DATAGRAM_BYTES for d in out)
    assert b"".join(out) == data[: len(out) * DATAGRAM_BYTES]  # nothing lost, nothing moved
    assert len(out) == len(data) // DATAGRAM_BYTES


def test_a_stream_that_starts_off_a_packet_boundary_realigns() -> None:
    data = _stream(14)
    out = DatagramPacker().feed(b"\x00\x01" + data)
    assert out == [data[:DATAGRAM_BYTES], data[DATAGRAM_BYTES:]]


def test_the_pid_filter_keeps_only_what_was_asked() -> None:
    data = _stream(40)
    kept = keep_pids(data, ((0, 0), (0x1000, 0x1000)))
    assert {pid_of(kept, at) for at in range(0, len(kept), 188)} == {0, 0x1000}
    assert keep_pids(data, FULL_FILTER) is data
    assert keep_pids(data, ()) == b""


def test_rtp_headers_count_up_and_wrap() -> None:
    assert rtp_header(0x1_0001, 90_000, 7) == struct.pack(">BBHII", 0x80, 33, 1, 90_000, 7)
    framer = RtpFramer(ssrc=9, sequence=0xFFFF)
    first, second = framer.frame(b"a", 1.0), framer.frame(b"b", 1.5)
    assert struct.unpack(">BBHII", first[:12]) == (0x80, 33, 0xFFFF, 90_000, 9)
    assert struct.unpack(">BBHII", second[:12]) == (0x80, 33, 0, 135_000, 9)
    assert second[12:] == b"b"


def test_the_rate_meter_counts_the_last_second() -> None:
    meter = RateMeter()
    meter.record(1316, 7, 10.0)
    meter.record(1316, 7, 10.5)
    assert meter.rates(10.9) == (2 * 1316 * 8, 14)
    assert meter.rates(11.2) == (1316 * 8, 7)
    assert meter.rates(20.0) == (0, 0)
    assert (meter.bytes_total, meter.packets_total) == (2632, 14)


def _tuned(number: str, program: int | None = None, **more: object) -> TunerState:
    channel = ChannelValue(f"auto:{number}", "auto", number)
    values: dict[str, object] = {
        "owner": "10.0.0.9", "locked": True, "channel": channel, "program": program,
        "ranges": FULL_FILTER, "target": Target("udp", "10.0.0.9", 5000), "holds_slot": True,
        "bps": 2_000_000, "pps": 1330,
    }  # fmt: skip
    values.update(more)
    return TunerState(0, TunerUse(number, "x", "10.0.0.9"), ControlView(**values))  # type: ignore[arg-type]


def test_a_tuned_tuners_variables() -> None:
    state = _tuned("4")
    assert programs_of(ChannelValue("auto:4", "auto", "4"), LINEUP) == list(LINEUP[1:])
    assert tuner_value(state, "status", LINEUP) == (
        "ch=auto:4 lock=qam256 ss=100 snq=100 seq=100 bps=2000000 pps=1330"
    )
    assert tuner_value(state, "streaminfo", LINEUP) == (
        "1: 4.1 Cartoons\n2: 4.2 Cartoons Too\ntsid=0x0004\n"
    )
    assert tuner_value(state, "vchannel", LINEUP) == "4.1"  # no program chosen: the first
    assert tuner_value(_tuned("4", program=2), "vchannel", LINEUP) == "4.2"
    assert tuner_value(_tuned("4", program=2), "vstatus", LINEUP) == (
        "vch=4.2 name=Cartoons_Too auth=unspecified cci=unrestricted cgms=unrestricted"
    )
    assert tuner_value(state, "lockkey", LINEUP) == "10.0.0.9"
    assert tuner_value(state, "target", LINEUP) == "udp://10.0.0.9:5000"
    assert tuner_value(state, "filter", LINEUP) == "0x0000-0x1fff"
    assert tuner_value(state, "channelmap", LINEUP) == "us-cable"
    debug = tuner_value(state, "debug", LINEUP) or ""
    assert debug.startswith("tun: ch=auto:4 lock=qam256 ss=100")
    assert "net: pps=1330 err=0 stop=0" in debug


def test_a_channel_with_nothing_on_it_has_no_signal() -> None:
    state = _tuned("9", target=None, bps=0, pps=0)
    assert (
        tuner_value(state, "status", LINEUP) == "ch=auto:9 lock=none ss=0 snq=0 seq=0 bps=0 pps=0"
    )
    assert tuner_value(state, "streaminfo", LINEUP) == "none\n"
    assert (
        streaminfo(ChannelValue("auto:2", "auto", "2"), LINEUP)
        == "1: 2 RetroVue Two\ntsid=0x0002\n"
    )


PARSERS = (parse_channel, parse_vchannel, parse_target, parse_lockkey, parse_program, parse_filter)


@settings(deadline=None)
@given(st.text(max_size=40), st.sampled_from(PARSERS))
def test_any_text_is_a_value_or_an_error_reply(text: str, parse: object) -> None:
    assert callable(parse)
    error = ""
    try:
        parse(text)
    except BadValue as err:
        error = str(err)
    assert error == "" or error.startswith("ERROR: invalid ")


def test_unicode_digits_are_no_digits() -> None:
    for parse, text in ((parse_channel, "auto:٣"), (parse_lockkey, "٣"), (parse_program, "٣")):
        with pytest.raises(BadValue):
            parse(text)  # type: ignore[operator]
