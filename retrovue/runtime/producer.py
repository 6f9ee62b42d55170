"""The producer of one live channel: a thread that turns the timeline into one continuous MPEG-TS.

Output frame ``n`` shows the instant ``start_utc + n / fps``; the timeline says which item covers
it and at which file position. Files are opened (and, when joining mid-file, sought and decoded up
to the position) by a helper thread before they are needed: the next item a few seconds before its
boundary. While a file is not ready yet (tuning), a slate with the channel name and the clock
fills in; then the programme starts at the exact scheduled frame. Output is paced to the wall
clock at 1x after an initial burst. Bytes leave through ``publish`` (called from this thread).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Protocol
from zoneinfo import ZoneInfo

import av

from retrovue.clock import Clock
from retrovue.runtime import slates
from retrovue.runtime.operation import ChannelOperation
from retrovue.runtime.output import TsOutput, psi_preamble
from retrovue.runtime.profiles import OutputProfile
from retrovue.runtime.slate import SlateCache
from retrovue.runtime.slate_frames import to_video_frame
from retrovue.runtime.source import MediaSource, silence
from retrovue.runtime.timeline import FALLBACK_SLATE, Timeline, TimelineItem

log = logging.getLogger(__name__)

PREFETCH_S = 5.0
TUNE_WAIT_S = 0.1
PENDING_LEAD_S = 0.25  # wait for a late file until the output is only this far ahead
POSITION_EPSILON_S = 0.0005
POLL_S = 0.01
PLAYED_KEPT = 200
FAULT_TITLE = "Technical difficulties"
EARLY_END_FAULT_S = 0.5  # pictures stopping this long before the declared end: a fault


@dataclass(frozen=True)
class ChannelInfo:
    number: str
    name: str
    profile: OutputProfile
    audio_language: str | None = None
    timezone: str = "UTC"
    x264_preset: str = "veryfast"


class ProducerHooks(Protocol):
    """What a producer reports (the as-run log of issue 9 plugs in here); called in its thread."""

    def item_started(self, item: TimelineItem, at_utc: datetime, file_offset_ms: int) -> None: ...

    def item_finished(
        self, item: TimelineItem, at_utc: datetime, status: str, error: str | None
    ) -> None: ...


@dataclass(frozen=True)
class ProducerOptions:
    """Pacing: at tune the output runs ``burst_s`` ahead of the wall clock (the client fills its
    buffer at once); then the lead shrinks by ``lead_decay`` seconds per second (the output runs
    at 0.9x) down to ``lead_s``, so that a change made at the source (an emergency) reaches the
    screen within about ``lead_s`` plus the director's polling."""

    burst_s: float = 1.5
    lead_s: float = 0.5
    lead_decay: float = 0.1
    paced: bool = True
    max_frames: int | None = None  # stop (cleanly, encoders drained) after this many frames


class _Play:
    """One timeline item being played: its file (opening in the background) or a slate."""

    def __init__(self, item: TimelineItem, first_position_s: float) -> None:
        self.item = item
        self.first_position_s = first_position_s
        self.future: Future[MediaSource] | None = None
        self.source: MediaSource | None = None
        self.begun = False
        self.fault_counted = False
        self.refused: str | None = None  # the play-time gate's reason: a slate airs instead
        self.asrun_item: TimelineItem = item  # what the as-run log records for this play

    def ready(self) -> MediaSource | None:
        if self.source is None and self.future is not None and self.future.done():
            self.source = self.future.result()
        return self.source

    def close(self) -> None:
        if self.source is not None:
            self.source.close()
        elif self.future is not None:
            self.future.add_done_callback(_close_when_opened)


def _close_when_opened(done: Future[MediaSource]) -> None:
    if not done.cancelled() and done.exception() is None:
        done.result().close()


