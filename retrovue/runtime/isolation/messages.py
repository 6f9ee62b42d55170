"""The worker pipe's wire format: every message between the server and a producer's worker.

Frozen dataclasses, pickled by ``multiprocessing``; both sides match them by type. The control
pipe carries these both ways; TS bytes go on the separate data pipe as plain byte strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from retrovue.clock import Clock, SystemClock
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.hooks import FinalStatus
from retrovue.runtime.playout.modes import NORMAL, DirectorState
from retrovue.runtime.playout.timeline import Timeline, TimelineItem

# ---- server to worker ------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerJob:
    """What a worker plays. ``timeline`` given directly (tests, benchmarks) or, when None, the
    channel's playlog read from ``database_url``."""

    info: ChannelInfo
    options: ProducerOptions
    channel_id: int | None = None
    database_url: str | None = None
    timeline: Timeline | None = None
    director: DirectorState = NORMAL
    clock: Clock = field(default_factory=SystemClock)  # the server's (tests: a frozen fake)


@dataclass(frozen=True)
class Director:
    """The channel's director mode changed."""

    state: DirectorState


@dataclass(frozen=True)
class Stop:
    """End the producer (cleanly) and the worker."""


ToWorker = WorkerJob | Director | Stop

# ---- worker to server ------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemStarted:
    item: TimelineItem
    at_utc: datetime
    file_offset_ms: int


@dataclass(frozen=True)
class ItemFinished:
    item: TimelineItem
    at_utc: datetime
    status: FinalStatus
    error: str | None


@dataclass(frozen=True)
class Stats:
    frames_out: int
    boundaries: int
    faults: int


@dataclass(frozen=True)
class LogRecord:
    """A log record of the worker, logged by the server under ``logger``."""

    level: int
    logger: str
    message: str


@dataclass(frozen=True)
class Exited:
    """How the producer ended: None when asked to (or at a frame limit), else the error."""

    error: str | None


FromWorker = ItemStarted | ItemFinished | Stats | LogRecord | Exited
