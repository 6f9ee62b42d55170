"""Program-director requests, write side: the operator's `retrovue director emergency|clear`.

A request is a row of ``broadcast_director_request``: ``channel_id`` NULL covers the whole
station; ``cleared_utc`` NULL means still active. The runtime only reads them
(``retrovue.runtime.onair.director``): the most recent active request that covers a channel
decides its mode. So:

- ``emergency CHANNEL``: that channel's active requests are cleared, a new emergency request
  for it is written (it beats an older station-wide one: newer wins).
- ``emergency --all``: every active request is cleared, one station-wide emergency is written.
- ``clear CHANNEL``: that channel's active requests are cleared; when a station-wide emergency
  is still active, a ``normal`` request for the channel is written so the channel returns to
  programming while the others stay in emergency.
- ``clear --all``: every active request is cleared (the whole station back to normal).

Each call is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel, DirectorRequest
from retrovue.errors import NotFoundError, ValidationError

MESSAGE_MAX_CHARS = 500


@dataclass(frozen=True)
class DirectorChange:
    """What a request changed: ``scope`` is a channel number or 'all'."""

    scope: str
    mode: str
    message: str | None
    requested_utc: datetime
    cleared_count: int


def check_message(message: str) -> str:
    """The operator's message, whitespace collapsed; empty or too long is a ValidationError."""
    text = " ".join(message.split())
    if not text:
        raise ValidationError("--message is empty: give the text to show on screen")
    if len(text) > MESSAGE_MAX_CHARS:
        raise ValidationError(
            f"--message is {len(text)} characters; at most {MESSAGE_MAX_CHARS} fit on screen"
        )
    return text


def _channel_id(session: Session, number: str) -> int:
    found = session.scalars(select(Channel.id).where(Channel.number == number)).one_or_none()
    if found is None:
        raise NotFoundError(f"no channel {number!r} (see: retrovue channel list)")
    return found


def _clear(session: Session, now_utc: datetime, channel_id: int | None, *, every: bool) -> int:
    stmt = update(DirectorRequest).where(DirectorRequest.cleared_utc.is_(None))
    if not every:
        stmt = stmt.where(DirectorRequest.channel_id == channel_id)
    result = session.execute(stmt.values(cleared_utc=now_utc))
    return int(getattr(result, "rowcount", 0) or 0)


def _station_emergency_active(session: Session) -> bool:
    stmt = select(DirectorRequest.id).where(
        DirectorRequest.cleared_utc.is_(None),
        DirectorRequest.channel_id.is_(None),
        DirectorRequest.mode == "emergency",
    )
    return session.scalars(stmt).first() is not None


def request_emergency(
    database: Database, clock: Clock, number: str | None, message: str
) -> DirectorChange:
    """Put channel ``number`` (or, with None, every channel) into emergency with ``message``."""
    text = check_message(message)
    now_utc = clock.now_utc()
    with database.transaction(immediate=True) as session:
        channel_id = None if number is None else _channel_id(session, number)
        cleared = _clear(session, now_utc, channel_id, every=number is None)
        session.add(
            DirectorRequest(
                channel_id=channel_id, mode="emergency", message=text, requested_utc=now_utc
            )
        )
    return DirectorChange(number or "all", "emergency", text, now_utc, cleared)


def request_clear(database: Database, clock: Clock, number: str | None) -> DirectorChange:
    """Return channel ``number`` (or, with None, every channel) to normal programming."""
    now_utc = clock.now_utc()
    with database.transaction(immediate=True) as session:
        channel_id = None if number is None else _channel_id(session, number)
        cleared = _clear(session, now_utc, channel_id, every=number is None)
        if channel_id is not None and _station_emergency_active(session):
            session.add(
                DirectorRequest(channel_id=channel_id, mode="normal", requested_utc=now_utc)
            )
    return DirectorChange(number or "all", "normal", None, now_utc, cleared)
