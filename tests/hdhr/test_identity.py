"""DeviceID check digit, generation, persistence in station_setting, override, UUID."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.broadcast import StationSetting
from retrovue.errors import ConfigError
from retrovue.hdhr import identity as ident
from retrovue.hdhr.identity_store import DEVICE_AUTH_KEY, DEVICE_ID_KEY, load_identity


@pytest.mark.parametrize("device_id", ["10439EFD", "1010C032", "10A369BB"])
def test_real_ids_pass_the_check_digit(device_id: str) -> None:
    assert ident.check_digit_valid(int(device_id, 16))


def test_a_made_up_id_fails_the_check_digit() -> None:
    assert not ident.check_digit_valid(0x12345678)


def test_with_check_digit_recomputes_known_ids() -> None:
    assert ident.with_check_digit(0x10439EF) == 0x10439EFD
    assert ident.with_check_digit(0x10A369B) == 0x10A369BB


@settings(deadline=None)  # shared, loaded CPU: time is not what is tested
@given(st.integers(0, (1 << 28) - 1))
def test_generated_ids_are_valid_and_not_legacy(seed: int) -> None:
    rng = random.Random(seed)
    device_id = ident.generate_device_id(rng.getrandbits)
    assert re.fullmatch(r"[1-9A-F][0-9A-F]{7}", device_id)
    number = int(device_id, 16)
    assert ident.check_digit_valid(number)
    assert not ident.is_legacy(number)


def test_generation_skips_legacy_prefixes() -> None:
    draws = iter([0x1010C03, 0x1210000, 0x2ABCDEF])  # legacy, legacy, fine
    device_id = ident.generate_device_id(lambda _bits: next(draws))
    assert device_id.startswith("2ABCDEF")


def test_device_auth_is_24_characters() -> None:
    auth = ident.generate_device_auth()
    assert len(auth) == 24
    assert ident.valid_device_auth(auth)
    assert auth != ident.generate_device_auth()


def test_uuid_is_stable_and_distinct_per_id() -> None:
    assert ident.device_uuid("10439EFD") == ident.device_uuid("10439efd")
    assert ident.device_uuid("10439EFD") != ident.device_uuid("10A369BB")
    assert re.fullmatch(r"[0-9a-f-]{36}", ident.device_uuid("10439EFD"))


def test_validate_rejects_bad_check_digit_with_a_hint() -> None:
    with pytest.raises(ConfigError, match=r"check digit \(did you mean 1234567"):
        ident.validate_device_id("12345678")


def test_validate_rejects_legacy_and_garbage() -> None:
    with pytest.raises(ConfigError, match="legacy"):
        ident.validate_device_id("1010C032")
    with pytest.raises(ConfigError, match="8 hexadecimal"):
        ident.validate_device_id("XYZ")
    assert ident.validate_device_id("10a369bb") == "10A369BB"


def test_identity_is_generated_once_and_kept(db: Database, clock: FakeClock) -> None:
    first = load_identity(db, clock)
    second = load_identity(db, clock)
    assert first == second
    assert ident.check_digit_valid(first.device_id_int)
    with db.transaction() as session:
        stored = {row.key: row.value for row in session.query(StationSetting)}
    assert stored[DEVICE_ID_KEY] == first.device_id
    assert stored[DEVICE_AUTH_KEY] == first.device_auth


def test_override_wins_and_keeps_the_stored_id(db: Database, clock: FakeClock) -> None:
    generated = load_identity(db, clock)
    overridden = load_identity(db, clock, device_id_override="10a369bb")
    assert overridden.device_id == "10A369BB"
    assert overridden.device_auth == generated.device_auth
    assert load_identity(db, clock) == generated


def test_bad_override_is_a_config_error_and_writes_nothing(
    sqlite_db: Database, clock: FakeClock
) -> None:
    with pytest.raises(ConfigError, match="check digit"):
        load_identity(sqlite_db, clock, device_id_override="12345678")
    with sqlite_db.transaction() as session:
        assert session.query(StationSetting).count() == 0
