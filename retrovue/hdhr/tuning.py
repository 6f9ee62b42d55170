"""The values a client sets on a tuner over TCP 65001, parsed and checked (pure).

Each parser returns the value or raises :class:`BadValue`, whose text is the error reply the
client reads (``ERROR: ...``, as real units answer).

Channels: a virtual channel is reached the way clients tune a real unit, ``<modulation>:<n>``
where ``n`` is a guide number (``auto:2``, ``auto:4.1``), a US cable channel number or a
frequency in Hz (``auto6t:57000000`` is cable channel 2); ``none`` untunes.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

MODULATIONS = ("auto", "auto6t", "auto6c", "qam", "qam64", "qam256", "8vsb")
LOCK_BY_MODULATION = {"auto6t": "8vsb", "8vsb": "8vsb", "qam64": "qam64"}  # else qam256
CHANNEL_MAP = "us-cable"
# US cable channel plan: (first channel, last channel, centre of the first in Hz, spacing in Hz)
US_CABLE_HZ = (
    (2, 4, 57_000_000, 6_000_000),
    (5, 6, 79_000_000, 6_000_000),
    (7, 13, 177_000_000, 6_000_000),
    (14, 22, 123_000_000, 6_000_000),
    (23, 94, 219_000_000, 6_000_000),
    (95, 99, 93_000_000, 6_000_000),
    (100, 158, 651_000_000, 6_000_000),
)
FREQUENCY_MIN_HZ = 1_000_000  # numbers this large are frequencies, smaller ones channels
TUNER_RANGE_HZ = (54_000_000, 1_002_000_000)  # what the tuner accepts at all
LOCK_TOLERANCE_HZ = 500_000  # further from a channel's centre, nothing locks (HRC is 1.25 MHz off)
PID_MAX = 0x1FFF
FULL_FILTER = ((0, PID_MAX),)
FILTER_RANGES_MAX = 64
LOCKKEY_MAX = 0xFFFFFFFF
PROGRAM_MAX = 0xFFFF
TARGET_PROTOCOLS = ("udp", "rtp")

INVALID_CHANNEL = "ERROR: invalid channel"
INVALID_TARGET = "ERROR: invalid target"
INVALID_LOCKKEY = "ERROR: invalid lockkey"
INVALID_PROGRAM = "ERROR: invalid program"
INVALID_FILTER = "ERROR: invalid filter"
INVALID_CHANNELMAP = "ERROR: invalid channelmap"
READ_ONLY = "ERROR: read-only variable"


class BadValue(ValueError):
    """A value the tuner refuses; ``str()`` is the error reply."""


@dataclass(frozen=True)
class ChannelValue:
    """A tuned channel: what the client wrote and the number it names."""

    text: str  # as set, echoed by ``get channel`` and in ``status``
    modulation: str
    number: str  # a guide number ("2", "4.1") or a cable channel number

    @property
    def lock(self) -> str:
        return LOCK_BY_MODULATION.get(self.modulation, "qam256")

    @property
    def major(self) -> str:
        return self.number.split(".", 1)[0]


@dataclass(frozen=True)
class Target:
    protocol: str  # "udp" or "rtp"
    host: str
    port: int

    @property
    def rtp(self) -> bool:
        return self.protocol == "rtp"

    def __str__(self) -> str:
        return f"{self.protocol}://{self.host}:{self.port}"


def cable_channel_of(frequency_hz: int) -> int | None:
    """The US cable channel centred within ``LOCK_TOLERANCE_HZ`` of ``frequency_hz``."""
    for first, last, start_hz, spacing_hz in US_CABLE_HZ:
        for channel in range(first, last + 1):
            centre_hz = start_hz + (channel - first) * spacing_hz
            if abs(frequency_hz - centre_hz) <= LOCK_TOLERANCE_HZ:
                return channel
    return None


def parse_channel(text: str) -> ChannelValue | None:
    """``none`` -> None; ``<modulation>:<guide number | cable channel | frequency Hz>``. A
    frequency in the tuner's range off every channel tunes to nothing (number ``""``: no lock)."""
    value = text.strip()
    if value == "none":
        return None
    match = re.fullmatch(r"([a-z0-9]{1,8}):([0-9]{1,10})(?:\.([0-9]{1,5}))?", value)
    if match is None or match.group(1) not in MODULATIONS:
        raise BadValue(INVALID_CHANNEL)
    modulation, whole, minor = match.groups()
    number = int(whole)
    if minor is None and number >= FREQUENCY_MIN_HZ:
        if not TUNER_RANGE_HZ[0] <= number <= TUNER_RANGE_HZ[1]:
            raise BadValue(INVALID_CHANNEL)
        channel = cable_channel_of(number)
        return ChannelValue(value, modulation, "" if channel is None else str(channel))
    if number >= FREQUENCY_MIN_HZ:
        raise BadValue(INVALID_CHANNEL)
    return ChannelValue(value, modulation, str(number) if minor is None else f"{number}.{minor}")


