"""Answers to TCP 65001 get/set requests, from a snapshot of the station (pure).

Reads only: the network side never changes configuration, so every ``set`` is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrovue.hdhr.device import FIRMWARE_NAME, FIRMWARE_VERSION, MODEL_NUMBER, Device
from retrovue.hdhr.lineup import LineupChannel
from retrovue.hdhr.packets import UNKNOWN_VARIABLE, GetSetReply, GetSetRequest
from retrovue.hdhr.tuners import TunerState

READ_ONLY = "ERROR: read-only variable"
FEATURES = "channelmap: us-cable\nmodulation: qam256\n"
COPYRIGHT = "RetroVue HDHomeRun emulation. Not a Silicondust product."
TUNER_VARIABLES = ("status", "lockkey", "channel", "vchannel", "streaminfo", "target")
NAME_MAX = 256  # longer names are no variable of ours; the reply echoes this much of them
SYSTEM_VARIABLES = ("/sys/model", "/sys/hwmodel", "/sys/version", "/sys/features", "/sys/copyright")


@dataclass(frozen=True)
class StationView:
    device: Device
    tuners: Sequence[TunerState]
    lineup: Sequence[LineupChannel]


def _help(view: StationView) -> str:
    names = [*SYSTEM_VARIABLES, "/lineup/scan"]
    names += [f"/tuner<n>/{name}" for name in TUNER_VARIABLES]
    return "Supported configuration options:\n" + "\n".join(names) + "\n"


def _system(view: StationView) -> dict[str, str]:
    return {
        "/sys/model": FIRMWARE_NAME,
        "/sys/hwmodel": MODEL_NUMBER,
        "/sys/version": FIRMWARE_VERSION,
        "/sys/features": FEATURES,
        "/sys/copyright": COPYRIGHT,
        "/sys/debug": f"tuners={view.device.tuner_count}",
        "/lineup/scan": f"state=complete progress=100% found={len(view.lineup)}",
        "help": _help(view),
    }


def _tuner(state: TunerState, name: str) -> str | None:
    use = state.use
    values = {
        "status": "ch=none lock=none ss=0 snq=0 seq=0 bps=0 pps=0"
        if use is None
        else f"ch=auto:{use.channel_number} lock=qam256 ss=100 snq=100 seq=100 bps=0 pps=0",
        "lockkey": "none",
        "channel": "none" if use is None else f"auto:{use.channel_number}",
        "vchannel": "none" if use is None else use.channel_number,
        "streaminfo": "none" if use is None else f"1: {use.channel_number} {use.channel_name}\n",
        "target": "none" if use is None else f"http://{use.client}",
    }
    return values.get(name)


def lookup(view: StationView, name: str) -> str | None:
    """The value of variable ``name``, or None when there is no such variable."""
    system = _system(view)
    if name in system:
        return system[name]
    match = re.fullmatch(r"/tuner(\d{1,6})/([a-z]+)", name)  # no 5,000-digit int()
    if match is None:
        return None
    index = int(match.group(1))
    if index >= len(view.tuners):
        return None
    return _tuner(view.tuners[index], match.group(2))


def answer(view: StationView, request: GetSetRequest) -> GetSetReply:
    if len(request.name) > NAME_MAX:  # echoed whole, it could not be encoded in one reply
        return GetSetReply(request.name[:NAME_MAX], error=UNKNOWN_VARIABLE)
    value = lookup(view, request.name)
    if value is None:
        return GetSetReply(request.name, error=UNKNOWN_VARIABLE)
    if request.value is not None:
        return GetSetReply(request.name, error=READ_ONLY)
    return GetSetReply(request.name, value=value)