class Producer:
    """One channel's output. ``start()`` runs it in a thread; ``stop()`` ends it."""

    def __init__(
        self,
        channel: ChannelInfo,
        timeline: Timeline,
        clock: Clock,
        publish: Callable[[bytes], None],
        *,
        options: ProducerOptions | None = None,
        on_exit: Callable[[BaseException | None], None] | None = None,
        hooks: ProducerHooks | None = None,
        operation: ChannelOperation | None = None,
        output: TsOutput | None = None,
    ) -> None:
        self.channel = channel
        self.timeline = timeline
        self.clock = clock
        self.options = options or ProducerOptions()
        self._publish = publish
        self._on_exit = on_exit
        self._operation = operation
        self._hooks = hooks if hooks is not None or operation is None else operation.hooks
        self._given_output = output
        self.output: TsOutput | None = None  # kept open after a crash unless it was the cause
        self.output_broken = False
        self._fault_frames: dict[str, av.VideoFrame] = {}
        self._special_key: tuple[str, int | None] | None = None
        self._special_item: TimelineItem | None = None
        self._last_utc: datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._opener = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"open-{channel.number}"
        )
        self._slates = SlateCache(channel.profile.width, channel.profile.height)
        self._zone = ZoneInfo(channel.timezone)
        self._fps = channel.profile.fps
        self._current: _Play | None = None
        self._next: _Play | None = None
        self.start_utc: datetime | None = None
        self.frames_out = 0
        self.boundaries = 0  # items started after the first one
        self.faults = 0  # items (or rests of items) replaced by a slate after a fault
        self.start_mono: float | None = None
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
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    def speed(self) -> float:
        """Media seconds produced per wall second since the start (1.0 when keeping pace)."""
        if self.start_mono is None:
            return 0.0
        elapsed_s = self.clock.monotonic_s() - self.start_mono
        return self.frames_out / self._fps / elapsed_s if elapsed_s > 0 else 0.0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        error: BaseException | None = None
        try:
            self._produce()
        except Exception as err:  # the edge of the thread: log, report, end
            error = err
            self.error = err
            log.exception("producer of channel %s failed", self.channel.number)
        finally:
            if self._current is not None and self._last_utc is not None:
                self._report_end(
                    self._current,
                    self._last_utc,
                    "cut" if error is None else "failed",
                    None if error is None else f"producer died: {error!r}",
                )
            if self._special_item is not None and self._hooks is not None:
                self._hooks.item_finished(
                    self._special_item, self._last_utc or self.clock.now_utc(), "cut", None
                )
            if self._operation is not None:
                self._operation.close()
            for play in (self._current, self._next):
                if play is not None:
                    play.close()
            self._opener.shutdown(wait=False, cancel_futures=True)
            if self._on_exit is not None:
                self._on_exit(error)

    # ---- the loop --------------------------------------------------------------------------

    def _produce(self) -> None:
        channel = self.channel
        output = self._given_output
        if output is None:
            self._publish(psi_preamble(channel.name))  # PAT/PMT at once, before any encoding
            output = TsOutput(
                channel.profile,
                self._publish,
                preset=channel.x264_preset,
                service_name=channel.name,
            )
        self.output = output
        start_utc = self.start_utc = self.clock.now_utc()
        start_mono = self.start_mono = self.clock.monotonic_s()
        max_frames = self.options.max_frames
        clean_end = False
        try:
            index = 0
            while not self._stop.is_set():
                if max_frames is not None and index >= max_frames:
                    clean_end = True
                    break
                at_utc = self.frame_utc(start_utc, index)
                self._last_utc = at_utc
                frame, audio = self._frame_for(at_utc, index, start_mono)
                self._write(output, frame, audio)
                index += 1
                self.frames_out = index
                self._prefetch(at_utc, start_utc)
                self._pace(index, start_mono)
        except Exception:
            if self.output_broken:
                output.close(flush=False)
            raise  # the output stays open for a restarted producer (the owner closes it)
        output.close(flush=clean_end)
        self.output = None

    def _write(self, output: TsOutput, frame: av.VideoFrame, audio: list[av.AudioFrame]) -> None:
        try:
            output.write_video(frame)
            output.write_audio(audio)
            output.end_frame()
        except Exception:
            self.output_broken = True
            raise

    def _frame_for(
        self, at_utc: datetime, index: int, start_mono: float
    ) -> tuple[av.VideoFrame, list[av.AudioFrame]]:
        special = self._special(at_utc)
        if special is not None:
            return special, [silence(self.channel.profile.samples_per_frame)]
        play = self._play_for(at_utc, index)
        return self._render(play, at_utc, index, start_mono)

    def frame_utc(self, start_utc: datetime, index: int) -> datetime:
        micros = Fraction(index * 1_000_000, self._fps)
        return start_utc + timedelta(microseconds=round(micros))

    def _pace(self, frames: int, start_mono: float) -> None:
        options = self.options
        if not options.paced:
            return
        elapsed_s = self.clock.monotonic_s() - start_mono
        lead_s = max(options.lead_s, options.burst_s - options.lead_decay * elapsed_s)
        ahead_s = frames / self._fps - elapsed_s
        if ahead_s > lead_s:
            self._stop.wait(ahead_s - lead_s)

    # ---- which item, which file ------------------------------------------------------------

    def _items(self, at_utc: datetime) -> list[TimelineItem]:
        try:
            items = self.timeline.items_from(at_utc, 2)
        except Exception as err:  # the schedule is unreachable: keep the channel on air
            log.warning("channel %s: timeline unavailable: %s", self.channel.number, err)
            items = []
        if not items or not items[0].covers(at_utc):
            items = [TimelineItem(at_utc, at_utc + FALLBACK_SLATE, "slate", "Off air")]
        return items

    def _play_for(self, at_utc: datetime, index: int) -> _Play:
        current = self._current
        if current is not None and current.item.covers(at_utc):
            return current
        items = self._items(at_utc)
        item = items[0]
        if self._next is not None and self._next.item == item:
            play = self._next
            self._recheck_gate(play)
        else:
            if self._next is not None:
                self._next.close()
            play = self._open(item, item.file_position_s(at_utc))
        self._next = None
        if current is not None:
            self.boundaries += 1
            self._report_end(current, at_utc, "aired")
            current.close()
        self._current = play
        how = "slate" if item.file_path is None else "file"
        self.played.append((index, item, how))
        if self._hooks is not None:
            offset_ms = round(item.file_position_s(at_utc) * 1000) if item.file_path else 0
            self._hooks.item_started(item, at_utc, offset_ms)
            if play.refused is not None:
                self._hooks.item_finished(item, at_utc, "failed", play.refused)
                play.asrun_item = TimelineItem(
                    item.start_utc, item.end_utc, "slate", f"Not aired: {item.title}"[:200],
                    event_id=item.event_id,
                )  # fmt: skip
                self._hooks.item_started(play.asrun_item, at_utc, 0)
        if play.refused is not None:
            self.faults += 1
            log.warning(
                "channel %s: %s refused at play time: %s",
                self.channel.number, item.file_path, play.refused,
            )  # fmt: skip
        return play

    def _report_end(
        self, play: _Play, at_utc: datetime, status: str, error: str | None = None
    ) -> None:
        if self._hooks is None:
            return
        failed = play.source.failed if play.source is not None else None
        failed = failed or error
        if failed:
            status = "failed"
        self._hooks.item_finished(play.asrun_item, at_utc, status, failed)

    def _recheck_gate(self, play: _Play) -> None:
        """The gate again at the boundary: the asset was let through when the file was opened
        ahead of time (``PREFETCH_S``); it must still be canonical and available now."""
        if play.item.file_path is None or play.refused is not None or self._operation is None:
            return
        refused = self._operation.refusal(play.item)
        if refused is not None:
            play.close()
            play.refused = refused

    def _open(self, item: TimelineItem, position_s: float) -> _Play:
        play = _Play(item, position_s)
        path = item.file_path
        if path is not None and self._operation is not None:
            play.refused = self._operation.refusal(item)
            if play.refused is not None:
                return play
        if path is not None:
            source = MediaSource(
                path, self.channel.profile, audio_language=self.channel.audio_language
            )
            play.future = self._opener.submit(source.open, position_s)
        return play

    def _prefetch(self, at_utc: datetime, start_utc: datetime) -> None:
        current = self._current
        if self._next is not None or current is None:
            return
        if (current.item.end_utc - at_utc).total_seconds() > PREFETCH_S:
            return
        upcoming = [i for i in self._items(current.item.end_utc) if i != current.item]
        if not upcoming:
            return
        item = upcoming[0]
        first = self._first_frame_at_or_after(start_utc, item.start_utc)
        self._next = self._open(item, item.file_position_s(self.frame_utc(start_utc, first)))

    def _first_frame_at_or_after(self, start_utc: datetime, at_utc: datetime) -> int:
        seconds = Fraction(round((at_utc - start_utc).total_seconds() * 1_000_000), 1_000_000)
        index = int(seconds * self._fps)
        while self.frame_utc(start_utc, index) < at_utc:
            index += 1
        return index

    # ---- pictures and sound ----------------------------------------------------------------

    def _render(
        self, play: _Play, at_utc: datetime, index: int, start_mono: float
    ) -> tuple[av.VideoFrame, list[av.AudioFrame]]:
        samples = self.channel.profile.samples_per_frame
        item = play.item
        if item.file_path is None:
            return self._slate([self.channel.name, item.title]), [silence(samples)]
        if play.refused is not None:
            return self._fault_frame(item), [silence(samples)]
        source = self._wait_ready(play, index, start_mono)
        if source is None:
            return self._slate([self.channel.name, "Tuning", self._clock_text(at_utc)]), [
                silence(samples)
            ]
        position_s = item.file_position_s(at_utc)
        try:
            if not play.begun:
                play.begun = True
                source.begin(position_s)
            picture = source.video_at(position_s + POSITION_EPSILON_S)
            audio = source.take_audio(samples) if picture is not None else []
        except Exception as err:  # whatever a file does, the channel stays on air
            source.fail(f"cannot play {item.file_path}: {err!r}")
            picture = None
        if picture is None:
            if source.failed is None:
                short = self._ended_short(source, item, at_utc, position_s)
                if short is None:  # the file is just shorter than its slot: a plain slate
                    return self._slate([self.channel.name, item.title]), [silence(samples)]
                source.fail(short)
            if not play.fault_counted:
                play.fault_counted = True
                self.faults += 1
            return self._fault_frame(item), [silence(samples)]
        return picture, audio

    @staticmethod
    def _ended_short(
        source: MediaSource, item: TimelineItem, at_utc: datetime, position_s: float
    ) -> str | None:
        """Why a file that stopped giving pictures is a fault (truncated, corrupt), or None when
        it simply ended: before its declared duration, or (unknown) well before its slot's end."""
        declared_s = source.declared_s
        if declared_s is not None:
            if position_s < declared_s - EARLY_END_FAULT_S:
                return (
                    f"{item.file_path} stopped at {position_s:.1f} s of its declared "
                    f"{declared_s:.1f} s (truncated or corrupt)"
                )
            return None
        left_s = (item.end_utc - at_utc).total_seconds()
        if left_s > 2 * EARLY_END_FAULT_S + 1:
            return f"{item.file_path} ended {left_s:.1f} s before the end of its slot (truncated?)"
        return None

    def _fault_frame(self, item: TimelineItem) -> av.VideoFrame:
        """The technical-difficulties slate for ``item``, drawn once per title."""
        frame = self._fault_frames.get(item.title)
        if frame is None:
            profile = self.channel.profile
            picture = slates.technical_difficulties(
                profile.width, profile.height, self.channel.name, detail=item.title
            )
            if len(self._fault_frames) > 16:
                self._fault_frames.clear()
            frame = self._fault_frames[item.title] = to_video_frame(picture)
        return frame

    # ---- director modes (emergency, guide) ------------------------------------------------

    def _special(self, at_utc: datetime) -> av.VideoFrame | None:
        """The frame of an emergency or of the guide, or None for the timeline."""
        operation = self._operation
        if operation is None:
            return None
        state = operation.state()
        key = None if state.mode == "normal" else (state.mode, state.request_id)
        if key != self._special_key:
            self._switch_special(key, state.message, at_utc)
        if key is None:
            return None
        profile = self.channel.profile
        if state.mode == "emergency":
            return operation.emergency_frame(
                state, profile.width, profile.height, self.channel.name
            )
        seconds = int(self.clock.now_utc().timestamp())
        return operation.guide_frame(profile.width, profile.height, seconds)

    def _switch_special(
        self, key: tuple[str, int | None] | None, message: str | None, at_utc: datetime
    ) -> None:
        hooks = self._hooks
        if self._special_item is not None and hooks is not None:
            hooks.item_finished(self._special_item, at_utc, "aired", None)
        self._special_item = None
        self._special_key = key
        if key is None:
            log.info("channel %s: back to the schedule", self.channel.number)
            return  # the next frame opens the item airing now at its scheduled offset
        log.info("channel %s: %s mode", self.channel.number, key[0])
        replaced = self._current.item if self._current is not None else self._items(at_utc)[0]
        for play in (self._current, self._next):
            if play is not None:
                play.close()
        if self._current is not None:
            self._report_end(self._current, at_utc, "cut")
        self._current = self._next = None
        if hooks is not None:
            title = f"Emergency: {message or ''}" if key[0] == "emergency" else "Channel guide"
            self._special_item = TimelineItem(
                replaced.start_utc, replaced.end_utc, "slate", title[:200],
                event_id=replaced.event_id,
            )  # fmt: skip
            hooks.item_started(self._special_item, at_utc, 0)

    def _wait_ready(self, play: _Play, index: int, start_mono: float) -> MediaSource | None:
        """The file if it is ready; wait for it while the output is ahead of the wall clock."""
        source = play.ready()
        if source is not None or play.future is None:
            return source
        if not self.options.paced:  # as fast as possible (tests, benchmarks): just wait
            play.future.result()
            return play.ready()
        lead_s = PENDING_LEAD_S if index else -TUNE_WAIT_S
        due_mono = start_mono + index / self._fps - lead_s
        while not self._stop.is_set():
            if play.future.done():
                return play.ready()
            if self.clock.monotonic_s() >= due_mono:
                return None
            self._stop.wait(POLL_S)
        return None

    def _slate(self, lines: list[str]) -> av.VideoFrame:
        return self._slates.frame(lines)

    def _clock_text(self, at_utc: datetime) -> str:
        return at_utc.astimezone(self._zone).strftime("%H:%M:%S")
