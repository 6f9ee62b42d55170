"""The producer of one live channel: a thread that turns the timeline into one continuous stream.

Output frame ``n`` shows the instant ``start_utc + n / rate`` (:class:`FrameClock`); the timeline
says which item covers it and at which file position. Files are opened (and, when joining
mid-file, positioned) by an opener thread before they are needed: the next item ``PREFETCH_S``
before its boundary. While a file is not ready yet (tuning), a slate fills in (black during the
stream's first half second, as a real tuner shows while it locks, then a card with the channel
name); then the programme starts at its scheduled frame. The first frame never waits for a file:
the encoder's first IDR, and so the viewer's first picture, comes as soon as the encoder can
make it, and a file that opens quickly takes over a few frames later. Output is paced to the
wall clock at 1x after an initial burst. What airs is decided here; the :class:`Engine` makes
the bytes.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Generic

from retrovue.clock import Clock
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.engine import Engine, FileEnded, ReusableOutput, S, Slate
from retrovue.runtime.playout.frameclock import FrameClock
from retrovue.runtime.playout.hooks import FinalStatus, ItemHooks, Operation
from retrovue.runtime.playout.items import ItemPicker
from retrovue.runtime.playout.play import Play
from retrovue.runtime.playout.rules import early_end_fault
from retrovue.runtime.playout.specials import SpecialModes
from retrovue.runtime.playout.timeline import Timeline, TimelineItem

log = logging.getLogger(__name__)

TUNE_BLACK_S = 0.5  # a stream's first moments while its file opens: black, then the card
PENDING_LEAD_S = 0.25  # wait for a late file until the output is only this far ahead
POLL_S = 0.01
PLAYED_KEPT = 200


class Playout(Generic[S]):
    """One channel's output. ``start()`` runs it in a thread; ``stop()`` ends it."""

    def __init__(
        self,
        channel: ChannelInfo,
        timeline: Timeline,
        clock: Clock,
        engine: Engine[S],
        *,
        options: ProducerOptions | None = None,
        on_exit: Callable[[BaseException | None], None] | None = None,
        hooks: ItemHooks | None = None,
        operation: Operation | None = None,
    ) -> None:
        self.channel = channel
        self.clock = clock
        self.engine = engine
        self.options = options or ProducerOptions()
        self._on_exit = on_exit
        self._hooks = hooks if hooks is not None or operation is None else operation.hooks
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._opener = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"open-{channel.number}"
        )
        self._items = ItemPicker(channel.number, timeline, operation, self._opener, engine.opener)
        self._specials = SpecialModes(
            channel.number, operation, self._hooks, lambda: int(clock.now_utc().timestamp())
        )
        self._frames: FrameClock | None = None
        self._current: Play[S] | None = None
        self._last_utc: datetime | None = None
        self.start_utc: datetime | None = None
        self.start_mono: float | None = None
        self.frames_out = 0
        self.boundaries = 0  # items started after the first one
        self.faults = 0  # items (or rests of items) replaced by a slate after a fault
        self.error: BaseException | None = None
        # (first frame, item, how) of the latest items, for tests and status pages
        self.played: deque[tuple[int, TimelineItem, str]] = deque(maxlen=PLAYED_KEPT)

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name=f"producer-{self.channel.number}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self.join(timeout_s)

    def join(self, timeout_s: float | None = None) -> None:
        """Wait for the thread to end (a frame limit, ``stop``, or a failure)."""
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def output(self) -> ReusableOutput | None:
        """The engine's output, kept open after a crash unless it was the cause."""
        return self.engine.output

    @property
    def output_broken(self) -> bool:
        return self.engine.output_broken

    @property
    def next_play(self) -> Play[S] | None:
        """The item opened ahead of its boundary, if any."""
        return self._items.next

    def speed(self) -> float:
        """Media seconds produced per wall second since the start (1.0 when keeping pace)."""
        if self.start_mono is None:
            return 0.0
        elapsed_s = self.clock.monotonic_s() - self.start_mono
        seconds = self.frames_out / float(self.engine.rate)
        return seconds / elapsed_s if elapsed_s > 0 else 0.0

    def frame_utc(self, index: int) -> datetime:
        """The instant output frame ``index`` shows (after ``start``)."""
        assert self._frames is not None
        return self._frames.utc(index)

    def _run(self) -> None:
        error: BaseException | None = None
        try:
            self._produce()
        except Exception as err:  # the edge of the thread: log, report, end
            error = self.error = err
            log.exception("producer of channel %s failed", self.channel.number)
        finally:
            self._wind_up(error)

    def _wind_up(self, error: BaseException | None) -> None:
        at_utc = self._last_utc
        if self._current is not None and at_utc is not None:
            detail = None if error is None else f"producer died: {error!r}"
            self._report_end(self._current, at_utc, "cut" if error is None else "failed", detail)
        self._specials.finish(at_utc or self.clock.now_utc(), "cut")
        for play in (self._current, self._items.next):
            if play is not None:
                play.close()
        self._opener.shutdown(wait=False, cancel_futures=True)
        self.engine.release()
        if self._on_exit is not None:
            self._on_exit(error)

    # ---- the loop --------------------------------------------------------------------------

    def _produce(self) -> None:
        engine = self.engine
        engine.start()
        self.start_utc = self.clock.now_utc()
        self.start_mono = self.clock.monotonic_s()
        self._frames = FrameClock(self.start_utc, engine.rate)
        max_frames = self.options.max_frames
        clean_end = ended = False
        try:
            while not self._stop.is_set():
                if max_frames is not None and self.frames_out >= max_frames:
                    clean_end = True
                    break
                at_utc = self._step(self._frames)
                self.frames_out = engine.frames_out
                self._items.prefetch(self._current, at_utc, self._frames)
                self._pace()
            ended = True
        finally:
            if not ended:  # the loop failed: keep the output for a restart unless it broke
                engine.abort()
        engine.finish(flush=clean_end)

    def _step(self, frames: FrameClock) -> datetime:
        index = self.frames_out
        at_utc = frames.utc(index)
        current = self._current
        if current is not None:  # with stream copy, items start and end a few frames early
            at_utc = max(at_utc, current.item.end_utc if current.cut else current.item.start_utc)
        self._last_utc = at_utc
        special = self._specials.slate(at_utc, self._leave_timeline)
        if special is not None:
            self.engine.slate(special)
            return at_utc
        play = self._play_for(at_utc, index)
        self._play_step(play, at_utc, index, frames)
        return at_utc

    def _pace(self) -> None:
        options = self.options
        if not options.paced or self.start_mono is None:
            return
        elapsed_s = self.clock.monotonic_s() - self.start_mono
        lead_s = max(options.lead_s, options.burst_s - options.lead_decay * elapsed_s)
        ahead_s = self.frames_out / float(self.engine.rate) - elapsed_s
        if ahead_s > lead_s:
            self._stop.wait(ahead_s - lead_s)

    # ---- which item ------------------------------------------------------------------------

    def _play_for(self, at_utc: datetime, index: int) -> Play[S]:
        current = self._current
        if current is not None and not current.cut and current.item.covers(at_utc):
            return current
        play = self._items.take(at_utc)
        if current is not None:
            self.boundaries += 1
            self._report_end(current, at_utc, "aired")
            current.close()
        self._current = play
        item = play.item
        self.played.append((index, item, "slate" if item.file_path is None else "file"))
        self._report_start(play, at_utc)
        if play.refused is not None:
            self.faults += 1
            log.warning(
                "channel %s: %s refused at play time: %s",
                self.channel.number, item.file_path, play.refused,
            )  # fmt: skip
        return play

    def _report_start(self, play: Play[S], at_utc: datetime) -> None:
        hooks, item = self._hooks, play.item
        if hooks is None:
            return
        offset_ms = round(item.file_position_s(at_utc) * 1000) if item.file_path else 0
        hooks.item_started(item, at_utc, offset_ms)
        if play.refused is not None:
            hooks.item_finished(item, at_utc, "failed", play.refused)
            play.asrun_item = TimelineItem(
                item.start_utc, item.end_utc, "slate", f"Not aired: {item.title}"[:200],
                event_id=item.event_id,
            )  # fmt: skip
            hooks.item_started(play.asrun_item, at_utc, 0)

    def _report_end(
        self, play: Play[S], at_utc: datetime, status: FinalStatus, error: str | None = None
    ) -> None:
        if self._hooks is None:
            return
        failed = play.failed or error
        self._hooks.item_finished(play.asrun_item, at_utc, "failed" if failed else status, failed)

    def _leave_timeline(self, at_utc: datetime) -> TimelineItem:
        """A director mode takes over: cut the item on air; it resumes at its offset after."""
        current = self._current
        replaced = current.item if current is not None else self._items.covering(at_utc)
        for play in (current, self._items.next):
            if play is not None:
                play.close()
        if current is not None:
            self._report_end(current, at_utc, "cut")
        self._current = None
        self._items.next = None
        return replaced

    # ---- what the item shows ---------------------------------------------------------------

    def _play_step(self, play: Play[S], at_utc: datetime, index: int, frames: FrameClock) -> None:
        item = play.item
        if item.file_path is None:
            self.engine.slate(self._card(item))
            return
        if play.refused is not None or play.done:
            self._rest_of_slot(play)
            return
        source = self._await_open(play, index)
        if source is None:
            self.engine.slate(self._tuning(index, at_utc))
            return
        ended = None if source.failed else self.engine.play(play, source, at_utc, frames)
        if ended is not None or source.failed:
            self._file_ended(play, source, at_utc, ended)
            self._rest_of_slot(play)

    def _file_ended(
        self, play: Play[S], source: S, at_utc: datetime, ended: FileEnded | None
    ) -> None:
        play.done = True
        if source.failed is None and ended is not None:
            item = play.item
            assert item.file_path is not None
            left_s = (item.end_utc - at_utc).total_seconds()
            short = early_end_fault(item.file_path, source.declared_s, ended.position_s, left_s)
            if short is not None:
                source.fail(short)
        if source.failed is not None and not play.fault_counted:
            play.fault_counted = True
            self.faults += 1

    def _rest_of_slot(self, play: Play[S]) -> None:
        if play.refused is not None or play.failed is not None:
            self.engine.slate(Slate("fault", (self.channel.name, play.item.title)))
        else:
            self.engine.slate(self._card(play.item))

    def _tuning(self, index: int, at_utc: datetime) -> Slate:
        if index < TUNE_BLACK_S * self.engine.rate:
            return Slate("black")
        return Slate("tuning", (self.channel.name, "Tuning"), at_utc=at_utc)

    def _card(self, item: TimelineItem) -> Slate:
        """The channel's name over the item's title, split at its first ": " (an "Up next at
        20:30: Cheers: Pilot" card reads as two lines under the name)."""
        return Slate("card", (self.channel.name, *item.title.split(": ", 1)))

    def _await_open(self, play: Play[S], index: int) -> S | None:
        """The file if it is open; wait for it while the output is ahead of the wall clock."""
        source = play.ready()
        if source is not None or play.future is None:
            return source
        if not self.options.paced:  # as fast as possible (tests, benchmarks): just wait
            play.future.result()
            return play.ready()
        assert self.start_mono is not None
        assert self._frames is not None
        lead_s = PENDING_LEAD_S if index else 0.0
        due_mono = self.start_mono + self._frames.seconds(index) - lead_s
        while not self._stop.is_set():
            if play.future.done():
                return play.ready()
            if self.clock.monotonic_s() >= due_mono:
                return None
            self._stop.wait(POLL_S)
        return None
