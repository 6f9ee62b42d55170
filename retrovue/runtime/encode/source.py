"""One file being played: demux, decode, deliver video by source time and audio by sample count.

The producer asks "the picture at file position p" once per output frame (frame-rate conversion
by time: the latest source frame at or before p) and "the next N samples" once per output frame
(so audio follows the output clock exactly). Joining mid-file seeks backward to a keyframe and
decodes and discards up to the position; nothing before it reaches the encoder.

Any failure to open or read marks the source ``failed``; the producer then shows a slate for the
rest of the slot (the stream itself never ends because of a file).
"""

from __future__ import annotations

import contextlib
import logging
import operator
from array import array
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av

from retrovue.runtime.captions.a53 import picture_pairs
from retrovue.runtime.captions.cea608 import Pair
from retrovue.runtime.encode.subburn import SubtitleBurn
from retrovue.runtime.encode.videofilter import VideoFilter, needs_filter
from retrovue.runtime.media import SEEK_MARGINS_S, SEEK_MIN_S, MediaFile, pick_audio_stream
from retrovue.runtime.playout.profiles import AUDIO_RATE_HZ, OutputProfile

log = logging.getLogger(__name__)

AUDIO_FORMAT = "fltp"
AUDIO_LAYOUT = "stereo"
MAX_AUDIO_BUFFER_S = 20.0
MAX_VIDEO_AHEAD_FRAMES = 120
ENDED_GRACE_S = 1.0
AUDIO_TIME_BASE = Fraction(1, AUDIO_RATE_HZ)


def silence(samples: int) -> av.AudioFrame:
    frame = av.AudioFrame(format=AUDIO_FORMAT, layout=AUDIO_LAYOUT, samples=samples)
    for plane in frame.planes:
        plane.update(bytes(plane.buffer_size))
    frame.sample_rate = AUDIO_RATE_HZ
    frame.pts = None
    frame.time_base = AUDIO_TIME_BASE
    return frame


def fade(frames: list[av.AudioFrame], start_gain: float, end_gain: float) -> None:
    """Scale planar float audio in place by a gain going linearly from ``start_gain`` to
    ``end_gain`` over the frames: a fade around a break, or (constant) the loudness gain.
    One output frame's audio at a time (1600 samples a channel), so plain Python."""
    if start_gain == end_gain == 1.0:
        return
    total = sum(frame.samples for frame in frames) or 1
    done = 0
    for frame in frames:
        count = frame.samples
        for plane in frame.planes:
            raw = bytes(plane)
            samples = array("f", raw[: count * 4])
            if start_gain == end_gain:
                scaled = array("f", [s * start_gain for s in samples])
            else:
                step = (end_gain - start_gain) / total
                gains = [start_gain + step * (done + i) for i in range(count)]
                scaled = array("f", map(operator.mul, samples, gains))
            plane.update(scaled.tobytes() + raw[count * 4 :])
        done += count


@dataclass(frozen=True)
class _Raw:
    """A decoded frame, its file position and its decode-order number."""

    position_s: float
    frame: av.VideoFrame
    number: int


