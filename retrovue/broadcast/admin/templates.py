"""Template and block admin. Each call is one transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.broadcast.admin.common import flush_or_conflict, printable
from retrovue.broadcast.channels import channel_grid
from retrovue.broadcast.layout import BlockSpan, check_blocks_fit_channel, check_new_block
from retrovue.broadcast.rules import parse_rule, rule_to_json
from retrovue.broadcast.templates import (
    BlockInfo,
    TemplateInfo,
    block_span,
    channels_using,
    find_template,
    get_template,
    template_info,
)
from retrovue.broadcast.timeparse import format_hhmm
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import Template, TemplateBlock
from retrovue.errors import ConflictError, NotFoundError, ValidationError

NAME_MAX_LENGTH = 200


def _template_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > NAME_MAX_LENGTH:
        raise ValidationError(f"template name: must be 1 to {NAME_MAX_LENGTH} characters")
    return printable(cleaned, "template name")


def _block_name(name: str | None) -> str | None:
    if name is None:
        return None
    cleaned = name.strip()
    if len(cleaned) > NAME_MAX_LENGTH:
        raise ValidationError(f"--name: longer than {NAME_MAX_LENGTH} characters")
    return printable(cleaned, "--name") or None


def _lock_template(session: Session, name: str) -> Template:
    """The template, locked for this transaction (PostgreSQL; SQLite's write lock covers it)."""
    row = get_template(session, name)
    session.execute(select(Template.id).where(Template.id == row.id).with_for_update())
    return row


def add_template(
    database: Database, clock: Clock, name: str, description: str | None = None
) -> TemplateInfo:
    cleaned = _template_name(name)
    now_utc = clock.now_utc()
    message = f"template {cleaned!r} already exists (choose another name)"
    with database.transaction(immediate=True) as session:
        if find_template(session, cleaned) is not None:
            raise ConflictError(message)
        row = Template(
            name=cleaned, description=description or None, created_utc=now_utc, updated_utc=now_utc
        )
        session.add(row)
        flush_or_conflict(session, message)
        return template_info(session, row)


def remove_template(database: Database, name: str) -> None:
    """Delete a template and its blocks; refuses while any channel has it assigned."""
    with database.transaction(immediate=True) as session:
        row = _lock_template(session, name)
        numbers = sorted(channel.number for channel in channels_using(session, row.id))
        if numbers:
            raise ConflictError(
                f"template {name!r} is assigned to channel(s) {', '.join(numbers)}: "
                "unassign it first (retrovue schedule unassign)"
            )
        session.delete(row)


def add_block(
    database: Database,
    clock: Clock,
    template: str,
    *,
    start_minutes: int,
    duration_minutes: int,
    rule_json: object,
    name: str | None = None,
) -> BlockInfo:
    """Add a block: no overlap with the template's blocks, and on the grid of every channel that
    has the template assigned. The rule is validated and stored in its canonical form."""
    rule = parse_rule(rule_json)
    block_name = _block_name(name)
    new = BlockSpan(start_minutes, duration_minutes, block_name or "")
    with database.transaction(immediate=True) as session:
        row = _lock_template(session, template)
        check_new_block((block_span(block) for block in row.blocks), new)
        for channel in channels_using(session, row.id):
            check_blocks_fit_channel([new], channel_grid(channel), row.name)
        block = TemplateBlock(
            start_minutes=start_minutes,
            duration_minutes=duration_minutes,
            name=block_name,
            rule_json=rule_to_json(rule),
        )
        row.blocks.append(block)
        row.updated_utc = clock.now_utc()
        flush_or_conflict(
            session, f"template {template!r} already has a block at {format_hhmm(start_minutes)}"
        )
        return BlockInfo.of(block)


def remove_block(database: Database, clock: Clock, template: str, start_minutes: int) -> BlockInfo:
    """Remove the block of ``template`` that starts at ``start_minutes``."""
    with database.transaction(immediate=True) as session:
        row = _lock_template(session, template)
        matches = [block for block in row.blocks if block.start_minutes == start_minutes]
        if not matches:
            raise NotFoundError(
                f"template {template!r} has no block starting at {format_hhmm(start_minutes)} "
                f"(see: retrovue template block list {template!r})"
            )
        info = BlockInfo.of(matches[0])
        row.blocks.remove(matches[0])
        row.updated_utc = clock.now_utc()
        return info
