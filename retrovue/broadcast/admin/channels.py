"""Channel admin: add, update, remove. Each call is one transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from retrovue.broadcast import look
from retrovue.broadcast.admin.common import flush_or_conflict, printable
from retrovue.broadcast.channels import ChannelInfo, channel_grid, find_channel, get_channel
from retrovue.broadcast.layout import (
    check_blocks_fit_channel,
    check_day_start,
    check_grid,
    check_guide_number,
)
from retrovue.broadcast.templates import block_span
from retrovue.broadcast.timeparse import check_timezone, machine_timezone
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import CHANNEL_MODES, PROFILES, Channel, ScheduleDay, Template
from retrovue.errors import ConflictError, ValidationError
from retrovue.library.subtitles import CAPTIONS_OFF

DEFAULT_DAY_START_MINUTES = 360
DEFAULT_GRID_MINUTES = 30
DEFAULT_GRID_OFFSET_MINUTES = 0
DEFAULT_PROFILE = "720p"
DEFAULT_MODE = "normal"
_LANGUAGE_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
_URL_PREFIXES = ("http://", "https://")


@dataclass(frozen=True)
class ChannelOptions:
    """Optional channel settings. ``None`` leaves a value as it is (update) or takes the default
    (add); an empty string clears ``call_sign``, ``logo`` and ``audio_language``."""

    call_sign: str | None = None
    timezone: str | None = None
    day_start_minutes: int | None = None
    grid_minutes: int | None = None
    grid_offset_minutes: int | None = None
    profile: str | None = None
    logo: str | None = None
    mode: str | None = None
    audio_language: str | None = None
    enabled: bool | None = None
    bug: str | None = None  # an image file, "callsign", or "" / "none" to remove the bug
    bug_position: str | None = None
    bug_size_pct: int | None = None
    bug_opacity: float | None = None
    bug_in_breaks: bool | None = None
    bug_margin_pct: int | None = None
    loudness_target_lufs: float | None = None
    captions: str | None = None  # "off", "auto" (or "") for automatic, or a language code
    burn_subtitles: str | None = None  # a language, or "off" / "" for none

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


def _name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 200:
        raise ValidationError("channel name: must be 1 to 200 characters")
    return printable(cleaned, "channel name")


def _optional_text(value: str, option: str, max_length: int) -> str | None:
    cleaned = value.strip()
    if len(cleaned) > max_length:
        raise ValidationError(f"{option}: longer than {max_length} characters")
    return printable(cleaned, option) or None


def _logo(value: str) -> str | None:
    cleaned = value.strip()
    if not cleaned or cleaned.startswith(_URL_PREFIXES):
        return cleaned or None
    path = Path(cleaned).expanduser()
    try:
        is_file = path.is_file()
    except OSError as err:  # e.g. a name longer than the filesystem allows
        raise ValidationError(f"--logo: {cleaned[:200]!r}: {err.strerror}") from err
    if not is_file:
        raise ValidationError(f"--logo: {cleaned!r} is neither an http(s) URL nor an existing file")
    return str(path.resolve())


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise ValidationError(f"{option}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _language(value: str) -> str | None:
    cleaned = value.strip()
    if cleaned and _LANGUAGE_RE.fullmatch(cleaned) is None:
        raise ValidationError(
            f"--audio-language: {value!r} is not a language code (like en, deu or pt-BR)"
        )
    return cleaned or None


def _captions(value: str) -> str | None:
    """The stored caption setting: None (automatic), ``off`` or a language code."""
    cleaned = value.strip()
    if cleaned.lower() in ("", "auto"):
        return None
    if cleaned.lower() == CAPTIONS_OFF:
        return CAPTIONS_OFF
    if _LANGUAGE_RE.fullmatch(cleaned) is None:
        raise ValidationError(
            f"--captions: {value[:50]!r} is not off, auto or a language code (like en, deu or "
            "pt-BR)"
        )
    return cleaned


def _burn_subtitles(value: str) -> str | None:
    """The language of the image subtitles to burn in, or None (``off``)."""
    cleaned = value.strip()
    if cleaned.lower() in ("", CAPTIONS_OFF):
        return None
    if _LANGUAGE_RE.fullmatch(cleaned) is None:
        raise ValidationError(
            f"--burn-subtitles: {value[:50]!r} is not off or a language code (like en, deu or "
            "pt-BR)"
        )
    return cleaned


def _apply(row: Channel, options: ChannelOptions) -> None:
    """Validate each given option and set it on ``row`` (grid consistency is checked after)."""
    if options.call_sign is not None:
        row.call_sign = _optional_text(options.call_sign, "--callsign", 50)
    if options.timezone is not None:
        row.timezone = check_timezone(options.timezone)
    if options.day_start_minutes is not None:
        check_day_start(options.day_start_minutes)
        row.day_start_minutes = options.day_start_minutes
    if options.grid_minutes is not None:
        row.grid_minutes = options.grid_minutes
    if options.grid_offset_minutes is not None:
        row.grid_offset_minutes = options.grid_offset_minutes
    if options.profile is not None:
        row.profile = _choice(options.profile, PROFILES, "--profile")
    if options.logo is not None:
        row.logo = _logo(options.logo)
    if options.mode is not None:
        row.mode = _choice(options.mode, CHANNEL_MODES, "--mode")
    if options.audio_language is not None:
        row.audio_language = _language(options.audio_language)
    if options.enabled is not None:
        row.enabled = options.enabled
    if options.captions is not None:
        row.captions = _captions(options.captions)
    if options.burn_subtitles is not None:
        row.burn_subtitles = _burn_subtitles(options.burn_subtitles)
    _apply_look(row, options)
    check_grid(row.grid_minutes, row.grid_offset_minutes)


def _apply_look(row: Channel, options: ChannelOptions) -> None:
    bug_options = (
        options.bug, options.bug_position, options.bug_size_pct, options.bug_opacity,
        options.bug_in_breaks, options.bug_margin_pct,
    )  # fmt: skip
    if any(value is not None for value in bug_options):
        row.bug = look.updated_bug(
            dict(row.bug or {}), image=options.bug, position=options.bug_position,
            size_pct=options.bug_size_pct, opacity=options.bug_opacity,
            in_breaks=options.bug_in_breaks, margin_pct=options.bug_margin_pct,
        )  # fmt: skip
    if options.loudness_target_lufs is not None:
        row.loudness_target_lufs = look.loudness_target(options.loudness_target_lufs)


def _check_free(session: Session, number: str) -> None:
    if find_channel(session, number) is not None:
        raise ConflictError(f"channel {number} already exists (choose another number)")


def add_channel(
    database: Database,
    clock: Clock,
    number: str,
    name: str,
    options: ChannelOptions = ChannelOptions(),
) -> ChannelInfo:
    """Create a channel; defaults: the machine's time zone, day start 06:00, grid 30, 720p."""
    check_guide_number(number)
    now_utc = clock.now_utc()
    defaults = ChannelOptions(
        timezone=machine_timezone(),
        day_start_minutes=DEFAULT_DAY_START_MINUTES,
        grid_minutes=DEFAULT_GRID_MINUTES,
        grid_offset_minutes=DEFAULT_GRID_OFFSET_MINUTES,
        profile=DEFAULT_PROFILE,
        mode=DEFAULT_MODE,
        enabled=True,
    )
    merged = replace(
        defaults,
        **{f.name: v for f in fields(options) if (v := getattr(options, f.name)) is not None},
    )
    row = Channel(number=number, name=_name(name), created_utc=now_utc, updated_utc=now_utc)
    _apply(row, merged)
    with database.transaction(immediate=True) as session:
        _check_free(session, number)
        session.add(row)
        flush_or_conflict(session, f"channel {number} already exists (choose another number)")
        return ChannelInfo.of(row)


