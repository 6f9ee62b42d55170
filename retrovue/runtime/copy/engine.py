"""The stream-copy engine: a step muxes a file's next group of packets, or one slate picture.

Placement on the output clock (``copy.output``): a file starts at its keyframe at or before the
scheduled position (copy cannot start between keyframes), and that keyframe is shown at the
output frame where the item begins, or as soon after the previous item's last pictures as its
decoding delay allows (a few frames early at most). The item ends at its scheduled end: packets
that would be shown later, and the unfinished group before them, are not sent. Audio is laid back
to back on its own clock; silence fills any hole, and audio is dropped where it would overlap.
Whatever is not a file picture is a slate encoded at the files' parameters (tuning, gaps and
slate events, faults, emergency, guide), so the stream never goes quiet.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

import av

from retrovue.runtime.copy.output import AAC_FRAME, CopyOutput
from retrovue.runtime.copy.source import CopyPacket, CopySource
from retrovue.runtime.mpegts import psi_preamble
from retrovue.runtime.playout.channel import ChannelInfo
from retrovue.runtime.playout.engine import FileEnded, Slate
from retrovue.runtime.playout.frameclock import FrameClock
from retrovue.runtime.playout.play import Play
from retrovue.runtime.playout.profiles import CopyProfile
from retrovue.runtime.playout.timeline import TimelineItem
from retrovue.runtime.slates.special import SlatePictures

log = logging.getLogger(__name__)

REJOIN_S = 0.5  # a file ready this late after its join position is sought again
AUDIO_TAIL_PACKETS = 400  # packets read past the end of a slot for the audio that belongs to it
HELD_MAX = 16  # video packets held back at most while waiting for a point to cut at


@dataclass
class _Placed:
    """The file on air, placed on the output clock: output frames ``start`` (its first
    keyframe) to ``end`` (the first frame after its slot), and the video packets held back."""

    play: Play[CopySource]
    start: int
    end: int
    held: list[tuple[av.Packet[Any], int, int]] = field(default_factory=list)


class CopyEngine:
    """Muxes into one :class:`CopyOutput` for the whole session (a previous producer's, handed
    back on a restart, or a new one)."""

    def __init__(
        self,
        channel: ChannelInfo,
        publish: Callable[[bytes], None],
        pictures: SlatePictures,
        *,
        output: CopyOutput | None = None,
        preamble: bool = True,
    ) -> None:
        self._preamble = preamble
        profile = channel.profile
        if not isinstance(profile, CopyProfile):
            raise TypeError(f"channel {channel.number}: not a copy profile")
        self._channel = channel
        self._publish = publish
        self._pictures = pictures
        self.parameters = profile.parameters
        self.rate = Fraction(profile.parameters.frame_rate or profile.fps)
        self._output = output
        self._origin = 0  # the output frame shown at the producer's start
        self._placed: _Placed | None = None
        self._slate_key: Hashable | None = None
        self._slate_index = 0
        self._broken = False

    @property
    def output(self) -> CopyOutput | None:
        return self._output

    @property
    def output_broken(self) -> bool:
        return self._broken or (self._output is not None and self._output.broken)

    @property
    def frames_out(self) -> int:
        return 0 if self._output is None else self._output.video_next - self._origin

    def start(self) -> None:
        if self._output is None:
            if self._preamble:  # PAT/PMT at once
                self._publish(psi_preamble(self._channel.name))
            self._output = CopyOutput(
                self.parameters, self._publish, service_name=self._channel.name
            )
        self._origin = self._output.video_next

    def _out(self) -> CopyOutput:
        assert self._output is not None
        return self._output

    def opener(self, item: TimelineItem, position_s: float) -> Callable[[], CopySource]:
        assert item.file_path is not None
        source = CopySource(
            item.file_path, self.parameters, audio_language=self._channel.audio_language
        )
        return functools.partial(source.open, position_s)

    # ---- files -----------------------------------------------------------------------------

    def play(
        self, play: Play[CopySource], source: CopySource, at_utc: datetime, clock: FrameClock
    ) -> FileEnded | None:
        out = self._out()
        placed = self._placed
        if placed is None or placed.play is not play:
            placed = self._placed = self._begin(out, play, source, at_utc, clock)
        ended = self._copy_packets(out, placed, source)
        out.end_step()
        return ended

    def _begin(
        self,
        out: CopyOutput,
        play: Play[CopySource],
        source: CopySource,
        at_utc: datetime,
        clock: FrameClock,
    ) -> _Placed:
        """Place the file's first keyframe on the output clock."""
        play.begun = True
        position_s = play.item.file_position_s(at_utc)
        if position_s - source.key_s > REJOIN_S:  # opened long ago (a slow file): catch up
            source.seek(position_s)
        start = max(out.video_next, out.last_dts + 1 + source.delay)
        end = self._origin + clock.first_frame_at(play.item.end_utc)
        out.fill_silence(out.samples_at(start))
        return _Placed(play, start, end)

    def _copy_packets(
        self, out: CopyOutput, placed: _Placed, source: CopySource
    ) -> FileEnded | None:
        """Mux the file's packets up to its next point where the stream could be cut."""
        while True:
            packet = source.next_packet()
            if packet is None:  # a complete file's last group was released with its last packet
                placed.held.clear()
                out.fill_silence(out.samples_at(out.video_next))
                shown_s = source.key_s + float((out.video_next - placed.start) / self.rate)
                return FileEnded(shown_s)
            if not packet.video:
                self._place_audio(out, placed, packet)
                continue
            pts, dts = placed.start + packet.pts, placed.start + packet.dts
            delay = max(out.delay, source.delay)
            if pts >= placed.end or dts >= placed.end - delay:
                placed.held.clear()  # pictures of an unfinished group: not shown
                self._slot_ended(out, placed, source)
                return None
            last_dts = placed.held[-1][2] if placed.held else out.last_dts
            if dts <= last_dts or pts < dts:
                log.debug("%s: a packet out of order skipped", source.path)
                continue
            placed.held.append((packet.packet, pts, dts))
            shown = max([out.video_next - 1, *(held[1] for held in placed.held)])
            if shown - dts <= delay or len(placed.held) > HELD_MAX:
                self._release(out, placed)
                return None

    def _release(self, out: CopyOutput, placed: _Placed) -> None:
        """Mux the held video packets: together they end where the next item can follow
        without a jump in decoding time (every picture before the cut is decodable)."""
        for packet, pts, dts in placed.held:
            out.mux_video(packet, pts, dts)
            self._slate_key = None  # the next slate starts with its IDR
        placed.held.clear()

    def _place_audio(
        self, out: CopyOutput, placed: _Placed, packet: CopyPacket, end: int | None = None
    ) -> None:
        want = out.samples_at(placed.start) + round(packet.at_s * out.sample_rate)
        end = out.samples_at(placed.end) if end is None else end
        if packet.at_s < -0.001 or want + AAC_FRAME > end or want < out.audio_next - AAC_FRAME // 2:
            return  # before the keyframe, after the slot, or over audio already sent
        if want > out.samples_at(out.video_next) + 4 * out.sample_rate:
            return  # far ahead of the pictures: a broken timestamp
        out.silence_until_near(want)
        out.mux_audio(packet.packet)

    def _slot_ended(self, out: CopyOutput, placed: _Placed, source: CopySource) -> None:
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
                self._place_audio(out, placed, packet, end)
        out.fill_silence(end)
        placed.play.done = placed.play.cut = True

    # ---- slates ----------------------------------------------------------------------------

    def slate(self, slate: Slate) -> None:
        pictures = self._pictures
        key: Hashable
        draw: Callable[[], av.VideoFrame]
        if slate.kind in ("emergency", "guide"):  # one picture per request or guide page
            frame = pictures.picture(slate)
            key, draw = ("special", frame), lambda: frame
        elif slate.kind == "fault":
            title = slate.lines[-1]
            key, draw = ("fault", title), lambda: pictures.fault(title)
        elif slate.kind == "tuning":
            key, draw = ("tuning",), lambda: pictures.card(slate.lines)
        elif slate.kind == "black":
            key, draw = ("black",), pictures.black
        else:
            key, draw = ("slate", *slate.lines), lambda: pictures.card(slate.lines)
        self._copy_slate(key, draw)

    def _copy_slate(self, key: Hashable, draw: Callable[[], av.VideoFrame]) -> None:
        """The next picture of the slate ``key`` (a new slate starts with its IDR)."""
        out = self._out()
        if key != self._slate_key:
            self._slate_key = key
            self._slate_index = 0
        out.mux_slate(out.slate(key, draw), self._slate_index)
        self._slate_index += 1
        out.end_step()

    # ---- the end ---------------------------------------------------------------------------

    def finish(self, *, flush: bool) -> None:
        out = self._output
        if out is not None:
            out.fill_silence(out.samples_at(out.video_next))  # the sound ends with the pictures
            out.close(flush=flush)
            self._output = None

    def abort(self) -> None:
        out = self._output
        if out is not None and out.broken:
            self._broken = True
            out.close(flush=False)
            self._output = None

    def release(self) -> None:
        self._pictures.close()
