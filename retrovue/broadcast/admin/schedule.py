"""Schedule assignment admin: which template a channel airs on which days. One transaction each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from retrovue.broadcast.admin.common import flush_or_conflict
from retrovue.broadcast.assignments import (
    SELECTOR_DATE,
    SELECTOR_DEFAULT,
    SELECTOR_WEEKDAY,
    selector_for_date,
    selector_for_weekday,
)
from retrovue.broadcast.channels import channel_grid, get_channel
from retrovue.broadcast.layout import check_blocks_fit_channel
from retrovue.broadcast.templates import block_span, get_template
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel, ScheduleDay, Template
from retrovue.errors import NotFoundError, ValidationError

MAX_RANGE_DAYS = 3660


@dataclass(frozen=True)
class DaySelection:
    """The days an assign/unassign command addresses: dates, weekdays, or the default."""

    kind: str
    dates: tuple[date, ...] = ()
    weekdays: tuple[int, ...] = ()

    @classmethod
    def default(cls) -> DaySelection:
        return cls(SELECTOR_DEFAULT)

    @classmethod
    def on_date(cls, day: date) -> DaySelection:
        return cls(SELECTOR_DATE, dates=(day,))

    @classmethod
    def date_range(cls, first: date, last: date) -> DaySelection:
        if last < first:
            raise ValidationError(f"--to: {last} is before --from {first}")
        count = (last - first).days + 1
        if count > MAX_RANGE_DAYS:
            raise ValidationError(f"--from/--to: {count} days is more than {MAX_RANGE_DAYS}")
        return cls(SELECTOR_DATE, dates=tuple(first + timedelta(days=n) for n in range(count)))

    @classmethod
    def on_weekdays(cls, weekdays: tuple[int, ...]) -> DaySelection:
        if not weekdays:
            raise ValidationError("--weekday: give at least one weekday")
        return cls(SELECTOR_WEEKDAY, weekdays=weekdays)

    def rows(self) -> list[tuple[str, date | None, int | None]]:
        """``(selector, date, weekday)`` for each ``ScheduleDay`` row this selection means."""
        if self.kind == SELECTOR_DATE:
            return [(selector_for_date(day), day, None) for day in self.dates]
        if self.kind == SELECTOR_WEEKDAY:
            return [(selector_for_weekday(day), None, day) for day in self.weekdays]
        return [(SELECTOR_DEFAULT, None, None)]

    def describe(self) -> str:
        selectors = [selector for selector, _, _ in self.rows()]
        if self.kind == SELECTOR_DATE and len(selectors) > 2:
            return f"{selectors[0]}..{selectors[-1]} ({len(selectors)} days)"
        return ",".join(selectors)


@dataclass(frozen=True)
class AssignResult:
    channel: str
    template: str
    created: int
    replaced: int
    selection: str


def _lock(session: Session, model: type[Channel] | type[Template], row_id: int) -> None:
    session.execute(select(model.id).where(model.id == row_id).with_for_update())


def assign(
    database: Database,
    clock: Clock,
    channel_number: str,
    template_name: str,
    selection: DaySelection,
) -> AssignResult:
    """Assign a template to days of a channel (replacing what those days had), after checking
    that every block of the template lies on the channel's grid and inside its broadcast day."""
    now_utc = clock.now_utc()
    with database.transaction(immediate=True) as session:
        channel = get_channel(session, channel_number)
        template = get_template(session, template_name)
        _lock(session, Channel, channel.id)
        _lock(session, Template, template.id)
        spans = [block_span(block) for block in template.blocks]
        check_blocks_fit_channel(spans, channel_grid(channel), template.name)
        existing = _existing(session, channel.id, selection)
        created = replaced = 0
        for selector, day, weekday in selection.rows():
            row = existing.get(selector)
            if row is not None:
                replaced += row.template_id != template.id
                row.template_id = template.id
                continue
            created += 1
            session.add(
                ScheduleDay(
                    channel_id=channel.id,
                    template_id=template.id,
                    selector_kind=selection.kind,
                    selector=selector,
                    date=day,
                    weekday=weekday,
                    created_utc=now_utc,
                )
            )
        flush_or_conflict(
            session, f"channel {channel_number}: another command changed these days; try again"
        )
        return AssignResult(channel.number, template.name, created, replaced, selection.describe())


def _existing(session: Session, channel_id: int, selection: DaySelection) -> dict[str, ScheduleDay]:
    selectors = [selector for selector, _, _ in selection.rows()]
    stmt = select(ScheduleDay).where(
        ScheduleDay.channel_id == channel_id, ScheduleDay.selector.in_(selectors)
    )
    return {row.selector: row for row in session.scalars(stmt).all()}


def unassign(database: Database, channel_number: str, selection: DaySelection) -> int:
    """Remove the channel's assignments for the selected days; returns how many were removed."""
    with database.transaction(immediate=True) as session:
        channel = get_channel(session, channel_number)
        _lock(session, Channel, channel.id)
        existing = _existing(session, channel.id, selection)
        if not existing:
            raise NotFoundError(
                f"channel {channel_number} has no assignment for {selection.describe()} "
                f"(see: retrovue schedule assignments {channel_number})"
            )
        ids = [row.id for row in existing.values()]
        session.execute(delete(ScheduleDay).where(ScheduleDay.id.in_(ids)))
        return len(ids)
