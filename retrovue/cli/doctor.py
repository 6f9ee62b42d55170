"""``retrovue doctor``: check the installation; exit 1 when any check fails."""

from __future__ import annotations

from typing import Annotated

import typer

from retrovue.cli.context import get_context
from retrovue.cli.output import emit_json
from retrovue.doctor.checks import run_all


def doctor(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check addresses, ports, discovery, schema, horizon, catalog files and codecs."""
    cli = get_context(ctx)
    checks = run_all(cli.settings, cli.clock, lambda: cli.database(migrate=False))
    if as_json:
        emit_json([check.to_json() for check in checks])
    else:
        for check in checks:
            typer.echo(check.line())
    if not all(check.ok for check in checks):
        raise typer.Exit(1)
