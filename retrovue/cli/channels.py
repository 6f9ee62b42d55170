"""``retrovue channel``: add, list, show, update and remove channels."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from retrovue.broadcast.admin.channels import (
    ChannelOptions,
    add_channel,
    remove_channel,
    update_channel,
)
from retrovue.broadcast.channels import ChannelInfo, read_channel, read_channels
from retrovue.broadcast.timeparse import parse_hhmm
from retrovue.cli.context import get_context
from retrovue.cli.output import emit_fields, emit_json, emit_table

app = typer.Typer(
    help="Channels: guide number, name, time zone, day start, grid.", no_args_is_help=True
)

NumberArg = Annotated[
    str, typer.Argument(help="Guide number: digits with at most one dot (2, 2.1).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
BugOpt = Annotated[
    str | None,
    typer.Option("--bug", help="Station bug: a PNG/JPEG file, callsign, or none (removes it)."),
]
BugPositionOpt = Annotated[
    str | None,
    typer.Option("--bug-position", help="top-left, top-right, bottom-left, bottom-right."),
]
BugSizeOpt = Annotated[
    int | None, typer.Option("--bug-size", help="Bug height, % of the picture (3-30, default 10).")
]
BugOpacityOpt = Annotated[
    float | None, typer.Option("--bug-opacity", help="Bug opacity, 0.05-1 (default 0.7).")
]
BugBreaksOpt = Annotated[
    bool | None,
    typer.Option("--bug-in-breaks/--no-bug-in-breaks", help="Show the bug during breaks too."),
]
BugMarginOpt = Annotated[
    int | None, typer.Option("--bug-margin", help="Bug margin, % of the picture (0-20, default 4).")
]
LoudnessOpt = Annotated[
    float | None,
    typer.Option("--loudness-target", help="Loudness every item is brought to, LUFS (-24)."),
]
CaptionsOpt = Annotated[
    str | None,
    typer.Option(
        "--captions",
        help="CEA-608 captions: a subtitle language (e.g. en), off, or auto (the audio "
        "language, then English, then the first track; the default).",
    ),
]
BurnOpt = Annotated[
    str | None,
    typer.Option(
        "--burn-subtitles",
        help="Burn the image subtitles (PGS) of this language into the picture, or off "
        "(the default).",
    ),
]
CallSignOpt = Annotated[str | None, typer.Option("--callsign", help="Call sign ('' clears).")]
TimezoneOpt = Annotated[
    str | None, typer.Option("--timezone", help="IANA time zone (default: the machine's).")
]
DayStartOpt = Annotated[
    str | None, typer.Option("--day-start", help="Broadcast day start, HH:MM (default 06:00).")
]
GridOpt = Annotated[
    int | None, typer.Option("--grid-minutes", help="Grid size; must divide a day (default 30).")
]
OffsetOpt = Annotated[
    int | None, typer.Option("--grid-offset", help="Grid offset in minutes, < grid (default 0).")
]
ProfileOpt = Annotated[
    str | None, typer.Option("--profile", help="480p, 720p, 1080p or copy (default 720p).")
]
LogoOpt = Annotated[
    str | None, typer.Option("--logo", help="Logo file or http(s) URL ('' clears).")
]
ModeOpt = Annotated[str | None, typer.Option("--mode", help="normal or guide (default normal).")]
LanguageOpt = Annotated[
    str | None, typer.Option("--audio-language", help="Audio language code, e.g. en ('' clears).")
]
EnabledOpt = Annotated[
    bool | None, typer.Option("--enabled/--disabled", help="Whether the channel is on the lineup.")
]

_COLUMNS = (
    "number",
    "name",
    "call_sign",
    "timezone",
    "day_start",
    "grid",
    "profile",
    "mode",
    "enabled",
)


def _options(
    call_sign: str | None,
    timezone: str | None,
    day_start: str | None,
    grid_minutes: int | None,
    grid_offset: int | None,
    profile: str | None,
    logo: str | None,
    mode: str | None,
    audio_language: str | None,
    enabled: bool | None,
) -> ChannelOptions:
    return ChannelOptions(
        call_sign=call_sign,
        timezone=timezone,
        day_start_minutes=None
        if day_start is None
        else parse_hhmm(day_start, option="--day-start"),
        grid_minutes=grid_minutes,
        grid_offset_minutes=grid_offset,
        profile=profile,
        logo=logo,
        mode=mode,
        audio_language=audio_language,
        enabled=enabled,
    )


def _with_look(
    options: ChannelOptions,
    bug: str | None,
    position: str | None,
    size_pct: int | None,
    opacity: float | None,
    in_breaks: bool | None,
    margin_pct: int | None,
    loudness: float | None,
) -> ChannelOptions:
    return replace(
        options, bug=bug, bug_position=position, bug_size_pct=size_pct, bug_opacity=opacity,
        bug_in_breaks=in_breaks, bug_margin_pct=margin_pct, loudness_target_lufs=loudness,
    )  # fmt: skip


def _copy_note(channel: ChannelInfo) -> None:
    if channel.profile == "copy" and channel.bug:
        typer.echo(
            f"note: channel {channel.number} streams copy: its bug is drawn only when the "
            "channel is normalised (copy passes the files' pictures through)",
            err=True,
        )


def _row(channel: ChannelInfo) -> dict[str, object]:
    grid = f"{channel.grid_minutes}+{channel.grid_offset_minutes}"
    return {**channel.to_dict(), "grid": grid}


def _summary(verb: str, channel: ChannelInfo) -> str:
    return (
        f"{verb} channel {channel.number} {channel.name!r}: {channel.timezone}, day starts "
        f"{channel.day_start}, grid {channel.grid_minutes} min (offset "
        f"{channel.grid_offset_minutes}), {channel.profile}"
    )


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    number: NumberArg,
    name: Annotated[str, typer.Argument(help="Channel name.")],
    call_sign: CallSignOpt = None,
    timezone: TimezoneOpt = None,
    day_start: DayStartOpt = None,
    grid_minutes: GridOpt = None,
    grid_offset: OffsetOpt = None,
    profile: ProfileOpt = None,
    logo: LogoOpt = None,
    mode: ModeOpt = None,
    audio_language: LanguageOpt = None,
    enabled: EnabledOpt = None,
    bug: BugOpt = None,
    bug_position: BugPositionOpt = None,
    bug_size: BugSizeOpt = None,
    bug_opacity: BugOpacityOpt = None,
    bug_in_breaks: BugBreaksOpt = None,
    bug_margin: BugMarginOpt = None,
    loudness_target: LoudnessOpt = None,
    captions: CaptionsOpt = None,
    burn_subtitles: BurnOpt = None,
) -> None:
    """Add a channel."""
    cli = get_context(ctx)
    options = _options(
        call_sign, timezone, day_start, grid_minutes, grid_offset, profile, logo, mode,
        audio_language, enabled,
    )  # fmt: skip
    options = _with_look(
        options, bug, bug_position, bug_size, bug_opacity, bug_in_breaks, bug_margin,
        loudness_target,
    )  # fmt: skip
    options = replace(options, captions=captions, burn_subtitles=burn_subtitles)
    channel = add_channel(cli.database(), cli.clock, number, name, options)
    typer.echo(_summary("added", channel))
    _copy_note(channel)


@app.command("list")
def list_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List channels by guide number."""
    channels = read_channels(get_context(ctx).database())
    if as_json:
        emit_json([channel.to_dict() for channel in channels])
    else:
        emit_table([_row(channel) for channel in channels], _COLUMNS)


