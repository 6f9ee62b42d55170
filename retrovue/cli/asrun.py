"""``retrovue asrun``: what actually aired, and how it differs from the playlog."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from retrovue.broadcast.timeparse import parse_date
from retrovue.cli.context import get_context
from retrovue.cli.output import emit_json, emit_table
from retrovue.cli.params import check_seconds
from retrovue.runtime.onair.asrun_report import (
    DEFAULT_TOLERANCE_MS,
    AsRunEntry,
    ChannelDay,
    Difference,
    diff_day,
    show_day,
)
from retrovue.runtime.onair.break_report import break_report

app = typer.Typer(help="As-run log: what actually aired on a channel.", no_args_is_help=True)

ChannelArg = Annotated[str, typer.Argument(help="Channel guide number.")]
DateOpt = Annotated[
    str | None,
    typer.Option("--date", help="Broadcast day, YYYY-MM-DD (default: the one on air now)."),
]
TOLERANCE_MAX_S = 86_400.0  # a day
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _local(instant: datetime | None, zone: ZoneInfo) -> str | None:
    return None if instant is None else instant.astimezone(zone).strftime("%H:%M:%S")


def _channel_json(channel: ChannelDay) -> dict[str, object]:
    return {
        "channel": channel.number,
        "name": channel.name,
        "timezone": channel.timezone,
        "date": channel.day,
        "start_utc": channel.start_utc,
        "end_utc": channel.end_utc,
    }


def _entry_json(entry: AsRunEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": entry.title,
        "status": entry.status,
        "planned_start_utc": entry.planned_start_utc,
        "planned_end_utc": entry.planned_end_utc,
        "actual_start_utc": entry.actual_start_utc,
        "actual_end_utc": entry.actual_end_utc,
        "offset_ms": entry.offset_ms,
        "error": entry.error,
        "playlog_event_id": entry.playlog_event_id,
        "catalog_asset_id": entry.catalog_asset_id,
    }


def _entry_row(entry: AsRunEntry, zone: ZoneInfo) -> dict[str, object]:
    return {
        "planned": _local(entry.planned_start_utc, zone),
        "start": _local(entry.actual_start_utc, zone),
        "end": _local(entry.actual_end_utc, zone),
        "offset_s": f"{entry.offset_ms / 1000:.1f}",
        "kind": entry.kind,
        "status": entry.status,
        "title": entry.title,
        "error": entry.error,
    }


@app.command("show")
def show_cmd(
    ctx: typer.Context, channel: ChannelArg, day: DateOpt = None, json: JsonOpt = False
) -> None:
    """What aired on CHANNEL during one broadcast day (times in the channel's zone)."""
    cli = get_context(ctx)
    wanted = None if day is None else parse_date(day, option="--date")
    result = show_day(cli.database(), cli.clock, channel, wanted)
    if json:
        emit_json(
            {**_channel_json(result.channel), "entries": [_entry_json(e) for e in result.entries]}
        )
        return
    zone = ZoneInfo(result.channel.timezone)
    typer.echo(f"channel {result.channel.number} {result.channel.name}: {result.channel.day}")
    columns = ("planned", "start", "end", "offset_s", "kind", "status", "title", "error")
    emit_table([_entry_row(e, zone) for e in result.entries], columns)


@app.command("breaks")
def breaks_cmd(
    ctx: typer.Context, channel: ChannelArg, day: DateOpt = None, json: JsonOpt = False
) -> None:
    """What aired in CHANNEL's breaks during one broadcast day: spots, repeats, cards."""
    cli = get_context(ctx)
    wanted = None if day is None else parse_date(day, option="--date")
    report = break_report(cli.database(), cli.clock, channel, wanted)
    summary = {
        "breaks": report.breaks,
        "spots": report.spots,
        "failed": report.failed,
        "up_next_cards": report.up_next_cards,
        "station_ids": report.station_ids,
    }
    spots = [{"title": title, "aired": count} for title, count in report.by_title]
    if json:
        emit_json({**_channel_json(report.channel), **summary, "spots_aired": spots})
        return
    typer.echo(f"channel {report.channel.number} {report.channel.name}: {report.channel.day}")
    typer.echo(", ".join(f"{key.replace('_', ' ')} {value}" for key, value in summary.items()))
    repeats = ", ".join(f"{title} x{count}" for title, count in report.repeats)
    typer.echo(f"repeated spots: {repeats or 'none'}")
    emit_table(spots, ("title", "aired"))


def _difference_json(item: Difference) -> dict[str, object]:
    return {
        "kind": item.kind,
        "title": item.title,
        "planned_start_utc": item.planned_start_utc,
        "playlog_event_id": item.event_id,
        "asrun_id": item.asrun_id,
        "detail": item.detail,
    }


@app.command("diff")
def diff_cmd(
    ctx: typer.Context,
    channel: ChannelArg,
    day: DateOpt = None,
    tolerance_s: Annotated[
        float, typer.Option("--tolerance", help="Seconds a start may be off before it counts.")
    ] = DEFAULT_TOLERANCE_MS / 1000,
    json: JsonOpt = False,
) -> None:
    """Differences between CHANNEL's playlog and as-run log for one broadcast day."""
    check_seconds(tolerance_s, "--tolerance", max_s=TOLERANCE_MAX_S)
    cli = get_context(ctx)
    wanted = None if day is None else parse_date(day, option="--date")
    report = diff_day(
        cli.database(), cli.clock, channel, wanted, tolerance_ms=round(tolerance_s * 1000)
    )
    if json:
        emit_json(
            {
                **_channel_json(report.channel),
                "tolerance_ms": report.tolerance_ms,
                "planned": report.planned_count,
                "clean": report.clean_count,
                "counts": report.counts,
                "differences": [_difference_json(d) for d in report.differences],
            }
        )
        return
    zone = ZoneInfo(report.channel.timezone)
    counts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items() if n)
    typer.echo(
        f"channel {report.channel.number} {report.channel.day}: {report.planned_count} planned, "
        f"{report.clean_count} aired as planned" + (f"; {counts}" if counts else "")
    )
    rows = [
        {
            "planned": _local(d.planned_start_utc, zone),
            "difference": d.kind,
            "title": d.title,
            "detail": d.detail,
        }
        for d in report.differences
    ]
    emit_table(rows, ("planned", "difference", "title", "detail"))
