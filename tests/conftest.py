"""Shared fixtures: fake clock, real SQLite per test, a private PostgreSQL schema per test, CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.testing.databases import (
    PG_SKIP_REASON,
    postgres_base_url,
    postgres_database,
    postgres_schema_url,
    sqlite_database,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    with sqlite_database(tmp_path) as database:
        yield database


@pytest.fixture
def pg_db() -> Iterator[Database]:
    base = postgres_base_url()
    if base is None:
        pytest.skip(PG_SKIP_REASON)
    with postgres_database(base) as database:
        yield database


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test on SQLite and on PostgreSQL (skipped with a reason when not configured)."""
    if request.param == "sqlite":
        with sqlite_database(tmp_path) as database:
            yield database
        return
    base = postgres_base_url()
    if base is None:
        pytest.skip(PG_SKIP_REASON)
    with postgres_database(base) as database:
        yield database


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL (no schema yet) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    base = postgres_base_url()
    if base is None:
        pytest.skip(PG_SKIP_REASON)
    with postgres_schema_url(base) as url:
        yield url


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


class CliRunner:
    """Runs ``retrovue`` in-process, exactly as the console script does, with its own env."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path
    ) -> None:
        self._monkeypatch = monkeypatch
        self._capsys = capsys
        self.data_dir = data_dir
        for name in [n for n in __import__("os").environ if n.startswith("RETROVUE_")]:
            if name != "RETROVUE_TEST_DATABASE_URL":
                monkeypatch.delenv(name)
        monkeypatch.setenv("RETROVUE_DATA_DIR", str(data_dir))

    def use_database(self, url: str) -> None:
        self._monkeypatch.setenv("RETROVUE_DATABASE_URL", url)

    def __call__(self, *args: str) -> CliResult:
        from retrovue.cli.main import run_cli

        self._capsys.readouterr()
        code = run_cli(list(args))
        captured = self._capsys.readouterr()
        return CliResult(code, captured.out, captured.err)


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> CliRunner:
    return CliRunner(monkeypatch, capsys, tmp_path / "data")
