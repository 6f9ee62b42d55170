"""The as-run recorder: what actually aired, written by the runtime (its only writes).

Integration (one recorder per server, shared by every producer). With the producer's hooks::

    recorder = AsRunRecorder(database)          # at start-up, after close_unfinished(...)
    Producer(..., hooks=AsRunHooks(recorder, channel_id))
    recorder.close()                            # at shutdown

or directly::

    recorder = AsRunRecorder(database)          # starts one writer thread
    handle = recorder.started(channel_id, item, actual_start_utc, offset_ms)
    ...                                          # the item plays
    recorder.finished(handle, actual_end_utc, "aired")            # or "cut"
    recorder.finished(handle, actual_end_utc, "failed", error="cannot open /x.mkv: ...")
    recorder.close()                             # on shutdown: drains the queue, stops the thread

``item`` is anything with ``start_utc``, ``end_utc``, ``kind`` ('programme' | 'filler' |
'slate'), ``title``, ``event_id`` and ``catalog_asset_id`` (the runtime's ``TimelineItem`` fits);
``offset_ms`` is how far into the item (the playlog event) the output started. A programme
whose file fails is finished as ``failed`` with the error (the producer's hooks do this at the end
of its slot, which the slate filled). A slate recorded as its own item with ``kind='slate'`` and
the replaced programme's ``event_id`` (e.g. refused at play time, or an emergency) shows in
``asrun diff`` as a substitution.

Why a queue and a writer thread: the producer paces video to the wall clock and must never wait
for the database (a busy SQLite write lock can hold a writer for seconds). ``started`` and
``finished`` only put a record on a bounded queue and return at once; they never raise. The
writer thread writes each record in its own short transaction and logs (never raises) when the
database refuses. The handle ``started`` returns is the recorder's own number for the row;
:meth:`AsRunRecorder.row_id` gives the database id once written (``flush`` waits for that).

Heartbeat: every ``heartbeat_s`` the writer stamps the rows it has open with the clock's now
(``aired_until_utc``). A server that dies without closing them (SIGKILL, power loss) leaves rows
``playing``; the next start closes each at the last instant known to have aired (its last stamp,
never past its planned end, never before its start) as ``cut``, with :data:`UNFINISHED_ERROR`.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, get_args

from sqlalchemy import select, update

from retrovue.clock import Clock, SystemClock
from retrovue.db import Database
from retrovue.db.models.broadcast import EVENT_KINDS, AsRun, CatalogAsset, PlaylogEvent
from retrovue.runtime.playout.hooks import FinalStatus

log = logging.getLogger(__name__)

FINAL_STATUSES: tuple[str, ...] = get_args(FinalStatus)
QUEUE_LIMIT = 10_000
HANDLES_KEPT = 4096
TITLE_MAX = 1000
ERROR_MAX = 2000
HEARTBEAT_S = 5.0
UNFINISHED_ERROR = "ended by a crash: the server stopped while it was on air"


class AsRunItem(Protocol):
    """What the recorder needs to know about an item (``TimelineItem`` satisfies it)."""

    @property
    def start_utc(self) -> datetime: ...
    @property
    def end_utc(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def event_id(self) -> int | None: ...
    @property
    def catalog_asset_id(self) -> int | None: ...


@dataclass(frozen=True)
class StartRecord:
    handle: int
    channel_id: int
    kind: str
    title: str
    planned_start_utc: datetime
    planned_end_utc: datetime
    actual_start_utc: datetime
    offset_ms: int
    event_id: int | None
    catalog_asset_id: int | None


@dataclass(frozen=True)
class FinishRecord:
    handle: int
    actual_end_utc: datetime
    status: str
    error: str | None


def start_record(
    handle: int, channel_id: int, item: AsRunItem, actual_start_utc: datetime, offset_ms: int
) -> StartRecord:
    """A clean record of a start (pure): known kind, bounded title, non-negative offset."""
    kind = item.kind if item.kind in EVENT_KINDS else "slate"
    return StartRecord(
        handle=handle,
        channel_id=channel_id,
        kind=kind,
        title=(item.title or "(untitled)")[:TITLE_MAX],
        planned_start_utc=item.start_utc,
        planned_end_utc=item.end_utc,
        actual_start_utc=actual_start_utc,
        offset_ms=max(0, int(offset_ms)),
        event_id=item.event_id,
        catalog_asset_id=item.catalog_asset_id,
    )


def insert_started(database: Database, record: StartRecord) -> int:
    """Write one 'playing' row (own short transaction); links to rows that no longer exist are
    dropped rather than refused. Returns the row id."""
    with database.transaction(immediate=True) as session:
        event_id = record.event_id
        if event_id is not None and session.get(PlaylogEvent, event_id) is None:
            event_id = None
        asset_id = record.catalog_asset_id
        if asset_id is not None and session.get(CatalogAsset, asset_id) is None:
            asset_id = None
        row = AsRun(
            channel_id=record.channel_id,
            playlog_event_id=event_id,
            catalog_asset_id=asset_id,
            kind=record.kind,
            title=record.title,
            planned_start_utc=record.planned_start_utc,
            planned_end_utc=record.planned_end_utc,
            actual_start_utc=record.actual_start_utc,
            aired_until_utc=record.actual_start_utc,
            offset_ms=record.offset_ms,
            status="playing",
        )
        session.add(row)
        session.flush()
        return row.id


def update_finished(database: Database, row_id: int, record: FinishRecord) -> None:
    """Close one row with its end, final status and error (own short transaction)."""
    with database.transaction(immediate=True) as session:
        session.execute(
            update(AsRun)
            .where(AsRun.id == row_id)
            .values(actual_end_utc=record.actual_end_utc, status=record.status, error=record.error)
        )


def stamp_playing(database: Database, row_ids: list[int], at_utc: datetime) -> None:
    """The heartbeat: ``row_ids`` (still playing) aired until ``at_utc`` (own transaction)."""
    with database.transaction(immediate=True) as session:
        session.execute(
            update(AsRun)
            .where(AsRun.id.in_(row_ids), AsRun.status == "playing")
            .values(aired_until_utc=at_utc)
        )


def crash_end(row: AsRun) -> datetime:
    """Where a row a crash left playing ends (pure): its last heartbeat, never past its planned
    end, never before its start."""
    end = row.aired_until_utc or row.actual_start_utc
    if row.planned_end_utc is not None:
        end = min(end, row.planned_end_utc)
    return max(end, row.actual_start_utc)


def close_unfinished(database: Database) -> int:
    """Close the rows a crashed server left 'playing' (see :func:`crash_end`) as cut, marked
    :data:`UNFINISHED_ERROR`; returns how many. Call once at start-up, before any producer runs.
    """
    with database.transaction(immediate=True) as session:
        rows = list(session.scalars(select(AsRun).where(AsRun.status == "playing")))
        for row in rows:
            row.actual_end_utc = crash_end(row)
            row.status, row.error = "cut", UNFINISHED_ERROR
        return len(rows)


_STOP = object()
_BEAT = object()


class AsRunRecorder:
    """Thread-safe, never-raising recorder with one background writer thread."""

    def __init__(
        self,
        database: Database,
        *,
        clock: Clock | None = None,
        heartbeat_s: float = HEARTBEAT_S,
        queue_limit: int = QUEUE_LIMIT,
    ) -> None:
        self._database = database
        self._clock = clock or SystemClock()
        self._heartbeat_s = heartbeat_s
        self._playing: set[int] = set()  # row ids started and not yet finished
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_limit)
        self._handles = itertools.count(1)
        self._row_ids: dict[int, int] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="asrun-writer", daemon=True)
        self._thread.start()

    def started(
        self, channel_id: int, item: AsRunItem, actual_start_utc: datetime, offset_ms: int
    ) -> int:
        """Record that ``item`` went on air; returns the handle for :meth:`finished`."""
        handle = next(self._handles)
        self._put(start_record(handle, channel_id, item, actual_start_utc, offset_ms))
        return handle

    def finished(
        self,
        asrun_id: int,
        actual_end_utc: datetime,
        status: FinalStatus | str,
        error: str | None = None,
    ) -> None:
        """Record how the item ended: 'aired', 'cut' (stopped early) or 'failed' (+ error)."""
        if status not in FINAL_STATUSES:
            log.error(
                "as-run: unknown status %r for handle %s, recorded as failed", status, asrun_id
            )
            error = f"{error or ''} (unknown status {status!r})".strip()
            status = "failed"
        text = None if error is None else " ".join(str(error).split())[:ERROR_MAX]
        self._put(FinishRecord(asrun_id, actual_end_utc, status, text))

    def beat(self) -> None:
        """Stamp the open rows now (the writer also does this every ``heartbeat_s``)."""
        self._put(_BEAT)

    def row_id(self, handle: int) -> int | None:
        """The database id of a handle's row, once written (``None`` before or if it failed)."""
        with self._lock:
            return self._row_ids.get(handle)

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything queued so far is written (True) or ``timeout_s`` passes."""
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout_s)
        except queue.Full:
            return False
        return done.wait(timeout_s)

    def close(self, timeout_s: float = 10.0) -> None:
        """Write what is queued, then stop the writer thread. Later calls are ignored."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        try:
            self._queue.put(_STOP, timeout=timeout_s)
        except queue.Full:
            log.error("as-run: queue still full at shutdown; unwritten records are lost")
            return
        self._thread.join(timeout_s)

    def _put(self, record: object) -> None:
        if self._closed:
            log.warning("as-run: recorder closed, record dropped: %s", record)
            return
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            log.error("as-run: queue full (database too slow?), record dropped: %s", record)

    def _run(self) -> None:
        ticks = SystemClock()  # the queue's timeout is real time, whatever clock stamps rows
        next_beat_s = ticks.monotonic_s() + self._heartbeat_s
        while True:
            try:
                record = self._queue.get(timeout=max(0.0, next_beat_s - ticks.monotonic_s()))
            except queue.Empty:
                record = _BEAT
            if record is _STOP:
                return
            if isinstance(record, threading.Event):
                record.set()
                continue
            if record is _BEAT or ticks.monotonic_s() >= next_beat_s:
                next_beat_s = ticks.monotonic_s() + self._heartbeat_s
                self._guarded(self._beat)
            if record is not _BEAT:
                self._guarded(self._write, record)

    def _guarded(self, write: Callable[..., None], *args: object) -> None:
        try:
            write(*args)
        except Exception:  # edge of the writer loop: log and go on
            log.exception("as-run: cannot write")

    def _beat(self) -> None:
        if self._playing:
            stamp_playing(self._database, sorted(self._playing), self._clock.now_utc())

    def _write(self, record: object) -> None:
        if isinstance(record, StartRecord):
            row_id = insert_started(self._database, record)
            self._playing.add(row_id)
            with self._lock:
                self._row_ids[record.handle] = row_id
                while len(self._row_ids) > HANDLES_KEPT:  # oldest first (insertion order)
                    del self._row_ids[next(iter(self._row_ids))]
        elif isinstance(record, FinishRecord):
            with self._lock:
                row_id_or_none = self._row_ids.get(record.handle)
            if row_id_or_none is None:
                log.warning("as-run: end of handle %s without a written start", record.handle)
                return
            self._playing.discard(row_id_or_none)
            update_finished(self._database, row_id_or_none, record)


