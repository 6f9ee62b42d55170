"""``retrovue schedule build | show | now``: the playlog horizon and what is airing.

These commands join the ``schedule`` group that ``retrovue.cli.schedule`` defines: ``cli.main``
calls :func:`register` with it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from retrovue.broadcast.timeparse import parse_date, parse_instant
from retrovue.cli.context import get_context
from retrovue.cli.output import emit_fields, emit_json, emit_table
from retrovue.scheduler.horizon import BuildSummary, Progress, build_horizon
from retrovue.scheduler.query import OnAir, now_playing, schedule_for_day

ChannelArg = Annotated[str, typer.Argument(help="Channel guide number.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _parse_date(option: str, text: str | None) -> date | None:
    return None if text is None else parse_date(text, option=option)


def _parse_instant(text: str | None) -> datetime | None:
    return None if text is None else parse_instant(text, option="--at")


@contextmanager
def _progress_bar() -> Iterator[Progress | None]:
    """A progress bar on a terminal; nothing when output goes to a file or pipe."""
    if not sys.stdout.isatty():
        yield None
        return
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            state["bar"] = typer.progressbar(length=total, label="building")
            state["bar"].__enter__()
        state["bar"].update(done - state.get("done", 0))
        state["done"] = done

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def _print_summary(summary: BuildSummary) -> None:
    if summary.skipped:
        typer.echo(f"skipped: {summary.skipped}")
        return
    typer.echo(str(summary))
    for line in summary.slate_days:
        typer.echo(f"slate day: {line}")
    for note in summary.notes:
        typer.echo(f"note: {note}")


def build_cmd(
    ctx: typer.Context,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Only this channel (guide number).")
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days", help="Broadcast days to keep built, today included (default: horizon_days)."
        ),
    ] = None,
    rebuild_from: Annotated[
        str | None,
        typer.Option("--rebuild-from", help="Replace built days from this date on (never today)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Build every missing broadcast day from today on (idempotent; one transaction per day)."""
    cli = get_context(ctx)
    first = _parse_date("--rebuild-from", rebuild_from)
    with _progress_bar() as progress:
        summary = build_horizon(
            cli.database(),
            cli.clock,
            channel_number=channel,
            days=cli.settings.horizon_days if days is None else days,
            rebuild_from=first,
            history_days=cli.settings.history_days,
            progress=None if as_json else progress,
        )
    if as_json:
        emit_json(summary.to_dict())
    else:
        _print_summary(summary)


def _local(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _episode(event: OnAir) -> str | None:
    label = f"S{event.season:02d}E{event.episode:02d}" if event.episode is not None else ""
    if event.season is None and event.episode is not None:
        label = f"E{event.episode:02d}"
    parts = [part for part in (label, event.episode_title) if part]
    return " ".join(parts) or None


def show_cmd(
    ctx: typer.Context,
    channel: ChannelArg,
    on_date: Annotated[
        str | None, typer.Option("--date", help="Broadcast day, YYYY-MM-DD (default: today).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """A channel's events on one broadcast day (local times)."""
    cli = get_context(ctx)
    schedule = schedule_for_day(cli.database(), cli.clock, channel, _parse_date("--date", on_date))
    if as_json:
        emit_json(
            [event.to_json() | {"offset_ms": event.asset_offset_ms} for event in schedule.events]
        )
        return
    zone = ZoneInfo(schedule.timezone)
    typer.echo(
        f"channel {schedule.channel_number}, broadcast day {schedule.day} ({schedule.timezone})"
    )
    rows = [
        {
            "start": _local(event.start_utc, zone),
            "end": _local(event.end_utc, zone),
            "kind": event.kind,
            "title": event.title,
            "episode": _episode(event),
            "role": event.role or "",
        }
        for event in schedule.events
    ]
    columns: tuple[str, ...] = ("start", "end", "kind", "title", "episode")
    if any(event.role for event in schedule.events):  # a day with breaks: show the parts
        columns = (*columns, "role")
    emit_table(rows, columns)


def now_cmd(
    ctx: typer.Context,
    channel: ChannelArg,
    at: Annotated[
        str | None, typer.Option("--at", help="ISO 8601 instant (default: now; no zone = UTC).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The event on air on a channel, and how far into it the instant lies."""
    cli = get_context(ctx)
    event = now_playing(cli.database(), cli.clock, channel, _parse_instant(at))
    if as_json:
        emit_json(event.to_json())
        return
    emit_fields(
        {
            "start": event.start_utc.isoformat(),
            "end": event.end_utc.isoformat(),
            "kind": event.kind,
            "title": event.title,
            "episode": _episode(event),
            "asset_id": event.catalog_asset_id,
            "offset": f"{event.offset_ms / 1000:.3f} s into the event",
            "asset_offset": f"{event.asset_offset_ms / 1000:.3f} s into the file",
        }
    )


def register(group: typer.Typer) -> None:
    """Add ``build``, ``show`` and ``now`` to the ``schedule`` group."""
    group.command("build")(build_cmd)
    group.command("show")(show_cmd)
    group.command("now")(now_cmd)
