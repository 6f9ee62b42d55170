"""A channel's producer in its own process: the worker's side (``supervisor`` is the server's).

The server forks a worker per live channel (``multiprocessing`` ``forkserver``: this module and
PyAV are imported once in the fork server, so a worker starts in milliseconds) and hands it two
pipes: ``control`` (both ways: the job, director modes and stop from the server; as-run events,
counters, log records and the exit report from the worker) and ``data`` (TS bytes to the server).
A crash in native code (FFmpeg, x264) or a hang therefore ends only this process; the server
keeps the viewers' connections and starts another worker.

The worker reads what it needs from the database itself (the playlog, the play-time gate, the
guide listing); it never writes: as-run events go to the server, whose one recorder writes them.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from multiprocessing.connection import Connection

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.runtime.directory import CaptionChoice, PlaylogTimeline
from retrovue.runtime.isolation import messages as msg
from retrovue.runtime.isolation.native import process_name, set_process_name
from retrovue.runtime.onair.operation import ChannelOperation, gate_refusal
from retrovue.runtime.playout.hooks import FinalStatus
from retrovue.runtime.playout.modes import DirectorState
from retrovue.runtime.playout.timeline import TimelineItem
from retrovue.runtime.producer import Producer, make_producer

STATS_S = 0.5
EXIT_WAIT_S = 10.0


class _Sender:
    """Messages to the server on the control pipe, from any of the worker's threads."""

    def __init__(self, control: Connection) -> None:
        self._control = control
        self._lock = threading.Lock()
        self.broken = False

    def send(self, message: msg.FromWorker) -> None:
        if self.broken:
            return
        with self._lock:
            try:
                self._control.send(message)
            except (OSError, ValueError):  # the server is gone; the data pipe tells the producer
                self.broken = True


class PipeHooks:
    """The producer's as-run hooks: forwarded to the server's recorder."""

    def __init__(self, sender: _Sender) -> None:
        self._sender = sender

    def item_started(self, item: TimelineItem, at_utc: datetime, file_offset_ms: int) -> None:
        self._sender.send(msg.ItemStarted(item, at_utc, file_offset_ms))

    def item_finished(
        self, item: TimelineItem, at_utc: datetime, status: FinalStatus, error: str | None
    ) -> None:
        self._sender.send(msg.ItemFinished(item, at_utc, status, error))


class _LogToServer(logging.Handler):
    """Log records go to the server, which logs them with its own format and redaction."""

    def __init__(self, sender: _Sender) -> None:
        super().__init__(logging.INFO)
        self._sender = sender

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._sender.send(msg.LogRecord(record.levelno, record.name, record.getMessage()))
        except (TypeError, ValueError):  # a record whose arguments do not fit its format
            self.handleError(record)


class WorkerStation:
    """The worker's view of the station: the director's mode as the server last sent it, the
    play-time gate and the guide listing read from the database."""

    def __init__(self, database: Database | None, clock: Clock, state: DirectorState) -> None:
        self.database = database
        self.clock = clock
        self._state = state

    def set_state(self, state: DirectorState) -> None:
        self._state = state

    def mode(self, channel_id: int) -> DirectorState:
        del channel_id  # a worker serves one channel
        return self._state

    def refusal(self, catalog_asset_id: int) -> str | None:
        if self.database is None:
            return None
        return gate_refusal(self.database, catalog_asset_id)


def worker_main(control: Connection, data: Connection) -> None:
    """The worker process's entry point: wait for the job, play it, report how it ended."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    try:
        message = control.recv()
    except (EOFError, OSError):
        return
    if not isinstance(message, msg.WorkerJob):
        return
    set_process_name(process_name(message.info.number))
    error = _run(message, control, data)
    if error is not None:
        raise SystemExit(1)


def _setup_logging(sender: _Sender) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_LogToServer(sender))
    root.setLevel(logging.INFO)


def _run(job: msg.WorkerJob, control: Connection, data: Connection) -> str | None:
    sender = _Sender(control)
    _setup_logging(sender)
    clock = job.clock
    database = Database(job.database_url) if job.database_url else None
    station = WorkerStation(database, clock, job.director)
    operation = ChannelOperation(station, job.channel_id, hooks=PipeHooks(sender))
    timeline = job.timeline
    if timeline is None:
        if database is None or job.channel_id is None:
            raise ValueError("a worker job needs a timeline or a database and a channel")
        timeline = PlaylogTimeline(
            database, job.channel_id, job.info.loudness_target_lufs, CaptionChoice.of(job.info)
        )
    done = threading.Event()
    outcome: list[str | None] = []

    def on_exit(error: BaseException | None) -> None:
        outcome.append(None if error is None else repr(error))
        done.set()

    producer = make_producer(
        job.info, timeline, clock, data.send_bytes,
        options=job.options, on_exit=on_exit, operation=operation,
    )  # fmt: skip
    producer.start()
    _serve(control, producer, station, sender, done)
    done.wait(EXIT_WAIT_S)
    error = outcome[0] if outcome else "the producer did not stop"
    sender.send(msg.Stats(producer.frames_out, producer.boundaries, producer.faults))
    sender.send(msg.Exited(error))
    data.close()
    if database is not None:
        database.dispose()
    return error


def _serve(
    control: Connection,
    producer: Producer,
    station: WorkerStation,
    sender: _Sender,
    done: threading.Event,
) -> None:
    """Until the producer ends: apply the server's messages, report the counters."""
    while not done.is_set():
        try:
            if control.poll(STATS_S):
                message: msg.ToWorker = control.recv()
                if isinstance(message, msg.Director):
                    station.set_state(message.state)
                elif isinstance(message, msg.Stop):
                    producer.stop(timeout_s=0)
        except (EOFError, OSError):  # the server is gone: stop
            producer.stop(timeout_s=0)
            return
        sender.send(msg.Stats(producer.frames_out, producer.boundaries, producer.faults))
