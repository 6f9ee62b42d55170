"""``retrovue director``: emergency slates and the modes channels are in.

The commands only write requests; a running server reads them within about a second.
"""

from __future__ import annotations

from typing import Annotated

import typer

from retrovue.broadcast.director import DirectorChange, request_clear, request_emergency
from retrovue.cli.context import get_context
from retrovue.cli.output import emit_json, emit_table
from retrovue.errors import ValidationError
from retrovue.runtime.onair.director import director_status

app = typer.Typer(
    help="Program director: emergency messages and channel modes.", no_args_is_help=True
)

ChannelArg = Annotated[str | None, typer.Argument(help="Channel guide number (or use --all).")]
AllOpt = Annotated[bool, typer.Option("--all", help="Every channel of the station.")]


def _scope(channel: str | None, every: bool) -> str | None:
    """The channel number, or None for the whole station; exactly one must be given."""
    if every and channel is not None:
        raise ValidationError("give a CHANNEL or --all, not both")
    if not every and channel is None:
        raise ValidationError("give a CHANNEL or --all")
    return channel


def _report(change: DirectorChange) -> None:
    scope = "every channel" if change.scope == "all" else f"channel {change.scope}"
    typer.echo(f"{scope}: {change.mode} (requested {change.requested_utc.isoformat()})")


@app.command("emergency")
def emergency_cmd(
    ctx: typer.Context,
    channel: ChannelArg = None,
    every: AllOpt = False,
    message: Annotated[str, typer.Option("--message", help="Text shown on screen.")] = "",
) -> None:
    """Replace programming on CHANNEL (or --all) with an emergency slate showing --message."""
    cli = get_context(ctx)
    _report(request_emergency(cli.database(), cli.clock, _scope(channel, every), message))


@app.command("clear")
def clear_cmd(ctx: typer.Context, channel: ChannelArg = None, every: AllOpt = False) -> None:
    """Return CHANNEL (or --all) to normal programming at the scheduled offset."""
    cli = get_context(ctx)
    _report(request_clear(cli.database(), cli.clock, _scope(channel, every)))


@app.command("status")
def status_cmd(
    ctx: typer.Context, json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """The mode every channel is in now (normal, emergency, guide)."""
    cli = get_context(ctx)
    rows = [s.to_dict() for s in director_status(cli.database(), cli.clock)]
    if json:
        emit_json(rows)
        return
    emit_table(rows, ("number", "name", "mode", "scope", "since_utc", "message"))
