"""Rendering for commands: JSON for machines, aligned tables for people."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer


def _default(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(data: object) -> str:
    return json.dumps(data, default=_default, indent=2, ensure_ascii=False)


def emit_json(data: object) -> None:
    typer.echo(to_json(data))


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value) or "-"
    return str(value)


def emit_table(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> None:
    """Print rows as an aligned table; an empty list prints a note instead."""
    if not rows:
        typer.echo("(none)")
        return
    cells = [[_cell(row.get(col)) for col in columns] for row in rows]
    widths = [max(len(col), *(len(line[i]) for line in cells)) for i, col in enumerate(columns)]
    typer.echo("  ".join(col.upper().ljust(widths[i]) for i, col in enumerate(columns)).rstrip())
    for line in cells:
        typer.echo("  ".join(value.ljust(widths[i]) for i, value in enumerate(line)).rstrip())


def emit_fields(data: Mapping[str, object]) -> None:
    """Print one record as ``key: value`` lines."""
    width = max((len(key) for key in data), default=0)
    for key, value in data.items():
        typer.echo(f"{key.ljust(width)}  {_cell(value)}")
