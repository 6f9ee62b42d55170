"""The CLI skeleton: help, version, db commands, and error mapping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from retrovue import __version__
from tests.conftest import CliRunner


def test_help_and_version(cli: CliRunner) -> None:
    result = cli("--help")
    assert result.code == 0
    assert "db" in result.out
    result = cli("--version")
    assert (result.code, result.out.strip()) == (0, f"retrovue {__version__}")


def test_db_upgrade_current_downgrade(cli: CliRunner) -> None:
    assert cli("db", "upgrade").code == 0
    assert (cli.data_dir / "retrovue.db").is_file()
    result = cli("db", "current", "--json")
    assert result.code == 0
    assert '"up_to_date": true' in result.out
    assert cli("db", "downgrade", "base").code == 0
    assert "current: base" in cli("db", "current").out


def test_config_errors_are_one_line_exit_2(cli: CliRunner, monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("RETROVUE_TUNER_COUNT", "lots")
    result = cli("db", "current")
    assert result.code == 2
    assert result.err == "error: RETROVUE_TUNER_COUNT: expected an integer, got 'lots'\n"
    assert not (cli.data_dir / "retrovue.db").exists()


def test_unreachable_database_is_one_line_exit_2(cli: CliRunner) -> None:
    cli.use_database("postgresql://nobody@127.0.0.1:1/none")
    result = cli("db", "upgrade")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert result.err.startswith("error: cannot connect to")


def test_missing_config_file(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("--config", str(tmp_path / "nope.toml"), "db", "current")
    assert result.code == 2
    assert "does not exist" in result.err


def test_unknown_command_is_usage_error(cli: CliRunner) -> None:
    result = cli("db", "frobnicate")
    assert result.code == 2
    assert "No such command" in result.err


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    env = {"RETROVUE_DATA_DIR": str(tmp_path), "RETROVUE_STREAM_PORT": "x", "PATH": "/usr/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "retrovue", "db", "current"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "error: RETROVUE_STREAM_PORT: expected an integer, got 'x'"