def parse_vchannel(text: str) -> str | None:
    """A virtual channel (``2``, ``4.1``) or ``none``."""
    value = text.strip()
    if value == "none":
        return None
    match = re.fullmatch(r"([0-9]{1,5})(?:\.([0-9]{1,5}))?", value)
    if match is None:
        raise BadValue(INVALID_CHANNEL)
    major, minor = match.groups()
    return str(int(major)) if minor is None else f"{int(major)}.{int(minor)}"


def parse_target(text: str) -> Target | None:
    """``udp://a.b.c.d:port``, ``rtp://a.b.c.d:port`` (IPv4, as real units), or ``none``."""
    value = text.strip()
    if value == "none":
        return None
    match = re.fullmatch(r"([a-z]{3})://([0-9.]{7,15}):([0-9]{1,5})/?", value)
    if match is None or match.group(1) not in TARGET_PROTOCOLS:
        raise BadValue(INVALID_TARGET)
    protocol, host, port_text = match.groups()
    try:
        address = ipaddress.IPv4Address(host)
    except ValueError:
        raise BadValue(INVALID_TARGET) from None
    port = int(port_text)
    if not 1 <= port <= 65535 or address.is_unspecified:
        raise BadValue(INVALID_TARGET)
    return Target(protocol, str(address), port)


@dataclass(frozen=True)
class LockRequest:
    """``key`` None: release (``none``); ``force``: release whoever holds it."""

    key: int | None
    force: bool = False


def parse_lockkey(text: str) -> LockRequest:
    value = text.strip()
    if value == "none":
        return LockRequest(None)
    if value == "force":
        return LockRequest(None, force=True)
    if not re.fullmatch(r"[0-9]{1,10}", value) or not 0 < int(value) <= LOCKKEY_MAX:
        raise BadValue(INVALID_LOCKKEY)
    return LockRequest(int(value))


def parse_program(text: str) -> int | None:
    """A program number of the tuned channel; ``0`` or ``none`` means the whole channel."""
    value = text.strip()
    if value == "none":
        return None
    if not re.fullmatch(r"[0-9]{1,5}", value) or int(value) > PROGRAM_MAX:
        raise BadValue(INVALID_PROGRAM)
    return int(value) or None


PidRanges = tuple[tuple[int, int], ...]


def _pid(text: str) -> int:
    if not re.fullmatch(r"0x[0-9a-fA-F]{1,4}|[0-9]{1,4}", text):
        raise BadValue(INVALID_FILTER)
    pid = int(text, 16) if text.startswith("0x") else int(text)
    if pid > PID_MAX:
        raise BadValue(INVALID_FILTER)
    return pid


def parse_filter(text: str) -> PidRanges:
    """Space-separated PIDs and ranges: ``0x0000-0x1fff``, ``0x0000 0x0030-0x0031``."""
    ranges: list[tuple[int, int]] = []
    tokens = text.split()
    if len(tokens) > FILTER_RANGES_MAX:
        raise BadValue(INVALID_FILTER)
    for token in tokens:
        low_text, dash, high_text = token.partition("-")
        low = _pid(low_text)
        high = _pid(high_text) if dash else low
        if high < low:
            raise BadValue(INVALID_FILTER)
        ranges.append((low, high))
    return tuple(ranges)


def format_filter(ranges: PidRanges) -> str:
    return " ".join(
        f"0x{low:04x}" if low == high else f"0x{low:04x}-0x{high:04x}" for low, high in ranges
    )


def parse_channelmap(text: str) -> str:
    if text.strip() != CHANNEL_MAP:
        raise BadValue(INVALID_CHANNELMAP)
    return CHANNEL_MAP
