"""Reading playlog events for the guide without dragging every filler into Python.

A station pads each slot with many short fillers (bumpers, promos, interstitials): typically
nine rows in ten are filler. The guide only needs where each *run* of contiguous filler starts,
its title, and where it ends, so:

1. programmes and slates are read one by one (all their columns), each joined with the first
   filler of the run that follows it: the filler starting exactly where it ends (the unique
   ``(channel_id, start_utc)`` index answers each lookup);
2. a run ends where the next programme or slate on the channel starts (the scheduler writes
   contiguous days); a run after a channel's last programme or slate is read row by row,
   which only touches the last few hours of the horizon.

A filler that follows a hole (never written by the scheduler) is not shown; the entry before
the hole simply stops at its end.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, String, select, type_coerce

from retrovue.db.models.broadcast import PlaylogEvent
from retrovue.guide.model import GuideEvent

# events starting this long before the window are read too, so a programme that began before
# the window keeps its padding and its entry
LOOKBACK = timedelta(hours=12)
# the trailing filler run of a channel is read up to this far past the window
RUN_LOOKAHEAD = timedelta(hours=6)


def read_events(
    connection: Connection, channel_ids: Sequence[int], start_utc: datetime, end_utc: datetime
) -> tuple[GuideEvent, ...]:
    """Programmes, slates and filler runs of the window, sorted by channel and start."""
    rows = connection.execute(_listed_query(channel_ids, start_utc - LOOKBACK, end_utc)).all()
    times: dict[object, datetime] = {}
    listed = [_event(row, times) for row in rows]
    events: list[GuideEvent] = []
    for index, event in enumerate(listed):
        events.append(event)
        head_title, head_block = rows[index][-2:]
        if head_title is None:
            continue
        following = listed[index + 1] if index + 1 < len(listed) else None
        if following is not None and following.channel_id == event.channel_id:
            run_end = following.start_utc
        else:
            run_end = _trailing_run_end(connection, event.channel_id, event.end_utc, end_utc)
        events.append(
            GuideEvent(
                event.channel_id,
                "filler",
                event.end_utc,
                run_end,
                head_title or "",
                block_name=head_block,
            )
        )
    return tuple(events)


def _listed_query(channel_ids: Sequence[int], from_utc: datetime, end_utc: datetime) -> Select[Any]:
    """Programmes and slates, each with the title and block of the filler right after it (the
    unique ``(channel_id, start_utc)`` index answers that join). Times and JSON come back raw
    and are decoded in :func:`_event`, much cheaper per row than the column types."""
    table = PlaylogEvent.__table__
    event, head = table.alias("p"), table.alias("head")
    p = event.c
    return (
        select(
            p.channel_id,
            p.kind,
            type_coerce(p.start_utc, String),
            type_coerce(p.end_utc, String),
            p.title,
            p.episode_title,
            p.series_title,
            p.season,
            p.episode,
            p.description,
            p.catalog_asset_id,
            p.block_name,
            type_coerce(p.guide_json, String),
            head.c.title,
            head.c.block_name,
        )
        .select_from(
            event.outerjoin(
                head,
                (head.c.channel_id == p.channel_id)
                & (head.c.start_utc == p.end_utc)
                & (head.c.kind == "filler"),
            )
        )
        .where(p.channel_id.in_(channel_ids), p.kind != "filler")
        .where(p.start_utc >= from_utc, p.start_utc < end_utc)
        .order_by(p.channel_id, p.start_utc)
    )


def _event(row: Any, times: dict[object, datetime]) -> GuideEvent:
    (channel_id, kind, start, end, title, episode_title, series_title, season, episode,
     description, asset_id, block_name, extra, _head_title, _head_block) = row  # fmt: skip
    return GuideEvent(
        channel_id,
        kind,
        _utc(start, times),
        _utc(end, times),
        title,
        episode_title,
        series_title,
        season,
        episode,
        description,
        asset_id,
        block_name,
        _json(extra),
    )


def _utc(value: Any, times: dict[object, datetime]) -> datetime:
    """A raw driver value (SQLite text, PostgreSQL datetime) as an aware UTC datetime."""
    found = times.get(value)
    if found is None:
        if isinstance(value, str):
            found = datetime.fromisoformat(value)
        elif isinstance(value, datetime):
            found = value
        else:
            raise TypeError(f"unexpected time value {value!r}")
        found = found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)
        times[value] = found
    return found


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        if value in ("{}", "null", ""):
            return {}
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _trailing_run_end(
    connection: Connection, channel_id: int, run_start_utc: datetime, end_utc: datetime
) -> datetime:
    """Where a channel's last run of filler ends (read row by row; only the tail)."""
    p = PlaylogEvent.__table__.c
    query = (
        select(p.kind, p.start_utc, p.end_utc)
        .where(p.channel_id == channel_id, p.start_utc >= run_start_utc)
        .where(p.start_utc < end_utc + RUN_LOOKAHEAD)
        .order_by(p.start_utc)
    )
    run_end = run_start_utc
    for kind, start, end in connection.execute(query):
        if kind != "filler" or start != run_end:
            break
        run_end = end
    return run_end
