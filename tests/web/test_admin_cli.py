"""``retrovue admin password``: stored hashed, checked in constant time, short ones refused."""

from __future__ import annotations

import io
import json
import stat
import sys

import pytest

from retrovue.clock import FakeClock
from retrovue.web.auth import OperatorAuth, ensure_password, load_password, password_path
from tests.conftest import CliRunner


def test_generated_password_is_shown_once_and_stored_hashed(cli: CliRunner) -> None:
    result = cli("admin", "password", "--generate")
    assert result.code == 0, result.err
    password = result.out.strip()
    assert len(password) >= 16
    path = password_path(cli.data_dir)
    text = path.read_text()
    assert password not in text
    assert json.loads(text)["scheme"] == "scrypt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    auth = OperatorAuth(cli.data_dir, FakeClock())
    assert auth.check_password(password)
    assert not auth.check_password(password + "x")
    assert not auth.check_password("")


def test_password_from_stdin(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    result = cli("admin", "password", "--stdin")
    assert result.code == 2
    assert "at least 8 characters" in result.err
    assert load_password(cli.data_dir) is None
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough one\n"))
    assert cli("admin", "password", "--stdin").code == 0
    assert OperatorAuth(cli.data_dir, FakeClock()).check_password("a long enough one")


def test_serve_generates_one_only_when_none_is_stored(cli: CliRunner) -> None:
    first = ensure_password(cli.data_dir)
    assert first is not None
    assert ensure_password(cli.data_dir) is None
    assert OperatorAuth(cli.data_dir, FakeClock()).check_password(first)
