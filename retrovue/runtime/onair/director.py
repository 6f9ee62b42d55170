"""Program director, read side: which mode is a channel in now (normal, emergency, guide)?

The operator's requests (``retrovue director ...``, written by ``retrovue.broadcast.director``)
are read here, never written. The rule, as the pure function :func:`effective_mode`:

- among the requests not cleared at ``now`` that cover the channel (its own, or station-wide
  with ``channel_id`` NULL), the MOST RECENT one (by ``requested_utc``, then id) decides;
- an ``emergency`` request gives mode ``emergency`` with its message; a ``normal`` one (written by
  ``clear CHANNEL`` while a station-wide emergency is active) gives the channel's own mode;
- without a request the channel's own mode applies: ``guide`` for a guide channel, else ``normal``.

Emergency therefore beats guide, and a newer channel request beats an older station-wide one
and the other way round.

Integration (the producer's side)::

    director = DirectorPoller(database, clock)       # one per server, shared by producers
    state = director.state(channel_id)               # cheap; call per output frame if you like
    if state.mode == "emergency": draw slates.emergency(w, h, state.message, channel_name)
    elif state.mode == "guide":   draw slates.guide_listing(...) (see runtime/listing.py)
    else:                         play the timeline at the scheduled offset

``state`` answers from a cache refreshed from the database at most every ``refresh_s`` (0.25 s):
an emergency reaches the screen within about a second. A database error keeps the last known
states (logged), so a database outage never blanks a channel.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel, DirectorRequest
from retrovue.errors import RetrovueError
from retrovue.runtime.playout.modes import GUIDE, NORMAL, DirectorState

log = logging.getLogger(__name__)

REFRESH_S = 0.25


@dataclass(frozen=True)
class RequestView:
    """One director request as the pure rule sees it."""

    id: int
    channel_id: int | None
    mode: str
    message: str | None
    requested_utc: datetime
    cleared_utc: datetime | None = None

    @classmethod
    def of(cls, row: DirectorRequest) -> RequestView:
        return cls(
            row.id, row.channel_id, row.mode, row.message, row.requested_utc, row.cleared_utc
        )


def _active(request: RequestView, now: datetime) -> bool:
    return request.cleared_utc is None or request.cleared_utc > now


def effective_mode(
    requests: Iterable[RequestView],
    channel_id: int,
    now: datetime,
    channel_mode: str = "normal",
) -> DirectorState:
    """Pure: the mode of ``channel_id`` at ``now`` (see the module docstring for the rule)."""
    own = GUIDE if channel_mode == "guide" else NORMAL
    covering = [
        r
        for r in requests
        if _active(r, now) and (r.channel_id is None or r.channel_id == channel_id)
    ]
    if not covering:
        return own
    latest = max(covering, key=lambda r: (r.requested_utc, r.id))
    if latest.mode != "emergency":
        return own
    return DirectorState(
        "emergency",
        latest.message or "",
        latest.id,
        latest.requested_utc,
        latest.channel_id is None,
    )


def read_requests(session: Session, now: datetime) -> list[RequestView]:
    """Requests that may still be in force at ``now``."""
    stmt = select(DirectorRequest).where(
        or_(DirectorRequest.cleared_utc.is_(None), DirectorRequest.cleared_utc > now)
    )
    return [RequestView.of(row) for row in session.scalars(stmt)]


def read_channel_modes(session: Session) -> dict[int, str]:
    return {row[0]: row[1] for row in session.execute(select(Channel.id, Channel.mode))}


class DirectorPoller:
    """Cached answers to "what mode is channel X in now?", refreshed at most every ``refresh_s``.

    Thread-safe; one caller at a time refreshes, the others get the cached answer meanwhile.
    """

    def __init__(self, database: Database, clock: Clock, *, refresh_s: float = REFRESH_S) -> None:
        self._database = database
        self._clock = clock
        self._refresh_s = refresh_s
        self._lock = threading.Lock()
        self._loaded_at_s: float | None = None
        self._requests: tuple[RequestView, ...] = ()
        self._modes: Mapping[int, str] = {}

    def state(self, channel_id: int) -> DirectorState:
        self._maybe_refresh()
        now = self._clock.now_utc()
        return effective_mode(
            self._requests, channel_id, now, self._modes.get(channel_id, "normal")
        )

    def refresh(self) -> bool:
        """Reload now (blocking); False (and the old states kept) when the database fails."""
        with self._lock:
            return self._load()

    def _maybe_refresh(self) -> None:
        loaded = self._loaded_at_s
        if loaded is not None and self._clock.monotonic_s() - loaded < self._refresh_s:
            return
        if not self._lock.acquire(blocking=loaded is None):
            return  # someone else is refreshing; the cached answer is fresh enough
        try:
            self._load()
        finally:
            self._lock.release()

    def _load(self) -> bool:
        self._loaded_at_s = self._clock.monotonic_s()
        try:
            with self._database.transaction() as session:
                requests = tuple(read_requests(session, self._clock.now_utc()))
                modes = read_channel_modes(session)
        except (RetrovueError, SQLAlchemyError):  # keep the last known states
            log.exception("director: cannot read requests; keeping the last known modes")
            return False
        self._requests, self._modes = requests, modes
        return True


@dataclass(frozen=True)
class ChannelStatus:
    number: str
    name: str
    channel_mode: str
    enabled: bool
    state: DirectorState

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "name": self.name,
            "mode": self.state.mode,
            "channel_mode": self.channel_mode,
            "enabled": self.enabled,
            "message": self.state.message,
            "since_utc": self.state.since_utc,
            "scope": None
            if self.state.mode != "emergency"
            else ("station" if self.state.station_wide else "channel"),
        }


def _number_key(number: str) -> tuple[int, int, str]:
    major, _, minor = number.partition(".")
    return (
        int(major) if major.isdigit() else 0,
        int(minor) if minor.isdigit() else -1,
        number,
    )


def director_status(database: Database, clock: Clock) -> list[ChannelStatus]:
    """Every channel with the mode it is in now (for ``retrovue director status``)."""
    now = clock.now_utc()
    with database.transaction() as session:
        requests = read_requests(session, now)
        channels = list(session.scalars(select(Channel)))
        result = [
            ChannelStatus(
                c.number,
                c.name,
                c.mode,
                c.enabled,
                effective_mode(requests, c.id, now, c.mode),
            )
            for c in channels
        ]
    return sorted(result, key=lambda s: _number_key(s.number))
