"""Reading playlog events for the guide without dragging every filler into Python.

A station pads each slot with many short fillers (bumpers, promos, interstitials): typically
nine rows in ten are filler. The guide only needs where each *run* of contiguous filler starts,
its title, and where it ends, so:

1. programmes and slates are read one by one (all their columns);
2. the first filler of each run is found by an index join: the filler starting exactly where a
   programme or slate ends (the unique ``(channel_id, start_utc)`` index answers each lookup);
3. a run ends where the next programme or slate on the channel starts (the scheduler writes
   contiguous days); a run after a channel's last programme or slate is read row by row,
   which only touches the last few hours of the horizon.

A filler that follows a hole (never written by the scheduler) is not shown; the entry before
the hole simply stops at its end.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

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
    listed = _listed(connection, channel_ids, start_utc - LOOKBACK, end_utc)
    heads = _run_heads(connection, channel_ids, start_utc - LOOKBACK, end_utc)
    events: list[GuideEvent] = []
    for index, event in enumerate(listed):
        events.append(event)
        head = heads.get((event.channel_id, event.end_utc))
        if head is None:
            continue
        following = listed[index + 1] if index + 1 < len(listed) else None
        if following is not None and following.channel_id == event.channel_id:
            events.append(_run(event, following.start_utc, head))
        else:
            run_end = _trailing_run_end(connection, event.channel_id, event.end_utc, end_utc)
            events.append(_run(event, run_end, head))
    return tuple(events)


def _run(before: GuideEvent, end_utc: datetime, head: tuple[str, str | None]) -> GuideEvent:
    title, block_name = head
    return GuideEvent(
        before.channel_id, "filler", before.end_utc, end_utc, title, block_name=block_name
    )


def _listed(
    connection: Connection, channel_ids: Sequence[int], from_utc: datetime, end_utc: datetime
) -> list[GuideEvent]:
    p = PlaylogEvent.__table__.c
    query = (
        select(
            p.channel_id,
            p.kind,
            p.start_utc,
            p.end_utc,
            p.title,
            p.episode_title,
            p.series_title,
            p.season,
            p.episode,
            p.description,
            p.catalog_asset_id,
            p.block_name,
            p.guide_json,
        )
        .where(p.channel_id.in_(channel_ids), p.kind != "filler")
        .where(p.start_utc >= from_utc, p.start_utc < end_utc)
        .order_by(p.channel_id, p.start_utc)
    )
    return [_event(row) for row in connection.execute(query)]


def _event(row: Any) -> GuideEvent:
    (channel_id, kind, start, end, title, episode_title, series_title, season, episode,
     description, asset_id, block_name, extra) = row  # fmt: skip
    return GuideEvent(
        channel_id,
        kind,
        start,
        end,
        title,
        episode_title,
        series_title,
        season,
        episode,
        description,
        asset_id,
        block_name,
        extra if isinstance(extra, dict) else {},
    )


def _run_heads(
    connection: Connection, channel_ids: Sequence[int], from_utc: datetime, end_utc: datetime
) -> dict[tuple[int, datetime], tuple[str, str | None]]:
    """(channel, start) -> (title, block name) of each filler that directly follows a
    programme or slate."""
    table = PlaylogEvent.__table__
    before, head = table.alias("before"), table.alias("head")
    b, h = before.c, head.c
    query = (
        select(h.channel_id, h.start_utc, h.title, h.block_name)
        .select_from(before)
        .join(head, (h.channel_id == b.channel_id) & (h.start_utc == b.end_utc))
        .where(b.channel_id.in_(channel_ids), b.kind != "filler")
        .where(b.start_utc >= from_utc, b.start_utc < end_utc)
        .where(h.kind == "filler")
    )
    return {
        (channel_id, start): (title or "", block_name)
        for channel_id, start, title, block_name in connection.execute(query)
    }


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
