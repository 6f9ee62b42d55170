"""Schedule assignments, read side: which template a channel airs on a broadcast day.

Precedence for a broadcast day: an assignment for that date, then one for its weekday, then the
channel's default. :func:`template_for_day` is pure; the scheduler calls it with the channel's
``ScheduleDay`` rows (or :class:`AssignmentInfo` values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.broadcast.channels import get_channel
from retrovue.broadcast.timeparse import WEEKDAYS
from retrovue.db import Database
from retrovue.db.models.broadcast import ScheduleDay, Template

SELECTOR_DATE = "date"
SELECTOR_WEEKDAY = "weekday"
SELECTOR_DEFAULT = "default"
_KIND_RANK = {SELECTOR_DEFAULT: 0, SELECTOR_WEEKDAY: 1, SELECTOR_DATE: 2}


class AssignmentLike(Protocol):
    @property
    def selector_kind(self) -> str: ...
    @property
    def date(self) -> dt.date | None: ...
    @property
    def weekday(self) -> int | None: ...
    @property
    def template_id(self) -> int: ...


def template_for_day(assignments: Iterable[AssignmentLike], day: dt.date) -> int | None:
    """The template id for broadcast day ``day``: date > weekday > default; None if unassigned."""
    by_weekday: int | None = None
    by_default: int | None = None
    for item in assignments:
        if item.selector_kind == SELECTOR_DATE and item.date == day:
            return item.template_id
        if item.selector_kind == SELECTOR_WEEKDAY and item.weekday == day.weekday():
            by_weekday = item.template_id
        elif item.selector_kind == SELECTOR_DEFAULT:
            by_default = item.template_id
    return by_weekday if by_weekday is not None else by_default


def selector_for_date(day: dt.date) -> str:
    return day.isoformat()


def selector_for_weekday(weekday: int) -> str:
    return WEEKDAYS[weekday]


@dataclass(frozen=True)
class AssignmentInfo:
    """One schedule assignment of a channel, as a plain value."""

    selector_kind: str
    selector: str
    date: dt.date | None
    weekday: int | None
    template_id: int
    template: str

    @classmethod
    def of(cls, row: ScheduleDay, template_name: str) -> AssignmentInfo:
        return cls(
            row.selector_kind, row.selector, row.date, row.weekday, row.template_id, template_name
        )

    def sort_key(self) -> tuple[int, int, str]:
        return (_KIND_RANK[self.selector_kind], self.weekday or 0, self.selector)

    def to_dict(self) -> dict[str, object]:
        return {"selector": self.selector, "kind": self.selector_kind, "template": self.template}


def channel_assignments(session: Session, channel_id: int) -> list[AssignmentInfo]:
    """A channel's assignments: default, then weekdays Monday..Sunday, then dates ascending."""
    stmt = (
        select(ScheduleDay, Template.name)
        .join(Template, Template.id == ScheduleDay.template_id)
        .where(ScheduleDay.channel_id == channel_id)
    )
    items = [AssignmentInfo.of(row, name) for row, name in session.execute(stmt).all()]
    return sorted(items, key=AssignmentInfo.sort_key)


def read_assignments(database: Database, channel_number: str) -> list[AssignmentInfo]:
    """The assignments of one channel (one read transaction); NotFoundError for no such channel."""
    with database.transaction() as session:
        return channel_assignments(session, get_channel(session, channel_number).id)
