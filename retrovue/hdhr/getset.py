"""Answers to TCP 65001 gets, from a snapshot of the station (pure).

The network side never changes configuration: a ``set`` of a system variable is refused here;
sets of tuner variables go to the tuner controller (``hdhr/control.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrovue.hdhr.device import FIRMWARE_NAME, FIRMWARE_VERSION, MODEL_NUMBER, Device
from retrovue.hdhr.lineup import LineupChannel
from retrovue.hdhr.packets import UNKNOWN_VARIABLE, GetSetReply, GetSetRequest
from retrovue.hdhr.tuners import TunerState
from retrovue.hdhr.tunervars import tuner_value
from retrovue.hdhr.tuning import CHANNEL_MAP, MODULATIONS, READ_ONLY

FEATURES = (
    f"channelmap: {CHANNEL_MAP}\nmodulation: 8vsb qam256 qam64\n"
    f"auto-modulation: {' '.join(m for m in MODULATIONS if m.startswith('auto') or m == 'qam')}\n"
)
COPYRIGHT = "RetroVue HDHomeRun emulation. Not a Silicondust product."
HELP_TUNER = (
    "/tuner<n>/channel <modulation>:<freq|ch>",
    "/tuner<n>/channelmap <channelmap>",
    "/tuner<n>/debug",
    '/tuner<n>/filter "0x<nnnn>-0x<nnnn> [...]"',
    "/tuner<n>/lockkey",
    "/tuner<n>/program <program number>",
    "/tuner<n>/streaminfo",
    "/tuner<n>/status",
    "/tuner<n>/target <udp|rtp>://<ip>:<port>",
    "/tuner<n>/vchannel <vchannel>",
    "/tuner<n>/vstatus",
)
NAME_MAX = 256  # longer names are no variable of ours; the reply echoes this much of them
SYSTEM_VARIABLES = (
    "/sys/copyright", "/sys/debug", "/sys/features", "/sys/hwmodel", "/sys/model", "/sys/version",
)  # fmt: skip


@dataclass(frozen=True)
class StationView:
    device: Device
    tuners: Sequence[TunerState]
    lineup: Sequence[LineupChannel]


def _help(view: StationView) -> str:
    names = ["/lineup/scan", *SYSTEM_VARIABLES, *HELP_TUNER]
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


def lookup(view: StationView, name: str) -> str | None:
    """The value of variable ``name``, or None when there is no such variable."""
    system = _system(view)
    if name in system:
        return system[name]
    match = re.fullmatch(r"/tuner([0-9]{1,6})/([a-z]+)", name)  # no 5,000-digit int()
    if match is None:
        return None
    index = int(match.group(1))
    if index >= len(view.tuners):
        return None
    return tuner_value(view.tuners[index], match.group(2), view.lineup)


def answer(view: StationView, request: GetSetRequest) -> GetSetReply:
    if len(request.name) > NAME_MAX:  # echoed whole, it could not be encoded in one reply
        return GetSetReply(request.name[:NAME_MAX], error=UNKNOWN_VARIABLE)
    value = lookup(view, request.name)
    if value is None:
        return GetSetReply(request.name, error=UNKNOWN_VARIABLE)
    if request.value is not None:
        return GetSetReply(request.name, error=READ_ONLY)
    return GetSetReply(request.name, value=value)
