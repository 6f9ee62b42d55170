"""The one output of a session: an MPEG-TS muxer, an H.264 and an AAC encoder, never restarted.

Timestamps are counters of the output clock (video frame n at n / fps, audio sample n at
n / 48000), so continuity, PCR and PTS stay exact across every programme boundary by
construction. Every ``gop_frames``-th frame is forced to an IDR (closed GOP, no scene cuts);
every other frame's picture type is reset so a source I-frame does not become an extra IDR.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import av
from av.video.frame import PictureType

from retrovue.runtime.captions.cea608 import Pair
from retrovue.runtime.captions.inserter import SeiInserter
from retrovue.runtime.mpegts import CHUNK_FRAMES, Sink, open_muxer
from retrovue.runtime.playout.profiles import AUDIO_FRAME_SAMPLES, AUDIO_RATE_HZ, OutputProfile

X264_LATENCY_PARAMS = "rc-lookahead=5:sync-lookahead=0"


def x264_options(profile: OutputProfile, preset: str) -> dict[str, str]:
    """One closed GOP of exactly ``gop_frames``, CRF 23 under a VBV cap; a short lookahead in the
    encoding threads: x264 puts out its first packet after 9 pictures instead of veryfast's 18,
    so a viewer's first IDR comes sooner (same SSIM, 4 % fewer bytes, the same CPU on a 720p
    test: ``docs/performance.md``)."""
    gop = profile.gop_frames
    return {
        "preset": preset,
        "forced-idr": "1",
        "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:open-gop=0:{X264_LATENCY_PARAMS}",
        "crf": "23",
        "maxrate": str(profile.video_bitrate),
        "bufsize": str(profile.video_bitrate * 2),
        # libx264 would copy a source picture's A/53 side data into its own SEI: a picture
        # repeated or dropped by the rate conversion would garble those captions, and a channel
        # with captions writes its own (captions.inserter)
        "a53cc": "0",
    }


class TsOutput:
    """Encoders and muxer for a whole session. Not thread-safe: one producer thread uses it."""

    def __init__(
        self,
        profile: OutputProfile,
        publish: Callable[[bytes], None],
        *,
        preset: str = "veryfast",
        service_name: str = "RetroVue",
        batch: bool = True,
        captions: bool = False,
    ) -> None:
        self.profile = profile
        self.captions = SeiInserter(profile.fps) if captions else None  # A/53 in every picture
        self.sink = Sink(publish, batch=batch)
        self._container: Any = open_muxer(self.sink, service_name)
        self._video = self._add_video(preset)
        self._audio = self._add_audio()
        self._fifo = av.AudioFifo()
        self.frames_out = 0
        self.samples_out = 0

    def _add_video(self, preset: str) -> Any:
        profile = self.profile
        stream = self._container.add_stream("libx264", rate=profile.frame_rate)
        stream.width = profile.width
        stream.height = profile.height
        stream.pix_fmt = "yuv420p"
        ctx = stream.codec_context
        ctx.time_base = Fraction(1, profile.fps)
        ctx.gop_size = profile.gop_frames
        ctx.thread_type = "FRAME"
        ctx.options = x264_options(profile, preset)
        return stream

    def _add_audio(self) -> Any:
        stream = self._container.add_stream("aac", rate=AUDIO_RATE_HZ)
        stream.layout = "stereo"
        stream.bit_rate = self.profile.audio_bitrate
        return stream

    def write_video(self, frame: av.VideoFrame, cc: Pair | None = None) -> None:
        """Encode ``frame`` as the next output frame (the object may be reused for repeats);
        ``cc`` is its CEA-608 pair when the output carries captions."""
        index = self.frames_out
        frame.pts = index
        frame.time_base = Fraction(1, self.profile.fps)
        is_idr = index % self.profile.gop_frames == 0
        frame.pict_type = PictureType.I if is_idr else PictureType.NONE
        if self.captions is not None:
            self.captions.note(index, cc)
        self._mux_video(self._video.encode(frame))
        self.frames_out += 1

    def _mux_video(self, packets: list[av.Packet[Any]]) -> None:
        if self.captions is not None:
            packets = self.captions.tag(packets)
        self._container.mux(packets)

    def write_audio(self, frames: list[av.AudioFrame]) -> None:
        """Queue audio (stereo fltp 48 kHz) and encode every whole AAC frame."""
        for frame in frames:
            frame.pts = None
            frame.time_base = Fraction(1, AUDIO_RATE_HZ)
            self._fifo.write(frame)
        while self._fifo.samples >= AUDIO_FRAME_SAMPLES:
            chunk = self._fifo.read(AUDIO_FRAME_SAMPLES)
            if chunk is None:
                break
            chunk.pts = self.samples_out
            chunk.time_base = Fraction(1, AUDIO_RATE_HZ)
            self._container.mux(self._audio.encode(chunk))
            self.samples_out += AUDIO_FRAME_SAMPLES

    def end_frame(self) -> None:
        """Publish what the muxer wrote since the last chunk: after every frame during the
        first second (tuning), then every ``CHUNK_FRAMES`` frames (about 0.1 s of output), so
        each viewer gets about ten socket writes per second whatever the muxer does."""
        frames = self.frames_out
        if frames <= self.profile.fps or frames % CHUNK_FRAMES == 0:
            self.sink.release()

    def close(self, *, flush: bool = True) -> None:
        """Finish the stream: drain the encoders (when ``flush``) and write the trailer."""
        try:
            if flush:
                self._mux_video(self._video.encode(None))
                self._container.mux(self._audio.encode(None))
        finally:
            self._container.close()
            self.sink.release()