class MediaSource(MediaFile):
    """A file opened for playing from ``start_s`` (file position of the item's first frame)."""

    def __init__(
        self, path: str, profile: OutputProfile, *, audio_language: str | None = None
    ) -> None:
        super().__init__(path)
        self.profile = profile
        self.audio_language = audio_language
        self._video: Any = None
        self._audio: Any = None
        self._packets: Iterator[Any] | None = None
        self._raw: deque[_Raw] = deque()
        self._want_s = 0.0
        self._filter: VideoFilter | None = None
        self._filter_ready = False
        self._filter_flushed = False
        self._video_count = 0
        self._filtered: dict[int, av.VideoFrame] = {}  # raw frame number -> filtered frame
        self._pushed: set[int] = set()
        self._awaiting: deque[int] = deque()  # numbers pushed, no output yet
        self._origin_s = 0.0
        self._current: _Raw | None = None
        self._current_out: av.VideoFrame | None = None
        self._fifo = av.AudioFifo()
        self._resampler: av.AudioResampler | None = None
        self._audio_start_s = 0.0
        self._audio_aligned = False
        self._skip_pending = 0
        self._last_video_s: float | None = None
        # the CEA-608 field-1 pairs of the decoded pictures (file position, pair), collected
        # when the file's own captions are passed through (see captions.a53.field1_pairs)
        self.captions: deque[tuple[float, Pair]] | None = None
        self.subtitles: SubtitleBurn | None = None  # an image track burnt in (subburn.py)
        self._subtitle_stream: Any = None

    # ---- opening -------------------------------------------------------------------------

    def open(self, start_s: float) -> MediaSource:
        """Open, pick streams, seek to a keyframe at or before ``start_s``, and decode (and
        discard) up to it, so the picture for ``start_s`` is ready. Runs in a helper thread."""
        try:
            self._open(start_s)
            self._prime(start_s)
        except Exception as err:  # the edge of the helper thread's task: the file is unplayable
            self.fail(f"cannot open {self.path}: {err}")
        return self

    def _prime(self, start_s: float) -> None:
        self._want_s = start_s
        while not self.eof and (not self._raw or self._raw[-1].position_s <= start_s):
            self._pump()
            self._trim()

    def _open(self, start_s: float) -> None:
        self._container = av.open(self.path, "r", timeout=10.0)
        self._video = self._container.streams.video[0] if self._container.streams.video else None
        self._audio = pick_audio_stream(self._container, self.audio_language)
        if self._video is None:
            raise ValueError("no video stream")
        if self.subtitles is not None:
            self._subtitle_stream = self.subtitles.bind(self._container, self._video)
        self._video.thread_type = "AUTO"
        if self._video.start_time is not None:
            self._origin_s = float(self._video.start_time * self._video.time_base)
        self._want_s = start_s
        self._audio_start_s = start_s
        if start_s < SEEK_MIN_S:
            self._restart_demux()
            return
        for margin_s in SEEK_MARGINS_S:
            target_s = max(0.0, start_s - margin_s)
            self._restart_demux(target_s)
            # Some containers (MPEG-TS) land after the target: retry further back.
            if (
                self.eof
                or (self._raw and self._raw[0].position_s <= start_s + 0.001)
                or not target_s
            ):
                return

    def _restart_demux(self, seek_s: float | None = None) -> None:
        """(Re)start demuxing, after a seek to a keyframe at or before ``seek_s`` if given."""
        self._raw.clear()
        self._last_video_s = None
        if self.captions is not None:
            self.captions.clear()
        self._fifo = av.AudioFifo()
        self._audio_aligned = False
        if self._audio is not None:
            self._resampler = av.AudioResampler(AUDIO_FORMAT, AUDIO_LAYOUT, AUDIO_RATE_HZ)
        if seek_s is not None:
            target = int((seek_s + self._origin_s) / self._video.time_base)
            self._container.seek(target, stream=self._video, backward=True, any_frame=False)
        chosen = (self._video, self._audio, self._subtitle_stream)
        self._packets = iter(self._container.demux([s for s in chosen if s is not None]))
        while not self._raw and not self.eof and not self.failed:
            self._pump()

    def close(self) -> None:
        super().close()
        self._raw.clear()
        self._filtered.clear()

    # ---- decoding --------------------------------------------------------------------------

    def _pump(self) -> None:
        """Demux and decode one packet."""
        if self._packets is None or self.eof:
            return
        try:
            packet = next(self._packets, None)
            if packet is None:
                self.eof = True
                self._flush_filter()
                return
            if self.subtitles is not None and packet.stream is self._subtitle_stream:
                self.subtitles.feed(packet.stream, packet, self._origin_s)
                return
            for frame in packet.decode():
                if isinstance(frame, av.VideoFrame):
                    self._on_video(frame)
                elif isinstance(frame, av.AudioFrame):
                    self._on_audio(frame)
        except av.error.InvalidDataError as err:
            log.debug("skipping a bad packet of %s: %s", self.path, err)
        except (OSError, av.FFmpegError) as err:
            self.fail(f"cannot read {self.path}: {err}")

    def _on_video(self, frame: av.VideoFrame) -> None:
        if frame.pts is not None:
            position_s = float(frame.pts * self._video.time_base) - self._origin_s
        else:
            rate = self._video.average_rate or Fraction(25)
            last = self._last_video_s if self._last_video_s is not None else self._want_s
            position_s = last + float(1 / rate)
        if self._last_video_s is not None and position_s <= self._last_video_s - 5.0:
            return  # a stray frame from before a seek
        self._last_video_s = position_s
        if self.captions is not None:
            self.captions.extend((position_s, pair) for pair in picture_pairs(frame))
        self._video_count += 1
        self._raw.append(_Raw(position_s, frame, self._video_count))
        self._trim()

    def _trim(self) -> None:
        """Drop frames that can no longer be shown: keep the latest at or before the position."""
        while len(self._raw) >= 2 and self._raw[1].position_s <= self._want_s:
            dropped = self._raw.popleft()
            self._pushed.discard(dropped.number)

    def _on_audio(self, frame: av.AudioFrame) -> None:
        assert self._resampler is not None
        start_s = (
            float(frame.pts * frame.time_base) - self._origin_s
            if frame.pts is not None and frame.time_base is not None
            else None
        )
        for out in self._resampler.resample(frame):
            out.pts = None
            out.time_base = AUDIO_TIME_BASE  # resampled frames keep the input's time base
            if not self._audio_aligned:
                if start_s is None:
                    continue
                skip = round((self._audio_start_s - start_s) * AUDIO_RATE_HZ)
                if skip >= out.samples:
                    start_s += out.samples / AUDIO_RATE_HZ
                    continue
                self._audio_aligned = True
                if skip < 0:
                    self._fifo.write(silence(-skip))
                self._fifo.write(out)
                if skip > 0:
                    self._fifo.read(skip)
                continue
            self._fifo.write(out)
        self._drop_pending()
        if self._fifo.samples > MAX_AUDIO_BUFFER_S * AUDIO_RATE_HZ:
            self._fifo.read(self._fifo.samples - int(MAX_AUDIO_BUFFER_S * AUDIO_RATE_HZ))

    @property
    def conversion(self) -> str:
        """How pictures are converted: "none" (already the profile), "scale" or "deinterlace"."""
        if self._filter is None:
            return "none"
        return "deinterlace" if self._filter.deinterlacing else "scale"

    # ---- what the producer asks ------------------------------------------------------------

    def begin(self, position_s: float) -> None:
        """The item's first output frame shows ``position_s``: audio starts there too."""
        if not self._audio_aligned:
            self._audio_start_s = position_s
            return
        skip = round((position_s - self._audio_start_s) * AUDIO_RATE_HZ)
        self._audio_start_s = position_s
        if skip > 0:
            dropped = min(skip, self._fifo.samples)
            if dropped:
                self._fifo.read(dropped)
            self._skip_pending = skip - dropped

    def _drop_pending(self) -> None:
        if self._skip_pending and self._fifo.samples:
            dropped = min(self._skip_pending, self._fifo.samples)
            self._fifo.read(dropped)
            self._skip_pending -= dropped

    def video_at(self, position_s: float) -> av.VideoFrame | None:
        """The profile-sized picture for file position ``position_s`` (None when there is none)."""
        if self.failed:
            return None
        self._want_s = position_s
        self._trim()
        while not self.eof and (not self._raw or self._raw[-1].position_s <= position_s):
            self._pump()
            if len(self._raw) > MAX_VIDEO_AHEAD_FRAMES:
                break
        if not self._raw:
            return self._current_out
        if self.eof and position_s > self._raw[-1].position_s + ENDED_GRACE_S:
            return None  # the file ended before its slot (truncated, or shorter than planned)
        chosen = self._raw[0]
        if self._current is not None and chosen.number == self._current.number:
            return self._current_out
        self._current = chosen
        self._current_out = self._render(chosen)
        return self._current_out

    def _render(self, raw: _Raw) -> av.VideoFrame | None:
        sar = self._video.sample_aspect_ratio
        if not self._filter_ready:
            self._filter_ready = True
            if needs_filter(raw.frame, sar, self.profile):
                self._filter = VideoFilter(raw.frame, sar, self._video.time_base, self.profile)
        if self._filter is None:
            return raw.frame
        try:
            return self._filtered_for(raw.number)
        except (av.FFmpegError, ValueError) as err:
            self.fail(f"cannot convert video of {self.path}: {err}")
            return None

    def _filtered_for(self, number: int) -> av.VideoFrame | None:
        """The filtered picture of raw frame ``number``; a deinterlacer needs the next first."""
        while True:
            self._push_pending()
            if number in self._filtered or self._filter_flushed:
                break
            if self.eof:
                self._flush_filter()
                continue
            seen = self._video_count
            while not self.eof and self._video_count == seen:
                self._pump()
        found = self._filtered.get(number)
        alive = {raw.number for raw in self._raw}
        for key in [k for k in self._filtered if k not in alive]:
            del self._filtered[key]
        return found if found is not None else self._current_out

    def _push_pending(self) -> None:
        assert self._filter is not None
        for raw in self._raw:
            if self._filter_flushed:
                return
            if raw.number not in self._pushed:
                self._pushed.add(raw.number)
                self._awaiting.append(raw.number)
                self._collect(self._filter.push(raw.frame))

    def _collect(self, outputs: list[av.VideoFrame]) -> None:
        # The graph gives one picture per input, in order (a deinterlacer one input late).
        for out in outputs:
            if self._awaiting:
                self._filtered[self._awaiting.popleft()] = out

    def _flush_filter(self) -> None:
        if self._filter is None or self._filter_flushed:
            return
        self._filter_flushed = True
        with contextlib.suppress(av.FFmpegError, ValueError):
            self._collect(self._filter.push(None))

    def take_audio(self, samples: int) -> list[av.AudioFrame]:
        """Exactly ``samples`` samples of stereo 48 kHz audio (silence where the file has none)."""
        if self._audio is not None and not self.failed:
            while self._fifo.samples < samples and not self.eof:
                if len(self._raw) > MAX_VIDEO_AHEAD_FRAMES:
                    break
                self._pump()
        got = min(samples, self._fifo.samples)
        frames: list[av.AudioFrame] = []
        if got:
            chunk = self._fifo.read(got)
            if chunk is not None:
                frames.append(chunk)
        if got < samples:
            frames.append(silence(samples - got))
        return frames
