"""The one output of a stream-copy session: an MPEG-TS muxer whose video and audio streams carry
the files' packets unchanged, plus slates encoded at the files' own parameters.

The output clock is a grid: video frame ``n`` at ``n / rate`` (the files' exact frame rate),
audio sample ``s`` at ``s / sample_rate``. The copy producer places each file's packets on it;
this class only guarantees that what it muxes continues the stream: video DTS strictly
increasing and never more than the files' decoding delay before PTS, audio packets back to back
(one AAC frame after the other, silence filling any hole).

Slates: the video stream's own encoder is x264 at the files' size, rate and pixel format
(zero-latency, no B-frames, closed GOP). A slate picture is encoded once into a loop of
``SLATE_LOOP_S`` seconds that starts with an IDR; its packets are then repeated with shifted
timestamps for as long as the slate is on, so a slate costs almost no CPU. Silence is one AAC
frame from the audio stream's own encoder (at the files' sample rate and layout), repeated.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
from av.video.frame import PictureType

from retrovue.runtime.mpegts import CHUNK_FRAMES, Sink, open_muxer
from retrovue.runtime.playout.profiles import CodecParameters

SLATE_LOOP_S = 2
SLATE_LOOPS_KEPT = 8
AAC_FRAME = 1024
SLATE_X264 = "ultrafast"


@dataclass(frozen=True)
class SlatePacket:
    data: bytes
    key: bool


class CopyOutput:
    """Muxer, slate encoders and the output clock of a copy session (one producer thread)."""

    def __init__(
        self,
        parameters: CodecParameters,
        publish: Callable[[bytes], None],
        *,
        service_name: str = "RetroVue",
    ) -> None:
        assert parameters.frame_rate is not None
        assert parameters.sample_rate is not None
        self.parameters = parameters
        self.rate = Fraction(parameters.frame_rate)
        self.sample_rate = parameters.sample_rate
        self.loop_frames = max(1, round(self.rate * SLATE_LOOP_S))
        self._video_tb, self._audio_tb = 1 / self.rate, Fraction(1, self.sample_rate)
        self.sink = Sink(publish, batch=True)
        self._container: Any = open_muxer(self.sink, service_name)
        self._video = self._add_video()
        self._audio = self._add_audio()
        self._encoded = 0  # frames given to the slate encoder (its own pts counter)
        self._loops: OrderedDict[Hashable, list[SlatePacket]] = OrderedDict()
        self._silence: bytes | None = None
        # Every video packet's DTS lies at most ``delay`` frames before its PTS; slates (no
        # B-frames) use exactly that, so DTS runs on without a jump between files and slates.
        self.delay = parameters.reorder_depth
        self.video_next = self.delay  # the next free frame on the output grid
        self.last_dts = -1  # the last video DTS muxed, in frames
        self.audio_next = self.samples_at(self.delay)  # the next audio sample
        self.broken = False  # the muxer failed: the session cannot go on
        self._released_at = self.video_next  # the output frame of the last chunk published

    # ---- streams ---------------------------------------------------------------------------

    def _add_video(self) -> Any:
        params = self.parameters
        stream = self._container.add_stream("libx264", rate=self.rate)
        stream.width = params.width
        stream.height = params.height
        stream.pix_fmt = params.pix_fmt or "yuv420p"
        ctx = stream.codec_context
        ctx.time_base = 1 / self.rate
        ctx.gop_size = self.loop_frames
        gop = self.loop_frames
        ctx.options = {
            "preset": SLATE_X264,
            "tune": "zerolatency",
            "forced-idr": "1",
            "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:open-gop=0:bframes=0",
            "crf": "23",
        }
        return stream

    def _add_audio(self) -> Any:
        stream = self._container.add_stream("aac", rate=self.sample_rate)
        stream.layout = self.parameters.audio_layout or "stereo"
        return stream

    # ---- the output clock ------------------------------------------------------------------

    def samples_at(self, frame: int) -> int:
        """The audio sample that starts together with video frame ``frame``."""
        num, den = self.rate.numerator, self.rate.denominator  # integers: called per packet
        return (2 * frame * self.sample_rate * den + num) // (2 * num)

    def mux_video(self, packet: av.Packet[Any], pts: int, dts: int) -> None:
        """Mux a file's (Annex B) video packet at output frames ``pts``/``dts``."""
        assert dts > self.last_dts, (dts, self.last_dts)
        assert pts >= dts, (pts, dts)
        packet.pts, packet.dts = pts, dts
        packet.time_base = self._video_tb
        packet.stream = self._video
        self._mux(packet)
        self.last_dts = dts
        self.video_next = max(self.video_next, pts + 1)

    def mux_audio(self, packet: av.Packet[Any]) -> None:
        """Mux a file's AAC packet (one frame) as the next audio on the output clock."""
        packet.pts = packet.dts = self.audio_next
        packet.time_base = self._audio_tb
        packet.stream = self._audio
        self._mux(packet)
        self.audio_next += AAC_FRAME

    def _mux(self, packet: av.Packet[Any]) -> None:
        muxed = False
        try:
            self._container.mux_one(packet)
            muxed = True
        finally:
            self.broken = self.broken or not muxed

    def fill_silence(self, until_sample: int) -> None:
        """Silence from ``audio_next`` up to ``until_sample`` (whole AAC frames, rounded down)."""
        while self.audio_next + AAC_FRAME <= until_sample:
            self.mux_audio(av.Packet(self._silence_frame()))

    def silence_until_near(self, sample: int) -> None:
        """Silence until the next audio frame starts within half a frame of ``sample``."""
        while self.audio_next + AAC_FRAME // 2 < sample:
            self.mux_audio(av.Packet(self._silence_frame()))

    def mux_slate(self, slate: list[SlatePacket], index: int) -> None:
        """Mux picture ``index`` of a slate loop as the next output frame, with its silence."""
        packet = slate[index % len(slate)]
        frame = max(self.video_next, self.last_dts + 1 + self.delay)
        muxed = av.Packet(packet.data)
        muxed.is_keyframe = packet.key
        self.mux_video(muxed, frame, frame - self.delay)
        self.fill_silence(self.samples_at(frame + 1))

    # ---- slates ----------------------------------------------------------------------------

    def slate(self, key: Hashable, picture: Callable[[], av.VideoFrame]) -> list[SlatePacket]:
        """The encoded loop of the slate ``key`` (``picture`` draws it when it is new)."""
        loop = self._loops.get(key)
        if loop is None:
            loop = self._encode_loop(picture())
            self._loops[key] = loop
            while len(self._loops) > SLATE_LOOPS_KEPT:
                self._loops.popitem(last=False)
        self._loops.move_to_end(key)
        return loop

    def _encode_loop(self, picture: av.VideoFrame) -> list[SlatePacket]:
        frame = picture
        if (picture.width, picture.height, picture.format.name) != (
            self.parameters.width,
            self.parameters.height,
            self._video.pix_fmt,
        ):
            frame = picture.reformat(
                self.parameters.width, self.parameters.height, self._video.pix_fmt
            )
        loop: list[SlatePacket] = []
        for index in range(self.loop_frames):
            frame.pts = self._encoded
            frame.time_base = 1 / self.rate
            frame.pict_type = PictureType.I if index == 0 else PictureType.NONE
            self._encoded += 1
            loop.extend(SlatePacket(bytes(p), p.is_keyframe) for p in self._video.encode(frame))
        if len(loop) != self.loop_frames or not loop[0].key:
            raise RuntimeError(f"slate loop encoded {len(loop)} of {self.loop_frames} pictures")
        return loop

    def _silence_frame(self) -> bytes:
        if self._silence is None:
            ctx = self._audio.codec_context
            packets: list[bytes] = []
            for index in range(8):
                frame = av.AudioFrame(format=ctx.format.name, layout=ctx.layout, samples=AAC_FRAME)
                for plane in frame.planes:
                    plane.update(bytes(plane.buffer_size))
                frame.sample_rate = self.sample_rate
                frame.pts = index * AAC_FRAME
                frame.time_base = Fraction(1, self.sample_rate)
                packets.extend(bytes(p) for p in self._audio.encode(frame))
            self._silence = packets[-1]  # past the encoder's priming: plain silence
        return self._silence

    def end_step(self) -> None:
        """Publish what the muxer wrote since the last chunk: after every step during the first
        second (tuning), then every ``CHUNK_FRAMES`` output frames, as ``TsOutput`` does."""
        if (
            self.video_next <= self.delay + self.rate
            or self.video_next - self._released_at >= CHUNK_FRAMES
        ):
            self.sink.release()
            self._released_at = self.video_next

    def close(self, *, flush: bool = True) -> None:
        """Write what the muxer still holds and end the stream (nothing to drain: ``flush`` is
        accepted for the service, which closes outputs the same way whatever their kind)."""
        del flush
        try:
            self._container.close()
        finally:
            self.sink.release()
