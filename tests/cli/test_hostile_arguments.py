"""Absurd values on the command line: a one-line error and exit 2, never an "unexpected" exit 1.

The classes of value that used to escape (ids past the INTEGER column, dates a day or a time zone
from the end of the calendar, NaN and huge floats, JSON nested thousands deep), each at the
command that showed it; then a property test that feeds such values, and random text, to every
command's arguments.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrovue.broadcast.admin.channels import add_channel
from retrovue.broadcast.admin.templates import add_template
from retrovue.cli.main import app
from retrovue.clock import FakeClock
from retrovue.testing.databases import sqlite_database
from tests.conftest import CliRunner

HUGE_ID = "99999999999999999999999"
DEEP_RULE = "[" * 10_000 + "]" * 10_000
# commands that serve, probe the network or migrate the schema: not for random input
SKIPPED = {"serve", "doctor", "db upgrade", "db downgrade", "db current", "source add plex"}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A station database with channel 30 and template Day, built once and copied per test."""
    folder = tmp_path_factory.mktemp("hostile")
    with sqlite_database(folder) as database:
        add_channel(database, FakeClock(), "30", "Thirty")
        add_template(database, FakeClock(), "Day")
    return folder / "retrovue.db"


@pytest.fixture
def station(cli: CliRunner, tmp_path: Path, seeded: Path) -> CliRunner:
    shutil.copyfile(seeded, tmp_path / "station.db")
    cli.use_database(f"sqlite:///{tmp_path / 'station.db'}")
    return cli


@pytest.mark.parametrize(
    "args",
    [
        (
            "template",
            "block",
            "add",
            "Day",
            "--start",
            "06:00",
            "--duration",
            "1h",
            "--rule",
            DEEP_RULE,
        ),
        (
            "template",
            "block",
            "add",
            "Day",
            "--start",
            "06:00",
            "--duration",
            "1h",
            "--rule",
            "[" * 500 + "]" * 500,
        ),
        ("assets", "show", HUGE_ID),
        ("catalog", "tag", HUGE_ID, "--add", "x"),
        ("catalog", "revoke", "1", HUGE_ID),
        ("assets", "show", "-1"),
        ("schedule", "now", "30", "--at", "0001-01-01T00:00:00+14:00"),
        ("schedule", "now", "30", "--at", "9999-12-31T23:59:59-14:00"),
        ("asrun", "show", "30", "--date", "9999-12-31"),
        ("asrun", "show", "30", "--date", "0001-01-01"),
        ("schedule", "show", "30", "--date", "9999-12-31"),
        ("schedule", "assign", "30", "Day", "--from", "0001-01-01", "--to", "9999-12-31"),
        ("asrun", "diff", "30", "--tolerance", "nan"),
        ("asrun", "diff", "30", "--tolerance", "inf"),
        ("asrun", "diff", "30", "--tolerance", "1e300"),
        ("channel", "add", "31", "Logo", "--logo", "x" * 5000),
        ("source", "add", "filesystem", "Files", "/" + "x" * 5000),
    ],
    ids=lambda args: " ".join(a[:12] for a in args[:4]),
)
def test_each_class_is_a_one_line_exit_2(station: CliRunner, args: tuple[str, ...]) -> None:
    result = station(*args)
    assert result.code == 2, result.err
    assert "error: unexpected" not in result.err
    assert "Traceback" not in result.err


def _leaves() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        commands = getattr(command, "commands", None)
        if commands is None:
            found.append((" ".join(path), command))
            return
        for name, sub in commands.items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return [(path, command) for path, command in found if path not in SKIPPED]


LEAVES = _leaves()
HOSTILE = st.sampled_from(
    [
        "0",
        "-1",
        "1",
        "30",
        HUGE_ID,
        str(2**63),
        "1e308",
        "nan",
        "inf",
        "-inf",
        "-0",
        "0001-01-01",
        "9999-12-31",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "2026-02-30",
        "24:00",
        "23:59",
        "99:99",
        "1h",
        "999999h",
        "mon",
        "Day",
        "x",
        "",
        " ",
        "\x01",
        "Ctl\x01\x0bchar",
        "é" * 300,
        DEEP_RULE,
        "{" * 2000,
        '{"kind": "series"}',
        "[]",
        "null",
        "/nonexistent/path",
        "http://u:p@127.0.0.1:1/",
    ]
)
VALUES = st.one_of(HOSTILE, st.text(max_size=20))


VALID = {"CHANNEL": "30", "NUMBER": "30", "TEMPLATE": "Day", "NAME": "Day"}


def _argument(param: click.Parameter) -> st.SearchStrategy[str]:
    """Mostly a value that exists (so the command goes past its lookup), else a hostile one."""
    known = VALID.get((param.name or "").upper(), "1")
    return st.one_of(st.just(known), st.just(known), VALUES)


@st.composite
def command_lines(draw: st.DrawFn, command: click.Command, out: str) -> list[str]:
    args: list[str] = []
    for param in command.params:
        if param.param_type_name == "argument":
            count = draw(st.integers(1, 3)) if param.nargs == -1 else 1
            args += [draw(_argument(param)) for _ in range(count)]
        elif param.param_type_name == "option" and draw(st.booleans()):
            name = param.opts[0]
            if param.is_flag:
                args.append(name)
            elif name == "--out":
                args += [name, out]  # files are written only where the test says
            else:
                args += [name, draw(VALUES)]
    return args


CLASSES = [  # one value of each class that escaped before (ids, dates, floats, JSON, paths)
    HUGE_ID, "nan", "1e308", "9999-12-31", "0001-01-01T00:00:00+14:00", DEEP_RULE, "\x01",
]  # fmt: skip
SLOTS = [
    (path, command, index)
    for path, command in LEAVES
    for index, param in enumerate(command.params)
    if not getattr(param, "is_flag", False) and param.opts[0] != "--out"
]


def _line(command: click.Command, index: int, value: str) -> list[str]:
    """Valid arguments, and ``value`` in the parameter at ``index``."""
    args: list[str] = []
    for at, param in enumerate(command.params):
        if param.param_type_name == "argument":
            args.append(value if at == index else VALID.get((param.name or "").upper(), "1"))
        elif at == index:
            args += [param.opts[0], value]
    return args


@pytest.mark.parametrize(
    ("path", "command", "index"), SLOTS, ids=[f"{p} {c.params[i].name}" for p, c, i in SLOTS]
)
def test_every_class_in_every_parameter_exits_0_or_2(
    station: CliRunner, path: str, command: click.Command, index: int
) -> None:
    for value in CLASSES:
        args = path.split() + _line(command, index, value)
        result = station(*args)
        assert result.code in (0, 2), (args[:6], result.err[-500:])
        assert "error: unexpected" not in result.err, (args[:6], result.err[-500:])


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=[path for path, _ in LEAVES])
@settings(
    max_examples=10,
    derandomize=True,  # the same examples on every run
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_values_to_every_command_exit_0_or_2(
    station: CliRunner, tmp_path: Path, path: str, command: click.Command, data: st.DataObject
) -> None:
    args = path.split() + data.draw(command_lines(command, str(tmp_path / "guide.xml")))
    result = station(*args)
    assert result.code in (0, 2), (args, result.err[-500:])
    assert "error: unexpected" not in result.err, (args, result.err[-500:])
