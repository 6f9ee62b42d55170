"""Device identity values: DeviceID check digit, legacy prefixes, DeviceAuth, UPnP UUID (pure).

libhdhomerun's check: with ``LUT`` below and nibbles n7..n0 (n7 most significant), an ID is
valid when ``LUT[n7] ^ n6 ^ LUT[n5] ^ n4 ^ LUT[n3] ^ n2 ^ LUT[n1] ^ n0 == 0``; n0 is the check
digit. IDs whose top 12 bits are a legacy prefix make Channels DVR expect a legacy tuner.
"""

from __future__ import annotations

import re
import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from retrovue.errors import ConfigError

CHECK_LUT = (0xA, 0x5, 0xF, 0x6, 0x7, 0xC, 0x1, 0xB, 0x9, 0x2, 0x8, 0xD, 0x4, 0x3, 0xE, 0x0)
LEGACY_PREFIXES = frozenset({0x100, 0x101, 0x102, 0x103, 0x111, 0x120, 0x121, 0x122})
DEVICE_AUTH_LENGTH = 24
DEVICE_AUTH_ALPHABET = string.ascii_letters + string.digits
UUID_NAMESPACE = uuid.UUID("7d6b1c7e-52f4-4f3a-9a55-2f1f5e0b7a11")  # RetroVue's own namespace

RandomBits = Callable[[int], int]


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str  # 8 upper-case hex digits
    device_auth: str  # 24 characters

    @property
    def device_id_int(self) -> int:
        return int(self.device_id, 16)

    @property
    def udn(self) -> str:
        """The UPnP UDN (without the ``uuid:`` prefix), stable for a DeviceID."""
        return device_uuid(self.device_id)


def _nibbles(value: int) -> list[int]:
    return [(value >> shift) & 0xF for shift in range(28, -4, -4)]  # n7 .. n0


def _check_xor(nibbles: list[int]) -> int:
    n7, n6, n5, n4, n3, n2, n1, n0 = nibbles
    return CHECK_LUT[n7] ^ n6 ^ CHECK_LUT[n5] ^ n4 ^ CHECK_LUT[n3] ^ n2 ^ CHECK_LUT[n1] ^ n0


def check_digit_valid(device_id: int) -> bool:
    return _check_xor(_nibbles(device_id)) == 0


def is_legacy(device_id: int) -> bool:
    return (device_id >> 20) in LEGACY_PREFIXES


def with_check_digit(high_28_bits: int) -> int:
    """The ID with upper seven nibbles ``high_28_bits`` and a last nibble that makes it valid."""
    base = (high_28_bits & 0x0FFFFFFF) << 4
    return base | _check_xor(_nibbles(base))


def generate_device_id(random_bits: RandomBits = secrets.randbits) -> str:
    """A fresh valid, non-legacy DeviceID whose first digit is 1..F (never all zeros)."""
    while True:
        candidate = with_check_digit(random_bits(28))
        if candidate >> 28 and not is_legacy(candidate) and candidate != 0xFFFFFFFF:
            return f"{candidate:08X}"


def generate_device_auth(choice: Callable[[str], str] = secrets.choice) -> str:
    return "".join(choice(DEVICE_AUTH_ALPHABET) for _ in range(DEVICE_AUTH_LENGTH))


def validate_device_id(text: str, *, where: str = "device_id") -> str:
    """Upper-cased ``text`` when it is a usable DeviceID, else :class:`ConfigError`."""
    value = text.strip().upper()
    if not re.fullmatch(r"[0-9A-F]{8}", value):
        raise ConfigError(f"{where}: {text!r} is not 8 hexadecimal digits")
    number = int(value, 16)
    if not check_digit_valid(number):
        good = f"{with_check_digit(number >> 4):08X}"
        raise ConfigError(
            f"{where}: {value} fails the HDHomeRun check digit (did you mean {good}?)"
        )
    if is_legacy(number) or number == 0xFFFFFFFF:
        raise ConfigError(f"{where}: {value} uses a legacy or reserved prefix; pick another id")
    return value


def valid_device_auth(text: str) -> bool:
    return len(text) == DEVICE_AUTH_LENGTH and all(c in DEVICE_AUTH_ALPHABET for c in text)


def device_uuid(device_id: str) -> str:
    return str(uuid.uuid5(UUID_NAMESPACE, f"hdhomerun:{device_id.upper()}"))
