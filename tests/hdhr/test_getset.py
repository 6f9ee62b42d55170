"""Get/set answers and the JSON documents, as pure functions of a station snapshot."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.hdhr.device import Device
from retrovue.hdhr.documents import ScanState, lineup_status_json, status_json
from retrovue.hdhr.getset import READ_ONLY, StationView, answer, lookup
from retrovue.hdhr.identity import DeviceIdentity
from retrovue.hdhr.lineup import LineupChannel
from retrovue.hdhr.packets import UNKNOWN_VARIABLE, GetSetReply, GetSetRequest
from retrovue.hdhr.tuners import TunerState, TunerUse

DEVICE = Device(
    identity=DeviceIdentity("10439EFD", "abcdefghijklmnopqrstuvwx"),
    friendly_name="RetroVue",
    tuner_count=2,
    base_url="http://10.0.0.5:80",
    stream_base_url="http://10.0.0.5:5004",
)
BUSY = TunerUse("4.1", "Cartoons", "10.0.0.9")
VIEW = StationView(
    DEVICE,
    [TunerState(0, None), TunerState(1, BUSY)],
    [LineupChannel("2", "Two", hd=True), LineupChannel("4.1", "Cartoons", hd=False)],
)


def test_tuner_variables_follow_the_slot() -> None:
    assert lookup(VIEW, "/tuner0/status") == "ch=none lock=none ss=0 snq=0 seq=0 bps=0 pps=0"
    assert (lookup(VIEW, "/tuner1/status") or "").startswith("ch=auto:4.1 lock=")
    assert lookup(VIEW, "/tuner1/vchannel") == "4.1"
    assert lookup(VIEW, "/tuner1/streaminfo") == "1: 4.1 Cartoons\n"
    assert lookup(VIEW, "/tuner0/lockkey") == "none"
    assert lookup(VIEW, "/tuner2/status") is None
    assert lookup(VIEW, "/tuner0/bogus") is None


def test_help_lists_names_and_scan_counts_the_lineup() -> None:
    assert "/sys/model" in (lookup(VIEW, "help") or "")
    assert lookup(VIEW, "/lineup/scan") == "state=complete progress=100% found=2"


def test_sets_are_refused_and_unknown_names_get_the_error_message() -> None:
    assert answer(VIEW, GetSetRequest("/tuner0/channel", "auto:2")) == GetSetReply(
        "/tuner0/channel", error=READ_ONLY
    )
    assert answer(VIEW, GetSetRequest("/nope")) == GetSetReply("/nope", error=UNKNOWN_VARIABLE)
    assert UNKNOWN_VARIABLE == "ERROR: unknown getset variable"


@settings(deadline=None)  # shared, loaded CPU: time is not what is tested
@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=20)))
def test_any_request_gets_exactly_one_value_or_error(name: str, value: str | None) -> None:
    reply = answer(VIEW, GetSetRequest(name, value))
    assert reply.name == name
    assert (reply.value is None) != (reply.error is None)


def test_status_and_lineup_status_documents() -> None:
    assert status_json(VIEW.tuners) == [
        {"Resource": "tuner0"},
        {"Resource": "tuner1", "VctNumber": "4.1", "VctName": "Cartoons", "TargetIP": "10.0.0.9"},
    ]
    assert lineup_status_json(ScanState(in_progress=True, progress_percent=40, found=3)) == {
        "ScanInProgress": 1,
        "Progress": 40,
        "Found": 3,
    }
