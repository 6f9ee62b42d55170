"""DeviceID check digit, generation, persistence in the data directory, override, UUID."""

from __future__ import annotations

import json
import random
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrovue.errors import ConfigError
from retrovue.hdhr import identity as ident
from retrovue.hdhr.identity_store import IDENTITY_FILE, load_identity


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


def test_identity_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_identity(tmp_path)
    second = load_identity(tmp_path)
    assert first == second
    assert ident.check_digit_valid(first.device_id_int)
    assert not ident.is_legacy(first.device_id_int)
    stored = json.loads((tmp_path / IDENTITY_FILE).read_text())
    assert stored == {"device_id": first.device_id, "device_auth": first.device_auth}


def test_each_data_directory_has_its_own_identity(tmp_path: Path) -> None:
    one = load_identity(tmp_path / "one")
    two = load_identity(tmp_path / "two")
    assert one.device_id != two.device_id


def test_concurrent_first_starts_agree(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        identities = set(pool.map(lambda _: load_identity(tmp_path), range(16)))
    assert len(identities) == 1
    assert [p.name for p in tmp_path.iterdir()] == [IDENTITY_FILE]


def test_override_wins_and_keeps_the_stored_id(tmp_path: Path) -> None:
    generated = load_identity(tmp_path)
    overridden = load_identity(tmp_path, device_id_override="10a369bb")
    assert overridden.device_id == "10A369BB"
    assert overridden.device_auth == generated.device_auth
    assert load_identity(tmp_path) == generated


def test_bad_override_is_a_config_error_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="check digit"):
        load_identity(tmp_path, device_id_override="12345678")
    assert list(tmp_path.iterdir()) == []


def test_damaged_identity_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / IDENTITY_FILE).write_text('{"device_id": "12345678", "device_auth": "x"}')
    with pytest.raises(ConfigError, match="not a valid DeviceID; delete the file"):
        load_identity(tmp_path)
