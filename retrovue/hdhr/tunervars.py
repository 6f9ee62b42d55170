"""The per-tuner variables a client reads over TCP 65001 (pure): ``/tuner<n>/<name>``.

A tuner is idle, streaming to an HTTP client (``use``), or tuned by a control client
(``control``). The texts follow what real units answer and what libhdhomerun and TVHeadend parse:
``status`` is ``ch=... lock=... ss=... snq=... seq=... bps=... pps=...`` (a signal strength of
35 or more means "signal present" to TVHeadend), ``streaminfo`` lines are
``<program>: <major>[.<minor>] <name>`` then ``tsid=0x....``, ``vstatus`` is
``vch=... name=... auth=... cci=... cgms=...``.
"""

from __future__ import annotations

from collections.abc import Sequence

from retrovue.hdhr.lineup import LineupChannel
from retrovue.hdhr.tuners import ControlView, TunerState
from retrovue.hdhr.tuning import CHANNEL_MAP, ChannelValue, format_filter

TUNER_VARIABLES = (
    "status", "vstatus", "streaminfo", "debug", "lockkey", "channel", "channelmap", "vchannel",
    "program", "filter", "target",
)  # fmt: skip
SIGNAL_LOCKED = "ss=100 snq=100 seq=100"
NO_SIGNAL = "lock=none ss=0 snq=0 seq=0"


def programs_of(channel: ChannelValue, lineup: Sequence[LineupChannel]) -> list[LineupChannel]:
    """The lineup channels a tuned number reaches: the guide number itself, else every
    ``<number>.<minor>`` (the programs of one RF channel), in guide order."""
    exact = [c for c in lineup if c.number == channel.number]
    if exact:
        return exact
    return [c for c in lineup if c.number.split(".", 1)[0] == channel.number]


def selected(
    channel: ChannelValue, program: int | None, lineup: Sequence[LineupChannel]
) -> LineupChannel | None:
    """What streams: the chosen program, or the first when none is chosen."""
    programs = programs_of(channel, lineup)
    if program is None:
        return programs[0] if programs else None
    return programs[program - 1] if 0 < program <= len(programs) else None


def streaminfo(channel: ChannelValue, lineup: Sequence[LineupChannel]) -> str:
    programs = programs_of(channel, lineup)
    if not programs:
        return "none\n"
    lines = [f"{i}: {c.number} {c.name}" for i, c in enumerate(programs, start=1)]
    tsid = int(channel.major) & 0xFFFF
    return "\n".join(lines) + f"\ntsid=0x{tsid:04x}\n"


def _status(text: str, lock: str | None, bps: int, pps: int) -> str:
    signal = NO_SIGNAL if lock is None else f"lock={lock} {SIGNAL_LOCKED}"
    return f"ch={text} {signal} bps={bps} pps={pps}"


def _vstatus(chosen: LineupChannel | None) -> str:
    if chosen is None:
        return "vch=none name=none auth=none cci=none cgms=none"
    name = "_".join(chosen.name.split()) or "none"  # clients read the name as one word
    return f"vch={chosen.number} name={name} auth=unspecified cci=unrestricted cgms=unrestricted"


def _debug(status: str, bps: int, pps: int) -> str:
    return (
        f"tun: {status.rsplit(' bps=', 1)[0]}\n"
        f"dev: bps={bps} resync=0 overflow=0\n"
        f"ts:  bps={bps} te=0 crc=0\n"
        f"net: pps={pps} err=0 stop=0\n"
    )


def _controlled(control: ControlView, lineup: Sequence[LineupChannel]) -> dict[str, str]:
    channel = control.channel
    chosen = None if channel is None else selected(channel, control.program, lineup)
    if channel is None:
        status = _status("none", None, 0, 0)
    else:
        status = _status(channel.text, channel.lock if chosen else None, control.bps, control.pps)
    return {
        "status": status,
        "vstatus": _vstatus(chosen),
        "streaminfo": "none\n" if channel is None else streaminfo(channel, lineup),
        "debug": _debug(status, control.bps, control.pps),
        "lockkey": (control.owner or "none") if control.locked else "none",
        "channel": "none" if channel is None else channel.text,
        "vchannel": "none" if chosen is None else chosen.number,
        "program": "none" if control.program is None else str(control.program),
        "filter": format_filter(control.ranges),
        "target": "none" if control.target is None else str(control.target),
    }


def _http(state: TunerState, lineup: Sequence[LineupChannel]) -> dict[str, str]:
    use = state.use
    if use is None:
        status = _status("none", None, 0, 0)
        return {
            "status": status, "vstatus": _vstatus(None), "streaminfo": "none\n",
            "debug": _debug(status, 0, 0), "lockkey": "none", "channel": "none",
            "vchannel": "none", "program": "none", "filter": "0x0000-0x1fff", "target": "none",
        }  # fmt: skip
    chosen = next((c for c in lineup if c.number == use.channel_number), None)
    status = _status(f"auto:{use.channel_number}", "qam256", 0, 0)
    return {
        "status": status,
        "vstatus": _vstatus(chosen or LineupChannel(use.channel_number, use.channel_name, False)),
        "streaminfo": f"1: {use.channel_number} {use.channel_name}\n",
        "debug": _debug(status, 0, 0),
        "lockkey": use.client,  # an HTTP stream holds the tuner like a lock
        "channel": f"auto:{use.channel_number}",
        "vchannel": use.channel_number,
        "program": "1",
        "filter": "0x0000-0x1fff",
        "target": f"http://{use.client}",
    }


def tuner_value(state: TunerState, name: str, lineup: Sequence[LineupChannel]) -> str | None:
    """The value of ``/tuner<n>/<name>``, or None when the tuner has no such variable."""
    if name not in TUNER_VARIABLES:
        return None
    if name == "channelmap":
        return CHANNEL_MAP
    control = state.control
    if control is not None and (state.use is None or control.holds_slot):
        return _controlled(control, lineup)[name]
    return _http(state, lineup)[name]
