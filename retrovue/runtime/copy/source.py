"""One file read for stream copy: demux only, H.264 packets in Annex B form, timed in frames.

Opening seeks backward to the keyframe at or before the join position (copy cannot start between
keyframes) and reads ahead to the first video packet that carries a DTS, so every video packet
gets one (Matroska with B-frames gives none to the first packets after a seek). Video times are
given as frame counts from that keyframe, audio times as seconds from it. A file whose codec
setup differs from the session's is refused: its packets would corrupt the stream.

Any failure to open or read marks the source ``failed``; the producer then shows a slate.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av

from retrovue.runtime.copy.check import codec_parameters
from retrovue.runtime.media import SEEK_MARGINS_S, SEEK_MIN_S, MediaFile, pick_audio_stream
from retrovue.runtime.playout.profiles import CodecParameters

log = logging.getLogger(__name__)

DTS_LOOKAHEAD = 32  # video packets read ahead for the first DTS after a seek
BAD_DATA_RETRIES = 20


@dataclass
class CopyPacket:
    """A packet ready for the output: ``pts``/``dts`` in frames from the first keyframe
    (video), or ``at_s`` in seconds from it (audio)."""

    packet: av.Packet[Any]
    video: bool
    pts: int = 0
    dts: int = 0
    at_s: float = 0.0


class CopySource(MediaFile):
    """A file opened for copying from ``start_s`` (file position of the item's first frame)."""

    def __init__(
        self, path: str, parameters: CodecParameters, *, audio_language: str | None = None
    ) -> None:
        super().__init__(path)
        self.parameters = parameters
        self.audio_language = audio_language
        self.rate = Fraction(parameters.frame_rate or 25)
        self._rate = float(self.rate)
        self._video_tb = self._audio_tb = 1.0
        self.key_s = 0.0  # file position of the first keyframe
        self.delay = 0  # frames the keyframe's DTS lies before its PTS
        self._video: Any = None
        self._audio: Any = None
        self._filter: av.BitStreamFilterContext | None = None
        self._packets: Iterator[Any] | None = None
        self._reader: Iterator[tuple[Any, bool, int | None, int | None]] = iter(())
        self._ahead: deque[CopyPacket] = deque()
        self._origin_s = 0.0
        self._last_dts: int | None = None

    # ---- opening -------------------------------------------------------------------------

    def open(self, start_s: float) -> CopySource:
        """Check, open and seek so the next packet is the keyframe at or before ``start_s``.
        Runs in a helper thread."""
        try:
            found = codec_parameters(self.path)
            if found != self.parameters:
                raise ValueError(f"codec setup differs from the channel's: {found}")
            self._open()
            self.seek(start_s)
        except Exception as err:  # the edge of the helper thread's task: the file is unplayable
            self.fail(f"cannot copy {self.path}: {err}")
        return self

    def _open(self) -> None:
        self._container = av.open(self.path, "r", timeout=10.0)
        self._video = self._container.streams.video[0]
        self._audio = pick_audio_stream(self._container, self.audio_language)
        if self._audio is None:
            raise ValueError("no audio stream")
        if not self._matches(self._audio):  # a track in another setup would corrupt the stream
            self._audio = self._container.streams.audio[0]  # the one the check compared
        self._video_tb = float(self._video.time_base)  # floats: per packet, Fractions are slow
        self._audio_tb = float(self._audio.time_base)
        if self._video.start_time is not None:
            self._origin_s = self._video.start_time * self._video_tb
        extradata = self._video.codec_context.extradata or b""
        if extradata[:1] == b"\x01":  # avcC (MP4, Matroska): convert to Annex B ourselves
            self._filter = av.BitStreamFilterContext("h264_mp4toannexb", self._video)

    def _matches(self, track: Any) -> bool:
        ctx, params = track.codec_context, self.parameters
        found = (ctx.name, ctx.profile, ctx.sample_rate, ctx.layout.name)
        return found == (params.audio_codec, params.audio_profile, params.sample_rate,
                         params.audio_layout)  # fmt: skip

    def seek(self, start_s: float) -> None:
        """Position on the keyframe at or before ``start_s`` (further back when a container
        such as MPEG-TS lands after the target)."""
        for margin_s in SEEK_MARGINS_S:
            target_s = max(0.0, start_s - margin_s) if start_s >= SEEK_MIN_S else None
            self._restart(target_s)
            if self.eof or target_s is None or not target_s or self.key_s <= start_s + 0.001:
                return

    def _restart(self, seek_s: float | None) -> None:
        self._ahead.clear()
        self._last_dts = None
        self.eof = False
        if seek_s is not None:
            target = int((seek_s + self._origin_s) / self._video.time_base)
            self._container.seek(target, stream=self._video, backward=True, any_frame=False)
        elif self._packets is not None:
            self._container.seek(0, backward=True)
        if self._filter is not None:
            self._filter.flush()
        self._resume()
        self._find_keyframe()

    def _resume(self) -> None:
        """(Re)start demuxing from where the container is."""
        self._packets = iter(self._container.demux(self._video, self._audio))
        self._reader = self._raw_packets()

    def _find_keyframe(self) -> None:
        """Skip to the first video keyframe, then read ahead until a video DTS is known."""
        raw: list[tuple[Any, bool, int | None, int | None]] = []
        for packet, video, pts, dts in self._reader:
            if not raw and not (video and packet.is_keyframe):
                continue
            raw.append((packet, video, pts, dts))
            videos = [r for r in raw if r[1]]
            if (video and dts is not None) or len(videos) >= DTS_LOOKAHEAD:
                break
        if not raw:
            self.fail(f"{self.path}: no keyframe to start from")
            return
        key_pts = raw[0][2]
        self.key_s = key_pts * self._video_tb - self._origin_s if key_pts is not None else 0.0
        videos = [r for r in raw if r[1]]
        known = next(((i, r[3]) for i, r in enumerate(videos) if r[3] is not None), None)
        first_dts = 0 if known is None else self._frames(known[1]) - known[0]
        self.delay = max(0, -first_dts)
        self._last_dts = first_dts - 1
        for packet, video, pts, dts in raw:
            self._ahead.append(self._timed(packet, video, pts, dts))

    # ---- reading ---------------------------------------------------------------------------

    def _raw_packets(self) -> Iterator[tuple[Any, bool, int | None, int | None]]:
        """(packet, is video, pts, dts) in demux order, video in Annex B; empty ones skipped."""
        assert self._packets is not None
        for packet in self._packets:
            if packet.size == 0:
                continue
            video = packet.stream is self._video
            pts, dts = packet.pts, packet.dts  # read before the filter takes the packet
            if video and self._filter is not None:
                for out in self._filter.filter(packet):
                    yield out, True, pts, dts
            else:
                yield packet, video, pts, dts
        self.eof = True

    def _frames(self, ts: int) -> int:
        """A video timestamp as frames from the keyframe."""
        return round((ts * self._video_tb - self._origin_s - self.key_s) * self._rate)

    def _timed(self, packet: Any, video: bool, pts: int | None, dts: int | None) -> CopyPacket:
        if not video:
            at_s = (pts or 0) * self._audio_tb - self._origin_s - self.key_s
            return CopyPacket(packet, False, at_s=at_s)
        last = self._last_dts if self._last_dts is not None else -1
        out_dts = self._frames(dts) if dts is not None else last + 1
        out_dts = max(out_dts, last + 1)
        out_pts = self._frames(pts) if pts is not None else out_dts
        self._last_dts = out_dts
        return CopyPacket(packet, True, pts=out_pts, dts=out_dts)

    def next_packet(self) -> CopyPacket | None:
        """The next packet in file order, or None at the end (or after a failure)."""
        if self._ahead:
            return self._ahead.popleft()
        for _ in range(BAD_DATA_RETRIES):
            if self.failed or self.eof:
                return None
            try:
                raw = next(self._reader, None)
                return None if raw is None else self._timed(*raw)
            except av.error.InvalidDataError as err:  # copied as it is; demuxing goes on
                log.debug("skipping bad data in %s: %s", self.path, err)
                self._resume()
            except (OSError, av.FFmpegError) as err:
                self.fail(f"cannot read {self.path}: {err}")
        self.fail(f"cannot read {self.path}: too much bad data")
        return None

    def close(self) -> None:
        super().close()
        self._ahead.clear()
