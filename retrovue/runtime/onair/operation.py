"""The station in operation, as a producer sees it: as-run hooks, director modes, play-time gating.

One :class:`StationOperation` per server (``build_stream_service`` makes it): at start-up it
finishes the as-run rows a stopped server left ``playing``, then holds the one
:class:`~retrovue.runtime.onair.asrun.AsRunRecorder` and the one
:class:`~retrovue.runtime.onair.director.DirectorPoller`. Each producer gets a
:class:`ChannelOperation` for its channel (the playout core's ``Operation``): the as-run hooks,
the director's mode (cached, cheap per frame), the gate check made when a file is opened (one
read of the catalog row; the runtime never writes configuration) and the guide listing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from retrovue.broadcast.gating import gate_reason
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.errors import DatabaseError, RetrovueError
from retrovue.runtime.onair.asrun import AsRunHooks, AsRunRecorder, close_unfinished
from retrovue.runtime.onair.director import DirectorPoller
from retrovue.runtime.onair.listing import read_listing
from retrovue.runtime.playout.hooks import ItemHooks
from retrovue.runtime.playout.modes import NORMAL, DirectorState
from retrovue.runtime.playout.timeline import TimelineItem
from retrovue.runtime.slates.pictures import GuideListing

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class StationView(Protocol):
    """What a channel's operation reads from its station: the server's
    :class:`StationOperation`, or a worker process's view of it (``runtime.worker``)."""

    @property
    def database(self) -> Database | None: ...

    @property
    def clock(self) -> Clock: ...

    def mode(self, channel_id: int) -> DirectorState: ...

    def refusal(self, catalog_asset_id: int) -> str | None: ...


class ChannelOperation:
    """What one producer consults: hooks, mode, gate, guide listing. Used in its thread."""

    def __init__(
        self,
        station: StationView | None,
        channel_id: int | None,
        *,
        hooks: ItemHooks | None = None,
    ) -> None:
        self._station = station
        self.channel_id = channel_id
        self._hooks = hooks

    @property
    def hooks(self) -> ItemHooks | None:
        return self._hooks

    def state(self) -> DirectorState:
        if self._station is None or self.channel_id is None:
            return NORMAL
        return self._station.mode(self.channel_id)

    def refusal(self, item: TimelineItem) -> str | None:
        """Why ``item``'s asset may not air now (one line), or None when it may."""
        if self._station is None or item.catalog_asset_id is None:
            return None
        return self._station.refusal(item.catalog_asset_id)

    def listing(self) -> GuideListing:
        """What the guide channel lists now (read from the database; empty without one)."""
        station = self._station
        if station is None or station.database is None or self.channel_id is None:
            now_utc = station.clock.now_utc() if station is not None else None
            return GuideListing(now_utc or _EPOCH, "UTC", ())
        try:
            return read_listing(station.database, station.clock, self.channel_id)
        except SQLAlchemyError as err:
            raise DatabaseError(f"cannot read the guide listing: {err}") from err


def gate_refusal(database: Database, catalog_asset_id: int) -> str | None:
    """Why the catalog asset may not air now (one line), or None when it may (one read)."""
    try:
        with database.transaction() as session:
            asset = session.get(CatalogAsset, catalog_asset_id)
            if asset is None:
                return f"catalog asset {catalog_asset_id} no longer exists"
            return gate_reason(asset.canonical, asset.available)
    except (RetrovueError, SQLAlchemyError) as err:  # the schedule gated it: stay on air
        log.warning("gate: cannot read catalog asset %s: %s", catalog_asset_id, err)
        return None


class StationOperation:
    """The server's one as-run recorder and director poller, and the play-time gate."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        closed = close_unfinished(database)
        if closed:
            log.warning(
                "as-run: %d row(s) left playing by a crash closed at their last heartbeat", closed
            )
        self.recorder = AsRunRecorder(database, clock=clock)
        self.director = DirectorPoller(database, clock)

    def mode(self, channel_id: int) -> DirectorState:
        return self.director.state(channel_id)

    def for_channel(self, channel_id: int | None) -> ChannelOperation:
        if channel_id is None:
            return ChannelOperation(self, None)
        return ChannelOperation(self, channel_id, hooks=AsRunHooks(self.recorder, channel_id))

    def refusal(self, catalog_asset_id: int) -> str | None:
        return gate_refusal(self.database, catalog_asset_id)

    def close(self) -> None:
        self.recorder.close()
