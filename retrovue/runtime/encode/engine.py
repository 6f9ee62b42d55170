"""The normalising engine: one output frame per step, from the file or a slate."""

from __future__ import annotations

import functools
import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import av

from retrovue.runtime.captions.cea608 import Pair
from retrovue.runtime.captions.feed import MAX_PASSED, CaptionFeed
from retrovue.runtime.encode.bug import BugOverlay, make_overlay
from retrovue.runtime.encode.output import TsOutput
from retrovue.runtime.encode.source import MediaSource, fade, silence
from retrovue.runtime.encode.subburn import SubtitleBurn
from retrovue.runtime.mpegts import psi_preamble
from retrovue.runtime.playout.channel import ChannelInfo
from retrovue.runtime.playout.engine import FileEnded, Slate
from retrovue.runtime.playout.frameclock import FrameClock
from retrovue.runtime.playout.play import Play
from retrovue.runtime.playout.timeline import TimelineItem
from retrovue.runtime.slates.special import SlatePictures

POSITION_EPSILON_S = 0.0005
log = logging.getLogger(__name__)


class EncodeEngine:
    """Writes frame after frame to one :class:`TsOutput` for the whole session. ``output`` is a
    previous producer's, handed back on a restart so the stream continues."""

    def __init__(
        self,
        channel: ChannelInfo,
        publish: Callable[[bytes], None],
        pictures: SlatePictures,
        *,
        output: TsOutput | None = None,
        preamble: bool = True,
    ) -> None:
        self._preamble = preamble
        self._channel = channel
        self._publish = publish
        self._pictures = pictures
        self._output = output
        self._samples = channel.profile.samples_per_frame
        self._zone = ZoneInfo(channel.timezone)
        self.rate = Fraction(channel.profile.fps)
        self.frames_out = 0
        self.output_broken = False
        self._bug: BugOverlay | None = None
        self._bug_in_breaks = channel.bug is not None and channel.bug.in_breaks
        self._captions = CaptionFeed(channel.profile.fps) if channel.captions else None

    @property
    def output(self) -> TsOutput | None:
        return self._output

    def start(self) -> None:
        profile = self._channel.profile
        self._bug = make_overlay(self._channel.bug, profile.width, profile.height, profile.fps)
        if self._output is None:
            channel = self._channel
            if self._preamble:  # PAT/PMT at once, before any encoding
                self._publish(psi_preamble(channel.name))
            self._output = TsOutput(
                channel.profile, self._publish,
                preset=channel.x264_preset, service_name=channel.name,
                captions=channel.captions,
            )  # fmt: skip

    def opener(self, item: TimelineItem, position_s: float) -> Callable[[], MediaSource]:
        assert item.file_path is not None
        source = MediaSource(
            item.file_path, self._channel.profile, audio_language=self._channel.audio_language
        )
        if item.burn_stream is not None:
            source.subtitles = SubtitleBurn(item.burn_stream, self._channel.profile)
        open_file = functools.partial(source.open, position_s)
        if self._captions is None:
            return open_file
        if item.captions is not None and item.captions.kind == "a53":
            source.captions = deque(maxlen=MAX_PASSED)  # the file's own, passed through
        return self._captions.opening(item, open_file)

    def play(
        self, play: Play[MediaSource], source: MediaSource, at_utc: datetime, clock: FrameClock
    ) -> FileEnded | None:
        del clock  # one frame per step: the core's instant is the frame's
        item = play.item
        position_s = item.file_position_s(at_utc)
        try:
            if not play.begun:
                play.begun = True
                source.begin(position_s)
            picture = source.video_at(position_s + POSITION_EPSILON_S)
            audio = source.take_audio(self._samples) if picture is not None else []
        except (av.FFmpegError, OSError, ValueError) as err:  # a file fails: the channel stays on
            source.fail(f"cannot play {play.item.file_path}: {err!r}")
            picture = None
        if picture is None:
            return FileEnded(position_s)
        if source.subtitles is not None:
            picture = _burnt(source, picture, position_s)
        bug = self._bug
        if bug is not None and (item.kind == "programme" or self._bug_in_breaks):
            picture = bug.apply(picture)
        if item.fade_in_ms or item.fade_out_ms or item.loudness_gain_db:
            step = timedelta(seconds=1 / self._channel.profile.fps)
            fade(audio, item.gain(at_utc), item.gain(at_utc + step))
        captions = self._captions
        cc = captions.item_pair(item, position_s, source.captions) if captions else None
        self._write(picture, audio, cc)
        return None

    def slate(self, slate: Slate) -> None:
        cc = self._captions.slate_pair() if self._captions is not None else None
        self._write(self._pictures.picture(slate, self._zone), [silence(self._samples)], cc)

    def _write(
        self, frame: av.VideoFrame, audio: list[av.AudioFrame], cc: Pair | None = None
    ) -> None:
        output = self._output
        assert output is not None
        written = False
        try:
            output.write_video(frame, cc)
            output.write_audio(audio)
            output.end_frame()
            written = True
        finally:
            self.output_broken = not written  # the output failed: a restart needs a new one
        self.frames_out += 1

    def finish(self, *, flush: bool) -> None:
        if self._output is not None:
            self._output.close(flush=flush)
            self._output = None

    def abort(self) -> None:
        if self.output_broken and self._output is not None:
            self._output.close(flush=False)
            self._output = None

    def release(self) -> None:
        self._pictures.close()
        if self._captions is not None:
            self._captions.close()


def _burnt(source: MediaSource, picture: av.VideoFrame, position_s: float) -> av.VideoFrame:
    """The picture with the file's image subtitles; a track that cannot be drawn is logged
    once and the file plays on without it."""
    assert source.subtitles is not None
    try:
        return source.subtitles.apply(picture, position_s)
    except (av.FFmpegError, ValueError, TypeError) as err:
        log.warning("subtitles of %s cannot be burnt in (%s): playing without", source.path, err)
        source.subtitles = None
        return picture