def _assigned_templates(session: Session, channel_id: int) -> list[Template]:
    stmt = (
        select(Template)
        .join(ScheduleDay, ScheduleDay.template_id == Template.id)
        .where(ScheduleDay.channel_id == channel_id)
        .distinct()
        .order_by(Template.name)
    )
    ids = [row.id for row in session.scalars(stmt).all()]
    locked = select(Template).where(Template.id.in_(ids)).order_by(Template.id).with_for_update()
    return list(session.scalars(locked).all())


def _lock_channel(session: Session, number: str) -> Channel:
    row = get_channel(session, number)
    session.execute(select(Channel.id).where(Channel.id == row.id).with_for_update())
    return row


def update_channel(
    database: Database,
    clock: Clock,
    number: str,
    options: ChannelOptions,
    *,
    new_number: str | None = None,
    name: str | None = None,
) -> ChannelInfo:
    """Change the given settings; assigned templates must still fit a changed grid or day start."""
    if options.is_empty() and new_number is None and name is None:
        raise ValidationError("nothing to update: give at least one option (see --help)")
    if new_number is not None:
        check_guide_number(new_number)
    with database.transaction(immediate=True) as session:
        row = _lock_channel(session, number)
        if new_number is not None and new_number != number:
            _check_free(session, new_number)
            row.number = new_number
        if name is not None:
            row.name = _name(name)
        _apply(row, options)
        for template in _assigned_templates(session, row.id):
            spans = (block_span(block) for block in template.blocks)
            check_blocks_fit_channel(spans, channel_grid(row), template.name)
        row.updated_utc = clock.now_utc()
        flush_or_conflict(session, f"channel {row.number} already exists (choose another number)")
        return ChannelInfo.of(row)


def remove_channel(database: Database, number: str, *, force: bool = False) -> int:
    """Delete a channel; refuses while it has schedule assignments unless ``force``.

    Returns how many assignments were removed with it.
    """
    with database.transaction(immediate=True) as session:
        row = _lock_channel(session, number)
        count_stmt = select(func.count()).where(ScheduleDay.channel_id == row.id)
        assignments = session.scalar(count_stmt) or 0
        if assignments and not force:
            raise ConflictError(
                f"channel {number} has {assignments} schedule assignment(s): "
                "unassign them first, or use --force to remove them with the channel"
            )
        session.execute(delete(ScheduleDay).where(ScheduleDay.channel_id == row.id))
        session.delete(row)
        return assignments