class AsRunHooks:
    """The producer's hooks (``item_started``/``item_finished``) feeding an :class:`AsRunRecorder`.

    ``Producer(..., hooks=AsRunHooks(recorder, channel_id))``: the producer reports the instant
    each item started and ended in its output; the offset recorded is how far into the item
    (the playlog event) the output started. Never raises into the producer.
    """

    def __init__(self, recorder: AsRunRecorder, channel_id: int) -> None:
        self._recorder = recorder
        self._channel_id = channel_id
        self._handles: dict[object, int] = {}

    def item_started(self, item: AsRunItem, at_utc: datetime, file_offset_ms: int) -> None:
        del file_offset_ms  # the file position; the as-run log keeps the offset into the event
        try:
            offset_ms = max(0, round((at_utc - item.start_utc).total_seconds() * 1000))
            handle = self._recorder.started(self._channel_id, item, at_utc, offset_ms)
            self._handles[_key(item)] = handle
        except Exception:
            log.exception("as-run: cannot record a start on channel %s", self._channel_id)

    def item_finished(
        self, item: AsRunItem, at_utc: datetime, status: FinalStatus, error: str | None
    ) -> None:
        handle = self._handles.pop(_key(item), None)
        if handle is None:
            log.warning("as-run: end of %r without its start on channel %s", item, self._channel_id)
            return
        self._recorder.finished(handle, at_utc, status, error)


def _key(item: AsRunItem) -> object:
    """Equal items (the producer may hand over an equal copy) share a key."""
    try:
        hash(item)
    except TypeError:
        return id(item)
    return item
