"""The producer of a stream-copy channel: the files' packets remuxed into one continuous MPEG-TS.

Same interface and bookkeeping as :class:`~retrovue.runtime.producer.Producer` (which items air,
as-run hooks, the play-time gate, director modes, restarts on the same output, pacing); only the
loop differs. Instead of one encoded frame per step, a step muxes the file's next video packets up
to a point where the stream could be cut (with the audio packets read on the way), or one picture
of a slate loop.

Placement on the output clock (``copyout``): a file starts at its keyframe at or before the
scheduled position (copy cannot start between keyframes), and that keyframe is shown at the
output frame where the item begins, or as soon after the previous item's last pictures as its
decoding delay allows (a few frames early at most). The item ends at its scheduled end: packets
that would be shown later, and the unfinished group before them, are not sent. Audio is laid back
to back on its own clock; silence fills any hole, and audio is dropped where it would overlap.
Whatever is not a file picture is a slate encoded at the files' parameters (tuning, gaps and
slate events, faults, emergency, guide), so the stream never goes quiet.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import av

from retrovue.clock import Clock
from retrovue.runtime.copyout import AAC_FRAME, CopyOutput
from retrovue.runtime.copysource import CopyPacket, CopySource
from retrovue.runtime.operation import ChannelOperation
from retrovue.runtime.output import TsOutput, psi_preamble
from retrovue.runtime.producer import (
    EARLY_END_FAULT_S,
    PENDING_LEAD_S,
    POLL_S,
    PREFETCH_S,
    TUNE_WAIT_S,
    ChannelInfo,
    Producer,
    ProducerHooks,
    ProducerOptions,
    _Play,
)
from retrovue.runtime.profiles import CopyProfile
from retrovue.runtime.timeline import Timeline, TimelineItem

log = logging.getLogger(__name__)

REJOIN_S = 0.5  # a file ready this late after its join position is sought again
AUDIO_TAIL_PACKETS = 400  # packets read past the end of a slot for the audio that belongs to it
HELD_MAX = 16  # video packets held back at most while waiting for a point to cut at


class _CopyPlay(_Play):
    """One timeline item being copied: its file (opening in the background) or a slate."""

    def __init__(self, item: TimelineItem, first_position_s: float) -> None:
        super().__init__(item, first_position_s)
        self.pending: Future[CopySource] | None = None
        self.copy: CopySource | None = None
        self.start = 0  # output frame of the file's first keyframe (once begun)
        self.end = 0  # the first output frame after the slot
        self.done = False  # the file's part is over: a slate for the rest of the slot
        self.cut = False  # the file reached the end of its slot: the next item follows
        self.faulted = False
        self.held: list[tuple[av.Packet[Any], int, int]] = []  # video packets not muxed yet

    def opened(self) -> CopySource | None:
        if self.copy is None and self.pending is not None and self.pending.done():
            self.copy = self.pending.result()
        return self.copy

    def close(self) -> None:
        if self.copy is not None:
            self.copy.close()
        elif self.pending is not None:
            self.pending.add_done_callback(_close_when_opened)


def _close_when_opened(done: Future[CopySource]) -> None:
    if not done.cancelled() and done.exception() is None:
        done.result().close()


class CopyProducer(Producer):
    """One stream-copy channel's output; ``start()`` runs it in a thread, ``stop()`` ends it."""

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
        output: TsOutput | CopyOutput | None = None,
    ) -> None:
        profile = channel.profile
        if not isinstance(profile, CopyProfile):
            raise TypeError(f"channel {channel.number}: not a copy profile")
        super().__init__(
            channel, timeline, clock, publish,
            options=options, on_exit=on_exit, hooks=hooks, operation=operation,
        )  # fmt: skip
        self.parameters = profile.parameters
        self.rate = Fraction(profile.parameters.frame_rate or profile.fps)
        self._rate_f = float(self.rate)
        self._given_copy = output if isinstance(output, CopyOutput) else None
        self.copy_output: CopyOutput | None = None
        self._origin = 0  # the output frame shown at start_utc
        self._slate_key: Hashable | None = None
        self._slate_index = 0

    def speed(self) -> float:
        if self.start_mono is None:
            return 0.0
        elapsed_s = self.clock.monotonic_s() - self.start_mono
        return float(self.frames_out / self.rate) / elapsed_s if elapsed_s > 0 else 0.0

    # ---- the loop --------------------------------------------------------------------------

    def _produce(self) -> None:
        out = self._given_copy
        if out is None:
            self._publish(psi_preamble(self.channel.name))  # PAT/PMT at once
            out = CopyOutput(self.parameters, self._publish, service_name=self.channel.name)
        self.copy_output = out
        # The service hands the output back to a restarted producer and closes it; nothing else.
        self.output = out  # type: ignore[assignment]
        self.start_utc = self.clock.now_utc()
        self.start_mono = self.clock.monotonic_s()
        self._origin = out.video_next
        max_frames = self.options.max_frames
        try:
            while not self._stop.is_set():
                if max_frames is not None and self.frames_out >= max_frames:
                    break
                self._step(out)
                out.end_step()
                self.frames_out = out.video_next - self._origin
                self._prefetch_next()
                self._pace_copy()
        except Exception:
            if out.broken:
                self.output_broken = True
                out.close(flush=False)
            raise
        out.fill_silence(out.samples_at(out.video_next))  # the sound ends with the pictures
        out.close()
        self.output = None
        self.copy_output = None

    def _step(self, out: CopyOutput) -> None:
        at_utc = self._utc(out.video_next)
        current = self._current
        if isinstance(current, _CopyPlay):  # items start and end a few frames early at most
            at_utc = max(at_utc, current.item.end_utc if current.cut else current.item.start_utc)
        self._last_utc = at_utc
        special = self._special(at_utc)
        if special is not None:
            self._copy_slate(out, ("special", special), lambda: special)
            return
        play = self._play_for(at_utc, out.video_next - self._origin)
        assert isinstance(play, _CopyPlay)
        self._play_step(out, play, at_utc)

    def _play_step(self, out: CopyOutput, play: _CopyPlay, at_utc: datetime) -> None:
        item = play.item
        if item.file_path is None:
            self._plain_slate(out, item)
            return
        if play.refused is not None or play.done:
            self._rest_of_slot(out, play)
            return
        source = self._opened(play, out.video_next)
        if source is None:
            lines = [self.channel.name, "Tuning"]
            self._copy_slate(out, ("tuning",), lambda: self._slates.frame(lines))
            return
        if not play.begun and not source.failed:
            self._begin(out, play, source, at_utc)
        if source.failed:
            self._fault(out, play)
            return
        self._copy_packets(out, play, source)

    def _utc(self, frame: int) -> datetime:
        assert self.start_utc is not None
        num, den = self.rate.numerator, self.rate.denominator  # integers: called per step
        micros = (2 * (frame - self._origin) * 1_000_000 * den + num) // (2 * num)
        return self.start_utc + timedelta(microseconds=micros)

    def _frame_at(self, at_utc: datetime) -> int:
        """The first output frame shown at or after ``at_utc``."""
        assert self.start_utc is not None
        micros = round((at_utc - self.start_utc).total_seconds() * 1_000_000)
        frame = self._origin + math.ceil(Fraction(micros, 1_000_000) * self.rate)
        while self._utc(frame) < at_utc:
            frame += 1
        return frame

    def _pace_copy(self) -> None:
        """``Producer._pace`` on the files' exact frame rate: a burst at tune, then the lead
        shrinks to ``lead_s``."""
        options = self.options
        if not options.paced or self.start_mono is None:
            return
        elapsed_s = self.clock.monotonic_s() - self.start_mono
        lead_s = max(options.lead_s, options.burst_s - options.lead_decay * elapsed_s)
        ahead_s = self.frames_out / self._rate_f - elapsed_s
        if ahead_s > lead_s:
            self._stop.wait(ahead_s - lead_s)

    # ---- files -----------------------------------------------------------------------------

    def _open(self, item: TimelineItem, position_s: float) -> _Play:
        play = _CopyPlay(item, position_s)
        if item.file_path is not None and self._operation is not None:
            play.refused = self._operation.refusal(item)
        if item.file_path is not None and play.refused is None:
            source = CopySource(
                item.file_path, self.parameters, audio_language=self.channel.audio_language
            )
            play.pending = self._opener.submit(source.open, position_s)
        return play

    def _prefetch_next(self) -> None:
        current = self._current
        if self._next is not None or current is None or self._last_utc is None:
            return
        if (current.item.end_utc - self._last_utc).total_seconds() > PREFETCH_S:
            return
        upcoming = [i for i in self._items(current.item.end_utc) if i != current.item]
        if upcoming:
            item = upcoming[0]
            self._next = self._open(item, item.file_position_s(item.start_utc))

    def _opened(self, play: _CopyPlay, frame: int) -> CopySource | None:
        """The file if it is open; wait for it while the output is ahead of the wall clock."""
        source = play.opened()
        if source is not None or play.pending is None:
            return source
        if not self.options.paced:
            play.pending.result()
            return play.opened()
        assert self.start_mono is not None
        lead_s = PENDING_LEAD_S if frame > self._origin else -TUNE_WAIT_S
        due_mono = self.start_mono + float((frame - self._origin) / self.rate) - lead_s
        while not self._stop.is_set():
            if play.pending.done():
                return play.opened()
            if self.clock.monotonic_s() >= due_mono:
                return None
            self._stop.wait(POLL_S)
        return None

    def _begin(
        self, out: CopyOutput, play: _CopyPlay, source: CopySource, at_utc: datetime
    ) -> None:
        """Place the file's first keyframe on the output clock."""
        play.begun = True
        position_s = play.item.file_position_s(at_utc)
        if position_s - source.key_s > REJOIN_S:  # opened long ago (a slow file): catch up
            source.seek(position_s)
        play.start = max(out.video_next, out.last_dts + 1 + source.delay)
        play.end = self._frame_at(play.item.end_utc)
        out.fill_silence(out.samples_at(play.start))

    def _copy_packets(self, out: CopyOutput, play: _CopyPlay, source: CopySource) -> None:
        """Mux the file's packets up to its next point where the stream could be cut."""
        while True:
            packet = source.next_packet()
            if packet is None:  # a complete file's last group was released with its last packet
                play.held.clear()
                self._file_ended(out, play, source)
                return
            if not packet.video:
                self._place_audio(out, play, packet)
                continue
            pts, dts = play.start + packet.pts, play.start + packet.dts
            delay = max(out.delay, source.delay)
            if pts >= play.end or dts >= play.end - delay:
                play.held.clear()  # pictures of an unfinished group: not shown
                self._slot_ended(out, play, source)
                return
            last_dts = play.held[-1][2] if play.held else out.last_dts
            if dts <= last_dts or pts < dts:
                log.debug("%s: a packet out of order skipped", source.path)
                continue
            play.held.append((packet.packet, pts, dts))
            shown = max([out.video_next - 1, *(held[1] for held in play.held)])
            if shown - dts <= delay or len(play.held) > HELD_MAX:
                self._release(out, play)
                return

    def _release(self, out: CopyOutput, play: _CopyPlay) -> None:
        """Mux the held video packets: together they end where the next item can follow
        without a jump in decoding time (every picture before the cut is decodable)."""
        for packet, pts, dts in play.held:
            out.mux_video(packet, pts, dts)
            self._slate_key = None  # the next slate starts with its IDR
        play.held.clear()

    def _place_audio(
        self, out: CopyOutput, play: _CopyPlay, packet: CopyPacket, end: int | None = None
    ) -> None:
        want = out.samples_at(play.start) + round(packet.at_s * out.sample_rate)
        end = out.samples_at(play.end) if end is None else end
        if packet.at_s < -0.001 or want + AAC_FRAME > end or want < out.audio_next - AAC_FRAME // 2:
            return  # before the keyframe, after the slot, or over audio already sent
        if want > out.samples_at(out.video_next) + 4 * out.sample_rate:
            return  # far ahead of the pictures: a broken timestamp
        out.silence_until_near(want)
        out.mux_audio(packet.packet)

    def _slot_ended(self, out: CopyOutput, play: _CopyPlay, source: CopySource) -> None:
        """The pictures reached the end of the slot: the audio up to the last one sent, then
        the next item (starting as early as the stream allows: at most at the slot's end)."""
        end = out.samples_at(out.video_next)
        for _ in range(AUDIO_TAIL_PACKETS):
            if out.audio_next + AAC_FRAME > end:
                break
            packet = source.next_packet()
            if packet is None:
                break
            if not packet.video:
                self._place_audio(out, play, packet, end)
        out.fill_silence(end)
        play.done = play.cut = True

    def _file_ended(self, out: CopyOutput, play: _CopyPlay, source: CopySource) -> None:
        play.done = True
        if source.failed is None:
            shown_s = source.key_s + float((out.video_next - play.start) / self.rate)
            short = _ended_short(source, play.item, shown_s, self._utc(out.video_next))
            if short is not None:
                source.fail(short)
        if source.failed is not None:
            self._count_fault(play)
        out.fill_silence(out.samples_at(out.video_next))

    # ---- slates ----------------------------------------------------------------------------

    def _rest_of_slot(self, out: CopyOutput, play: _CopyPlay) -> None:
        failed = play.copy is not None and play.copy.failed is not None
        if play.refused is not None or failed:
            self._fault(out, play)
        else:
            self._plain_slate(out, play.item)

    def _plain_slate(self, out: CopyOutput, item: TimelineItem) -> None:
        lines = [self.channel.name, item.title]
        self._copy_slate(out, ("slate", *lines), lambda: self._slates.frame(lines))

    def _fault(self, out: CopyOutput, play: _CopyPlay) -> None:
        if play.refused is None:
            self._count_fault(play)
        item = play.item
        self._copy_slate(out, ("fault", item.title), lambda: self._fault_frame(item))

    def _count_fault(self, play: _CopyPlay) -> None:
        if not play.faulted:
            play.faulted = True
            self.faults += 1

    def _copy_slate(
        self, out: CopyOutput, key: Hashable, draw: Callable[[], av.VideoFrame]
    ) -> None:
        """The next picture of the slate ``key`` (a new slate starts with its IDR)."""
        if key != self._slate_key:
            self._slate_key = key
            self._slate_index = 0
        out.mux_slate(out.slate(key, draw), self._slate_index)
        self._slate_index += 1

    def _report_end(
        self, play: _Play, at_utc: datetime, status: str, error: str | None = None
    ) -> None:
        if isinstance(play, _CopyPlay) and play.copy is not None:
            error = error or play.copy.failed
        super()._report_end(play, at_utc, status, error)


def _ended_short(
    source: CopySource, item: TimelineItem, position_s: float, at_utc: datetime
) -> str | None:
    """Why a file that ran out of packets is a fault (truncated, corrupt), or None when it simply
    ended: at its declared duration, or (unknown) near its slot's end."""
    declared_s = source.declared_s
    if declared_s is not None:
        if position_s < declared_s - 2 * EARLY_END_FAULT_S:
            return (
                f"{item.file_path} stopped at {position_s:.1f} s of its declared "
                f"{declared_s:.1f} s (truncated or corrupt)"
            )
        return None
    left_s = (item.end_utc - at_utc).total_seconds()
    if left_s > 4 * EARLY_END_FAULT_S:
        return f"{item.file_path} ended {left_s:.1f} s before the end of its slot (truncated?)"
    return None
