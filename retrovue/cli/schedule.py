"""``retrovue schedule``: which template a channel airs on which days.

This module owns ``app`` and the assignment commands; other modules add further ``schedule``
commands (build, show, now) to the same ``app``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from retrovue.broadcast.admin.schedule import DaySelection, assign, unassign
from retrovue.broadcast.assignments import read_assignments
from retrovue.broadcast.timeparse import parse_date, parse_weekdays
from retrovue.cli.context import get_context
from retrovue.cli.output import emit_json, emit_table
from retrovue.errors import ValidationError

app = typer.Typer(
    help="Schedule: templates assigned to channel days, and the playlog.", no_args_is_help=True
)

ChannelArg = Annotated[str, typer.Argument(help="Channel guide number.")]
DateOpt = Annotated[str | None, typer.Option("--date", help="One date, YYYY-MM-DD.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First date of a range, YYYY-MM-DD.")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last date of a range (inclusive).")]
WeekdayOpt = Annotated[
    str | None, typer.Option("--weekday", help="Weekdays, e.g. mon,tue,wed (mon..sun).")
]


def day_selection(
    on_date: str | None, first: str | None, last: str | None, weekdays: str | None
) -> DaySelection:
    """The days named by --date / --from --to / --weekday; none of them: the default."""
    given = [name for name, value in (("--date", on_date), ("--weekday", weekdays)) if value]
    if first is not None or last is not None:
        given.append("--from/--to")
    if len(given) > 1:
        raise ValidationError(
            f"give only one of --date, --from/--to, --weekday (got {' and '.join(given)})"
        )
    if on_date is not None:
        return DaySelection.on_date(parse_date(on_date, option="--date"))
    if first is not None or last is not None:
        if first is None or last is None:
            raise ValidationError("--from and --to go together: give both")
        return DaySelection.date_range(
            parse_date(first, option="--from"), parse_date(last, option="--to")
        )
    if weekdays is not None:
        return DaySelection.on_weekdays(parse_weekdays(weekdays))
    return DaySelection.default()


@app.command("assign")
def assign_cmd(
    ctx: typer.Context,
    channel: ChannelArg,
    template: Annotated[str, typer.Argument(help="Template name.")],
    on_date: DateOpt = None,
    first: FromOpt = None,
    last: ToOpt = None,
    weekdays: WeekdayOpt = None,
) -> None:
    """Assign TEMPLATE to days of CHANNEL (no day option: the channel's default)."""
    cli = get_context(ctx)
    selection = day_selection(on_date, first, last, weekdays)
    result = assign(cli.database(), cli.clock, channel, template, selection)
    typer.echo(
        f"channel {result.channel}: {result.selection} -> {result.template!r} "
        f"({result.created} added, {result.replaced} replaced)"
    )


@app.command("unassign")
def unassign_cmd(
    ctx: typer.Context,
    channel: ChannelArg,
    on_date: DateOpt = None,
    first: FromOpt = None,
    last: ToOpt = None,
    weekdays: WeekdayOpt = None,
) -> None:
    """Remove CHANNEL's assignments for the given days (no day option: its default)."""
    selection = day_selection(on_date, first, last, weekdays)
    removed = unassign(get_context(ctx).database(), channel, selection)
    typer.echo(f"channel {channel}: removed {removed} assignment(s)")


@app.command("assignments")
def assignments_cmd(
    ctx: typer.Context,
    channel: ChannelArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List CHANNEL's assignments: default, weekdays, dates (a date beats a weekday beats the
    default)."""
    items = read_assignments(get_context(ctx).database(), channel)
    if as_json:
        emit_json([item.to_dict() for item in items])
    else:
        emit_table([item.to_dict() for item in items], ("selector", "kind", "template"))
