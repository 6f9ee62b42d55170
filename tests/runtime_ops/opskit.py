"""Run a real producer with the station's operation (as-run, director, gate) on a real database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.broadcast import AsRun
from retrovue.runtime.onair.operation import ChannelOperation, StationOperation
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem
from retrovue.runtime.producer import Producer, make_producer
from retrovue.testing.tscheck import TsReport, check_ts
from tests.runtime.helpers import TEST_PROFILE, decode


class ActingHooks:
    """The station's as-run hooks, plus an action run when an item with a given title starts
    (fault injection while the item is on air)."""

    def __init__(self, inner: object, actions: dict[str, Callable[[], None]]) -> None:
        self._inner = inner
        self._actions = dict(actions)

    def item_started(self, item: TimelineItem, at_utc: datetime, file_offset_ms: int) -> None:
        self._inner.item_started(item, at_utc, file_offset_ms)  # type: ignore[attr-defined]
        action = self._actions.pop(item.title, None)
        if action is not None:
            action()

    def item_finished(
        self, item: TimelineItem, at_utc: datetime, status: str, error: str | None
    ) -> None:
        self._inner.item_finished(item, at_utc, status, error)  # type: ignore[attr-defined]


@dataclass
class OpsRun:
    ts: bytes
    producer: Producer
    codes: list[tuple[int, int]]
    report: TsReport
    rows: list[AsRun] = field(default_factory=list)


def asrun_rows(database: Database) -> list[AsRun]:
    with database.transaction() as session:
        rows = list(session.scalars(select(AsRun).order_by(AsRun.id)))
        session.expunge_all()
    return rows


def run_with_operation(
    database: Database,
    clock: Clock,
    channel_id: int,
    items: Sequence[TimelineItem],
    *,
    frames: int,
    actions: dict[str, Callable[[], None]] | None = None,
    on_frame: Callable[[Producer], None] | None = None,
) -> OpsRun:
    station = StationOperation(database, clock)
    operation: ChannelOperation = station.for_channel(channel_id)
    hooks = ActingHooks(operation.hooks, actions or {})
    chunks: list[bytes] = []
    channel = ChannelInfo("9", "Nine", TEST_PROFILE, x264_preset="ultrafast")
    producer: Producer | None = None

    def publish(chunk: bytes) -> None:
        chunks.append(chunk)
        if on_frame is not None and producer is not None:
            on_frame(producer)

    producer = make_producer(
        channel,
        ListTimeline(items),
        clock,
        publish,
        options=ProducerOptions(paced=False, max_frames=frames),
        hooks=hooks,
        operation=operation,
    )
    producer.start()
    producer.join(90)
    assert producer.error is None
    station.close()
    data = b"".join(chunks)
    codes, _audio = decode(data)
    report = check_ts(data, fps=TEST_PROFILE.fps, gop_s=TEST_PROFILE.gop_s)
    return OpsRun(data, producer, codes, report, asrun_rows(database))
