"""docs/configuration.md names every command and option of channel, template and schedule."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from retrovue.cli import channels, schedule, templates

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
ASSIGNMENT_COMMANDS = {"assign", "unassign", "assignments"}


def _walk(group: Any, path: str) -> Iterator[tuple[str, Any]]:
    for name, command in group.commands.items():
        full = f"{path} {name}"
        if hasattr(command, "commands"):
            yield from _walk(command, full)
        else:
            yield full, command


def _commands() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for app, name in ((channels.app, "channel"), (templates.app, "template")):
        found += _walk(typer.main.get_command(app), f"retrovue {name}")
    # other modules add build/show/now to the schedule group; this page covers the assignments
    found += [
        (path, command)
        for path, command in _walk(typer.main.get_command(schedule.app), "retrovue schedule")
        if command.name in ASSIGNMENT_COMMANDS
    ]
    return found


def _flags(command: Any) -> list[str]:
    return [
        flag
        for param in command.params
        if param.param_type_name == "option"
        for flag in [*param.opts, *param.secondary_opts]
        if flag != "--help"
    ]


COMMANDS = _commands()


def test_every_command_is_found() -> None:
    paths = {path for path, _ in COMMANDS}
    assert "retrovue template block add" in paths
    assert {"retrovue schedule assign", "retrovue channel update"} <= paths
    assert "--enabled" in _flags(dict(COMMANDS)["retrovue channel add"])
    assert "--disabled" in _flags(dict(COMMANDS)["retrovue channel add"])


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[path for path, _ in COMMANDS])
def test_documented(path: str, command: Any) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert path in text
    for flag in _flags(command):
        assert flag in text, f"{path}: {flag} is not in {DOC.name}"