@app.command("show")
def show_cmd(ctx: typer.Context, number: NumberArg, as_json: JsonOpt = False) -> None:
    """Show one channel."""
    channel = read_channel(get_context(ctx).database(), number)
    if as_json:
        emit_json(channel.to_dict())
    else:
        emit_fields(channel.to_dict())


@app.command("update")
def update_cmd(
    ctx: typer.Context,
    number: NumberArg,
    new_number: Annotated[str | None, typer.Option("--number", help="New guide number.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    call_sign: CallSignOpt = None,
    timezone: TimezoneOpt = None,
    day_start: DayStartOpt = None,
    grid_minutes: GridOpt = None,
    grid_offset: OffsetOpt = None,
    profile: ProfileOpt = None,
    logo: LogoOpt = None,
    mode: ModeOpt = None,
    audio_language: LanguageOpt = None,
    enabled: EnabledOpt = None,
    bug: BugOpt = None,
    bug_position: BugPositionOpt = None,
    bug_size: BugSizeOpt = None,
    bug_opacity: BugOpacityOpt = None,
    bug_in_breaks: BugBreaksOpt = None,
    bug_margin: BugMarginOpt = None,
    loudness_target: LoudnessOpt = None,
    captions: CaptionsOpt = None,
    burn_subtitles: BurnOpt = None,
) -> None:
    """Change settings of a channel (only the options given)."""
    cli = get_context(ctx)
    options = _options(
        call_sign, timezone, day_start, grid_minutes, grid_offset, profile, logo, mode,
        audio_language, enabled,
    )  # fmt: skip
    options = _with_look(
        options, bug, bug_position, bug_size, bug_opacity, bug_in_breaks, bug_margin,
        loudness_target,
    )  # fmt: skip
    options = replace(options, captions=captions, burn_subtitles=burn_subtitles)
    channel = update_channel(
        cli.database(), cli.clock, number, options, new_number=new_number, name=name
    )
    typer.echo(_summary("updated", channel))
    _copy_note(channel)


@app.command("remove")
def remove_cmd(
    ctx: typer.Context,
    number: NumberArg,
    force: Annotated[
        bool, typer.Option("--force", help="Also remove the channel's schedule assignments.")
    ] = False,
) -> None:
    """Remove a channel (refused while it has schedule assignments, unless --force)."""
    removed = remove_channel(get_context(ctx).database(), number, force=force)
    extra = f" and {removed} schedule assignment(s)" if removed else ""
    typer.echo(f"removed channel {number}{extra}")
