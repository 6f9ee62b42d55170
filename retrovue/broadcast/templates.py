"""Templates and their blocks, read side: lookups and plain views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.broadcast.layout import BlockSpan
from retrovue.broadcast.timeparse import format_hhmm, format_minutes
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel, ScheduleDay, Template, TemplateBlock
from retrovue.errors import NotFoundError


@dataclass(frozen=True)
class BlockInfo:
    id: int
    start_minutes: int
    duration_minutes: int
    name: str | None
    rule_json: dict[str, Any]

    @classmethod
    def of(cls, row: TemplateBlock) -> BlockInfo:
        return cls(row.id, row.start_minutes, row.duration_minutes, row.name, dict(row.rule_json))

    @property
    def span(self) -> BlockSpan:
        return BlockSpan(self.start_minutes, self.duration_minutes, self.name or "")

    def to_dict(self) -> dict[str, object]:
        return {
            "start": format_hhmm(self.start_minutes),
            "end": format_hhmm(self.start_minutes + self.duration_minutes),
            "duration": format_minutes(self.duration_minutes),
            "start_minutes": self.start_minutes,
            "duration_minutes": self.duration_minutes,
            "name": self.name,
            "rule": self.rule_json,
        }


@dataclass(frozen=True)
class TemplateInfo:
    id: int
    name: str
    description: str | None
    blocks: tuple[BlockInfo, ...]
    assigned_channels: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "description": self.description,
            "blocks": [block.to_dict() for block in self.blocks],
            "assigned_channels": list(self.assigned_channels),
        }


def block_span(row: TemplateBlock) -> BlockSpan:
    return BlockSpan(row.start_minutes, row.duration_minutes, row.name or "")


def find_template(session: Session, name: str) -> Template | None:
    return session.scalars(select(Template).where(Template.name == name)).one_or_none()


def get_template(session: Session, name: str) -> Template:
    """The template called ``name``, or a one-line NotFoundError."""
    row = find_template(session, name)
    if row is None:
        raise NotFoundError(f"no template {name!r} (see: retrovue template list)")
    return row


def channels_using(session: Session, template_id: int) -> list[Channel]:
    """Channels with at least one schedule assignment of the template."""
    using = select(ScheduleDay.channel_id).where(ScheduleDay.template_id == template_id)
    stmt = select(Channel).where(Channel.id.in_(using))  # no DISTINCT over its JSON columns
    return list(session.scalars(stmt).all())


def template_info(session: Session, row: Template) -> TemplateInfo:
    blocks = sorted(row.blocks, key=lambda b: b.start_minutes)
    numbers = sorted(channel.number for channel in channels_using(session, row.id))
    return TemplateInfo(
        id=row.id,
        name=row.name,
        description=row.description,
        blocks=tuple(BlockInfo.of(block) for block in blocks),
        assigned_channels=tuple(numbers),
    )


def list_templates(session: Session) -> list[TemplateInfo]:
    rows = session.scalars(select(Template).order_by(Template.name)).all()
    return [template_info(session, row) for row in rows]


def read_templates(database: Database) -> list[TemplateInfo]:
    """Every template with its blocks, by name (one read transaction)."""
    with database.transaction() as session:
        return list_templates(session)


def read_template(database: Database, name: str) -> TemplateInfo:
    with database.transaction() as session:
        return template_info(session, get_template(session, name))
