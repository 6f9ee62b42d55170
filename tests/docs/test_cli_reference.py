"""docs/cli.md is exactly what the command tree generates, and it covers every command."""

from __future__ import annotations

from pathlib import Path

import typer.main

from retrovue.cli.main import app
from retrovue.cli.reference import render_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    assert DOC.read_text() == render_reference(), (
        "docs/cli.md is stale: python -m retrovue.cli.reference > docs/cli.md"
    )


def test_every_command_group_is_documented() -> None:
    text = DOC.read_text()
    root = typer.main.get_command(app)
    for name in getattr(root, "commands", {}):
        assert f"`retrovue {name}" in text
